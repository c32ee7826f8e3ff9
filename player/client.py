"""Talk to the controller: the player protocol of DESIGN, over an injected ``requests.Session``."""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
from dataclasses import dataclass
from typing import Any

import requests

from player.clock import ServerClock
from player.errors import Busy, ControllerError, Unreachable
from playlists.events import DisplayEvent, EventsAnswer
from playlists.evidence import SignedHead
from playlists.heartbeat import Heartbeat, HeartbeatAnswer
from playlists.signing import HEADER, KeyChain

LONGEST_WAIT_S = 3600.0  # a Retry-After beyond this is taken as this


def retry_after_s(response: requests.Response) -> float | None:
    """The seconds a 503 or 429 answer's ``Retry-After`` asks for (delay-seconds, or an
    HTTP date), or None when the answer is not one or has no such header."""
    if response.status_code not in (429, 503):
        return None
    raw = response.headers.get("Retry-After", "").strip()
    if raw.isdigit():
        return min(float(raw), LONGEST_WAIT_S)
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    wait = (when - dt.datetime.now(dt.UTC)).total_seconds()
    return min(max(wait, 0.0), LONGEST_WAIT_S)


@dataclass(frozen=True)
class Fetched:
    status: int  # 200 or 304
    body: bytes | None
    etag: str | None
    signature: str | None  # the Signage-Signature header


class ControllerClient:
    """The controller's player API for one screen.

    ``session`` is injected so tests can pass one whose adapters answer without a network.
    Connection failures, timeouts and 5xx answers raise :class:`Unreachable` (worth retrying),
    503 and 429 answers with ``Retry-After`` its :class:`Busy` (retry then); other error
    answers raise :class:`ControllerError`.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        clock: ServerClock,
        session: requests.Session | None = None,
        timeout_s: float = 15.0,
    ) -> None:
        self.base = base_url.rstrip("/") + "/api/v1"
        self.root = base_url.rstrip("/")
        self.session = session or requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.session.headers["User-Agent"] = "signage-player"
        self.clock = clock
        self.timeout = timeout_s

    def _request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        sent = self.clock.local()
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise Unreachable(f"{method} {url}: {exc.__class__.__name__}") from None
        received = self.clock.local()
        date = response.headers.get("Date")
        if date:
            with contextlib.suppress(TypeError, ValueError):
                self.clock.observe_date_header(email.utils.parsedate_to_datetime(date), received)
        response.sent_at, response.received_at = sent, received  # type: ignore[attr-defined]
        wait = retry_after_s(response)
        if wait is not None:
            raise Busy(
                f"{method} {url}: HTTP {response.status_code}, asked to come back in {wait:.0f} s",
                response.status_code,
                wait,
            )
        if response.status_code >= 500:
            raise Unreachable(f"{method} {url}: HTTP {response.status_code}")
        if response.status_code >= 400:
            raise ControllerError(
                f"{method} {url}: HTTP {response.status_code} {response.text[:300]}",
                response.status_code,
            )
        return response

    def playlist(self, etag: str | None) -> Fetched:
        """Fetch the playlist: 200 with its body, ETag and signature, or 304."""
        headers = {"If-None-Match": etag} if etag else {}
        response = self._request("GET", f"{self.base}/player/playlist", headers=headers)
        new_etag = response.headers.get("ETag", etag)
        if response.status_code == 304:
            return Fetched(304, None, new_etag, None)
        return Fetched(200, response.content, new_etag, response.headers.get(HEADER))

    def keys(self) -> KeyChain:
        """The controller's keys and the statements of its rotations (``GET /keys``)."""
        answer: KeyChain = self._request("GET", f"{self.base}/keys").json()
        return answer

    def media(self, url: str) -> bytes:
        """Fetch a media blob by the URL the playlist gives (relative to the controller)."""
        full = url if url.startswith("http") else f"{self.root}{url}"
        return self._request("GET", full).content

    def register_key(self, public_key: str) -> None:
        """Register the player's own public key (base64url) for its screen."""
        self._request("POST", f"{self.base}/player/key", json={"public_key": public_key})

    def post_events(self, events: list[DisplayEvent], head: SignedHead) -> EventsAnswer:
        body = {"events": events, "head": head}
        response = self._request("POST", f"{self.base}/player/events", json=body)
        answer: EventsAnswer = response.json()
        return answer

    def heartbeat(self, status: Heartbeat) -> HeartbeatAnswer:
        response = self._request("POST", f"{self.base}/player/heartbeat", json=status.to_dict())
        answer: HeartbeatAnswer = response.json()
        try:
            server = dt.datetime.fromisoformat(answer["server_time"])
            self.clock.observe(server, response.sent_at, response.received_at)  # type: ignore[attr-defined]
        except (KeyError, ValueError, TypeError):
            pass
        return answer

    def screenshot(self, png: bytes) -> None:
        self._request(
            "PUT", f"{self.base}/player/screenshot", data=png, headers={"Content-Type": "image/png"}
        )
