"""Property tests of the scheduling rules (hypothesis)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from playlists import (
    SharedCompiler,
    canonical_bytes,
    compile_playlist,
    compile_playlists,
    count_plays,
    etag,
    parse_playlist,
    select,
    should_stop,
    timeline,
)
from tests.playlists.builders import notice, screen

BASE = dt.datetime(2026, 11, 26, 0, tzinfo=dt.UTC)
HOURS = [
    None,
    "1-5 08:00-18:00",
    "1-5 08:30-12:00 14:00-17:30,6 09:00-12:00",
    "22:00-06:00",
    "00:00-24:00",
]
DAYPARTS = [None, "07:00-09:00,17:00-19:00", "12:00-13:00", "23:00-01:00", "1-5 08:00-10:00"]
ZONES = ["Asia/Shanghai", "Europe/Berlin", "America/New_York"]

notices_strategy = st.lists(
    st.builds(
        lambda i, start_h, length_h, dayparts, priority, duration, groups: notice(
            i,
            valid_from=BASE + dt.timedelta(hours=start_h),
            valid_until=BASE + dt.timedelta(hours=start_h + length_h),
            dayparts=dayparts,
            priority=priority,
            duration_s=duration,
            screens=frozenset({"hall"}) if not groups else frozenset(),
            groups=frozenset(groups),
        ),
        i=st.integers(1, 10_000),
        start_h=st.integers(-24, 60),
        length_h=st.integers(1, 72),
        dayparts=st.sampled_from(DAYPARTS),
        priority=st.sampled_from(["normal", "normal", "high", "urgent"]),
        duration=st.integers(5, 120),
        groups=st.sets(st.sampled_from(["大厅", "大楼"]), max_size=2),
    ),
    max_size=8,
    unique_by=lambda n: n.notice_id,
)
screens_strategy = st.builds(
    lambda hours, zone: screen(hours=hours, timezone=zone),
    hours=st.sampled_from(HOURS),
    zone=st.sampled_from(ZONES),
)


@settings(max_examples=150, deadline=None)
@given(screens_strategy, notices_strategy, st.integers(0, 36 * 60))
def test_select_never_shows_an_item_outside_its_windows_or_in_off_time(hall, notices, minute):
    playlist = compile_playlist(hall, notices, BASE)
    start = BASE + dt.timedelta(minutes=minute)
    for slot in timeline(playlist, start, start + dt.timedelta(hours=6)):
        assert slot.until > slot.start
        if slot.item is None:
            continue
        assert any(w[0] <= slot.start and slot.until <= w[1] for w in slot.item.windows)
        assert not any(o[0] < slot.until and slot.start < o[1] for o in playlist.off)
        assert slot.start < playlist.horizon_until


@settings(max_examples=150, deadline=None)
@given(screens_strategy, notices_strategy, st.integers(0, 36 * 60))
def test_while_an_urgent_item_is_live_nothing_else_plays(hall, notices, minute):
    playlist = compile_playlist(hall, notices, BASE)
    urgent_windows = [w for i in playlist.items if i.priority == "urgent" for w in i.windows]
    start = BASE + dt.timedelta(minutes=minute)
    for slot in timeline(playlist, start, start + dt.timedelta(hours=6)):
        if slot.item is not None and slot.item.priority != "urgent":
            assert not any(w[0] < slot.until and slot.start < w[1] for w in urgent_windows)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=1, max_size=6), st.integers(1, 300))
def test_each_items_share_of_plays_is_within_one_play_of_its_weight(weights, plays):
    notices = [
        notice(i + 1, valid_from=BASE, valid_until=BASE + dt.timedelta(days=30), duration_s=10)
        for i in range(len(weights))
    ]
    playlist = compile_playlist(screen(), notices, BASE)
    playlist = dataclasses.replace(
        playlist,
        items=tuple(
            dataclasses.replace(item, weight=w)
            for item, w in zip(playlist.items, weights, strict=True)
        ),
    )
    state = None
    counts: Counter[str] = Counter()
    at = BASE
    for _ in range(plays):
        slot, state = select(playlist, at, state)
        assert slot.item is not None
        counts[slot.item.id] += 1
        at = slot.until
    total = sum(weights)
    for item, weight in zip(playlist.items, weights, strict=True):
        assert abs(counts[item.id] - plays * weight / total) < 1


@settings(max_examples=150, deadline=None)
@given(screens_strategy, notices_strategy, st.randoms())
def test_compile_is_deterministic_whatever_the_input_order(hall, notices, random):
    shuffled = list(notices)
    random.shuffle(shuffled)
    a = compile_playlist(hall, notices, BASE)
    b = compile_playlist(hall, shuffled, BASE)
    assert canonical_bytes(a) == canonical_bytes(b) and etag(a) == etag(b)
    assert canonical_bytes(parse_playlist(canonical_bytes(a))) == canonical_bytes(a)


@settings(max_examples=150, deadline=None)
@given(screens_strategy, notices_strategy, st.data())
def test_the_etag_changes_exactly_when_the_content_does(hall, notices, data):
    before = compile_playlist(hall, notices, BASE)
    if not notices:
        return
    index = data.draw(st.integers(0, len(notices) - 1))
    change = data.draw(st.sampled_from(["title", "duration_s", "priority", "untarget", "none"]))
    edited = list(notices)
    n = edited[index]
    edited[index] = {
        "title": dataclasses.replace(n, title=n.title + "（更正）"),
        "duration_s": dataclasses.replace(n, duration_s=n.duration_s + 1),
        "priority": dataclasses.replace(n, priority="high" if n.priority != "high" else "normal"),
        "untarget": dataclasses.replace(n, screens=frozenset({"elsewhere"}), groups=frozenset()),
        "none": dataclasses.replace(n),
    }[change]
    after = compile_playlist(hall, edited, BASE)
    content_changed = canonical_bytes(before) != canonical_bytes(after)
    assert (etag(before) != etag(after)) == content_changed
    shown = any(i.notice_id == n.notice_id for i in before.items)
    assert content_changed == (shown and change != "none")


@settings(max_examples=100, deadline=None)
@given(st.lists(screens_strategy, min_size=1, max_size=4), notices_strategy, st.data())
def test_compiling_many_screens_at_once_is_compiling_each(halls, notices, data):
    halls = [
        dataclasses.replace(h, key=f"hall-{i}", groups=frozenset(["大厅", "大楼"][: i % 3]))
        for i, h in enumerate(halls)
    ]
    keys = [h.key for h in halls] + ["elsewhere"]
    notices = [
        dataclasses.replace(n, screens=frozenset(data.draw(st.sets(st.sampled_from(keys)))))
        for n in notices
    ]
    together = compile_playlists(halls, notices, BASE)
    for hall in halls:
        alone = compile_playlist(hall, notices, BASE)
        assert canonical_bytes(together[hall.key]) == canonical_bytes(alone)


@settings(max_examples=100, deadline=None)
@given(st.lists(screens_strategy, min_size=1, max_size=3), notices_strategy, st.data())
def test_screens_of_one_shape_share_a_compile_and_get_their_own_bytes(halls, notices, data):
    """Twins (same profile, hours and groups, other keys) are compiled once; each one's
    document and bytes are what compiling it alone gives, a key named by a notice included."""
    twins = [
        dataclasses.replace(h, key=f"{name}-{i}", groups=frozenset(["大厅"][: i % 2]))
        for i, h in enumerate(halls)
        for name in ("hall", "twin", "屏")
    ]
    keys = [t.key for t in twins]
    notices = [
        dataclasses.replace(n, screens=frozenset(data.draw(st.sets(st.sampled_from(keys)))))
        for n in notices
    ]
    compiler = SharedCompiler(notices, BASE)
    for twin in twins:
        playlist, body = compiler.compile(twin)
        alone = compile_playlist(twin, notices, BASE)
        assert playlist == alone
        assert body.bytes_for(twin.key) == canonical_bytes(alone)
    assert compiler.shapes_compiled <= len(twins)


@settings(max_examples=150, deadline=None)
@given(screens_strategy, notices_strategy, st.integers(0, 36 * 60), st.integers(0, 600))
def test_what_select_starts_should_stop_lets_run(hall, notices, minute, offset_s):
    """A display ``select`` starts under a playlist is not stopped by that same playlist while
    its selection lasts: the two rules agree."""
    playlist = compile_playlist(hall, notices, BASE)
    start = BASE + dt.timedelta(minutes=minute)
    for slot in timeline(playlist, start, start + dt.timedelta(hours=2)):
        if slot.item is None:
            continue
        at = min(slot.start + dt.timedelta(seconds=offset_s), slot.until - dt.timedelta(seconds=1))
        assert not should_stop(playlist, slot.item, max(at, slot.start))


class _Measured:
    """Per-screen times unlike the author's, as text on a slow strip takes: a deterministic
    function of the notice (so compiles agree), from a second to several minutes, in ms."""

    font = None

    def play_ms(self, notice, screen):
        return 1000 + (notice.notice_id * 7919 + len(screen.key) * 104729) % 300_000


@settings(max_examples=150, deadline=None)
@given(screens_strategy, notices_strategy, st.integers(0, 36 * 60))
def test_select_never_starts_an_item_whose_computed_duration_does_not_fit(hall, notices, minute):
    playlist = compile_playlist(hall, notices, BASE, measure=_Measured())
    start = BASE + dt.timedelta(minutes=minute)
    for slot in timeline(playlist, start, start + dt.timedelta(hours=6)):
        if slot.item is None:
            continue
        assert slot.item.play_ms == _Measured().play_ms(
            next(n for n in notices if n.notice_id == slot.item.notice_id), hall
        )
        length = dt.timedelta(milliseconds=slot.item.play_ms)
        if not slot.interrupted:  # the whole of it, inside one window
            assert slot.until - slot.start == length
        assert any(w[0] <= slot.start and slot.start + length <= w[1] for w in slot.item.windows)


@settings(max_examples=200, deadline=None)
@given(screens_strategy, notices_strategy, st.integers(-6 * 60, 36 * 60), st.integers(1, 48 * 60))
def test_count_plays_counts_what_the_timeline_plays(hall, notices, minute, length):
    playlist = compile_playlist(hall, notices, BASE)
    start = BASE + dt.timedelta(minutes=minute)
    end = start + dt.timedelta(minutes=length)
    for n in notices:
        walked = sum(
            1
            for slot in timeline(playlist, start, end)
            if slot.is_play and slot.item is not None and slot.item.notice_id == n.notice_id
        )
        assert count_plays(playlist, start, end, n.notice_id) == walked
