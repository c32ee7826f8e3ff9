"""Pages: the reports (公示 compliance, disclosure counts, uptime) and the holiday calendar."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask_babel import gettext

from signage.accounts.models import Role
from signage.accounts.permissions import require_role
from signage.api.common import csv_response, query_date, query_int
from signage.audit.models import AuditEntry
from signage.audit.text import sentences
from signage.errors import Conflict, InvalidInput
from signage.evidence.checkpoints import checkpoint_archive, latest_checkpoint
from signage.notices.services import list_notices
from signage.reports import calendar, export, figures_export
from signage.reports.annual import FIRST_YEAR, AnnualReport, annual_report
from signage.reports.compliance import (
    DEFAULT_GAP_MINUTES,
    GAP_MINUTES_RANGE,
    ComplianceReport,
    compliance_report,
)
from signage.reports.gaps import duration_text
from signage.reports.uptime import UptimeReport, uptime_report
from signage.screens.services import list_screens
from signage.times import local_date
from signage.web.pages import done, message, now, session, signed_in, text, zone

bp = Blueprint("reports", __name__)

UPTIME_DAYS = dt.timedelta(days=13)  # the uptime page opens on the last two weeks


def _today() -> dt.date:
    return local_date(now(), zone())


PAGE = 30
PUBLISHED = ("approved", "expired", "withdrawn")  # the notices that have been on the screens


@bp.get("/reports/checkpoints.zip")
def checkpoints() -> Response:
    """Every signed checkpoint with the public keys that check it, to keep elsewhere."""
    require_role(signed_in(), Role.SUPERVISOR, Role.ADMIN)
    stamp = now().strftime("%Y%m%d")
    return Response(
        checkpoint_archive(session()),
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="checkpoints-{stamp}.zip"'},
    )


@bp.get("/reports")
def index() -> Any:
    db = session()
    actor = signed_in()
    require_role(actor, Role.SUPERVISOR, Role.ADMIN)
    status = request.args.get("status") or "approved"
    if status not in PUBLISHED:
        raise InvalidInput("status is approved, expired or withdrawn", field="status")
    page = query_int("page", 1, low=1, high=1_000_000)
    notices, total = list_notices(
        db,
        actor,
        status=status,
        text=request.args.get("text") or None,
        limit=PAGE,
        offset=(page - 1) * PAGE,
    )
    return render_template(
        "reports/index.html",
        notices=notices,
        status=status,
        statuses=PUBLISHED,
        text=request.args.get("text", ""),
        page=page,
        pages=max(1, -(-total // PAGE)),
        year=_today().year,
        today=_today(),
        uptime_from=_today() - UPTIME_DAYS,
        checkpoints=latest_checkpoint(db),
    )


# --- 公示 compliance ---------------------------------------------------------------------------


def _compliance(notice_id: int) -> ComplianceReport:
    return compliance_report(
        session(),
        signed_in(),
        notice_id,
        now=now(),
        weights=current_app.config["SIGNAGE_PRIORITY_WEIGHTS"],
        gap_minutes=query_int(
            "gap_minutes",
            DEFAULT_GAP_MINUTES,
            low=GAP_MINUTES_RANGE[0],
            high=GAP_MINUTES_RANGE[1],
        ),
    )


@bp.get("/reports/notices/<int:notice_id>/compliance")
def compliance(notice_id: int) -> Any:
    report = _compliance(notice_id)
    # The page says each audit record as a sentence with the person's name; the CSV and the
    # JSON keep the recorded action and login.
    seqs = [p.seq for p in report.audit]
    entries = list(session().scalars(sa.select(AuditEntry).where(AuditEntry.seq.in_(seqs))))
    said = dict(zip((e.seq for e in entries), sentences(session(), entries), strict=True))
    return render_template(
        "reports/compliance.html",
        report=report,
        gap_minutes=report.gap_threshold_s // 60,
        sentences=said,
    )


@bp.get("/reports/notices/<int:notice_id>/compliance.csv")
def compliance_csv(notice_id: int) -> Response:
    return csv_response(
        export.compliance_csv(_compliance(notice_id)),
        f"compliance-notice-{notice_id}.csv",
        for_excel=True,
    )


# --- yearly disclosure counts ------------------------------------------------------------------


def _annual() -> AnnualReport:
    return annual_report(
        session(),
        signed_in(),
        query_int("year", _today().year, low=FIRST_YEAR, high=9999),
        now=now(),
        timezone=current_app.config["SIGNAGE_TIMEZONE"],
    )


@bp.get("/reports/annual")
def annual() -> Any:
    report = _annual()
    return render_template(
        "reports/annual.html", report=report, this_year=_today().year, duration=duration_text
    )


@bp.get("/reports/annual.csv")
def annual_csv() -> Response:
    report = _annual()
    return csv_response(
        figures_export.annual_csv(report), f"disclosure-{report.year}.csv", for_excel=True
    )


# --- uptime ----------------------------------------------------------------------------------


def _uptime() -> UptimeReport:
    today = _today()
    return uptime_report(
        session(),
        signed_in(),
        query_date("from", today - UPTIME_DAYS),
        query_date("to", today),
        now=now(),
        timezone=current_app.config["SIGNAGE_TIMEZONE"],
        screen=request.args.get("screen") or None,
    )


@bp.get("/reports/uptime")
def uptime() -> Any:
    report = _uptime()
    return render_template(
        "reports/uptime.html",
        report=report,
        screens=list_screens(session(), signed_in()),
        chosen=request.args.get("screen", ""),
    )


@bp.get("/reports/uptime.csv")
def uptime_csv() -> Response:
    report = _uptime()
    return csv_response(
        figures_export.uptime_csv(report),
        f"uptime-{report.first_day}-{report.last_day}.csv",
        for_excel=True,
    )


# --- the working-day calendar ------------------------------------------------------------------


def _entries(field: str) -> list[calendar.DayEntry]:
    """Lines such as ``2027-02-08 春节`` (a date, then the name of the holiday)."""
    entries = []
    for number, line in enumerate(request.form.get(field, "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        # Split at any white space: tabs from a pasted table, full-width spaces from a
        # Chinese input method.
        day, name = [*line.split(None, 1), ""][:2]
        try:
            date = dt.date.fromisoformat(day.strip())
        except ValueError:
            raise InvalidInput(
                "line %(number)s: start with a date such as 2027-02-08, then the name",
                number=number,
                field=field,
            ) from None
        entries.append(calendar.DayEntry(date, name.strip()))
    return entries


def _holidays_page(year: int, status: int = 200, **context: Any) -> tuple[str, int]:
    db = session()
    actor = signed_in()
    try:
        known = calendar.view_holidays(db, actor, year)
    except calendar.CalendarUnknown:
        known = None
    first, last = calendar.package_years()
    return (
        render_template(
            "reports/holidays.html",
            year=year,
            known=known,
            package_years=(first, last),
            package_source=calendar.PACKAGE,
            entered=calendar.entered_years(db),
            form=request.form if request.method == "POST" else None,
            **context,
        ),
        status,
    )


@bp.route("/holidays/<int:year>", methods=["GET", "POST"])
def holidays(year: int) -> Any:
    actor = signed_in()
    if request.method == "GET":
        return _holidays_page(year)
    try:
        calendar.replace_holidays(
            session(),
            actor,
            year,
            holidays=_entries("holidays"),
            workdays=_entries("workdays"),
            source=text("source"),
            now=now(),
        )
    except (InvalidInput, Conflict) as exc:
        return _holidays_page(year, 422, error=message(exc), field=exc.field)
    done(
        gettext(
            "The holidays of %(year)s are saved. Due dates and 公示 periods count them from now "
            "on.",
            year=year,
        )
    )
    return redirect(url_for(".holidays", year=year), 303)


@bp.get("/holidays")
def holidays_now() -> Response:
    return redirect(url_for(".holidays", year=_today().year + 1))
