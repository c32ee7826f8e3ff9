"""Heartbeats answered before Flask: the same answer, the same write, and anything the route
would refuse still goes to the route."""

from __future__ import annotations

import pytest
from flask import request

from signage.health.models import ScreenStatus
from signage.screens.services import create_screen
from tests.conftest import NOW

URL = "/api/v1/player/heartbeat"


@pytest.fixture
def hall(app, db_session):
    screen, token = create_screen(
        db_session, None, key="hall", name="大厅", width=192, height=32, now=NOW
    )
    db_session.commit()
    routed: list[str] = []
    app.before_request(lambda: routed.append(request.path))
    return {"id": screen.id, "headers": {"Authorization": f"Bearer {token}"}, "routed": routed}


def test_a_heartbeat_from_a_known_screen_is_answered_before_flask_alike(client, db_session, hall):
    first = client.post(URL, headers=hall["headers"], json={"version": "1.0"})
    assert hall["routed"] == [URL]  # the token was not known yet: the route answered
    second = client.post(
        URL, headers=hall["headers"], json={"version": "1.1", "current_item": "n7.r2"}
    )
    assert hall["routed"] == [URL]  # this one did not reach Flask
    assert first.status_code == second.status_code == 200
    assert set(first.get_json()) == set(second.get_json())
    assert {k: v for k, v in first.get_json().items() if k != "server_time"} == {
        k: v for k, v in second.get_json().items() if k != "server_time"
    }
    for name in ("Content-Type", "X-Content-Type-Options", "Content-Security-Policy"):
        assert first.headers[name] == second.headers[name]
    db_session.expire_all()
    status = db_session.get(ScreenStatus, hall["id"])
    assert status.version == "1.1" and status.current_item == "n7.r2"


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b'{"free_disk_bytes": -1}', "application/json"),
        (b'{"version": "0.1\\u0000"}', "application/json"),
        (b"[]", "application/json"),
        (b"not json", "application/json"),
        (b'{"version": "1.0"}', "text/plain"),
    ],
)
def test_what_the_route_would_refuse_still_goes_to_the_route(client, db_session, hall, body, kind):
    client.post(URL, headers=hall["headers"], json={"version": "1.0"})
    answer = client.post(URL, headers=hall["headers"] | {"Content-Type": kind}, data=body)
    assert hall["routed"] == [URL, URL]
    assert 400 <= answer.status_code < 500 and "error" in answer.get_json()
    db_session.expire_all()
    assert db_session.get(ScreenStatus, hall["id"]).version == "1.0"


def test_a_stranger_is_answered_by_the_route(client, hall):
    answer = client.post(URL, headers={"Authorization": "Bearer nobody"}, json={})
    assert answer.status_code == 401 and hall["routed"] == [URL]
