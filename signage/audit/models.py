"""The append-only, hash-chained audit log, the heads of every hash chain, and the signed
checkpoints that state those heads (:mod:`signage.evidence.checkpoints`)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from signage.db import Base, UTCDateTime


class ChainHead(Base):
    """The last link of one hash chain (``audit``; later one per screen's display log).

    Appending updates this row first, which serialises appends to a chain across threads,
    processes and hosts on both SQLite and PostgreSQL, and lets a verifier notice rows
    deleted from the end of a chain.
    """

    __tablename__ = "chain_heads"

    name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    hash: Mapped[str] = mapped_column(sa.String(64))


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, unique=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    # The actor's name as it was, so the entry reads the same if the user is renamed.
    actor: Mapped[str] = mapped_column(sa.String(64))
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(32))
    object_id: Mapped[str] = mapped_column(sa.String(64))
    # Canonical JSON text: hashed as stored, so the bytes themselves are what is protected.
    details: Mapped[str] = mapped_column(sa.Text)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))

    __table_args__ = (sa.Index("ix_audit_log_object", "object_type", "object_id"),)

    @property
    def details_dict(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.details)
        return value


class Checkpoint(Base):
    """One signed checkpoint: ``body`` is its canonical JSON (what the signature covers, for
    the purpose :data:`playlists.signing.CHECKPOINT`), ``signature`` base64url by ``key_id``."""

    __tablename__ = "checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    made_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    key_id: Mapped[str] = mapped_column(sa.String(16))
    body: Mapped[str] = mapped_column(sa.Text)
    signature: Mapped[str] = mapped_column(sa.String(86))
