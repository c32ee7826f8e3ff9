"""Two controller hosts on one PostgreSQL database behind nginx, for real.

Two ``signage serve`` processes (each its own data folder, as on two machines, sharing the
secret key and the playlist signing key) answer behind an nginx started by the test with the
configuration the README shows. A change made through one is seen through the other within
the check interval; then one host is killed outright, and polls, uploads and pages go on
through the other, with every display event stored once.
"""

from __future__ import annotations

import getpass
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import PG_URL, need
from tests.e2e.test_new_user_script import Signage, free_port
from tests.e2e.test_player_system import FAST, System, exactly_once, publish, wait_for

pytestmark = pytest.mark.skipif(not PG_URL, reason="two hosts share PostgreSQL: the PG pass")

# The upstream block as the README shows it: every host, passive health checks, and a retry on
# the next host when one does not answer.
NGINX = """
    upstream signage {{
        server 127.0.0.1:{a} max_fails=1 fail_timeout=5s;
        server 127.0.0.1:{b} max_fails=1 fail_timeout=5s;
        keepalive 64;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 25m;
        location / {{
            proxy_pass http://signage;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_connect_timeout 2s;
            proxy_read_timeout 60s;
        }}
    }}
"""


class Host:
    def __init__(self, env: dict[str, str], tmp: Path, name: str) -> None:
        self.env = env | {"SIGNAGE_DATA_DIR": str(tmp / name)}
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tmp / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "signage", "serve", "--port", str(self.port)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killed as a whole host is
            )
        wait_for(self.ready, 30, f"{self.base} to be ready")

    def ready(self) -> bool:
        try:
            return requests.get(f"{self.base}/readyz", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def start_nginx(tmp: Path, a: int, b: int) -> tuple[subprocess.Popen[bytes], str]:
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    need(nginx is not None, "nginx (apt-get install nginx)")
    assert nginx is not None
    port = free_port()
    prefix = tmp / "nginx"
    (prefix / "logs").mkdir(parents=True)
    user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
    conf = prefix / "nginx.conf"
    conf.write_text(
        textwrap.dedent(f"""
            {user}
            daemon off;
            worker_processes 1;
            pid {prefix}/nginx.pid;
            error_log {prefix}/logs/error.log warn;
            events {{ worker_connections 1024; }}
            http {{
                access_log off;
                client_body_temp_path {prefix}/body;
                proxy_temp_path {prefix}/proxy;
                fastcgi_temp_path {prefix}/fastcgi;
                uwsgi_temp_path {prefix}/uwsgi;
                scgi_temp_path {prefix}/scgi;
            """)
        + NGINX.format(a=a, b=b, port=port)
        + "}\n"
    )
    process = subprocess.Popen([nginx, "-p", str(prefix), "-c", str(conf)])
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return requests.get(f"{base}/healthz", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    wait_for(up, 20, "nginx")
    return process, base


def notice_ids(base: str, token: str) -> set[int]:
    answer = requests.get(
        f"{base}/api/v1/player/playlist", headers={"Authorization": f"Bearer {token}"}, timeout=5
    )
    assert answer.status_code == 200, answer.text
    return {item["notice_id"] for item in answer.json()["items"]}


def test_two_hosts_behind_nginx(app, database_url, db_session, tmp_path):
    env = dict(os.environ) | {
        "SIGNAGE_DATABASE_URL": database_url,
        "SIGNAGE_SECRET_KEY": "two-hosts",
        "SIGNAGE_SIGNING_KEY_FILE": str(tmp_path / "shared" / "signing-key.pem"),
        **FAST,
    }
    signage = Signage(env | {"SIGNAGE_DATA_DIR": str(tmp_path / "a")})
    author, reviewer, supervisor = signage.staff("author", "reviewer", "supervisor").values()
    token = signage.last_line(
        "screen", "add", "hall", "--name", "大厅", "--size", "128x32", "--scroll-cpm", "255"
    )
    a, b = Host(env, tmp_path, "a"), Host(env, tmp_path, "b")
    system = System(database_url, tmp_path)
    nginx = None
    try:
        a.start()
        b.start()
        nginx, front = start_nginx(tmp_path, a.port, b.port)
        before = notice_ids(b.base, token)
        # A change through one host is seen through the other within the check interval.
        system.base = a.base
        first, _ = publish(system, author, reviewer, "经由甲机发布", seconds=3600)
        changed = time.monotonic()
        wait_for(lambda: first in notice_ids(b.base, token), 5, "host b to see the change")
        assert time.monotonic() - changed < 2.0  # the interval is 0.2 s here; slack for CI
        assert first not in before
        # A player through nginx; then host a dies as a whole.
        token_file = tmp_path / "hall.token"
        token_file.write_text(token)
        system.base = front
        system.start_player(token_file)
        wait_for(lambda: system.spool()[2] >= 2, 30, "the player to show something")
        a.kill()
        # nginx takes host a out at the first request that finds it gone: the player's next
        # poll (a GET, which it then sends on to host b). A POST that is the first to meet it
        # on a kept-alive connection gets 502 once, as the README says (nginx does not send a
        # POST twice), so the pages are tried from then on.
        wait_for(
            lambda: "temporarily disabled" in (tmp_path / "nginx/logs/error.log").read_text(),
            10,
            "nginx to take the dead host out",
        )
        second, _ = publish(system, author, reviewer, "甲机停机后发布", seconds=3600)
        wait_for(lambda: second in notice_ids(front, token), 10, "the change through nginx")
        shown = system.spool()[2]
        wait_for(lambda: system.spool()[2] >= shown + 2, 30, "the player to go on")
        wait_for(lambda: system.spool()[0] == 0, 40, "its events to be uploaded")
        # The pages and the staff API answer through the host left.
        assert requests.get(f"{front}/login", timeout=5).status_code == 200
        log = requests.get(f"{front}/api/v1/display-events", headers=supervisor, timeout=10)
        assert log.status_code == 200 and log.json()["items"]
        system.stop_player()
        exactly_once(db_session, system)
    finally:
        system.close()
        a.kill()
        b.kill()
        if nginx is not None:
            nginx.terminate()
            nginx.wait(timeout=10)
