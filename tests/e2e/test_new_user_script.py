"""The foundation as a new user meets it: the CLI and the API against a running ``signage serve``.

This starts the real server (Waitress, scheduler included) in a child process on a free port,
against the test database, and talks to it over HTTP.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from signage.audit.models import AuditEntry


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Signage:
    """Runs ``signage`` commands with the same settings as the server."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def __call__(self, *args: str, check: bool = True, stdin: str | None = None):
        result = subprocess.run(
            [sys.executable, "-m", "signage", *args],
            env=self.env,
            capture_output=True,
            text=True,
            input=stdin,
            timeout=60,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"signage {' '.join(args)} failed: {result.stderr}")
        return result

    def last_line(self, *args: str) -> str:
        return self(*args).stdout.strip().splitlines()[-1]

    def staff(self, *roles: str) -> dict[str, dict[str, str]]:
        """Initialise the database and add a user per role; return each one's auth headers."""
        self("init")
        headers = {}
        for role in roles:
            self("user", "add", f"e2e.{role}", "--role", role)
            headers[role] = bearer(self.last_line("token", "create", f"e2e.{role}"))
        return headers


@pytest.fixture
def signage(app, database_url: str, tmp_path: Path) -> Signage:
    env = dict(os.environ)
    env.update(
        {
            "SIGNAGE_DATA_DIR": str(tmp_path / "var"),
            "SIGNAGE_DATABASE_URL": database_url,
            "SIGNAGE_EXPIRE_INTERVAL_S": "1",
            "SIGNAGE_SECRET_KEY": "e2e",
        }
    )
    return Signage(env)


@pytest.fixture
def server(signage: Signage, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "signage", "serve", "--port", str(port)],
        env=signage.env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{base}/openapi.json", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(
                    "signage serve did not start: " + (tmp_path / "serve.log").read_text()
                )
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def iso(delta: dt.timedelta) -> str:
    return (
        (dt.datetime.now(dt.UTC) + delta)
        .astimezone(dt.timezone(dt.timedelta(hours=8)))
        .isoformat(timespec="seconds")
    )


def test_a_new_user_runs_the_whole_review_workflow(signage, server, db_session):
    assert "schema" in signage("init").stdout
    tokens = signage.staff("author", "reviewer", "supervisor", "admin")
    screen_token = signage.last_line(
        "screen",
        "add",
        "zwzx-hall-1",
        "--name",
        "政务服务中心大厅主屏",
        "--size",
        "384x128",
        "--group",
        "政务服务中心",
        "--hours",
        "1-5 08:30-17:30,6 09:00-12:00",
    )
    assert screen_token.startswith("sgs_")

    notice = {
        "title": "关于调整政务服务中心冬季办公时间的通知",
        "body": "自12月1日起……",
        "category": "通知公告",
        "groups": ["政务服务中心"],
        "valid_from": iso(dt.timedelta(0)),
        "valid_until": iso(dt.timedelta(days=10)),
    }
    created = requests.post(f"{server}/notices", json=notice, headers=tokens["author"])
    assert created.status_code == 201, created.text
    nid = created.json()["id"]
    assert (
        requests.post(f"{server}/notices/{nid}/submit", headers=tokens["author"]).json()["status"]
        == "submitted"
    )
    own = requests.post(
        f"{server}/notices/{nid}/approve",
        headers=tokens["author"],
        json={"confidentiality_reviewed": True, "revision": 1},
    )
    assert own.status_code == 403 and own.json()["error"]["code"] == "forbidden"
    approved = requests.post(
        f"{server}/notices/{nid}/approve",
        headers=tokens["reviewer"],
        json={"confidentiality_reviewed": True, "note": "已保密审查", "revision": 1},
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    withdrawn = requests.post(
        f"{server}/notices/{nid}/withdraw",
        headers=tokens["reviewer"],
        json={"reason": "内容需更新"},
    )
    assert withdrawn.json()["status"] == "withdrawn"

    def error(body: object | None = None, data: str | None = None):
        response = requests.post(
            f"{server}/notices",
            json=body,
            data=data,
            headers=tokens["author"] | ({"Content-Type": "application/json"} if data else {}),
        )
        assert 400 <= response.status_code < 500, response.text
        return response.json()["error"]

    assert "not valid JSON" in error(data='{"title": ')["message"]
    assert error(notice | {"valid_from": "2026-12-01T08:00:00"})["field"] == "valid_from"
    assert error(notice | {"screens": ["nowhere"]})["field"] == "screens"
    assert error(notice | {"category": "天气预报"})["field"] == "category"

    assert signage("verify-logs").returncode == 0
    db_session.execute(
        sa.update(AuditEntry).where(AuditEntry.seq == 3).values(details='{"forged":true}')
    )
    db_session.commit()
    broken = signage("verify-logs", check=False)
    assert broken.returncode == 1 and "record 3" in broken.stderr


def test_the_scheduler_in_serve_expires_notices(signage, server):
    author, reviewer = signage.staff("author", "reviewer").values()
    signage("screen", "add", "hall", "--name", "大厅", "--size", "64x16")
    ends = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=3)
    nid = requests.post(
        f"{server}/notices",
        headers=author,
        json={
            "title": "短时通知",
            "category": "通知公告",
            "screens": ["hall"],
            "valid_from": iso(dt.timedelta(0)),
            "valid_until": ends.isoformat(),
        },
    ).json()["id"]
    requests.post(f"{server}/notices/{nid}/submit", headers=author)
    requests.post(
        f"{server}/notices/{nid}/approve",
        headers=reviewer,
        json={"confidentiality_reviewed": True, "revision": 1},
    )
    deadline = time.monotonic() + 20
    status = None
    while time.monotonic() < deadline:
        status = requests.get(f"{server}/notices/{nid}", headers=author).json()["status"]
        if status == "expired":
            break
        time.sleep(0.5)
    assert status == "expired"


