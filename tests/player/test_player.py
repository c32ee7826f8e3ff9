"""The player against a real controller app, through an in-process transport (no network)."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import jsonschema
import pytest
import sqlalchemy as sa
from PIL import Image

from player.backoff import Backoff
from player.client import ControllerClient
from player.clock import ServerClock
from player.config import PlayerConfig
from player.errors import Busy, MediaError, Unreachable
from player.output import PngOutput
from player.runner import Player
from player.spool import SCHEMA as SPOOL_SCHEMA
from player.spool import Spool
from player.store import Store
from playlists import PlayerState
from playlists.evidence import GENESIS, event_hash
from signage.clock import utcnow
from signage.displaylog.models import DisplayEvent
from signage.media import services as media_services
from tests.player.wsgi_adapter import session_for

HOUR = dt.timedelta(hours=1)


class FakeClock:
    """A local clock the test moves; ``skew`` makes it wrong by a fixed amount."""

    def __init__(self, skew: dt.timedelta = dt.timedelta(0)) -> None:
        self.skew = skew
        self.offset = dt.timedelta(0)

    def __call__(self) -> dt.datetime:
        return utcnow() + self.skew + self.offset


def publish(setup, *, minutes=60, title="冬季办公时间", media=None, priority="normal"):
    client, now = setup["client"], utcnow()
    body = {
        "title": title,
        "body": "请合理安排时间。",
        "category": "通知公告",
        "screens": ["hall"],
        "valid_from": (now - HOUR).isoformat(),
        "valid_until": (now + dt.timedelta(minutes=minutes)).isoformat(),
        "duration_s": 3,
        "priority": priority,
    }
    if media:
        body |= {"kind": "image", "media_sha256": media}
    nid = client.post("/api/v1/notices", json=body, headers=setup["author_h"]).get_json()["id"]
    client.post(f"/api/v1/notices/{nid}/submit", headers=setup["author_h"])
    client.post(
        f"/api/v1/notices/{nid}/approve",
        headers=setup["reviewer_h"],
        json={"confidentiality_reviewed": True, "revision": 1},
    )
    return nid


def make_player(setup, fonts, *, skew=dt.timedelta(0), name="p"):
    session, adapter = session_for(setup["app"])
    local = FakeClock(skew)
    clock = ServerClock(local=local)
    root = setup["tmp"] / name
    config = PlayerConfig(
        controller="http://controller",
        token=setup["token"],
        output=f"png:{root / 'frames'}",
        cache_dir=root / "cache",
    )
    client = ControllerClient(config.controller, config.token, clock=clock, session=session)
    spool = Spool(root / "cache" / "spool.sqlite3")
    player = Player(
        config,
        client=client,
        store=Store(root / "cache"),
        spool=spool,
        fonts=fonts,
        clock=clock,
        open_output=lambda w, h: PngOutput(root / "frames", min_interval_s=0),
    )
    return player, adapter, local


def test_poll_show_log_upload(setup, fonts, db_session):
    nid = publish(setup)
    player, _, _ = make_player(setup, fonts)
    player.heartbeat_once()
    assert player.poll_once() is True and player.poll_once() is False  # 304 the second time
    state = player.show_once(PlayerState())
    assert player.spool.count() == 1
    (event,) = player.spool.pending()
    assert event["notice_id"] == nid and event["outcome"] == "shown" and event["seq"] == 1
    # Its page for the page's time at the screen's speeds: the item's play_ms, over its 3 s.
    play_ms = player.store.playlist.items[0].play_ms
    assert play_ms > 3000
    assert play_ms <= event["duration_ms"] <= play_ms + 500
    assert (setup["tmp"] / "p" / "frames" / "latest.png").exists()
    assert player.upload_once() == 1 and player.spool.count() == 0
    answer = setup["client"].get("/api/v1/display-events", headers=setup["reviewer_h"])
    assert answer.status_code == 403  # reviewers do not read the log; supervisors do
    assert state is not None


def test_what_the_player_sends_matches_the_schemas_the_controller_serves(setup, fonts):
    publish(setup)
    player, adapter, _ = make_player(setup, fonts)
    sent: list[tuple[str, bytes]] = []
    send = adapter.send

    def recording(request, **kwargs):
        sent.append((request.path_url, request.body or b""))
        return send(request, **kwargs)

    adapter.send = recording  # type: ignore[method-assign]
    player.heartbeat_once()
    player.poll_once()
    player.show_once(PlayerState())
    assert player.upload_once() == 1
    client = setup["client"]
    schemas = {
        "/api/v1/player/heartbeat": client.get("/api/v1/schemas/heartbeat.json").get_json(),
        "/api/v1/player/events": client.get("/api/v1/schemas/events.json").get_json(),
    }
    checked = 0
    for path, body in sent:
        if path in schemas:
            jsonschema.validate(json.loads(body), schemas[path])
            checked += 1
    assert checked == 2


def test_a_skewed_local_clock_is_corrected_by_the_heartbeat(setup, fonts):
    player, _, _ = make_player(setup, fonts, skew=dt.timedelta(minutes=10))
    player.heartbeat_once()
    assert abs(player.clock.offset_s + 600) < 2
    assert abs((player.clock.now() - utcnow()).total_seconds()) < 2


def test_offline_the_cached_playlist_still_enforces_windows(setup, fonts):
    publish(setup, minutes=1, title="一分钟后到期")
    player, adapter, local = make_player(setup, fonts)
    player.poll_once()
    adapter.down = True
    with pytest.raises(Unreachable):
        player.poll_once()
    local.offset = dt.timedelta(minutes=2)  # the notice has expired meanwhile
    player.show_once(PlayerState())
    assert player.spool.count() == 0  # nothing shown, nothing logged
    assert player.current_item is None


def test_the_player_starts_from_its_cache_before_the_controller_answers(setup, fonts):
    publish(setup)
    player, _, _ = make_player(setup, fonts, name="first")
    player.poll_once()
    again, adapter, _ = make_player(setup, fonts, name="first")
    adapter.down = True
    assert again.store.load(again.trust.check_cached) is not None
    again.show_once(PlayerState())
    assert again.spool.pending()[-1]["outcome"] == "shown"


def png(colour):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_corrupt_media_blob_is_never_shown(setup, fonts, db_session):
    media, _ = media_services.upload_media(
        db_session, setup["author"], png("blue"), now=utcnow(), limits=media_services.MediaLimits()
    )
    db_session.commit()
    publish(setup, media=media.sha256, title="图片")
    player, _, _ = make_player(setup, fonts)
    player.poll_once()
    path = player.store.media_path(media.sha256)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == media.sha256
    path.write_bytes(b"corrupted on disk")
    with pytest.raises(MediaError):
        player.store.get_media(media.sha256)
    assert not path.exists()  # deleted, so the next poll fetches it again
    player.show_once(PlayerState())
    events = player.spool.pending()
    assert events[-1]["outcome"] == "error" and events[-1]["duration_ms"] == 0
    player.store._etag = None  # force a full poll, as after a restart
    player.poll_once()
    assert player.store.get_media(media.sha256) == png("blue")


def test_damaged_media_from_the_network_is_refused(tmp_path):
    store = Store(tmp_path)
    with pytest.raises(MediaError, match="mismatch"):
        store.put_media("0" * 64, b"bytes")
    assert not store.has_media("0" * 64)


def test_spool_survives_reopening_and_never_reuses_numbers(tmp_path):
    spool = Spool(tmp_path / "spool.sqlite3")
    first = spool.record({"item_id": "a"})
    second = spool.record({"item_id": "b"})
    spool.settle({"accepted": [first["id"]], "duplicates": [second["id"]]}, now_iso="x")
    spool.close()
    reopened = Spool(tmp_path / "spool.sqlite3")
    third = reopened.record({"item_id": "c"})
    assert (first["seq"], second["seq"], third["seq"]) == (1, 2, 3)
    reopened.settle({"rejected": [{"id": third["id"], "reason": "bad"}]}, now_iso="now")
    assert reopened.pending() == [] and reopened.dead_letters()[0]["reason"] == "bad"


def test_the_spool_chains_every_event_across_restarts_and_kills(tmp_path):
    path = tmp_path / "spool.sqlite3"
    # A queue left by a player from before screens signed their record: linked first.
    with sqlite3.connect(path) as db:
        db.executescript(SPOOL_SCHEMA)
        db.execute(
            "INSERT INTO events (seq, id, body) VALUES (1, 'old', ?)",
            (json.dumps({"id": "old", "seq": 1, "item_id": "a"}),),
        )
        db.execute("INSERT INTO meta (key, value) VALUES ('seq', '1')")
    spool = Spool(path)
    spool.record({"item_id": "b"})
    showing = spool.begin({"item_id": "c", "started_at": "2026-11-26T08:00:00Z"})
    spool.close()
    reopened = Spool(path)  # as after a kill: the display in progress is queued as it stood
    assert reopened.recovered == 1 and showing["seq"] == 3
    reopened.record({"item_id": "d"})
    events = reopened.pending()
    assert [e["seq"] for e in events] == [1, 2, 3, 4]
    prev = GENESIS
    for e in events:
        assert e["prev"] == prev
        prev = event_hash(e)


def test_a_display_cut_short_by_a_kill_is_queued_as_interrupted(tmp_path):
    # A real SIGKILL of a process in the middle of a display, after it noted 5 s of it.
    path = tmp_path / "spool.sqlite3"
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from player.spool import Spool\n"
        "spool = Spool(Path(sys.argv[1]))\n"
        "spool.record({'item_id': 'a', 'duration_ms': 3000, 'outcome': 'shown'})\n"
        "showing = spool.begin({'item_id': 'b', 'started_at': '2026-11-26T08:00:00Z'})\n"
        "spool.progress(showing, 5000)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    killed = subprocess.run([sys.executable, "-c", script, str(path)], check=False)
    assert killed.returncode == -signal.SIGKILL
    spool = Spool(path)
    assert spool.recovered == 1
    first, cut = spool.pending()
    assert (first["seq"], first["outcome"]) == (1, "shown")
    assert (cut["seq"], cut["item_id"], cut["started_at"]) == (2, "b", "2026-11-26T08:00:00Z")
    assert (cut["outcome"], cut["duration_ms"]) == ("interrupted", 5000)
    assert spool.record({"item_id": "c"})["seq"] == 3
    assert Spool(path).recovered == 0  # queued once, not again at the next start


def test_a_display_is_in_the_spool_before_its_first_frame(setup, fonts):
    publish(setup)
    player, _, _ = make_player(setup, fonts)
    spool_path = setup["tmp"] / "p" / "cache" / "spool.sqlite3"
    seen: list[list[tuple[str, str]]] = []

    class Watching(PngOutput):
        def show(self, image, *, label=None):
            if not seen:  # what another process finds in the spool as the first frame goes up
                with contextlib.closing(sqlite3.connect(spool_path)) as db:
                    seen.append(db.execute("SELECT id, body FROM showing").fetchall())
            super().show(image, label=label)

    player._open_output = lambda w, h: Watching(setup["tmp"] / "p" / "frames", min_interval_s=0)
    player.heartbeat_once()
    player.poll_once()
    player.show_once(PlayerState())
    ((showing_id, body),) = seen[0]
    assert json.loads(body)["outcome"] == "interrupted"  # what it is, should the player die now
    (event,) = player.spool.pending()
    assert event["id"] == showing_id and event["outcome"] == "shown"
    play_ms = player.store.playlist.items[0].play_ms
    assert play_ms <= event["duration_ms"] <= play_ms + 500


def test_rejected_events_become_dead_letters_not_silence(setup, fonts):
    player, _, _ = make_player(setup, fonts)
    player.spool.record(
        {
            "item_id": "n999.r1",
            "notice_id": 999,
            "revision": 1,
            "content_sha256": "0" * 64,
            "started_at": utcnow().isoformat(),
            "playlist_etag": "0" * 32 + "-" + "0" * 16,
            "duration_ms": 1000,
            "outcome": "shown",
        }
    )
    player.upload_once()
    assert player.spool.count() == 0
    assert "never approved" in player.spool.dead_letters()[0]["reason"]
    assert player.spool.dead_letter_count() == 1  # and the heartbeat says so


def test_withdrawal_interrupts_the_item_at_the_next_poll(setup, fonts):
    import threading

    nid = publish(setup)
    player, _, _ = make_player(setup, fonts)
    player.poll_once()

    def withdraw_then_poll() -> None:
        setup["client"].post(
            f"/api/v1/notices/{nid}/withdraw", headers=setup["author_h"], json={"reason": "撤回"}
        )
        from signage.delivery.cache import get_cache

        get_cache(setup["app"]).sync(force=True)
        player.poll_once()

    timer = threading.Timer(0.5, withdraw_then_poll)
    timer.start()
    player.show_once(PlayerState())
    timer.join()
    event = player.spool.pending()[-1]
    assert event["outcome"] == "interrupted" and event["duration_ms"] < 2500


def test_the_backlog_goes_up_as_soon_as_the_poll_loop_hears_from_the_controller(
    setup, fonts, monkeypatch
):
    publish(setup)
    player, adapter, _ = make_player(setup, fonts)
    player.poll_once()
    player.show_once(PlayerState())
    assert player.spool.count() == 1
    adapter.down = True

    class Long(Backoff):
        """The uploader backs off for a minute after a failure; the poll loop tries again soon."""

        def next_delay(self) -> float:
            self.failures += 1
            return 60.0 if threading.current_thread().name == "upload" else 0.2

    monkeypatch.setattr("player.runner.Backoff", Long)
    threads = [
        threading.Thread(target=player.upload_loop, name="upload"),
        threading.Thread(target=player.poll_loop, name="poll"),
    ]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 5
        while not any("upload failed" in e for e in player.errors):
            assert time.monotonic() < deadline, "the uploader never tried"
            time.sleep(0.05)
        adapter.down = False
        deadline = time.monotonic() + 10  # far less than the uploader's minute
        while player.spool.count():
            assert time.monotonic() < deadline, "the backlog waited out the backoff"
            time.sleep(0.05)
    finally:
        player.stop.set()
        for thread in threads:
            thread.join(timeout=5)


def test_a_paced_upload_waits_as_told_and_loses_nothing(setup, fonts, monkeypatch, db_session):
    publish(setup)
    player, _, _ = make_player(setup, fonts)
    player.poll_once()
    player.show_once(PlayerState())
    gate = setup["app"].extensions["signage.uploads"]
    for _ in range(gate.limit):  # every place taken, as when the whole fleet sends at once
        assert gate.enter()
    gate.wait_s = 0.0
    try:
        with pytest.raises(Busy) as paced:
            player.upload_once()
        assert paced.value.status == 503 and paced.value.retry_after_s >= 1
        assert player.spool.count() == 1  # kept, to be sent again
        # The upload loop waits what it was told, plus at most a second, and a poll that hears
        # from the controller meanwhile does not cut the wait short.
        slept: list[tuple[float, object]] = []

        def sleep(delay, wake=None):
            slept.append((delay, wake))
            return False

        monkeypatch.setattr(player, "_sleep", sleep)
        player.upload_loop()
        ((delay, wake),) = slept
        assert paced.value.retry_after_s <= delay <= paced.value.retry_after_s + 2 and wake is None
        assert not any("upload failed" in e for e in player.errors)
    finally:
        for _ in range(gate.limit):
            gate.leave(0.01)
    assert player.upload_once() == 1 and player.spool.count() == 0
    stored = db_session.scalar(sa.select(sa.func.count()).select_from(DisplayEvent))
    assert stored == 1


def test_backoff_grows_with_jitter_and_resets():
    import random

    backoff = Backoff(300, random.Random(1))
    delays = [backoff.next_delay() for _ in range(12)]
    assert all(0 <= d <= 300 for d in delays) and max(delays[:3]) <= 4
    backoff.reset()
    assert backoff.next_delay() <= 1


def test_state_is_saved_for_a_restart(setup, fonts):
    publish(setup)
    player, _, _ = make_player(setup, fonts)
    player.poll_once()
    player.show_once(PlayerState())
    assert json.loads(player.spool.get_meta("state"))["credits"]


def test_a_stop_is_bounded_while_an_upload_hangs(setup, fonts, monkeypatch, db_session):
    """SIGTERM (systemd, a test) ends the player in a few seconds even when the controller
    holds an upload: the threads get one short deadline in all, the last upload a short
    timeout, and the events stay in the spool for the next start."""
    publish(setup)
    player, _, _ = make_player(setup, fonts)
    monkeypatch.setattr("player.runner.STOP_THREADS_S", 0.5)
    hung, release = threading.Event(), threading.Event()

    def upload_once(batch_size):
        if threading.current_thread().name == "upload":
            hung.set()
            release.wait(30)  # an answer that does not come
        return 0, 0

    monkeypatch.setattr(player.uploader, "upload_once", upload_once)
    runner = threading.Thread(target=player.run)
    runner.start()
    try:
        assert hung.wait(10), "the uploader never tried"
        asked = time.monotonic()
        player.stop.set()
        runner.join(10)
        assert not runner.is_alive() and time.monotonic() - asked < 5
        assert player.client.timeout <= 5
    finally:
        release.set()
        runner.join(5)
