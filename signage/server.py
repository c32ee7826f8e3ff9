"""Run a WSGI app on Waitress: one process, or several sharing one listening socket.

Waitress is a pure-Python production server that runs on Linux and Windows; one process serves
many threads, but Python runs one thread at a time, so a busy controller on a machine with
several cores runs several processes (``--workers``). The parent binds the socket and forks the
workers (POSIX only), each of which builds its own app (database connections are never shared
across a fork) and accepts from the shared socket; the kernel spreads connections among them.
On Windows, run one process per port behind a load balancer instead.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
from collections.abc import Callable
from typing import Any

WSGIApp = Any


def serve(
    make_app: Callable[[int], WSGIApp], *, host: str, port: int, threads: int, workers: int = 1
) -> None:
    """Serve ``make_app(worker_index)`` until interrupted."""
    from waitress import serve as waitress_serve

    if workers == 1:
        waitress_serve(make_app(0), host=host, port=port, threads=threads, ident="signage")
        return
    if not hasattr(os, "fork"):
        raise RuntimeError(
            "--workers above 1 needs a POSIX system; on Windows run one "
            "process per port behind a load balancer"
        )
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    children = []
    for index in range(workers):
        pid = os.fork()
        if pid == 0:  # a worker
            try:
                waitress_serve(make_app(index), sockets=[sock], threads=threads, ident="signage")
            finally:
                os._exit(0)
        children.append(pid)

    def stop(signum: int, _frame: object) -> None:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for pid in children:
        os.waitpid(pid, 0)
