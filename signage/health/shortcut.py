"""Answer a player's heartbeat before Flask sees it.

After the unchanged poll (:mod:`signage.delivery.shortcut`), heartbeats are the commonest
request a fleet sends: 10,000 screens send 333 a second. For one from a screen whose token
is in the playlist cache, with a JSON body that is a valid heartbeat, this WSGI middleware does
what the route does (the same validation, the same write by
:func:`signage.health.services.store_heartbeat`, the same answer by
:func:`signage.health.services.heartbeat_answer`) without a request context, routing,
rate-limit bookkeeping or a session. Anything else
(another path, a token not cached, a body the validation refuses, any other content type)
goes to the Flask app with the body it sent, which then answers as always, errors included.
"""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from playlists.heartbeat import HEARTBEAT
from signage.clock import utcnow
from signage.delivery.cache import PlaylistCache
from signage.health.services import heartbeat_answer, store_heartbeat
from signage.metrics import count_request
from signage.writer import GroupWriter

log = logging.getLogger(__name__)

HEARTBEAT_PATH = "/api/v1/player/heartbeat"
LARGEST_BODY = 64 * 1024  # a heartbeat is a few hundred bytes; larger ones take the long way

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class HeartbeatShortcut:
    def __init__(
        self,
        app: WSGIApp,
        cache: PlaylistCache,
        writer: GroupWriter,
        config: Mapping[str, Any],
        headers: Sequence[tuple[str, str]] = (),
    ) -> None:
        self.app = app
        self.cache = cache
        self.writer = writer
        self.config = config
        self.headers = list(headers)

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != HEARTBEAT_PATH or environ.get("REQUEST_METHOD") != "POST":
            return self.app(environ, start_response)
        started = time.perf_counter()
        scheme, _, token = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
        kind = environ.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()
        length = environ.get("CONTENT_LENGTH", "")
        if scheme.lower() != "bearer" or kind != "application/json" or not length.isdigit():
            return self.app(environ, start_response)
        screen_id = self.cache.known_screen(token.strip())
        if screen_id is None or not 0 < int(length) <= LARGEST_BODY:
            return self.app(environ, start_response)
        body = environ["wsgi.input"].read(int(length))
        try:
            beat = HEARTBEAT.validate_json(body)
        except ValidationError:
            environ["wsgi.input"] = io.BytesIO(body)  # the route reads it again, and says why
            return self.app(environ, start_response)
        at = utcnow()
        try:
            recorded = store_heartbeat(self.writer, screen_id, beat, at)
        except Exception:
            # As the route answers a database that is locked or gone: nothing was written, and
            # the player sends its next heartbeat anyway.
            log.exception("a heartbeat could not be stored")
            busy = {"code": "unavailable", "message": "the database is busy; try again"}
            return self._answer(start_response, started, 503, {"error": busy})
        answer = heartbeat_answer(self.config, at, recorded)
        return self._answer(start_response, started, 200, answer)

    def _answer(
        self, start_response: Callable[..., Any], started: float, status: int, body: object
    ) -> list[bytes]:
        data = (json.dumps(body, separators=(",", ":")) + "\n").encode()
        start_response(
            "200 OK" if status == 200 else "503 SERVICE UNAVAILABLE",
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(data))),
                *self.headers,
            ],
        )
        count_request(HEARTBEAT_PATH, "POST", status, time.perf_counter() - started)
        return [data]
