"""A screen's reading speeds and legibility settings, and the history the reports read them from.

Each screen may set its own reading speeds (:mod:`playlists.reading`: ``scroll_cpm``,
``page_s``, ``read_cpm``); what it does not set is the deployment's (``SIGNAGE_SCROLL_CPM``,
``SIGNAGE_PAGE_S``, ``SIGNAGE_READ_CPM``, taken once per process by :func:`configure`). It may
also carry its LED pitch and usual viewing distance, for the legibility check of previews.

The speeds a screen had are kept with the time they took effect (:class:`ScreenReading`): a
change applies to playlists compiled from then on, and the plays the reports expect before it
keep the durations of before (:func:`readings_between`).
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections.abc import Mapping
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from playlists import Reading
from playlists.brightness import BrightnessError, parse_brightness
from playlists.reading import RANGES, out_of_range
from signage.errors import InvalidInput
from signage.screens.models import Screen, ScreenReading

SPEEDS = ("scroll_cpm", "page_s", "read_cpm")
SPEED_SETTINGS = {
    "scroll_cpm": "SIGNAGE_SCROLL_CPM",
    "page_s": "SIGNAGE_PAGE_S",
    "read_cpm": "SIGNAGE_READ_CPM",
}
# Optional legibility fields, with their accepted ranges.
LEGIBILITY = {"pixel_pitch_mm": (0.5, 50.0), "viewing_distance_m": (0.5, 200.0)}
# The daily brightness schedule (playlists.brightness), kept as written once checked.
BRIGHTNESS = "brightness"
SETTINGS = (*SPEEDS, *LEGIBILITY, BRIGHTNESS)

_defaults: dict[str, Reading] = {"reading": Reading()}
_lock = threading.Lock()


def configure(config: Mapping[str, Any]) -> None:
    """Take the deployment's reading speeds from the settings; raise ValueError naming the
    setting when one is out of its range."""
    values = {}
    for field, name in SPEED_SETTINGS.items():
        problem = out_of_range(field, config[name])
        if problem is not None:
            raise ValueError(f"{name}: {problem.removeprefix(field).strip()}")
        values[field] = config[name]
    with _lock:
        _defaults["reading"] = Reading(**values)


def default_reading() -> Reading:
    """The deployment's reading speeds."""
    return _defaults["reading"]


class HasSpeeds(Protocol):
    """A screen, or a row of its columns: what :func:`reading_of` reads."""

    scroll_cpm: int | None
    page_s: int | None
    read_cpm: int | None


def reading_of(screen: HasSpeeds) -> Reading:
    """A screen's reading speeds: its own where it set them, else the deployment's."""
    return _reading(default_reading(), screen.scroll_cpm, screen.page_s, screen.read_cpm)


@functools.lru_cache(maxsize=1024)
def _reading(
    d: Reading, scroll_cpm: int | None, page_s: int | None, read_cpm: int | None
) -> Reading:
    # Few screens set their own speeds: one Reading per distinct set (a fleet's compile
    # asks for one per screen).
    return Reading(
        scroll_cpm=scroll_cpm or d.scroll_cpm,
        page_s=page_s or d.page_s,
        read_cpm=read_cpm or d.read_cpm,
    )


def check_settings(values: Mapping[str, Any]) -> dict[str, int | float | str | None]:
    """Validate the reading, legibility and brightness settings given (None: the deployment's,
    or none); raise :class:`InvalidInput` naming the first field out of its range."""
    checked: dict[str, int | float | str | None] = {}
    for name, value in values.items():
        if name not in SETTINGS:
            raise InvalidInput("unknown setting %(name)s", name=repr(name), field=name)
        if value is None or value == "":
            checked[name] = None
        elif name == BRIGHTNESS:
            checked[name] = check_brightness(value)
        elif name in SPEEDS:
            if out_of_range(name, value) is not None:
                low, high = RANGES[name]
                raise InvalidInput(
                    "%(name)s must be a whole number from %(low)s to %(high)s",
                    name=name,
                    low=low,
                    high=high,
                    field=name,
                )
            checked[name] = value
        else:
            low, high = LEGIBILITY[name]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidInput(
                    "%(name)s must be a number from %(low)s to %(high)s",
                    name=name,
                    low=low,
                    high=high,
                    field=name,
                )
            if not low <= float(value) <= high:
                raise InvalidInput(
                    "%(name)s must be a number from %(low)s to %(high)s",
                    name=name,
                    low=low,
                    high=high,
                    field=name,
                )
            checked[name] = float(value)
    return checked


