"""Simulated players for the fleet benchmark: one process drives its share of the screens.

    python -m bench.fleet.players SPEC PART PARTS OUT

Each simulated player does what ``signage-player`` does on the wire, at its rates: it polls
its playlist (``If-None-Match``, every ``poll_s``), sends a heartbeat (every ``heartbeat_s``)
and uploads its display events (every ``upload_s``: one event per item it would have shown
since its last upload, back to back, chained and under a head signed with its own key, naming
the playlist it played from). Players start at random phases. Requests go over a pool of
keep-alive HTTP/1.1 connections written with asyncio streams (no HTTP library: the client must
cost less than the server). Every request's start, endpoint, status and latency is kept; so is
how late each was sent against its schedule (the generator's own lag, which says whether it
kept up), the first time each player saw the watched notice, and this process's CPU time.

Events wait in each player's own list until the controller takes them, as in a player's spool:
an upload that fails (the controller down) is tried again as soon as a poll gets an answer, a
``503`` with ``Retry-After`` when it says (plus up to a second of jitter), and a player with more
than a batch waiting sends the next batch at once. For an outage (``spec["outage"]``) the
players' clock jumps ``shift_s`` ahead when the controller goes down, as if that long had
passed: they have shown their items all that while, and come back with the backlog.
"""

from __future__ import annotations

import asyncio
import calendar
import hashlib
import heapq
import itertools
import json
import random
import resource
import sys
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from playlists.evidence import GENESIS, event_hash, sign_head
from playlists.signing import SigningKey

PLAYLIST, HEARTBEAT, EVENTS = "playlist", "heartbeat", "events"
BATCH = 500  # events per upload, as the player sends them
PATHS = {
    PLAYLIST: "/api/v1/player/playlist",
    HEARTBEAT: "/api/v1/player/heartbeat",
    EVENTS: "/api/v1/player/events",
}


def player_key(seed: str, index: int) -> SigningKey:
    """The signing key of simulated player ``index`` (the set-up registers its public half)."""
    raw = hashlib.sha256(f"{seed}:{index}".encode()).digest()
    return SigningKey(Ed25519PrivateKey.from_private_bytes(raw))


@dataclass
class Player:
    index: int
    token: str
    key: SigningKey
    etag: str | None = None
    items: list[dict[str, Any]] = field(default_factory=list)
    history: list[tuple[float, str, list[dict[str, Any]]]] = field(default_factory=list)
    seq: int = 0
    prev: str = GENESIS
    shown_until: float = 0.0
    item_cursor: int = 0
    saw_watched: float | None = None
    pending: list[dict[str, Any]] = field(default_factory=list)
    uploading: bool = False
    failed: bool = False  # the last upload could not reach the controller
    retry_at: float = 0.0  # paced: not before this
    drained_at: float | None = None  # when its list first became empty after an outage


class Connections:
    """A pool of keep-alive connections to one server."""

    def __init__(self, host: str, port: int, size: int) -> None:
        self.host, self.port = host, port
        self._free: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter] | None] = (
            asyncio.Queue()
        )
        for _ in range(size):
            self._free.put_nowait(None)

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes = b""
    ) -> tuple[int, dict[str, str], bytes]:
        conn = await self._free.get()
        try:
            if conn is None:
                conn = await asyncio.open_connection(self.host, self.port)
            reader, writer = conn
            lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
            lines += [f"{k}: {v}" for k, v in headers.items()]
            if body or method != "GET":
                lines.append(f"Content-Length: {len(body)}")
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
            head = await reader.readuntil(b"\r\n\r\n")
            status_line, *header_lines = head.decode("latin-1").split("\r\n")
            status = int(status_line.split(" ", 2)[1])
            answer = {}
            for line in header_lines:
                if line:
                    name, _, value = line.partition(":")
                    answer[name.strip().lower()] = value.strip()
            length = int(answer.get("content-length", "0"))
            data = await reader.readexactly(length) if length else b""
            if answer.get("connection", "").lower() == "close":
                writer.close()
                conn = None
            return status, answer, data
        except BaseException:
            if conn is not None:
                conn[1].close()
            conn = None
            raise
        finally:
            self._free.put_nowait(conn)


