"""Signed delivery with real processes: ``signage serve``, ``signage-player run --provision``, and
an HTTP proxy between them (in this test) that rewrites playlists on the way.

The player must never show the rewritten playlist nor report a display of it; the refusal must
reach the screen's page (through the next heartbeat). A key rotation while the player runs is
followed; the proxy then signing with a key from nowhere is refused.
"""

from __future__ import annotations

import datetime as dt
import http.server
import json
import os
import stat
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from playlists.signing import HEADER, SigningKey, signature_header
from signage.displaylog.models import DisplayEvent
from tests.e2e.test_new_user_script import free_port
from tests.e2e.test_player_system import System, publish, wait_for

Rewrite = Callable[[bytes, dict[str, str]], tuple[bytes, dict[str, str]]]


class Proxy:
    """A forwarding HTTP proxy on 127.0.0.1 that may rewrite playlist answers."""

    def __init__(self, upstream: str, port: int | None = None) -> None:
        self.upstream = upstream
        self.rewrite: Rewrite | None = None
        self.rewritten = 0
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(length) if length else None
                headers = {
                    k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")
                }
                request = urllib.request.Request(
                    proxy.upstream + self.path, data=data, headers=headers, method=self.command
                )
                try:
                    with urllib.request.urlopen(request, timeout=30) as answer:
                        status, body, got = answer.status, answer.read(), dict(answer.headers)
                except urllib.error.HTTPError as error:
                    status, body, got = error.code, error.read(), dict(error.headers)
                if (
                    proxy.rewrite is not None
                    and self.path.startswith("/api/v1/player/playlist")
                    and status == 200
                ):
                    body, got = proxy.rewrite(body, got)
                    proxy.rewritten += 1
                self.send_response(status)
                for name, value in got.items():
                    if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = _forward

        self.port = port or free_port()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def one_byte(body: bytes, headers: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    """Change one byte of the playlist: a digit of its duration."""
    at = body.index(b'"duration_s":') + len(b'"duration_s":')
    changed = body[:at] + (b"9" if body[at : at + 1] != b"9" else b"8") + body[at + 1 :]
    return changed, headers


STRANGER = SigningKey.generate()


def signed_by_stranger(body: bytes, headers: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    forged = body.replace("通知".encode(), "假的".encode())
    return forged, headers | {HEADER: signature_header(STRANGER, forged)}


@pytest.fixture
def system(app, database_url, tmp_path):
    running = System(database_url, tmp_path)
    yield running
    running.close()


def refusals(system: System, supervisor: dict[str, str]) -> list[str]:
    answer = requests.get(f"{system.base}/api/v1/screens/hall", headers=supervisor, timeout=10)
    return [r["text"] for r in answer.json().get("refusals", [])]


def test_a_player_behind_a_rewriting_proxy_keeps_the_last_good_playlist(system, db_session):
    s = system.signage
    staff = s.staff("author", "reviewer", "supervisor")
    author, reviewer, supervisor = staff["author"], staff["reviewer"], staff["supervisor"]
    proxy = Proxy(system.base)
    try:
        provision = system.tmp / "hall.json"
        result = s(
            "screen", "add", "hall", "--name", "大厅二号屏", "--size", "192x32",
            "--scroll-cpm", "255", "--provision", str(provision), "--controller-url", proxy.url,
        )  # fmt: skip
        assert "provisioning file" in result.stdout
        assert stat.S_IMODE(provision.stat().st_mode) == 0o600
        system.start_server()
        good, _ = publish(system, author, reviewer, "真实通知", seconds=3600)
        system.start_player_provisioned(provision)
        wait_for(lambda: system.spool()[2] >= 1, 40, "the player to show the good notice")

        proxy.rewrite = one_byte
        forged, _ = publish(system, author, reviewer, "第二条通知", seconds=3600)
        wait_for(lambda: proxy.rewritten >= 1, 20, "the proxy to rewrite a playlist")
        wait_for(lambda: refusals(system, supervisor), 20, "the refusal on the screen's page")
        assert "bad signature" in refusals(system, supervisor)[0]
        time_shown = system.spool()[2]
        wait_for(lambda: system.spool()[2] >= time_shown + 2, 30, "the last good one to play on")

        # A rotation while the player runs: it follows (the proxy lets playlists through).
        proxy.rewrite = None
        let_through = dt.datetime.now(dt.UTC)
        old_key = json.loads((system.cache / "trust.json").read_text())["key_id"]
        s("key", "rotate")
        wait_for(
            lambda: json.loads((system.cache / "trust.json").read_text())["key_id"] != old_key,
            30,
            "the player to follow the rotation",
        )
        # ...and a key from nowhere is refused.
        proxy.rewrite = signed_by_stranger
        publish(system, author, reviewer, "第三条通知", seconds=3600)
        wait_for(
            lambda: any("no rotation" in r for r in refusals(system, supervisor)),
            30,
            "the stranger's key to be refused",
        )
        system.stop_player()
    finally:
        proxy.close()

    db_session.expire_all()
    events = db_session.scalars(sa.select(DisplayEvent)).all()
    assert any(e.notice_id == good for e in events)
    # The second notice reached the screen only in a playlist the proxy let through unaltered:
    # no display of it started while every playlist naming it was forged.
    assert all(e.started_at >= let_through for e in events if e.notice_id == forged)
    trusted = json.loads((system.cache / "trust.json").read_text())["key_id"]
    assert trusted not in (STRANGER.key_id, old_key)


def test_a_bad_provisioning_file_stops_the_player_at_start(tmp_path):
    path = tmp_path / "loose.json"
    path.write_text("{}")
    os.chmod(path, 0o644)
    result = subprocess.run(
        [sys.executable, "-m", "player.cli", "run", "--provision", str(path), "--output",
         f"png:{tmp_path / 'frames'}", "--cache", str(tmp_path / "cache")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert "may be read by others" in result.stderr
    assert not Path(tmp_path / "frames").exists()
