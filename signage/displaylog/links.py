"""Check a batch against the screen's own chain: the player's signature, and every link.

A batch from a screen (:mod:`playlists.evidence`) is taken into the screen's chain only if it is
signed with the screen's registered player key and its events link on to the chain as the
controller holds it (:class:`~signage.displaylog.models.PlayerHead`): each event's ``prev`` is the
hash of the event before it. Events that fail either test are refused and kept outside the chain
(whoever sent them holds the token but not the screen's key). Events that pass are in the chain
for good, whether ingest then stores them as plays or refuses them for what they claim.

Resent events (the player did not see the answer) are duplicates; a jump in the sequence is
recorded as lost events. An event behind the chain's head that was never stored (one counted lost,
arriving late) cannot be linked in, and is refused: a player sends its chain in order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from playlists.evidence import event_hash, verify_head
from playlists.signing import SignatureError
from signage.displaylog.append import ParsedEvent, stored_event_ids
from signage.displaylog.models import DisplayEvent, PlayerHead, RefusedEvent
from signage.screens.player_keys import current_player_key

NO_KEY = (
    "no player key is registered for this screen: its player registers one at first contact "
    "(POST /api/v1/player/key)"
)


class Sent:
    """One event of a batch as it was sent, and what parsing made of it."""

    __slots__ = ("event_id", "hash", "parsed", "prev", "raw", "reason", "seq")

    def __init__(self, raw: Any, parsed: ParsedEvent | None, reason: str | None = None) -> None:
        self.raw = raw
        self.parsed = parsed  # None: it cannot be stored (``reason`` says why)
        self.reason = reason
        self.hash = ""
        if parsed is not None:
            self.event_id, self.seq, self.prev = parsed.event_id, parsed.seq, parsed.prev
            return
        get = raw.get if isinstance(raw, dict) else {}.get
        value = get("id")
        self.event_id = str(value)[:64].replace("\x00", "") if value is not None else ""
        seq = get("seq")
        self.seq: int | None = seq if type(seq) is int and 1 <= seq <= 2**62 else None
        self.prev: Any = get("prev")


@dataclass
class Walk:
    """What the screen's chain makes of a batch."""

    chained: list[Sent] = field(default_factory=list)  # new in the chain, in order
    duplicates: list[str] = field(default_factory=list)
    again: list[tuple[str, str]] = field(default_factory=list)  # refused before: (id, reason)
    outside: list[tuple[Sent, str]] = field(default_factory=list)  # refused, not in the chain
    gaps: list[tuple[int, int]] = field(default_factory=list)
    head: PlayerHead | None = None  # the new signed head to keep
    head_exists: bool = False  # the screen had a signed head before


def _refuse_all(sent: Sequence[Sent], reason: str) -> Walk:
    return Walk(outside=[(s, reason) for s in sent])


_LAST_PLAYED = sa.select(sa.func.max(DisplayEvent.player_seq)).where(
    DisplayEvent.screen_id == sa.bindparam("screen_id")
)
_LOCK_HEAD = (
    sa.update(PlayerHead)
    .where(PlayerHead.screen_id == sa.bindparam("head_screen"))
    .values(seq=PlayerHead.seq)
    .returning(PlayerHead.seq, PlayerHead.hash)
)


def _refused_before(
    session: Session, screen_id: int, seqs: list[int]
) -> dict[int, tuple[str, str]]:
    """Chained events refused before, by sequence number: (event id, reason)."""
    if not seqs:
        return {}
    rows = session.execute(
        sa.select(RefusedEvent.player_seq, RefusedEvent.event_id, RefusedEvent.reason).where(
            RefusedEvent.screen_id == screen_id,
            RefusedEvent.chained.is_(True),
            RefusedEvent.player_seq.in_(seqs),
        )
    )
    return {seq: (event_id, reason) for seq, event_id, reason in rows}


