"""Display events: what a player reports it showed, and the controller's answer (protocol v1).

The player builds each event as a :class:`DisplayStart` when the display begins; its spool gives
it an ``id`` and the screen's next ``seq``, and its end gives it ``duration_ms`` and ``outcome``:
a :class:`DisplayEvent`. Batches of up to :data:`MAX_BATCH` go to
``POST /api/v1/player/events`` as ``{"events": [...], "head": {...}}`` (:class:`EventBatch`:
each event linked to the one before it and the batch signed by the player,
:mod:`playlists.evidence`); the controller
checks a batch against the same types (:data:`EVENT_BATCH`, strict, straight from the bytes) and
answers with an :class:`EventsAnswer`. ``started_at`` travels as text, ISO-8601 with an offset,
and the controller reads it itself (it must refuse a time without an offset, and keep its text).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StringConstraints, TypeAdapter, with_config
from typing_extensions import TypedDict

from playlists.document import Item, iso, published_schema
from playlists.evidence import ETAG_PATTERN, HASH_PATTERN, SignedHead, etag_of
from playlists.vocabulary import Outcome

EVENTS_SCHEMA: Literal["signage.events/1"] = "signage.events/1"
MAX_BATCH = 500
MAX_DURATION_MS = 24 * 3600 * 1000  # a display longer than a day is a clock gone wrong
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
SHA256_PATTERN = HASH_PATTERN
SEQ_RANGE = (1, 2**62)
ID_RANGE = (1, 2**31)  # notice ids and revision numbers
ITEM_ID_LENGTH = (1, 64)


@with_config(ConfigDict(strict=True))
class DisplayStart(TypedDict):
    """A display as it begins: which playlist item, which approved revision, when."""

    item_id: Annotated[
        str, StringConstraints(min_length=ITEM_ID_LENGTH[0], max_length=ITEM_ID_LENGTH[1])
    ]
    notice_id: Annotated[int, Field(ge=ID_RANGE[0], le=ID_RANGE[1])]
    revision: Annotated[int, Field(ge=ID_RANGE[0], le=ID_RANGE[1])]
    content_sha256: Annotated[str, StringConstraints(pattern=SHA256_PATTERN)]
    started_at: Annotated[str, StringConstraints(max_length=64)]
    # The ETag of the playlist the item was played from (the header's value, without quotes).
    playlist_etag: Annotated[str, StringConstraints(pattern=ETAG_PATTERN)]


@with_config(ConfigDict(strict=True))
class DisplayEvent(DisplayStart):
    """A display as the player reports it: numbered, with how long it lasted and how it ended."""

    id: Annotated[str, StringConstraints(pattern=UUID_PATTERN)]
    seq: Annotated[int, Field(ge=SEQ_RANGE[0], le=SEQ_RANGE[1])]
    duration_ms: Annotated[int, Field(ge=0, le=MAX_DURATION_MS)]
    outcome: Outcome
    # The hash of the screen's event before this one (playlists.evidence).
    prev: Annotated[str, StringConstraints(pattern=HASH_PATTERN)]


class EventBatch(TypedDict):
    """The body of ``POST /api/v1/player/events``: events, in sequence order, and the player's
    signature over its chain's head after the last of them."""

    events: Annotated[list[DisplayEvent], Field(max_length=MAX_BATCH)]
    head: SignedHead


class EventBatchAsTaken(TypedDict):
    """What ``POST /api/v1/player/events`` takes: a batch whose events the controller judges
    one by one. An event that is not a :class:`DisplayEvent` is rejected in the answer, with
    the reason, and the others are stored: one bad event does not cost a screen its batch."""

    events: Annotated[list[DisplayEvent | Any], Field(max_length=MAX_BATCH)]
    head: SignedHead


class Rejection(TypedDict):
    id: str
    reason: str


class LostRange(TypedDict):
    first_seq: int
    last_seq: int


class EventsAnswer(TypedDict):
    """The controller's answer to a batch: every event is accepted, a duplicate (stored
    before), or rejected with a reason; ``lost`` names sequence numbers that never arrived."""

    accepted: list[str]
    duplicates: list[str]
    rejected: list[Rejection]
    lost: list[LostRange]


EVENT_BATCH: TypeAdapter[EventBatch] = TypeAdapter(EventBatch)


def events_json_schema() -> dict[str, Any]:
    """Return the JSON Schema of a batch of display events."""
    return published_schema(
        EVENT_BATCH,
        EVENTS_SCHEMA,
        "A batch of display events from one screen's player: each display of a playlist item, "
        "numbered by the player, with its start (ISO-8601 with an offset), duration and outcome.",
    )


def display_start(item: Item, started: dt.datetime, etag: str | None) -> DisplayStart:
    """The display event of ``item`` of the playlist with ETag ``etag`` as it begins at
    ``started`` (controller time)."""
    return {
        "item_id": item.id,
        "notice_id": item.notice_id,
        "revision": item.revision,
        "content_sha256": item.content_sha256,
        "started_at": iso(started),
        "playlist_etag": etag_of(etag),
    }
