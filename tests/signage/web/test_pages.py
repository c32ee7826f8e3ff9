"""The web pages: sign-in, roles, CSRF, security headers, language, and each page's work."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import sqlalchemy as sa
from PIL import Image

from player.errors import FontNotFound
from player.fonts import find_fonts
from signage.accounts import services as accounts_services
from signage.accounts.models import ApiToken, LoginThrottle
from signage.audit.models import AuditEntry
from signage.clock import utcnow
from signage.delivery.cache import get_cache
from signage.displaylog.models import DisplayEvent
from signage.notices.models import Notice, NoticeRevision
from signage.screens.models import Screen
from signage.screens.services import create_screen
from tests.conftest import need
from tests.screen_record import FAST, ScreenRecord, post_plays

ROLES = ("author", "reviewer", "supervisor", "admin")

# Each page and the roles that may open it (every other signed-in role gets 403).
PAGES = {
    "/": ROLES,
    "/notices": ROLES,
    "/notices/new": ("author",),
    # Open to every role: a stage may name anyone (a section head who also writes notices).
    "/review": ROLES,
    "/review-chains": ("admin",),
    "/screens": ROLES,
    "/screens/new": ("admin",),
    "/groups": ROLES,
    "/display-log": ("supervisor", "admin"),
    "/screen-register.csv": ("supervisor", "admin"),
    "/display-log.csv": ("supervisor", "admin"),
    "/reports": ("supervisor", "admin"),
    "/reports/annual": ("supervisor", "admin"),
    "/reports/annual.csv": ("supervisor", "admin"),
    "/reports/uptime": ("supervisor", "admin"),
    "/reports/uptime.csv": ("supervisor", "admin"),
    "/holidays/2027": ROLES,
    "/users": ("admin",),
    "/audit": ("admin",),
    "/account": ROLES,
}


def has_font() -> bool:
    try:
        find_fonts()
    except FontNotFound:
        return False
    return True


def count(db_session, model) -> int:
    db_session.expire_all()
    return db_session.scalar(sa.select(sa.func.count()).select_from(model))


# --- signing in ------------------------------------------------------------------------------


def test_sign_in_and_out(pages, person):
    user = person("author")
    browser = pages()
    assert browser.get("/").status_code == 302
    answer = browser.login(user.username)
    assert answer.status_code == 303 and answer.headers["Location"] == "/"
    assert browser.get("/").status_code == 200
    assert browser.post("/logout").status_code == 303
    assert browser.get("/").status_code == 302


def test_a_failed_sign_in_is_counted_and_locks_out(pages, person, db_session):
    user = person("author")
    browser = pages()
    for _ in range(5):
        answer = browser.login(user.username, "wrong password")
        assert answer.status_code == 401
        assert "用户名或密码错误" in answer.get_data(as_text=True)
    # The failures were committed although each answer was an error.
    throttle = db_session.get(LoginThrottle, user.username)
    assert throttle is not None and throttle.failures == 5
    locked = browser.login(user.username)  # even the right password waits now
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0


def test_sign_in_returns_only_to_this_site(pages, person):
    user = person("author")
    browser = pages()
    browser.get("/login")
    answer = browser.post(
        "/login",
        {
            "username": user.username,
            "password": "a long enough password",
            "next": "//evil.example/",
        },
    )
    assert answer.headers["Location"] == "/"


@pytest.mark.parametrize("path", sorted(PAGES))
def test_pages_need_a_sign_in(pages, path):
    answer = pages().get(path)
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", ROLES)
def test_each_page_refuses_roles_that_must_not_see_it(pages, person, role):
    browser = pages(person(role))
    for path, allowed in PAGES.items():
        answer = browser.get(path)
        expected = 200 if role in allowed else 403
        assert answer.status_code == expected, (role, path, answer.status_code)
        answer.close()


def test_a_form_without_its_csrf_token_is_refused_and_writes_nothing(pages, person, db_session):
    browser = pages(person("author"))
    screen = Screen  # noqa: F841 - readability: no screens needed, the refusal comes first
    answer = browser.client.post("/notices/new", data={"title": "未经授权", "category": "通知公告"})
    assert answer.status_code == 400
    assert count(db_session, Notice) == 0
    forged = browser.client.post("/account/tokens", data={"name": "x", "csrf_token": "forged"})
    assert forged.status_code == 400 and count(db_session, ApiToken) == 0


def test_security_headers_and_cookie(pages, person):
    browser = pages()
    answer = browser.get("/login")
    policy = answer.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert answer.headers["X-Frame-Options"] == "DENY"
    signed = browser.login(person("author").username)
    cookie = signed.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_language_switch(pages, person):
    browser = pages(person("author"))
    assert "总览" in browser.get("/").get_data(as_text=True)
    answer = browser.post("/language", {"lang": "en", "next": "/notices"})
    assert answer.status_code == 303 and answer.headers["Location"] == "/notices"
    page = browser.get("/notices").get_data(as_text=True)
    assert "Dashboard" in page and "总览" not in page
    browser.post("/language", {"lang": "zh_Hans_CN"})
    assert "总览" in browser.get("/").get_data(as_text=True)


# --- account ---------------------------------------------------------------------------------


def test_password_change_ends_other_sessions(pages, person):
    user = person("author")
    first, second = pages(user), pages(user)
    wrong = first.post(
        "/account/password",
        {
            "old_password": "nope",
            "new_password": "another long password",
            "repeat_password": "another long password",
        },
    )
    assert wrong.status_code == 422 and "当前密码不正确" in wrong.get_data(as_text=True)
    changed = first.post(
        "/account/password",
        {
            "old_password": "a long enough password",
            "new_password": "another long password",
            "repeat_password": "another long password",
        },
    )
    assert changed.status_code == 200
    assert first.get("/").status_code == 200  # the session that changed it goes on
    assert second.get("/").status_code == 302  # the other one has ended


def test_api_token_is_shown_once_and_can_be_revoked(pages, person, client, db_session):
    browser = pages(person("author"))
    answer = browser.post("/account/tokens", {"name": "县政府网站"})
    assert answer.status_code == 201
    text = answer.get_data(as_text=True)
    secret = text.split('id="new-token">')[1].split("<")[0]
    assert secret.startswith("sgp_")
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    )
    assert secret not in browser.get("/account").get_data(as_text=True)
    token = db_session.scalars(sa.select(ApiToken)).one()
    assert browser.post(f"/account/tokens/{token.id}/revoke").status_code == 303
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    )


def test_admin_adds_a_user_and_changes_roles(pages, person, db_session):
    browser = pages(person("admin"))
    answer = browser.post(
        "/users", {"username": "zhangsan", "display_name": "张三", "roles": ["author"]}
    )
    assert answer.status_code == 201 and "zhangsan" in answer.get_data(as_text=True)
    bad = browser.post("/users", {"username": "No Spaces", "roles": ["author"]})
    assert bad.status_code == 422
    edited = browser.post("/users/zhangsan", {"roles": ["author", "reviewer"], "active": "on"})
    assert edited.status_code == 303
    from signage.accounts.services import get_user

    db_session.expire_all()
    assert {r.value for r in get_user(db_session, "zhangsan").roles} == {"author", "reviewer"}


# --- notices ---------------------------------------------------------------------------------


def editor_form(**kw):
    start = utcnow().astimezone(dt.timezone(dt.timedelta(hours=8)))
    return {
        "title": "关于元旦放假安排的通知",
        "body": "根据国务院办公厅通知，2027年1月1日放假一天。",
        "category": "通知公告",
        "kind": "text",
        "priority": "normal",
        "duration_s": "12",
        "valid_from": start.strftime("%Y-%m-%dT%H:%M"),
        "valid_until": (start + dt.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
        "dayparts": "",
        "required_working_days": "",
    } | kw


def test_author_creates_and_submits_a_notice(pages, person, make_screen, db_session):
    screen = make_screen(key="hall", width=192, height=32)
    browser = pages(person("author"))
    page = browser.get("/notices/new").get_data(as_text=True)
    assert 'name="screens" value="hall"' in page
    missing = browser.post("/notices/new", editor_form(title=""))
    assert missing.status_code == 422 and count(db_session, Notice) == 0
    answer = browser.post("/notices/new", editor_form(screens=["hall"], then="submit"))
    assert answer.status_code == 303
    notice = db_session.scalars(sa.select(Notice)).one()
    assert notice.status == "submitted"
    revision = notice.latest_revision
    assert revision.duration_s == 12 and [s.key for s in revision.screens] == [screen.key]
    # Times typed in the deployment's zone (Shanghai) are stored in UTC.
    typed = dt.datetime.fromisoformat(editor_form()["valid_from"]).replace(
        tzinfo=dt.timezone(dt.timedelta(hours=8))
    )
    assert revision.valid_from == typed
    detail = browser.get(answer.headers["Location"]).get_data(as_text=True)
    assert "关于元旦放假安排的通知" in detail and "/notices/preview.png?screen=hall" in detail


def test_editing_a_live_notice_keeps_it_on_air_until_approved(
    pages, person, make_screen, db_session
):
    make_screen(key="hall")
    author, reviewer = person("author"), person("reviewer")
    browser = pages(author)
    browser.post("/notices/new", editor_form(screens=["hall"], then="submit"))
    notice = db_session.scalars(sa.select(Notice)).one()
    pages(reviewer).post(
        f"/notices/{notice.id}/approve",
        {"confidentiality_reviewed": "yes", "revision": "1"},
    )
    again = browser.post(
        f"/notices/{notice.id}/edit", editor_form(screens=["hall"], title="新标题")
    )
    assert again.status_code == 303
    db_session.expire_all()
    notice = db_session.get(Notice, notice.id)
    assert notice.live_revision.title == "关于元旦放假安排的通知"
    assert notice.latest_revision.title == "新标题" and notice.latest_revision.state == "submitted"
    queue = pages(reviewer).get("/review").get_data(as_text=True)
    assert "<del>关于元旦放假安排的通知</del>" in queue and "<ins>新标题</ins>" in queue


def test_preview_is_the_players_rendering_at_the_screens_size(pages, person, make_screen):
    need(has_font(), "a CJK font (Debian fonts-wqy-zenhei) for the preview renderer")
    make_screen(key="strip", width=128, height=16, color="mono")
    make_screen(key="panel", width=384, height=128, color="full")
    browser = pages(person("author"))
    for key in ("strip", "panel"):
        answer = browser.get(
            f"/notices/preview.png?screen={key}&title=通知&body=今天下午三点开会&category=通知公告"
        )
        assert answer.status_code == 200 and answer.mimetype == "image/png"
        image = Image.open(io.BytesIO(answer.data))
        # The screen's own pixels: the page enlarges it with nearest-neighbour sampling.
        assert image.size == {"strip": (128, 16), "panel": (384, 128)}[key]
        frames = getattr(image, "n_frames", 1)
        drawn, total = [], 0
        for index in range(frames):
            image.seek(index)
            drawn.append(image.convert("RGB").getbbox() is not None)
            total += image.info.get("duration", 0) if frames > 1 else 0
        assert any(drawn), key
        if key == "strip":  # the whole scroll, at the screen's speed: many frames, no sampling
            assert frames > 200 and total >= 15_000
    assert browser.get("/notices/preview.png?screen=nope&title=x").status_code == 404


def test_reviewer_approves_from_the_queue_only_with_the_confidentiality_check(
    pages, person, make_screen, db_session
):
    make_screen(key="hall")
    author, reviewer = person("author"), person("reviewer")
    pages(author).post("/notices/new", editor_form(screens=["hall"], then="submit"))
    notice = db_session.scalars(sa.select(Notice)).one()
    browser = pages(reviewer)
    queue = browser.get("/review").get_data(as_text=True)
    assert f'id="review-{notice.id}"' in queue and "保密审查" in queue
    refused = browser.post(f"/notices/{notice.id}/approve", {"revision": "1"})
    assert refused.status_code == 422 and "请先确认已完成保密审查" in refused.get_data(as_text=True)
    approved = browser.post(
        f"/notices/{notice.id}/approve",
        {"confidentiality_reviewed": "yes", "revision": "1", "note": "同意"},
    )
    assert approved.status_code == 303
    db_session.expire_all()
    revision = db_session.scalars(sa.select(NoticeRevision)).one()
    assert revision.state == "approved" and revision.confidentiality_reviewed
    assert f'id="review-{notice.id}"' not in browser.get("/review").get_data(as_text=True)
    # The screen's page now names it as playing.
    screen_page = browser.get("/screens/hall").get_data(as_text=True)
    assert "关于元旦放假安排的通知" in screen_page.split('id="now-showing"')[1].split("</p>")[0]
    # Withdrawn in one step from its page.
    withdrawn = browser.post(f"/notices/{notice.id}/withdraw", {"reason": "内容有误"})
    assert withdrawn.status_code == 303
    db_session.expire_all()
    assert db_session.get(Notice, notice.id).status == "withdrawn"


def test_reviewer_rejects_with_a_reason(pages, person, make_screen, db_session):
    make_screen(key="hall")
    pages(person("author")).post("/notices/new", editor_form(screens=["hall"], then="submit"))
    notice = db_session.scalars(sa.select(Notice)).one()
    browser = pages(person("reviewer"))
    assert browser.post(f"/notices/{notice.id}/reject", {"reason": ""}).status_code == 422
    assert browser.post(f"/notices/{notice.id}/reject", {"reason": "请补充文号"}).status_code == 303
    db_session.expire_all()
    assert db_session.get(Notice, notice.id).status == "rejected"


def test_notice_list_filters(pages, person, make_notice, make_screen):
    author = person("author")
    make_notice(author, title="第一条", category="要闻")
    make_notice(author, title="第二条", category="通知公告")
    browser = pages(author)
    page = browser.get("/notices?category=要闻").get_data(as_text=True)
    assert "第一条" in page and "第二条" not in page
    page = browser.get("/notices?text=第二").get_data(as_text=True)
    assert "第二条" in page and "第一条" not in page
    assert browser.get("/notices?status=nonsense").status_code == 422


# --- screens ---------------------------------------------------------------------------------


def test_admin_adds_a_screen_sees_its_token_once_and_edits_it(
    app, pages, person, db_session, client
):
    browser = pages(person("admin"))
    bad = browser.post("/screens/new", {"key": "hall", "name": "大厅", "size": "huge"})
    assert bad.status_code == 422 and count(db_session, Screen) == 0
    answer = browser.post(
        "/screens/new",
        {
            "key": "hall",
            "name": "大厅",
            "size": "192x32",
            "color": "red-green",
            "hours": "1-5 08:00-18:00",
        },
    )
    assert answer.status_code == 201
    token = answer.get_data(as_text=True).split('id="screen-token">')[1].split("<")[0]
    poll = client.get("/api/v1/player/playlist", headers={"Authorization": f"Bearer {token}"})
    assert poll.status_code == 200
    assert token not in browser.get("/screens/hall").get_data(as_text=True)
    edited = browser.post(
        "/screens/hall/edit",
        {
            "name": "一楼大厅",
            "size": "256x64",
            "color": "full",
            "timezone": "Asia/Shanghai",
            "hours": "",
        },
    )
    assert edited.status_code == 303
    db_session.expire_all()
    screen = db_session.scalars(sa.select(Screen)).one()
    assert (screen.name, screen.width, screen.height, screen.hours) == ("一楼大厅", 256, 64, None)
    rotated = browser.post("/screens/hall/token")
    assert "screen-token" in rotated.get_data(as_text=True)
    get_cache(app).sync(force=True)  # what every process does within SIGNAGE_PLAYLIST_CHECK_S
    old = client.get("/api/v1/player/playlist", headers={"Authorization": f"Bearer {token}"})
    assert old.status_code == 401


def test_screen_page_shows_heartbeat_and_screenshot(pages, person, make_screen, db_session, client):
    _, token = create_screen(
        db_session, None, key="hall", name="大厅", width=64, height=16, now=utcnow()
    )
    db_session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    client.post("/api/v1/player/heartbeat", json={"version": "1.2.3"}, headers=headers)
    shot = io.BytesIO()
    Image.new("RGB", (64, 16), (255, 0, 0)).save(shot, format="PNG")
    client.put(
        "/api/v1/player/screenshot",
        data=shot.getvalue(),
        headers=headers | {"Content-Type": "image/png"},
    )
    browser = pages(person("supervisor"))
    page = browser.get("/screens/hall").get_data(as_text=True)
    assert "1.2.3" in page and "在线" in page
    image = browser.get("/screens/hall/screenshot.png")
    assert image.status_code == 200 and image.data == shot.getvalue()
    board = browser.get("/").get_data(as_text=True)
    assert "/screens/hall/screenshot.png" in board


# --- display log and audit -------------------------------------------------------------------


def test_display_log_page_and_csv_hold_exactly_the_filtered_rows(
    pages, person, make_screen, make_notice, db_session, client
):
    author, reviewer = person("author"), person("reviewer")
    tokens = {}
    for key in ("hall", "lobby"):
        _, tokens[key] = create_screen(
            db_session, None, key=key, name=key, width=64, height=16, now=utcnow(), settings=FAST
        )
    db_session.commit()
    start = utcnow() - dt.timedelta(hours=1)
    notice = make_notice(
        author,
        screens=["hall", "lobby"],
        status="approved",
        reviewer=reviewer,
        at=start - dt.timedelta(hours=1),
        valid_from=start - dt.timedelta(hours=1),
        valid_until=start + dt.timedelta(days=7),
    )
    for key, n in (("hall", 7), ("lobby", 3)):
        screen = db_session.scalar(sa.select(Screen).where(Screen.key == key))
        starts = [start + dt.timedelta(seconds=20 * i) for i in range(n)]
        answer = post_plays(client, db_session, screen, tokens[key], ScreenRecord(), notice, starts)
        assert len(answer["accepted"]) == n
    browser = pages(person("supervisor"))
    page = browser.get("/display-log?screen=hall").get_data(as_text=True)
    assert page.count("<td>hall</td>") == 7 and "<td>lobby</td>" not in page
    # The notice by its title; chain numbers and hashes stay in the CSV and the evidence.
    assert page.count("关于调整办公时间的通知") == 7 and 'class="hash"' not in page
    assert "/display-log.csv?screen=hall" in page
    download = browser.get("/display-log.csv?screen=hall")
    assert download.data.startswith("\ufeff".encode())  # Excel reads UTF-8 with a BOM
    rows = list(csv.DictReader(io.StringIO(download.data.decode("utf-8-sig"))))
    download.close()
    stored = db_session.scalars(
        sa.select(DisplayEvent)
        .join(Screen)
        .where(Screen.key == "hall")
        .order_by(DisplayEvent.started_at)
    ).all()
    assert [r["id"] for r in rows] == [e.event_id for e in stored]
    assert browser.get("/display-log?notice=abc").status_code == 422


def test_audit_page_filters_and_checks_the_chains(pages, person, db_session):
    admin = person("admin")
    browser = pages(admin)
    page = browser.get("/audit?action=user.").get_data(as_text=True)
    assert (
        f"管理员（命令行） 添加了用户 {admin.username}" in page
        and f"{admin.username} 登录了系统" in page
    )
    whole = browser.post("/audit/check").get_data(as_text=True)
    assert "全部哈希链完整" in whole
    db_session.execute(sa.update(AuditEntry).where(AuditEntry.seq == 1).values(details='{"x":1}'))
    db_session.commit()
    broken = browser.post("/audit/check").get_data(as_text=True)
    assert "审计日志：第 1 条记录处断裂" in broken


def test_the_audit_log_reads_as_sentences_with_display_names(pages, person, db_session):
    admin = person("admin")
    author = person("author")
    accounts_services.update_user(
        db_session, admin, admin.username, now=utcnow(), display_name="张敏"
    )
    accounts_services.update_user(
        db_session, admin, author.username, now=utcnow(), roles=["reviewer"]
    )
    db_session.commit()
    page = pages(admin).get("/audit").get_data(as_text=True)
    assert f"张敏 修改了用户 {admin.username} 的姓名" in page
    assert f"张敏 修改了用户 {author.username} 的角色" in page
    # What was recorded stays at hand, folded away.
    assert "<summary>原始记录</summary>" in page and "user.update" in page


def test_an_image_notice_is_uploaded_from_the_editor(pages, person, make_screen, db_session):
    make_screen(key="hall", width=64, height=32)
    picture = io.BytesIO()
    Image.new("RGB", (200, 100), (0, 128, 255)).save(picture, format="PNG")
    browser = pages(person("author"))
    answer = browser.post(
        "/notices/new",
        editor_form(
            screens=["hall"], kind="image", image=(io.BytesIO(picture.getvalue()), "x.png")
        ),
        content_type="multipart/form-data",
    )
    assert answer.status_code == 303, answer.get_data(as_text=True)
    revision = db_session.scalars(sa.select(NoticeRevision)).one()
    assert revision.kind == "image" and revision.media_sha256 is not None
    broken = browser.post(
        "/notices/new",
        editor_form(screens=["hall"], kind="image", image=(io.BytesIO(b"not an image"), "x.png")),
        content_type="multipart/form-data",
    )
    assert broken.status_code == 422
    assert db_session.scalar(sa.select(sa.func.count()).select_from(NoticeRevision)) == 1
    if has_font():
        preview = browser.get(
            f"/notices/preview.png?screen=hall&kind=image&media={revision.media_sha256}&title=x"
        )
        image = Image.open(io.BytesIO(preview.data)).convert("RGB")
        # Letterboxed, never stretched: a 2:1 picture on a 2:1 panel fills it.
        assert image.getpixel((image.width // 2, image.height // 2)) == (0, 128, 255)


BAD_QUERIES = [
    "/display-log?notice=²",
    "/display-log?notice=99999999999999999999",
    "/display-log.csv?notice=99999999999999999999",
    "/display-log?from=0001-01-01T00:00",
    "/audit?before=99999999999999999999999",
    "/audit?from=0001-01-01T00:00",
    "/notices?page=99999999999999999999999",
    "/notices?page=²",
    "/reports/annual?year=²",
    "/reports/notices/1/compliance?gap_minutes=²",
    "/reports/uptime?from=0001-01-01&to=0001-01-02",
    "/reports/uptime.csv?from=0001-01-01&to=0001-01-02",
    "/reports/notices/99999999999999999999999/compliance",
    "/notices/99999999999999999999999",
    "/api/v1/notices/99999999999999999999999",
    "/api/v1/display-events?from=0001-01-01T00:00:00%2B01:00",
]


@pytest.mark.parametrize("path", BAD_QUERIES)
def test_bad_query_values_are_a_clear_4xx(pages, person, token_for, client, path):
    admin = person("admin", "supervisor")
    if path.startswith("/api/"):
        answer = client.get(path, headers=token_for(admin))
        assert 400 <= answer.status_code < 500 and "error" in answer.get_json()
    else:
        answer = pages(admin).get(path)
        assert 400 <= answer.status_code < 500, answer.status_code
    answer.close()


def test_signing_in_starts_a_new_session_and_csrf_token(pages, person):
    browser = pages()
    browser.get("/login")
    before = browser.token
    browser.login(person("author").username)
    assert browser.token != before
    stale = browser.client.post("/account/tokens", data={"name": "x", "csrf_token": before})
    assert stale.status_code == 400


def test_unknown_pages_and_methods_get_a_page_in_the_users_language(pages, person):
    browser = pages(person("author"))
    missing = browser.get("/no-such-page")
    assert missing.status_code == 404 and "没有这个页面" in missing.get_data(as_text=True)
    assert missing.headers["Cache-Control"] == "no-store"
    wrong = browser.client.delete("/notices")
    assert wrong.status_code in (400, 405)
