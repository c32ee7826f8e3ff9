"""``/api/v1/holidays/<year>`` and ``/api/v1/reports/…``: the calendar and the reports."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from signage.api.common import (
    actor,
    config,
    csv_response,
    now,
    parse_body,
    parse_query,
    session,
)
from signage.api.contract import contract
from signage.errors import InvalidInput
from signage.reports import calendar, export, figures_export
from signage.reports.annual import annual_report
from signage.reports.compliance import compliance_report
from signage.reports.schemas import (
    YEAR_PATH,
    AnnualQuery,
    AnnualReply,
    CalendarReply,
    ComplianceQuery,
    ComplianceReply,
    HolidaysBody,
    UptimeQuery,
    UptimeReply,
)
from signage.reports.uptime import uptime_report

bp = Blueprint("reports", __name__)

READERS = "supervisor, admin"


def _year(text: str, field: str = "year") -> int:
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise InvalidInput("%(name)s must be a year such as 2027", name=field, field=field)
    return int(text)


@bp.get("/holidays/<year>")
@contract(
    "A year's public holidays and make-up workdays (official calendar or entered)",
    "any staff role",
    answers=CalendarReply,
    path={"year": YEAR_PATH},
)
def holidays(year: str) -> Any:
    user = actor()
    return export.calendar_json(calendar.view_holidays(session(), user, _year(year)))


@bp.put("/holidays/<year>")
@contract(
    "Enter or replace the holidays of a year the bundled calendar does not know",
    "admin",
    body=HolidaysBody,
    answers=CalendarReply,
    path={"year": YEAR_PATH},
)
def replace_holidays(year: str) -> Any:
    user = actor()
    number = _year(year)
    body = parse_body(HolidaysBody)
    entered = calendar.replace_holidays(
        session(),
        user,
        number,
        holidays=[calendar.DayEntry(d.date, d.name) for d in body.holidays],
        workdays=[calendar.DayEntry(d.date, d.name) for d in body.workdays],
        source=body.source,
        now=now(),
    )
    return export.calendar_json(entered)


@bp.get("/reports/notices/<int:notice_id>/compliance")
@contract(
    "Evidence that a notice (公示) was on display for its whole period",
    READERS,
    query=ComplianceQuery,
    answers=ComplianceReply,
    csv=True,
)
def compliance(notice_id: int) -> Any:
    user = actor()
    q = parse_query(ComplianceQuery)
    report = compliance_report(
        session(),
        user,
        notice_id,
        now=now(),
        weights=config("SIGNAGE_PRIORITY_WEIGHTS"),
        gap_minutes=q.gap_minutes,
    )
    if q.format == "csv":
        return csv_response(export.compliance_csv(report), f"compliance-notice-{notice_id}.csv")
    return export.compliance_json(report)


@bp.get("/reports/annual")
@contract(
    "Notices displayed and plays in a year, by category and screen",
    READERS,
    query=AnnualQuery,
    answers=AnnualReply,
    csv=True,
)
def annual() -> Any:
    user = actor()
    q = parse_query(AnnualQuery)
    report = annual_report(
        session(), user, _year(q.year), now=now(), timezone=config("SIGNAGE_TIMEZONE")
    )
    if q.format == "csv":
        return csv_response(figures_export.annual_csv(report), f"disclosure-{report.year}.csv")
    return figures_export.annual_json(report)


@bp.get("/reports/uptime")
@contract(
    "Screen uptime per day (at most 366 days)",
    READERS,
    query=UptimeQuery,
    answers=UptimeReply,
    csv=True,
)
def uptime() -> Any:
    user = actor()
    q = parse_query(UptimeQuery)
    report = uptime_report(
        session(),
        user,
        q.first,
        q.last,
        now=now(),
        timezone=config("SIGNAGE_TIMEZONE"),
        screen=q.screen,
    )
    if q.format == "csv":
        return csv_response(figures_export.uptime_csv(report), f"uptime-{q.first}-{q.last}.csv")
    return figures_export.uptime_json(report)
