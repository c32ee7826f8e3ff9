"""``signage serve``: the controller under gunicorn (Waitress on Windows), with the scheduler."""

from __future__ import annotations

import importlib
from pathlib import Path

import click
from flask import Flask

from signage import logs, metrics
from signage.app import create_app
from signage.cli.base import Context, cli, pass_context, require_schema
from signage.clock import utcnow
from signage.db import get_db
from signage.delivery.cache import get_cache
from signage.delivery.durations import measurer
from signage.delivery.warm import start_warming
from signage.keys.services import key_file, prepare_key
from signage.leader import LeaderLock, run_when_leader
from signage.scheduler import start_scheduler
from signage.screens.readings import note_all_readings
from signage.server import SERVERS, default_server
from signage.server import serve as run_server

SERVER_OPTION = click.option(
    "--server",
    type=click.Choice(SERVERS),
    default=default_server,
    show_default="gunicorn; waitress on Windows",
    help="gunicorn replaces a worker that dies; Waitress runs one process (and on Windows)",
)

# A heartbeat or an upload holds its thread until the group writer has committed it; with 8
# threads, 10,000 screens' writes took every thread and unchanged polls queued behind them.
DEFAULT_THREADS = 32


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--threads",
    default=DEFAULT_THREADS,
    show_default=True,
    type=click.IntRange(1, 256),
    help="threads per worker process (a heartbeat or upload holds one until it is committed)",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="worker processes sharing the port (gunicorn; use about one per core)",
)
@SERVER_OPTION
@pass_context
def serve(context: Context, host: str, port: int, threads: int, workers: int, server: str) -> None:
    """Run the controller, with the housekeeping scheduler and the background compiler."""
    config = context.app.config
    try:
        logs.configure(config["SIGNAGE_LOG_LEVEL"], config["SIGNAGE_LOG_FILE"] or None)
    except ValueError as exc:
        raise click.ClickException(f"SIGNAGE_LOG_LEVEL: {exc}") from None
    if workers > 1 and server == "waitress":
        raise click.ClickException("--workers above 1 needs --server gunicorn (Linux, POSIX)")
    require_schema(get_db(context.app).engine)
    with context.session() as session:
        signing, _ = prepare_key(session, key_file(config), now=utcnow())
        # Reading speeds now in force (the deployment's may have changed): the reports expect
        # plays from now on to last what they need at these.
        note_all_readings(session, utcnow())
    # The font each item's time is measured with, found once now rather than at the first poll.
    measurer()
    forks = server == "gunicorn"
    data_dir = Path(config["SIGNAGE_DATA_DIR"])
    if forks and config["SIGNAGE_METRICS"]:
        metrics.share_between_processes(data_dir / "metrics")

    def make_app() -> Flask:
        # Under gunicorn each worker builds its own app after the fork. Every worker, on every
        # host, waits for the leader lock; the one that holds it runs the scheduler.
        app = create_app(context.config) if forks else context.app
        start_warming(get_cache(app), utcnow)
        if app.config["SIGNAGE_SCHEDULER"]:
            lock = LeaderLock(get_db(app).engine, data_dir / "scheduler.lock")
            run_when_leader(lock, lambda: start_scheduler(app))
        return app

    if forks:
        get_db(context.app).engine.dispose()  # no connection crosses the fork
    click.echo(
        f"signage controller on http://{host}:{port}/ (API: /api/v1/openapi.json), {server}, "
        f"{workers} worker(s) × {threads} threads; playlists signed by key {signing.key_id}"
    )
    run_server(
        make_app,
        host=host,
        port=port,
        threads=threads,
        workers=workers,
        server=server,
        on_worker_exit=metrics.worker_exited if forks and config["SIGNAGE_METRICS"] else None,
    )


@cli.command("serve-app", hidden=True)
@click.argument("target")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=8080, type=click.IntRange(1, 65535))
@click.option("--threads", default=DEFAULT_THREADS, type=click.IntRange(1, 256))
@click.option("--workers", default=1, type=click.IntRange(1, 64))
@SERVER_OPTION
def serve_app(target: str, host: str, port: int, threads: int, workers: int, server: str) -> None:
    """(Benchmarks) serve another WSGI app, MODULE:NAME, exactly as 'serve' serves ours."""
    module, _, name = target.partition(":")
    app = getattr(importlib.import_module(module), name)
    run_server(lambda: app, host=host, port=port, threads=threads, workers=workers, server=server)
