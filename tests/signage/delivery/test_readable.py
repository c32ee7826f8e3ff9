"""Readable in full: on the sample data every item on every screen takes the time its text needs
at the screen's speed, and the player's frames for it add up to exactly that."""

from __future__ import annotations

import math

from player.errors import FontNotFound
from player.fonts import find_fonts
from player.layout import strip_layout
from player.render import ScreenProfile, render
from playlists import DEFAULT_WEIGHTS
from signage.delivery.services import compile_all
from signage.demo.load import load_demo
from signage.screens.models import Screen
from tests.conftest import NOW, RULES, need


def _fonts():
    try:
        return find_fonts()
    except FontNotFound as exc:
        need(False, f"a CJK font (Debian fonts-wqy-zenhei): {exc}")
        raise


def test_no_item_of_the_sample_data_is_cut_short_on_any_screen(db_session):
    load_demo(db_session, now=NOW, categories=RULES.categories)
    db_session.commit()
    fonts = _fonts()
    playlists = compile_all(db_session, now=NOW, weights=DEFAULT_WEIGHTS)
    strips = 0
    for key, playlist in playlists.items():
        screen = playlist.screen
        profile = ScreenProfile(screen.width, screen.height, screen.color)
        assert playlist.items, key
        for item in playlist.items:
            rendering = render(item, profile, fonts, reading=screen.reading)
            total = sum(f.duration_ms for f in rendering.frames)
            assert total == item.play_ms >= item.duration_s * 1000, (key, item.id)
            if screen.height <= 32:
                strips += 1
                layout = strip_layout(item, profile, fonts, screen.reading)
                # The whole text passes: every offset of its travel, at the screen's speed.
                assert len(rendering.frames) * layout.step_px >= layout.travel
                needs = math.ceil(layout.travel * 60000 / (screen.reading.scroll_cpm * layout.size))
                assert item.play_ms >= needs
    assert strips >= 9  # the two strips carry most of the sample's notices
    assert db_session.query(Screen).count() == len(playlists)
