"""Heartbeats, offline detection with outages, screenshots."""

from __future__ import annotations

import datetime as dt
import io
import zlib

import pytest
import sqlalchemy as sa
from PIL import Image

from signage.audit.models import AuditEntry
from signage.health import services as svc
from signage.health.models import ScreenOutage, Screenshot, ScreenStatus
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
        "states_stored",
        "screenshot_now",
    }
    assert answer["screenshot_now"] is False  # nobody is looking
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


def _png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width``×``height`` (its pixel data is a lie)."""
    buffer = io.BytesIO()
    Image.new("RGB", (1, 1)).save(buffer, format="PNG")
    data = bytearray(buffer.getvalue())
    data[16:24] = width.to_bytes(4, "big") + height.to_bytes(4, "big")
    # The header's CRC covers its type and fields: mend it so only the size is wrong.
    data[29:33] = zlib.crc32(bytes(data[12:29])).to_bytes(4, "big")
    return bytes(data)


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (_png_claiming(100_000, 100_000), "not a PNG image that can be read"),
        (_png_claiming(9000, 9000), "the screen is 192×32"),
        (_png_claiming(384, 128), "the screen is 192×32"),
    ],
    ids=["bomb", "large", "other-size"],
)
def test_a_screenshot_that_is_not_the_screens_frame_is_refused(
    client, db_session, hall, data, says
):
    answer = client.put("/api/v1/player/screenshot", data=data, headers=hall["headers"])
    assert answer.status_code == 422 and says in answer.get_json()["error"]["message"]
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Screenshot)) == 0


@pytest.mark.parametrize(
    "body",
    [
        {"free_disk_bytes": 10**23},
        {"free_disk_bytes": -1},
        {"clock_offset_ms": 10**23},
        {"clock_offset_ms": -(10**23)},
        {"version": "0.1\u0000"},
        {"errors": ["x"] * 101},
        [],
    ],
)
def test_a_heartbeat_out_of_bounds_is_refused_and_changes_nothing(client, db_session, hall, body):
    answer = client.post("/api/v1/player/heartbeat", headers=hall["headers"], json=body)
    assert 400 <= answer.status_code < 500 and "error" in answer.get_json()
    assert db_session.get(ScreenStatus, hall["id"]) is None


def test_a_clock_that_fell_back_to_1970_is_still_heard(client, db_session, hall):
    offset = -56 * 365 * 24 * 3600 * 1000
    answer = client.post(
        "/api/v1/player/heartbeat", headers=hall["headers"], json={"clock_offset_ms": offset}
    )
    assert answer.status_code == 200
    assert db_session.get(ScreenStatus, hall["id"]).clock_offset_ms == offset
