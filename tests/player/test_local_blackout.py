"""A local blackout on the player's machine: black at once, nothing logged as a play, kept
across a restart, lifted only locally, reported in the heartbeat."""

from __future__ import annotations

import datetime as dt
import threading
import time

import sqlalchemy as sa
from click.testing import CliRunner
from PIL import Image

from player.blackout import LocalBlackout
from player.cli import cli
from playlists import PlayerState
from signage.health.models import ScreenStatus
from tests.player.test_player import make_player, publish

NOW = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)


def is_black(path) -> bool:
    with Image.open(path) as image:
        return image.convert("RGB").getbbox() is None


def test_the_flag_file(tmp_path):
    flag = LocalBlackout(tmp_path)
    assert flag.current() is None
    first = flag.set("防止不当信息", NOW)
    assert flag.current() == first and first.since == "2026-12-01T02:00:00Z"
    # Setting it again keeps when it began.
    again = flag.set("仍在处置", NOW + dt.timedelta(hours=1))
    assert again.since == first.since and again.reason == "仍在处置"
    # Another process (the CLI) sees the same file.
    assert LocalBlackout(tmp_path).current() == again
    assert flag.lift() == again and flag.current() is None
    assert flag.lift() is None


def test_a_damaged_flag_file_still_means_black(tmp_path):
    (tmp_path / "blackout.json").write_text("{not json")
    assert LocalBlackout(tmp_path).current() is not None


def test_the_commands(tmp_path):
    runner = CliRunner()
    done = runner.invoke(cli, ["blackout", "--cache", str(tmp_path), "--reason", "演练"])
    assert done.exit_code == 0 and "blacked out since" in done.output
    assert LocalBlackout(tmp_path).current().reason == "演练"
    assert runner.invoke(cli, ["resume", "--cache", str(tmp_path)]).exit_code == 0
    missing = runner.invoke(cli, ["resume", "--cache", str(tmp_path)])
    assert missing.exit_code != 0 and "no local blackout" in missing.output
    nowhere = runner.invoke(cli, ["blackout", "--cache", str(tmp_path / "nope")])
    assert nowhere.exit_code != 0


def test_blacked_out_the_panel_is_black_and_nothing_is_logged(setup, fonts, db_session):
    publish(setup)
    player, _, _ = make_player(setup, fonts)
    assert player.poll_once() is True
    latest = setup["tmp"] / "p" / "frames" / "latest.png"
    player.show_once(PlayerState())
    assert not is_black(latest) and player.spool.count() == 1
    LocalBlackout(player.config.cache_dir).set("演练", NOW)
    player.show_once(PlayerState())
    assert is_black(latest) and player.current_item is None
    assert player.spool.count() == 1  # no display while black
    # The heartbeat tells the controller, which keeps it on the screen's status.
    player.heartbeat_once()
    db_session.expire_all()
    status = db_session.scalar(sa.select(ScreenStatus))
    assert status.local_blackout_since == "2026-12-01T02:00:00Z"
    assert status.local_blackout_reason == "演练"
    # A restarted player (a new process, the same cache) stays black.
    again, _, _ = make_player(setup, fonts)
    assert again.store.load(again.trust.check_cached) is not None  # from its cache, as at start
    latest.unlink()
    again.show_once(PlayerState())
    assert is_black(latest) and again.spool.count() == 1
    LocalBlackout(player.config.cache_dir).lift()
    again.show_once(PlayerState())
    assert not is_black(latest)
    again.heartbeat_once()
    db_session.expire_all()
    assert db_session.scalar(sa.select(ScreenStatus)).local_blackout_since is None


def test_a_display_under_way_is_cut_within_a_fraction_of_a_second(setup, fonts):
    publish(setup)
    player, _, _ = make_player(setup, fonts)
    assert player.poll_once() is True
    flag = LocalBlackout(player.config.cache_dir)
    timer = threading.Timer(1.0, lambda: flag.set("紧急", NOW))
    timer.start()
    started = time.monotonic()
    player.show_once(PlayerState())  # a page of several seconds, cut by the blackout
    took = time.monotonic() - started
    timer.join()
    (event,) = player.spool.pending()
    assert event["outcome"] == "interrupted"
    assert 1.0 <= took < 1.6, took


def test_a_flag_file_made_by_hand_is_black_from_when_it_was_made(tmp_path):
    import os

    path = tmp_path / "blackout.json"
    path.write_text("")  # touch
    os.utime(path, (1_764_554_400, 1_764_554_400))
    found = LocalBlackout(tmp_path).current()
    assert found is not None and found.since == "2025-12-01T02:00:00Z"
