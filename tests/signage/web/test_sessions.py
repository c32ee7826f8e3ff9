"""Sign-in sessions kept on the server, and the limits that slow guessing without locking
anyone out."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from flask import Flask

from signage.accounts.models import ApiToken, UserSession
from signage.audit.models import AuditEntry
from tests.signage.web.conftest import PASSWORD, PageClient

OTHER_ADDRESS = {"REMOTE_ADDR": "10.20.30.40"}


def cookie(browser: PageClient) -> str:
    found = browser.client.get_cookie("session")
    assert found is not None
    return found.value


def with_cookie(app: Flask, value: str) -> PageClient:
    """A new browser holding a copy of a cookie someone saved."""
    copy = PageClient(app.test_client())
    copy.client.set_cookie("session", value)
    return copy


def test_a_cookie_kept_from_before_sign_out_opens_nothing(app, pages, person):
    browser = pages(person("author"))
    saved = cookie(browser)
    assert with_cookie(app, saved).get("/account").status_code == 200
    assert browser.post("/logout").status_code == 303
    assert with_cookie(app, saved).get("/account").status_code == 302


def _page_routes(app: Flask) -> list[str]:
    paths = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("web.") or "GET" not in rule.methods:
            continue
        if rule.arguments - {"year"} or rule.rule in ("/login", "/language"):
            continue
        paths.append(rule.rule.replace("<int:year>", "2026"))
    return sorted(paths)


def test_an_ended_session_is_refused_on_every_page(app, pages, person, db_session):
    admin = person("admin", "author", "reviewer", "supervisor")
    browser = pages(admin)
    saved = cookie(browser)
    routes = _page_routes(app)
    assert len(routes) > 10 and "/account" in routes and "/reports" in routes
    for path in routes:
        answer = with_cookie(app, saved).get(path)
        # Open to this user (the preview, without its screen, is a 404 of its own).
        assert answer.status_code in (200, 302, 404), path
        assert "/login" not in answer.headers.get("Location", ""), path
    browser.post("/logout")
    for path in routes:
        answer = with_cookie(app, saved).get(path, follow_redirects=True)
        assert answer.request.path == "/login", path


def test_a_password_change_ends_the_other_sessions_and_may_revoke_tokens(
    app, pages, person, db_session, token_for
):
    user = person("author")
    here, elsewhere = pages(user), pages(user)
    token_for(user)
    answer = here.post(
        "/account/password",
        {
            "old_password": PASSWORD,
            "new_password": "a new long password",
            "repeat_password": "a new long password",
            "revoke_tokens": "yes",
        },
    )
    assert answer.status_code == 200 and "已吊销 1 个 API 令牌" in answer.get_data(as_text=True)
    assert here.get("/account").status_code == 200  # the session that made the change stays
    assert elsewhere.get("/account").status_code == 302
    db_session.expire_all()
    assert all(t.revoked_at is not None for t in db_session.scalars(sa.select(ApiToken)))


def test_a_wrong_current_password_is_audited_and_slowed(pages, person, db_session):
    browser = pages(person("author"))
    form = {"old_password": "guess", "new_password": "x" * 12, "repeat_password": "x" * 12}
    for _ in range(5):
        assert browser.post("/account/password", form).status_code == 422
    slowed = browser.post("/account/password", form)
    assert slowed.status_code == 429 and int(slowed.headers["Retry-After"]) > 0
    failures = db_session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == "user.password_change_failed")
    )
    assert failures == 5


def test_a_deactivated_user_reactivated_signs_in_afresh(app, pages, person, db_session):
    user = person("author")
    admin = pages(person("admin"))
    browser = pages(user)
    saved = cookie(browser)
    admin.post(f"/users/{user.username}", {"roles": "author"})  # unticked: deactivated
    assert with_cookie(app, saved).get("/account").status_code == 302
    admin.post(f"/users/{user.username}", {"roles": "author", "active": "on"})
    assert with_cookie(app, saved).get("/account").status_code == 302
    assert pages(user).get("/account").status_code == 200


def test_an_admin_ends_every_session_of_a_user(app, client, pages, person, token_for, db_session):
    user = person("author")
    browser = pages(user)
    admin = pages(person("admin"))
    answer = admin.post(f"/users/{user.username}/sessions/end")
    assert answer.status_code == 200 and "已结束" in answer.get_data(as_text=True)
    assert browser.get("/account").status_code == 302
    again = pages(user)
    ended = client.delete(
        f"/api/v1/users/{user.username}/sessions", headers=token_for(person("admin"))
    )
    assert ended.status_code == 200 and ended.get_json()["sessions_ended"] == 1
    assert again.get("/account").status_code == 302
    actions = db_session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.action == "user.sessions_end")
    ).all()
    assert len(actions) == 2


def test_the_account_page_lists_ones_sessions_and_ends_one(app, pages, person, db_session):
    user = person("author")
    here, there = pages(user), pages(user)
    page = here.get("/account").get_data(as_text=True)
    assert "本次登录" in page and page.count("127.0.0.1") == 2
    other = db_session.scalars(
        sa.select(UserSession).where(UserSession.ended_at.is_(None)).order_by(UserSession.id)
    ).all()[-1]
    assert here.post(f"/account/sessions/{other.id}/end").status_code == 303
    assert there.get("/account").status_code == 302
    assert here.get("/account").status_code == 200
    foreign = pages(person("author"))
    assert foreign.post(f"/account/sessions/{other.id}/end").status_code == 404


def test_a_session_ends_after_its_hours(config, person, db_session):
    from signage.app import create_app

    app = create_app(config | {"SIGNAGE_SESSION_HOURS": 1})
    try:
        user = person("author")
        browser = PageClient(app.test_client())
        assert browser.login(user.username).status_code == 303
        assert browser.get("/account").status_code == 200
        row = db_session.scalars(sa.select(UserSession)).one()
        row.created_at -= dt.timedelta(hours=2)
        db_session.commit()
        assert browser.get("/account").status_code == 302
        db_session.refresh(row)
        assert row.ended_reason == "expired"
    finally:
        app.extensions["signage.db"].engine.dispose()


# --- guessing is slowed for the guesser alone ----------------------------------------------------


def test_a_stranger_cannot_lock_the_admin_out(app, pages, person):
    admin = person("admin")
    stranger = pages()
    for _ in range(5):
        assert stranger.login(admin.username, "wrong password").status_code == 401
    slowed = stranger.login(admin.username, PASSWORD)
    assert slowed.status_code == 429 and int(slowed.headers["Retry-After"]) > 0
    # The admin, from the office, signs in as always.
    office = PageClient(app.test_client())
    office.client.environ_base.update(OTHER_ADDRESS)
    assert office.login(admin.username).status_code == 303


def test_one_address_trying_many_names_is_slowed(app, pages):
    stranger = pages()
    statuses = [stranger.login(f"name-{n}", "guess").status_code for n in range(31)]
    assert statuses[:30] == [401] * 30 and statuses[30] == 429


@pytest.mark.parametrize("attempts", [61])
def test_guessing_api_tokens_is_slowed(client, attempts):
    statuses = [
        client.get("/api/v1/me", headers={"Authorization": f"Bearer sgp_guess{n}"}).status_code
        for n in range(attempts)
    ]
    assert statuses[:60] == [401] * 60 and statuses[60] == 429
    assert (
        client.get("/api/v1/me", headers={"Authorization": "Bearer x"}).get_json()["error"]["code"]
        == "throttled"
    )
