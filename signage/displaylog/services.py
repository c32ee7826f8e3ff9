"""Take display events from players, and read them back for supervisors.

Ingest (``POST /api/v1/player/events``) is idempotent by the player's sequence number: an event
sent twice (the player crashed before it saw the answer) is a *duplicate*, not a second play. An
event that cannot be stored is *rejected* with a reason and the player keeps it in a dead-letter
table; it is never dropped silently on either side. Accepted events are chained per screen,
``hash = sha256(prev_hash + canonical_json(event))``, in the order they were accepted. A jump in
the player's sequence is recorded as lost events (a gap); a late event that fills part of a gap
shrinks it.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import json
import operator
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, NamedTuple

import sqlalchemy as sa
from pydantic import (
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)
from sqlalchemy.orm import Session
from typing_extensions import TypedDict

from playlists import canonical_json
from signage.accounts.models import Role, User
from signage.accounts.permissions import require_role
from signage.audit.chain import ChainBreak, close_link, link_hash, next_link, verify_links
from signage.audit.models import ChainHead
from signage.audit.services import isoformat_z
from signage.db import UTCDateTime
from signage.displaylog.models import DisplayEvent, DisplayGap
from signage.errors import BadRequest, InvalidInput
from signage.notices.models import NoticeRevision
from signage.screens.models import Screen

MAX_BATCH = 500
OUTCOMES = frozenset({"shown", "interrupted", "error"})
SHA256 = re.compile(r"^[0-9a-f]{64}$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MAX_DURATION_MS = 24 * 3600 * 1000
FUTURE_SLACK = dt.timedelta(minutes=5)


def chain_name(screen_id: int) -> str:
    return f"display:{screen_id}"


HASHED = (
    "screen_id",
    "chain_seq",
    "player_seq",
    "event_id",
    "item_id",
    "notice_id",
    "revision",
    "content_sha256",
    "started_at",
    "duration_ms",
    "outcome",
    "received_at",
)


def hashed_record(e: DisplayEvent | dict[str, Any]) -> dict[str, Any]:
    """The fields of a stored event that its hash covers (from a row or its column values).

    This is the definition; :func:`record_json` is its canonical JSON, written out by hand.
    """
    values = e if isinstance(e, dict) else {name: getattr(e, name) for name in HASHED}
    record = {name: values[name] for name in HASHED}
    record["started_at"] = isoformat_z(values["started_at"])
    record["received_at"] = isoformat_z(values["received_at"])
    return record


def _plain(text: str) -> bool:
    """True when ``text`` goes into canonical JSON as it is (nothing to escape)."""
    return text.isascii() and text.isprintable() and '"' not in text and "\\" not in text


def record_json(
    e: DisplayEvent | dict[str, Any], started_z: str | None = None, received_z: str | None = None
) -> bytes:
    """``canonical_json(hashed_record(e))``, built directly: the general encoder (sorting keys,
    checking types) was the largest single cost of ingest. A property test holds the two equal.

    ``started_z``/``received_z`` are the times already formatted by :func:`isoformat_z`, when the
    caller has them.
    """
    get = e.__getitem__ if isinstance(e, dict) else e.__getattribute__
    strings = (get("event_id"), get("content_sha256"), get("item_id"), get("outcome"))
    if not _plain("".join(strings)):  # something to escape: the general encoder
        return canonical_json(hashed_record(e))
    return _record_text(
        get("screen_id"),
        get("chain_seq"),
        get("player_seq"),
        *strings[:3],
        get("notice_id"),
        get("revision"),
        started_z or isoformat_z(get("started_at")),
        get("duration_ms"),
        strings[3],
        received_z or isoformat_z(get("received_at")),
    ).encode()


def _record_text(
    screen_id: int,
    chain_seq: int,
    player_seq: int,
    event_id: str,
    content_sha256: str,
    item_id: str,
    notice_id: int,
    revision: int,
    started_z: str,
    duration_ms: int,
    outcome: str,
    received_z: str,
) -> str:
    """The canonical JSON of a hashed record whose strings need no escaping (:func:`_plain`)."""
    return (
        f'{{"chain_seq":{chain_seq},"content_sha256":"{content_sha256}",'
        f'"duration_ms":{duration_ms},"event_id":"{event_id}","item_id":"{item_id}",'
        f'"notice_id":{notice_id},"outcome":"{outcome}",'
        f'"player_seq":{player_seq},"received_at":"{received_z}",'
        f'"revision":{revision},"screen_id":{screen_id},"started_at":"{started_z}"}}'
    )


@dataclass
class IngestResult:
    accepted: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    rejected: list[dict[str, str]] = field(default_factory=list)
    lost: list[tuple[int, int]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "lost": [{"first_seq": a, "last_seq": b} for a, b in self.lost],
        }


class _Parsed(NamedTuple):
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


_INTEGERS = (("seq", 1, 2**62), ("notice_id", 1, 2**31), ("revision", 1, 2**31))
_INTEGERS += (("duration_ms", 0, MAX_DURATION_MS),)

# A time in UTC as players write it ("2026-11-26T08:00:00Z", or "+00:00" for the Z): its
# isoformat_z text can be cut out of it rather than formatted anew.
_UTC_TEXT = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d{6})?(?:Z|\+00:00)")


def _start_time(text: Any, latest: dt.datetime) -> tuple[dt.datetime, str]:
    """The start time an event gives as ``text``: in UTC, and as :func:`isoformat_z` writes it.

    Raises ValueError with the reason when it is no ISO-8601 time with an offset, or cannot be
    believed (later than ``latest``).
    """
    try:
        started_at = dt.datetime.fromisoformat(text) if type(text) is str else None
    except ValueError:
        started_at = None
    if started_at is None or started_at.tzinfo is None:
        raise ValueError("started_at must be an ISO-8601 time with an offset")
    utc = _UTC_TEXT.fullmatch(text)
    if utc is not None and started_at.tzinfo is dt.UTC:
        # The same fields fromisoformat read, so the same text isoformat_z would write.
        seconds, fraction = utc.groups()
        if fraction is None or fraction == ".000000":
            fraction = ""
        started_z = f"{seconds}{fraction}Z"
    else:
        try:
            started_at = started_at.astimezone(dt.UTC)
        except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00
            raise ValueError("started_at is out of range") from None
        started_z = isoformat_z(started_at)
    if started_at > latest:
        raise ValueError("started_at is in the future (is the player's clock right?)")
    return started_at, started_z


def _parse(raw: Any, latest: dt.datetime) -> _Parsed:
    """Check one event; raise ValueError with the reason it cannot be stored.

    ``latest`` is the latest start time believed (now plus the allowed clock slack).
    """
    if type(raw) is not dict:
        raise ValueError("an event must be a JSON object")
    get = raw.get
    for name, low, high in _INTEGERS:
        value = get(name)
        # type() rather than isinstance(): JSON true/false arrive as bools, which are ints.
        if type(value) is not int or not low <= value <= high:
            raise ValueError(f"{name} must be a whole number {low}–{high}")
    event_id = get("id")
    if type(event_id) is not str or not UUID.fullmatch(event_id):
        raise ValueError("id must be a UUID in its usual lowercase form")
    item_id = get("item_id")
    if type(item_id) is not str or not 1 <= len(item_id) <= 64:
        raise ValueError("item_id must be a string of 1–64 characters")
    digest = get("content_sha256")
    if type(digest) is not str or not SHA256.fullmatch(digest):
        raise ValueError("content_sha256 must be 64 lowercase hex digits")
    started_at, started_z = _start_time(get("started_at"), latest)
    outcome = get("outcome")
    if outcome not in OUTCOMES:
        raise ValueError("outcome must be shown, interrupted or error")
    return _Parsed(
        event_id,
        raw["seq"],
        item_id,
        raw["notice_id"],
        raw["revision"],
        digest,
        started_at,
        raw["duration_ms"],
        outcome,
        started_z,
    )


class _Event(TypedDict):
    """A display event as :func:`_parse` accepts it, for checking a whole batch at once.

    ``started_at`` is left a string here, for :func:`_start_time` to read.
    """

    __pydantic_config__ = ConfigDict(strict=True)  # type: ignore[misc]

    id: Annotated[str, StringConstraints(pattern=UUID.pattern)]
    seq: Annotated[int, Field(ge=1, le=2**62)]
    item_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    notice_id: Annotated[int, Field(ge=1, le=2**31)]
    revision: Annotated[int, Field(ge=1, le=2**31)]
    content_sha256: Annotated[str, StringConstraints(pattern=SHA256.pattern)]
    started_at: Annotated[str, StringConstraints(max_length=64)]
    duration_ms: Annotated[int, Field(ge=0, le=MAX_DURATION_MS)]
    outcome: Literal["shown", "interrupted", "error"]


class _Batch(TypedDict):
    events: Annotated[list[_Event], Field(max_length=MAX_BATCH)]


_BATCH = TypeAdapter(_Batch)


def ingest_body(session: Session, screen_id: int, body: bytes, *, now: dt.datetime) -> IngestResult:
    """Store a batch as the player sent it, ``{"events": [...]}`` in JSON.

    A batch whose every event is well formed (nearly all of them) is checked in one pass by
    pydantic's compiled validator, straight from the bytes: four times quicker than reading
    the JSON and checking event by event. Any other batch takes the event-by-event way, which
    says what is wrong with each event it rejects.
    """
    try:
        batch = _BATCH.validate_json(body)
    except ValidationError:
        try:
            raw = json.loads(body)
        except ValueError:
            raw = None
        if not isinstance(raw, dict) or not isinstance(raw.get("events"), list):
            raise BadRequest('send {"events": [...]} as JSON') from None
        return ingest_events(session, screen_id, raw["events"], now=now)
    result = IngestResult()
    parsed: list[_Parsed] = []
    latest = now + FUTURE_SLACK
    for e in batch["events"]:
        try:
            started_at, started_z = _start_time(e["started_at"], latest)
        except ValueError as exc:
            result.rejected.append({"id": e["id"], "reason": str(exc)})
            continue
        parsed.append(
            _Parsed(
                e["id"],
                e["seq"],
                e["item_id"],
                e["notice_id"],
                e["revision"],
                e["content_sha256"],
                started_at,
                e["duration_ms"],
                e["outcome"],
                started_z,
            )
        )
    return _ingest(session, screen_id, parsed, result, now)


def ingest_events(
    session: Session, screen_id: int, events: Sequence[Any], *, now: dt.datetime
) -> IngestResult:
    """Store a batch of display events from one screen (see the module docstring)."""
    if len(events) > MAX_BATCH:
        raise InvalidInput(f"send at most {MAX_BATCH} events per batch", field="events")
    result = IngestResult()
    parsed: list[_Parsed] = []
    latest = now + FUTURE_SLACK
    for raw in events:
        try:
            parsed.append(_parse(raw, latest))
        except ValueError as exc:
            event_id = str(raw.get("id")) if isinstance(raw, dict) else ""
            result.rejected.append({"id": event_id, "reason": str(exc)})
    return _ingest(session, screen_id, parsed, result, now)


class _Approved(NamedTuple):
    """What an event must agree with to be stored: its revision as it was approved."""

    earliest: dt.datetime  # no event of it started before this (its approval, less the slack)
    content_sha256: str
    category: str


_APPROVED = sa.select(
    NoticeRevision.notice_id,
    NoticeRevision.number,
    NoticeRevision.reviewed_at,
    NoticeRevision.state,
    NoticeRevision.content_sha256,
    NoticeRevision.category,
).where(
    sa.tuple_(NoticeRevision.notice_id, NoticeRevision.number).in_(
        sa.bindparam("pairs", expanding=True)
    )
)


def _approved_revisions(
    connection: sa.Connection, pairs: set[tuple[int, int]]
) -> dict[tuple[int, int], _Approved]:
    """The approved revisions among (notice id, revision number) pairs."""
    if not pairs:
        return {}
    return {
        (notice_id, number): _Approved(reviewed_at - FUTURE_SLACK, content_sha256, category)
        for notice_id, number, reviewed_at, state, content_sha256, category in connection.execute(
            _APPROVED, {"pairs": list(pairs)}
        )
        if reviewed_at is not None and state != "rejected"
    }


def _ingest(
    session: Session,
    screen_id: int,
    parsed: list[_Parsed],
    result: IngestResult,
    now: dt.datetime,
) -> IngestResult:
    # Plain Core statements on the session's connection: no ORM object is read or written here,
    # and the ORM's handling of a statement costs more than the statement.
    connection = session.connection()
    # Duplicates: the same player sequence number already stored (or twice in this batch).
    seqs = [p.seq for p in parsed]
    stored = _stored_event_ids(connection, screen_id, seqs) if seqs else {}
    # What each event claims to have shown must be a revision that was approved.
    approved = _approved_revisions(connection, {(p.notice_id, p.revision) for p in parsed})
    fresh: list[tuple[_Parsed, str]] = []  # with the revision's category
    seen: dict[int, str] = {}
    reject = result.rejected.append
    for p in sorted(parsed, key=operator.attrgetter("seq")):
        earlier = stored.get(p.seq) or seen.get(p.seq)
        if earlier is not None:
            if earlier == p.event_id:
                result.duplicates.append(p.event_id)
            else:
                reason = f"sequence number {p.seq} was already used by event {earlier}"
                reject({"id": p.event_id, "reason": reason})
            continue
        revision = approved.get((p.notice_id, p.revision))
        if revision is None:
            reason = f"notice {p.notice_id} revision {p.revision} was never approved"
            reject({"id": p.event_id, "reason": reason})
        elif p.started_at < revision.earliest:
            # Nothing was shown before it was approved: a clock that was wrong (a board whose
            # clock fell back to 1970) would also put the event outside every report.
            reason = "started_at is before the revision was approved (is the player's clock right?)"
            reject({"id": p.event_id, "reason": reason})
        elif revision.content_sha256 != p.content_sha256:
            reason = "content_sha256 does not match the approved revision"
            reject({"id": p.event_id, "reason": reason})
        else:
            seen[p.seq] = p.event_id
            fresh.append((p, revision.category))
    if fresh:
        _store(session, connection, screen_id, fresh, now, result)
    return result


_STORED = sa.select(DisplayEvent.player_seq, DisplayEvent.event_id).where(
    DisplayEvent.screen_id == sa.bindparam("screen_id")
)
_STORED_RANGE = _STORED.where(
    DisplayEvent.player_seq.between(sa.bindparam("low"), sa.bindparam("high"))
)
_STORED_AMONG = _STORED.where(DisplayEvent.player_seq.in_(sa.bindparam("seqs", expanding=True)))
_LAST_SEQ = sa.select(sa.func.max(DisplayEvent.player_seq)).where(
    DisplayEvent.screen_id == sa.bindparam("screen_id")
)


def _stored_event_ids(connection: sa.Connection, screen_id: int, seqs: list[int]) -> dict[int, str]:
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


def _store(
    session: Session,
    connection: sa.Connection,
    screen_id: int,
    fresh: list[tuple[_Parsed, str]],
    now: dt.datetime,
    result: IngestResult,
) -> None:
    previous_max = connection.scalar(_LAST_SEQ, {"screen_id": screen_id}) or 0
    link = next_link(session, chain_name(screen_id), len(fresh))
    prev_hash = link.prev_hash
    received_z = isoformat_z(now)
    # Times as the driver takes them, from the text already made for the hash.
    bind_time = _TIME_TYPE.bind_processor_z(connection.dialect)
    received = bind_time(now, received_z)
    rows = []
    accepted = result.accepted.append
    for chain_seq, (p, category) in enumerate(fresh, link.seq):
        # The times are hashed as isoformat_z writes them, whatever the driver is given.
        if _plain(p.item_id):  # _parse and _Event let the other strings be nothing else
            record = _record_text(
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
            )
        )
        prev_hash = event_hash
        accepted(p.event_id)
    sql, positional = _insert_statement(connection.dialect)
    connection.exec_driver_sql(
        sql, rows if positional else [dict(zip(_COLUMNS, row, strict=True)) for row in rows]
    )
    close_link(session, link, prev_hash)
    _record_gaps(session, screen_id, previous_max, [p.seq for p, _ in fresh], now, result)


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
)
_TIME_TYPE = UTCDateTime()


@functools.lru_cache(maxsize=8)
def _insert_statement(dialect: sa.Dialect) -> tuple[str, bool]:
    """The INSERT of a display event for ``dialect``, compiled once, and whether it takes its
    values as a tuple in :data:`_COLUMNS` order (else as a mapping). Its values go in as the
    driver takes them: the two times are the only columns whose type converts, and
    :func:`_store` binds those itself."""
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


def _record_gaps(
    session: Session,
    screen_id: int,
    previous_max: int,
    seqs: list[int],
    now: dt.datetime,
    result: IngestResult,
) -> None:
    expected = previous_max + 1
    late = [s for s in seqs if s <= previous_max]
    for seq in (s for s in seqs if s > previous_max):
        if seq > expected:
            session.add(
                DisplayGap(
                    screen_id=screen_id, first_seq=expected, last_seq=seq - 1, detected_at=now
                )
            )
            result.lost.append((expected, seq - 1))
        expected = seq + 1
    for seq in late:  # an event that was counted lost has arrived after all
        gap = session.scalar(
            sa.select(DisplayGap).where(
                DisplayGap.screen_id == screen_id,
                DisplayGap.first_seq <= seq,
                DisplayGap.last_seq >= seq,
            )
        )
        if gap is None:
            continue
        if gap.first_seq == gap.last_seq:
            session.delete(gap)
        elif seq == gap.first_seq:
            gap.first_seq += 1
        elif seq == gap.last_seq:
            gap.last_seq -= 1
        else:
            session.add(
                DisplayGap(
                    screen_id=screen_id,
                    first_seq=seq + 1,
                    last_seq=gap.last_seq,
                    detected_at=gap.detected_at,
                )
            )
            gap.last_seq = seq - 1
    session.flush()


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


# --- reading the log --------------------------------------------------------------------------


@dataclass(frozen=True)
class EventFilter:
    screen: str | None = None
    notice: int | None = None
    category: str | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None


def encode_cursor(event: DisplayEvent) -> str:
    raw = f"{isoformat_z(event.started_at)}|{event.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        when, _, ident = raw.partition("|")
        return dt.datetime.fromisoformat(when), int(ident)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("the cursor is not one this API gave out", field="cursor") from None


def _query(session: Session, f: EventFilter) -> sa.Select[Any]:
    query = sa.select(DisplayEvent, Screen.key).join(Screen, Screen.id == DisplayEvent.screen_id)
    if f.screen is not None:
        query = query.where(Screen.key == f.screen)
    if f.notice is not None:
        query = query.where(DisplayEvent.notice_id == f.notice)
    if f.category is not None:
        query = query.where(DisplayEvent.category == f.category)
    if f.start is not None:
        query = query.where(DisplayEvent.started_at >= f.start)
    if f.end is not None:
        query = query.where(DisplayEvent.started_at < f.end)
    return query


def list_events(
    session: Session, actor: User, f: EventFilter, *, limit: int, cursor: str | None = None
) -> tuple[list[tuple[DisplayEvent, str]], str | None]:
    """One page of events in time order, and the cursor of the next page (None at the end).

    Keyset paging on (started_at, id): every page is an index range scan, however deep.
    """
    require_role(actor, Role.SUPERVISOR, Role.ADMIN)
    query = _query(session, f)
    if cursor is not None:
        when, ident = decode_cursor(cursor)
        query = query.where(sa.tuple_(DisplayEvent.started_at, DisplayEvent.id) > (when, ident))
    rows = session.execute(
        query.order_by(DisplayEvent.started_at, DisplayEvent.id).limit(limit + 1)
    ).all()
    page = [(r[0], r[1]) for r in rows[:limit]]
    following = encode_cursor(page[-1][0]) if len(rows) > limit else None
    return page, following


def iter_events(
    session: Session, actor: User, f: EventFilter, chunk: int = 2000
) -> Iterator[tuple[DisplayEvent, str]]:
    """Every event matching the filter, in time order, read in chunks (CSV export)."""
    cursor = None
    while True:
        page, cursor = list_events(session, actor, f, limit=chunk, cursor=cursor)
        yield from page
        if cursor is None:
            return
        session.expunge_all()


def event_json(event: DisplayEvent, screen_key: str) -> dict[str, Any]:
    return {
        "id": event.event_id,
        "screen": screen_key,
        "seq": event.player_seq,
        "chain_seq": event.chain_seq,
        "item_id": event.item_id,
        "notice_id": event.notice_id,
        "revision": event.revision,
        "category": event.category,
        "content_sha256": event.content_sha256,
        "started_at": isoformat_z(event.started_at),
        "duration_ms": event.duration_ms,
        "outcome": event.outcome,
        "received_at": isoformat_z(event.received_at),
        "hash": event.hash,
    }


CSV_COLUMNS = [
    "id",
    "screen",
    "seq",
    "chain_seq",
    "item_id",
    "notice_id",
    "revision",
    "category",
    "content_sha256",
    "started_at",
    "duration_ms",
    "outcome",
    "received_at",
    "hash",
]
