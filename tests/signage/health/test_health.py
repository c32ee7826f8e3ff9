"""Heartbeats, offline detection with outages, screenshots."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import sqlalchemy as sa
from PIL import Image

from signage.audit.models import AuditEntry
from signage.health import services as svc
from signage.health.models import ScreenOutage, ScreenStatus
from signage.screens.services import create_screen
from tests.conftest import NOW


@pytest.fixture
def hall(db_session):
    screen, token = create_screen(
        db_session, None, key="hall", name="大厅", width=192, height=32, now=NOW
    )
    db_session.commit()
    return {"id": screen.id, "headers": {"Authorization": f"Bearer {token}"}}


def test_heartbeat_answers_server_time_and_intervals(
    client, db_session, hall, make_user, token_for
):
    answer = client.post(
        "/api/v1/player/heartbeat",
        headers=hall["headers"],
        json={
            "version": "0.1.0",
            "playlist_etag": '"abc"',
            "current_item": "n1.r1",
            "free_disk_bytes": 10**9,
            "errors": ["font lacks 😀"],
            "clock_offset_ms": -600000,
            "something_new": 1,
        },
    ).get_json()
    assert set(answer) == {
        "server_time",
        "poll_interval_s",
        "heartbeat_interval_s",
        "screenshot_interval_s",
    }
    assert answer["server_time"].endswith("Z")
    screen = client.get(
        "/api/v1/screens/hall", headers=token_for(make_user("supervisor"))
    ).get_json()
    assert screen["status"] == "online" and screen["current_item"] == "n1.r1"
    assert screen["clock_offset_ms"] == -600000


def test_three_missed_heartbeats_make_an_outage_closed_by_the_next_one(db_session, hall):
    svc.record_heartbeat(db_session, hall["id"], svc.Heartbeat(), now=NOW)
    assert svc.mark_offline(db_session, now=NOW + dt.timedelta(seconds=89), heartbeat_s=30) == []
    assert svc.mark_offline(db_session, now=NOW + dt.timedelta(seconds=91), heartbeat_s=30) == [
        hall["id"]
    ]
    assert (
        svc.mark_offline(db_session, now=NOW + dt.timedelta(seconds=200), heartbeat_s=30) == []
    )  # idempotent
    status = db_session.get(ScreenStatus, hall["id"])
    assert not status.online
    back = NOW + dt.timedelta(minutes=10)
    svc.record_heartbeat(db_session, hall["id"], svc.Heartbeat(), now=back)
    outage = db_session.scalar(sa.select(ScreenOutage))
    assert (outage.started_at, outage.ended_at) == (NOW, back)
    actions = db_session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.seq)).all()
    assert actions[-2:] == ["screen.offline", "screen.online"]


def png(size=(192, 32)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, format="PNG")
    return buffer.getvalue()


def test_screenshots(client, hall):
    ok = client.put("/api/v1/player/screenshot", data=png(), headers=hall["headers"])
    assert ok.status_code == 200 and ok.get_json()["width"] == 192
    bad = client.put("/api/v1/player/screenshot", data=b"GIF89a...", headers=hall["headers"])
    assert bad.status_code == 422
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="JPEG")
    jpeg = client.put("/api/v1/player/screenshot", data=buffer.getvalue(), headers=hall["headers"])
    assert jpeg.status_code == 422 and "PNG" in jpeg.get_json()["error"]["message"]
    assert client.put("/api/v1/player/screenshot", data=png()).status_code == 401
