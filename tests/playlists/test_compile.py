"""compile_playlist: targeting, windows (validity ∩ dayparts ∩ opening hours), determinism."""

from __future__ import annotations

import datetime as dt

import pytest

from playlists import MediaRef, canonical_bytes, compile_playlist, etag
from tests.playlists.builders import UTC, notice, screen, t

NOW = t("2026-11-26T10:20")  # Thursday, Shanghai
HOUR = dt.timedelta(hours=1)


def windows(playlist, item_index=0):
    return [(s.isoformat(), e.isoformat()) for s, e in playlist.items[item_index].windows]


def test_the_horizon_starts_at_the_top_of_the_hour_and_lasts_48_hours():
    playlist = compile_playlist(screen(), [notice()], NOW)
    assert playlist.generated_at == t("2026-11-26T10:00")
    assert playlist.horizon_until == t("2026-11-28T10:00")
    assert playlist.items[0].windows == ((t("2026-11-26T10:00"), t("2026-11-28T10:00")),)
    assert playlist.off == ()


def test_same_content_within_the_hour_gives_the_same_bytes():
    a = compile_playlist(screen(), [notice()], NOW)
    b = compile_playlist(screen(), [notice()], NOW + dt.timedelta(minutes=30))
    c = compile_playlist(screen(), [notice()], NOW + HOUR)
    assert canonical_bytes(a) == canonical_bytes(b) and etag(a) == etag(b)
    assert etag(a) != etag(c)  # the horizon rolled forward


@pytest.mark.parametrize(
    ("targets", "shown"),
    [
        ({"screens": frozenset({"hall"})}, True),
        ({"screens": frozenset({"lobby"})}, False),
        ({"screens": frozenset(), "groups": frozenset({"大厅"})}, True),
        ({"screens": frozenset(), "groups": frozenset({"县政府大楼"})}, False),
        ({"screens": frozenset({"hall"}), "groups": frozenset({"大厅"})}, True),
    ],
)
def test_targeting(targets, shown):
    playlist = compile_playlist(screen(), [notice(**targets)], NOW)
    assert bool(playlist.items) is shown


def test_a_notice_targeted_twice_through_two_groups_appears_once():
    hall = screen(groups=frozenset({"政务服务中心", "一楼"}))
    playlist = compile_playlist(
        hall, [notice(screens=frozenset(), groups=frozenset({"政务服务中心", "一楼"}))], NOW
    )
    assert len(playlist.items) == 1


def test_opening_hours_make_off_intervals():
    hall = screen(hours="1-5 08:30-17:30,6 09:00-12:00")
    playlist = compile_playlist(hall, [notice()], NOW)
    assert windows(playlist) == [
        (
            t("2026-11-26T10:00").astimezone(UTC).isoformat(),
            t("2026-11-26T17:30").astimezone(UTC).isoformat(),
        ),
        (
            t("2026-11-27T08:30").astimezone(UTC).isoformat(),
            t("2026-11-27T17:30").astimezone(UTC).isoformat(),
        ),
        (
            t("2026-11-28T09:00").astimezone(UTC).isoformat(),
            t("2026-11-28T10:00").astimezone(UTC).isoformat(),
        ),
    ]
    assert playlist.off == (
        (t("2026-11-26T17:30"), t("2026-11-27T08:30")),
        (t("2026-11-27T17:30"), t("2026-11-28T09:00")),
    )


def test_a_screen_with_no_hours_is_always_on():
    assert compile_playlist(screen(hours=None), [notice()], NOW).off == ()


def test_validity_window_is_clipped():
    playlist = compile_playlist(
        screen(), [notice(valid_from=t("2026-11-26T14:00"), valid_until=t("2026-11-27T09:00"))], NOW
    )
    assert playlist.items[0].windows == ((t("2026-11-26T14:00"), t("2026-11-27T09:00")),)


@pytest.mark.parametrize(
    ("valid_from", "valid_until"),
    [
        ("2026-11-01T00:00", "2026-11-26T10:00"),  # ended at the horizon's start
        ("2026-11-28T10:00", "2026-12-01T00:00"),  # starts when the horizon ends
        ("2026-11-01T00:00", "2026-11-25T00:00"),
    ],
)
def test_notices_with_no_window_in_the_horizon_are_left_out(valid_from, valid_until):
    playlist = compile_playlist(
        screen(), [notice(valid_from=t(valid_from), valid_until=t(valid_until))], NOW
    )
    assert playlist.items == ()


