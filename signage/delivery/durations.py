"""How long each notice takes on each screen: the reading-speed rule, measured with the player's
own layout and fonts.

Every playlist item carries ``play_ms``, the time its text needs on that screen at the screen's
reading speeds (:mod:`playlists.reading`), or the author's ``duration_s`` if that is longer. The
controller measures it here when it compiles a playlist, with the same layout code
(:func:`player.preview.measure`) and the same kind of font the player draws with, so the frames
a player shows add up to it. The font is found once per process (``SIGNAGE_PREVIEW_FONT``, or
the system's CJK font as a player finds one); the playlist names it, and a player whose font
differs says so in its heartbeats.

A screen's reading speeds are :func:`signage.screens.readings.reading_of`'s.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Mapping
from typing import Any

from player.preview import (
    FontNotFound,
    FontSet,
    ScreenProfile,
    Timing,
    find_fonts,
    font_ref,
    measure,
)
from playlists import ColorMode, FontRef, Item, Kind, NoticeSpec, Priority, Reading, ScreenSpec

__all__ = ["Measurer", "Timing", "configure", "measurer"]

log = logging.getLogger(__name__)


class Measurer:
    """Measures items on screens with one set of fonts (None: no CJK font on this machine, and
    every item takes its author's duration)."""

    def __init__(self, fonts: FontSet | None, why: str = "") -> None:
        self.fonts = fonts
        self.font: FontRef | None = None if fonts is None else font_ref(fonts)
        self.why = why  # why there are no fonts
        self._lock = threading.Lock()

    def play_ms(self, notice: NoticeSpec, screen: ScreenSpec) -> int:
        """The time ``notice`` takes on ``screen`` (:class:`playlists.compile.Measure`)."""
        return self.timing(
            notice.kind, notice.category, notice.title, notice.body, notice.duration_s, screen
        ).duration_ms

    def timing(
        self, kind: str, category: str, title: str, body: str, duration_s: int, screen: ScreenSpec
    ) -> Timing:
        """How a notice with these fields plays on ``screen``: how long, in how many pages."""
        if self.fonts is None or kind == Kind.IMAGE:
            return Timing(duration_s * 1000)
        return self._timing(
            category,
            title,
            body,
            duration_s,
            screen.width,
            screen.height,
            screen.color,
            screen.reading,
        )

    @functools.lru_cache(maxsize=8192)  # noqa: B019 - one Measurer per font, for the process
    def _timing(
        self,
        category: str,
        title: str,
        body: str,
        duration_s: int,
        width: int,
        height: int,
        color: ColorMode,
        reading: Reading,
    ) -> Timing:
        assert self.fonts is not None
        item = Item(
            id="measure",
            notice_id=1,
            revision=1,
            content_sha256="0" * 64,
            kind=Kind.TEXT,
            category=category,
            priority=Priority.NORMAL,
            weight=1,
            duration_s=duration_s,
            title=title,
            body=body,
            media=None,
            windows=(),
        )
        with self._lock:  # one FreeType face is not to be used by two threads at once
            return measure(item, ScreenProfile(width, height, color), self.fonts, reading)


_settings: dict[str, str] = {"font": ""}


def configure(config: Mapping[str, Any]) -> None:
    """Take the font to measure with from the settings (``SIGNAGE_PREVIEW_FONT``)."""
    _settings["font"] = config["SIGNAGE_PREVIEW_FONT"] or ""


def measurer() -> Measurer:
    """This process's measurer, with the configured font (found once)."""
    return _measurer(_settings["font"])


@functools.lru_cache(maxsize=4)
def _measurer(path: str) -> Measurer:
    try:
        return Measurer(find_fonts(path or None))
    except FontNotFound as exc:
        log.warning("no font to measure notices with; each takes its author's duration: %s", exc)
        return Measurer(None, str(exc))
