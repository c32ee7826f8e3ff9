"""Blackouts ordered from the controller: every scope, overlapping blackouts, lifting, refusals,
and what the screens' playlists say meanwhile."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from playlists import parse_playlist
from signage.audit.models import AuditEntry
from signage.clock import utcnow
from signage.delivery.served import rebuild
from signage.emergency.models import Blackout
from signage.screens.services import create_screen
from signage.writer import get_writer

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def people(make_user, token_for):
    users = {r: make_user(r, username=r) for r in ("author", "reviewer", "duty", "admin")}
    return {r: token_for(u) for r, u in users.items()}


@pytest.fixture
def screens(db_session, make_group):
    make_group("大厅")
    out = {}
    for key, groups in (("hall", ["大厅"]), ("lobby", ["大厅"]), ("office", [])):
        _, token = create_screen(
            db_session, None, key=key, name=key, width=128, height=32, groups=groups, now=utcnow()
        )
        out[key] = {"Authorization": f"Bearer {token}"}
    db_session.commit()
    return out


@pytest.fixture
def live(client, people, screens):
    """One notice live on every screen."""
    now = utcnow()
    body = {
        "title": "办事指南",
        "category": "通知公告",
        "screens": list(screens),
        "valid_from": (now - HOUR).isoformat(),
        "valid_until": (now + 24 * HOUR).isoformat(),
    }
    nid = client.post("/api/v1/notices", json=body, headers=people["author"]).get_json()["id"]
    client.post(f"/api/v1/notices/{nid}/submit", headers=people["author"])
    answer = client.post(
        f"/api/v1/notices/{nid}/approve",
        headers=people["reviewer"],
        json={"confidentiality_reviewed": True, "revision": 1},
    )
    assert answer.status_code == 200, answer.get_json()
    return nid


def playlist_of(client, headers):
    response = client.get("/api/v1/player/playlist", headers=headers)
    assert response.status_code == 200
    return parse_playlist(response.data), response


def black(client, headers) -> int | None:
    """The id of the blackout the screen's playlist carries (None: it plays)."""
    playlist, _ = playlist_of(client, headers)
    if playlist.blackout is None:
        assert playlist.items
        return None
    assert playlist.items == ()
    return playlist.blackout.id


def order(client, people, body, role="duty"):
    return client.post("/api/v1/blackouts", json=body, headers=people[role])


def test_all_blacks_out_every_screen_and_lifting_brings_the_notices_back(
    client, people, screens, live, db_session
):
    before = {k: playlist_of(client, h)[1].headers["ETag"] for k, h in screens.items()}
    answer = order(client, people, {"all": True, "reason": "测试"})
    assert answer.status_code == 201, answer.get_json()
    made = answer.get_json()
    assert made["in_force"] and made["all"] and made["screens_covered"] == 3
    assert made["ordered_by"] == "duty" and answer.headers["Location"].endswith(f"/{made['id']}")
    for key, headers in screens.items():
        playlist, response = playlist_of(client, headers)
        assert response.headers["ETag"] != before[key]
        assert playlist.blackout is not None and playlist.blackout.reason == "测试"
        assert playlist.items == ()
        # The document says so in its own field; older players just see no items.
        assert json.loads(response.data)["blackout"]["id"] == made["id"]
    lifted = client.delete(f"/api/v1/blackouts/{made['id']}", headers=people["duty"])
    assert lifted.status_code == 200 and lifted.get_json()["lifted_by"] == "duty"
    for key, headers in screens.items():
        playlist, response = playlist_of(client, headers)
        assert playlist.blackout is None and [i.notice_id for i in playlist.items] == [live]
        # The same document as before: nothing of the blackout is left in it.
        assert response.headers["ETag"] == before[key]
    actions = db_session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.object_type == "blackout")
    ).all()
    assert actions == ["blackout.order", "blackout.lift"]


