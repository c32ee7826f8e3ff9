"""``signage report`` and ``signage holidays``: the supervisor's reports and the calendar."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from signage.cli.base import Context, cli, echo_lines, pass_context, require_schema
from signage.clock import utcnow
from signage.db import get_db
from signage.errors import ServiceError
from signage.reports import export, figures_export, text
from signage.reports.annual import annual_report
from signage.reports.calendar import view_holidays
from signage.reports.compliance import compliance_report
from signage.reports.tasks import run_rollups
from signage.reports.uptime import uptime_report


@cli.group()
def report() -> None:
    """The supervisor's reports; the operator needs no account (CSV with --csv)."""


def _date_option(_ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
    if value is None:
        return None
    try:
        if isinstance(value, tuple):
            return tuple(dt.date.fromisoformat(v) for v in value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("give a date as YYYY-MM-DD") from None


@report.command("annual")
@click.option("--year", required=True, type=int, help="the calendar year, e.g. 2026")
@click.option("--csv", "as_csv", is_flag=True, help="print CSV instead of a summary")
@pass_context
def report_annual(context: Context, year: int, as_csv: bool) -> None:
    """Notices displayed and their plays in YEAR, by category and by screen."""
    with context.session() as session:
        result = annual_report(
            session, None, year, now=utcnow(), timezone=context.app.config["SIGNAGE_TIMEZONE"]
        )
    if as_csv:
        click.echo(figures_export.annual_csv(result), nl=False)
        return
    echo_lines(text.annual_lines(result))


@report.command("compliance")
@click.argument("notice_id", type=click.IntRange(min=1))
@click.option("--csv", "as_csv", is_flag=True, help="print CSV instead of a summary")
@click.option(
    "--gap-minutes",
    type=click.IntRange(1, 24 * 60),
    default=30,
    show_default=True,
    help="report gaps between displays longer than this",
)
@pass_context
def report_compliance(context: Context, notice_id: int, as_csv: bool, gap_minutes: int) -> None:
    """Evidence that notice NOTICE_ID was on display for its whole period (公示)."""
    config = context.app.config
    zone = config["SIGNAGE_TIMEZONE"]
    with context.session() as session:
        r = compliance_report(
            session,
            None,
            notice_id,
            now=utcnow(),
            weights=config["SIGNAGE_PRIORITY_WEIGHTS"],
            gap_minutes=gap_minutes,
        )
    if as_csv:
        click.echo(export.compliance_csv(r), nl=False)
        return
    echo_lines(text.compliance_lines(r, zone))


@report.command("uptime")
@click.option("--from", "first", required=True, callback=_date_option, help="YYYY-MM-DD")
@click.option("--to", "last", required=True, callback=_date_option, help="YYYY-MM-DD")
@click.option("--screen", help="one screen's key")
@click.option("--csv", "as_csv", is_flag=True, help="print CSV (a row per screen and day)")
@pass_context
def report_uptime(
    context: Context, first: dt.date, last: dt.date, screen: str | None, as_csv: bool
) -> None:
    """Each screen's uptime per day from --from through --to."""
    with context.session() as session:
        r = uptime_report(
            session,
            None,
            first,
            last,
            now=utcnow(),
            timezone=context.app.config["SIGNAGE_TIMEZONE"],
            screen=screen,
        )
    if as_csv:
        click.echo(figures_export.uptime_csv(r), nl=False)
        return
    echo_lines(text.uptime_lines(r))


@report.command("rollup")
@click.option(
    "--recompute",
    multiple=True,
    callback=_date_option,
    help="also count this day again from the raw log (YYYY-MM-DD); repeatable",
)
@pass_context
def report_rollup(context: Context, recompute: tuple[dt.date, ...]) -> None:
    """Roll up the complete days not yet rolled up (the scheduler does this by itself)."""
    require_schema(get_db(context.app).engine)
    try:
        results = run_rollups(context.app, recompute=recompute)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    if not results:
        raise click.ClickException("another process is rolling up now; try again later")
    rolled = [d for r in results for d in r.rolled]
    recomputed = [d for r in results for d in r.recomputed]
    late = sum(r.late_events for r in results)
    click.echo(
        f"rolled up {len(rolled)} day(s)"
        + (f" ({rolled[0]} – {rolled[-1]})" if rolled else "")
        + f"; {late} late event(s) counted; recomputed {len(recomputed)} day(s); "
        f"rolled up through {results[-1].rolled_through}"
    )


@cli.group()
def holidays() -> None:
    """The working-day calendar (public holidays and make-up workdays)."""


@holidays.command("show")
@click.argument("year", type=int)
@pass_context
def holidays_show(context: Context, year: int) -> None:
    """Print YEAR's holidays and make-up workdays, and where they come from."""
    with context.session() as session:
        calendar = view_holidays(session, None, year)
    echo_lines(text.holidays_lines(calendar))
