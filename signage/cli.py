"""The ``signage`` command line: set up the database, run the server, manage users and screens.

Every command reads the same settings as the server (``SIGNAGE_*`` variables). A command that
issues a password or token prints it alone on the last line, so a script can capture it with
``tail -n 1``. Bad arguments exit non-zero with a one-line reason.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from signage import migrate
from signage.accounts import services as accounts
from signage.accounts.models import Role, User
from signage.clock import utcnow
from signage.db import get_db
from signage.errors import ServiceError


class Context:
    """The app the command works on, created lazily so ``--help`` needs no settings."""

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        self.config = config
        self._app: Flask | None = None

    @property
    def app(self) -> Flask:
        if self._app is None:
            from signage.app import create_app

            try:
                self._app = create_app(self.config)
            except ValueError as exc:
                raise click.ClickException(str(exc)) from None
        return self._app

    @contextmanager
    def session(self, *, check_schema: bool = True) -> Iterator[Session]:
        """Yield a session committed at the end, or rolled back on any error."""
        db = get_db(self.app)
        if check_schema:
            _require_schema(db.engine)
        session = db.session()
        try:
            yield session
            session.commit()
        except ServiceError as exc:
            session.rollback()
            raise click.ClickException(exc.message) from None
        except Exception:
            session.rollback()
            raise
        finally:
            session.close()


def _require_schema(engine: sa.Engine) -> None:
    current = migrate.current_revision(engine)
    if current is None:
        raise click.ClickException("the database is empty; run 'signage init' first")
    if current != migrate.head_revision():
        raise click.ClickException(
            f"the database schema is at {current}, not {migrate.head_revision()}; "
            "run 'signage init' to upgrade it"
        )


pass_context = click.make_pass_decorator(Context, ensure=True)


@click.group()
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Signage controller: notices for LED screens, their review, playlists and display logs."""
    if ctx.obj is None:
        ctx.obj = Context()


@cli.command()
@pass_context
def init(context: Context) -> None:
    """Create the database, or upgrade it to the current schema."""
    engine = get_db(context.app).engine
    before = migrate.current_revision(engine)
    migrate.upgrade(engine)
    after = migrate.current_revision(engine)
    click.echo(f"database: {_safe_url(engine)}")
    click.echo(
        "schema created"
        if before is None
        else ("schema up to date" if before == after else f"schema upgraded {before} → {after}")
    )
    with context.session() as session:
        if session.scalar(sa.select(sa.func.count()).select_from(User)) == 0:
            _, password = accounts.create_user(
                session,
                None,
                username="admin",
                roles=[Role.ADMIN],
                display_name="管理员",
                now=utcnow(),
            )
            click.echo("created user 'admin' (role admin); its password, shown this once:")
            click.echo(password)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--threads",
    default=8,
    show_default=True,
    type=click.IntRange(1, 256),
    help="threads per worker process",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="worker processes sharing the port (POSIX only; use about one per core)",
)
@pass_context
def serve(context: Context, host: str, port: int, threads: int, workers: int) -> None:
    """Run the controller on the Waitress WSGI server, with the housekeeping scheduler."""
    import logging

    from signage.scheduler import start_scheduler
    from signage.server import serve as run_server

    _require_schema(get_db(context.app).engine)
    if workers > 1 and not hasattr(os, "fork"):
        raise click.ClickException("--workers above 1 needs Linux or another POSIX system")
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not a line per run of a job

    def make_app(index: int) -> Flask:
        # Each worker builds its own app after the fork; only the first runs the scheduler
        # (the jobs take a database lock and are idempotent, so this is for economy only).
        from signage.app import create_app

        app = context.app if workers == 1 else create_app(context.config)
        if index == 0 and app.config["SIGNAGE_SCHEDULER"]:
            start_scheduler(app)
        return app

    if workers > 1:
        get_db(context.app).engine.dispose()  # no connection crosses the fork
    click.echo(
        f"signage controller on http://{host}:{port}/ (API: /api/v1/openapi.json), "
        f"{workers} worker(s) × {threads} threads"
    )
    run_server(make_app, host=host, port=port, threads=threads, workers=workers)


@cli.command("serve-app", hidden=True)
@click.argument("target")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=8080, type=click.IntRange(1, 65535))
@click.option("--threads", default=8, type=click.IntRange(1, 256))
@click.option("--workers", default=1, type=click.IntRange(1, 64))
def serve_app(target: str, host: str, port: int, threads: int, workers: int) -> None:
    """(Benchmarks) serve another WSGI app, MODULE:NAME, exactly as 'serve' serves ours."""
    import importlib

    from signage.server import serve as run_server

    module, _, name = target.partition(":")
    app = getattr(importlib.import_module(module), name)
    run_server(lambda _index: app, host=host, port=port, threads=threads, workers=workers)


@cli.group()
def user() -> None:
    """Manage staff accounts."""


