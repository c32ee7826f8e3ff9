"""The playlist document (schema ``signage.playlist/1``), shared by controller and player.

The controller builds a :class:`Playlist` with :func:`playlists.compile_playlist` and sends
:func:`canonical_bytes` of it with :func:`etag`; the player parses it back with
:func:`parse_playlist`, which validates every field and ignores fields it does not know, so a
controller may add fields without breaking older players. A change that older players must not
read gets a new schema name.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from json.encoder import encode_basestring
from typing import Any, Literal

from pydantic import AwareDatetime, TypeAdapter, ValidationError

from playlists.brightness import Dim, Filler
from playlists.canonical import canonical_json, sha256_hex
from playlists.content import Approval
from playlists.intervals import Interval
from playlists.reading import DEFAULT_READING, Reading
from playlists.vocabulary import ColorMode, Kind, Priority

SCHEMA: Literal["signage.playlist/1"] = "signage.playlist/1"
MAX_PLAY_MS = 6 * 3600 * 1000  # no notice takes six hours to read


class PlaylistError(ValueError):
    """A playlist document that does not validate; the message names the field."""


@dataclass(frozen=True, slots=True)
class ScreenInfo:
    key: str
    width: int
    height: int
    color: ColorMode
    timezone: str
    # How fast its text goes (playlists.reading); every item's play_ms was computed by it.
    reading: Reading = DEFAULT_READING


@dataclass(frozen=True, slots=True)
class FontRef:
    """The font a duration was measured with: its face's name and the SHA-256 of its file."""

    name: str
    sha256: str


@dataclass(frozen=True, slots=True)
class MediaRef:
    sha256: str
    mime: str
    bytes: int
    url: str


@dataclass(frozen=True, slots=True)
class BlackoutOrder:
    """The controller's order to show nothing (一键关停): the blackout's id, since when, and
    why. A playlist that carries one holds no items; the screen shows black until a playlist
    without it arrives."""

    id: int
    since: AwareDatetime
    reason: str


@dataclass(frozen=True, slots=True)
class Item:
    """One approved notice revision and when it may be shown on this screen."""

    id: str
    notice_id: int
    revision: int
    content_sha256: str
    kind: Kind
    category: str
    priority: Priority
    weight: int
    duration_s: int
    title: str
    body: str
    media: MediaRef | None
    windows: tuple[tuple[AwareDatetime, AwareDatetime], ...]
    # The approved fields other than title and body, so a player can check the content hash.
    approval: Approval | None = None
    # How long the item takes on this screen, in ms: what its text needs at the screen's
    # reading speed, or the author's duration_s if longer. 0 in documents from before it was
    # computed, which means duration_s.
    play_ms: int = 0

    @property
    def duration_ms(self) -> int:
        """How long one showing of the item lasts on this screen."""
        return self.play_ms or self.duration_s * 1000


@dataclass(frozen=True, slots=True)
class Playlist:
    screen: ScreenInfo
    generated_at: AwareDatetime
    horizon_until: AwareDatetime
    items: tuple[Item, ...]
    off: tuple[tuple[AwareDatetime, AwareDatetime], ...]
    schema: Literal["signage.playlist/1"] = SCHEMA
    # The font the controller measured the items' play_ms with (None: it had none, and
    # play_ms is the author's duration).
    font: FontRef | None = None
    # Set while the screen is blacked out from the controller (then items is empty).
    blackout: BlackoutOrder | None = None
    # The windows in which the screen is dimmed below 100 % (playlists.brightness), in order.
    dim: tuple[Dim, ...] = ()
    # What the screen shows when nothing is scheduled (None: black).
    filler: Filler | None = None

    def item(self, item_id: str) -> Item | None:
        for item in self.items:
            if item.id == item_id:
                return item
        return None


_ADAPTER: TypeAdapter[Playlist] = TypeAdapter(Playlist)


