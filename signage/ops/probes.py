"""``GET /healthz`` and ``GET /readyz``: the probes a load balancer or supervisor asks.

``/healthz`` answers 200 while the process serves requests at all (nothing else is looked
at: a database away for a moment must not get every process restarted). ``/readyz`` answers 200
only when the process can do its work: the database answers and its schema is the one this
code expects; otherwise 503 with the reason, so a balancer sends the screens elsewhere.
"""

from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from signage import migrate
from signage.db import get_db

bp = Blueprint("probes", __name__)
_head_revision = functools.cache(migrate.head_revision)  # the code's, fixed for the process


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz() -> ResponseReturnValue:
    checks: dict[str, Any] = {}
    engine = get_db(current_app).engine
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        checks["database"] = "ok"
        current, head = migrate.current_revision(engine), _head_revision()
        checks["schema"] = "ok" if current == head else f"at {current}, the code needs {head}"
    except sa.exc.SQLAlchemyError as exc:
        checks["database"] = f"unreachable: {type(exc).__name__}"
    ready = all(v == "ok" for v in checks.values()) and len(checks) == 2
    response = jsonify({"status": "ready" if ready else "not ready", "checks": checks})
    response.status_code = 200 if ready else 503
    response.headers["Cache-Control"] = "no-store"
    return response
