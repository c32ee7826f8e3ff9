"""Take display events from players (``POST /api/v1/player/events``).

Ingest is idempotent by the player's sequence number: an event sent twice (the player crashed
before it saw the answer) is a *duplicate*, not a second play. An event that cannot be stored
as a play is *rejected* with a reason: the player keeps it in a dead-letter table, and the
controller keeps it too, as a refused record (:class:`~signage.displaylog.models.RefusedEvent`),
so nothing a screen sends is dropped silently on either side.

A batch is first checked against the screen's own chain: signed by its player, every event
linked to the one before (:mod:`signage.displaylog.links`). An event of such a batch is then
stored as a play only when it names a revision that was approved, with that revision's content
hash, did not start before the approval, and is a play the screen could have had by the
playlists it was served (:mod:`signage.displaylog.served_check`). Accepted events are appended to
the screen's hash chain (:mod:`signage.displaylog.append`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import sqlalchemy as sa
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.orm import Session

from playlists import Outcome, item_id
from playlists.canonical import canonical_json
from playlists.events import (
    EVENT_BATCH,
    ID_RANGE,
    ITEM_ID_LENGTH,
    MAX_BATCH,
    MAX_DURATION_MS,
    SEQ_RANGE,
    SHA256_PATTERN,
    UUID_PATTERN,
    EventsAnswer,
    Rejection,
)
from playlists.evidence import ETAG, HASH_PATTERN, RECORD_FIELDS, SignedHead
from signage.displaylog.append import ParsedEvent, append_events, record_gaps
from signage.displaylog.links import Sent, keep_head, walk
from signage.displaylog.models import RefusedEvent
from signage.displaylog.served_check import check_plays
from signage.errors import BadRequest, InvalidInput
from signage.notices.models import NoticeRevision
from signage.notices.queries import approved
from signage.times import isoformat_z

# How far ahead of the controller's clock a start time may be (a player's clock runs fast).
FUTURE_SLACK = dt.timedelta(minutes=5)
_ITEM_ID_REASON = "item_id is not the playlist's id of that revision (n<notice>.r<revision>)"


@dataclass
class IngestResult:
    accepted: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    lost: list[tuple[int, int]] = field(default_factory=list)

    def to_dict(self) -> EventsAnswer:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "lost": [{"first_seq": a, "last_seq": b} for a, b in self.lost],
        }


_INTEGERS = (("seq", *SEQ_RANGE), ("notice_id", *ID_RANGE), ("revision", *ID_RANGE))
_INTEGERS += (("duration_ms", 0, MAX_DURATION_MS),)
_UUID = re.compile(UUID_PATTERN)
_SHA256 = re.compile(SHA256_PATTERN)
_HASH = re.compile(HASH_PATTERN)
_OUTCOMES = frozenset(Outcome)

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
    # A time too early is refused with the revision's approval (nothing plays before it).
    return started_at, started_z


def _parse(raw: Any, latest: dt.datetime) -> ParsedEvent:
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
    if type(event_id) is not str or not _UUID.fullmatch(event_id):
        raise ValueError("id must be a UUID in its usual lowercase form")
    item = get("item_id")
    low, high = ITEM_ID_LENGTH
    if type(item) is not str or not low <= len(item) <= high:
        raise ValueError(f"item_id must be a string of {low}–{high} characters")
    digest = get("content_sha256")
    if type(digest) is not str or not _SHA256.fullmatch(digest):
        raise ValueError("content_sha256 must be 64 lowercase hex digits")
    started_at, started_z = _start_time(get("started_at"), latest)
    outcome = get("outcome")
    if outcome not in _OUTCOMES:
        raise ValueError("outcome must be shown, interrupted or error")
    playlist_etag = get("playlist_etag")
    if type(playlist_etag) is not str or not ETAG.fullmatch(playlist_etag):
        raise ValueError("playlist_etag must be the ETag of the playlist it played from")
    prev = get("prev")
    if type(prev) is not str or not _HASH.fullmatch(prev):
        raise ValueError("prev must be the hash of the screen's event before it")
    return ParsedEvent(
        event_id,
        raw["seq"],
        item,
        raw["notice_id"],
        raw["revision"],
        digest,
        started_at,
        raw["duration_ms"],
        outcome,
        started_z,
        playlist_etag,
        prev,
    )


def ingest_body(session: Session, screen_id: int, body: bytes, *, now: dt.datetime) -> IngestResult:
    """Store a batch as the player sent it, ``{"events": [...], "head": {...}}`` in JSON.

    A batch whose every event is well formed (nearly all of them) is checked in one pass by
    pydantic's compiled validator, straight from the bytes: four times quicker than reading
    the JSON and checking event by event. Any other batch takes the event-by-event way, which
    says what is wrong with each event it rejects.
    """
    try:
        batch = EVENT_BATCH.validate_json(body)
    except ValidationError as exc:
        raw = None
        # Not JSON at all (or nested past any sense) needs no second reading.
        if exc.errors()[0]["type"] != "json_invalid":
            try:
                raw = json.loads(body)
            except (ValueError, RecursionError):
                raw = None
        if not isinstance(raw, dict) or not isinstance(raw.get("events"), list):
            raise BadRequest('send {"events": [...], "head": {...}} as JSON') from None
        return ingest_events(session, screen_id, raw["events"], raw.get("head"), now=now)
    sent: list[Sent] = []
    latest = now + FUTURE_SLACK
    for e in batch["events"]:
        try:
            started_at, started_z = _start_time(e["started_at"], latest)
        except ValueError as exc:
            sent.append(Sent(e, None, str(exc)))
            continue
        parsed = ParsedEvent(
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
            e["playlist_etag"],
            e["prev"],
        )
        sent.append(Sent(e, parsed))
    return _ingest(session, screen_id, sent, batch["head"], now)


_HEAD: TypeAdapter[SignedHead] = TypeAdapter(SignedHead)


def _signed_head(head: Any) -> SignedHead:
    """The batch's signed head, or a 422: a batch without one is no batch of the protocol (the
    player keeps its events and sends them again, signed)."""
    seq = head.get("seq") if isinstance(head, dict) else None
    if type(seq) is float and seq.is_integer():  # 812.0 is the whole number JSON Schema says
        head = {**head, "seq": int(seq)}
    try:
        return _HEAD.validate_python(head)
    except ValidationError:
        raise InvalidInput(
            "head must be the screen's chain head signed by its player: "
            "{seq, hash, key_id, signature}",
            field="head",
        ) from None


def ingest_events(
    session: Session,
    screen_id: int,
    events: Sequence[Any],
    head: Any = None,
    *,
    now: dt.datetime,
) -> IngestResult:
    """Store a batch of display events from one screen, with the head its player signed (see
    the module docstring)."""
    if len(events) > MAX_BATCH:
        raise InvalidInput(
            "send at most %(max_batch)s events per batch", max_batch=MAX_BATCH, field="events"
        )
    sent: list[Sent] = []
    latest = now + FUTURE_SLACK
    for raw in events:
        try:
            sent.append(Sent(raw, _parse(raw, latest)))
        except ValueError as exc:
            sent.append(Sent(raw, None, str(exc)))
    return _ingest(session, screen_id, sent, _signed_head(head), now)


class _Approved(NamedTuple):
    """What an event must agree with to be stored: its revision as it was approved."""

    earliest: dt.datetime  # no event of it started before this (its approval, less the slack)
    content_sha256: str
    category: str


_APPROVED = sa.select(
    NoticeRevision.notice_id,
    NoticeRevision.number,
    NoticeRevision.reviewed_at,
    NoticeRevision.content_sha256,
    NoticeRevision.category,
).where(
    sa.tuple_(NoticeRevision.notice_id, NoticeRevision.number).in_(
        sa.bindparam("pairs", expanding=True)
    ),
    approved(),
)


def _approved_revisions(
    connection: sa.Connection, pairs: set[tuple[int, int]]
) -> dict[tuple[int, int], _Approved]:
    """The approved revisions among (notice id, revision number) pairs (see
    :func:`signage.notices.queries.approved`)."""
    if not pairs:
        return {}
    return {
        (notice_id, number): _Approved(reviewed_at - FUTURE_SLACK, content_sha256, category)
        for notice_id, number, reviewed_at, content_sha256, category in connection.execute(
            _APPROVED, {"pairs": list(pairs)}
        )
    }


def _approval_reason(p: ParsedEvent, revision: _Approved | None) -> str | None:
    """Why ``p`` is no display of an approved revision, if it is not."""
    if revision is None:
        return f"notice {p.notice_id} revision {p.revision} was never approved"
    if p.started_at < revision.earliest:
        # Nothing was shown before it was approved: a clock that was wrong (a board whose
        # clock fell back to 1970) would also put the event outside every report.
        return "started_at is before the revision was approved (is the player's clock right?)"
    if revision.content_sha256 != p.content_sha256:
        return "content_sha256 does not match the approved revision"
    if p.item_id != item_id(p.notice_id, p.revision):
        return _ITEM_ID_REASON
    return None


def _ingest(
    session: Session,
    screen_id: int,
    sent: list[Sent],
    head: Any,
    now: dt.datetime,
) -> IngestResult:
    result = IngestResult()
    found = walk(session, screen_id, sent, head, now=now)
    result.duplicates.extend(found.duplicates)
    result.rejected.extend({"id": i, "reason": r} for i, r in found.again)
    refused: list[tuple[Sent, str, bool]] = [(s, r, False) for s, r in found.outside]
    candidates: list[Sent] = []
    for s in found.chained:
        if s.parsed is None:
            refused.append((s, s.reason or "the event is malformed", True))
        else:
            candidates.append(s)
    # Plain Core statements on the session's connection: no ORM object is read or written here,
    # and the ORM's handling of a statement costs more than the statement.
    connection = session.connection()
    approved = _approved_revisions(
        connection, {(s.parsed.notice_id, s.parsed.revision) for s in candidates if s.parsed}
    )
    plays: list[tuple[Sent, str]] = []  # with the revision's category
    for s in candidates:
        assert s.parsed is not None
        revision = approved.get((s.parsed.notice_id, s.parsed.revision))
        reason = _approval_reason(s.parsed, revision)
        if reason is not None:
            refused.append((s, reason, True))
        else:
            assert revision is not None
            plays.append((s, revision.category))
    not_plays, play_ms = check_plays(
        session, screen_id, [s.parsed for s, _ in plays if s.parsed], latest=now + FUTURE_SLACK
    )
    fresh: list[tuple[ParsedEvent, str]] = []
    for s, category in plays:
        assert s.parsed is not None
        reason = not_plays.get(s.parsed.seq)
        if reason is None:
            fresh.append((s.parsed._replace(play_ms=play_ms[s.parsed.seq]), category))
        else:
            refused.append((s, reason, True))
    if fresh:
        result.accepted.extend(append_events(session, screen_id, fresh, now))
    record_gaps(session, screen_id, found.gaps, now)
    _keep_refused(session, screen_id, refused, now)
    keep_head(session, found)
    result.rejected.extend({"id": s.event_id, "reason": r} for s, r, _ in refused)
    result.lost.extend(found.gaps)
    return result


KEPT_CHARS = 2000  # of an event refused outside the chain: enough to see what it was


def _as_sent(raw: Any, chained: bool) -> str:
    """An event as it was sent, as text to keep: of one in the chain, the fields its hash covers
    (canonical JSON: what verify-logs hashes again); of any other, the first characters."""
    if chained and isinstance(raw, dict):
        return canonical_json({k: raw[k] for k in RECORD_FIELDS if k in raw}).decode("utf-8")
    try:
        text = canonical_json(raw).decode("utf-8")
    except (TypeError, ValueError):  # NaN and the like, which the JSON reader lets through
        text = json.dumps(raw, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= KEPT_CHARS else text[:KEPT_CHARS] + "…"


def _keep_refused(
    session: Session, screen_id: int, refused: list[tuple[Sent, str, bool]], now: dt.datetime
) -> None:
    """Keep every refused event as it was sent, with why and whether it is in the chain."""
    if not refused:
        return
    session.execute(
        sa.insert(RefusedEvent),
        [
            {
                "screen_id": screen_id,
                "event_id": s.event_id,
                "player_seq": s.seq,
                "received_at": now,
                "reason": reason.replace("\x00", ""),
                "body": _as_sent(s.raw, chained),
                "chained": chained,
                "hash": s.hash if chained else None,
            }
            for s, reason, chained in refused
        ],
    )
