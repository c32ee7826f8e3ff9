"""Users, passwords, login throttling and personal API tokens."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from signage.accounts import services as svc
from signage.accounts.models import LoginThrottle, Role
from signage.accounts.tokens import token_hash
from signage.audit.models import AuditEntry
from signage.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Unauthenticated,
)
from tests.conftest import NOW


def audit_actions(db_session) -> list[str]:
    return list(db_session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.seq)))


def test_create_user_hashes_the_password_with_argon2(db_session):
    user, password = svc.create_user(
        db_session, None, username="Zhang.Min", roles=["author"], now=NOW
    )
    assert user.username == "zhang.min"
    assert user.roles == {Role.AUTHOR}
    assert user.password_hash.startswith("$argon2id$")
    assert password not in user.password_hash and len(password) == 16


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"username": "x"}, "username"),
        ({"username": "张三"}, "username"),
        ({"username": "has space"}, "username"),
        ({"roles": []}, "roles"),
        ({"roles": ["editor"]}, "roles"),
        ({"password": "short"}, "password"),
        ({"display_name": "名" * 101}, "display_name"),
    ],
)
def test_create_user_validation(db_session, kwargs, field):
    values = {"username": "li.hua", "roles": ["reviewer"]} | kwargs
    with pytest.raises(InvalidInput) as err:
        svc.create_user(db_session, None, now=NOW, **values)
    assert err.value.field == field


def test_duplicate_user_name(db_session, make_user):
    make_user("author", username="li.hua")
    with pytest.raises(Conflict):
        svc.create_user(db_session, None, username="LI.HUA", roles=["author"], now=NOW)


def test_only_admins_manage_users(db_session, make_user):
    author, admin = make_user("author"), make_user("admin")
    with pytest.raises(PermissionDenied):
        svc.create_user(db_session, author, username="new.user", roles=["author"], now=NOW)
    with pytest.raises(PermissionDenied):
        svc.list_users(db_session, author)
    with pytest.raises(PermissionDenied):
        svc.update_user(db_session, author, admin.username, active=False, now=NOW)
    user, _ = svc.create_user(db_session, admin, username="new.user", roles=["author"], now=NOW)
    svc.update_user(db_session, admin, user.username, roles=["author", "reviewer"], now=NOW)
    assert user.roles == {Role.AUTHOR, Role.REVIEWER}
    svc.update_user(db_session, admin, user.username, active=False, now=NOW)
    assert not user.active
    with pytest.raises(Conflict):
        svc.update_user(db_session, admin, admin.username, active=False, now=NOW)
    with pytest.raises(Conflict):
        svc.update_user(db_session, admin, admin.username, roles=["author"], now=NOW)
    with pytest.raises(NotFound):
        svc.update_user(db_session, admin, "nobody", active=False, now=NOW)
    assert audit_actions(db_session)[-3:] == ["user.create", "user.update", "user.update"]


def test_authenticate_success_and_failure_are_audited(db_session, make_user):
    make_user("author", username="zhang.min", password="correct horse")
    user = svc.authenticate(db_session, username="Zhang.Min", password="correct horse", now=NOW)
    assert user.username == "zhang.min"
    with pytest.raises(Unauthenticated):
        svc.authenticate(db_session, username="zhang.min", password="wrong", now=NOW)
    with pytest.raises(Unauthenticated):
        svc.authenticate(db_session, username="ghost", password="wrong", now=NOW)
    assert audit_actions(db_session)[-3:] == [
        "user.login",
        "user.login_failed",
        "user.login_failed",
    ]


def test_nothing_a_stranger_does_locks_an_account(db_session, make_user):
    make_user("author", username="zhang.min", password="correct horse")
    for _ in range(50):
        with pytest.raises(Unauthenticated):
            svc.authenticate(db_session, username="zhang.min", password="wrong", now=NOW)
    # The rate limits slow the guesser's address (signage.limits); the account is not locked.
    user = svc.authenticate(db_session, username="zhang.min", password="correct horse", now=NOW)
    assert user.username == "zhang.min"
    assert db_session.get(LoginThrottle, "zhang.min") is None  # success forgets the count


def test_failures_are_audited_boundedly_and_their_rows_forgotten(db_session):
    def fail(name: str, at: dt.datetime) -> None:
        with pytest.raises(Unauthenticated):
            svc.authenticate(db_session, username=name, password="x", now=at)

    for _ in range(25):
        fail("ghost", NOW)
    audited = [a for a in audit_actions(db_session) if a == "user.login_failed"]
    assert len(audited) == 3  # the 1st, 10th and 20th failure of the window
    later = NOW + svc.FAILURE_WINDOW + dt.timedelta(seconds=1)
    fail("ghost", later)  # a new window: counted from one again
    assert db_session.get(LoginThrottle, "ghost").failures == 1
    for n in range(30):
        fail(f"made-up-{n}", later)
    next_day = later + svc.FORGET_FAILURES_AFTER + dt.timedelta(seconds=1)
    fail("someone", next_day)
    names = set(db_session.scalars(sa.select(LoginThrottle.username)))
    assert names == {"someone"}  # made-up names leave nothing behind for long


def test_inactive_users_cannot_log_in(db_session, make_user):
    user = make_user("author", password="correct horse")
    user.active = False
    with pytest.raises(Unauthenticated):
        svc.authenticate(db_session, username=user.username, password="correct horse", now=NOW)


def test_change_password(db_session, make_user):
    user = make_user("author", password="old password 1")
    with pytest.raises(PermissionDenied):
        svc.change_password(db_session, user, old_password="nope", new_password="x" * 12, now=NOW)
    with pytest.raises(InvalidInput):
        svc.change_password(
            db_session, user, old_password="old password 1", new_password="x", now=NOW
        )
    svc.change_password(
        db_session, user, old_password="old password 1", new_password="new password 2", now=NOW
    )
    assert svc.authenticate(db_session, username=user.username, password="new password 2", now=NOW)


def test_tokens_are_stored_hashed_shown_once_and_revocable(db_session, make_user):
    user = make_user("author")
    token, text = svc.create_token(db_session, user, name="website sync", now=NOW)
    assert text.startswith("sgp_") and len(text) > 40
    assert token.token_hash == token_hash(text) and text not in token.token_hash
    assert svc.user_for_token(db_session, text, now=NOW) is user
    assert token.last_used_at == NOW
    svc.revoke_token(db_session, user, token.id, now=NOW)
    with pytest.raises(Unauthenticated):
        svc.user_for_token(db_session, text, now=NOW)
    with pytest.raises(Conflict):
        svc.revoke_token(db_session, user, token.id, now=NOW)
    assert audit_actions(db_session)[-2:] == ["token.create", "token.revoke"]


def test_tokens_stop_working_when_the_user_is_deactivated(db_session, make_user):
    user = make_user("author")
    _, text = svc.create_token(db_session, user, name="t", now=NOW)
    user.active = False
    with pytest.raises(Unauthenticated):
        svc.user_for_token(db_session, text, now=NOW)


def test_only_the_owner_or_an_admin_revokes_a_token(db_session, make_user):
    owner, other, admin = make_user("author"), make_user("author"), make_user("admin")
    token, _ = svc.create_token(db_session, owner, name="t", now=NOW)
    with pytest.raises(NotFound):
        svc.revoke_token(db_session, other, token.id, now=NOW)
    svc.revoke_token(db_session, admin, token.id, now=NOW)


def test_unknown_tokens(db_session):
    with pytest.raises(Unauthenticated):
        svc.user_for_token(db_session, "sgp_nothing", now=NOW)
