"""Benchmark: unchanged-playlist polls per second, beside a bare Flask 304 route.

    .venv/bin/python -m bench.poll [--seconds 10] [--connections 16] [--workers 1] [--threads 8]

Starts two servers one after the other with the same server and process model (``signage
serve``'s Waitress, ``--workers`` processes of ``--threads`` threads): the controller with a
screen whose playlist is cached, answering ``GET /api/v1/player/playlist`` with ``If-None-Match``
(304), and a bare Flask app whose only route returns a constant 304. Load comes from ``wrk``
(Debian package ``wrk``); without it, from a Python client, which is slower than the servers and
makes the ratio meaningless (the script says so). Prints both rates and their ratio; the target
is a ratio of at least 0.8.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.request
from pathlib import Path

BARE_APP = textwrap.dedent("""
    from flask import Flask, Response
    app = Flask("bare")

    @app.get("/api/v1/player/playlist")
    def playlist():
        return Response(status=304, headers={"ETag": '"x"', "Cache-Control": "no-cache"})
""")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(url: str, headers: dict[str, str], process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}")
        try:
            urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=1)
            return
        except urllib.error.HTTPError:
            return  # 304 arrives as an HTTPError here: the server is up
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not come up")


def run_wrk(url: str, headers: dict[str, str], seconds: int, connections: int) -> float:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    statuses = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if statuses:
        raise SystemExit(f"wrk saw {statuses.group(1)} error responses:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]


def run_python(url: str, headers: dict[str, str], seconds: int, connections: int) -> float:
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    count = [0] * connections
    stop = time.monotonic() + seconds

    def worker(index: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port)
        while time.monotonic() < stop:
            conn.request("GET", parts.path, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 304:
                raise SystemExit(f"unexpected status {response.status}")
            count[index] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(count) / seconds


def serve(command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description="unchanged-poll throughput beside bare Flask")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    load = run_wrk if shutil.which("wrk") else run_python
    tmp = Path(tempfile.mkdtemp())
    env = dict(os.environ, SIGNAGE_DATA_DIR=str(tmp), SIGNAGE_SCHEDULER="false")
    signage = [sys.executable, "-m", "signage"]
    subprocess.run([*signage, "init"], env=env, check=True, capture_output=True)
    subprocess.run([*signage, "demo"], env=env, check=True, capture_output=True)
    token = (
        subprocess.run(
            [
                *signage,
                "screen",
                "add",
                "bench-screen",
                "--name",
                "bench",
                "--size",
                "192x32",
                "--group",
                "县政府大楼",
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    (tmp / "bare_app.py").write_text(BARE_APP)
    results = {}
    model = ["--workers", str(args.workers), "--threads", str(args.threads)]
    for name in ("bare Flask 304", "signage unchanged poll"):
        port = free_port()
        url = f"http://127.0.0.1:{port}/api/v1/player/playlist"
        if name.startswith("bare"):
            process = serve(
                [*signage, "serve-app", "bare_app:app", "--port", str(port), *model],
                env | {"PYTHONPATH": str(tmp)},
            )
            headers = {"If-None-Match": '"x"'}
            wait_up(url, headers, process)
        else:
            process = serve([*signage, "serve", "--port", str(port), *model], env)
            auth = {"Authorization": f"Bearer {token}"}
            wait_up(url, auth, process)
            with urllib.request.urlopen(urllib.request.Request(url, headers=auth)) as r:
                headers = auth | {"If-None-Match": r.headers["ETag"]}
        try:
            run_python(url, headers, 1, 2)  # warm up
            results[name] = load(url, headers, args.seconds, args.connections)
        finally:
            process.terminate()
            process.wait(timeout=10)
    shutil.rmtree(tmp, ignore_errors=True)
    bare, ours = results["bare Flask 304"], results["signage unchanged poll"]
    print(
        f"poll benchmark: Waitress, {args.workers} worker process(es) × {args.threads} threads, "
        f"{args.connections} connections, {args.seconds} s each, load from "
        f"{'wrk' if load is run_wrk else 'a Python client (install wrk for real figures)'}"
    )
    print(f"{'server':<24} {'requests/s':>11}")
    print(f"{'bare Flask 304':<24} {bare:>11.0f}")
    print(f"{'signage unchanged poll':<24} {ours:>11.0f}")
    print(
        f"{'ratio':<24} {ours / bare:>11.2f}   (target ≥ 0.80: "
        f"{'met' if ours / bare >= 0.8 else 'MISSED'})"
    )


if __name__ == "__main__":
    main()
