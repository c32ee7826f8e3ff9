"""A controller that heals: gunicorn replaces a worker killed with SIGKILL while a player polls
and uploads; nothing is lost or counted twice, and the housekeeping jobs move to another
process and still run once."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import threading
import time
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from signage.audit.models import AuditEntry
from tests.e2e.test_player_system import System, exactly_once, publish, wait_for

LEADER = re.compile(r"this process \(pid (\d+)\) runs the housekeeping jobs")


def workers(parent: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == parent:
                found.add(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def leaders(log: Path) -> list[int]:
    return [int(pid) for pid in LEADER.findall(log.read_text(errors="replace"))]


class Poller(threading.Thread):
    """Polls like a player would, retrying a failed request; counts answers by time."""

    def __init__(self, base: str, token: str) -> None:
        super().__init__(daemon=True)
        self.url = f"{base}/api/v1/player/playlist"
        self.headers = {"Authorization": f"Bearer {token}"}
        self.answers: list[tuple[float, int]] = []
        self.failures = 0
        self.stop = threading.Event()

    def run(self) -> None:
        with requests.Session() as http:
            while not self.stop.is_set():
                try:
                    answer = http.get(self.url, headers=self.headers, timeout=5)
                    self.answers.append((time.monotonic(), answer.status_code))
                except requests.RequestException:
                    self.failures += 1
                self.stop.wait(0.05)


@pytest.fixture
def system(app, database_url, tmp_path):
    running = System(database_url, tmp_path)
    yield running
    running.close()


def test_a_killed_worker_is_replaced_and_nothing_is_lost(system, db_session):
    s = system.signage
    author, reviewer = s.staff("author", "reviewer").values()
    token = s.last_line(
        "screen", "add", "hall", "--name", "大厅", "--size", "128x32", "--scroll-cpm", "255"
    )
    token_file = system.tmp / "hall.token"
    token_file.write_text(token)
    system.start_server("--server", "gunicorn", "--workers", "2", "--threads", "4")
    log = system.tmp / "serve.log"
    publish(system, author, reviewer, "长期通知", seconds=3600)
    short, short_until = publish(system, author, reviewer, "即将到期", seconds=12)
    system.start_player(token_file)
    poller = Poller(system.base, token)
    poller.start()
    try:
        wait_for(lambda: system.spool()[2] >= 2, 30, "the player to show something")
        wait_for(lambda: len(leaders(log)) == 1, 20, "a process to take the scheduler")
        assert system.server is not None
        before = workers(system.server.pid)
        (leader,) = leaders(log)
        assert leader in before and len(before) == 2
        os.kill(leader, signal.SIGKILL)
        killed_at = time.monotonic()
        wait_for(lambda: len(workers(system.server.pid) - {leader}) == 2, 30, "a new worker")
        wait_for(lambda: len(leaders(log)) == 2, 30, "another process to take the scheduler")
        assert leaders(log)[1] != leader
        # The job that closes expired notices runs in the new leader, once.
        ends = dt.datetime.fromisoformat(short_until)
        wait_for(
            lambda: (
                requests.get(f"{system.base}/api/v1/notices/{short}", headers=author).json()[
                    "status"
                ]
                == "expired"
            ),
            40,
            "the short notice to be closed",
        )
        assert dt.datetime.now(dt.UTC) > ends
        time.sleep(3)  # more runs of the job: still one expiry
        wait_for(lambda: system.spool()[0] == 0, 40, "the player's events to be uploaded")
    finally:
        poller.stop.set()
        poller.join(timeout=10)
    system.stop_player()
    after = [status for at, status in poller.answers if at > killed_at + 2]
    assert after and set(after) <= {200, 304}  # polls go on through the other workers
    assert {status for _, status in poller.answers} <= {200, 304}
    exactly_once(db_session, system)
    db_session.expire_all()
    expiries = db_session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == "notice.expire", AuditEntry.object_id == str(short))
    )
    assert expiries == 1
