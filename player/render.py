"""Render a playlist item into frames at a screen's exact pixel size.

``render(item, profile, fonts, image=None, reading=Reading())`` is a pure function: the same
item, screen profile, fonts and reading speeds always give the same frames. The player shows
them; the controller draws its previews with it, so a preview is what the screen will show.

The layout and the time each frame stays are :mod:`player.layout`'s (strips scroll the whole
text at the screen's speed, panels page it, each page up for the time its characters need);
the frames of an item add up to exactly the duration :func:`player.layout.measure` gives, and
nothing is ever cut to fit. Images are fitted inside the panel, letterboxed, never stretched.

Colour modes: ``full`` (anti-aliased text above 16 px), ``red-green`` (red, green and yellow only)
and ``mono`` (one colour). Mono and red-green panels get no anti-aliasing at all, and at 12–16 px
the font's bitmap face is used where it has one, so every lit pixel is a whole LED.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import overload

from PIL import Image, ImageDraw, ImageOps

from player.fonts import FontSet, missing_characters
from player.layout import (
    PanelLayout,
    ScreenProfile,
    StripLayout,
    is_strip,
    panel_layout,
    strip_layout,
)
from player.text import draw_text, ink, text_width
from playlists.document import Item
from playlists.reading import Reading

__all__ = ["Frame", "Rendering", "ScreenProfile", "render"]

RGB = tuple[int, int, int]

BLACK: RGB = (0, 0, 0)
RED: RGB = (255, 0, 0)
GREEN: RGB = (0, 255, 0)
YELLOW: RGB = (255, 255, 0)
WHITE: RGB = (255, 255, 255)


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

# A warning's level (预警级别) in its national colour: the title and the header band take it.
# Blue is lightened so that it reads on black; a yellow band gets black words. A red-green
# panel has no blue and no orange: blue is drawn green and orange yellow; mono keeps its one.
LEVEL_COLOURS: dict[str, RGB] = {
    "blue": (60, 140, 255),
    "yellow": (255, 220, 0),
    "orange": (255, 128, 0),
    "red": (255, 32, 32),
}
RED_GREEN_LEVELS: dict[str, RGB] = {"blue": GREEN, "yellow": YELLOW, "orange": YELLOW, "red": RED}


def palette_for(profile: ScreenProfile, level: str | None) -> Palette:
    """The colours an item is drawn in on this screen: its warning level's, if it has one."""
    palette = PALETTES[profile.color]
    if level is None or profile.color == "mono":
        return palette
    if profile.color == "red-green":
        colour = RED_GREEN_LEVELS[level]
        return Palette(title=colour, body=palette.body, header=colour, header_band=BLACK)
    colour = LEVEL_COLOURS[level]
    words = BLACK if level == "yellow" else WHITE
    return Palette(title=colour, body=palette.body, header=words, header_band=colour)


def level_of(item: Item) -> str | None:
    """An item's warning level, from its approval (which its content hash covers)."""
    return item.approval.level if item.approval is not None else None


@dataclass(frozen=True)
class Frame:
    image: Image.Image
    duration_ms: int


class ScrollFrames(Sequence[Frame]):
    """The frames of a scrolling strip, cropped from one wide canvas when asked for.

    Each pass moves the text ``step_px`` pixels a frame across its whole ``travel``; the frame
    times are spread so that ``passes`` passes take exactly ``duration_ms``.
    """

    def __init__(self, canvas: Image.Image, width: int, layout: StripLayout) -> None:
        self.canvas = canvas
        self.width = width
        self.layout = layout
        self.per_pass = layout.frames_per_pass
        self.length = self.per_pass * layout.passes

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
        index %= self.length
        offset = (index % self.per_pass) * self.layout.step_px
        box = (offset, 0, offset + self.width, self.canvas.height)
        return Frame(self.canvas.crop(box), self.frame_ms(index))

    def frame_ms(self, index: int) -> int:
        total, count = self.layout.duration_ms, self.length
        return (index + 1) * total // count - index * total // count


@dataclass(frozen=True)
class Rendering:
    frames: Sequence[Frame]
    missing: tuple[str, ...] = ()  # characters no font could draw (drawn as nothing)
    font_size: int | None = None
    pages: int = 1
    scrolls: bool = False  # a strip: its frames are scroll steps, not pages

    @property
    def duration_ms(self) -> int:
        """What the frames add up to: the item's time on this screen."""
        if isinstance(self.frames, ScrollFrames):
            return self.frames.layout.duration_ms
        return sum(f.duration_ms for f in self.frames)

    def __iter__(self) -> Iterator[Frame]:
        return iter(self.frames)


def render(
    item: Item,
    profile: ScreenProfile,
    fonts: FontSet,
    image: bytes | None = None,
    reading: Reading | None = None,
) -> Rendering:
    """Render ``item`` for a screen of ``profile`` at ``reading``'s speeds (the defaults when
    None)."""
    reading = reading or Reading()
    if item.kind == "image":
        if image is None:
            raise ValueError("an image item needs its image bytes")
        return Rendering([Frame(fit_image(image, profile), item.duration_s * 1000)])
    if is_strip(profile):
        return _render_strip(item, strip_layout(item, profile, fonts, reading), profile, fonts)
    return _render_panel(item, panel_layout(item, profile, fonts, reading), profile, fonts)


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
    item: Item, layout: StripLayout, profile: ScreenProfile, fonts: FontSet
) -> Rendering:
    palette = palette_for(profile, level_of(item))
    size = layout.size
    canvas = Image.new("RGB", (layout.travel + profile.width, profile.height), BLACK)
    top, bottom = ink(fonts, size)
    y = (profile.height - (bottom - top)) // 2
    crisp = _crisp(profile, size)
    for text, x0, color in (
        (layout.head, profile.width, palette.title),
        (layout.body, profile.width + layout.head_w, palette.body),
    ):
        if not text:
            continue
        mask, draw = _layer((text_width(text, fonts, size) + size, profile.height), crisp)
        draw_text(draw, (0, y), text, fonts, size)
        _paint(canvas, mask, color, (x0, 0))
    frames = ScrollFrames(canvas, profile.width, layout)
    missing = tuple(missing_characters(layout.head + layout.body, fonts, size))
    return Rendering(frames, missing, size, 1, scrolls=True)


# --- panels -----------------------------------------------------------------------------------


def _render_panel(
    item: Item, layout: PanelLayout, profile: ScreenProfile, fonts: FontSet
) -> Rendering:
    palette = palette_for(profile, level_of(item))
    header_h, margin, size = layout.header_h, layout.margin, layout.size
    area_w = profile.width - 2 * margin
    area_h = profile.height - header_h - margin
    lines = [(t, palette.title) for t in layout.title_lines]
    lines += [(b, palette.body) for b in layout.body_lines]
    crisp = _crisp(profile, size)
    per_page, pages = layout.per_page, layout.pages
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
                    draw_text(draw, (0, row * layout.line_h), text, fonts, size)
            _paint(canvas, mask, color, (margin, header_h + (margin if not header_h else 0)))
        frames.append(Frame(canvas, layout.page_ms[page]))
    text = item.title + item.body + item.category
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
