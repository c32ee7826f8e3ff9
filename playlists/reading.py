"""The reading-speed rule: how long a text must stay on a screen for the public to read all of it.

One rule for the controller (which computes each item's time on each screen when it compiles a
playlist) and the player (which draws it): a :class:`Reading` travels in every playlist
document, in the screen's section, and the renderer lays out and times every item by it.

* **Strips** (one line, 32 px high or less) scroll at ``scroll_cpm`` characters a minute, a
  character being one full-width (Chinese) character, as wide as the font size; digits and Latin
  letters are about half that. Never faster: an item whose author gave it more time scrolls
  slower, in whole passes.
* **Panels** keep each page up for at least ``page_s`` seconds, and at least as long as its
  characters take at ``read_cpm`` characters a minute.

The defaults come from published figures: the Shenzhen city-management bureau's rule for LED
scrolling-text screens (2018) asks for 60–80 characters a minute when scrolling and at least
15 s per static page; adults aged 18–35 read Chinese aloud at about 255 characters a minute
(IReST, 2012). A hall's public is older and reads from further away, so panels assume 200.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated

from pydantic import Field

# The accepted range of each setting (inclusive), and why: slower than 20 characters a minute
# no notice would ever come round; faster than 255 is faster than young adults read aloud.
SCROLL_CPM_RANGE = (20, 255)
PAGE_S_RANGE = (4, 120)
READ_CPM_RANGE = (60, 500)
DEFAULT_SCROLL_CPM = 80
DEFAULT_PAGE_S = 15
DEFAULT_READ_CPM = 200


@dataclass(frozen=True, slots=True)
class Reading:
    """How fast a screen's text goes: strips' scroll speed, panels' page times."""

    scroll_cpm: Annotated[int, Field(ge=SCROLL_CPM_RANGE[0], le=SCROLL_CPM_RANGE[1])] = (
        DEFAULT_SCROLL_CPM
    )
    page_s: Annotated[int, Field(ge=PAGE_S_RANGE[0], le=PAGE_S_RANGE[1])] = DEFAULT_PAGE_S
    read_cpm: Annotated[int, Field(ge=READ_CPM_RANGE[0], le=READ_CPM_RANGE[1])] = DEFAULT_READ_CPM

    def scroll_ms_per_px(self, font_size: int) -> float:
        """Milliseconds per pixel of scroll at ``scroll_cpm`` with text of ``font_size`` px."""
        return 60000 / (self.scroll_cpm * font_size)

    def pass_ms(self, travel_px: int, font_size: int) -> int:
        """The time one whole pass of ``travel_px`` pixels takes at the set speed."""
        return math.ceil(travel_px * self.scroll_ms_per_px(font_size))

    def page_ms(self, characters: int) -> int:
        """The time a page of ``characters`` characters stays: at least ``page_s``."""
        return max(self.page_s * 1000, math.ceil(characters * 60000 / self.read_cpm))

    def to_dict(self) -> dict[str, int]:
        return {"scroll_cpm": self.scroll_cpm, "page_s": self.page_s, "read_cpm": self.read_cpm}


RANGES = {"scroll_cpm": SCROLL_CPM_RANGE, "page_s": PAGE_S_RANGE, "read_cpm": READ_CPM_RANGE}


def out_of_range(name: str, value: object) -> str | None:
    """Why ``value`` is not an acceptable ``name`` setting, or None when it is."""
    low, high = RANGES[name]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return f"{name} must be a whole number from {low} to {high}"
    return None


def strip_timing(
    travel_px: int, font_size: int, author_ms: int, reading: Reading
) -> tuple[int, int]:
    """A strip's (duration in ms, whole passes): one pass at the set speed, or when the author
    gave more time, as many whole passes as fit in it, each a little slower."""
    one = max(1, reading.pass_ms(travel_px, font_size))
    if author_ms <= one:
        return one, 1
    return author_ms, max(1, author_ms // one)


def page_times(characters: list[int], author_ms: int, reading: Reading) -> list[int]:
    """Each page's time: what its characters need, the author's time shared out if longer."""
    times = [reading.page_ms(c) for c in characters] or [reading.page_s * 1000]
    extra = author_ms - sum(times)
    if extra > 0:
        share, rest = divmod(extra, len(times))
        times = [t + share + (1 if i < rest else 0) for i, t in enumerate(times)]
    return times


DEFAULT_READING = Reading()  # frozen: safe to share as a default
