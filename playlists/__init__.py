"""The pure scheduling core shared by the controller and the player.

Nothing in this package touches a clock, a database or the network: every
function takes the instant it works on as an argument.
"""

from playlists.canonical import canonical_json, sha256_hex
from playlists.hours import WeeklySchedule, WeeklySpecError, parse_weekly

__all__ = ["WeeklySchedule", "WeeklySpecError", "canonical_json", "parse_weekly", "sha256_hex"]
