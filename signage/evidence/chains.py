"""Walk each screen's two chains from its first record, streaming (a million events or more).

* The controller's chain (``chain_seq``; :mod:`signage.displaylog.records`): every stored play,
  in the order received, each hash over the one before.
* The screen's own chain (``player_seq``; :mod:`playlists.evidence`): every event its player
  sent in a signed batch, plays and refused events alike, each naming the hash of the one before;
  its end must be the head the player signed, and that signature must hold. A hole in it is
  allowed only where a lost-event gap is recorded, and a recorded gap must be a hole: so the gaps
  are recounted from the chain, not taken on trust.

Both walks also check what signed checkpoints say the chains held (``{seq: (hash, which)}``).
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from playlists import sha256_hex
from playlists.evidence import DISPLAY_CHAIN, chain_record, head_statement
from playlists.signing import PublicKey, SignatureError, unb64
from signage.audit.chain import ChainBreak, verify_links
from signage.audit.models import ChainHead
from signage.displaylog.models import DisplayEvent, DisplayGap, PlayerHead, RefusedEvent
from signage.displaylog.records import HASHED, chain_name, record_json
from signage.screens.models import PlayerKey
from signage.times import isoformat_z

CHUNK = 5000
Stated = Mapping[int, tuple[str, str]]

_EVENTS = DisplayEvent.__table__
_CONTROLLER_COLUMNS = [_EVENTS.c[name] for name in HASHED] + [_EVENTS.c.prev_hash, _EVENTS.c.hash]
_PLAYER_COLUMNS = [
    _EVENTS.c.player_seq,
    _EVENTS.c.event_id,
    _EVENTS.c.item_id,
    _EVENTS.c.notice_id,
    _EVENTS.c.revision,
    _EVENTS.c.content_sha256,
    _EVENTS.c.started_at,
    _EVENTS.c.duration_ms,
    _EVENTS.c.outcome,
    _EVENTS.c.playlist_etag,
    _EVENTS.c.player_prev,
]


def _chunks(session: Session, query: Any, key: Any, start: int = 0) -> Iterator[Any]:
    """The rows of ``query`` in order of ``key``, a chunk at a time (keyset paging)."""
    last = start
    connection = session.connection()
    while True:
        rows = connection.execute(query.where(key > last).order_by(key).limit(CHUNK)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1]._mapping[key.name]


def controller_chain(
    session: Session, screen_id: int, stated: Stated, progress: Any = None
) -> ChainBreak | None:
    """Check a screen's controller chain, link by link, against its head and checkpoints."""
    head = session.execute(
        sa.select(ChainHead.seq, ChainHead.hash).where(ChainHead.name == chain_name(screen_id))
    ).one_or_none()
    # Events stored while the walk runs lie beyond the head read first: not yet checked.
    upto = head.seq if head is not None else 0
    query = sa.select(*_CONTROLLER_COLUMNS).where(
        _EVENTS.c.screen_id == screen_id, _EVENTS.c.chain_seq <= upto
    )

    def records() -> Iterator[tuple[int, str, str, bytes]]:
        for n, row in enumerate(_chunks(session, query, _EVENTS.c.chain_seq), 1):
            values = row._mapping
            if progress is not None and n % 100_000 == 0:
                progress(n)
            yield (
                values["chain_seq"],
                values["prev_hash"],
                values["hash"],
                record_json(dict(values)),
            )

    return verify_links(records(), tuple(head) if head is not None else None, stated)


