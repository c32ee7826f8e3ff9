"""The window output on a real X server (Xvfb): borderless, at X,Y, pixels 1:1."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator

import pytest
from PIL import Image, ImageGrab

from tests.conftest import need


# One X server for the module: Tk keeps its connection to a display for the life of the
# process, so a second server on the same display number would meet a dead connection.
@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    need(shutil.which("Xvfb") is not None, "Xvfb (apt-get install xvfb)")
    name = f":{90 + os.getpid() % 9}"
    saved = os.environ.get("DISPLAY")
    server = subprocess.Popen(
        ["Xvfb", name, "-screen", "0", "640x480x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                ImageGrab.grab(xdisplay=name)
                break
            except OSError:
                time.sleep(0.1)
        os.environ["DISPLAY"] = name
        yield name
    finally:
        if saved is None:
            os.environ.pop("DISPLAY", None)
        else:
            os.environ["DISPLAY"] = saved
        server.terminate()
        server.wait(timeout=10)


def test_the_window_shows_the_frame_exactly_at_its_position(display):
    from player.output import open_output

    output = open_output("window:40,30", 192, 32)
    try:
        frame = Image.new("RGB", (192, 32), (0, 0, 0))
        frame.paste((255, 0, 0), (0, 0, 96, 32))  # left half red, right half black
        frame.putpixel((191, 31), (0, 255, 0))  # the last pixel green
        output.show(frame)
        time.sleep(0.3)
        output.show(frame)
        screen = ImageGrab.grab(xdisplay=display).convert("RGB")
    finally:
        output.close()
    shown = screen.crop((40, 30, 40 + 192, 30 + 32))
    assert shown.tobytes() == frame.tobytes()  # 1:1, no border, no scaling
    assert screen.getpixel((39, 30)) != (255, 0, 0)  # nothing drawn outside the rectangle


def test_ctrl_shift_b_in_the_window_toggles_the_local_blackout(display, tmp_path):
    import datetime as dt

    from player.blackout import LocalBlackout
    from player.output import open_output

    flag = LocalBlackout(tmp_path)
    output = open_output("window:0,0", 64, 16, lambda: flag.toggle("键盘", dt.datetime.now(dt.UTC)))
    try:
        frame = Image.new("RGB", (64, 16), (255, 0, 0))
        output.show(frame)
        output.root.event_generate("<Control-Key-B>", when="tail")  # type: ignore[attr-defined]
        output.show(frame)  # keys are read as frames are shown
        assert flag.current() is not None and flag.current().reason == "键盘"
        output.root.event_generate("<Control-Key-B>", when="tail")  # type: ignore[attr-defined]
        output.show(frame)
        assert flag.current() is None
    finally:
        output.close()
