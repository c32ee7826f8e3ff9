"""Render a playlist item into frames at a screen's exact pixel size.

``render(item, profile, fonts, image=None)`` is a pure function: the same item, screen profile and
fonts always give the same frames. The player shows them; the controller draws its previews with
it, so a preview is what the screen will show.

Layout:

* One-line strips (height ≤ 32 px) scroll ``【category】title　body`` from right to left, one
  whole pixel per step, looping while the item's duration lasts.
* Panels lay out the title and then the body with Chinese line-breaking rules (Unicode UAX #14 by
  ``uniseg``: no line starts with ，。、；：？！）》」 and the like, none ends with （《「). The
  text goes on one page if it fits there at 24 px or more; otherwise at the largest font size
  whose pages each get at least four seconds of the item's duration; longer text pages at the
  smallest size. Panels 64 px high or more carry a category line on top.
* Images are fitted inside the panel, letterboxed, never stretched.

Colour modes: ``full`` (anti-aliased text above 16 px), ``red-green`` (red, green and yellow only)
and ``mono`` (one colour). Mono and red-green panels get no anti-aliasing at all, and at 12–16 px
the font's bitmap face is used where it has one, so every lit pixel is a whole LED.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import overload

from PIL import Image, ImageDraw, ImageOps

from player.fonts import FontSet, missing_characters
from player.text import draw_text, ink, text_width, wrap
from playlists.document import Item
from playlists.vocabulary import ColorMode

RGB = tuple[int, int, int]

MIN_SIZE = 12
MIN_PAGE_MS = 4000
ONE_PAGE_MIN_SIZE = 24  # one page at this size or more beats several pages of larger text
STRIP_MAX_HEIGHT = 32
HEADER_MIN_HEIGHT = 64
SCROLL_STEP_MS = (16, 40)  # fastest and slowest scroll: about 60 and 25 px/s
BLACK: RGB = (0, 0, 0)
RED: RGB = (255, 0, 0)
GREEN: RGB = (0, 255, 0)
YELLOW: RGB = (255, 255, 0)
WHITE: RGB = (255, 255, 255)


@dataclass(frozen=True)
class ScreenProfile:
    width: int
    height: int
    color: ColorMode


@dataclass(frozen=True)
class Palette:
    title: RGB
    body: RGB
    header: RGB
    header_band: RGB


PALETTES: dict[str, Palette] = {
    "mono": Palette(title=RED, body=RED, header=RED, header_band=BLACK),
    "red-green": Palette(title=YELLOW, body=RED, header=GREEN, header_band=BLACK),
    "full": Palette(title=YELLOW, body=WHITE, header=WHITE, header_band=(160, 0, 0)),
}


@dataclass(frozen=True)
class Frame:
    image: Image.Image
    duration_ms: int


class ScrollFrames(Sequence[Frame]):
    """The frames of a scrolling strip, cropped from one wide canvas when asked for."""

    def __init__(self, canvas: Image.Image, width: int, step_ms: int, count: int) -> None:
        self.canvas = canvas
        self.width = width
        self.step_ms = step_ms
        self.length = count
        self.travel = canvas.width - width  # pixel offsets in one pass

    def __len__(self) -> int:
        return self.length

    @overload
    def __getitem__(self, index: int) -> Frame: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Frame]: ...

    def __getitem__(self, index: int | slice) -> Frame | Sequence[Frame]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self.length))]
        if not -self.length <= index < self.length:
            raise IndexError(index)
        offset = (index % self.length) % (self.travel + 1)
        box = (offset, 0, offset + self.width, self.canvas.height)
        return Frame(self.canvas.crop(box), self.step_ms)


@dataclass(frozen=True)
class Rendering:
    frames: Sequence[Frame]
    missing: tuple[str, ...] = ()  # characters no font could draw (drawn as nothing)
    font_size: int | None = None
    pages: int = 1
    truncated: bool = False  # a strip whose text cannot pass in the item's duration

    def __iter__(self) -> Iterator[Frame]:
        return iter(self.frames)


def render(
    item: Item, profile: ScreenProfile, fonts: FontSet, image: bytes | None = None
) -> Rendering:
    """Render ``item`` for a screen of ``profile``."""
    duration_ms = item.duration_s * 1000
    if item.kind == "image":
        if image is None:
            raise ValueError("an image item needs its image bytes")
        return Rendering([Frame(fit_image(image, profile), duration_ms)])
    if profile.height <= STRIP_MAX_HEIGHT:
        return _render_strip(item, profile, fonts, duration_ms)
    return _render_panel(item, profile, fonts, duration_ms)


def _crisp(profile: ScreenProfile, size: int) -> bool:
    return profile.color != "full" or size <= 16


def _layer(size: tuple[int, int], crisp: bool) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    mask = Image.new("L", size, 0)
    draw = ImageDraw.Draw(mask)
    draw.fontmode = "1" if crisp else "L"
    return mask, draw


def _paint(
    canvas: Image.Image, mask: Image.Image, color: RGB, at: tuple[int, int] = (0, 0)
) -> None:
    canvas.paste(Image.new("RGB", mask.size, color), at, mask)


# --- strips -----------------------------------------------------------------------------------


def _render_strip(
    item: Item, profile: ScreenProfile, fonts: FontSet, duration_ms: int
) -> Rendering:
    palette = PALETTES[profile.color]
    size = _largest_size(fonts, profile.height, MIN_SIZE if profile.height >= MIN_SIZE else 8)
    head = f"【{item.category}】{item.title}"
    body = ("　" + item.body.replace("\n", " ")) if item.body else ""
    head_w, body_w = text_width(head, fonts, size), text_width(body, fonts, size)
    text_w = head_w + body_w
    canvas = Image.new("RGB", (text_w + 2 * profile.width, profile.height), BLACK)
    top, bottom = ink(fonts, size)
    y = (profile.height - (bottom - top)) // 2
    crisp = _crisp(profile, size)
    for text, x0, color in (
        (head, profile.width, palette.title),
        (body, profile.width + head_w, palette.body),
    ):
        if not text:
            continue
        mask, draw = _layer((text_width(text, fonts, size) + size, profile.height), crisp)
        draw_text(draw, (0, y), text, fonts, size)
        _paint(canvas, mask, color, (x0, 0))
    travel = text_w + profile.width
    step_ms = min(max(duration_ms // max(travel, 1), SCROLL_STEP_MS[0]), SCROLL_STEP_MS[1])
    count = max(1, duration_ms // step_ms)
    frames = ScrollFrames(canvas, profile.width, step_ms, count)
    missing = tuple(missing_characters(head + body, fonts, size))
    return Rendering(frames, missing, size, 1, truncated=travel * step_ms > duration_ms)


# --- panels -----------------------------------------------------------------------------------


def _render_panel(
    item: Item, profile: ScreenProfile, fonts: FontSet, duration_ms: int
) -> Rendering:
    palette = PALETTES[profile.color]
    header_h = 16 if profile.height >= HEADER_MIN_HEIGHT else 0
    margin = 1 if profile.height < 96 else 2
    area_w = profile.width - 2 * margin
    area_h = profile.height - header_h - margin
    max_pages = max(1, duration_ms // MIN_PAGE_MS)
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
        low, high = MIN_SIZE, max(MIN_SIZE, _largest_size(fonts, area_h, MIN_SIZE))
        found = layout(low)
        while low <= high:
            middle = (low + high) // 2
            attempt = layout(middle)
            if attempt[5] <= limit:
                found, low = attempt, middle + 1
            else:
                high = middle - 1
        return found

    # One page when its text is still large enough to read across a hall; else the largest
    # size whose pages each keep at least MIN_PAGE_MS on screen.
    chosen = largest(1)
    if chosen[5] > 1 or chosen[0] < ONE_PAGE_MIN_SIZE:
        paged = largest(max_pages)
        if paged[0] > chosen[0]:
            chosen = paged
    size, line_h, per_page, title_lines, body_lines, pages = chosen
    lines = [(t, palette.title) for t in title_lines] + [(b, palette.body) for b in body_lines]
    crisp = _crisp(profile, size)
    page_ms = duration_ms // pages
    frames = []
    for page in range(pages):
        canvas = Image.new("RGB", (profile.width, profile.height), BLACK)
        if header_h:
            _draw_header(canvas, item.category, profile, fonts, palette, header_h, pages, page)
        chunk = lines[page * per_page : (page + 1) * per_page]
        for color in {c for _, c in chunk}:
            mask, draw = _layer((area_w, area_h), crisp)
            for row, (text, c) in enumerate(chunk):
                if c == color:
                    draw_text(draw, (0, row * line_h), text, fonts, size)
            _paint(canvas, mask, color, (margin, header_h + (margin if not header_h else 0)))
        frames.append(
            Frame(canvas, page_ms if page < pages - 1 else duration_ms - page_ms * (pages - 1))
        )
    text = title + body + item.category
    return Rendering(frames, tuple(missing_characters(text, fonts, size)), size, pages)


def _draw_header(
    canvas: Image.Image,
    category: str,
    profile: ScreenProfile,
    fonts: FontSet,
    palette: Palette,
    height: int,
    pages: int,
    page: int,
) -> None:
    ImageDraw.Draw(canvas).rectangle(
        (0, 0, profile.width - 1, height - 1), fill=palette.header_band
    )
    size = 14
    top, bottom = ink(fonts, size)
    label = category if pages == 1 else f"{category}  {page + 1}/{pages}"
    mask, draw = _layer((profile.width, height), True)
    draw_text(draw, (2, (height - (bottom - top)) // 2), label, fonts, size)
    _paint(canvas, mask, palette.header)


def _largest_size(fonts: FontSet, height: int, smallest: int) -> int:
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


# --- images -----------------------------------------------------------------------------------

RED_GREEN_PALETTE = [0, 0, 0, 255, 0, 0, 0, 255, 0, 255, 255, 0]


def fit_image(data: bytes, profile: ScreenProfile) -> Image.Image:
    """Fit an image inside the panel, keeping its aspect ratio, centred on black."""
    with Image.open(io.BytesIO(data)) as source:
        source.seek(0)
        picture = ImageOps.exif_transpose(source.convert("RGB"))
    fitted = ImageOps.contain(picture, (profile.width, profile.height), Image.Resampling.LANCZOS)
    canvas = Image.new("RGB", (profile.width, profile.height), BLACK)
    canvas.paste(
        fitted, ((profile.width - fitted.width) // 2, (profile.height - fitted.height) // 2)
    )
    if profile.color == "mono":
        lit = canvas.convert("L").point(lambda v: 255 if v >= 96 else 0)
        canvas = Image.new("RGB", canvas.size, BLACK)
        _paint(canvas, lit, RED)
    elif profile.color == "red-green":
        palette_image = Image.new("P", (1, 1))
        palette_image.putpalette(RED_GREEN_PALETTE + [0] * (768 - len(RED_GREEN_PALETTE)))
        canvas = canvas.quantize(palette=palette_image, dither=Image.Dither.NONE).convert("RGB")
    return canvas
