"""Brightness schedules and filler in the scheduling core: parsing, the UTC windows a playlist
carries, 0 % as off time, and the document round trip."""

from __future__ import annotations

import datetime as dt

import pytest

from playlists import ScreenSpec, canonical_bytes, compile_playlist, parse_playlist
from playlists.brightness import (
    BrightnessError,
    Dim,
    Filler,
    brightness_windows,
    parse_brightness,
    percent_at,
)

NOW = dt.datetime(2026, 12, 4, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai
SPEC = "07:00-19:00=100,19:00-22:00=60,22:00-07:00=0"


def test_a_schedule_parses_and_its_windows_are_in_utc():
    assert parse_brightness(SPEC) == ((420, 1140, 100), (1140, 1320, 60), (1320, 420, 0))
    dims = brightness_windows(SPEC, "Asia/Shanghai", NOW, NOW + dt.timedelta(hours=24))
    # 19:00–22:00 at 60 % and 22:00–07:00 at 0 %, Shanghai time, as UTC.
    assert dims == (
        Dim(
            dt.datetime(2026, 12, 4, 11, tzinfo=dt.UTC),
            dt.datetime(2026, 12, 4, 14, tzinfo=dt.UTC),
            60,
        ),
        Dim(
            dt.datetime(2026, 12, 4, 14, tzinfo=dt.UTC),
            dt.datetime(2026, 12, 4, 23, tzinfo=dt.UTC),
            0,
        ),
    )
    assert percent_at(dims, dt.datetime(2026, 12, 4, 12, tzinfo=dt.UTC)) == 60
    assert percent_at(dims, NOW) == 100


@pytest.mark.parametrize(
    "spec",
    [
        "",
        "19:00-22:00",
        "19:00-22:00=160",
        "19:00-19:00=50",
        "8:00-9:00=50",
        "19:00-23:00=50,22:00-23:30=20",
    ],
)
def test_bad_schedules_are_refused(spec):
    with pytest.raises(BrightnessError):
        parse_brightness(spec)


def test_a_dim_screen_s_playlist_and_0_percent_as_off():
    screen = ScreenSpec(
        key="hall",
        width=128,
        height=32,
        color="full",
        timezone="Asia/Shanghai",
        brightness=SPEC,
        filler=Filler(clock=True, text="某县人民政府"),
    )
    playlist = compile_playlist(screen, [], NOW, dt.timedelta(hours=24))
    assert [d.percent for d in playlist.dim] == [60]
    assert playlist.off == (
        (dt.datetime(2026, 12, 4, 14, tzinfo=dt.UTC), dt.datetime(2026, 12, 4, 23, tzinfo=dt.UTC)),
    )
    again = parse_playlist(canonical_bytes(playlist))
    assert again == playlist and again.filler == Filler(True, "某县人民政府")
    plain = compile_playlist(
        ScreenSpec(key="hall", width=128, height=32, color="full", timezone="Asia/Shanghai"),
        [],
        NOW,
    )
    # A screen without either keeps the document it always had.
    assert b'"dim"' not in canonical_bytes(plain) and b'"filler"' not in canonical_bytes(plain)
