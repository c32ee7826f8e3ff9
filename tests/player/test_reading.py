"""The reading-speed rule on every panel size and colour mode: strips pass the whole text at
exactly the configured speed, each page stays its time, and nothing is ever cut to fit."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from player.layout import measure, strip_layout
from player.render import ScreenProfile, render
from player.text import text_width
from playlists import Reading, compile_playlist
from playlists.reading import page_times, strip_timing
from tests.playlists.builders import notice, screen

BODY = (
    "各位市民：为进一步优化政务服务，县政务服务中心自2026年12月1日起调整窗口服务时间，工作日"
    "上午9:00至12:00，下午13:30至17:30，周六上午照常办理不动产登记和社保业务。请合理安排办事"
    "时间，给您带来不便敬请谅解。"
)
STRIPS = [(128, 16), (192, 32), (64, 32), (96, 16)]
PANELS = [(128, 64), (256, 128), (384, 128), (480, 270)]
MODES = ["mono", "red-green", "full"]


def item(body: str = BODY, duration_s: int = 15, title: str = "关于调整政务服务时间的通知"):
    n = notice(1, title=title, body=body, duration_s=duration_s)
    return compile_playlist(screen(), [n], dt.datetime(2026, 11, 26, 2, tzinfo=dt.UTC)).items[0]


@pytest.mark.parametrize("size", STRIPS, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("cpm", [60, 80, 120])
def test_a_strip_passes_the_whole_text_at_exactly_its_speed(fonts, size, mode, cpm):
    reading = Reading(scroll_cpm=cpm)
    profile = ScreenProfile(*size, mode)
    rendering = render(item(), profile, fonts, reading=reading)
    layout = strip_layout(item(), profile, fonts, reading)
    text_w = text_width(layout.head + layout.body, fonts, layout.size)
    travel = text_w + size[0]  # enters at the right edge, leaves at the left
    assert layout.travel == travel
    # One pass at the set speed: a full-width character (font-size pixels) every 60/cpm s.
    expected = math.ceil(travel * 60000 / (cpm * layout.size))
    total = sum(f.duration_ms for f in rendering.frames)
    assert total == expected == rendering.duration_ms
    assert layout.passes == 1
    # Every pixel offset of the pass is shown, in order.
    offsets = [i * layout.step_px for i in range(len(rendering.frames))]
    assert offsets[-1] + layout.step_px >= travel
    assert measure(item(), profile, fonts, reading).duration_ms == total


def test_a_strip_given_more_time_scrolls_slower_in_whole_passes(fonts):
    profile = ScreenProfile(192, 32, "mono")
    short = item(body="请合理安排时间。", duration_s=120)
    layout = strip_layout(short, profile, fonts, Reading())
    one_pass = Reading().pass_ms(layout.travel, layout.size)
    assert layout.duration_ms == 120_000
    assert layout.passes == 120_000 // one_pass >= 1
    # Never faster than the setting: each pass takes at least what the speed gives.
    assert layout.duration_ms / layout.passes >= one_pass
    assert sum(f.duration_ms for f in render(short, profile, fonts).frames) == 120_000


@pytest.mark.parametrize("size", PANELS, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("mode", MODES)
def test_every_page_stays_its_time(fonts, size, mode):
    reading = Reading(page_s=10, read_cpm=150)
    rendering = render(item(body=BODY * 2), ScreenProfile(*size, mode), fonts, reading=reading)
    assert len(rendering.frames) == rendering.pages
    for frame in rendering.frames:
        assert frame.duration_ms >= 10_000
    timing = measure(item(body=BODY * 2), ScreenProfile(*size, mode), fonts, reading)
    assert timing.pages == rendering.pages
    assert timing.duration_ms == sum(f.duration_ms for f in rendering.frames)


def test_a_full_page_stays_as_long_as_its_characters_take():
    # 90 characters at 200 a minute is 27 s, more than the 15 s minimum.
    assert page_times([90, 10], 0, Reading()) == [27_000, 15_000]
    # The author's longer time is shared out over the pages.
    assert page_times([10, 10], 40_000, Reading()) == [20_000, 20_000]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    travel=st.integers(1, 20_000),
    size=st.integers(8, 64),
    author_ms=st.integers(1000, 600_000),
    cpm=st.integers(20, 255),
)
def test_strip_timing_never_scrolls_faster_than_the_setting(travel, size, author_ms, cpm):
    reading = Reading(scroll_cpm=cpm)
    duration, passes = strip_timing(travel, size, author_ms, reading)
    assert duration >= max(author_ms, reading.pass_ms(travel, size))
    assert duration / passes >= reading.pass_ms(travel, size) - 1e-9


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=st.text(alphabet="通知公告各位市民请合理安排时间，。：0123456789ab", max_size=150),
    duration_s=st.integers(1, 120),
    size=st.sampled_from(STRIPS + PANELS),
)
def test_the_frames_add_up_to_the_measured_duration(fonts, body, duration_s, size):
    it = item(body=body, duration_s=duration_s)
    profile = ScreenProfile(*size, "mono")
    rendering = render(it, profile, fonts)
    assert (
        sum(f.duration_ms for f in rendering.frames)
        == measure(it, profile, fonts, Reading()).duration_ms
    )
    assert rendering.duration_ms >= duration_s * 1000
