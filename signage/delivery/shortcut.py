"""Answer a playlist poll from the cache before Flask sees it.

Most of a signage controller's traffic is players asking "has my playlist changed?" and being
told "no" (304). When the screen's token and its playlist for this hour are in the cache, that
answer needs no request context, no session, no routing and no database, so this WSGI middleware
gives it straight away. So does the first poll after a change, once the background thread has
compiled the new playlist (:mod:`signage.delivery.warm`): the body, its signature and the record
of its sending are :func:`signage.delivery.sending.answer_poll`'s, as on the Flask route. After
a change aimed at every screen (a blackout, a takeover) thousands of screens fetch their new
playlist within a second, and each costs a fraction of a full request. Anything else (a token
or playlist not yet cached, any other path, a record that could not be written) goes to the
Flask app unchanged, which then fills the cache or answers the error.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from signage.clock import utcnow
from signage.delivery.cache import PlaylistCache
from signage.delivery.sending import answer_poll
from signage.metrics import count_request
from signage.writer import GroupWriter

PLAYLIST_PATH = "/api/v1/player/playlist"
STATUS = {200: "200 OK", 304: "304 NOT MODIFIED"}
log = logging.getLogger(__name__)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class PollShortcut:
    def __init__(
        self,
        app: WSGIApp,
        cache: PlaylistCache,
        writer: GroupWriter,
        headers: Sequence[tuple[str, str]] = (),
    ) -> None:
        self.app = app
        self.cache = cache
        self.writer = writer
        self.headers = list(headers)  # the security headers every answer with a body carries

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != PLAYLIST_PATH or environ.get("REQUEST_METHOD") != "GET":
            return self.app(environ, start_response)
        scheme, _, token = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
        if not token or scheme.lower() != "bearer":
            return self.app(environ, start_response)
        started = time.perf_counter()
        at = utcnow()
        cached = self.cache.peek(token.strip(), at)
        if cached is None:
            return self.app(environ, start_response)
        try:
            sent = answer_poll(cached, environ.get("HTTP_IF_NONE_MATCH"), self.writer, at)
        except Exception:  # the record was not written: the full path tries and says why
            log.warning("recording a playlist sent to screen %s failed", cached.screen_id)
            return self.app(environ, start_response)
        headers = sent.headers
        if sent.status == 200:
            headers = [
                *headers,
                ("Content-Type", "application/json; charset=utf-8"),
                ("Content-Length", str(len(sent.body))),
                *self.headers,
            ]
        start_response(STATUS[sent.status], headers)
        count_request(PLAYLIST_PATH, "GET", sent.status, time.perf_counter() - started)
        return [sent.body] if sent.body else []
