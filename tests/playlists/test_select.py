"""select and timeline: off time, interrupts, fitting, the weighted round-robin."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import pytest

from playlists import PlayerState, compile_playlist, select, should_stop, timeline
from tests.playlists.builders import notice, screen, t

NOW = t("2026-11-26T10:00")
S = dt.timedelta(seconds=1)


def ids(selections):
    return [s.item.id if s.item else s.kind for s in selections]


def test_one_item_plays_back_to_back():
    playlist = compile_playlist(screen(), [notice(duration_s=10)], NOW)
    slots = timeline(playlist, NOW, NOW + 30 * S)
    assert ids(slots) == ["n1.r1"] * 3
    assert [s.start for s in slots] == [NOW, NOW + 10 * S, NOW + 20 * S]


def test_outside_opening_hours_it_is_off_until_they_start():
    playlist = compile_playlist(screen(hours="08:30-17:30"), [notice()], NOW)
    selection, _ = select(playlist, t("2026-11-26T20:00"))
    assert selection.kind == "off" and selection.until == t("2026-11-27T08:30")


def test_no_live_item_means_idle_until_one_starts():
    playlist = compile_playlist(screen(), [notice(valid_from=t("2026-11-26T12:00"))], NOW)
    selection, _ = select(playlist, NOW)
    assert selection.kind == "idle" and selection.until == t("2026-11-26T12:00")


def test_outside_the_horizon_nothing_is_shown():
    playlist = compile_playlist(screen(), [notice()], NOW)
    before, _ = select(playlist, NOW - S)
    assert before.kind == "idle" and before.until == NOW
    after, _ = select(playlist, playlist.horizon_until + S)
    assert after.kind == "idle" and after.until > playlist.horizon_until


def test_weights_spread_plays_evenly():
    playlist = compile_playlist(screen(), [notice(1, priority="high"), notice(2), notice(3)], NOW)
    assert ids(timeline(playlist, NOW, NOW + 8 * 15 * S)) == [
        "n1.r1",
        "n2.r1",
        "n3.r1",
        "n1.r1",
        "n1.r1",
        "n2.r1",
        "n3.r1",
        "n1.r1",
    ]


def test_an_item_is_not_started_if_its_window_closes_before_it_ends():
    playlist = compile_playlist(
        screen(),
        [
            notice(1, valid_until=NOW + 20 * S, duration_s=15),
            notice(2, duration_s=15),
        ],
        NOW,
    )
    slots = timeline(playlist, NOW, NOW + 45 * S)
    # n1 plays at 0 s; at 15 s it has only 5 s left, so n2 plays instead.
    assert ids(slots) == ["n1.r1", "n2.r1", "n2.r1"]


def test_idle_when_nothing_fits_until_something_changes():
    playlist = compile_playlist(
        screen(),
        [
            notice(1, valid_until=NOW + 10 * S, duration_s=15),
            notice(2, valid_from=NOW + 60 * S, duration_s=15),
        ],
        NOW,
    )
    first, _ = select(playlist, NOW)
    assert first.kind == "idle" and first.until == NOW + 10 * S  # n1's window closes
    second, _ = select(playlist, first.until)
    assert second.kind == "idle" and second.until == NOW + 60 * S
    third, _ = select(playlist, second.until)
    assert third.item is not None and third.item.notice_id == 2


def test_an_urgent_notice_interrupts_a_normal_one_and_then_plays_alone():
    playlist = compile_playlist(
        screen(),
        [
            notice(1, duration_s=30),
            notice(
                2,
                priority="urgent",
                duration_s=10,
                valid_from=NOW + 12 * S,
                valid_until=NOW + 40 * S,
            ),
        ],
        NOW,
    )
    slots = timeline(playlist, NOW, NOW + 60 * S)
    assert [
        (ids([s])[0], (s.start - NOW).seconds, (s.until - NOW).seconds, s.interrupted)
        for s in slots
    ] == [
        ("n1.r1", 0, 12, True),  # cut short when the urgent window opens
        ("n2.r1", 12, 22, False),
        ("n2.r1", 22, 32, False),
        ("idle", 32, 40, False),  # 8 s of urgent window left: too short, and nothing else
        ("n1.r1", 40, 70, False),  # may play while an urgent item is live
    ]


def test_two_urgent_items_share_the_screen():
    playlist = compile_playlist(
        screen(), [notice(1), notice(2, priority="urgent"), notice(3, priority="urgent")], NOW
    )
    assert set(ids(timeline(playlist, NOW, NOW + 60 * S))) == {"n2.r1", "n3.r1"}


def test_the_state_survives_a_round_trip_through_json():
    playlist = compile_playlist(screen(), [notice(1, priority="high"), notice(2), notice(3)], NOW)
    _, state = select(playlist, NOW)
    restored = PlayerState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert restored == state
    continued = timeline(playlist, NOW + 15 * S, NOW + 60 * S, restored)
    straight = timeline(playlist, NOW, NOW + 60 * S)[1:]
    assert ids(continued) == ids(straight)


def test_a_lost_state_restarts_the_rotation():
    playlist = compile_playlist(screen(), [notice(1), notice(2)], NOW)
    assert ids(timeline(playlist, NOW, NOW + 30 * S, PlayerState())) == ["n1.r1", "n2.r1"]
    assert PlayerState.from_dict({"credits": "garbage"}) == PlayerState()


def test_credits_of_items_gone_from_the_playlist_are_dropped():
    playlist = compile_playlist(screen(), [notice(1), notice(2)], NOW)
    _, state = select(playlist, NOW, PlayerState((("n99.r1", 5),)))
    assert "n99.r1" not in dict(state.credits)


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Europe/Berlin"])
def test_a_day_of_timeline_respects_hours_in_each_zone(zone):
    hall = screen(timezone=zone, hours="1-5 08:00-18:00")
    playlist = compile_playlist(hall, [notice(1), notice(2, dayparts="12:00-13:00")], NOW)
    slots = timeline(playlist, playlist.generated_at, playlist.horizon_until)
    plays = Counter(s.item.notice_id for s in slots if s.item)
    assert plays[1] > plays[2] > 0
    for s in slots:
        if s.item is not None:
            assert any(w[0] <= s.start and s.until <= w[1] for w in s.item.windows)


def test_a_display_stops_when_its_item_is_withdrawn_or_outside_its_windows():
    before = compile_playlist(screen(), [notice(1), notice(2)], NOW)
    item = before.item("n1.r1")
    assert not should_stop(before, item, NOW + 5 * S)
    withdrawn = compile_playlist(screen(), [notice(2)], NOW)
    assert should_stop(withdrawn, item, NOW + 5 * S)
    ended = compile_playlist(screen(), [notice(1, valid_until=NOW + 3 * S), notice(2)], NOW)
    assert should_stop(ended, item, NOW + 5 * S)
    closed = compile_playlist(screen(hours="1-5 08:00-10:00"), [notice(1)], NOW - 600 * S)
    assert should_stop(closed, item, NOW + 5 * S)  # the screen's hours ended at 10:00


def test_a_display_stops_for_a_live_urgent_item_unless_it_is_urgent_itself():
    urgent_soon = notice(3, priority="urgent", valid_from=NOW + 10 * S)
    playlist = compile_playlist(
        screen(), [notice(1), notice(2, priority="urgent"), urgent_soon], NOW
    )
    normal, urgent = playlist.item("n1.r1"), playlist.item("n2.r1")
    assert should_stop(playlist, normal, NOW)
    assert not should_stop(playlist, urgent, NOW)
    quiet = compile_playlist(screen(), [notice(1), urgent_soon], NOW)
    assert not should_stop(quiet, normal, NOW + 5 * S)  # not yet live
    assert should_stop(quiet, normal, NOW + 10 * S)


def test_a_selection_is_a_play_when_it_runs_its_whole_duration():
    playlist = compile_playlist(
        screen(),
        [notice(1, duration_s=30), notice(2, priority="urgent", valid_from=NOW + 12 * S)],
        NOW,
    )
    first, second = timeline(playlist, NOW, NOW + 13 * S)
    assert (first.interrupted, first.is_play) == (True, False)
    assert second.is_play
    (off,) = timeline(compile_playlist(screen(hours="1-5 12:00-13:00"), [], NOW), NOW, NOW + S)
    assert not off.is_play
