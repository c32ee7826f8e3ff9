"""A local blackout with the controller gone: a real ``signage serve`` and a real
``signage-player``; the controller is killed, ``signage-player blackout`` turns the panel black
at once, it stays black across a player restart, ``resume`` brings the notice back, and the
controller hears of it once it is back."""

from __future__ import annotations

import subprocess
import sys
import time

import requests
from PIL import Image

from tests.e2e.test_player_system import publish, system, wait_for  # noqa: F401


def black(path) -> bool:
    try:
        with Image.open(path) as image:
            return image.convert("RGB").getbbox() is None
    except (OSError, SyntaxError):  # being replaced as we read it
        return False


def player_command(system, *args: str) -> subprocess.CompletedProcess[str]:  # noqa: F811
    return subprocess.run(
        [sys.executable, "-m", "player.cli", *args, "--cache", str(system.cache)],
        capture_output=True,
        text=True,
        check=True,
        env=system.signage.env,
        timeout=30,
    )


def test_black_at_once_without_the_controller_and_across_a_restart(system):  # noqa: F811
    s = system.signage
    people = s.staff("author", "reviewer", "supervisor")
    author, reviewer = people["author"], people["reviewer"]
    token_file = system.tmp / "hall.token"
    token_file.write_text(
        s.last_line("screen", "add", "hall", "--name", "大厅", "--size", "128x32")
    )
    system.start_server()
    publish(system, author, reviewer, "长期通知", seconds=3600)
    system.start_player(token_file)
    latest = system.frames / "latest.png"
    wait_for(lambda: system.spool()[2] >= 1 and not black(latest), 40, "the notice on the panel")

    system.stop_server()
    asked = time.monotonic()
    done = player_command(system, "blackout", "--reason", "处置异常信息")
    assert "blacked out since" in done.stdout
    wait_for(lambda: black(latest), 5, "the panel to go black")
    took = time.monotonic() - asked
    assert took < 2.0, f"black {took:.2f} s after the command (the command itself included)"
    seq = system.spool()[2]
    time.sleep(2)
    assert black(latest) and system.spool()[2] <= seq + 1  # nothing more shown

    # A restart of the player, the controller still away: black from the first frame.
    system.stop_player()
    latest.unlink()
    system.start_player(token_file)
    wait_for(lambda: latest.exists(), 20, "the restarted player's first frame")
    time.sleep(1.5)
    assert black(latest)

    # The controller back: the heartbeat tells it; only the screen's machine lifts it.
    system.start_server()

    def reported() -> bool:
        answer = requests.get(
            f"{system.base}/api/v1/screens/hall", headers=people["supervisor"], timeout=5
        )
        return answer.ok and answer.json().get("local_blackout_reason") == "处置异常信息"

    wait_for(reported, 90, "the controller to hear of the blackout")
    player_command(system, "resume")
    wait_for(lambda: not black(latest), 10, "the notice back on the panel")
