"""The served-playlist store: every playlist a screen was sent, kept small, rebuilt to check.

A display event names the ETag of the playlist it played from, and ingest accepts it only if that
playlist was sent to that screen and holds the item. Keeping every document sent would cost
gigabytes a day for a province's screens; but compiling is deterministic, so a document is kept as
its inputs: the screen's settings, the priority weights, the horizon and the revisions it holds
(:class:`ServedInputs`, once per distinct value), and per document only its ETag, its hour and when
it was first sent (:class:`ServedPlaylist`). :func:`rebuild` compiles it again from the revisions
as stored; the ETag, a hash of the document's bytes, proves that the rebuilt document is the one
that was sent, and a revision changed in the database since shows as a mismatch.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload

from playlists import (
    BlackoutOrder,
    ColorMode,
    FontRef,
    NoticeSpec,
    Playlist,
    Reading,
    ScreenSpec,
    canonical_bytes,
    canonical_json,
    iso,
    sha256_hex,
)
from playlists.brightness import Filler
from playlists.compile import compile_playlist
from playlists.intervals import Interval
from playlists.signing import signed_etag
from signage.delivery.models import ServedInputs, ServedPlaylist
from signage.delivery.specs import media_for, notice_spec
from signage.notices.models import NoticeRevision


def inputs_json(
    screen: ScreenSpec, weights: Mapping[str, int], horizon: dt.timedelta, playlist: Playlist
) -> bytes:
    """The inputs of ``playlist`` besides its hour, as stored (canonical JSON)."""
    inputs: dict[str, Any] = {
        "screen": {
            "key": screen.key,
            "width": screen.width,
            "height": screen.height,
            "color": str(screen.color),
            "timezone": screen.timezone,
            "hours": screen.hours,
            "reading": screen.reading.to_dict(),
        },
        "weights": dict(weights),
        "horizon_s": int(horizon.total_seconds()),
        "revisions": [[i.notice_id, i.revision] for i in playlist.items],
        # Each item's time as measured then: a rebuild need not measure again (nor have
        # the same font), and the ETag still proves the document.
        "play_ms": [i.duration_ms for i in playlist.items],
        "font": None
        if playlist.font is None
        else {"name": playlist.font.name, "sha256": playlist.font.sha256},
    }
    # Each only when set: other inputs keep the digest they had.
    if screen.brightness is not None:
        inputs["screen"]["brightness"] = screen.brightness
    if screen.filler is not None:
        inputs["screen"]["filler"] = {"clock": screen.filler.clock, "text": screen.filler.text}
    if screen.blackout is not None:
        order = screen.blackout
        inputs["screen"]["blackout"] = {
            "id": order.id,
            "since": iso(order.since),
            "reason": order.reason,
        }
    return canonical_json(inputs)


@dataclass(frozen=True)
class _AsMeasured:
    """The items' times as the served document had them (:class:`playlists.compile.Measure`)."""

    font: FontRef | None
    times: Mapping[tuple[int, int], int]

    def play_ms(self, notice: NoticeSpec, screen: ScreenSpec) -> int:
        return self.times.get((notice.notice_id, notice.revision), notice.duration_s * 1000)


_SERVED_TABLE = ServedPlaylist.__table__


@dataclass(frozen=True)
class Sent:
    """That the playlist ``etag`` (without quotes), compiled from ``inputs`` for the hour
    ``generated_at``, was sent to the screen at ``at``."""

    screen_id: int
    etag: str
    generated_at: dt.datetime
    inputs: bytes
    at: dt.datetime


def _dialect_insert(session: Session, table: sa.Table) -> Any:
    name = session.connection().dialect.name
    return (postgresql.insert if name == "postgresql" else sqlite.insert)(table)


