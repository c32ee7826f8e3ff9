"""Screens and groups: validation, edits, tokens."""

from __future__ import annotations

import pytest

from signage.accounts.tokens import token_hash
from signage.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Unauthenticated
from signage.screens import services as svc
from signage.screens.values import parse_size
from tests.conftest import NOW


def test_create_screen_stores_the_token_hashed(db_session, make_user):
    admin = make_user("admin")
    svc.create_group(db_session, admin, name="政务服务中心", now=NOW)
    screen, token = svc.create_screen(
        db_session,
        admin,
        key="zwzx-hall-1",
        name="政务服务中心大厅主屏",
        width=384,
        height=128,
        color="full",
        hours="1-5 08:30-17:30, 6 09:00-12:00",
        groups=["政务服务中心"],
        now=NOW,
    )
    assert token.startswith("sgs_")
    assert screen.token_hash == token_hash(token)
    assert screen.hours == "1-5 08:30-17:30,6 09:00-12:00"
    assert [g.name for g in screen.groups] == ["政务服务中心"]
    assert svc.screen_for_token(db_session, token) is screen


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"key": "Hall 1"}, "key"),
        ({"key": "-hall"}, "key"),
        ({"key": "a" * 65}, "key"),
        ({"name": ""}, "name"),
        ({"name": "屏" * 101}, "name"),
        ({"location": "地" * 201}, "location"),
        ({"width": 4}, "width"),
        ({"height": 10000}, "height"),
        ({"color": "rgb"}, "color"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"hours": "1-5 8-18"}, "hours"),
        ({"groups": ["不存在"]}, "groups"),
    ],
)
def test_create_screen_validation(db_session, kwargs, field):
    values = {"key": "hall", "name": "大厅", "width": 192, "height": 32} | kwargs
    with pytest.raises(InvalidInput) as err:
        svc.create_screen(db_session, None, now=NOW, **values)
    assert err.value.field == field


def test_screen_keys_are_unique(db_session, make_screen):
    make_screen(key="hall")
    with pytest.raises(Conflict):
        svc.create_screen(db_session, None, key="hall", name="x", width=64, height=16, now=NOW)


def test_only_admins_change_screens(db_session, make_user, make_screen):
    screen = make_screen()
    for role in ("author", "reviewer", "supervisor"):
        actor = make_user(role)
        with pytest.raises(PermissionDenied):
            svc.update_screen(db_session, actor, screen.key, svc.ScreenFields(name="x"), now=NOW)
        with pytest.raises(PermissionDenied):
            svc.rotate_screen_token(db_session, actor, screen.key, now=NOW)
        with pytest.raises(PermissionDenied):
            svc.create_group(db_session, actor, name="g", now=NOW)
        assert svc.view_screen(db_session, actor, screen.key) is screen


def test_update_screen(db_session, make_user, make_screen, make_group):
    admin = make_user("admin")
    make_group("县政府大楼")
    screen = make_screen()
    svc.update_screen(
        db_session,
        admin,
        screen.key,
        svc.ScreenFields(name="新名字", width=256, hours="", groups=("县政府大楼",), color="mono"),
        now=NOW,
    )
    assert (screen.name, screen.width, screen.hours, screen.color) == ("新名字", 256, None, "mono")
    assert [g.name for g in screen.groups] == ["县政府大楼"]
    with pytest.raises(InvalidInput, match="changes nothing"):
        svc.update_screen(db_session, admin, screen.key, svc.ScreenFields(name="新名字"), now=NOW)
    with pytest.raises(NotFound):
        svc.update_screen(db_session, admin, "nowhere", svc.ScreenFields(name="x"), now=NOW)


def test_rotating_the_token_stops_the_old_one(db_session, make_user):
    admin = make_user("admin")
    _, old = svc.create_screen(
        db_session, admin, key="hall", name="大厅", width=64, height=16, now=NOW
    )
    _, new = svc.rotate_screen_token(db_session, admin, "hall", now=NOW)
    assert old != new
    with pytest.raises(Unauthenticated):
        svc.screen_for_token(db_session, old)
    assert svc.screen_for_token(db_session, new).key == "hall"


@pytest.mark.parametrize(
    ("text", "size"), [("384x128", (384, 128)), ("192X32", (192, 32)), ("64×16", (64, 16))]
)
def test_parse_size(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["384", "0x10", "384x", "axb", "99999x10"])
def test_parse_size_refuses(text):
    with pytest.raises(InvalidInput):
        parse_size(text)
