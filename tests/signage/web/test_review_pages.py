"""The review pages: the admin's chain page, each stage's decision from the queue, the
notice's progress and the review form (信息发布审核表)."""

from __future__ import annotations

import sqlalchemy as sa

from signage.chains.models import ReviewChain
from signage.chains.rules import StageSpec, put_chain
from signage.notices.models import Notice
from tests.conftest import CATEGORIES, NOW

APPOINTMENTS = "人事任免"


def test_an_admin_sets_a_chain_on_the_page(pages, person, db_session):
    admin = person("admin")
    person("reviewer"), person("reviewer"), person("reviewer")
    browser = pages(admin)
    assert "审核流程" in browser.get("/review-chains").get_data(as_text=True)
    form = {
        "category": APPOINTMENTS,
        "group": "",
        "stage0_name": "初审",
        "stage0_role": "reviewer",
        "stage1_name": "复审",
        "stage1_role": "reviewer",
        "stage2_name": "终审",
        "stage2_role": "reviewer",
        "stage2_confidentiality": "yes",
        "stage2_due": "5",
    }
    saved = browser.post("/review-chains", form)
    assert saved.status_code == 303, saved.get_data(as_text=True)
    page = browser.get(saved.headers["Location"]).get_data(as_text=True)
    assert "人事任免 的审核流程已保存" in page and "复审" in page
    chain = db_session.scalar(sa.select(ReviewChain))
    assert [s["name"] for s in chain.stages] == ["初审", "复审", "终审"]
    # A duplicate stage name: the page says which, keeps what was typed, writes nothing.
    bad = browser.post("/review-chains", form | {"stage1_name": "初审"})
    assert bad.status_code == 422
    assert "有两个环节都名为" in bad.get_data(as_text=True)
    db_session.expire_all()
    assert [s["name"] for s in db_session.scalar(sa.select(ReviewChain)).stages][1] == "复审"
    words = browser.post("/precheck-words", {"words": "征地\n拆迁\n"})
    assert words.status_code == 303
    assert "征地\n拆迁" in browser.get("/review-chains").get_data(as_text=True)


def test_three_stages_from_the_queue_with_the_form(pages, person, db_session, make_screen):
    admin, author = person("admin"), person("author")
    reviewers = [person("reviewer") for _ in range(3)]
    put_chain(
        db_session,
        admin,
        APPOINTMENTS,
        [
            StageSpec(name="初审", role="reviewer"),
            StageSpec(name="复审", role="reviewer"),
            StageSpec(name="终审", role="reviewer", confidentiality=True),
        ],
        escalation=None,
        group=None,
        categories=CATEGORIES,
        now=NOW,
    )
    db_session.commit()
    make_screen(key="hall")
    writer = pages(author)
    created = writer.post(
        "/notices/new",
        {
            "title": "关于王某同志任职的公示",
            "body": "联系电话13812345678。",
            "category": APPOINTMENTS,
            "kind": "text",
            "priority": "normal",
            "valid_from": "2026-11-26T10:00",
            "valid_until": "2027-11-26T10:00",
            "screens": "hall",
            "then": "submit",
        },
    )
    assert created.status_code == 303, created.get_data(as_text=True)
    notice = db_session.scalar(sa.select(Notice))
    first, second, third = (pages(r) for r in reviewers)
    queue = first.get("/review").get_data(as_text=True)
    assert "第 1/3 环节：初审" in queue and "13812345678" in queue and "手机号码" in queue
    assert 'name="confidentiality_reviewed"' not in queue  # 初审 carries no 保密审查
    passed = first.post(f"/notices/{notice.id}/approve", {"revision": "1"})
    assert passed.status_code == 303
    assert "等待下一环节审核" in first.get(passed.headers["Location"]).get_data(as_text=True)
    # 初审's reviewer no longer sees it; 复审 does.
    assert f'id="review-{notice.id}"' not in first.get("/review").get_data(as_text=True)
    assert "第 2/3 环节：复审" in second.get("/review").get_data(as_text=True)
    again = first.post(f"/notices/{notice.id}/approve", {"revision": "1"})
    assert again.status_code == 403 and "两个环节不能由同一人审核" in again.get_data(as_text=True)
    assert second.post(f"/notices/{notice.id}/approve", {"revision": "1"}).status_code == 303
    last = third.get("/review").get_data(as_text=True)
    assert 'name="flag_note_0"' in last and 'name="hold"' in last
    refused = third.post(
        f"/notices/{notice.id}/approve", {"revision": "1", "confidentiality_reviewed": "yes"}
    )
    assert refused.status_code == 422
    done = third.post(
        f"/notices/{notice.id}/approve",
        {"revision": "1", "confidentiality_reviewed": "yes", "flag_note_0": "办公电话，可公开"},
    )
    assert done.status_code == 303 and "done=approved" in done.headers["Location"]
    db_session.expire_all()
    assert db_session.get(Notice, notice.id).status == "approved"
    detail = writer.get(f"/notices/{notice.id}").get_data(as_text=True)
    assert "信息发布审核表" in detail and "终审" in detail
    form = writer.get(f"/notices/{notice.id}/revisions/1/form").get_data(as_text=True)
    for text in ("信息发布审核表", "初审", "复审", "终审", "办公电话，可公开", "手机号码"):
        assert text in form, text
    assert all(r.display_name in form for r in reviewers)
    download = writer.get(f"/notices/{notice.id}/revisions/1/form?download=1")
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    assert "<style>" in download.get_data(as_text=True)
    assert "style-src 'unsafe-inline'" in download.headers["Content-Security-Policy"]
    assert writer.get(f"/notices/{notice.id}/revisions/9/form").status_code == 404


