"""Under gunicorn, ``/metrics`` adds up every worker's counts, whichever worker answers."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.e2e.test_player_system import System

KEYS = re.compile(
    r'^signage_http_requests_total\{endpoint="/api/v1/keys",method="GET",status="200"\} (\S+)$',
    re.M,
)


@pytest.fixture
def system(app, database_url, tmp_path):
    running = System(database_url, tmp_path)
    running.signage.env["SIGNAGE_METRICS"] = "true"
    yield running
    running.close()


def test_metrics_add_up_every_workers_counts(system):
    system.start_server("--server", "gunicorn", "--workers", "2", "--threads", "2")
    asked = 200

    def ask(_: int) -> int:
        # A connection each, so that both workers take some.
        return requests.get(f"{system.base}/api/v1/keys", timeout=10).status_code

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(ask, range(asked))) == {200}
    counted = (system.tmp / "var" / "metrics").glob("counter_*.db")  # a file per process
    answered_by = {p.stem.rsplit("_", 1)[-1] for p in counted}
    assert len(answered_by) >= 2, f"one worker answered everything: {answered_by}"
    totals = set()
    for _ in range(10):  # whichever worker answers, the same sum
        text = requests.get(f"{system.base}/metrics", timeout=10).text
        match = KEYS.search(text)
        assert match is not None, text[:2000]
        totals.add(float(match.group(1)))
    assert totals == {float(asked)}