def events_since(player: Player, now: float) -> list[dict[str, Any]]:
    """The displays the player would have shown since its last upload, each item for its
    ``play_ms``, back to back, from the playlist it had when each began."""
    events = []
    at = max(player.shown_until, player.history[0][0] if player.history else now)
    while True:
        current = [h for h in player.history if h[0] <= at]
        if not current:
            break
        _, etag, items = current[-1]
        showable = [i for i in items if any(s <= at < e for s, e in i["windows_s"])]
        if not showable:
            break
        item = showable[player.item_cursor % len(showable)]
        length = item["play_ms"] / 1000
        if at + length > now - 1:
            break
        player.seq += 1
        player.item_cursor += 1
        event = {
            "id": str(uuid.uuid4()),
            "seq": player.seq,
            "item_id": item["id"],
            "notice_id": item["notice_id"],
            "revision": item["revision"],
            "content_sha256": item["content_sha256"],
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(at))
            + f".{int(at * 1000) % 1000:03d}Z",
            "duration_ms": item["play_ms"],
            "outcome": "shown",
            "playlist_etag": etag.strip('"'),
            "prev": player.prev,
        }
        player.prev = event_hash(event)
        events.append(event)
        at += length
    player.shown_until = at
    keep = [h for h in player.history if h[0] <= at]
    player.history = keep[-1:] + [h for h in player.history if h[0] > at]
    return events


def parse_time(text: str) -> float:
    """Seconds since the epoch of a playlist's UTC time (``2026-12-03T07:00:00Z``)."""
    return float(calendar.timegm(time.strptime(text[:19], "%Y-%m-%dT%H:%M:%S")))


