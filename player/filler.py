"""Filler and brightness: what the panel shows when nothing is scheduled, and how bright.

:func:`filler_frame` draws the playlist's filler (:class:`playlists.brightness.Filler`): the
time, the date with its weekday (2026年12月4日 星期五) and the deployment's name, on one line
for a strip and on up to three for a panel, in the screen's colours. It is logged as a display
state, never as a play (:mod:`player.states`).

:func:`dimmed` applies the screen's brightness to a frame (the playlist's ``dim`` windows):
every pixel scaled by the percentage, through one lookup table per level.
"""

from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw

from player.fonts import FontSet
from player.layout import is_strip
from player.render import PALETTES, ScreenProfile
from playlists.brightness import Filler

WEEKDAYS = "一二三四五六日"


def filler_lines(filler: Filler, at: dt.datetime, timezone: str) -> list[str]:
    """The lines the filler shows at ``at`` in the screen's zone."""
    local = at.astimezone(ZoneInfo(timezone))
    lines = []
    if filler.clock:
        lines.append(local.strftime("%H:%M"))
        lines.append(f"{local.year}年{local.month}月{local.day}日 星期{WEEKDAYS[local.weekday()]}")
    if filler.text:
        lines.append(filler.text)
    return lines


def filler_frame(
    filler: Filler, profile: ScreenProfile, fonts: FontSet, at: dt.datetime, timezone: str
) -> Image.Image:
    """The filler's frame at ``at`` (a new one each minute: the clock shows minutes)."""
    lines = filler_lines(filler, at, timezone)
    canvas = Image.new("RGB", (profile.width, profile.height))
    if not lines:
        return canvas
    colour = PALETTES[profile.color].title
    if is_strip(profile):
        lines = ["  ".join(lines)]
    draw = ImageDraw.Draw(canvas)
    size = max(8, min(profile.height // len(lines) - 2, profile.height))
    while size > 8:
        font = fonts.pil(fonts.face_for_size(size), size)
        if all(draw.textlength(line, font=font) <= profile.width - 2 for line in lines):
            break
        size -= 1
    font = fonts.pil(fonts.face_for_size(size), size)
    step = profile.height / len(lines)
    for index, line in enumerate(lines):
        width = draw.textlength(line, font=font)
        x = max(0, (profile.width - width) / 2)
        y = step * index + (step - size) / 2
        draw.text((x, y), line, font=font, fill=colour)
    return canvas


@functools.lru_cache(maxsize=101)
def _table(percent: int) -> list[int]:
    return [v * percent // 100 for v in range(256)] * 3


def dimmed(frame: Image.Image, percent: int) -> Image.Image:
    """``frame`` at ``percent`` of its brightness (100: the frame itself)."""
    if percent >= 100:
        return frame
    return frame.point(_table(max(0, percent)))
