"""Run the controller's WSGI app: under gunicorn on Linux and other POSIX systems, Waitress on
Windows.

gunicorn's master process starts ``--workers`` worker processes on one listening socket,
watches them, and starts a new one when one dies (killed, out of memory, a crash in a
library), so a controller heals without an outside supervisor. Its ``gthread`` workers keep
each player's connection open between polls in an event loop and hand requests to
``--threads`` threads, so 10,000 screens polling every 10 s hold 10,000 idle connections
cheaply. Each worker builds its own app after the fork (database connections never cross a
fork). Waitress, pure Python, serves on Windows in one process; run one process per port
behind a load balancer there. ``--server waitress`` picks it on POSIX too.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

WSGIApp = Any
SERVERS = ("gunicorn", "waitress")
# Open connections a worker keeps: a poll every 10 s from each screen keeps its connection
# open (keep-alive below is longer than the poll interval).
WORKER_CONNECTIONS = 20_000
KEEPALIVE_S = 75


def default_server() -> str:
    return "waitress" if sys.platform == "win32" else "gunicorn"


def serve(
    make_app: Callable[[], WSGIApp],
    *,
    host: str,
    port: int,
    threads: int,
    workers: int = 1,
    server: str | None = None,
    on_worker_exit: Callable[[int], None] | None = None,
) -> None:
    """Serve ``make_app()`` (called once in each worker process) until interrupted."""
    server = server or default_server()
    if server == "waitress":
        if workers != 1:
            raise RuntimeError("Waitress serves in one process: use gunicorn for --workers")
        from waitress import serve as waitress_serve

        waitress_serve(
            make_app(),
            host=host,
            port=port,
            threads=threads,
            ident="signage",
            connection_limit=1000,
            channel_timeout=KEEPALIVE_S,
        )
        return
    _run_gunicorn(make_app, host, port, threads, workers, on_worker_exit)


def _run_gunicorn(
    make_app: Callable[[], WSGIApp],
    host: str,
    port: int,
    threads: int,
    workers: int,
    on_worker_exit: Callable[[int], None] | None,
) -> None:
    from gunicorn.app.base import BaseApplication  # not installed on Windows

    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    options: dict[str, Any] = {
        "bind": bind,
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "worker_connections": WORKER_CONNECTIONS,
        "keepalive": KEEPALIVE_S,
        "backlog": 4096,
        "timeout": 60,
        "graceful_timeout": 20,
        "proc_name": "signage",
        "accesslog": None,
        "errorlog": "-",
        "loglevel": logging.getLevelName(logging.getLogger().getEffectiveLevel()).lower(),
    }
    if on_worker_exit is not None:
        options["child_exit"] = lambda _arbiter, worker: on_worker_exit(worker.pid)

    class Application(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> WSGIApp:
            return make_app()

    Application().run()
