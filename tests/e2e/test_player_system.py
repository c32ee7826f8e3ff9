"""The whole system with real processes: ``signage serve`` and ``signage-player run``.

The controller is stopped while the player keeps playing from its cache; a notice expires during
the outage and must not be shown; when the controller is back, every event the player produced
must reach it exactly once. Then the player is killed with SIGKILL in the middle of uploading a
backlog and restarted; and a player whose clock is ten minutes wrong (libfaketime) must still
play by the controller's time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from signage.audit.models import ChainHead, Checkpoint
from signage.displaylog.models import DisplayEvent, DisplayGap, PlayerHead, RefusedEvent
from signage.reports.models import DailyPlay
from signage.screens.models import Screen
from tests.conftest import need
from tests.e2e.test_new_user_script import Signage, free_port

FAST = {
    "SIGNAGE_POLL_INTERVAL_S": "1",
    "SIGNAGE_HEARTBEAT_S": "2",
    "SIGNAGE_SCREENSHOT_INTERVAL_S": "5",
    "SIGNAGE_PLAYLIST_CHECK_S": "0.2",
    "SIGNAGE_EXPIRE_INTERVAL_S": "2",
}


class System:
    def __init__(self, database_url: str, tmp: Path) -> None:
        env = dict(os.environ)
        env.update(
            {
                "SIGNAGE_DATA_DIR": str(tmp / "var"),
                "SIGNAGE_DATABASE_URL": database_url,
                "SIGNAGE_SECRET_KEY": "e2e",
                **FAST,
            }
        )
        self.signage = Signage(env)
        self.tmp = tmp
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.server: subprocess.Popen[bytes] | None = None
        self.player: subprocess.Popen[bytes] | None = None
        self.cache = tmp / "player"
        self.frames = tmp / "frames"
        self.logs: list[Any] = []

    def start_server(self, *options: str) -> None:
        log = (self.tmp / "serve.log").open("a")
        self.logs.append(log)
        self.server = subprocess.Popen(
            [sys.executable, "-m", "signage", "serve", "--port", str(self.port), *options],
            env=self.signage.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(f"{self.base}/api/v1/openapi.json", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise AssertionError("the controller did not start")

    def stop_server(self) -> None:
        assert self.server is not None
        self.server.terminate()
        self.server.wait(timeout=15)
        self.server = None

    def start_player_provisioned(self, provision: Path) -> None:
        self.start_player(None, provision=provision)

    def start_player(
        self,
        token_file: Path | None,
        *,
        skew: str | None = None,
        provision: Path | None = None,
        verbose: bool = False,
    ) -> None:
        if provision is not None:
            source = ["--provision", str(provision)]
        else:
            source = ["--controller", self.base, "--token-file", str(token_file)]
        command = [
            sys.executable,
            "-m",
            "player.cli",
            "run",
            *source,
            "--output",
            f"png:{self.frames}",
            "--cache",
            str(self.cache),
            *(["--verbose"] if verbose else []),
        ]
        env = self.signage.env
        if skew:
            # A wrong wall clock through libfaketime, preloaded into the player itself (the
            # faketime wrapper would fork, and a signal to it would orphan the player). The
            # monotonic clock (timeouts, frame timing) stays true, as on a real machine whose
            # date is set wrong.
            env = env | {
                "LD_PRELOAD": libfaketime(),
                "FAKETIME": skew,
                "FAKETIME_DONT_FAKE_MONOTONIC": "1",
            }
        log = (self.tmp / "player.log").open("a")
        self.logs.append(log)
        self.player = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)

    def stop_player(self, sig: int = signal.SIGTERM) -> None:
        assert self.player is not None
        self.player.send_signal(sig)
        self.player.wait(timeout=20)
        self.player = None

    def spool(self) -> tuple[int, int, int]:
        """(pending events, dead letters, last sequence number) of the player's spool."""
        path = self.cache / "spool.sqlite3"
        if not path.exists():
            return 0, 0, 0
        with contextlib.closing(sqlite3.connect(path, timeout=10)) as db:
            try:
                pending = db.execute("SELECT count(*) FROM events").fetchone()[0]
                dead = db.execute("SELECT count(*) FROM dead_letters").fetchone()[0]
                row = db.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()
            except sqlite3.OperationalError:  # the player is creating its tables right now
                return 0, 0, 0
        return pending, dead, int(row[0]) if row else 0

    def showing(self) -> list[dict]:
        """The displays the player has noted as started and not yet ended."""
        with contextlib.closing(sqlite3.connect(self.cache / "spool.sqlite3", timeout=10)) as db:
            return [json.loads(body) for (body,) in db.execute("SELECT body FROM showing")]

    def close(self) -> None:
        for process in (self.player, self.server):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
        for log in self.logs:
            log.close()