def iso(value: dt.datetime) -> str:
    """Format an aware time as UTC ISO-8601 with ``Z``."""
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _windows(windows: tuple[Interval, ...]) -> list[list[str]]:
    return [[iso(s), iso(e)] for s, e in windows]


def to_dict(playlist: Playlist) -> dict[str, Any]:
    """Return the JSON-ready form of ``playlist``."""
    screen = playlist.screen
    document: dict[str, Any] = {
        "schema": playlist.schema,
        "screen": {
            "key": screen.key,
            "width": screen.width,
            "height": screen.height,
            "color": screen.color,
            "timezone": screen.timezone,
            "reading": screen.reading.to_dict(),
        },
        "font": None
        if playlist.font is None
        else {"name": playlist.font.name, "sha256": playlist.font.sha256},
        "generated_at": iso(playlist.generated_at),
        "horizon_until": iso(playlist.horizon_until),
        "items": [
            {
                "id": i.id,
                "notice_id": i.notice_id,
                "revision": i.revision,
                "content_sha256": i.content_sha256,
                "kind": i.kind,
                "category": i.category,
                "priority": i.priority,
                "weight": i.weight,
                "duration_s": i.duration_s,
                "title": i.title,
                "body": i.body,
                "media": None
                if i.media is None
                else {
                    "sha256": i.media.sha256,
                    "mime": i.media.mime,
                    "bytes": i.media.bytes,
                    "url": i.media.url,
                },
                "windows": _windows(i.windows),
                "approval": None if i.approval is None else i.approval.to_dict(),
                "play_ms": i.duration_ms,
            }
            for i in playlist.items
        ],
        "off": _windows(playlist.off),
    }
    if playlist.blackout is not None:
        # Only when set: every other document keeps the bytes (and ETag) it always had.
        order = playlist.blackout
        document["blackout"] = {"id": order.id, "since": iso(order.since), "reason": order.reason}
    if playlist.dim:
        document["dim"] = [
            {"start": iso(d.start), "end": iso(d.end), "percent": d.percent} for d in playlist.dim
        ]
    if playlist.filler is not None:
        document["filler"] = {"clock": playlist.filler.clock, "text": playlist.filler.text}
    return document


def canonical_bytes(playlist: Playlist) -> bytes:
    """Return the canonical JSON of ``playlist``: the same content gives the same bytes."""
    return canonical_json(to_dict(playlist))


# A screen key no real key can equal (keys are checked, and no text may hold a NUL), so that
# its JSON form appears once in a document's bytes: where the key goes.
_KEY_SLOT = "\x00screen key\x00"
_KEY_SLOT_JSON = canonical_json(_KEY_SLOT)


class KeyedBody:
    """The canonical bytes of one playlist for any screen key: many screens of one shape (same
    profile, hours and notices) share a document but for ``screen.key``, and JSON encodes a
    string the same wherever it stands, so the bytes are built once and the key put in.
    ``KeyedBody(p).bytes_for(k) == canonical_bytes(replace(p, screen=…key=k…))``."""

    __slots__ = ("_head", "_playlist", "_tail")

    def __init__(self, playlist: Playlist) -> None:
        slotted = replace(playlist, screen=replace(playlist.screen, key=_KEY_SLOT))
        parts = canonical_bytes(slotted).split(_KEY_SLOT_JSON)
        self._playlist = playlist
        self._head: bytes | None = parts[0] if len(parts) == 2 else None
        self._tail: bytes | None = parts[1] if len(parts) == 2 else None

    def bytes_for(self, key: str) -> bytes:
        if self._head is None or self._tail is None:  # the slot's text was in the document
            return canonical_bytes(
                replace(self._playlist, screen=replace(self._playlist.screen, key=key))
            )
        # A lone string: what canonical_json gives, without going through json.dumps.
        return self._head + encode_basestring(key).encode("utf-8") + self._tail


def etag_of(body: bytes) -> str:
    """Return the HTTP ETag (quoted) of canonical playlist bytes."""
    return f'"{sha256_hex(body)[:32]}"'


