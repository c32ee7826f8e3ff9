"""Previews of a notice on a screen, drawn by the player's own renderer.

What the preview shows is what the screen will show: the same ``player.render`` at the screen's
exact pixel size, colour mode and reading speeds, with the same fonts logic. Every frame the
player would draw is written, at the screen's own pixels, into an animated PNG whose frame
times are the screen's own (every page of a panel for its time, every step of a strip's
scroll); pages enlarge it by a whole number with nearest-neighbour sampling
(``image-rendering: pixelated``), so each LED pixel stays a crisp square. (Frames identical to
the one before are merged into it, as the PNG encoder does; their time is kept.)
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass

from flask import Flask
from PIL import Image

from player.preview import FontNotFound, FontSet, ScreenProfile, find_fonts, render
from playlists import ColorMode, Item, Kind, Priority
from signage.errors import ServiceError
from signage.screens.models import Screen
from signage.screens.readings import reading_of

TARGET_WIDTH = 800  # scale up until about this wide (at least 1x, at most 8x)
_fonts_lock = threading.Lock()


class PreviewUnavailable(ServiceError):
    status = 503
    code = "unavailable"


@dataclass(frozen=True)
class Draft:
    """The fields of a notice that change how it looks and how it plays."""

    title: str
    body: str
    category: str
    kind: str = "text"
    priority: str = "normal"
    duration_s: int = 15
    notice_id: int | None = None  # an existing notice: its live revision makes way for this


def fonts_for(app: Flask) -> FontSet:
    """The fonts for previews, found once (``SIGNAGE_PREVIEW_FONT`` or the system's)."""
    with _fonts_lock:
        if "signage.fonts" not in app.extensions:
            try:
                found = find_fonts(app.config["SIGNAGE_PREVIEW_FONT"] or None)
            except FontNotFound as exc:
                raise PreviewUnavailable("no font for previews: %(exc)s", exc=exc) from None
            app.extensions["signage.fonts"] = found
        fonts: FontSet = app.extensions["signage.fonts"]
        return fonts


def scale_for(width: int) -> int:
    return max(1, min(8, TARGET_WIDTH // width))


def _from_first_full(frames: list[tuple[Image.Image, int]]) -> list[tuple[Image.Image, int]]:
    """The same loop, started where the text reaches the left edge (or shows most): a strip's
    text scrolls in from the right, and a preview that opens on an empty panel says nothing."""
    boxes = [image.getbbox() for image, _ in frames]
    start = next((i for i, box in enumerate(boxes) if box is not None and box[0] == 0), None)
    if start is None:  # the text never gets across in the item's time: start at its widest
        widths = [box[2] - box[0] if box else 0 for box in boxes]
        start = widths.index(max(widths))
    return frames[start:] + frames[:start]


def preview_png(screen: Screen, draft: Draft, fonts: FontSet, image: bytes | None = None) -> bytes:
    """Render ``draft`` on ``screen``; return an (animated) PNG scaled up for people to see."""
    item = Item(
        id="preview",
        notice_id=0,
        revision=0,
        content_sha256="0" * 64,
        kind=Kind.IMAGE if draft.kind == Kind.IMAGE else Kind.TEXT,
        category=draft.category,
        priority=Priority(draft.priority) if draft.priority in set(Priority) else Priority.NORMAL,
        weight=1,
        duration_s=max(1, min(draft.duration_s, 600)),
        title=draft.title,
        body=draft.body,
        media=None,
        windows=(),
    )
    profile = ScreenProfile(screen.width, screen.height, ColorMode(screen.color))
    if item.kind == "image" and image is None:
        frames = [(Image.new("RGB", (screen.width, screen.height)), 1000)]
    else:
        rendering = render(item, profile, fonts, image, reading_of(screen))
        frames = _from_first_full([(f.image, f.duration_ms) for f in rendering.frames])
    images = [frame.convert("RGB") for frame, _ in frames]
    out = io.BytesIO()
    if len(images) == 1:
        images[0].save(out, format="PNG")
    else:
        images[0].save(
            out,
            format="PNG",
            save_all=True,
            append_images=images[1:],
            duration=[ms for _, ms in frames],
            loop=0,
        )
    return out.getvalue()
