"""Lay out and time an item on a screen, without drawing it.

The renderer (:mod:`player.render`) draws what this lays out; the controller calls
:func:`measure` when it compiles a playlist, so the duration a playlist item carries is the one
the player's frames add up to. Both follow the reading-speed rule (:mod:`playlists.reading`):

* One-line strips (height ≤ 32 px) scroll ``【category】title　body`` from right to left: it
  enters at the right edge and leaves at the left, the whole text passing at the screen's
  ``scroll_cpm``, or slower in whole passes when the author gave the item more time.
* Panels lay out the title and then the body with Chinese line-breaking rules. The text goes on
  one page if it fits there at 24 px or more; otherwise at the largest size that needs no more
  pages than the author's duration holds at four seconds a page; longer text pages at the
  smallest size. Each page then stays as long as its characters need at ``read_cpm``, at least
  ``page_s``. Panels 64 px high or more carry a category line on top.
* An image stays its author's duration.

Nothing is ever cut to fit: a text takes the time it needs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from player.fonts import FontSet
from player.text import ink, text_width, wrap
from playlists.document import Item
from playlists.reading import Reading, page_times, strip_timing
from playlists.vocabulary import ColorMode

MIN_SIZE = 12
LAYOUT_PAGE_MS = 4000  # the page budget a panel's font size is chosen by
ONE_PAGE_MIN_SIZE = 24  # one page at this size or more beats several pages of larger text
STRIP_MAX_HEIGHT = 32
HEADER_MIN_HEIGHT = 64
FASTEST_FRAME_MS = 16  # a strip moves more than a pixel a frame rather than step faster


@dataclass(frozen=True)
class ScreenProfile:
    width: int
    height: int
    color: ColorMode


@dataclass(frozen=True)
class StripLayout:
    size: int
    head: str
    body: str
    head_w: int
    body_w: int
    travel: int  # pixels the text moves in one pass: its width and the panel's
    step_px: int  # pixels per frame
    passes: int
    duration_ms: int

    @property
    def frames_per_pass(self) -> int:
        return math.ceil(self.travel / self.step_px)


@dataclass(frozen=True)
class PanelLayout:
    size: int
    line_h: int
    per_page: int
    title_lines: list[str]
    body_lines: list[str]
    page_ms: list[int]
    header_h: int
    margin: int

    @property
    def pages(self) -> int:
        return len(self.page_ms)

    @property
    def duration_ms(self) -> int:
        return sum(self.page_ms)


@dataclass(frozen=True)
class Timing:
    """How an item plays on a screen: how long, in how many pages (or scroll passes)."""

    duration_ms: int
    pages: int = 1
    passes: int = 1
    font_size: int | None = None
    scrolls: bool = False


def is_strip(profile: ScreenProfile) -> bool:
    return profile.height <= STRIP_MAX_HEIGHT


def strip_layout(
    item: Item, profile: ScreenProfile, fonts: FontSet, reading: Reading
) -> StripLayout:
    size = largest_size(fonts, profile.height, MIN_SIZE if profile.height >= MIN_SIZE else 8)
    head = f"【{item.category}】{item.title}"
    body = ("　" + item.body.replace("\n", " ")) if item.body else ""
    head_w, body_w = text_width(head, fonts, size), text_width(body, fonts, size)
    travel = head_w + body_w + profile.width
    duration_ms, passes = strip_timing(travel, size, item.duration_s * 1000, reading)
    ms_per_px = duration_ms / (passes * travel)
    step_px = max(1, math.ceil(FASTEST_FRAME_MS / ms_per_px))
    return StripLayout(size, head, body, head_w, body_w, travel, step_px, passes, duration_ms)


def panel_layout(
    item: Item, profile: ScreenProfile, fonts: FontSet, reading: Reading
) -> PanelLayout:
    header_h = 16 if profile.height >= HEADER_MIN_HEIGHT else 0
    margin = 1 if profile.height < 96 else 2
    area_w = profile.width - 2 * margin
    area_h = profile.height - header_h - margin
    author_ms = item.duration_s * 1000
    max_pages = max(1, author_ms // LAYOUT_PAGE_MS)
    title, body = item.title.strip(), item.body.strip()

    def layout(size: int) -> tuple[int, int, int, list[str], list[str], int]:
        top, bottom = ink(fonts, size)
        ink_h = bottom - top
        line_h = ink_h + max(1, size // 6)
        per_page = max(1, (area_h + line_h - ink_h) // line_h)
        title_lines = wrap(title, area_w, fonts, size) if title else []
        body_lines = wrap(body, area_w, fonts, size) if body else []
        pages = math.ceil((len(title_lines) + len(body_lines)) / per_page) or 1
        return size, line_h, per_page, title_lines, body_lines, pages

    def largest(limit: int) -> tuple[int, int, int, list[str], list[str], int]:
        # Pages only grow as the size shrinks, so bisect for the largest size within ``limit``.
        low, high = MIN_SIZE, max(MIN_SIZE, largest_size(fonts, area_h, MIN_SIZE))
        found = layout(low)
        while low <= high:
            middle = (low + high) // 2
            attempt = layout(middle)
            if attempt[5] <= limit:
                found, low = attempt, middle + 1
            else:
                high = middle - 1
        return found

    chosen = largest(1)
    if chosen[5] > 1 or chosen[0] < ONE_PAGE_MIN_SIZE:
        paged = largest(max_pages)
        if paged[0] > chosen[0]:
            chosen = paged
    size, line_h, per_page, title_lines, body_lines, pages = chosen
    lines = title_lines + body_lines
    characters = [
        sum(len("".join(line.split())) for line in lines[page * per_page : (page + 1) * per_page])
        for page in range(pages)
    ]
    return PanelLayout(
        size,
        line_h,
        per_page,
        title_lines,
        body_lines,
        page_times(characters, author_ms, reading),
        header_h,
        margin,
    )


def measure(item: Item, profile: ScreenProfile, fonts: FontSet, reading: Reading) -> Timing:
    """How long ``item`` takes on a screen of ``profile`` at ``reading``'s speeds, and in how
    many pages: what :func:`player.render.render`'s frames add up to."""
    if item.kind == "image":
        return Timing(item.duration_s * 1000)
    if is_strip(profile):
        strip = strip_layout(item, profile, fonts, reading)
        return Timing(strip.duration_ms, 1, strip.passes, strip.size, scrolls=True)
    panel = panel_layout(item, profile, fonts, reading)
    return Timing(panel.duration_ms, panel.pages, 1, panel.size)


def largest_size(fonts: FontSet, height: int, smallest: int) -> int:
    """The largest font size whose Chinese ink fits in ``height`` pixels (at most 64).

    Found by bisection: every size tried opens a FreeType face, which for a large CJK font
    costs megabytes, so as few are tried as possible.
    """
    low, high, best = smallest, 64, smallest
    while low <= high:
        middle = (low + high) // 2
        top, bottom = ink(fonts, middle)
        if bottom - top <= height:
            best, low = middle, middle + 1
        else:
            high = middle - 1
    return best
