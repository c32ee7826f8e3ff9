"""The audit log is hash-chained: any edit, deletion or reordering is found."""

from __future__ import annotations

import sqlalchemy as sa

from signage.audit import services as audit
from signage.audit.chain import GENESIS, link_hash
from signage.audit.models import AuditEntry, ChainHead
from tests.conftest import NOW


def write_entries(db_session, n: int = 5) -> None:
    for i in range(n):
        audit.record(
            db_session,
            actor=None,
            action="test.event",
            object_type="thing",
            object_id=i,
            now=NOW,
            details={"i": i, "文字": "中文"},
        )
    db_session.commit()


def test_entries_chain_onto_each_other(db_session):
    write_entries(db_session, 3)
    entries = db_session.scalars(sa.select(AuditEntry).order_by(AuditEntry.seq)).all()
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == GENESIS
    assert entries[1].prev_hash == entries[0].hash
    assert db_session.get(ChainHead, "audit").hash == entries[-1].hash
    assert audit.verify_audit_log(db_session) is None


def test_an_empty_log_verifies(db_session):
    assert audit.verify_audit_log(db_session) is None


def test_an_edited_row_is_named(db_session):
    write_entries(db_session)
    db_session.execute(sa.update(AuditEntry).where(AuditEntry.seq == 3).values(details='{"i":99}'))
    db_session.commit()
    broken = audit.verify_audit_log(db_session)
    assert broken is not None and broken.seq == 3 and "edited" in broken.reason


def test_an_edit_that_also_rewrites_the_hash_breaks_the_next_link(db_session):
    write_entries(db_session)
    entry = db_session.scalar(sa.select(AuditEntry).where(AuditEntry.seq == 2))
    forged = {
        "seq": 2,
        "at": "2026-11-26T02:00:00Z",
        "actor_id": None,
        "actor": "system",
        "action": "test.event",
        "object_type": "thing",
        "object_id": "1",
        "details": '{"i":1,"文字":"伪造"}',
    }
    db_session.execute(
        sa.update(AuditEntry)
        .where(AuditEntry.seq == 2)
        .values(details=forged["details"], hash=link_hash(entry.prev_hash, forged))
    )
    db_session.commit()
    broken = audit.verify_audit_log(db_session)
    assert broken is not None and broken.seq == 3


def test_a_deleted_row_is_named(db_session):
    write_entries(db_session)
    db_session.execute(sa.delete(AuditEntry).where(AuditEntry.seq == 2))
    db_session.commit()
    broken = audit.verify_audit_log(db_session)
    assert broken is not None and broken.seq == 2 and "missing" in broken.reason


def test_rows_deleted_from_the_end_are_found_through_the_head(db_session):
    write_entries(db_session)
    db_session.execute(sa.delete(AuditEntry).where(AuditEntry.seq >= 4))
    db_session.commit()
    broken = audit.verify_audit_log(db_session)
    assert broken is not None and broken.seq == 4 and "head" in broken.reason


def test_verification_reads_in_batches(db_session):
    write_entries(db_session, 7)
    assert audit.verify_audit_log(db_session, batch=3) is None
