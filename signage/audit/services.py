"""Write to the audit log and check its hash chain."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from playlists import canonical_json
from signage.accounts.models import Role, User
from signage.accounts.permissions import require_role
from signage.audit.chain import ChainBreak, close_link, link_hash, next_link, verify_links
from signage.audit.models import AuditEntry, ChainHead
from signage.times import isoformat_z

AUDIT_CHAIN = "audit"
SYSTEM_ACTOR = "system"


def _hashed_record(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "at": isoformat_z(entry.at),
        "actor_id": entry.actor_id,
        "actor": entry.actor,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "details": entry.details,
    }


def record(
    session: Session,
    *,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: object,
    now: dt.datetime,
    details: dict[str, Any] | None = None,
    actor_name: str | None = None,
) -> AuditEntry:
    """Append one entry to the audit log (``actor`` None: the system, the CLI or a stranger)."""
    link = next_link(session, AUDIT_CHAIN)
    entry = AuditEntry(
        seq=link.seq,
        # Stored and hashed at microsecond precision, which both databases keep exactly.
        at=now.astimezone(dt.UTC),
        actor_id=actor.id if actor is not None else None,
        actor=actor.username if actor is not None else (actor_name or SYSTEM_ACTOR),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        details=canonical_json(details or {}).decode("utf-8"),
        prev_hash=link.prev_hash,
        hash="",
    )
    entry.hash = link_hash(link.prev_hash, _hashed_record(entry))
    session.add(entry)
    close_link(session, link, entry.hash)
    session.flush()
    return entry


def verify_audit_log(
    session: Session,
    batch: int = 1000,
    checkpoints: Mapping[int, tuple[str, str]] | None = None,
) -> ChainBreak | None:
    """Walk the whole audit log in order; return the first break or None. ``checkpoints``:
    what signed checkpoints say the chain held (:func:`signage.audit.chain.verify_links`)."""
    head = session.execute(
        sa.select(ChainHead.seq, ChainHead.hash).where(ChainHead.name == AUDIT_CHAIN)
    ).one_or_none()

    # Entries appended while the walk runs lie beyond the head read first: not yet checked.
    upto = head.seq if head is not None else 0

    def rows() -> Any:
        last = 0
        while True:
            chunk = session.scalars(
                sa.select(AuditEntry)
                .where(AuditEntry.seq > last, AuditEntry.seq <= upto)
                .order_by(AuditEntry.seq)
                .limit(batch)
            ).all()
            if not chunk:
                return
            for entry in chunk:
                yield entry.seq, entry.prev_hash, entry.hash, _hashed_record(entry)
            last = chunk[-1].seq
            session.expunge_all()

    return verify_links(rows(), tuple(head) if head is not None else None, checkpoints)


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None
    actor: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None


def list_audit(
    session: Session, actor: User, f: AuditFilter, *, limit: int, before: int | None = None
) -> tuple[list[AuditEntry], int | None]:
    """One page of audit entries, newest first, and the ``before`` of the next page (admin)."""
    require_role(actor, Role.ADMIN)
    query = sa.select(AuditEntry)
    if f.action:
        query = query.where(AuditEntry.action.startswith(f.action, autoescape=True))
    if f.actor:
        query = query.where(AuditEntry.actor == f.actor)
    if f.object_type:
        query = query.where(AuditEntry.object_type == f.object_type)
    if f.object_id:
        query = query.where(AuditEntry.object_id == f.object_id)
    if f.start is not None:
        query = query.where(AuditEntry.at >= f.start)
    if f.end is not None:
        query = query.where(AuditEntry.at < f.end)
    if before is not None:
        query = query.where(AuditEntry.seq < before)
    rows = list(session.scalars(query.order_by(AuditEntry.seq.desc()).limit(limit + 1)))
    page = rows[:limit]
    return page, (page[-1].seq if len(rows) > limit else None)