def walk(
    session: Session,
    screen_id: int,
    sent: Sequence[Sent],
    head: Mapping[str, Any] | None,
    *,
    now: dt.datetime,
) -> Walk:
    """Check a batch's signature and links against the screen's chain (see the module)."""
    key = current_player_key(session, screen_id)
    if key is None:
        return _refuse_all(sent, NO_KEY)
    if head is None:
        return _refuse_all(sent, "the batch carries no head signed by the screen's player")
    try:
        signed_seq, signed_hash = verify_head(key, head)
    except SignatureError as exc:
        return _refuse_all(sent, f"the batch's signature does not hold: {exc}")
    connection = session.connection()
    held = connection.execute(_LOCK_HEAD, {"head_screen": screen_id}).one_or_none()
    held_hash: str | None
    if held is not None:
        held_seq, held_hash = held.seq, held.hash
    else:
        # The first signed batch: events stored before screens signed their record (an older
        # player's) come before the chain, which starts after them.
        held_seq = connection.scalar(_LAST_PLAYED, {"screen_id": screen_id}) or 0
        held_hash = None  # the chain starts here: its first event's prev is its player's word
    numbered = sorted((s for s in sent if s.seq is not None), key=lambda s: s.seq or 0)
    out = Walk(outside=[(s, "seq must be a whole number 1–2^62") for s in sent if s.seq is None])
    behind = [s.seq for s in numbered if s.seq is not None and s.seq <= held_seq]
    stored = stored_event_ids(connection, screen_id, behind) if behind else {}
    refused = _refused_before(session, screen_id, behind)
    expect_seq: int = held_seq + 1
    expect_prev: str | None = held_hash
    last: Sent | None = None
    for s in numbered:
        seq = s.seq or 0
        try:
            s.hash = event_hash(s.raw, s.parsed.started_z if s.parsed else None)
        except (TypeError, ValueError):  # a value canonical JSON has no form for (NaN)
            return _refuse_all(sent, f"event {seq} cannot be hashed: it is no plain JSON")
        if seq <= held_seq:
            earlier = stored.get(seq) or refused.get(seq, (None, ""))[0]
            if earlier == s.event_id:
                if seq in stored:
                    out.duplicates.append(s.event_id)
                else:
                    out.again.append((s.event_id, refused[seq][1]))
            elif earlier is not None:
                reason = f"sequence number {seq} was already used by event {earlier}"
                out.outside.append((s, reason))
            else:
                # A player sends its chain in order: an event behind the head (one counted lost,
                # arriving late) cannot be linked in, and is kept outside it.
                out.outside.append((s, f"sequence number {seq} is behind the screen's chain"))
            last = s
            continue
        if seq < expect_seq:
            return _refuse_all(sent, f"sequence number {seq} is sent twice in the batch")
        if seq == expect_seq and expect_prev is not None and s.prev != expect_prev:
            return _refuse_all(
                sent,
                f"event {seq}'s prev does not link to the screen's chain at sequence number "
                f"{seq - 1} (the controller holds {expect_prev[:16]}…)",
            )
        if seq > expect_seq:
            out.gaps.append((expect_seq, seq - 1))
        out.chained.append(s)
        expect_seq, expect_prev = seq + 1, s.hash
        last = s
    if last is None or (signed_seq, signed_hash) != (last.seq, last.hash):
        return _refuse_all(
            sent, "the signed head is not the chain's head after the batch's last event"
        )
    out.head_exists = held is not None
    if signed_seq > held_seq:
        out.head = PlayerHead(
            screen_id=screen_id,
            seq=signed_seq,
            hash=signed_hash,
            key_id=key.key_id,
            signature=head["signature"],
            signed_at=now,
        )
    return out


_HEADS = PlayerHead.__table__
_MOVE_HEAD = (
    sa.update(_HEADS)
    .where(_HEADS.c.screen_id == sa.bindparam("head_screen"))
    .values(
        seq=sa.bindparam("seq"),
        hash=sa.bindparam("hash"),
        key_id=sa.bindparam("key_id"),
        signature=sa.bindparam("signature"),
        signed_at=sa.bindparam("signed_at"),
    )
)


def keep_head(session: Session, found: Walk) -> None:
    """Store the screen's new signed head, if the batch moved it."""
    head = found.head
    if head is None:
        return
    values = {
        "seq": head.seq,
        "hash": head.hash,
        "key_id": head.key_id,
        "signature": head.signature,
        "signed_at": head.signed_at,
    }
    connection = session.connection()
    if found.head_exists:
        connection.execute(_MOVE_HEAD, values | {"head_screen": head.screen_id})
    else:
        connection.execute(sa.insert(_HEADS), values | {"screen_id": head.screen_id})
