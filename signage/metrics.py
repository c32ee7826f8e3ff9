"""The controller's Prometheus metrics (``prometheus_client``), counted where things happen.

Any area may count here; :mod:`signage.ops.metrics` serves them at ``GET /metrics`` when
``SIGNAGE_METRICS`` is on. Under several worker processes (``signage serve --workers``) each
worker writes its values to files in a folder (:func:`share_between_processes`, which ``serve``
calls before it starts the workers), and ``/metrics`` answers for all of them together. Every
metric has labels, so no value exists before its first count: the switch to shared files,
made before anything is counted, covers them all.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from prometheus_client import Counter, Histogram, values

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def share_between_processes(directory: Path) -> None:
    """Keep this process's metrics, and its children's, in files under ``directory`` (emptied
    first), for ``/metrics`` to add up."""
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True, mode=0o700)
    os.environ[MULTIPROC_ENV] = str(directory)
    values.ValueClass = values.MultiProcessValue()


def shared() -> bool:
    """Whether metrics are kept in files shared by several processes."""
    return bool(os.environ.get(MULTIPROC_ENV))


# Latency buckets around what a poll should take (a few ms) and what a page may (a second).
BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter(
    "signage_http_requests",
    "HTTP requests answered, by endpoint (the route's rule), method and status",
    ["endpoint", "method", "status"],
)
LATENCY = Histogram(
    "signage_http_request_duration_seconds",
    "Time to answer a request, by endpoint",
    ["endpoint"],
    buckets=BUCKETS,
)
PLAYLISTS = Counter(
    "signage_playlists",
    "Playlist requests answered from the cache (hit), playlists compiled (compile: for a "
    "request; warm: in the background), and reads of the live notices they are compiled from "
    "(notices_read)",
    ["result"],
)
EVENTS = Counter(
    "signage_display_events",
    "Display events received, by result: accepted, duplicate, refused (stored, not a play) or "
    "rejected (not an event)",
    ["result"],
)
JOB_RUNS = Counter(
    "signage_job_runs",
    "Housekeeping job runs, by job and outcome (ran, skipped: another process ran it, failed)",
    ["job", "outcome"],
)
JOB_SECONDS = Histogram(
    "signage_job_duration_seconds",
    "Time a housekeeping job took",
    ["job"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0, 120.0),
)


def count_request(endpoint: str, method: str, status: int, seconds: float) -> None:
    """Count one answered request (``endpoint``: the route's rule)."""
    REQUESTS.labels(endpoint, method, str(status)).inc()
    LATENCY.labels(endpoint).observe(seconds)


def worker_exited(pid: int) -> None:
    """Forget the live values of a worker process that ended (its counts stay summed)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(pid)