def screen_chain(
    session: Session, screen_id: int, after: int = 0
) -> Iterator[tuple[int, bytes | None, str, str]]:
    """(player seq, the bytes its hash covers, kind, the prev it names) of every event in the
    screen's own chain after ``after``, plays and refused events merged in sequence order. The
    bytes are None for a refused record whose stored hash they no longer give (edited)."""
    plays = sa.select(*_PLAYER_COLUMNS).where(
        _EVENTS.c.screen_id == screen_id, _EVENTS.c.playlist_etag.is_not(None)
    )
    refused_table = RefusedEvent.__table__
    refused = sa.select(
        refused_table.c.player_seq, refused_table.c.body, refused_table.c.hash
    ).where(refused_table.c.screen_id == screen_id, refused_table.c.chained.is_(True))

    def from_plays() -> Iterator[tuple[int, bytes | None, str, str]]:
        for row in _chunks(session, plays, _EVENTS.c.player_seq, after):
            v = row._mapping
            started = isoformat_z(v["started_at"])
            event = {
                "id": v["event_id"],
                "seq": v["player_seq"],
                "item_id": v["item_id"],
                "notice_id": v["notice_id"],
                "revision": v["revision"],
                "content_sha256": v["content_sha256"],
                "started_at": started,
                "duration_ms": v["duration_ms"],
                "outcome": v["outcome"],
                "playlist_etag": v["playlist_etag"],
                "prev": v["player_prev"],
            }
            yield v["player_seq"], chain_record(event, started), "play", v["player_prev"]

    def from_refused() -> Iterator[tuple[int, bytes | None, str, str]]:
        for row in _chunks(session, refused, refused_table.c.player_seq, after):
            seq, body, stored = row
            try:
                event = json.loads(body)
            except ValueError:
                event = None
            record = chain_record(event) if isinstance(event, dict) else None
            if record is None or sha256_hex(record) != stored:
                yield seq, None, "refused", ""
                continue
            yield seq, record, "refused", str(event.get("prev", ""))

    yield from heapq.merge(from_plays(), from_refused(), key=lambda r: r[0])


def _player_records(session: Session, screen_id: int) -> Iterator[tuple[int, str, str, str]]:
    """(player seq, its hash, the prev it names, kind) of every event in the screen's chain;
    kind "edited" for a refused record that no longer gives its stored hash."""
    for seq, record, kind, prev in screen_chain(session, screen_id):
        if record is None:
            yield seq, "", "", "edited"
            continue
        yield seq, sha256_hex(record), prev, kind


@dataclass
class Claims:
    """What signed checkpoints say of a screen's own chain besides its events' hashes: where
    it begins (the events stored unsigned before it, which never change) and the gaps it jumps
    over up to the head each checkpoint states."""

    unsigned: tuple[int, int, str] | None = None  # (count, last seq, which checkpoint)
    gaps: list[tuple[frozenset[tuple[int, int]], int, str]] = field(default_factory=list)


def _unsigned(session: Session, screen_id: int) -> tuple[int, int]:
    count, last = session.execute(
        sa.select(sa.func.count(), sa.func.max(DisplayEvent.player_seq)).where(
            DisplayEvent.screen_id == screen_id, DisplayEvent.playlist_etag.is_(None)
        )
    ).one()
    return count, last or 0


def _claims_break(
    claims: Claims, unsigned: tuple[int, int], recorded: set[tuple[int, int]]
) -> ChainBreak | None:
    if claims.unsigned is not None and claims.unsigned[:2] != unsigned:
        count, last, label = claims.unsigned
        return ChainBreak(
            min(last, unsigned[1]) + 1,
            f"{label} holds {count} events stored before screens signed their record, up to "
            f"event {last}; {unsigned[0]} are, up to {unsigned[1]} (moved out of the chain, "
            "or added)",
        )
    for stated_gaps, upto, label in claims.gaps:
        now = frozenset(g for g in recorded if g[0] <= upto)
        if now != stated_gaps:
            changed = sorted(now ^ stated_gaps)[0]
            return ChainBreak(
                changed[0],
                f"the lost-event gaps up to event {upto} are not those {label} holds "
                f"(gap {changed[0]}–{changed[1]} added, removed or moved)",
            )
    return None


