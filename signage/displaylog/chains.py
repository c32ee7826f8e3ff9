"""Checking the hash chains: every screen's display log, and the audit log beside them.

``signage verify-logs`` and the audit page's check walk each chain from its first record,
recompute every hash (:func:`signage.displaylog.records.record_json`) and compare the last with
the chain's head row, which ingest moves with every batch.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from signage.accounts.models import Role, User
from signage.accounts.permissions import require_role
from signage.audit.chain import ChainBreak, verify_links
from signage.audit.models import ChainHead
from signage.audit.services import verify_audit_log
from signage.displaylog.models import DisplayEvent
from signage.displaylog.records import DISPLAY_CHAIN_PREFIX, chain_name, record_json
from signage.screens.models import Screen


def display_heads(session: Session) -> dict[int, int]:
    """Return each screen's display-log chain head: the place of its last stored event."""
    rows = session.execute(
        sa.select(ChainHead.name, ChainHead.seq).where(
            ChainHead.name.startswith(DISPLAY_CHAIN_PREFIX)
        )
    )
    return {int(name.removeprefix(DISPLAY_CHAIN_PREFIX)): seq for name, seq in rows}


def verify_display_logs(session: Session, batch: int = 5000) -> list[tuple[str, ChainBreak]]:
    """Check every screen's display-event chain; return (screen key, first break) per broken one."""
    broken = []
    screens = session.execute(sa.select(Screen.id, Screen.key).order_by(Screen.key)).all()
    for screen_id, key in screens:
        head = session.execute(
            sa.select(ChainHead.seq, ChainHead.hash).where(ChainHead.name == chain_name(screen_id))
        ).one_or_none()

        def rows(screen_id: int = screen_id) -> Iterator[tuple[int, str, str, Any]]:
            last = 0
            while True:
                chunk = session.scalars(
                    sa.select(DisplayEvent)
                    .where(DisplayEvent.screen_id == screen_id, DisplayEvent.chain_seq > last)
                    .order_by(DisplayEvent.chain_seq)
                    .limit(batch)
                ).all()
                if not chunk:
                    return
                for e in chunk:
                    yield e.chain_seq, e.prev_hash, e.hash, record_json(e)
                last = chunk[-1].chain_seq
                session.expunge_all()

        found = verify_links(rows(), tuple(head) if head is not None else None)
        if found is not None:
            broken.append((key, found))
    return broken


@dataclass(frozen=True)
class ChainReport:
    """The result of checking every hash chain: the audit log's and each screen's display log."""

    audit: ChainBreak | None
    display: list[tuple[str, ChainBreak]]

    @property
    def whole(self) -> bool:
        return self.audit is None and not self.display


def check_chains(session: Session, actor: User | None) -> ChainReport:
    """Verify every chain (admin; ``actor`` None: the operator on the command line).

    ``session`` should be one of its own: it is emptied as the chains are walked.
    """
    if actor is not None:
        require_role(actor, Role.ADMIN)
    return ChainReport(audit=verify_audit_log(session), display=verify_display_logs(session))