@pytest.fixture
def system(app, database_url, tmp_path):
    running = System(database_url, tmp_path)
    yield running
    running.close()


def libfaketime() -> str:
    found = sorted(glob.glob("/usr/lib/*/faketime/libfaketime.so.1"))
    need(bool(found), "libfaketime (apt-get install faketime)")
    return found[0]


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def publish(system: System, author, reviewer, title: str, *, seconds: int) -> tuple[int, str]:
    now = dt.datetime.now(dt.UTC)
    until = (now + dt.timedelta(seconds=seconds)).replace(microsecond=0)
    nid = requests.post(
        f"{system.base}/api/v1/notices",
        headers=author,
        json={
            "title": title,
            "body": "请合理安排时间。",
            "category": "通知公告",
            "screens": ["hall"],
            "valid_from": (now - dt.timedelta(minutes=5)).isoformat(),
            "valid_until": until.isoformat(),
            "duration_s": 3,
        },
    ).json()["id"]
    requests.post(f"{system.base}/api/v1/notices/{nid}/submit", headers=author)
    answer = requests.post(
        f"{system.base}/api/v1/notices/{nid}/approve",
        headers=reviewer,
        json={"confidentiality_reviewed": True, "revision": 1},
    )
    assert answer.status_code == 200, answer.text
    return nid, until.isoformat()


def exactly_once(db_session, system: System) -> list[DisplayEvent]:
    """The controller holds player sequence numbers 1..N, once each, with no gap."""
    db_session.expire_all()
    events = db_session.scalars(sa.select(DisplayEvent).order_by(DisplayEvent.player_seq)).all()
    pending, dead, last = system.spool()
    assert pending == 0 and dead == 0 and system.showing() == []  # a clean stop ends its display
    assert [e.player_seq for e in events] == list(range(1, last + 1))
    assert db_session.scalar(sa.select(sa.func.count()).select_from(DisplayGap)) == 0
    return list(events)


