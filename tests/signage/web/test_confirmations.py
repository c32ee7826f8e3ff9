"""Every action on the pages says what it did and what comes next; the editor's buttons say
what they do; an admin resets a password."""

from __future__ import annotations

import json
import re

import sqlalchemy as sa

from signage.accounts.models import UserSession
from signage.audit.models import AuditEntry
from signage.notices.models import Notice
from tests.signage.web.conftest import PASSWORD
from tests.signage.web.test_pages import editor_form


def said(answer) -> list[str]:
    """The confirmations on a page."""
    page = answer.get_data(as_text=True)
    block = re.search(r'<div class="done" role="status">(.*?)</div>', page, re.S)
    return re.findall(r'<p class="ok">(.*?)</p>', block.group(1)) if block else []


def test_saving_submitting_and_withdrawing_say_what_happened(
    pages, person, make_screen, db_session
):
    make_screen(key="hall", width=192, height=32)
    author, reviewer = person("author"), person("reviewer")
    browser = pages(author)
    saved = browser.post("/notices/new", editor_form(screens=["hall"]))
    notice = db_session.scalars(sa.select(Notice)).one()
    assert said(browser.get(saved.headers["Location"])) == [
        f"草稿 #{notice.id} 已保存。提交审核前，其他人看不到它。"
    ]
    assert said(browser.get("/notices")) == []  # said once
    submitted = browser.post(f"/notices/{notice.id}/submit", {})
    assert "已提交审核" in said(browser.get(submitted.headers["Location"]))[0]
    pages(reviewer).post(
        f"/notices/{notice.id}/approve", {"confidentiality_reviewed": "yes", "revision": "1"}
    )
    editor = browser.get(f"/notices/{notice.id}/edit").get_data(as_text=True)
    # An approved notice's edit goes to review: its button says so, and no 保存草稿 is offered.
    assert "保存并提交审核" in editor and "保存草稿" not in editor
    edited = browser.post(f"/notices/{notice.id}/edit", editor_form(screens=["hall"], title="新"))
    words = said(browser.get(edited.headers["Location"]))[0]
    assert "第 2 版" in words and "已批准的版本" in words, words
    # The page sends every field; the record names only the one that changed.
    edit = db_session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "notice.edit")).one()
    assert json.loads(edit.details)["changed"] == ["title"]
    # The notice's history says it in sentences, with people's names.
    history = browser.get(f"/notices/{notice.id}").get_data(as_text=True)
    assert f"{author.display_name} 修改了标题（第 2 版）" in history
    assert f"{author.display_name} 提交了第 1 版送审" in history
    assert f"{reviewer.display_name} 批准了第 1 版，已上屏播放" in history
    deciding = pages(reviewer)
    withdrawn = deciding.post(f"/notices/{notice.id}/withdraw", {"reason": "撤回"})
    assert "已撤回" in said(deciding.get(withdrawn.headers["Location"]))[0]


def test_admin_actions_say_what_happened(pages, person, make_screen, make_user, db_session):
    make_screen(key="hall", width=192, height=32)
    target = make_user("author", username="zhang.min")
    admin = pages(person("admin"))
    saved = admin.post(
        f"/users/{target.username}", {"roles": ["author", "reviewer"], "active": "on"}
    )
    assert "zhang.min" in said(admin.get(saved.headers["Location"]))[0]
    group = admin.post("/groups", {"name": "一楼", "description": ""})
    assert "一楼" in said(admin.get(group.headers["Location"]))[0]


def test_an_admin_resets_a_password_and_the_user_s_sign_ins_end(
    pages, person, make_user, db_session
):
    target = make_user("author", username="zhang.min", password=PASSWORD)
    signed = pages(target)  # signed in with the old password
    assert signed.get("/").status_code == 200
    admin = pages(person("admin"))
    page = admin.post("/users/zhang.min/password", {})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    password = re.search(r'<code class="secret">([^<]+)</code>', text).group(1)
    assert len(password) == 16
    db_session.expire_all()
    live = db_session.scalars(
        sa.select(UserSession).where(
            UserSession.user_id == target.id, UserSession.ended_at.is_(None)
        )
    ).all()
    assert live == []
    assert signed.get("/").status_code in (302, 303)  # signed out
    assert pages().login("zhang.min", password).status_code == 303
    entry = db_session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "user.password_reset")
    ).one()
    assert password not in str(entry.details)
    refused = pages(person("author")).post("/users/zhang.min/password", {})
    assert refused.status_code == 403
