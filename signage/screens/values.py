"""A screen's values checked on their own: its pixel size (``WxH``), weekly hours, time zone,
colour mode and names. The services (:mod:`signage.screens.services`) and the notices' dayparts
use them; each raises :class:`InvalidInput` naming the field."""

from __future__ import annotations

import re
import zoneinfo

from playlists import ColorMode, WeeklySpecError, parse_weekly
from signage.errors import InvalidInput
from signage.messages import Said

SIZE = re.compile(r"^(\d{1,5})[xX×](\d{1,5})$")
MIN_SIDE, MAX_SIDE = 8, 8192


def parse_size(text: str) -> tuple[int, int]:
    """Parse ``WxH`` (e.g. ``384x128``) into checked pixel dimensions."""
    m = SIZE.match(text.strip())
    if not m:
        raise InvalidInput("%(text)s is not a size such as 384x128", text=repr(text), field="size")
    width, height = int(m.group(1)), int(m.group(2))
    check_dimensions(width, height)
    return width, height


def check_dimensions(width: int, height: int) -> None:
    for field, value in (("width", width), ("height", height)):
        if not MIN_SIDE <= value <= MAX_SIDE:
            raise InvalidInput(
                "%(name)s must be %(min_side)s–%(max_side)s pixels",
                name=field,
                min_side=MIN_SIDE,
                max_side=MAX_SIDE,
                field=field,
            )


def normalise_hours(spec: str | None, field: str = "hours") -> str | None:
    """Return the normalised weekly spec, or None for "always" (empty or missing)."""
    if spec is None or not spec.strip():
        return None
    try:
        return parse_weekly(spec).to_spec()
    except WeeklySpecError as exc:
        said = Said(exc.template, **exc.params)
        raise InvalidInput("%(name)s: %(exc)s", name=field, exc=said, field=field) from None


def check_timezone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            "unknown time zone %(name)s", name=repr(name), field="timezone"
        ) from None
    return name


def check_text(value: str, field: str, low: int, high: int) -> str:
    value = value.strip()
    if not low <= len(value) <= high:
        raise InvalidInput(
            "%(name)s must be %(low)s–%(high)s characters",
            name=field,
            low=low,
            high=high,
            field=field,
        )
    return value


def check_color(value: str) -> str:
    try:
        return ColorMode(value).value
    except ValueError:
        allowed = ", ".join(c.value for c in ColorMode)
        raise InvalidInput(
            "unknown colour mode %(value)s; modes are %(allowed)s",
            value=repr(value),
            allowed=allowed,
            field="color",
        ) from None
