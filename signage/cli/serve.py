"""``signage serve``: the controller on Waitress, with the scheduler."""

from __future__ import annotations

import importlib
import logging
import os

import click
from flask import Flask

from signage.app import create_app
from signage.cli.base import Context, cli, pass_context, require_schema
from signage.clock import utcnow
from signage.db import get_db
from signage.delivery.durations import measurer
from signage.keys.services import key_file, prepare_key
from signage.scheduler import start_scheduler
from signage.screens.readings import note_all_readings
from signage.server import serve as run_server


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
    require_schema(get_db(context.app).engine)
    with context.session() as session:
        signing, _ = prepare_key(session, key_file(context.app.config), now=utcnow())
        # Reading speeds now in force (the deployment's may have changed): the reports expect
        # plays from now on to last what they need at these.
        note_all_readings(session, utcnow())
    # The font each item's time is measured with, found once now rather than at the first poll.
    measurer()
    if workers > 1 and not hasattr(os, "fork"):
        raise click.ClickException("--workers above 1 needs Linux or another POSIX system")
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not a line per run of a job

    def make_app(index: int) -> Flask:
        # Each worker builds its own app after the fork; only the first runs the scheduler
        # (the jobs take a database lock and are idempotent, so this is for economy only).
        app = context.app if workers == 1 else create_app(context.config)
        if index == 0 and app.config["SIGNAGE_SCHEDULER"]:
            start_scheduler(app)
        return app

    if workers > 1:
        get_db(context.app).engine.dispose()  # no connection crosses the fork
    click.echo(
        f"signage controller on http://{host}:{port}/ (API: /api/v1/openapi.json), "
        f"{workers} worker(s) × {threads} threads; playlists signed by key {signing.key_id}"
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
    module, _, name = target.partition(":")
    app = getattr(importlib.import_module(module), name)
    run_server(lambda _index: app, host=host, port=port, threads=threads, workers=workers)
