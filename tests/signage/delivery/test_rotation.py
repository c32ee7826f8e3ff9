"""What the editor and the review page say of a notice on each screen: its time, how often it
comes round, the warnings, and legibility at the screen's viewing distance."""

from __future__ import annotations

import dataclasses

import pytest

from playlists import DEFAULT_WEIGHTS, Item
from playlists.select import rotation_interval_ms
from signage.delivery.rotation import MM_PER_M, on_screens
from signage.notices.preview import Draft
from tests.conftest import NOW


def item(i: int, weight: int, play_ms: int, priority: str = "normal") -> Item:
    return Item(
        id=f"n{i}.r1",
        notice_id=i,
        revision=1,
        content_sha256="0" * 64,
        kind="text",
        category="通知公告",
        priority=priority,
        weight=weight,
        duration_s=15,
        title="t",
        body="",
        media=None,
        windows=(),
        play_ms=play_ms,
    )


def test_an_item_comes_round_once_a_cycle_per_unit_of_weight():
    items = [item(1, 1, 60_000), item(2, 2, 30_000), item(3, 1, 90_000)]
    # A cycle: 1 × 60 s + 2 × 30 s + 1 × 90 s = 210 s.
    assert rotation_interval_ms(items, "n1.r1") == 210_000
    assert rotation_interval_ms(items, "n2.r1") == 105_000
    urgent = [*items, item(4, 1, 20_000, "urgent")]
    assert rotation_interval_ms(urgent, "n4.r1") == 20_000  # urgent items rotate on their own
    assert rotation_interval_ms(items, "n9.r1") is None


def test_the_warnings_and_legibility(db_session, make_screen, app):
    strip = make_screen(key="strip", width=128, height=16, color="mono")
    panel = make_screen(key="panel", width=256, height=128)
    panel.pixel_pitch_mm, panel.viewing_distance_m = 4.0, 20.0
    db_session.commit()
    draft = Draft(
        title="关于调整政务服务时间的通知", body="请合理安排办事时间。" * 20, category="通知公告"
    )
    with app.app_context():
        found = {
            e.screen.key: e
            for e in on_screens(
                db_session,
                [strip, panel],
                draft,
                now=NOW,
                weights=DEFAULT_WEIGHTS,
                strip_warn_s=60,
                rotation_warn_min=1,
            )
        }
    on_strip, on_panel = found["strip"], found["panel"]
    assert on_strip.strip and on_strip.timing.scrolls and on_strip.too_long
    assert on_strip.every_ms == on_strip.timing.duration_ms  # alone in its rotation
    assert on_strip.text_mm is None and on_strip.legible is None  # no pitch given
    assert not on_panel.strip and on_panel.timing.pages >= 1 and not on_panel.too_long
    assert on_panel.too_rare == (on_panel.every_ms > 60_000)
    # ISO 9241-3: 16 arc-minutes is about 4.65 mm per metre; 20 m needs 93 mm.
    assert pytest.approx(4.654, abs=0.001) == MM_PER_M
    assert on_panel.text_mm == on_panel.timing.font_size * 4.0
    assert on_panel.needed_mm == pytest.approx(93.1, abs=0.1)
    assert on_panel.legible is (on_panel.text_mm >= on_panel.needed_mm)
    near = dataclasses.replace(on_panel, needed_mm=1.0)
    assert near.legible is True
    assert on_panel.legible_up_to_m == pytest.approx(on_panel.text_mm / MM_PER_M)
