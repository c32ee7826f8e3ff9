"""Append accepted display events to their screen's hash chain, and note lost ones.

Each event takes the next place in the screen's chain (:mod:`signage.audit.chain`) inside the
transaction that stores it, under the lock of the chain's head. A jump in the player's sequence
is recorded as lost events (a gap).
(This chain is the controller's order of receipt; the screen's own chain, which its player
signs, is checked by :mod:`signage.displaylog.links`.)

The insert is written for speed: ingest is the busiest write path, and building ORM objects or
letting SQLAlchemy prepare each row cost more than the rest of it together.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from playlists import canonical_json
from signage.audit.chain import close_link, link_hash, next_link
from signage.db import UTCDateTime
from signage.displaylog.models import DisplayEvent, DisplayGap
from signage.displaylog.records import chain_name, hashed_record, is_plain, record_text
from signage.times import isoformat_z


class ParsedEvent(NamedTuple):
    """An event that passed every check, ready to be stored."""

    event_id: str
    seq: int
    item_id: str
    notice_id: int
    revision: int
    content_sha256: str
    started_at: dt.datetime  # in UTC
    duration_ms: int
    outcome: str
    started_z: str  # started_at as isoformat_z gives it
    playlist_etag: str  # the playlist it played from
    prev: str  # the hash of the screen's event before it (the player's chain)
    play_ms: int | None = None  # the item's time on the screen, from the playlist it played from


_STORED = sa.select(DisplayEvent.player_seq, DisplayEvent.event_id).where(
    DisplayEvent.screen_id == sa.bindparam("screen_id")
)
_STORED_RANGE = _STORED.where(
    DisplayEvent.player_seq.between(sa.bindparam("low"), sa.bindparam("high"))
)
_STORED_AMONG = _STORED.where(DisplayEvent.player_seq.in_(sa.bindparam("seqs", expanding=True)))


def stored_event_ids(connection: sa.Connection, screen_id: int, seqs: list[int]) -> dict[int, str]:
    """The event ids already stored under these player sequence numbers."""
    low, high = min(seqs), max(seqs)
    # A batch is nearly always a run of consecutive numbers: a range is cheaper to send than
    # hundreds of IN parameters, and returns no more rows than the batch has numbers.
    if high - low < 2 * len(seqs):
        found = connection.execute(
            _STORED_RANGE, {"screen_id": screen_id, "low": low, "high": high}
        )
    else:
        found = connection.execute(_STORED_AMONG, {"screen_id": screen_id, "seqs": seqs})
    wanted = set(seqs)
    return {seq: event_id for seq, event_id in found if seq in wanted}


def append_events(
    session: Session, screen_id: int, fresh: list[tuple[ParsedEvent, str]], now: dt.datetime
) -> list[str]:
    """Append checked events (each with its revision's category) to the screen's chain, in
    order; return their ids."""
    connection = session.connection()
    link = next_link(session, chain_name(screen_id), len(fresh))
    prev_hash = link.prev_hash
    received_z = isoformat_z(now)
    # Times as the driver takes them, from the text already made for the hash.
    bind_time = _TIME_TYPE.bind_processor_z(connection.dialect)
    received = bind_time(now, received_z)
    rows = []
    accepted: list[str] = []
    for chain_seq, (p, category) in enumerate(fresh, link.seq):
        # The times are hashed as isoformat_z writes them, whatever the driver is given.
        if is_plain(p.item_id):  # ingest lets the other strings be nothing else
            record = record_text(
                screen_id,
                chain_seq,
                p.seq,
                p.event_id,
                p.content_sha256,
                p.item_id,
                p.notice_id,
                p.revision,
                p.started_z,
                p.duration_ms,
                p.outcome,
                received_z,
            ).encode()
        else:
            values = p._asdict() | {"screen_id": screen_id, "chain_seq": chain_seq}
            values |= {"player_seq": p.seq, "received_at": now}
            record = canonical_json(hashed_record(values))
        event_hash = link_hash(prev_hash, record)
        # Column values in _COLUMNS order, as the driver takes them: building ORM objects, or
        # letting SQLAlchemy prepare each row, costs more than the rest of ingest together.
        rows.append(
            (
                screen_id,
                p.seq,
                chain_seq,
                p.event_id,
                p.item_id,
                p.notice_id,
                p.revision,
                p.content_sha256,
                category,
                bind_time(p.started_at, p.started_z),
                p.duration_ms,
                p.outcome,
                received,
                prev_hash,
                event_hash,
                p.playlist_etag,
                p.prev,
                p.play_ms,
            )
        )
        prev_hash = event_hash
        accepted.append(p.event_id)
    sql, positional = _insert_statement(connection.dialect)
    connection.exec_driver_sql(
        sql, rows if positional else [dict(zip(_COLUMNS, row, strict=True)) for row in rows]
    )
    close_link(session, link, prev_hash)
    return accepted


_COLUMNS = (
    "screen_id",
    "player_seq",
    "chain_seq",
    "event_id",
    "item_id",
    "notice_id",
    "revision",
    "content_sha256",
    "category",
    "started_at",
    "duration_ms",
    "outcome",
    "received_at",
    "prev_hash",
    "hash",
    "playlist_etag",
    "player_prev",
    "play_ms",
)
_TIME_TYPE = UTCDateTime()


@functools.lru_cache(maxsize=8)
def _insert_statement(dialect: sa.Dialect) -> tuple[str, bool]:
    """The INSERT of a display event for ``dialect``, compiled once, and whether it takes its
    values as a tuple in :data:`_COLUMNS` order (else as a mapping). Its values go in as the
    driver takes them: the two times are the only columns whose type converts, and
    :func:`append_events` binds those itself."""
    table = DisplayEvent.__table__
    assert all(
        table.c[name].type.bind_processor(dialect) is None  # type: ignore[attr-defined]
        for name in _COLUMNS
        if name not in ("started_at", "received_at")
    )
    compiled = sa.insert(table).compile(dialect=dialect, column_keys=list(_COLUMNS))
    if compiled.positional:
        assert tuple(compiled.positiontup or ()) == _COLUMNS
    return str(compiled), compiled.positional


def record_gaps(
    session: Session, screen_id: int, gaps: list[tuple[int, int]], now: dt.datetime
) -> None:
    """Record jumps in the player's sequence as lost events. A gap never shrinks: an event
    behind the screen's chain cannot be linked in (:mod:`signage.displaylog.links`)."""
    session.add_all(
        DisplayGap(screen_id=screen_id, first_seq=first, last_seq=last, detected_at=now)
        for first, last in gaps
    )
    session.flush()
