"""Display states in heartbeats: stored once by their id, their end filled in when it comes,
the ended ones acknowledged; never counted as plays."""

from __future__ import annotations

import sqlalchemy as sa

from signage.clock import utcnow
from signage.displaylog.models import DisplayEvent
from signage.screens.services import create_screen

STATE = {
    "id": "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9",
    "state": "blackout",
    "source": "controller",
    "blackout_id": 3,
    "reason": "测试",
    "started_at": "2026-12-04T10:00:00Z",
}


def test_states_are_stored_once_and_acknowledged_when_ended(
    client, db_session, make_user, token_for
):
    _, token = create_screen(
        db_session, None, key="hall", name="大厅", width=128, height=32, groups=[], now=utcnow()
    )
    db_session.commit()
    screen = {"Authorization": f"Bearer {token}"}
    staff = token_for(make_user("supervisor"))

    def beat(*states):
        answer = client.post(
            "/api/v1/player/heartbeat",
            json={"version": "t", "states": list(states)},
            headers=screen,
        )
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json()["states_stored"]

    assert beat(STATE) == []  # still lasting: stored, not acknowledged
    assert beat(STATE) == []  # sent again: the same one
    ended = STATE | {"ended_at": "2026-12-04T10:05:00Z"}
    assert beat(ended) == [STATE["id"]]
    listed = client.get("/api/v1/screens/hall/states", headers=staff).get_json()
    assert listed["items"] == [
        {
            "state": "blackout",
            "source": "controller",
            "blackout_id": 3,
            "reason": "测试",
            "started_at": "2026-12-04T10:00:00Z",
            "ended_at": "2026-12-04T10:05:00Z",
        }
    ]
    assert db_session.scalar(sa.select(sa.func.count(DisplayEvent.id))) == 0  # never a play
    bad = STATE | {"id": "not-a-uuid"}
    refused = client.post(
        "/api/v1/player/heartbeat", json={"version": "t", "states": [bad]}, headers=screen
    )
    assert refused.status_code in (400, 422)


def test_a_screen_s_brightness_schedule_and_what_its_player_reports_are_apart(
    client, db_session, make_user, token_for
):
    _, token = create_screen(
        db_session, None, key="hall", name="大厅", width=128, height=32, groups=[], now=utcnow()
    )
    db_session.commit()
    admin = token_for(make_user("admin"))
    edited = client.patch(
        "/api/v1/screens/hall", json={"brightness": "19:00-22:00=60"}, headers=admin
    )
    assert edited.status_code == 200, edited.get_json()
    beat = {"version": "t", "brightness": 41}
    client.post("/api/v1/player/heartbeat", json=beat, headers={"Authorization": f"Bearer {token}"})
    screen = client.get("/api/v1/screens/hall", headers=admin).get_json()
    assert screen["brightness"] == "19:00-22:00=60" and screen["brightness_now"] == 41
    bad = client.patch("/api/v1/screens/hall", json={"brightness": "19:00-22:00"}, headers=admin)
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "brightness"
