"""The words the protocol and every package share: kinds, priorities, colour modes, outcomes.

Defined once here. The playlist and display-event documents are typed with them, the player
renders and logs by them, and the controller's models store their values and validate input
against them. Each is a ``StrEnum``: its members are the strings the JSON carries, so they
compare equal to (and serialise as) those strings.
"""

from __future__ import annotations

import enum


class Kind(enum.StrEnum):
    """What a notice shows: text laid out by the player, or an uploaded image."""

    TEXT = "text"
    IMAGE = "image"


class Priority(enum.StrEnum):
    """How a notice competes for the screen: high plays more often, urgent interrupts."""

    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class ColorMode(enum.StrEnum):
    """The colours an LED panel can light."""

    MONO = "mono"
    RED_GREEN = "red-green"
    FULL = "full"


class Outcome(enum.StrEnum):
    """How a display ended, as the player reports it."""

    SHOWN = "shown"  # it ran its whole duration
    INTERRUPTED = "interrupted"  # cut short (an urgent item, a withdrawal, a stop)
    ERROR = "error"  # it could not be shown


# The order items are listed in a playlist: urgent first.
PRIORITY_RANK: dict[str, int] = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2}
