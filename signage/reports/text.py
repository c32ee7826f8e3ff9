"""The reports as plain text lines, for ``signage report`` and ``signage holidays show``.

Times are local to the report's time zone (``YYYY-MM-DD HH:MM``); durations in minutes.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from signage.reports.annual import AnnualReport
from signage.reports.calendar import YearCalendar
from signage.reports.compliance import ComplianceReport
from signage.reports.uptime import UptimeReport


def local(value: dt.datetime | None, timezone: str) -> str:
    """A time in ``timezone`` to the minute, or a dash."""
    if value is None:
        return "—"
    try:
        return value.astimezone(zoneinfo.ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")
    except (OverflowError, ValueError):  # stored out of range, near year 1 or 9999
        return value.isoformat()


def annual_lines(result: AnnualReport) -> list[str]:
    span = f"{result.first_day} – {result.last_day}" + ("" if result.complete else ", so far")
    lines = [f"{result.year}年 ({span}): {result.headline}; {result.total.plays} plays"]
    for title, rows in (("by category", result.by_category), ("by screen", result.by_screen)):
        lines.append(f"{title}:")
        for row in rows:
            label = row.key if row.key == row.name else f"{row.key} {row.name}"
            lines.append(f"  {label}: {row.notices} notices, {row.plays} plays")
    return lines


def compliance_lines(r: ComplianceReport, zone: str) -> list[str]:
    period = (
        f"{r.required_working_days} working days"
        if r.required_working_days
        else "its validity window"
    )
    lines = [
        f"notice {r.notice_id} {r.title} [{r.category}], {r.status}",
        f"period: {period} from {local(r.start, zone)} ({zone})",
        f"verdict: {r.verdict}",
    ]
    lines += [f"  {reason}" for reason in r.reasons]
    for a in r.approvals:
        confirmed = "confirmed" if a.confidentiality_reviewed else "NOT confirmed"
        lines.append(
            f"approved: revision {a.revision} by {a.reviewed_by} at "
            f"{local(a.reviewed_at, zone)}, confidentiality review {confirmed}"
            + (f", note: {a.note}" if a.note else "")
        )
        lines += [
            f"  stage {d.stage}: {d.decision} by {d.by} at {local(d.at, zone)}" for d in a.stages
        ]
    for s in r.screens:
        lines.append(
            f"screen {s.screen} ({s.screen_name}) {local(s.period_start, zone)} → "
            f"{local(s.period_end, zone)}: {s.verdict}"
        )
        lines += [f"  {reason}" for reason in s.reasons]
        expected = "not simulated" if s.expected_plays is None else str(s.expected_plays)
        lines.append(
            f"  plays {s.plays} (expected {expected}), interrupted {s.interrupted}, "
            f"errors {s.errors}; first display {local(s.first_display, zone)}, "
            f"last {local(s.last_display, zone)}"
        )
        for g in s.gaps:
            causes = ", ".join(f"{c} {secs // 60} min" for c, secs in g.causes)
            mark = "  COUNTS AGAINST" if g.counts_against else ""
            lines.append(f"  gap {local(g.start, zone)} → {local(g.end, zone)}: {causes}{mark}")
        for name, point in (
            ("first event", s.first_event),
            ("last event", s.last_event),
            ("chain head", s.chain_head),
        ):
            if point is not None:
                lines.append(f"  {name}: #{point.seq} {point.hash}")
        if s.checkpoint is not None:
            c = s.checkpoint
            lines.append(
                f"  checkpoint {c.number} ({local(c.made_at, zone)}, sha256 {c.sha256}) covers "
                f"it: controller key {c.controller_key}, player key {c.player_key}"
            )
    if r.audit_head is not None:
        lines.append(f"audit log head: #{r.audit_head.seq} {r.audit_head.hash}")
    return lines


def uptime_lines(r: UptimeReport) -> list[str]:
    lines = []
    for s in r.screens:
        share = s.total.open_uptime
        shown = "not monitored" if share is None else f"{share:.1%} of opening hours up"
        lines.append(f"{s.screen} ({s.name}), {s.status} now: {shown}")
    return lines


def holidays_lines(calendar: YearCalendar) -> list[str]:
    source = (
        "the bundled official calendar (chinesecalendar)"
        if calendar.source == "chinesecalendar"
        else f"entered by {calendar.entered_by} at {calendar.entered_at:%Y-%m-%d %H:%M} UTC"
        + (f" from {calendar.reference}" if calendar.reference else "")
    )
    lines = [f"{calendar.year}: {source}"]
    days = [(d, "holiday", n) for d, n in calendar.holidays.items()]
    days += [(d, "workday", n) for d, n in calendar.workdays.items()]
    for day, kind, name in sorted(days):
        lines.append(f"  {day} {day:%a}  {kind}  {name}")
    return lines
