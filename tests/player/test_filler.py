"""Filler when nothing is scheduled (the clock, the date, the deployment's name), logged as a
display state and never as a play; brightness applied to every frame and reported."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from PIL import Image

from player.filler import dimmed, filler_frame, filler_lines
from player.render import ScreenProfile
from playlists import PlayerState
from playlists.brightness import Filler
from signage.health.models import ScreenDisplayState, ScreenStatus
from tests.player.test_player import make_player, publish


def test_the_filler_s_lines_and_frame(fonts):
    at = dt.datetime(2026, 12, 4, 2, 5, tzinfo=dt.UTC)
    filler = Filler(clock=True, text="某县人民政府")
    assert filler_lines(filler, at, "Asia/Shanghai") == [
        "10:05",
        "2026年12月4日 星期五",
        "某县人民政府",
    ]
    panel = filler_frame(filler, ScreenProfile(192, 96, "full"), fonts, at, "Asia/Shanghai")
    strip = filler_frame(filler, ScreenProfile(384, 32, "mono"), fonts, at, "Asia/Shanghai")
    assert panel.size == (192, 96) and panel.getbbox() is not None
    assert strip.size == (384, 32) and strip.getbbox() is not None


def test_dimming_scales_every_pixel():
    frame = Image.new("RGB", (4, 2), (200, 100, 50))
    assert dimmed(frame, 100) is frame
    assert dimmed(frame, 60).getpixel((0, 0)) == (120, 60, 30)
    assert dimmed(frame, 0).getbbox() is None


def test_nothing_scheduled_shows_the_filler_as_a_state_not_a_play(setup, fonts, db_session):
    setup["app"].config["SIGNAGE_FILLER_TEXT"] = "某县人民政府"
    from signage.delivery.specs import configure_filler

    configure_filler(setup["app"].config)
    player, _, _ = make_player(setup, fonts)
    assert player.poll_once() is True
    assert player.store.playlist.filler == Filler(True, "某县人民政府")
    latest = setup["tmp"] / "p" / "frames" / "latest.png"
    player.show_once(PlayerState())
    with Image.open(latest) as image:
        assert image.convert("RGB").getbbox() is not None  # the filler, not black
    assert player.spool.count() == 0  # no play on record
    [state] = player.states.to_send()
    assert state.state == "filler" and state.ended_at is None
    # A notice arrives: the filler ends, and the notice is a play.
    publish(setup)
    assert player.poll_once() is True
    player.show_once(PlayerState())
    assert player.spool.count() == 1
    [ended] = player.states.to_send()
    assert ended.ended_at is not None
    player.heartbeat_once()
    db_session.expire_all()
    stored = db_session.scalars(sa.select(ScreenDisplayState)).one()
    assert stored.state == "filler" and stored.ended_at is not None
    assert player.states.to_send() == []  # acknowledged, forgotten
    assert db_session.scalar(sa.select(ScreenStatus.brightness)) == 100