def player_chain(
    session: Session,
    screen_id: int,
    stated: Stated,
    progress: Any = None,
    claims: Claims | None = None,
) -> ChainBreak | None:
    """Check a screen's own chain: links, holes against recorded gaps, the signed head and its
    signature, and checkpoints (see the module)."""
    recorded = {
        (a, b)
        for a, b in session.execute(
            sa.select(DisplayGap.first_seq, DisplayGap.last_seq).where(
                DisplayGap.screen_id == screen_id
            )
        )
    }
    # The head first: events stored while the walk runs lie beyond it, not yet checked.
    head = session.get(PlayerHead, screen_id)
    upto = head.seq if head is not None else None
    if upto is not None:
        recorded = {g for g in recorded if g[0] <= upto}
    unsigned = _unsigned(session, screen_id)
    found = _claims_break(claims or Claims(), unsigned, recorded)
    if found is not None:
        return found
    # Events stored before screens signed their record come first, outside the chain.
    start = unsigned[1]
    # Its first event's prev is its player's word (an upgraded player's chain may begin with
    # events it queued before it signed); every later one must name the one before it.
    last_seq, last_hash, empty = start, None, True
    holes: set[tuple[int, int]] = set()
    visited = 0
    for n, (seq, recomputed, prev, where) in enumerate(_player_records(session, screen_id), 1):
        if progress is not None and n % 100_000 == 0:
            progress(n)
        if upto is not None and seq > upto:
            break
        if where == "edited":
            return ChainBreak(seq, "a refused record's content does not match its hash (edited)")
        if seq <= last_seq:
            return ChainBreak(seq, "the screen's chain holds this sequence number twice")
        if seq > last_seq + 1:
            holes.add((last_seq + 1, seq - 1))
            if (last_seq + 1, seq - 1) not in recorded:
                return ChainBreak(
                    last_seq + 1,
                    f"events {last_seq + 1}–{seq - 1} of the screen's chain are missing "
                    "(deleted) and no lost-event gap is recorded for them",
                )
        elif last_hash is not None and prev != last_hash:
            return ChainBreak(seq, "its prev does not match the screen's event before it (edited)")
        if seq in stated:
            if stated[seq][0] != recomputed:
                return ChainBreak(seq, f"it is not the event {stated[seq][1]} holds (rewritten)")
            visited += 1
        last_seq, last_hash, empty = seq, recomputed, False
    for a, b in sorted(recorded - holes):
        if a > start:
            return ChainBreak(a, f"a lost-event gap {a}–{b} is recorded where no event is missing")
    if visited != len(stated):  # some event a checkpoint holds was not met on the way
        in_hole = {s for s in stated for a, b in holes if a <= s <= b}
        seq = min(s for s in stated if s > last_seq or s <= start or s in in_hole)
        return ChainBreak(
            seq,
            f"{stated[seq][1]} holds the screen's chain at event {seq}, which is no longer in "
            "it (deleted, or stored as if it came before screens signed their record)",
        )
    return _signed_head(head, session, screen_id, last_seq, last_hash, empty)


def _signed_head(
    head: PlayerHead | None,
    session: Session,
    screen_id: int,
    last_seq: int,
    last_hash: str | None,
    empty: bool,
) -> ChainBreak | None:
    if head is None:
        if empty:
            return None
        return ChainBreak(last_seq, "the screen's chain has no head signed by its player")
    if (head.seq, head.hash) != (last_seq, last_hash):
        return ChainBreak(
            min(head.seq, last_seq + 1),
            f"the screen's player signed its chain up to event {head.seq}, but the events "
            f"stored end at {last_seq} or differ (deleted, added or edited)",
        )
    text = session.scalar(
        sa.select(PlayerKey.public_key).where(
            PlayerKey.screen_id == screen_id, PlayerKey.key_id == head.key_id
        )
    )
    if text is None:
        return ChainBreak(head.seq, f"the key {head.key_id} that signed the head is not on record")
    try:
        PublicKey.from_text(text, head.key_id).verify(
            DISPLAY_CHAIN,
            head_statement(head.seq, head.hash),
            unb64(head.signature, "the signature"),
        )
    except SignatureError as exc:
        return ChainBreak(head.seq, f"the player's signature of the head does not hold: {exc}")
    return None