def record_sent(session: Session, sends: Sequence[Sent]) -> None:
    """Note that each playlist was sent to its screen at ``at``: its first send is kept, and its
    last; many at once, in three statements."""
    if not sends:
        return
    digests = {sha256_hex(s.inputs): s.inputs for s in sends}
    inputs_table = ServedInputs.__table__
    session.execute(
        _dialect_insert(session, inputs_table).on_conflict_do_nothing(),
        [{"digest": d, "inputs": text.decode("utf-8")} for d, text in digests.items()],
    )
    ids = dict(
        session.execute(
            sa.select(ServedInputs.digest, ServedInputs.id).where(
                ServedInputs.digest.in_(list(digests))
            )
        ).all()
    )
    insert = _dialect_insert(session, _SERVED_TABLE)
    latest: dict[str, Sent] = {}
    for sent in sends:  # one row per ETag (a statement may not touch a row twice)
        if sent.etag not in latest or latest[sent.etag].at < sent.at:
            latest[sent.etag] = sent
    session.execute(
        insert.on_conflict_do_update(
            index_elements=["etag"], set_={"last_sent_at": insert.excluded.last_sent_at}
        ),
        [
            {
                "etag": s.etag,
                "screen_id": s.screen_id,
                "inputs_id": ids[sha256_hex(s.inputs)],
                "generated_at": s.generated_at,
                "served_at": s.at,
                "last_sent_at": s.at,
            }
            for s in latest.values()
        ],
    )


def _order(stored: dict[str, Any] | None) -> BlackoutOrder | None:
    if stored is None:
        return None
    return BlackoutOrder(
        id=stored["id"], since=dt.datetime.fromisoformat(stored["since"]), reason=stored["reason"]
    )


class RebuildError(ValueError):
    """A served playlist that cannot be rebuilt as it was sent; the message says why."""


def rebuild(session: Session, etag: str) -> Playlist:
    """The playlist sent with ETag ``etag``, compiled again from its stored inputs; raise
    :class:`RebuildError` if it was never recorded or no longer rebuilds to that ETag."""
    row = session.execute(
        sa.select(ServedPlaylist.generated_at, ServedInputs.inputs)
        .join(ServedInputs, ServedInputs.id == ServedPlaylist.inputs_id)
        .where(ServedPlaylist.etag == etag)
    ).one_or_none()
    if row is None:
        raise RebuildError(f"playlist {etag} was never served")
    inputs = json.loads(row.inputs)
    screen = inputs["screen"]
    spec = ScreenSpec(
        **{
            **screen,
            "color": ColorMode(screen["color"]),
            "reading": Reading(**screen.get("reading", {})),
            "blackout": _order(screen.get("blackout")),
            "filler": Filler(**screen["filler"]) if screen.get("filler") else None,
        }
    )
    pairs = [tuple(p) for p in inputs["revisions"]]
    font = inputs.get("font")
    measured = _AsMeasured(
        None if font is None else FontRef(**font),
        dict(zip(pairs, inputs.get("play_ms", []), strict=False)),  # type: ignore[arg-type]
    )
    revisions = (
        list(
            session.scalars(
                sa.select(NoticeRevision)
                .where(sa.tuple_(NoticeRevision.notice_id, NoticeRevision.number).in_(pairs))
                .options(selectinload(NoticeRevision.screens), selectinload(NoticeRevision.groups))
            )
        )
        if pairs
        else []
    )
    if len(revisions) != len(pairs):
        raise RebuildError(f"playlist {etag} holds a revision that is no longer stored")
    media = media_for(session, revisions)
    # Aimed at this screen by construction: these are the revisions the document held, whatever
    # has become of the screen's groups since.
    specs = [notice_spec(r, media, aimed_at=spec.key) for r in revisions]
    horizon = dt.timedelta(seconds=inputs["horizon_s"])
    playlist = compile_playlist(spec, specs, row.generated_at, horizon, inputs["weights"], measured)
    key_id = etag.rpartition("-")[2]
    if signed_etag(canonical_bytes(playlist), key_id) != f'"{etag}"':
        raise RebuildError(
            f"playlist {etag} no longer rebuilds to what was served "
            "(a revision or the store was changed in the database)"
        )
    return playlist


@dataclass(frozen=True)
class ServedItem:
    """What an event must agree with: the item as the playlist held it."""

    notice_id: int
    revision: int
    content_sha256: str
    windows: tuple[Interval, ...]
    play_ms: int  # how long the item takes on the screen


