"""The fleet benchmark after an outage: how long the backlog took to store, and what it cost."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from bench.fleet.stats import percentile, table, verdict
from signage.displaylog.models import DisplayEvent

TARGET_S = 180  # the backlog of an hour's outage is stored within 3 minutes


def report(
    args: Any, url: str, start_at: float, back_at: float, outs: list[dict[str, Any]]
) -> None:
    samples = [s for o in outs for s in o["samples"]]
    down_at = start_at + args.outage_at
    # Back when the players first heard from it again (a readiness probe may wait in the
    # same queue as they do).
    back_at = min(
        (s[0] for s in samples if s[0] >= down_at and s[2] in (200, 304)), default=back_at
    )
    drained = [t for o in outs for t in o["drained_at"] if t is not None and t >= back_at]
    left = sum(o["pending_left"] for o in outs)
    behind = sum(o["players_waiting"] for o in outs)
    done_at = max(drained, default=back_at)
    print(
        f"\noutage at {args.outage_at:.0f} s: the server down {args.outage_s:.0f} s, back with "
        f"its clock {args.outage_hours:g} h ahead (the players' too), answering "
        f"the players again {back_at - start_at:.1f} s into the run"
    )
    table(
        samples,
        [
            ("first minute after the restart", back_at, back_at + 60),
            ("until the backlog was stored", back_at, done_at),
        ],
    )
    polls = [s[3] for s in samples if s[1] == "playlist" and back_at <= s[0] < done_at]
    p99 = percentile(polls, 0.99)
    engine = sa.create_engine(url)
    shift = dt.timedelta(hours=args.outage_hours)
    # Received after the restart: on the server's clock, moved ahead by the outage.
    restarted = dt.datetime.fromtimestamp(down_at, dt.UTC) + shift
    e = DisplayEvent
    with engine.connect() as c:
        rows = c.scalar(sa.select(sa.func.count()).select_from(e))
        distinct = c.scalar(sa.select(sa.func.count(sa.distinct(e.event_id))))
        after = c.scalar(sa.select(sa.func.count()).where(e.received_at >= restarted))
    engine.dispose()
    took = done_at - back_at
    accepted = sum(o["accepted"] for o in outs)
    print(
        f"backlog: {after:,} events stored after the restart in {took:.1f} s "
        f"({after / max(took, 0.001):,.0f} a second; target for an hour's outage of 10,000 "
        f"screens: 3.6 million within {TARGET_S} s, 20,000 a second); "
        f"{left:,} events still waiting at the end, on {behind:,} players; poll p99"
        f" meanwhile {p99:.1f} ms "
        f"(target < 100: {verdict(p99 < 100)})"
    )
    print(
        f"uploads paced (503 with Retry-After): {sum(o['paced'] for o in outs):,}; events "
        f"accepted {accepted:,}, duplicates {sum(o['duplicates'] for o in outs):,}, rejected "
        f"{sum(o['rejected'] for o in outs):,}; rows in the display log {rows:,} "
        f"({distinct:,} distinct: {verdict(rows == distinct)} stored once each; uploads answered "
        f"after the generators stopped waiting are stored but not counted as accepted)"
    )