def test_return_and_escalate_from_the_queue(pages, person, db_session, make_notice, make_screen):
    admin, author, reviewer = person("admin"), person("author"), person("reviewer")
    leader = person("author")
    put_chain(
        db_session,
        admin,
        APPOINTMENTS,
        [StageSpec(name="审核", role="reviewer", confidentiality=True)],
        escalation=StageSpec(name="主要领导", users=[leader.username]),
        group=None,
        categories=CATEGORIES,
        now=NOW,
    )
    db_session.commit()
    make_screen(key="hall")
    one = make_notice(author, status="submitted", category=APPOINTMENTS, screens=["hall"])
    two = make_notice(author, status="submitted", category=APPOINTMENTS, screens=["hall"])
    browser = pages(reviewer)
    assert browser.post(f"/notices/{one.id}/return", {"reason": ""}).status_code == 422
    returned = browser.post(f"/notices/{one.id}/return", {"reason": "请补充文号"})
    assert returned.status_code == 303 and "done=returned" in returned.headers["Location"]
    up = browser.post(f"/notices/{two.id}/escalate", {"reason": "涉及干部任免", "revision": "1"})
    assert up.status_code == 303
    db_session.expire_all()
    assert db_session.get(Notice, one.id).status == "returned"
    # The leader, who holds no reviewer role, finds it in his queue.
    queue = pages(leader).get("/review").get_data(as_text=True)
    assert f'id="review-{two.id}"' in queue and "主要领导" in queue
    dashboard = pages(admin).get("/").get_data(as_text=True)
    assert "主要领导" in dashboard


def test_changing_a_chain_starts_from_the_chain_as_it_is(pages, person, db_session):
    admin = person("admin")
    named = person("reviewer")
    put_chain(
        db_session,
        admin,
        APPOINTMENTS,
        [StageSpec(name="初审", users=[named.username], confidentiality=True, due_working_days=4)],
        escalation=None,
        group=None,
        categories=CATEGORIES,
        now=NOW,
    )
    db_session.commit()
    page = pages(admin).get(f"/review-chains?edit={APPOINTMENTS}").get_data(as_text=True)
    assert 'name="stage0_name" maxlength="20" aria-label="环节名称 1" value="初审"' in page
    assert f'value="{named.username}"' in page and 'value="4"' in page


def test_the_dashboard_says_when_nobody_is_left_to_decide_a_stage(
    pages, person, db_session, make_notice, make_screen
):
    author, reviewer = person("author"), person("reviewer")
    make_screen(key="hall")
    waiting = make_notice(author, status="submitted", screens=["hall"])
    board = pages(author).get("/").get_data(as_text=True)
    assert f"/notices/{waiting.id}" in board and "此环节已无人可审" not in board
    reviewer.active = False  # the only one who could decide it
    db_session.commit()
    assert "此环节已无人可审" in pages(author).get("/").get_data(as_text=True)