class RebuiltPlaylists:
    """Playlists rebuilt for ingest, by ETag: the items they hold (at most ``size`` kept).

    An ETag is a hash of the document's bytes, so what it holds never changes and may be kept
    across requests; whether it was served to a given screen is asked of the database each time.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[str, dict[str, ServedItem]] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, etag: str, playlist: Playlist) -> None:
        """Keep what ``playlist``, sent now with ETag ``etag``, holds: the process that sends a
        playlist need not rebuild it to check the plays it brings back."""
        self._keep(etag, _index(playlist))

    def _keep(self, etag: str, found: dict[str, ServedItem]) -> None:
        with self._lock:
            self._items[etag] = found
            self._items.move_to_end(etag)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def items(self, session: Session, etag: str) -> dict[str, ServedItem]:
        with self._lock:
            found = self._items.get(etag)
            if found is not None:
                self._items.move_to_end(etag)
                return found
        found = _index(rebuild(session, etag))
        self._keep(etag, found)
        return found


def _index(playlist: Playlist) -> dict[str, ServedItem]:
    return {
        i.id: ServedItem(i.notice_id, i.revision, i.content_sha256, i.windows, i.duration_ms)
        for i in playlist.items
    }


# Two playlists per screen (this hour's and the last) for a province's 10,000 screens.
REBUILT = RebuiltPlaylists(size=32_768)


def note_served(
    session: Session,
    screen_id: int,
    etag: str,
    playlist: Playlist,
    inputs: bytes,
    *,
    now: dt.datetime,
) -> None:
    """Record that ``playlist`` (ETag ``etag``, without quotes) was sent to the screen now, and
    keep what it holds for the plays the screen will report (:func:`record_sent`)."""
    note_all_served(
        session, [(Sent(screen_id, etag, playlist.generated_at, inputs, now), playlist)]
    )


def note_all_served(session: Session, sends: Sequence[tuple[Sent, Playlist]]) -> list[None]:
    """:func:`note_served` for many sendings at once (a group writer's batch)."""
    record_sent(session, [sent for sent, _ in sends])
    for sent, playlist in sends:
        REBUILT.remember(sent.etag, playlist)
    return [None] * len(sends)


_SERVED = ServedPlaylist.__table__
_MINE = sa.select(_SERVED.c.etag, _SERVED.c.last_sent_at).where(
    _SERVED.c.screen_id == sa.bindparam("screen"),
    _SERVED.c.etag.in_(sa.bindparam("etags", expanding=True)),
)
_NEXT = (
    sa.select(_SERVED.c.last_sent_at)
    .where(
        _SERVED.c.screen_id == sa.bindparam("screen"),
        _SERVED.c.last_sent_at > sa.bindparam("after"),
    )
    .order_by(_SERVED.c.last_sent_at)
    .limit(1)
)
_HAD = (
    sa.select(_SERVED.c.etag)
    .where(
        _SERVED.c.screen_id == sa.bindparam("screen"),
        _SERVED.c.last_sent_at <= sa.bindparam("at"),
    )
    .order_by(_SERVED.c.last_sent_at.desc())
    .limit(1)
)


def served_to(
    session: Session, screen_id: int, etags: Iterable[str]
) -> dict[str, tuple[dt.datetime, dt.datetime | None]]:
    """For each of ``etags`` served to the screen: when it was last sent, and when the screen
    was next sent another playlist after that (None: none since)."""
    wanted = list(set(etags))
    if not wanted:
        return {}
    connection = session.connection()
    mine = connection.execute(_MINE, {"screen": screen_id, "etags": wanted}).all()
    return {
        etag: (sent_at, connection.scalar(_NEXT, {"screen": screen_id, "after": sent_at}))
        for etag, sent_at in mine
    }


def sent_last_before(session: Session, screen_id: int, at: dt.datetime) -> str | None:
    """The ETag of the playlist the screen was last sent at or before ``at``."""
    return session.connection().scalar(_HAD, {"screen": screen_id, "at": at})
