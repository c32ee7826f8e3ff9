"""``GET /metrics``: the Prometheus metrics of :mod:`signage.metrics`, and the request counts.

Served only when ``SIGNAGE_METRICS`` is on (404 otherwise): the numbers say how busy the
controller is and how many screens are offline, which is for the operators' network, not the
public's; put the path behind the reverse proxy's access rules. Every request is counted by
its route's rule (``/api/v1/notices/<int:notice_id>``, not the id), method and status, with its
time; the unchanged polls answered before Flask (:mod:`signage.delivery.shortcut`) are counted
there the same way. The screens online and offline are counted at each scrape.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from signage import metrics
from signage.db import get_db
from signage.health.services import screen_counts

bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
def serve_metrics() -> Response:
    if not current_app.config["SIGNAGE_METRICS"]:
        abort(404)
    screens = CollectorRegistry()
    screens.register(_Screens(current_app))
    if metrics.shared():
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    return Response(body + generate_latest(screens), content_type=CONTENT_TYPE_LATEST)


class _Screens(Collector):
    def __init__(self, app: Flask) -> None:
        self._app = app

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with get_db(self._app).session() as session:
            counts = screen_counts(session)
        family = GaugeMetricFamily(
            "signage_screens",
            "Registered screens by state: online, offline, or never heard from",
            labels=["state"],
        )
        for state, count in counts.items():
            family.add_metric([state], count)
        yield family


def init_app(app: Flask) -> None:
    """Count every request the app answers."""
    app.register_blueprint(bp)

    @app.before_request
    def _started() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _answered(response: Response) -> Response:
        started = g.pop("metrics_started", None)
        if started is not None:
            endpoint = request.url_rule.rule if request.url_rule is not None else "(no route)"
            seconds = time.perf_counter() - started
            metrics.count_request(endpoint, request.method, response.status_code, seconds)
        return response