def test_a_screen_or_a_group_blacks_out_only_those(client, people, screens, live):
    one = order(client, people, {"screens": ["office"], "reason": "检修"}).get_json()
    assert one["screens_covered"] == 1 and one["screens"] == ["office"]
    assert black(client, screens["office"]) == one["id"]
    assert black(client, screens["hall"]) is None
    group = order(client, people, {"groups": ["大厅"], "reason": "疑似被篡改"}, "admin").get_json()
    assert group["screens_covered"] == 2 and group["groups"] == ["大厅"]
    assert black(client, screens["hall"]) == group["id"]
    assert black(client, screens["lobby"]) == group["id"]
    listed = client.get("/api/v1/blackouts?in_force=true", headers=people["author"]).get_json()
    assert [b["id"] for b in listed["items"]] == [group["id"], one["id"]]


def test_a_screen_joining_a_blacked_out_group_goes_black(client, people, screens, live):
    made = order(client, people, {"groups": ["大厅"], "reason": "演练"}).get_json()
    assert black(client, screens["office"]) is None
    moved = client.patch(
        "/api/v1/screens/office", json={"groups": ["大厅"]}, headers=people["admin"]
    )
    assert moved.status_code == 200, moved.get_json()
    assert black(client, screens["office"]) == made["id"]


def test_overlapping_blackouts_end_only_when_the_last_is_lifted(client, people, screens, live):
    first = order(client, people, {"screens": ["hall"], "reason": "一"}).get_json()
    second = order(client, people, {"all": True, "reason": "二"}).get_json()
    assert black(client, screens["hall"]) == first["id"]  # the earliest covering it
    assert black(client, screens["lobby"]) == second["id"]
    client.delete(f"/api/v1/blackouts/{first['id']}", headers=people["duty"])
    assert black(client, screens["hall"]) == second["id"]
    client.delete(f"/api/v1/blackouts/{second['id']}", headers=people["duty"])
    assert black(client, screens["hall"]) is None and black(client, screens["lobby"]) is None


def test_lifting_twice_or_a_blackout_that_does_not_exist(client, people, screens):
    made = order(client, people, {"all": True, "reason": "测试"}).get_json()
    assert (
        client.delete(f"/api/v1/blackouts/{made['id']}", headers=people["duty"]).status_code == 200
    )
    again = client.delete(f"/api/v1/blackouts/{made['id']}", headers=people["duty"])
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "conflict"
    missing = client.delete("/api/v1/blackouts/9999", headers=people["duty"])
    assert missing.status_code == 404


@pytest.mark.parametrize(
    "body, field",
    [
        ({"reason": "没说范围"}, "screens"),
        ({"all": True, "screens": ["hall"], "reason": "两者"}, "all"),
        ({"screens": ["nowhere"], "reason": "不存在"}, "screens"),
        ({"groups": ["没有这个组"], "reason": "不存在"}, "groups"),
        ({"all": True, "reason": "   "}, "reason"),
        ({"all": True}, "reason"),
        ({"all": True, "reason": "x" * 501}, "reason"),
        ({"all": "yes", "reason": "类型"}, "all"),
        ({"all": True, "reason": "多余", "until": "tomorrow"}, "until"),
    ],
)
def test_bad_orders_are_refused_and_write_nothing(client, people, screens, db_session, body, field):
    answer = order(client, people, body)
    assert 400 <= answer.status_code < 500
    error = answer.get_json()["error"]
    assert error.get("field") == field, error
    assert db_session.scalar(sa.select(sa.func.count(Blackout.id))) == 0
    assert playlist_of(client, screens["hall"])[0].blackout is None


def test_only_duty_and_admin_may_order_or_lift(client, people, screens):
    for role in ("author", "reviewer"):
        refused = order(client, people, {"all": True, "reason": "测试"}, role)
        assert refused.status_code == 403
        assert "duty" in refused.get_json()["error"]["message"]
    made = order(client, people, {"all": True, "reason": "测试"}).get_json()
    assert (
        client.delete(f"/api/v1/blackouts/{made['id']}", headers=people["author"]).status_code
        == 403
    )


def test_a_blacked_out_playlist_rebuilds_for_the_evidence(
    client, people, screens, live, db_session
):
    order(client, people, {"screens": ["hall"], "reason": "核查"})
    playlist, response = playlist_of(client, screens["hall"])
    # Its record is written after the answer (nothing can name a playlist without items).
    get_writer(client.application).flush()
    etag = response.headers["ETag"].strip('"')
    rebuilt = rebuild(db_session, etag)
    assert rebuilt == playlist