def etag(playlist: Playlist) -> str:
    """Return the HTTP ETag (quoted) of ``playlist``."""
    return etag_of(canonical_bytes(playlist))


def parse_playlist(data: bytes | str | dict[str, Any]) -> Playlist:
    """Validate a playlist document and return it; raise :class:`PlaylistError` if it is bad.

    Unknown fields are ignored. Times are brought to UTC; windows must be ordered, non-empty
    and not overlap.
    """
    try:
        raw = json.loads(data) if isinstance(data, (bytes, str)) else data
        playlist = _ADAPTER.validate_python(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise PlaylistError(f"{where}: {first['msg']}") from None
    except ValueError as exc:
        raise PlaylistError(f"not JSON: {exc}") from None
    return _checked(playlist)


def _utc(windows: tuple[Interval, ...], where: str) -> tuple[Interval, ...]:
    out = tuple((s.astimezone(dt.UTC), e.astimezone(dt.UTC)) for s, e in windows)
    for index, (s, e) in enumerate(out):
        if not s < e:
            raise PlaylistError(f"{where}.{index}: the window is empty or reversed")
        if index and out[index - 1][1] > s:
            raise PlaylistError(f"{where}.{index}: windows overlap or are out of order")
    return out


def _checked(p: Playlist) -> Playlist:
    items = []
    for index, item in enumerate(p.items):
        if item.weight < 1 or item.duration_s < 1:
            raise PlaylistError(f"items.{index}: weight and duration_s must be positive")
        if not 0 <= item.play_ms <= MAX_PLAY_MS:
            raise PlaylistError(f"items.{index}.play_ms: must be from 0 to {MAX_PLAY_MS}")
        if item.kind == "image" and item.media is None:
            raise PlaylistError(f"items.{index}.media: an image item needs media")
        items.append(
            Item(
                id=item.id,
                notice_id=item.notice_id,
                revision=item.revision,
                content_sha256=item.content_sha256,
                kind=item.kind,
                category=item.category,
                priority=item.priority,
                weight=item.weight,
                duration_s=item.duration_s,
                title=item.title,
                body=item.body,
                media=item.media,
                windows=_utc(item.windows, f"items.{index}.windows"),
                approval=item.approval,
                play_ms=item.play_ms,
            )
        )
    if len({i.id for i in items}) != len(items):
        raise PlaylistError("items: two items share an id")
    blackout = p.blackout
    if blackout is not None:
        if items:
            raise PlaylistError("items: a blacked-out playlist holds no items")
        blackout = replace(blackout, since=blackout.since.astimezone(dt.UTC))
    dims = tuple(
        Dim(d.start.astimezone(dt.UTC), d.end.astimezone(dt.UTC), d.percent) for d in p.dim
    )
    for index, d in enumerate(dims):
        if not d.start < d.end or not 1 <= d.percent <= 99:
            raise PlaylistError(f"dim.{index}: an empty window, or a percent outside 1–99")
        if index and dims[index - 1].end > d.start:
            raise PlaylistError(f"dim.{index}: windows overlap or are out of order")
    return Playlist(
        screen=p.screen,
        generated_at=p.generated_at.astimezone(dt.UTC),
        horizon_until=p.horizon_until.astimezone(dt.UTC),
        items=tuple(items),
        off=_utc(p.off, "off"),
        font=p.font,
        blackout=blackout,
        dim=dims,
        filler=p.filler,
    )


def json_schema() -> dict[str, Any]:
    """Return the JSON Schema of the playlist document."""
    return published_schema(
        _ADAPTER,
        SCHEMA,
        "A screen's playlist: approved notice revisions with the UTC "
        "windows they may be shown in, and the screen's off times.",
    )


def published_schema(adapter: TypeAdapter[Any], schema_id: str, description: str) -> dict[str, Any]:
    """The JSON Schema of a protocol document, as the controller serves it."""
    schema = adapter.json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = schema_id
    schema["description"] = description
    return schema