def test_a_screen_follows_approval_and_withdrawal(signage, server):
    author, reviewer = signage.staff("author", "reviewer").values()
    screen = bearer(
        signage.last_line(
            "screen",
            "add",
            "zwzx-hall-1",
            "--name",
            "大厅主屏",
            "--size",
            "384x128",
            "--group",
            "政务服务中心",
        )
    )
    signage("screen", "add", "gov-lobby", "--name", "大楼条屏", "--size", "192x32")
    nid = requests.post(
        f"{server}/notices",
        headers=author,
        json={
            "title": "冬季办公时间",
            "body": "自12月1日起……",
            "category": "通知公告",
            "groups": ["政务服务中心"],
            "valid_from": iso(dt.timedelta(0)),
            "valid_until": iso(dt.timedelta(days=5)),
        },
    ).json()["id"]
    requests.post(f"{server}/notices/{nid}/submit", headers=author)
    requests.post(
        f"{server}/notices/{nid}/approve",
        headers=reviewer,
        json={"confidentiality_reviewed": True, "revision": 1},
    )

    def poll_until(predicate, etag=None):
        deadline = time.monotonic() + 10
        while True:
            response = requests.get(
                f"{server}/player/playlist",
                headers=screen | ({"If-None-Match": etag} if etag else {}),
                timeout=5,
            )
            if predicate(response) or time.monotonic() > deadline:
                return response
            time.sleep(0.2)

    def notice_ids(response):
        return [item["notice_id"] for item in response.json()["items"]]

    first = poll_until(lambda r: r.status_code == 200 and notice_ids(r) == [nid])
    assert first.status_code == 200 and notice_ids(first) == [nid]
    etag = first.headers["ETag"]
    unchanged = requests.get(f"{server}/player/playlist", headers=screen | {"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.content == b""

    requests.post(f"{server}/notices/{nid}/withdraw", headers=reviewer, json={"reason": "撤回"})
    after = poll_until(lambda r: r.status_code == 200, etag)
    assert after.status_code == 200 and notice_ids(after) == []
    assert after.headers["ETag"] != etag
