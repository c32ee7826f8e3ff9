"""Only approved content is served: a live revision must still hash to what its approval recorded.

A revision's content hash is taken when it is written and recorded, in the hash-chained audit
log, by its approval. Before a revision goes into any playlist its fields are hashed again
(:func:`servable`); a revision whose fields no longer give its ``content_sha256`` (its text was
changed in the database), or whose ``content_sha256`` is not the one its approval recorded, is
withheld from every playlist. Compiling writes nothing: the scheduled check
(:func:`alert_withheld`, run by ``signage serve``) raises the alert in the audit log once per
revision, and ``signage verify-logs`` reports every one.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from playlists.content import content_sha256
from signage.audit.models import AuditEntry
from signage.audit.services import record
from signage.notices.content import plain_fields, revision_fields
from signage.notices.models import NoticeRevision
from signage.notices.queries import live_revisions

log = logging.getLogger(__name__)

APPROVE = "notice.approve"
WITHHELD = "notice.withheld"


@dataclass(frozen=True)
class Withheld:
    revision: NoticeRevision
    reason: str


def approved_hashes(session: Session, notice_ids: Sequence[int]) -> dict[tuple[int, int], str]:
    """The content hash each approval recorded, by (notice id, revision number)."""
    if not notice_ids:
        return {}
    rows = session.execute(
        sa.select(AuditEntry.object_id, AuditEntry.details).where(
            AuditEntry.action == APPROVE,
            AuditEntry.object_type == "notice",
            AuditEntry.object_id.in_([str(n) for n in set(notice_ids)]),
        )
    )
    out: dict[tuple[int, int], str] = {}
    for object_id, details in rows:
        recorded = json.loads(details)
        out[(int(object_id), int(recorded.get("revision", 0)))] = str(
            recorded.get("content_sha256", "")
        )
    return out


def check(
    session: Session, revisions: Sequence[NoticeRevision]
) -> tuple[list[NoticeRevision], list[Withheld]]:
    """Split ``revisions`` into those that may be served and those withheld, with why."""
    approved = approved_hashes(session, [r.notice_id for r in revisions])
    good: list[NoticeRevision] = []
    bad: list[Withheld] = []
    for revision in revisions:
        recorded = approved.get((revision.notice_id, revision.number))
        if content_sha256(plain_fields(revision_fields(revision))) != revision.content_sha256:
            bad.append(Withheld(revision, "its content no longer hashes to its content_sha256"))
        elif recorded is None:
            bad.append(Withheld(revision, "no approval of it is recorded"))
        elif recorded != revision.content_sha256:
            bad.append(
                Withheld(revision, "its content_sha256 is not the one its approval recorded")
            )
        else:
            good.append(revision)
    return good, bad


def servable(session: Session, revisions: Sequence[NoticeRevision]) -> list[NoticeRevision]:
    """The revisions that may go into a playlist; the others are logged and left out."""
    good, bad = check(session, revisions)
    for withheld in bad:
        log.error(
            "notice %s revision %s withheld from every playlist: %s",
            withheld.revision.notice_id,
            withheld.revision.number,
            withheld.reason,
        )
    return good


def alert_withheld(session: Session, *, now: dt.datetime) -> list[Withheld]:
    """Write an audit entry (the dashboard's alert) for each live revision withheld, once per
    revision and reason; return the ones newly alerted."""
    _, bad = check(session, live_revisions(session, now))
    if not bad:
        return []
    told = {
        (e.object_id, e.details_dict.get("revision"), e.details_dict.get("reason"))
        for e in session.scalars(
            sa.select(AuditEntry).where(
                AuditEntry.action == WITHHELD,
                AuditEntry.object_id.in_([str(w.revision.notice_id) for w in bad]),
            )
        )
    }
    new = []
    for withheld in bad:
        revision = withheld.revision
        if (str(revision.notice_id), revision.number, withheld.reason) in told:
            continue
        record(
            session,
            actor=None,
            action=WITHHELD,
            object_type="notice",
            object_id=revision.notice_id,
            now=now,
            details={
                "revision": revision.number,
                "reason": withheld.reason,
                "content_sha256": revision.content_sha256,
            },
        )
        new.append(withheld)
    return new


def approvals_intact(session: Session, *, chunk: int = 500) -> list[str]:
    """Check every approval the audit log records: the revision it approved must still be
    stored, hash to its ``content_sha256``, and that must be the hash the approval recorded.
    Return what is wrong, one line per revision (streaming over the approvals)."""
    problems: list[str] = []
    last = 0
    while True:
        rows = session.execute(
            sa.select(AuditEntry.seq, AuditEntry.object_id, AuditEntry.details)
            .where(AuditEntry.action == APPROVE, AuditEntry.seq > last)
            .order_by(AuditEntry.seq)
            .limit(chunk)
        ).all()
        if not rows:
            return problems
        last = rows[-1].seq
        wanted: dict[tuple[int, int], str] = {}
        for _, object_id, details in rows:
            recorded = json.loads(details)
            wanted[(int(object_id), int(recorded.get("revision", 0)))] = str(
                recorded.get("content_sha256", "")
            )
        found = {
            (r.notice_id, r.number): r
            for r in session.scalars(
                sa.select(NoticeRevision).where(
                    sa.tuple_(NoticeRevision.notice_id, NoticeRevision.number).in_(list(wanted))
                )
            )
        }
        for (notice_id, number), recorded_hash in wanted.items():
            revision = found.get((notice_id, number))
            name = f"notice {notice_id} revision {number}"
            if revision is None:
                problems.append(f"{name}: approved, but no longer stored")
            elif content_sha256(plain_fields(revision_fields(revision))) != recorded_hash:
                problems.append(f"{name}: its content no longer hashes to what was approved")
            elif revision.content_sha256 != recorded_hash:
                problems.append(f"{name}: its content_sha256 is not the one its approval recorded")
        session.expunge_all()