def test_outage_expiry_and_exactly_once_delivery(system, db_session):
    libfaketime()
    s = system.signage
    author, reviewer = s.staff("author", "reviewer").values()
    token_file = system.tmp / "hall.token"
    token_file.write_text(
        s.last_line(
            "screen",
            "add",
            "hall",
            "--name",
            "大厅",
            "--size",
            "128x32",
            "--color",
            "red-green",
            "--scroll-cpm",
            "255",
        )
    )
    system.start_server()
    lasting, _ = publish(system, author, reviewer, "长期通知", seconds=3600)
    short, short_until = publish(system, author, reviewer, "即将到期", seconds=20)
    system.start_player(token_file)

    wait_for(lambda: system.spool()[2] >= 2, 30, "the player to show something")
    system.stop_server()  # the outage: the player goes on from its cache
    wait_for(
        lambda: (
            dt.datetime.now(dt.UTC)
            > dt.datetime.fromisoformat(short_until) + dt.timedelta(seconds=8)
        ),
        40,
        "the short notice to expire during the outage",
    )
    during = system.spool()[0]
    assert during > 0  # events piled up in the spool while the controller was away
    system.start_server()
    wait_for(lambda: system.spool()[0] == 0, 40, "the backlog to upload")
    system.stop_player()

    events = exactly_once(db_session, system)
    ends = dt.datetime.fromisoformat(short_until)
    shown_short = [e for e in events if e.notice_id == short]
    assert all(
        e.started_at + dt.timedelta(milliseconds=e.duration_ms) <= ends + dt.timedelta(seconds=1)
        for e in shown_short
    )
    assert any(e.notice_id == lasting and e.started_at > ends for e in events)
    assert (system.frames / "latest.png").exists()

    # SIGKILL in the middle of uploading a backlog, then a restart: still exactly once.
    system.stop_server()
    system.start_player(token_file)
    wait_for(lambda: system.spool()[0] >= 6, 40, "a backlog to build up")
    system.start_server()
    # The player's loops back off up to a minute by now, with jitter; either finding the
    # controller back starts the upload.
    wait_for(lambda: system.spool()[0] < 6, 90, "the upload to begin")
    # ...with a display in its first second and a half (of 3 s), so it is still on at the kill.
    wait_for(
        lambda: any(
            dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(d["started_at"])
            < dt.timedelta(seconds=1.5)
            for d in system.showing()
        ),
        10,
        "a display to start",
    )
    system.stop_player(signal.SIGKILL)
    (cut,) = system.showing()
    system.start_player(token_file)

    def delivered() -> bool:
        db_session.rollback()  # a fresh snapshot of what the controller holds
        stored = db_session.scalar(
            sa.select(DisplayEvent.id).where(DisplayEvent.event_id == cut["id"])
        )
        return stored is not None and system.spool()[0] == 0

    wait_for(delivered, 40, "the restarted player to queue the cut display and upload it all")
    system.stop_player()
    events = exactly_once(db_session, system)
    # The display the kill cut short is on record, as interrupted, once.
    (stored,) = [e for e in events if e.event_id == cut["id"]]
    assert stored.outcome == "interrupted" and stored.player_seq == cut["seq"]

    # A player whose clock is ten minutes fast plays and logs by the controller's time.
    before = system.spool()[2]
    system.start_player(token_file, skew="+10m")
    wait_for(
        lambda: system.spool()[2] >= before + 2 and system.spool()[0] == 0,
        40,
        "the skewed player to show and upload",
    )
    system.stop_player()
    db_session.expire_all()
    latest = db_session.scalars(
        sa.select(DisplayEvent).where(DisplayEvent.player_seq > before)
    ).all()
    assert latest
    for event in latest:
        assert abs((event.received_at - event.started_at).total_seconds()) < 60
    health = requests.get(f"{system.base}/api/v1/screens/hall", headers=reviewer).json()
    assert abs(health["clock_offset_ms"] + 600_000) < 5_000

    # Every play the real player sent was one it could have had, in its signed chain; only the
    # skewed player's first displays, shown by its own clock before it heard the controller's,
    # may be refused (and kept) for starting in the future.
    for seq, reason, chained in db_session.execute(
        sa.select(RefusedEvent.player_seq, RefusedEvent.reason, RefusedEvent.chained)
    ):
        assert seq > before and "in the future" in reason and chained
    assert s("verify-logs").returncode == 0
    assert s("checkpoint").returncode == 0
    kept = system.tmp / "kept-elsewhere"
    assert s("checkpoint", "export", str(kept)).returncode == 0
    assert s("verify-logs", "--checkpoints", str(kept)).returncode == 0
    db_session.execute(
        sa.update(DisplayEvent).where(DisplayEvent.player_seq == 2).values(duration_ms=1)
    )
    db_session.commit()
    broken = s("verify-logs", check=False)
    assert broken.returncode == 1 and "screen hall: BROKEN at record" in broken.stderr
    # Deleting the whole record of the screen, its heads and the checkpoints in the database
    # leaves the checkpoints kept elsewhere to say so.
    hall_id = db_session.scalar(sa.select(Screen.id).where(Screen.key == "hall"))
    db_session.execute(sa.delete(DisplayEvent).where(DisplayEvent.screen_id == hall_id))
    db_session.execute(sa.delete(ChainHead).where(ChainHead.name == f"display:{hall_id}"))
    db_session.execute(sa.delete(PlayerHead).where(PlayerHead.screen_id == hall_id))
    db_session.execute(sa.delete(DailyPlay).where(DailyPlay.screen_id == hall_id))
    db_session.execute(sa.delete(Checkpoint))
    db_session.commit()
    broken = s("verify-logs", "--checkpoints", str(kept), check=False)
    assert broken.returncode == 1 and "of screen hall: BROKEN" in broken.stderr
