"""What a notice would be on each of its screens: how long it takes there, in how many pages,
how often it comes round in the screen's rotation, whether it is legible from where people
stand, and the warnings an author and a reviewer should see before it goes up.

The time is the reading-speed rule's (:mod:`signage.delivery.durations`); the rotation is the
screen's playlist as it stands now, with this notice in it (replacing its live revision), by
:func:`playlists.select.rotation_interval_ms`. Legibility follows ISO 9241-3: a character
should be at least 16 minutes of arc high, about 4.65 mm per metre of viewing distance.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from playlists import Item, Kind, Priority, Reading
from playlists.select import rotation_interval_ms
from signage.delivery.durations import Timing, measurer
from signage.delivery.services import compile_for_screen
from signage.delivery.specs import screen_spec
from signage.notices.preview import Draft
from signage.screens.models import Screen

# ISO 9241-3: 16 arc-minutes, as millimetres of character height per metre of distance.
MM_PER_M = 2000 * math.tan(math.radians(16 / 60) / 2)
STRIP_MAX_HEIGHT = 32


@dataclass(frozen=True)
class OnScreen:
    screen: Screen
    reading: Reading  # the screen's reading speeds
    timing: Timing
    every_ms: int | None  # how often it comes round (None: it would not rotate there now)
    strip: bool
    too_long: bool  # longer than the deployment's limit for a strip
    too_rare: bool  # comes round less often than the deployment's limit
    text_mm: float | None = None  # character height on the panel, with a pixel pitch
    needed_mm: float | None = None  # what the viewing distance needs (16 arc-minutes)

    @property
    def legible(self) -> bool | None:
        if self.text_mm is None or self.needed_mm is None:
            return None
        return self.text_mm >= self.needed_mm

    @property
    def legible_up_to_m(self) -> float | None:
        return None if self.text_mm is None else self.text_mm / MM_PER_M


def on_screens(
    session: Session,
    screens: Sequence[Screen],
    draft: Draft,
    *,
    now: dt.datetime,
    weights: Mapping[str, int],
    strip_warn_s: int,
    rotation_warn_min: int,
) -> list[OnScreen]:
    """How ``draft`` plays on each of ``screens`` (see the module)."""
    measure = measurer()
    out = []
    for screen in screens:
        spec = screen_spec(screen)
        timing = measure.timing(
            draft.kind, draft.category, draft.title, draft.body, draft.duration_s, spec
        )
        playlist = compile_for_screen(session, screen, now=now, weights=weights)
        priority = Priority(draft.priority) if draft.priority in set(Priority) else Priority.NORMAL
        mine = Item(
            id="draft",
            notice_id=draft.notice_id or 0,
            revision=0,
            content_sha256="0" * 64,
            kind=Kind.IMAGE if draft.kind == Kind.IMAGE else Kind.TEXT,
            category=draft.category,
            priority=priority,
            weight=weights.get(priority, 1),
            duration_s=max(1, draft.duration_s),
            title=draft.title,
            body=draft.body,
            media=None,
            windows=(),
            play_ms=timing.duration_ms,
        )
        others = [
            i for i in playlist.items if draft.notice_id is None or i.notice_id != draft.notice_id
        ]
        every = rotation_interval_ms([*others, mine], "draft")
        strip = screen.height <= STRIP_MAX_HEIGHT
        entry = OnScreen(
            screen=screen,
            reading=spec.reading,
            timing=timing,
            every_ms=every,
            strip=strip,
            too_long=strip and timing.duration_ms > strip_warn_s * 1000,
            too_rare=every is not None and every > rotation_warn_min * 60_000,
        )
        if screen.pixel_pitch_mm and timing.font_size:
            entry = dataclasses.replace(
                entry,
                text_mm=timing.font_size * screen.pixel_pitch_mm,
                needed_mm=None
                if not screen.viewing_distance_m
                else screen.viewing_distance_m * MM_PER_M,
            )
        out.append(entry)
    return out