class Fleet:
    def __init__(self, spec: dict[str, Any], part: int, parts: int) -> None:
        self.spec = spec
        self.watch = spec.get("watch_notice")
        self.watch_blackout = spec.get("watch") == "blackout"
        self.connections = Connections(spec["host"], spec["port"], spec["connections"])
        tokens = spec["tokens"]
        self.players = [
            Player(i, tokens[i], player_key(spec["seed"], i))
            for i in range(part, len(tokens), parts)
        ]
        self.samples: list[tuple[float, str, int, float]] = []  # start, endpoint, status, ms
        self.lags: list[float] = []
        self.errors: dict[str, int] = {}
        self.inflight: set[asyncio.Task[None]] = set()
        self.jitter = random.Random(spec["seed"] + f"-{part}")
        self.accepted = self.duplicates = self.rejected = self.paced = 0

    def vnow(self) -> float:
        """The players' clock: the real one, jumped ahead by the outage once it began."""
        now = time.time()
        outage = self.spec.get("outage")
        return now + outage["shift_s"] if outage and now >= outage["at"] else now

    def spawn(self, player: Player, kind: str, delay: float = 0.0) -> None:
        def start() -> None:
            task = asyncio.create_task(self.act(player, kind))
            self.inflight.add(task)
            task.add_done_callback(self.inflight.discard)

        asyncio.get_running_loop().call_later(delay, start)

    async def act(self, player: Player, kind: str) -> None:
        headers = {"Authorization": f"Bearer {player.token}"}
        body = b""
        batch: list[dict[str, Any]] = []
        if kind == PLAYLIST and player.etag:
            headers["If-None-Match"] = player.etag
        elif kind == HEARTBEAT:
            headers["Content-Type"] = "application/json"
            body = json.dumps(
                {"version": "bench", "playlist_etag": (player.etag or "").strip('"')}
            ).encode()
        elif kind == EVENTS:
            if player.uploading:
                return
            player.pending.extend(events_since(player, self.vnow()))
            if not player.pending or time.time() < player.retry_at:
                return
            batch = player.pending[:BATCH]
            head = sign_head(player.key, batch[-1]["seq"], event_hash(batch[-1]))
            headers["Content-Type"] = "application/json"
            body = json.dumps({"events": batch, "head": head}).encode()
            player.uploading = True
        method = "GET" if kind == PLAYLIST else "POST"
        started = time.time()
        t0 = time.perf_counter()
        try:
            status, answer, data = await self.connections.request(
                method, PATHS[kind], headers, body
            )
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            name = f"{kind}: {type(exc).__name__}"
            self.errors[name] = self.errors.get(name, 0) + 1
            if kind == EVENTS:
                player.uploading, player.failed = False, True
            return
        self.samples.append((started, kind, status, (time.perf_counter() - t0) * 1000))
        if kind == PLAYLIST and status in (200, 304):
            if status == 200:
                self.take_playlist(player, answer.get("etag"), data)
            if player.failed:  # the uploader is woken by the poll that gets an answer
                player.failed = False
                self.spawn(player, EVENTS)
        elif kind == EVENTS:
            player.uploading = False
            self.settle(player, batch, status, answer, data)

    def settle(self, player: Player, batch, status, answer, data) -> None:  # type: ignore[no-untyped-def]
        if status == 200:
            result = json.loads(data)
            self.accepted += len(result["accepted"])
            self.duplicates += len(result["duplicates"])
            self.rejected += len(result["rejected"])
            del player.pending[: len(batch)]
            outage = self.spec.get("outage")
            if player.pending:
                self.spawn(player, EVENTS)
            elif outage and player.drained_at is None and time.time() >= outage["at"]:
                player.drained_at = time.time()  # its backlog is stored
        elif status == 503 and "retry-after" in answer:
            self.paced += 1
            wait = float(answer["retry-after"]) + self.jitter.uniform(0, 1)
            player.retry_at = time.time() + wait
            self.spawn(player, EVENTS, wait)
        else:
            player.failed = True

    def take_playlist(self, player: Player, etag: str | None, data: bytes) -> None:
        document = json.loads(data)
        items = [
            {
                **{k: i[k] for k in ("id", "notice_id", "revision", "content_sha256")},
                "play_ms": i["play_ms"],
                "windows_s": [(parse_time(s), parse_time(e)) for s, e in i["windows"]],
            }
            for i in document["items"]
        ]
        now = self.vnow()
        player.etag = etag
        player.history.append((now, etag or "", items))
        if player.shown_until == 0:
            player.shown_until = now
        if player.saw_watched is None and (
            "blackout" in document
            if self.watch_blackout
            else any(i["notice_id"] == self.watch for i in items)
        ):
            player.saw_watched = now

    async def run(self) -> None:
        spec = self.spec
        rng = random.Random(spec["seed"] + str(self.players[0].index if self.players else 0))
        start, stop = spec["start_at"], spec["start_at"] + spec["seconds"]
        rates = {PLAYLIST: spec["poll_s"], HEARTBEAT: spec["heartbeat_s"], EVENTS: spec["upload_s"]}
        order = itertools.count()
        due: list[tuple[float, int, Player, str]] = []
        for player in self.players:
            for kind, every in rates.items():
                # The first poll at once after a start (a player retrying), the rest in phase.
                first = start + rng.uniform(0, every if kind != PLAYLIST else spec["poll_s"])
                heapq.heappush(due, (first, next(order), player, kind))
        while due:
            at, _, player, kind = heapq.heappop(due)
            if at >= stop:
                continue
            delay = at - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            self.lags.append(max(0.0, time.time() - at) * 1000)
            self.spawn(player, kind)
            heapq.heappush(due, (at + rates[kind], next(order), player, kind))
        await asyncio.sleep(0.1)  # the tasks spawned last start
        if self.inflight:
            await asyncio.wait(self.inflight, timeout=30)


def main() -> None:
    spec_path, part, parts, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    with open(spec_path) as f:
        spec = json.load(f)
    fleet = Fleet(spec, part, parts)
    asyncio.run(fleet.run())
    usage = resource.getrusage(resource.RUSAGE_SELF)
    with open(out, "w") as f:
        json.dump(
            {
                "samples": fleet.samples,
                "lags_ms": fleet.lags,
                "errors": fleet.errors,
                "saw_watched": [p.saw_watched for p in fleet.players],
                "cpu_s": usage.ru_utime + usage.ru_stime,
                "events_sent": sum(p.seq for p in fleet.players),
                "accepted": fleet.accepted,
                "duplicates": fleet.duplicates,
                "rejected": fleet.rejected,
                "paced": fleet.paced,
                "pending_left": sum(len(p.pending) for p in fleet.players),
                "players_waiting": sum(1 for p in fleet.players if p.pending),
                "drained_at": [p.drained_at for p in fleet.players],
            },
            f,
        )


if __name__ == "__main__":
    main()