def test_dayparts_across_midnight():
    playlist = compile_playlist(screen(), [notice(dayparts="22:00-02:00")], NOW)
    assert playlist.items[0].windows == (
        (t("2026-11-26T22:00"), t("2026-11-27T02:00")),
        (t("2026-11-27T22:00"), t("2026-11-28T02:00")),
    )


def test_dayparts_and_hours_that_touch_merge_nothing_and_leave_no_gap():
    # Opening hours end at 12:00 and start again at 12:00: one window, not two.
    hall = screen(hours="08:00-12:00,12:00-18:00")
    playlist = compile_playlist(hall, [notice()], NOW)
    assert playlist.items[0].windows[0] == (t("2026-11-26T10:00"), t("2026-11-26T18:00"))


def test_dayparts_intersect_opening_hours():
    hall = screen(hours="1-5 08:30-17:30")
    playlist = compile_playlist(hall, [notice(dayparts="07:00-09:00,17:00-19:00")], NOW)
    assert playlist.items[0].windows == (
        (t("2026-11-26T17:00"), t("2026-11-26T17:30")),
        (t("2026-11-27T08:30"), t("2026-11-27T09:00")),
        (t("2026-11-27T17:00"), t("2026-11-27T17:30")),
    )


@pytest.mark.parametrize(
    ("zone", "day", "local_open", "local_close", "utc_open", "utc_close"),
    [
        # Berlin changes from CEST to CET on Sunday 2026-10-25: 08:00-18:00 local is 10 hours
        # either side, but the UTC offsets differ.
        ("Europe/Berlin", "2026-10-24", "08:00", "18:00", "06:00", "16:00"),
        ("Europe/Berlin", "2026-10-26", "08:00", "18:00", "07:00", "17:00"),
        ("Asia/Shanghai", "2026-10-26", "08:00", "18:00", "00:00", "10:00"),
    ],
)
def test_hours_follow_the_screens_zone_across_dst(
    zone, day, local_open, local_close, utc_open, utc_close
):
    hall = screen(timezone=zone, hours=f"{local_open}-{local_close}")
    now = dt.datetime.fromisoformat(f"{day}T00:00+00:00")
    playlist = compile_playlist(
        hall, [notice(valid_from=now - HOUR, valid_until=now + dt.timedelta(days=9))], now
    )
    first = playlist.items[0].windows[0]
    assert first == (
        dt.datetime.fromisoformat(f"{day}T{utc_open}+00:00"),
        dt.datetime.fromisoformat(f"{day}T{utc_close}+00:00"),
    )


def test_a_night_range_over_the_dst_change_keeps_its_local_hours():
    # 22:00-06:00 Berlin on the night the clocks go back is 9 hours long, not 8.
    hall = screen(timezone="Europe/Berlin", hours="22:00-06:00")
    now = dt.datetime(2026, 10, 24, 18, tzinfo=UTC)
    playlist = compile_playlist(
        hall, [notice(valid_from=now, valid_until=now + 3 * 24 * HOUR)], now
    )
    start, end = playlist.items[0].windows[0]
    assert start == dt.datetime(2026, 10, 24, 20, tzinfo=UTC)  # 22:00 CEST
    assert end == dt.datetime(2026, 10, 25, 5, tzinfo=UTC)  # 06:00 CET
    assert end - start == 9 * HOUR


def test_items_are_ordered_by_priority_then_notice():
    playlist = compile_playlist(
        screen(),
        [notice(3), notice(2, priority="urgent"), notice(1), notice(4, priority="high")],
        NOW,
    )
    assert [i.id for i in playlist.items] == ["n2.r1", "n4.r1", "n1.r1", "n3.r1"]
    assert [i.weight for i in playlist.items] == [1, 2, 1, 1]


def test_weights_are_configurable():
    playlist = compile_playlist(
        screen(), [notice(1, priority="high")], NOW, weights={"normal": 1, "high": 5, "urgent": 1}
    )
    assert playlist.items[0].weight == 5


def test_image_items_carry_their_media():
    media = MediaRef(
        sha256="a" * 64, mime="image/png", bytes=1234, url="/api/v1/player/media/" + "a" * 64
    )
    playlist = compile_playlist(screen(), [notice(kind="image", media=media)], NOW)
    assert playlist.items[0].media == media
