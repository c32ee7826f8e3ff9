"""Benchmark: the supervisors' reports on a year of display events, against a real server.

    .venv/bin/python -m bench.reports [--events 10000000] [--runs 5] [--database-url URL]
                                      [--data-dir DIR]

Writes a year (2025) of ``--events`` display events on 50 screens straight into a new database
(see :mod:`bench.reports.setup`; ``--data-dir`` keeps it, and a later run with the same folder
and URL reuses it), runs the daily roll-up job (``signage report rollup``, timed), starts
``signage serve`` (Waitress, one process) on it and asks, over HTTP as a supervisor would,
each report ``--runs`` times:

- a month's filtered display-log page (the API's page of 100 and the page in the browser):
  one screen, one notice, one category, no filter, a page deep in one screen's month, and a
  filter that matches nothing (the worst case: the whole month is looked through);
- one notice's compliance evidence: a 公示 of 30 days on the 10 screens of one group;
- the yearly counts for the disclosure report;
- a month's CSV export (every event of June, all screens), streamed, with the server's peak
  RSS while it streams, beside a week's export (memory flat: the month must not need more).

Prints the median and the slowest answer of each against its target.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict
from pathlib import Path

import requests

from bench.fleet.hosts import free_port, wait_up
from bench.reports.setup import PASSWORD, Built, build

MONTH = {"from": "2025-06-01T00:00:00+08:00", "to": "2025-07-01T00:00:00+08:00"}
WEEK = {"from": "2025-06-02T00:00:00+08:00", "to": "2025-06-09T00:00:00+08:00"}
PAGE_MONTH = {"from": "2025-06-01T00:00", "to": "2025-07-01T00:00"}  # the page's local form
API = "/api/v1/display-events"


def main() -> None:
    parser = argparse.ArgumentParser(description="the reports on a year of display events")
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", help="default: SQLite in the data folder")
    parser.add_argument("--data-dir", help="keep the data here (reused when already built)")
    args = parser.parse_args()
    data = Path(args.data_dir or tempfile.mkdtemp(prefix="reports-")).resolve()
    data.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{data / 'signage.db'}"
    env = dict(os.environ, SIGNAGE_DATA_DIR=str(data), SIGNAGE_DATABASE_URL=url)
    env.update(SIGNAGE_TIMEZONE="Asia/Shanghai", SIGNAGE_LOG_LEVEL="WARNING")
    signage = [sys.executable, "-m", "signage"]
    built = _built(args, data, url, env, signage)
    t0 = time.perf_counter()
    subprocess.run([*signage, "report", "rollup"], env=env, check=True, capture_output=True)
    rollup_s = time.perf_counter() - t0
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with (data / "serve.log").open("wb") as log:
        server = subprocess.Popen(
            [*signage, "serve", "--port", str(port), "--server", "waitress"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_up(f"{base}/healthz", lambda: server.poll() is None)
            rows = measure(base, built, args.runs, server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
    if not args.data_dir:
        shutil.rmtree(data, ignore_errors=True)
    backend = url.split(":", 1)[0].split("+")[0]
    print(
        f"\n{built.events:,} display events, {built.notices} notices, 50 screens, 2025, on "
        f"{backend}; {args.runs} runs each (data built in {built.seconds:.0f} s; the year's "
        f"roll-up took {rollup_s:.1f} s)\n"
    )
    print("| report | target | median | slowest | rows | |")
    print("|---|---:|---:|---:|---:|---|")
    for name, target, times, count, extra in rows:
        median, slowest = statistics.median(times) * 1000, max(times) * 1000
        ok = "" if target is None else ("met" if slowest < target else "MISSED")
        goal = "" if target is None else f"< {target} ms"
        print(f"| {name} | {goal} | {median:.0f} ms | {slowest:.0f} ms | {count:,} | {ok}{extra} |")


def _built(args, data: Path, url: str, env: dict[str, str], signage: list[str]) -> Built:  # type: ignore[no-untyped-def]
    marker = data / "built.json"
    if marker.exists():
        saved = json.loads(marker.read_text())
        if saved["url"] == url and saved["built"]["events"] == args.events:
            print(f"reusing the data in {data}", file=sys.stderr)
            return Built(**saved["built"])
        raise SystemExit(f"{data} holds other data ({saved['built']['events']} events, {url})")
    subprocess.run([*signage, "init"], env=env, check=True, capture_output=True)
    print(f"writing {args.events:,} events into {url}", file=sys.stderr)
    built = build(url, args.events, progress=lambda line: print(line, file=sys.stderr))
    marker.write_text(json.dumps({"url": url, "built": asdict(built)}))
    return built


class PeakRss:
    """The highest resident set size of a process, sampled every 10 ms while in the block."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = self.now()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def now(self) -> int:
        status = Path(f"/proc/{self.pid}/status").read_text()
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
        assert match is not None
        return int(match.group(1)) * 1024

    def _watch(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, self.now())

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def measure(base: str, built: Built, runs: int, pid: int) -> list[tuple]:  # type: ignore[type-arg]
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {built.staff_token}"
    page = _signed_in(base)
    screen = {"screen": built.evidence_screen}

    def timed(client: requests.Session, path: str, params: dict[str, str]) -> tuple[list, int]:  # type: ignore[type-arg]
        times, count = [], 0
        for _ in range(runs):
            t0 = time.perf_counter()
            answer = client.get(base + path, params=params, timeout=120)
            times.append(time.perf_counter() - t0)
            if answer.status_code != 200:
                raise SystemExit(f"{path} {params}: {answer.status_code} {answer.text[:300]}")
            body = answer.json() if "json" in answer.headers["Content-Type"] else None
            count = len(body["items"]) if body and "items" in body else count
        return times, count

    deep = dict(MONTH, **screen, limit="100")
    for _ in range(20):
        deep["cursor"] = api.get(base + API, params=deep, timeout=60).json()["next_cursor"]
    notice = {"notice": str(built.evidence_notice)}
    none = {"category": "政府文件"}  # no notice of the year has it
    rows: list[tuple] = []  # type: ignore[type-arg]
    for name, params in [
        ("display-log page (API): one screen, June", dict(MONTH, **screen)),
        (
            "display-log page (API): one notice, June",
            dict(MONTH, **notice),
        ),
        ("display-log page (API): one category, June", dict(MONTH, category="要闻")),
        ("display-log page (API): June, no filter", dict(MONTH)),
        ("display-log page (API): one screen, June, 21st page", deep),
        (
            "display-log page (API): nothing matches (worst case)",
            dict(MONTH, **screen, **none),
        ),
    ]:
        rows.append((name, 200, *timed(api, API, params), ""))
    for name, params in [
        ("display-log page (browser): one screen, June", dict(PAGE_MONTH, **screen)),
        (
            "display-log page (browser): nothing matches",
            dict(PAGE_MONTH, **screen, **none),
        ),
    ]:
        rows.append((name, 200, *timed(page, "/display-log", params), ""))
    evidence = f"/api/v1/reports/notices/{built.evidence_notice}/compliance"
    times, _ = timed(api, evidence, {})
    screens = len(api.get(base + evidence, timeout=60).json()["screens"])
    rows.append((f"compliance evidence: 30 days on {screens} screens", 500, times, screens, ""))
    times, _ = timed(api, "/api/v1/reports/annual", {"year": "2025"})
    rows.append(("yearly counts, 2025", 1000, times, 1, ""))
    for name, period in [
        ("a week's CSV, all screens", WEEK),
        ("a month's CSV, all screens", MONTH),
    ]:
        times, peaks, lines = [], [], 0
        for _ in range(max(1, runs // 2)):
            rss = PeakRss(pid)
            before = rss.now()
            with rss:
                t0 = time.perf_counter()
                with api.get(base + API, params=dict(period, format="csv"), stream=True) as answer:
                    answer.raise_for_status()
                    lines = sum(chunk.count(b"\n") for chunk in answer.iter_content(1 << 16))
                times.append(time.perf_counter() - t0)
            peaks.append((before, rss.peak))
        before, peak = max(peaks, key=lambda p: p[1])
        extra = f"server RSS {before / 2**20:.0f} MB before, peak {peak / 2**20:.0f} MB"
        rows.append((name, None, times, lines - 1, extra))
    return rows


def _signed_in(base: str) -> requests.Session:
    """A browser's session of the supervisor, signed in through the form."""
    client = requests.Session()
    form = client.get(f"{base}/login", timeout=10).text
    match = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert match is not None
    answer = client.post(
        f"{base}/login",
        data={"csrf_token": match.group(1), "username": "supervisor", "password": PASSWORD},
        timeout=10,
    )
    answer.raise_for_status()
    assert "session" in client.cookies or client.cookies, "signing in failed"
    return client


if __name__ == "__main__":
    main()
