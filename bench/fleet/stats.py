"""The fleet benchmark's figures: percentiles and the table of latencies per period."""

from __future__ import annotations

from typing import Any


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def table(samples: list[Any], periods: list[tuple[str, float, float]]) -> None:
    """Requests, p50, p99 and max latency and the answers not 2xx/304, per period and
    endpoint (``samples``: start, endpoint, status, ms)."""
    print(
        f"{'period':<32} {'endpoint':<10} {'requests':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'max ms':>8} {'non-2xx/304':>11}"
    )
    for name, lo, hi in periods:
        for kind in ("playlist", "heartbeat", "events"):
            mine = [s for s in samples if s[1] == kind and lo <= s[0] < hi]
            times = [s[3] for s in mine]
            bad = sum(1 for s in mine if s[2] not in (200, 304))
            print(
                f"{name:<32} {kind:<10} {len(mine):>8} {percentile(times, 0.5):>8.1f} "
                f"{percentile(times, 0.99):>8.1f} {max(times, default=float('nan')):>8.1f} "
                f"{bad:>11}"
            )
