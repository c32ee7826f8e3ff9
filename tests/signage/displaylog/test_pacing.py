"""Uploads are paced when too many come at once: 503 with a place in a queue, nothing read."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from signage.app import create_app
from signage.displaylog.models import DisplayEvent
from signage.displaylog.pacing import EVENTS_PATH, UploadGate


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_refused_uploads_are_given_turns_at_the_rate_they_can_be_stored():
    clock = Clock()
    gate = UploadGate(2, clock=clock, longest_s=30)
    # Nothing timed yet: 50 ms an upload, two at once, so a turn every 25 ms.
    turns = [gate.come_back_in() for _ in range(200)]
    assert turns == sorted(turns)
    assert turns[0] == 1 and turns[39] == 1 and turns[40] == 2 and turns[-1] == 5
    # Uploads that take longer space the turns out more.
    for _ in range(50):
        assert gate.enter()
        gate.leave(1.0)
    clock.now += 60  # the queue has long drained: turns start from now again
    assert [gate.come_back_in() for _ in range(3)] == [1, 1, 2]
    # Never longer than the longest wait, however long the queue.
    assert max(gate.come_back_in() for _ in range(500)) == 30


def test_an_upload_waits_briefly_for_a_place_but_few_are_held_waiting():
    gate = UploadGate(1, wait_s=0.3)
    assert gate.enter()
    results: list[tuple[bool, float]] = []

    def second() -> None:
        t0 = time.monotonic()
        results.append((gate.enter(), time.monotonic() - t0))

    waiter = threading.Thread(target=second)
    waiter.start()
    time.sleep(0.1)
    t0 = time.monotonic()
    assert not gate.enter()  # one already waits: refused at once, no thread held
    assert time.monotonic() - t0 < 0.05
    waiter.join()
    assert results[0][0] is False and results[0][1] >= 0.25
    # A place given back within the wait is taken.
    threading.Timer(0.1, gate.leave, args=(0.01,)).start()
    assert gate.enter()
    gate.leave(0.01)


@pytest.fixture
def paced(config):
    app = create_app({**config, "SIGNAGE_UPLOADS_AT_ONCE": 1})
    gate = app.extensions["signage.uploads"]
    gate.wait_s = 0.0
    return app, gate


def test_a_busy_controller_answers_503_with_retry_after_and_stores_nothing(paced, db_session):
    app, gate = paced
    assert gate.enter()
    try:
        answer = app.test_client().post(
            EVENTS_PATH, data=b"not even JSON", headers={"Authorization": "Bearer nobody"}
        )
    finally:
        gate.leave(0.01)
    assert answer.status_code == 503
    wait = int(answer.headers["Retry-After"])
    error = answer.get_json()["error"]
    assert wait >= 1 and error["code"] == "busy" and error["details"]["retry_after_s"] == str(wait)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(DisplayEvent)) == 0
    # With its place free the same request is read and answered as always.
    again = app.test_client().post(
        EVENTS_PATH, data=b"not even JSON", headers={"Authorization": "Bearer nobody"}
    )
    assert again.status_code == 401


def test_only_uploads_are_paced_and_a_limit_of_0_turns_pacing_off(paced, config):
    app, gate = paced
    assert gate.enter()
    try:
        assert app.test_client().get("/healthz").status_code == 200
        assert app.test_client().post("/api/v1/player/heartbeat").status_code == 401
    finally:
        gate.leave(0.01)
    unpaced = create_app({**config, "SIGNAGE_UPLOADS_AT_ONCE": 0})
    assert "signage.uploads" not in unpaced.extensions
