"""``/api/v1/holidays/<year>`` and ``/api/v1/reports/…``: the calendar and the reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, request

from signage.api.common import (
    actor,
    config,
    csv_response,
    now,
    parse_body,
    query_date,
    query_int,
    session,
)
from signage.errors import InvalidInput
from signage.reports import calendar, export
from signage.reports.annual import annual_report
from signage.reports.compliance import (
    DEFAULT_GAP_MINUTES,
    GAP_MINUTES_RANGE,
    compliance_report,
)
from signage.reports.schemas import HolidaysBody
from signage.reports.uptime import uptime_report
from signage.times import FIRST_DATE

bp = Blueprint("reports", __name__)


def _year(text: str, field: str = "year") -> int:
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise InvalidInput(f"{field} must be a year such as 2027", field=field)
    return int(text)


def _day(name: str) -> dt.date:
    if not request.args.get(name, "").strip():
        raise InvalidInput(f"{name} is required (a date such as 2026-11-01)", field=name)
    return query_date(name, FIRST_DATE)


def _wants_csv() -> bool:
    chosen = request.args.get("format", "json")
    if chosen not in ("json", "csv"):
        raise InvalidInput("format is json or csv", field="format")
    return chosen == "csv"


@bp.get("/holidays/<year>")
def holidays(year: str) -> Any:
    user = actor()
    return export.calendar_json(calendar.view_holidays(session(), user, _year(year)))


@bp.put("/holidays/<year>")
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
def compliance(notice_id: int) -> Any:
    user = actor()
    csv = _wants_csv()
    report = compliance_report(
        session(),
        user,
        notice_id,
        now=now(),
        weights=config("SIGNAGE_PRIORITY_WEIGHTS"),
        gap_minutes=query_int(
            "gap_minutes",
            DEFAULT_GAP_MINUTES,
            low=GAP_MINUTES_RANGE[0],
            high=GAP_MINUTES_RANGE[1],
        ),
    )
    if csv:
        return csv_response(export.compliance_csv(report), f"compliance-notice-{notice_id}.csv")
    return export.compliance_json(report)


@bp.get("/reports/annual")
def annual() -> Any:
    user = actor()
    csv = _wants_csv()
    raw = request.args.get("year")
    if raw is None:
        raise InvalidInput("year is required, e.g. year=2026", field="year")
    report = annual_report(
        session(), user, _year(raw), now=now(), timezone=config("SIGNAGE_TIMEZONE")
    )
    if csv:
        return csv_response(export.annual_csv(report), f"disclosure-{report.year}.csv")
    return export.annual_json(report)


@bp.get("/reports/uptime")
def uptime() -> Any:
    user = actor()
    csv = _wants_csv()
    first, last = _day("from"), _day("to")
    report = uptime_report(
        session(),
        user,
        first,
        last,
        now=now(),
        timezone=config("SIGNAGE_TIMEZONE"),
        screen=request.args.get("screen"),
    )
    if csv:
        return csv_response(export.uptime_csv(report), f"uptime-{first}-{last}.csv")
    return export.uptime_json(report)
