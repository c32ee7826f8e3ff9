"""Where frames go: a PNG folder, a borderless window, or a Linux framebuffer.

All three take whole frames at the screen's exact pixel size through one small interface::

    output.show(image)   # an RGB PIL image, width × height of the screen
    output.close()

``png:DIR`` keeps ``DIR/latest.png`` (rewritten at most twice a second, atomically) and, under
``DIR/frames/`` (the last 500), one file per page of each item shown, or for a scrolling strip
the frame from the middle of its pass. ``window[:X,Y]`` is a borderless, topmost Tk
window at X,Y with pixels 1:1 and no cursor: a PC-driven LED sending card captures exactly that
rectangle of the desktop. ``fb:/dev/fb0`` writes into a Linux framebuffer, converting to its depth.
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PIL import Image

from player.errors import ConfigError
from player.store import write_atomic

KEEP_FRAMES = 500


class Output(Protocol):
    def show(self, image: Image.Image, *, label: str | None = None) -> None: ...

    def close(self) -> None: ...


class PngOutput:
    def __init__(self, folder: Path, min_interval_s: float = 0.5) -> None:
        self.folder = folder
        self.frames = folder / "frames"
        self.frames.mkdir(parents=True, exist_ok=True)
        self.min_interval = min_interval_s
        self._last_write = 0.0
        self._pending: Image.Image | None = None

    def show(self, image: Image.Image, *, label: str | None = None) -> None:
        """Show a frame; ``label`` marks a frame to keep as a file (a page of an item, or the
        middle of a strip's pass)."""
        if label is not None:
            stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
            safe = "".join(c if c.isalnum() or c in "-._" else "_" for c in label)
            image.save(self.frames / f"{stamp}-{int(time.time() * 1000) % 1000:03d}-{safe}.png")
            self._prune()
        now = time.monotonic()
        if label is not None or now - self._last_write >= self.min_interval:
            self._write_latest(image)
            self._last_write = now
            self._pending = None
        else:
            self._pending = image

    def _write_latest(self, image: Image.Image) -> None:
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        write_atomic(self.folder / "latest.png", buffer.getvalue())

    def _prune(self) -> None:
        files = sorted(self.frames.glob("*.png"))
        for old in files[:-KEEP_FRAMES]:
            old.unlink(missing_ok=True)

    def close(self) -> None:
        if self._pending is not None:
            self._write_latest(self._pending)


# The window's keyboard shortcut for a local blackout (and for lifting it): Ctrl+Shift+B.
BLACKOUT_KEY = "<Control-Key-B>"


class WindowOutput:
    """A borderless, topmost Tk window with the frame drawn 1:1 at a fixed desktop position.

    ``on_blackout_key`` is called when Ctrl+Shift+B is pressed in it (the player's local
    blackout toggle, :mod:`player.blackout`); keys are read each time a frame is shown, which
    the show loop does at least five times a second."""

    def __init__(
        self,
        width: int,
        height: int,
        x: int = 0,
        y: int = 0,
        on_blackout_key: Callable[[], object] | None = None,
    ) -> None:
        import tkinter

        from PIL import ImageTk

        self._imagetk = ImageTk
        self.root = tkinter.Tk()
        self.root.overrideredirect(True)  # no title bar or border
        self.root.geometry(f"{width}x{height}+{x}+{y}")
        self.root.attributes("-topmost", True)
        self.root.configure(background="black", cursor="none")
        self.label = tkinter.Label(self.root, borderwidth=0, highlightthickness=0, bg="black")
        self.label.place(x=0, y=0, width=width, height=height)
        self._photo: object | None = None
        if on_blackout_key is not None:
            self.root.bind_all(BLACKOUT_KEY, lambda _event: on_blackout_key())
        self.root.update()
        if on_blackout_key is not None:
            # A borderless window gets no focus from the window manager: take it, so the
            # keyboard of the screen's machine reaches it.
            self.root.focus_force()

    def show(self, image: Image.Image, *, label: str | None = None) -> None:
        self._photo = self._imagetk.PhotoImage(image)
        self.label.configure(image=self._photo)
        self.root.update()

    def close(self) -> None:
        self.root.destroy()


class FramebufferOutput:
    """Write frames to the top-left corner of a Linux framebuffer device."""

    def __init__(self, device: str) -> None:
        name = Path(device).name
        sysfs = Path("/sys/class/graphics") / name
        try:
            self.bpp = int((sysfs / "bits_per_pixel").read_text())
            self.stride = int((sysfs / "stride").read_text())
            self.fd = os.open(device, os.O_WRONLY)
        except OSError as exc:
            raise ConfigError(f"cannot open framebuffer {device}: {exc}") from None
        if self.bpp not in (16, 24, 32):
            raise ConfigError(f"framebuffer depth {self.bpp} bits is not supported")

    def _pixels(self, image: Image.Image) -> bytes:
        if self.bpp == 32:
            return image.convert("RGBA").tobytes("raw", "BGRA")
        if self.bpp == 24:
            return image.tobytes("raw", "BGR")
        r, g, b = (
            band.point(lambda v, s=s: v >> s)
            for band, s in zip(image.split(), (3, 2, 3), strict=True)
        )
        data = bytearray()
        for pr, pg, pb in zip(r.tobytes(), g.tobytes(), b.tobytes(), strict=True):
            value = (pr << 11) | (pg << 5) | pb
            data += value.to_bytes(2, "little")
        return bytes(data)

    def show(self, image: Image.Image, *, label: str | None = None) -> None:
        row_bytes = image.width * self.bpp // 8
        pixels = self._pixels(image)
        for row in range(image.height):
            os.pwrite(self.fd, pixels[row * row_bytes : (row + 1) * row_bytes], row * self.stride)

    def close(self) -> None:
        os.close(self.fd)


class Outputs:
    """Several outputs fed the same frames (``--output`` given more than once)."""

    def __init__(self, outputs: list[Output]) -> None:
        self.outputs = outputs

    def show(self, image: Image.Image, *, label: str | None = None) -> None:
        for output in self.outputs:
            output.show(image, label=label)

    def close(self) -> None:
        for output in self.outputs:
            output.close()


def open_outputs(
    specs: list[str],
    width: int,
    height: int,
    on_blackout_key: Callable[[], object] | None = None,
) -> Output:
    """Open every output of ``specs``; one alone is returned as it is."""
    opened = [open_output(spec, width, height, on_blackout_key) for spec in specs]
    return opened[0] if len(opened) == 1 else Outputs(opened)


def check_spec(spec: str) -> None:
    """Raise :class:`ConfigError` for an output spec that cannot be right."""
    kind, _, rest = spec.partition(":")
    if kind not in ("png", "window", "fb") or (kind in ("png", "fb") and not rest):
        raise ConfigError(f"unknown output {spec!r}; use png:DIR, window[:X,Y] or fb:/dev/fb0")


def open_output(
    spec: str, width: int, height: int, on_blackout_key: Callable[[], object] | None = None
) -> Output:
    """Open ``png:DIR``, ``window[:X,Y]`` or ``fb:/dev/fbN``."""
    kind, _, rest = spec.partition(":")
    if kind == "png" and rest:
        return PngOutput(Path(rest))
    if kind == "window":
        x, y = 0, 0
        if rest:
            try:
                x, y = (int(v) for v in rest.split(","))
            except ValueError:
                raise ConfigError(f"window position {rest!r} is not X,Y") from None
        try:
            return WindowOutput(width, height, x, y, on_blackout_key)
        except Exception as exc:  # no display, no Tk
            raise ConfigError(f"cannot open a window ({exc}); is DISPLAY set?") from None
    if kind == "fb" and rest:
        return FramebufferOutput(rest)
    raise ConfigError(f"unknown output {spec!r}; use png:DIR, window[:X,Y] or fb:/dev/fb0")
