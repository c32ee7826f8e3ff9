"""Group commit: writes that wait together share a transaction; one that fails fails alone."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from signage.audit.models import AuditEntry
from signage.audit.services import record
from signage.clock import utcnow
from signage.db import get_db
from signage.writer import GroupWriter


def audit(session, name: str) -> str:
    if name == "bad":
        raise ValueError("this write fails")
    record(session, actor=None, action="test.write", object_type="t", object_id=name, now=utcnow())
    return name


def test_writes_from_many_threads_are_committed_and_answered(app, db_session):
    writer = GroupWriter(get_db(app))
    results: dict[int, object] = {}

    def write(i: int) -> None:
        try:
            results[i] = writer.write(lambda s: audit(s, "bad" if i == 7 else f"w{i}"))
        except ValueError as exc:
            results[i] = exc

    threads = [threading.Thread(target=write, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert isinstance(results.pop(7), ValueError)  # the bad write fails alone
    assert results == {i: f"w{i}" for i in range(40) if i != 7}
    stored = set(
        db_session.scalars(sa.select(AuditEntry.object_id).where(AuditEntry.action == "test.write"))
    )
    assert stored == {f"w{i}" for i in range(40) if i != 7}
    assert writer.batches <= 39  # some shared a transaction (how many depends on timing)


def test_a_batch_function_gets_every_item_waiting(app):
    writer = GroupWriter(get_db(app))
    seen: list[list[int]] = []

    def many(_session, items):
        seen.append(list(items))
        return [i * 2 for i in items]

    assert writer.submit(many, 21) == 42
    assert seen == [[21]]
    with pytest.raises(ValueError):
        writer.write(lambda s: audit(s, "bad"))
