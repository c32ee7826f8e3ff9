"""Text on LED panels: measuring it with a fallback chain of faces, drawing it, and breaking it
into lines by Chinese rules (Unicode UAX #14 by ``uniseg``: no line starts with ，。、；：？！）》」
and the like, none ends with （《「).

Measurements are cached: a player draws the same few texts at the same few sizes again and
again (:func:`clear_caches` forgets them).
"""

from __future__ import annotations

import functools
import math

from PIL import ImageDraw
from uniseg.linebreak import line_break_units

from player.fonts import Face, FontSet, pil_font

# Chinese line-breaking rules for the rare forced break inside an over-long unit; everywhere
# else uniseg's UAX #14 classes apply them.
NO_LINE_START = frozenset("，。、；：？！）》」』】〕〉”’…—·,.;:?!)]}%")
NO_LINE_END = frozenset("（《「『【〔〈“‘([{")


@functools.lru_cache(maxsize=65536)
def _advance(path: str, index: int, size: int, char: str) -> float:
    return float(pil_font(path, index, size).getlength(char))


def _runs(text: str, fonts: FontSet, size: int) -> list[tuple[Face | None, str]]:
    runs: list[tuple[Face | None, str]] = []
    for char in text:
        face = fonts.face_for(char, size)
        if runs and runs[-1][0] == face:
            runs[-1] = (face, runs[-1][1] + char)
        else:
            runs.append((face, char))
    return runs


# Each character's advance, by font set and size: measuring a notice looks up every one of its
# characters, and finding the face that draws a character costs more than its advance.
_WIDTHS: dict[tuple[str, int], dict[str, float]] = {}


def text_width(text: str, fonts: FontSet, size: int) -> int:
    widths = _WIDTHS.get((fonts.key, size))
    if widths is None:
        widths = _WIDTHS.setdefault((fonts.key, size), {})
    total = 0.0
    for char in text:
        width = widths.get(char)
        if width is None:
            face = fonts.face_for(char, size)
            # An undrawable character keeps its place.
            width = float(size) if face is None else _advance(face.path, face.index, size, char)
            widths[char] = width
        total += width
    return math.ceil(total)


def draw_text(
    mask: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, fonts: FontSet, size: int
) -> None:
    """Draw ``text`` with its ink starting ``xy[1]`` pixels down (not the font's ascender)."""
    x, y = xy
    y -= ink(fonts, size)[0]
    for face, run in _runs(text, fonts, size):
        if face is None:
            x += size * len(run)
            continue
        font = fonts.pil(face, size)
        mask.text((x, y), run, font=font, fill=255)
        x += sum(_advance(face.path, face.index, size, c) for c in run)


@functools.lru_cache(maxsize=256)
def break_units(text: str) -> tuple[tuple[str, ...], ...]:
    """The unbreakable units of each paragraph of ``text`` (UAX #14, by uniseg), computed once
    per text however many sizes are tried."""
    return tuple(tuple(line_break_units(p)) for p in text.split("\n"))


def wrap(text: str, width: int, fonts: FontSet, size: int) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` pixels, by Chinese line-breaking rules.

    Paragraphs (newlines) are kept. A unit wider than a whole line (a long URL) is split by
    characters, the only case where a rule may yield.
    """
    lines: list[str] = []
    for units in break_units(text):
        line, line_w = "", 0
        for unit in units:
            unit_w = text_width(unit, fonts, size)
            trailing = unit_w - text_width(unit.rstrip(), fonts, size)
            if line_w + unit_w - trailing <= width:
                line, line_w = line + unit, line_w + unit_w
                continue
            if line.strip():
                lines.append(line.rstrip())
            line, line_w = "", 0
            while text_width(unit.rstrip(), fonts, size) > width and len(unit) > 1:
                cut = len(unit) - 1
                while cut > 1 and text_width(unit[:cut], fonts, size) > width:
                    cut -= 1
                # Even inside a forced break, keep closing marks off a line's start and
                # opening marks off its end.
                while cut > 1 and (unit[cut] in NO_LINE_START or unit[cut - 1] in NO_LINE_END):
                    cut -= 1
                lines.append(unit[:cut])
                unit = unit[cut:]
            line, line_w = unit, text_width(unit, fonts, size)
        lines.append(line.rstrip())
    return lines


def ink(fonts: FontSet, size: int) -> tuple[int, int]:
    """Top and bottom of Chinese ink below the drawing origin, in pixels, at ``size``."""
    return _ink(fonts.face_for_size(size), size, fonts)


@functools.lru_cache(maxsize=256)
def _ink(face: Face, size: int, fonts: FontSet) -> tuple[int, int]:
    box = fonts.pil(face, size).getbbox("国通知公告，【】（）《》「」gjy|", anchor="la")
    return int(box[1]), int(box[3])


def clear_caches() -> None:
    """Forget every measurement and font kept between renders (benchmarks of a cold start)."""
    _advance.cache_clear()
    _WIDTHS.clear()
    _ink.cache_clear()
    break_units.cache_clear()
    pil_font.cache_clear()
