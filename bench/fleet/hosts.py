"""The servers the fleet benchmark runs: one ``signage serve``, or several on one PostgreSQL
database behind nginx, as several controller hosts are deployed (see the README's
"Several hosts"): each its own data folder, all with the same secret key and playlist signing
key, and nginx in front with the README's upstream configuration."""

from __future__ import annotations

import contextlib
import getpass
import os
import shutil
import signal
import socket
import subprocess
import textwrap
import time
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path

# The README's upstream block, with room for a fleet's connections.
NGINX = """
    upstream signage {{
        {servers}
        keepalive 256;
    }}
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        client_max_body_size 25m;
        keepalive_timeout 75s;
        keepalive_requests 100000;
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_up(url: str, alive: Callable[[], bool], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive():
            raise SystemExit(f"the server behind {url} exited")
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"{url} did not come up")


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds of a process and all its live descendants (gunicorn's master and workers,
    under faketime too), from /proc."""
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        child = int(stat.parent.name)
        parents[child] = int(fields[1])
        cpu[child] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    tree = {pid}
    grew = True
    while grew:
        grew = False
        for child, parent in parents.items():
            if parent in tree and child not in tree:
                tree.add(child)
                grew = True
    return sum(cpu.get(p, 0.0) for p in tree)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a process group: SIGTERM, then SIGKILL after 15 s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=15)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=15)


class Hosts:
    """``count`` controller hosts (``command(port)`` each), behind nginx when more than one."""

    def __init__(
        self, count: int, command: Callable[[int], list[str]], env: dict[str, str], tmp: Path
    ) -> None:
        self.command = command
        self.tmp = tmp
        self.ports = [free_port() for _ in range(count)]
        data = Path(env["SIGNAGE_DATA_DIR"])
        shared = {
            "SIGNAGE_SIGNING_KEY_FILE": str(data / "signing-key.pem"),
            "SIGNAGE_SECRET_KEY": (data / "secret_key").read_text().strip(),
        }
        self.envs = [
            env | shared | {"SIGNAGE_DATA_DIR": str(data / f"host-{i}")} for i in range(1, count)
        ]
        self.envs.insert(0, env | shared)
        self.processes: list[subprocess.Popen[bytes]] = []
        self.cpu_s = 0.0
        self.nginx: subprocess.Popen[bytes] | None = None
        self.port = self.ports[0] if count == 1 else self._start_nginx()

    def start(self, prefix: Sequence[str] = ()) -> None:
        """Start every host (``prefix``: a command to run each under, such as faketime)."""
        for i, (port, env) in enumerate(zip(self.ports, self.envs, strict=True)):
            with (self.tmp / f"serve-{i}.log").open("ab") as log:
                self.processes.append(
                    subprocess.Popen(
                        [*prefix, *self.command(port)],
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,  # stopped as a whole: faketime, gunicorn
                    )
                )
        for port, process in zip(self.ports, self.processes, strict=True):
            wait_up(f"http://127.0.0.1:{port}/readyz", lambda p=process: p.poll() is None)

    def stop(self) -> None:
        """Stop every host, adding up the CPU time their processes took."""
        self.cpu_s += sum(tree_cpu_seconds(p.pid) for p in self.processes)
        for process in self.processes:
            stop(process)
        self.processes = []

    def close(self) -> None:
        self.stop()
        if self.nginx is not None:
            stop(self.nginx)
            self.nginx = None

    def _start_nginx(self) -> int:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(nginx).exists():
            raise SystemExit("several hosts need nginx (apt-get install nginx)")
        port = free_port()
        prefix = self.tmp / "nginx"
        (prefix / "logs").mkdir(parents=True)
        user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
        servers = "\n        ".join(
            f"server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in self.ports
        )
        conf = prefix / "nginx.conf"
        conf.write_text(
            textwrap.dedent(f"""
                {user}
                daemon off;
                worker_processes 1;
                worker_rlimit_nofile 20000;
                pid {prefix}/nginx.pid;
                error_log {prefix}/logs/error.log warn;
                events {{ worker_connections 16384; }}
                http {{
                    access_log off;
                    client_body_temp_path {prefix}/body;
                    proxy_temp_path {prefix}/proxy;
                    fastcgi_temp_path {prefix}/fastcgi;
                    uwsgi_temp_path {prefix}/uwsgi;
                    scgi_temp_path {prefix}/scgi;
                """)
            + NGINX.format(servers=servers, port=port)
            + "}\n"
        )
        self.nginx = subprocess.Popen(
            [nginx, "-p", str(prefix), "-c", str(conf)], start_new_session=True
        )
        return port

    def cpu(self) -> float:
        """CPU seconds of the hosts stopped so far and of those running now (not nginx)."""
        return self.cpu_s + sum(tree_cpu_seconds(p.pid) for p in self.processes)

    def nginx_cpu(self) -> float:
        return tree_cpu_seconds(self.nginx.pid) if self.nginx is not None else 0.0
