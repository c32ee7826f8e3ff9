"""The yearly disclosure counts and the uptime report as JSON-ready dicts and as CSV text (the
API, the pages and the command line share these). Times are UTC with ``Z``; days are local
dates (``YYYY-MM-DD``); durations are whole seconds."""

from __future__ import annotations

from typing import Any

from signage.csvfiles import to_csv
from signage.reports.annual import AnnualReport, CountRow
from signage.reports.measures import UptimeFigures
from signage.reports.uptime import UptimeReport
from signage.times import isoformat_z

# --- annual -----------------------------------------------------------------------------------


def _count_json(row: CountRow) -> dict[str, Any]:
    return {
        "key": row.key,
        "name": row.name,
        "notices": row.notices,
        "plays": row.plays,
        "interrupted": row.interrupted,
        "errors": row.errors,
        "shown_s": row.shown_ms // 1000,
    }


def annual_json(r: AnnualReport) -> Any:
    return {
        "year": r.year,
        "timezone": r.timezone,
        "from": r.first_day.isoformat(),
        "to": r.last_day.isoformat(),
        "complete": r.complete,
        "headline": r.headline,
        "notices": r.total.notices,
        "plays": r.total.plays,
        "total": _count_json(r.total),
        "by_category": [_count_json(c) for c in r.by_category],
        "by_screen": [_count_json(c) for c in r.by_screen],
        "rolled_through": r.rolled_through.isoformat() if r.rolled_through else None,
        "generated_at": isoformat_z(r.generated_at),
    }


ANNUAL_COLUMNS = ("section", "key", "name", "notices", "plays", "interrupted", "errors", "shown_s")


def annual_csv(r: AnnualReport) -> str:
    def row(section: str, c: CountRow) -> list[Any]:
        return [
            section,
            c.key,
            c.name,
            c.notices,
            c.plays,
            c.interrupted,
            c.errors,
            c.shown_ms // 1000,
        ]

    rows = [row("total", r.total)]
    rows += [row("category", c) for c in r.by_category]
    rows += [row("screen", c) for c in r.by_screen]
    return to_csv(ANNUAL_COLUMNS, rows)


# --- uptime -----------------------------------------------------------------------------------


def _ratio(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


def _figures_json(f: UptimeFigures) -> dict[str, Any]:
    return {
        "monitored_s": f.monitored_s,
        "up_s": f.up_s,
        "offline_s": f.offline_s,
        "open_s": f.open_s,
        "open_up_s": f.open_up_s,
        "uptime": _ratio(f.uptime),
        "open_uptime": _ratio(f.open_uptime),
    }


def uptime_json(r: UptimeReport) -> Any:
    return {
        "from": r.first_day.isoformat(),
        "to": r.last_day.isoformat(),
        "timezone": r.timezone,
        "screens": [
            {
                "screen": s.screen,
                "name": s.name,
                "status": s.status,
                "last_seen_at": isoformat_z(s.last_seen_at) if s.last_seen_at else None,
                "total": _figures_json(s.total),
                "days": [
                    {"day": d.day.isoformat(), "partial": d.partial} | _figures_json(d.figures)
                    for d in s.days
                ],
            }
            for s in r.screens
        ],
        "generated_at": isoformat_z(r.generated_at),
    }


UPTIME_COLUMNS = (
    "day",
    "screen",
    "name",
    "monitored_s",
    "up_s",
    "offline_s",
    "open_s",
    "open_up_s",
    "uptime",
    "open_uptime",
    "partial",
)


def uptime_csv(r: UptimeReport) -> str:
    rows = []
    for s in r.screens:
        for d in s.days:
            f = d.figures
            rows.append(
                [
                    d.day.isoformat(),
                    s.screen,
                    s.name,
                    f.monitored_s,
                    f.up_s,
                    f.offline_s,
                    f.open_s,
                    f.open_up_s,
                    _ratio(f.uptime),
                    _ratio(f.open_uptime),
                    str(d.partial).lower(),
                ]
            )
    return to_csv(UPTIME_COLUMNS, rows)