def check_brightness(value: object) -> str:
    """A brightness schedule as kept (its ranges, comma-separated), or :class:`InvalidInput`."""
    if not isinstance(value, str):
        raise InvalidInput("brightness is a schedule such as 07:00-19:00=100", field=BRIGHTNESS)
    try:
        ranges = parse_brightness(value)
    except BrightnessError as exc:
        raise InvalidInput("brightness: %(exc)s", exc=exc, field=BRIGHTNESS) from None
    return ",".join(
        f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}={p}" for a, b, p in ranges
    )


def apply_settings(screen: Screen, values: Mapping[str, int | float | str | None]) -> None:
    """Set checked settings (from :func:`check_settings`) on ``screen``."""
    for name, value in values.items():
        setattr(screen, name, value)


def note_reading(session: Session, screen: Screen, now: dt.datetime) -> None:
    """Keep the screen's reading speeds as of ``now``, if they differ from the last kept."""
    reading = reading_of(screen)
    last = session.execute(
        sa.select(ScreenReading.scroll_cpm, ScreenReading.page_s, ScreenReading.read_cpm)
        .where(ScreenReading.screen_id == screen.id)
        .order_by(ScreenReading.since.desc(), ScreenReading.id.desc())
        .limit(1)
    ).one_or_none()
    if last is not None and tuple(last) == (reading.scroll_cpm, reading.page_s, reading.read_cpm):
        return
    session.add(ScreenReading(screen_id=screen.id, since=now, **reading.to_dict()))
    session.flush()


def note_all_readings(session: Session, now: dt.datetime) -> int:
    """Keep the reading speeds of every screen whose speeds changed since last kept (the
    deployment's defaults changed): run when the controller starts. Return how many."""
    latest = (
        sa.select(ScreenReading.screen_id, sa.func.max(ScreenReading.id).label("id"))
        .group_by(ScreenReading.screen_id)
        .subquery()
    )
    kept = {
        row.screen_id: (row.scroll_cpm, row.page_s, row.read_cpm)
        for row in session.execute(
            sa.select(ScreenReading).join(latest, ScreenReading.id == latest.c.id)
        ).scalars()
    }
    changed = 0
    for screen in session.scalars(sa.select(Screen)):
        reading = reading_of(screen)
        if kept.get(screen.id) != (reading.scroll_cpm, reading.page_s, reading.read_cpm):
            session.add(ScreenReading(screen_id=screen.id, since=now, **reading.to_dict()))
            changed += 1
    session.flush()
    return changed


def readings_between(
    session: Session, screen: Screen, start: dt.datetime, end: dt.datetime
) -> list[tuple[dt.datetime, Reading]]:
    """The screen's reading speeds from ``start`` until ``end``: (from when, speeds), in
    order, the first from ``start``. Before anything was kept, the first speeds kept (or with
    nothing kept, the speeds now) are assumed."""
    rows = list(
        session.execute(
            sa.select(ScreenReading)
            .where(ScreenReading.screen_id == screen.id, ScreenReading.since < end)
            .order_by(ScreenReading.since, ScreenReading.id)
        ).scalars()
    )
    out: list[tuple[dt.datetime, Reading]] = []
    current = None
    for row in rows:
        reading = Reading(scroll_cpm=row.scroll_cpm, page_s=row.page_s, read_cpm=row.read_cpm)
        if row.since <= start:
            current = reading
        else:
            if not out:
                out.append((start, current or reading))
            if out[-1][1] != reading:
                out.append((row.since, reading))
    if not out:
        out.append((start, current or reading_of(screen)))
    return out
