"""The heartbeat: what a player says about itself, and what the controller answers (protocol v1).

A player sends a :class:`Heartbeat` to ``POST /api/v1/player/heartbeat`` every
``heartbeat_interval_s``; the controller reads it with :data:`HEARTBEAT` (fields a newer player
adds are ignored) and answers with a :class:`HeartbeatAnswer`: its clock, from which the player
corrects its own, and the intervals it wants.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StringConstraints, TypeAdapter
from typing_extensions import TypedDict

from playlists.document import published_schema
from playlists.jsonvalues import NO_NUL, WHOLE

HEARTBEAT_SCHEMA: Literal["signage.heartbeat/1"] = "signage.heartbeat/1"
MAX_ERRORS = 100
MAX_OFFSET_MS = 100 * 366 * 24 * 3600 * 1000
# Text a player reports: a few kilobytes at the most, and no NUL (no database stores one).
Text = Annotated[str, StringConstraints(max_length=4000, pattern=NO_NUL)]


MAX_STATES = 50
STATE_ID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


@dataclass(frozen=True)
class DisplayState:
    """A time the panel showed no playlist item on purpose, as the player logged it: a blackout
    ordered from the controller (``source`` "controller", with the order's ``blackout_id``) or
    set on the screen's own machine ("local"), or the filler when nothing was scheduled
    (``state`` "filler"). ``ended_at`` None: it still lasts. Never a play."""

    __pydantic_config__ = ConfigDict(extra="ignore", strict=True)

    id: Annotated[str, StringConstraints(pattern=STATE_ID)]
    state: Literal["blackout", "filler"]
    source: Literal["controller", "local"]
    started_at: Annotated[str, StringConstraints(max_length=64)]
    ended_at: Annotated[str, StringConstraints(max_length=64)] | None = None
    blackout_id: Annotated[int, Field(ge=1, le=2**31), WHOLE] | None = None
    reason: Text = ""


@dataclass(frozen=True)
class Heartbeat:
    """A player's report on itself."""

    __pydantic_config__ = ConfigDict(extra="ignore", strict=True)

    version: Text = ""
    playlist_etag: Text = ""  # the ETag of the playlist it plays from
    current_item: Text | None = None  # the playlist item on the panel now
    free_disk_bytes: Annotated[int, Field(ge=0, le=2**63 - 1), WHOLE] | None = None
    # Its recent errors, with their times.
    errors: Annotated[list[Text], Field(max_length=MAX_ERRORS)] = field(default_factory=list)
    # How far its own clock is from the controller's (a board whose clock fell back to 1970 is
    # 56 years off; a century either way is the most believed).
    clock_offset_ms: Annotated[int, Field(ge=-MAX_OFFSET_MS, le=MAX_OFFSET_MS), WHOLE] | None = None
    # The controller key the player trusts (its key id), and the playlists it refused since its
    # last heartbeat: "<time> <reason>" each (a bad signature, a key from nowhere, an item
    # whose content does not hash to its content_sha256).
    trusted_key: Text | None = None
    refused: Annotated[list[Text], Field(max_length=MAX_ERRORS)] = field(default_factory=list)
    # The player's own key (its key id), and how many of its display events the controller
    # refused (kept in its dead-letter table).
    player_key: Text | None = None
    dead_letters: Annotated[int, Field(ge=0, le=2**62), WHOLE] | None = None
    # The font it draws with: its face's name and the SHA-256 of its file. Items take the time
    # its drawing needs; a font other than the controller's may need another.
    font_name: Text | None = None
    font_sha256: Text | None = None
    # A blackout set on the screen's own machine (signage-player blackout), while it lasts:
    # since when (ISO-8601) and why. Only the machine itself lifts it.
    local_blackout_since: Text | None = None
    local_blackout_reason: Text | None = None
    # Its display states not yet acknowledged: those still lasting, and those ended since.
    states: Annotated[list[DisplayState], Field(max_length=MAX_STATES)] = field(
        default_factory=list
    )
    # The brightness it shows at now, in percent (the playlist's dim windows).
    brightness: Annotated[int, Field(ge=0, le=100), WHOLE] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form."""
        return dataclasses.asdict(self)


class HeartbeatAnswer(TypedDict):
    """The controller's answer: its time (UTC, ``Z``) and the intervals players should keep."""

    server_time: str
    poll_interval_s: float
    heartbeat_interval_s: float
    screenshot_interval_s: float
    # The ids of the ended display states of the heartbeat now stored: the player forgets them.
    states_stored: list[str]
    # Someone is looking at the screen: send a screenshot now, not at the interval.
    screenshot_now: bool


HEARTBEAT: TypeAdapter[Heartbeat] = TypeAdapter(Heartbeat)


def heartbeat_json_schema() -> dict[str, Any]:
    """Return the JSON Schema of a heartbeat."""
    return published_schema(
        HEARTBEAT,
        HEARTBEAT_SCHEMA,
        "A screen player's heartbeat: its version, the playlist it plays from, what is on the "
        "panel, free disk, recent errors and its clock's offset from the controller's.",
    )
