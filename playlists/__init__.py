"""The pure scheduling core shared by the controller and the player.

Nothing in this package touches a clock, a database or the network: every function takes the
instant it works on as an argument.

* :func:`compile_playlist` (also as ``compile``) decides which approved revisions go to a screen
  and resolves their display windows to UTC intervals.
* :func:`select` says what plays at an instant; :func:`timeline` what plays over a period;
  :func:`count_plays` how many times one notice plays in it.
* :mod:`playlists.document` is the player protocol's playlist document (``signage.playlist/1``).
"""

from playlists.canonical import canonical_json, sha256_hex
from playlists.compile import (
    DEFAULT_HORIZON,
    DEFAULT_WEIGHTS,
    NoticeSpec,
    ScreenSpec,
    compile_playlist,
    horizon_start,
    item_id,
)
from playlists.document import (
    SCHEMA,
    BlackoutOrder,
    FontRef,
    Item,
    MediaRef,
    Playlist,
    PlaylistError,
    ScreenInfo,
    canonical_bytes,
    etag,
    iso,
    json_schema,
    parse_playlist,
)
from playlists.hours import WeeklySchedule, WeeklySpecError, parse_weekly
from playlists.reading import Reading
from playlists.select import PlayerState, Selection, count_plays, select, should_stop, timeline
from playlists.shared import SharedCompiler, compile_playlists
from playlists.vocabulary import ColorMode, Kind, Outcome, Priority

# The name DESIGN gives it; it shadows the builtin only inside this package's namespace.
compile = compile_playlist

__all__ = [
    "DEFAULT_HORIZON",
    "DEFAULT_WEIGHTS",
    "SCHEMA",
    "BlackoutOrder",
    "ColorMode",
    "FontRef",
    "Item",
    "Kind",
    "MediaRef",
    "NoticeSpec",
    "Outcome",
    "PlayerState",
    "Playlist",
    "PlaylistError",
    "Priority",
    "Reading",
    "ScreenInfo",
    "ScreenSpec",
    "Selection",
    "SharedCompiler",
    "WeeklySchedule",
    "WeeklySpecError",
    "canonical_bytes",
    "canonical_json",
    "compile",
    "compile_playlist",
    "compile_playlists",
    "count_plays",
    "etag",
    "horizon_start",
    "iso",
    "item_id",
    "json_schema",
    "parse_playlist",
    "parse_weekly",
    "select",
    "sha256_hex",
    "should_stop",
    "timeline",
]
