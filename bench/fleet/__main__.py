"""Benchmark: a fleet of simulated players against a real ``signage serve``.

    .venv/bin/python -m bench.fleet [--players 2000] [--seconds 150] [--change-at 75]
        [--database-url URL] [--hosts 1] [--workers 1] [--threads 32] [--generators 2]
        [--connections C] [--short-notices] [--outage-at T --outage-s S --outage-hours H]
        [--poll-s 10] [--change notice|blackout]

Builds N screens in a new database (SQLite in a temporary folder, or the empty PostgreSQL
database given), starts ``signage serve`` on it (``--hosts N``: N of them on the PostgreSQL
database, each its own data folder, behind an nginx the benchmark starts with the README's
upstream configuration), and as soon as it answers starts the simulated
players (:mod:`bench.fleet.players`, in ``--generators`` processes): each polls every 10 s
(``--poll-s``),
sends a heartbeat every 30 s and uploads its display events every 60 s, starting at random
phases, so the first minute is the first minute after a controller start with nothing cached.
At ``--change-at`` seconds a notice aimed at every screen is approved over the API (``--change
blackout``: every screen is blacked out, ``POST /api/v1/blackouts {"all": true}``, and a player
sees it on the first poll that brings a playlist with the blackout order). Prints, per
endpoint and period (the first minute, the steady run before the change, the minute after it):
requests, p50, p99 and max latency, and errors; the propagation of the change (from the
approving request's answer to each player's first poll that sees it: p50, p99, max, against
the poll interval + 1 s and + 2 s); and the generators' own lag and CPU, which say whether
they kept up (a generator that lags is the bottleneck, not the server).

With ``--outage-at T`` there is no change; instead the server is stopped at T seconds, stays
down ``--outage-s`` seconds, and is started again with its clock ``--outage-hours`` ahead
(``faketime``), as the players' clocks jump too: they come back having shown their items for
that long, with those events waiting. Prints the same table for the minute after the restart
and until the backlog was stored, how long storing it took, how many uploads were paced (503
with Retry-After), and whether every event was stored exactly once.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.fleet import outage
from bench.fleet.hosts import Hosts, wait_up
from bench.fleet.setup import build
from bench.fleet.stats import percentile, table, verdict
from signage.cli.serve import DEFAULT_THREADS

HEARTBEAT_S, UPLOAD_S = 30, 60


def approve(base: str, token: str, notice: int) -> float:
    """Approve the watched notice over the API; return when the answer came (time.time())."""
    request = urllib.request.Request(
        f"{base}/api/v1/notices/{notice}/approve",
        data=json.dumps({"revision": 1, "confidentiality_reviewed": True}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        answer.read()
    return time.time()


def black_out(base: str, token: str) -> float:
    """Black out every screen over the API; return when the answer came (time.time())."""
    request = urllib.request.Request(
        f"{base}/api/v1/blackouts",
        data=json.dumps({"all": True, "reason": "bench"}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        answer.read()
    return time.time()


def main() -> None:
    parser = argparse.ArgumentParser(description="a fleet of players against signage serve")
    parser.add_argument("--players", type=int, default=2000)
    parser.add_argument("--seconds", type=int, default=150)
    parser.add_argument("--change-at", type=float, default=75)
    parser.add_argument("--database-url")
    parser.add_argument("--poll-s", type=int, default=10, help="the players' poll interval, s")
    parser.add_argument(
        "--change",
        choices=["notice", "blackout"],
        default="notice",
        help="what changes at --change-at: a notice for every screen approved, or a blackout",
    )
    parser.add_argument("--generators", type=int, default=2)
    parser.add_argument(
        "--connections",
        type=int,
        help="keep-alive connections per generator (default: one per player, as players keep "
        "theirs open between polls)",
    )
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument(
        "--hosts",
        type=int,
        default=1,
        help="controller hosts on the PostgreSQL database, behind nginx when more than one",
    )
    parser.add_argument(
        "--threads", type=int, default=DEFAULT_THREADS, help="threads per worker (serve's default)"
    )
    parser.add_argument("--server", choices=["gunicorn", "waitress"], help="default: serve's")
    parser.add_argument(
        "--short-notices", action="store_true", help="notices of one line (15–30 s each)"
    )
    parser.add_argument("--outage-at", type=float, help="stop the server this many seconds in")
    parser.add_argument("--outage-s", type=float, default=10, help="real seconds it stays down")
    parser.add_argument(
        "--outage-hours", type=float, default=1.0, help="how long the outage lasts for the clocks"
    )
    parser.add_argument(
        "--controller-root",
        help="run signage init and serve from this source tree instead (figures before a change)",
    )
    args = parser.parse_args()
    if args.hosts > 1 and not (args.database_url or "").startswith("postgresql"):
        parser.error("--hosts above 1 needs --database-url of a PostgreSQL database")
    tmp = Path(tempfile.mkdtemp(prefix="fleet-"))
    url = args.database_url or f"sqlite:///{tmp / 'signage.db'}"
    env = dict(
        os.environ,
        SIGNAGE_DATA_DIR=str(tmp),
        SIGNAGE_DATABASE_URL=url,
        SIGNAGE_POLL_INTERVAL_S=f"{args.poll_s:g}",
        SIGNAGE_HEARTBEAT_S=str(HEARTBEAT_S),
    )
    if args.controller_root:
        env["PYTHONPATH"] = str(Path(args.controller_root).resolve())
    signage = [sys.executable, "-m", "signage"]
    subprocess.run([*signage, "init"], env=env, check=True, capture_output=True)
    t0 = time.perf_counter()
    seed = secrets.token_hex(8)
    data = build(url, args.players, seed, short=args.short_notices)
    print(
        f"built {args.players} screens in {time.perf_counter() - t0:.1f} s in {tmp}",
        file=sys.stderr,
    )
    connections = args.connections or -(-args.players // args.generators)
    model = ["--workers", str(args.workers), "--threads", str(args.threads)]
    if args.server:
        model += ["--server", args.server]
    hosts = Hosts(
        args.hosts, lambda port: [*signage, "serve", "--port", str(port), *model], env, tmp
    )
    try:
        changed_at, outs, start_at, back_at = drive(args, hosts, data, seed, connections, tmp)
    finally:
        hosts.close()
    report(args, url, start_at, changed_at, outs, hosts.cpu_s)
    if back_at is not None:
        outage.report(args, url, start_at, back_at, outs)


def drive(args, hosts, data, seed, connections, tmp):  # type: ignore[no-untyped-def]
    """Start the generators once the servers answer, approve the change on time (or stop the
    servers and start them again for an outage), collect."""
    hosts.start()
    base = f"http://127.0.0.1:{hosts.port}"
    back_at = None
    wait_up(f"{base}/api/v1/keys", lambda: True)
    start_at = time.time() + 0.5
    spec = {
        "host": "127.0.0.1",
        "port": hosts.port,
        "connections": connections,
        "seed": seed,
        "tokens": data["tokens"],
        "watch_notice": data["watch_notice"],
        "start_at": start_at,
        "seconds": args.seconds,
        "poll_s": args.poll_s,
        "watch": args.change,
        "heartbeat_s": HEARTBEAT_S,
        "upload_s": UPLOAD_S,
    }
    if args.outage_at is not None:
        spec["outage"] = {"at": start_at + args.outage_at, "shift_s": args.outage_hours * 3600}
    (tmp / "spec.json").write_text(json.dumps(spec))
    outs = [tmp / f"out-{i}.json" for i in range(args.generators)]
    generators = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.fleet.players",
                str(tmp / "spec.json"),
                str(i),
                str(args.generators),
                str(out),
            ]
        )
        for i, out in enumerate(outs)
    ]
    if args.outage_at is None:
        time.sleep(max(0.0, start_at + args.change_at - time.time()))
        changed_at = (
            black_out(base, str(data["duty_token"]))
            if args.change == "blackout"
            else approve(base, str(data["staff_token"]), int(data["watch_notice"]))
        )
    else:
        changed_at = start_at + args.seconds  # no change
        # Down a moment before the players' clocks jump: nothing they make with the new time
        # reaches a server still running on the old one.
        time.sleep(max(0.0, spec["outage"]["at"] - 2 - time.time()))
        hosts.stop()
        time.sleep(args.outage_s)
        hosts.start(["faketime", "-f", f"+{int(args.outage_hours * 3600)}s"])
        wait_up(f"{base}/healthz", lambda: True)
        back_at = time.time()
    for g in generators:
        if g.wait() != 0:
            raise SystemExit("a generator failed")
    hosts.stop()
    return changed_at, [json.loads(o.read_text()) for o in outs], start_at, back_at


def report(args, url, start_at, changed_at, outs, server_cpu) -> None:  # type: ignore[no-untyped-def]
    samples = [s for o in outs for s in o["samples"]]
    periods = [("first minute", start_at, start_at + 60), ("steady", start_at + 60, changed_at)]
    if args.outage_at is None:
        periods.append(("minute after the change", changed_at, changed_at + 60))
    else:
        periods[-1] = ("steady", start_at + 60, start_at + args.outage_at)
    backend = url.split(":", 1)[0].split("+")[0]
    print(
        f"fleet benchmark: {args.players} players (poll {args.poll_s:g} s, "
        f"heartbeat {HEARTBEAT_S} s, "
        f"events every {UPLOAD_S} s), {args.seconds} s, {args.hosts} signage serve "
        f"({args.workers} worker(s) × {args.threads} threads) on {backend}"
        f"{' behind nginx' if args.hosts > 1 else ''}, "
        f"{args.generators} generator processes"
    )
    table(samples, periods)
    polls = [s[3] for s in samples if s[1] == "playlist"]
    p99 = percentile(polls, 0.99)
    print(f"poll p99 over the whole run: {p99:.1f} ms (target < 100: {verdict(p99 < 100)})")
    errors: dict[str, int] = {}
    for o in outs:
        for k, v in o["errors"].items():
            errors[k] = errors.get(k, 0) + v
    print(f"connection errors: {errors or 'none'}")
    if args.outage_at is None:
        propagation(outs, changed_at, args.poll_s, args.change)
    lags = [x for o in outs for x in o["lags_ms"]]
    gen_cpu = sum(o["cpu_s"] for o in outs)
    sent = sum(o["events_sent"] for o in outs)
    print(
        f"generators: send lag p50 {percentile(lags, 0.5):.1f} ms, "
        f"p99 {percentile(lags, 0.99):.1f} ms; CPU {gen_cpu:.1f} s in {args.seconds} s; "
        f"{sent} events shown; server CPU {server_cpu:.1f} s "
        f"({server_cpu / args.seconds:.0%} of one core)"
    )


def propagation(outs, changed_at, poll_s, change) -> None:  # type: ignore[no-untyped-def]
    seen = [t - changed_at for o in outs for t in o["saw_watched"] if t is not None]
    missing = sum(1 for o in outs for t in o["saw_watched"] if t is None)
    delays = sorted(max(0.0, d) for d in seen)
    p99d, maxd = percentile(delays, 0.99), max(delays, default=float("nan"))
    # A blackout's targets are absolute (within 2 s for 99 %, 5 s for all); a change's are
    # the poll interval + 1 s and + 2 s.
    p99_target, max_target = (2.0, 5.0) if change == "blackout" else (poll_s + 1, poll_s + 2)
    what = (
        "a blackout of every screen" if change == "blackout" else "a change aimed at every screen"
    )
    print(
        f"propagation of {what}: p50 {percentile(delays, 0.5):.2f} s, "
        f"p99 {p99d:.2f} s (target ≤ {p99_target:g} s: {verdict(p99d <= p99_target)}), "
        f"max {maxd:.2f} s (target ≤ {max_target:g} s: {verdict(maxd <= max_target)}); "
        f"{missing} players never saw it"
    )


if __name__ == "__main__":
    main()
