"""Answer an unchanged playlist poll before Flask sees it.

Most of a signage controller's traffic is players asking "has my playlist changed?" and being
told "no" (304). When the screen's token and its playlist for this hour are in the cache, that
answer needs no request context, no session, no routing and no database, so this WSGI middleware
gives it straight away. Anything else (no ``If-None-Match``, a changed playlist, a token or
playlist not yet cached, any other path) goes to the Flask app unchanged, which then fills the
cache. Both paths use :func:`etag_matches`, so they answer alike.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from signage.clock import utcnow
from signage.delivery.cache import PlaylistCache
from signage.metrics import count_request

PLAYLIST_PATH = "/api/v1/player/playlist"

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def etag_matches(header: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (weakly, or with ``*``)."""
    if not header:
        return False
    for tag in header.split(","):
        tag = tag.strip()
        if tag == "*" or tag.removeprefix("W/") == etag:
            return True
    return False


class UnchangedPollShortcut:
    def __init__(self, app: WSGIApp, cache: PlaylistCache) -> None:
        self.app = app
        self.cache = cache

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == PLAYLIST_PATH and environ.get("REQUEST_METHOD") == "GET":
            header = environ.get("HTTP_IF_NONE_MATCH")
            scheme, _, token = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
            if header and token and scheme.lower() == "bearer":
                started = time.perf_counter()
                cached = self.cache.peek(token.strip(), utcnow())
                if cached is not None and etag_matches(header, cached.etag):
                    start_response(
                        "304 NOT MODIFIED", [("ETag", cached.etag), ("Cache-Control", "no-cache")]
                    )
                    count_request(PLAYLIST_PATH, "GET", 304, time.perf_counter() - started)
                    return []
        return self.app(environ, start_response)