@user.command("add")
@click.argument("username")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="repeat for several roles",
)
@click.option("--display-name", help="the name shown in pages (default: the user name)")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
@pass_context
def user_add(
    context: Context,
    username: str,
    roles: tuple[str, ...],
    display_name: str | None,
    password_stdin: bool,
) -> None:
    """Create a user; prints a generated password on the last line."""
    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise click.ClickException("no password on standard input")
    with context.session() as session:
        created, generated = accounts.create_user(
            session,
            None,
            username=username,
            roles=roles,
            display_name=display_name,
            password=password,
            now=utcnow(),
        )
    click.echo(f"created user {created.username!r} with roles {', '.join(sorted(roles))}")
    if password is None:
        click.echo("password, shown this once:")
        click.echo(generated)


@cli.group()
def token() -> None:
    """Manage personal API tokens."""


@token.command("create")
@click.argument("username")
@click.option("--name", "label", default="cli", show_default=True, help="what the token is for")
@pass_context
def token_create(context: Context, username: str, label: str) -> None:
    """Issue a personal API token for USERNAME; prints it on the last line."""
    with context.session() as session:
        owner = accounts.get_user(session, username)
        issued, text = accounts.create_token(session, owner, name=label, now=utcnow())
    click.echo(f"token {issued.id} ({label}) for {username}; send it as 'Authorization: Bearer …':")
    click.echo(text)


@cli.group()
def screen() -> None:
    """Manage screens."""


def _size_option(value: str) -> tuple[int, int]:
    from signage.screens.services import parse_size

    try:
        return parse_size(value)
    except ServiceError as exc:
        raise click.BadParameter(exc.message) from None


@screen.command("add")
@click.argument("key")
@click.option("--name", required=True, help="e.g. 政务服务中心大厅主屏")
@click.option(
    "--size",
    required=True,
    callback=lambda _c, _p, v: _size_option(v),
    help="pixel size WxH, e.g. 384x128",
)
@click.option(
    "--color", type=click.Choice(["mono", "red-green", "full"]), default="full", show_default=True
)
@click.option("--group", "groups", multiple=True, help="group name (created if new); repeatable")
@click.option(
    "--hours", help="opening hours, e.g. '1-5 08:00-18:00,6 09:00-12:00' (default: always on)"
)
@click.option("--timezone", default="Asia/Shanghai", show_default=True)
@click.option("--location", default="", help="where the screen hangs")
@pass_context
def screen_add(
    context: Context,
    key: str,
    name: str,
    size: tuple[int, int],
    color: str,
    groups: tuple[str, ...],
    hours: str | None,
    timezone: str,
    location: str,
) -> None:
    """Register a screen; prints its token on the last line."""
    from signage.screens.services import create_screen

    with context.session() as session:
        created, text = create_screen(
            session,
            None,
            key=key,
            name=name,
            width=size[0],
            height=size[1],
            color=color,
            groups=groups,
            hours=hours,
            timezone=timezone,
            location=location,
            now=utcnow(),
            create_groups=True,
        )
    click.echo(
        f"registered screen {created.key!r} ({created.width}×{created.height}, "
        f"{created.color}); its token, shown this once:"
    )
    click.echo(text)


@screen.command("token")
@click.argument("key")
@pass_context
def screen_token(context: Context, key: str) -> None:
    """Give screen KEY a new token (the old one stops working); prints it on the last line."""
    from signage.screens.services import rotate_screen_token

    with context.session() as session:
        _, text = rotate_screen_token(session, None, key, now=utcnow())
    click.echo(f"screen {key!r} has a new token; the old one no longer works. Shown this once:")
    click.echo(text)


@cli.command()
@pass_context
def demo(context: Context) -> None:
    """Load sample screens, users and notices (in Chinese) for a first look."""
    from signage.demo.load import load_demo

    with context.session() as session:
        lines = load_demo(
            session, now=utcnow(), categories=context.app.config["SIGNAGE_CATEGORIES"]
        )
    for line in lines:
        click.echo(line)


@cli.command("verify-logs")
@pass_context
def verify_logs(context: Context) -> None:
    """Check the audit log's and every screen's display-log hash chain; exit 1 naming the
    first broken record of each broken chain."""
    from signage.audit.models import AuditEntry
    from signage.audit.services import verify_audit_log
    from signage.displaylog.models import DisplayEvent
    from signage.displaylog.services import verify_display_logs

    with context.session() as session:
        audit_count = session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
        event_count = session.scalar(sa.select(sa.func.count()).select_from(DisplayEvent))
        audit_break = verify_audit_log(session)
        display_breaks = verify_display_logs(session)
    failed = False
    if audit_break is not None:
        click.echo(f"audit log: BROKEN at record {audit_break.seq}: {audit_break.reason}", err=True)
        failed = True
    else:
        click.echo(f"audit log: {audit_count} records, chain intact")
    for key, found in display_breaks:
        click.echo(
            f"display log of screen {key}: BROKEN at record {found.seq}: {found.reason}", err=True
        )
        failed = True
    if not display_breaks:
        click.echo(f"display logs: {event_count} events, every screen's chain intact")
    if failed:
        sys.exit(1)


