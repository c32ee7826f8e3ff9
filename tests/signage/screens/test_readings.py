"""A screen's reading speeds: checked with the field named, applied to playlists from the change
on, and kept so that the reports expect the durations of before, before it."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from playlists import DEFAULT_WEIGHTS, Reading
from signage.delivery.services import compile_for_screen
from signage.reports.playback import playback
from signage.screens.models import Screen, ScreenReading
from signage.screens.readings import readings_between

BODY = "各位市民：县政务服务中心自12月1日起调整窗口服务时间，请合理安排办事时间。"


@pytest.fixture
def strip(client, db_session, make_user, token_for, make_notice):
    admin = token_for(make_user("admin"))
    answer = client.post(
        "/api/v1/screens",
        json={"key": "strip", "name": "窗口条屏", "size": "128x16", "color": "mono"},
        headers=admin,
    )
    assert answer.status_code == 201, answer.get_data(as_text=True)
    assert answer.get_json()["reading"] == Reading().to_dict()
    assert answer.get_json()["scroll_cpm"] is None
    now = dt.datetime.now(dt.UTC)
    make_notice(
        make_user("author"),
        screens=["strip"],
        status="approved",
        reviewer=make_user("reviewer"),
        body=BODY,
        valid_from=now - dt.timedelta(days=1),
        valid_until=now + dt.timedelta(days=7),
        at=now - dt.timedelta(days=1),
    )
    return admin


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scroll_cpm": 300}, "scroll_cpm"),
        ({"scroll_cpm": 19}, "scroll_cpm"),
        ({"page_s": 2}, "page_s"),
        ({"page_s": 121}, "page_s"),
        ({"read_cpm": 1000}, "read_cpm"),
        ({"read_cpm": "fast"}, "read_cpm"),
        ({"pixel_pitch_mm": 0}, "pixel_pitch_mm"),
        ({"viewing_distance_m": 500}, "viewing_distance_m"),
    ],
)
def test_speeds_out_of_range_are_refused_naming_the_field(client, db_session, strip, body, field):
    answer = client.patch("/api/v1/screens/strip", json=body, headers=strip)
    assert answer.status_code == 422
    assert answer.get_json()["error"]["field"] == field
    db_session.expire_all()
    screen = db_session.scalar(sa.select(Screen).where(Screen.key == "strip"))
    assert (screen.scroll_cpm, screen.page_s, screen.read_cpm) == (None, None, None)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(ScreenReading)) == 1


def test_a_slower_speed_lengthens_plays_from_then_on_not_before(client, db_session, strip):
    screen = db_session.scalar(sa.select(Screen).where(Screen.key == "strip"))
    before_change = dt.datetime.now(dt.UTC)
    old = compile_for_screen(db_session, screen, now=before_change, weights=DEFAULT_WEIGHTS)
    answer = client.patch("/api/v1/screens/strip", json={"scroll_cpm": 40}, headers=strip)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()["reading"]["scroll_cpm"] == 40
    db_session.expire_all()
    screen = db_session.scalar(sa.select(Screen).where(Screen.key == "strip"))
    new = compile_for_screen(
        db_session, screen, now=dt.datetime.now(dt.UTC), weights=DEFAULT_WEIGHTS
    )
    # Half the speed: the scroll takes twice as long (to the millisecond's rounding).
    assert abs(new.items[0].play_ms - 2 * old.items[0].play_ms) <= 2
    assert new.screen.reading.scroll_cpm == 40
    # The reports: before the change the old speed, after it the new one.
    start = before_change - dt.timedelta(hours=2)
    end = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    kept = readings_between(db_session, screen, start, end)
    assert [r.scroll_cpm for _, r in kept] == [80, 40]
    segments = playback(db_session, screen, start, end, weights=DEFAULT_WEIGHTS)
    times = [(s.start < kept[1][0], s.playlist.items[0].play_ms) for s in segments]
    assert {t for early, t in times if early} == {old.items[0].play_ms}
    assert {t for early, t in times if not early} == {new.items[0].play_ms}
    # Back to the deployment's default with null.
    answer = client.patch("/api/v1/screens/strip", json={"scroll_cpm": None}, headers=strip)
    assert answer.status_code == 200 and answer.get_json()["scroll_cpm"] is None
