"""The load balancer's probes and the Prometheus metrics."""

from __future__ import annotations

import socket

import pytest
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from signage.app import create_app
from signage.clock import utcnow
from signage.db import get_db
from signage.screens.services import create_screen


def test_healthz_answers_while_the_process_serves(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.get_json() == {"status": "ok"}


def test_readyz_is_ready_with_the_database_reachable_and_the_schema_current(client):
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.get_json()["checks"] == {"database": "ok", "schema": "ok"}


def test_readyz_is_not_ready_with_an_old_schema(app, client):
    with get_db(app).engine.begin() as connection:
        (head,) = connection.execute(sa.text("SELECT version_num FROM alembic_version")).one()
        connection.execute(sa.text("UPDATE alembic_version SET version_num = 'older'"))
    try:
        answer = client.get("/readyz")
        assert answer.status_code == 503
        assert answer.get_json()["checks"]["schema"].startswith("at older, the code needs ")
    finally:
        with get_db(app).engine.begin() as connection:
            connection.execute(sa.text("UPDATE alembic_version SET version_num = :v"), {"v": head})


def test_readyz_is_not_ready_without_the_database(config, free_port):
    # A PostgreSQL server where none listens.
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none?connect_timeout=2"
    app = create_app({**config, "SIGNAGE_DATABASE_URL": url})
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 503
    assert answer.get_json()["checks"]["database"].startswith("unreachable")


def test_metrics_are_off_unless_the_setting_turns_them_on(client):
    assert client.get("/metrics").status_code == 404


@pytest.fixture
def free_port():
    def pick() -> int:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return int(s.getsockname()[1])

    return pick


@pytest.fixture
def metered(config):
    return create_app({**config, "SIGNAGE_METRICS": True}).test_client()


def scrape(client) -> dict[str, list]:
    answer = client.get("/metrics")
    assert answer.status_code == 200
    return {f.name: f.samples for f in text_string_to_metric_families(answer.get_data(True))}


def value(samples, **labels) -> float:
    return sum(s.value for s in samples if all(s.labels.get(k) == v for k, v in labels.items()))


def test_metrics_count_requests_by_route_and_status(metered, make_screen):
    before = scrape(metered)
    metered.get("/api/v1/notices/12345")  # 401: no token
    metered.get("/readyz")
    after = scrape(metered)
    rule = "/api/v1/notices/<int:notice_id>"
    requests = "signage_http_requests"
    assert value(after[requests], endpoint=rule, status="401") == (
        value(before[requests], endpoint=rule, status="401") + 1
    )
    assert value(after[requests], endpoint="/readyz", method="GET", status="200") >= 1
    assert value(after["signage_http_request_duration_seconds"], endpoint="/readyz") > value(
        before.get("signage_http_request_duration_seconds", []), endpoint="/readyz"
    )
    assert value(after["signage_screens"], state="never_seen") == 0
    make_screen(key="hall")
    assert value(scrape(metered)["signage_screens"], state="never_seen") == 1


def test_metrics_count_playlist_hits_and_compiles(metered, db_session):

    _, token = create_screen(
        db_session, None, key="hall", name="大厅", width=64, height=16, now=utcnow()
    )
    db_session.commit()
    before = scrape(metered)["signage_playlists"]
    headers = {"Authorization": f"Bearer {token}"}
    first = metered.get("/api/v1/player/playlist", headers=headers)
    again = metered.get(
        "/api/v1/player/playlist", headers={**headers, "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    after = scrape(metered)
    assert (
        value(after["signage_playlists"], result="compile") == value(before, result="compile") + 1
    )
    assert value(after["signage_playlists"], result="hit") == value(before, result="hit") + 1
    polls = value(after["signage_http_requests"], endpoint="/api/v1/player/playlist", status="304")
    assert polls >= 1  # the unchanged poll answered before Flask is counted too