@cli.group()
def report() -> None:
    """The supervisor's reports; the operator needs no account (CSV with --csv)."""


def _local(value: dt.datetime | None, timezone: str) -> str:
    if value is None:
        return "—"
    return value.astimezone(zoneinfo.ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


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
    from signage.reports import export, services

    with context.session() as session:
        result = services.annual_report(
            session, None, year, now=utcnow(), timezone=context.app.config["SIGNAGE_TIMEZONE"]
        )
    if as_csv:
        click.echo(export.annual_csv(result), nl=False)
        return
    span = f"{result.first_day} – {result.last_day}" + ("" if result.complete else ", so far")
    click.echo(f"{result.year}年 ({span}): {result.headline}; {result.total.plays} plays")
    for title, rows in (("by category", result.by_category), ("by screen", result.by_screen)):
        click.echo(f"{title}:")
        for row in rows:
            label = row.key if row.key == row.name else f"{row.key} {row.name}"
            click.echo(f"  {label}: {row.notices} notices, {row.plays} plays")


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
    from signage.reports import export, services

    config = context.app.config
    zone = config["SIGNAGE_TIMEZONE"]
    with context.session() as session:
        r = services.compliance_report(
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
    period = (
        f"{r.required_working_days} working days"
        if r.required_working_days
        else "its validity window"
    )
    click.echo(f"notice {r.notice_id} {r.title} [{r.category}], {r.status}")
    click.echo(f"period: {period} from {_local(r.start, zone)} ({zone})")
    click.echo(f"verdict: {r.verdict}")
    for reason in r.reasons:
        click.echo(f"  {reason}")
    for a in r.approvals:
        confirmed = "confirmed" if a.confidentiality_reviewed else "NOT confirmed"
        click.echo(
            f"approved: revision {a.revision} by {a.reviewed_by} at "
            f"{_local(a.reviewed_at, zone)}, confidentiality review {confirmed}"
            + (f", note: {a.note}" if a.note else "")
        )
    for s in r.screens:
        click.echo(
            f"screen {s.screen} ({s.screen_name}) {_local(s.period_start, zone)} → "
            f"{_local(s.period_end, zone)}: {s.verdict}"
        )
        for reason in s.reasons:
            click.echo(f"  {reason}")
        expected = "not simulated" if s.expected_plays is None else str(s.expected_plays)
        click.echo(
            f"  plays {s.plays} (expected {expected}), interrupted {s.interrupted}, "
            f"errors {s.errors}; first display {_local(s.first_display, zone)}, "
            f"last {_local(s.last_display, zone)}"
        )
        for g in s.gaps:
            causes = ", ".join(f"{c} {secs // 60} min" for c, secs in g.causes)
            mark = "  COUNTS AGAINST" if g.counts_against else ""
            click.echo(f"  gap {_local(g.start, zone)} → {_local(g.end, zone)}: {causes}{mark}")
        for name, point in (
            ("first event", s.first_event),
            ("last event", s.last_event),
            ("chain head", s.chain_head),
        ):
            if point is not None:
                click.echo(f"  {name}: #{point.seq} {point.hash}")
    if r.audit_head is not None:
        click.echo(f"audit log head: #{r.audit_head.seq} {r.audit_head.hash}")


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
    from signage.reports import export, services

    with context.session() as session:
        r = services.uptime_report(
            session,
            None,
            first,
            last,
            now=utcnow(),
            timezone=context.app.config["SIGNAGE_TIMEZONE"],
            screen=screen,
        )
    if as_csv:
        click.echo(export.uptime_csv(r), nl=False)
        return
    for s in r.screens:
        share = s.total.open_uptime
        shown = "not monitored" if share is None else f"{share:.1%} of opening hours up"
        click.echo(f"{s.screen} ({s.name}), {s.status} now: {shown}")


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
    from signage.reports.tasks import run_rollups

    _require_schema(get_db(context.app).engine)
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
    from signage.reports.calendar import view_holidays

    with context.session() as session:
        calendar = view_holidays(session, None, year)
    source = (
        "the bundled official calendar (chinesecalendar)"
        if calendar.source == "chinesecalendar"
        else f"entered by {calendar.entered_by} at {calendar.entered_at:%Y-%m-%d %H:%M} UTC"
        + (f" from {calendar.reference}" if calendar.reference else "")
    )
    click.echo(f"{year}: {source}")
    days = [(d, "holiday", n) for d, n in calendar.holidays.items()]
    days += [(d, "workday", n) for d, n in calendar.workdays.items()]
    for day, kind, name in sorted(days):
        click.echo(f"  {day} {day:%a}  {kind}  {name}")


@cli.command("db-revision", hidden=True)
@click.argument("message")
@pass_context
def db_revision(context: Context, message: str) -> None:
    """(Developers) write a new migration autogenerated from the models."""
    migrate.new_revision(get_db(context.app).engine, message)


def _safe_url(engine: sa.Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def main() -> None:
    cli(prog_name="signage")
