"""``make run`` as a newcomer meets it, on another port: the controller with the sample data
on SQLite, its player drawing frames, and a credentials file whose tokens all work."""

from __future__ import annotations

import os
import re
import signal
import socket
import stat
import subprocess
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.25)
    raise AssertionError(f"no {what} within {seconds} s")


def test_make_run_on_another_port(tmp_path):
    port, data = free_port(), tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNAGE_")}
    env.pop("DISPLAY", None)
    env.pop("MAKEFLAGS", None)
    log_file = (tmp_path / "make.log").open("w")
    run = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"PORT={port}", f"SIGNAGE_DATA_DIR={data}"],
        cwd=ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:

        def up() -> bool:
            try:
                return requests.get(f"{base}/healthz", timeout=1).status_code == 200
            except requests.ConnectionError:
                return False

        wait_for(up, 120, f"controller on port {port}")
        credentials = data / "demo-credentials.txt"
        assert stat.S_IMODE(credentials.stat().st_mode) == 0o600  # readable by its owner only
        text = credentials.read_text()
        # Every screen token listed works, the sample player's included (it was rotated when
        # its provisioning file was written, and the file shows the new one).
        screens = re.findall(r"^  (\S+) +\d+x\d+ .* token (sgs_\S+)$", text, re.M)
        assert "zwzx-24h" in dict(screens)
        for key, token in screens:
            answer = requests.get(
                f"{base}/api/v1/player/playlist",
                headers={"Authorization": f"Bearer {token}"},
                timeout=5,
            )
            assert answer.status_code == 200, (key, answer.text)
        for user, token in re.findall(r"^  (\S+) .* token (sgp_\S+)$", text, re.M):
            me = requests.get(
                f"{base}/api/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=5
            )
            assert me.status_code == 200 and me.json()["username"] == user
        printed = (tmp_path / "make.log").read_text()
        assert f"http://127.0.0.1:{port}/" in printed and ":8080" not in printed
        # The player talks to this port and says what it does.
        wait_for(lambda: (data / "frames" / "latest.png").exists(), 60, "frame")
        log = data / "player.log"
        wait_for(lambda: "new playlist" in log.read_text(), 30, "playlist line in the log")
    finally:
        os.killpg(run.pid, signal.SIGTERM)
        try:
            run.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait(timeout=20)
        log_file.close()
