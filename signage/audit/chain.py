"""Hash chains: ``hash = sha256(prev_hash + canonical_json(record))``, one head row per chain.

The audit log uses the chain ``audit``; the display log will use one chain per screen. A chain is
verified by walking its records in order and recomputing every hash (:func:`verify_links`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from playlists import canonical_json, sha256_hex
from signage.audit.models import ChainHead

GENESIS = "0" * 64


def link_hash(prev_hash: str, record: Any) -> str:
    """Return the hash of ``record`` chained onto ``prev_hash``.

    ``record`` is a JSON value, or bytes that are already its canonical JSON.
    """
    data = record if isinstance(record, bytes) else canonical_json(record)
    return sha256_hex(prev_hash.encode("ascii") + data)


@dataclass
class Link:
    """The place of a new record: its sequence number and the hash it chains onto."""

    chain: str
    seq: int
    prev_hash: str


# Built once: ingest takes places in a display chain for every batch, and building a statement
# costs about as much as running it.
_TAKE = (
    sa.update(ChainHead)
    .where(ChainHead.name == sa.bindparam("chain"))
    .values(seq=ChainHead.seq + sa.bindparam("count"))
    .returning(ChainHead.seq, ChainHead.hash)
)
_CLOSE = (
    sa.update(ChainHead)
    .where(ChainHead.name == sa.bindparam("chain"))
    .values(hash=sa.bindparam("new_hash"))
)


def next_link(session: Session, chain: str, count: int = 1) -> Link:
    """Reserve the next ``count`` places in ``chain``; the caller must then call
    :func:`close_link` with the hash of the last record.

    The head row is updated before it is read, so the write lock (SQLite) or row lock
    (PostgreSQL) is held from here until the transaction ends and no other writer can take the
    same places. The returned link is the first place reserved.

    The head is written through the session's connection, not as an ORM statement: no
    ``ChainHead`` object is ever loaded to keep in step, and the ORM's bookkeeping for an
    UPDATE costs several times the statement itself.
    """
    connection = session.connection()
    head = connection.execute(_TAKE, {"chain": chain, "count": count}).one_or_none()
    if head is None:  # the chain's first record
        connection.execute(sa.insert(ChainHead).values(name=chain, seq=count, hash=GENESIS))
        return Link(chain=chain, seq=1, prev_hash=GENESIS)
    return Link(chain=chain, seq=head.seq - count + 1, prev_hash=head.hash)


def close_link(session: Session, link: Link, new_hash: str) -> None:
    """Record ``new_hash`` as the chain's head after the record at ``link`` was added."""
    session.connection().execute(_CLOSE, {"chain": link.chain, "new_hash": new_hash})


@dataclass(frozen=True)
class ChainBreak:
    """The first record at which a chain does not verify, and why."""

    seq: int | None
    reason: str


def verify_links(
    records: Iterable[tuple[int, str, str, Any]],
    head: tuple[int, str] | None,
    checkpoints: Mapping[int, tuple[str, str]] | None = None,
) -> ChainBreak | None:
    """Check ``(seq, prev_hash, hash, record)`` tuples in order against each other and the head,
    and against ``checkpoints``: what signed checkpoints say the chain held, as
    ``{seq: (hash, which checkpoint)}``.

    Returns the first break, or None when the chain is whole.
    """
    expected_seq, expected_prev = 1, GENESIS
    stated = checkpoints or {}
    for seq, prev_hash, stored_hash, record in records:
        if seq != expected_seq:
            return ChainBreak(expected_seq, f"record {expected_seq} is missing (found {seq})")
        if prev_hash != expected_prev:
            return ChainBreak(seq, "its previous-hash does not match the record before it")
        if link_hash(prev_hash, record) != stored_hash:
            return ChainBreak(seq, "its content does not match its hash (edited)")
        if seq in stated and stated[seq][0] != stored_hash:
            return ChainBreak(
                seq, f"it is not the record {stated[seq][1]} holds (the chain was rewritten)"
            )
        expected_seq, expected_prev = seq + 1, stored_hash
    last_seq = expected_seq - 1
    beyond = [s for s in stated if s > last_seq]
    if beyond:
        seq = min(beyond)
        return ChainBreak(
            last_seq + 1,
            f"{stated[seq][1]} holds {seq} records but {last_seq} are stored "
            "(records deleted, and the head moved back with them)",
        )
    head_seq, head_hash = head if head is not None else (0, GENESIS)
    if head_seq != last_seq or head_hash != expected_prev:
        return ChainBreak(
            last_seq + 1 if head_seq > last_seq else head_seq,
            f"the chain head says {head_seq} records but {last_seq} are stored "
            "(records deleted from the end, or the head edited)",
        )
    return None
