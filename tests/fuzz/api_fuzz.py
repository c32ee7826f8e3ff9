"""Fuzz the API against its own OpenAPI document with schemathesis, on a real ``signage serve``.

    python -m tests.fuzz.api_fuzz [--max-examples N] [--database-url URL]

Sets up a controller in a fresh data folder with the sample data (``signage init``,
``signage demo``), starts ``signage serve`` on 127.0.0.1, and runs schemathesis with every check
on: once with a staff token for each role (author, reviewer, supervisor, admin) over the staff
API, once with a screen's token over the player API. Exits non-zero on any failure and prints
the number of test cases each run made.

The settings (``tests/fuzz/schemathesis.toml``) say what the document cannot: the requests that
are well formed but refused for what the database holds (an unknown screen, a notice in the
wrong state), with 422 or 409. Rate limits are off on this server: the fuzzer is one client
sending thousands of requests, and the limits have their own tests.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
CONFIG = HERE / "schemathesis.toml"
# The staff API, without the player's endpoints (they take a screen's token).
STAFF = ["--exclude-path-regex", "^/player/"]
SCREEN = ["--include-path-regex", "^/player/"]


@dataclass(frozen=True)
class Run:
    name: str
    token: str
    spare_token_id: int  # a token of the same user the run may revoke
    filters: list[str]


def signage(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [str(BIN / "signage"), *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"signage {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def issue_token(env: dict[str, str], username: str) -> tuple[int, str]:
    """A new API token for ``username``: its id and its text."""
    out = signage(env, "token", "create", username)
    found = re.search(r"^token (\d+) ", out, re.MULTILINE)
    if found is None:
        raise SystemExit(f"cannot read the token id from:\n{out}")
    return int(found.group(1)), out.strip().splitlines()[-1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_for(url: str, server: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"signage serve exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {seconds} s")


def prepare(env: dict[str, str]) -> list[Run]:
    """Sample data, the fuzz's own targets, and a token for each run."""
    signage(env, "init")
    signage(env, "demo")
    # Things the runs may change freely: a user to edit, a screen whose token may be rotated.
    signage(env, "user", "add", "fuzz.admin", "--role", "admin")
    signage(env, "user", "add", "fuzz.target", "--role", "author")
    signage(env, "screen", "add", "fuzz-screen", "--name", "试验屏", "--size", "64x32")
    runs = []
    for role, username in (
        ("author", "zhang.min"),
        ("reviewer", "li.hua"),
        ("supervisor", "wang.fang"),
        ("admin", "fuzz.admin"),
    ):
        _, token = issue_token(env, username)
        spare, _ = issue_token(env, username)
        runs.append(Run(role, token, spare, STAFF))
    screen_token = signage(env, "screen", "token", "gov-lobby").strip().splitlines()[-1]
    runs.insert(0, Run("screen gov-lobby", screen_token, 0, SCREEN))
    return runs


def fuzz(base: str, run: Run, max_examples: int, seed: int, report: Path) -> tuple[int, int]:
    """Run schemathesis once; return its exit code and the number of test cases it made."""
    env = {
        **os.environ,
        "FUZZ_TOKEN_ID": str(run.spare_token_id),
        "NO_COLOR": "1",
    }
    command = [
        str(BIN / "schemathesis"),
        "--config-file",
        str(CONFIG),
        "run",
        f"{base}/api/v1/openapi.json",
        "--url",
        f"{base}/api/v1",
        "--header",
        f"Authorization: Bearer {run.token}",
        "--checks",
        "all",
        "--max-examples",
        str(max_examples),
        "--seed",
        str(seed),
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(report),
        *run.filters,
    ]
    print(f"== schemathesis: {run.name} ==", flush=True)
    code = subprocess.run(command, env=env, check=False).returncode
    return code, count_cases(report)


def count_cases(report: Path) -> int:
    """The test cases a run sent: one per request in its NDJSON report's scenarios."""
    cases = 0
    if not report.exists():
        return 0
    for line in report.read_text().splitlines():
        event = json.loads(line)
        finished = event.get("ScenarioFinished")
        if finished:
            recorder = finished.get("recorder") or {}
            cases += len(recorder.get("cases") or {})
    return cases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-examples", type=int, default=50, help="per operation and phase")
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--database-url", default="", help="default: SQLite in a temporary folder")
    parser.add_argument("--keep", action="store_true", help="keep the data folder and reports")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="signage-fuzz-"))
    env = {
        **os.environ,
        "SIGNAGE_DATA_DIR": str(data_dir),
        "SIGNAGE_DATABASE_URL": args.database_url,
        "SIGNAGE_RATE_LIMITS": "false",
    }
    runs = prepare(env)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (data_dir / "serve.log").open("wb")
    server = subprocess.Popen(
        [str(BIN / "signage"), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    results = []
    try:
        wait_for(f"{base}/api/v1/openapi.json", server)
        for n, run in enumerate(runs):
            report = data_dir / f"report-{n}.ndjson"
            code, cases = fuzz(base, run, args.max_examples, args.seed, report)
            results.append((run.name, code, cases))
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    print("\n| run | test cases | result |\n|---|---:|---|")
    for name, code, cases in results:
        print(f"| {name} | {cases} | {'passed' if code == 0 else f'FAILED ({code})'} |")
    print(f"| all | {sum(c for _, _, c in results)} | |")
    failed = any(code != 0 for _, code, _ in results)
    if failed or args.keep:
        print(f"data folder, server log and reports: {data_dir}")
    else:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
