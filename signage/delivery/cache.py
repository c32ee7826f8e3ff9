"""The in-process cache of compiled playlists that makes an unchanged poll free.

A poll with the current ETag is answered from memory: the screen's token is looked up in a dict
(by its SHA-256), the compiled playlist in another, and no database session is opened. What keeps
the cache right is the playlist epoch (:mod:`signage.screens.epoch`), read at most once per
``check_interval_s`` per process: when it has moved, the screens stamped with a newer epoch are
dropped from the cache (their playlist and their token) and recompiled on their next poll. Several
controller processes, on one host or many, each keep their own cache and stay consistent through
the shared database. A compiled playlist also expires when the hour changes, so its horizon rolls
forward by itself.

Each playlist is signed once, as it is compiled (:mod:`signage.keys`): the signature is kept
with its bytes, so an unchanged poll costs no more than before.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from playlists import Playlist, canonical_bytes
from playlists.compile import horizon_start
from playlists.signing import signature_header, signed_etag
from signage.accounts.tokens import token_hash
from signage.db import Database
from signage.delivery.services import compile_served
from signage.errors import Unauthenticated
from signage.keys.services import KeyHolder
from signage.screens.epoch import current_epoch, screens_changed_since
from signage.screens.models import Screen
from signage.screens.services import screen_for_token


@dataclass(eq=False)
class CompiledPlaylist:
    """A playlist ready to send: its canonical bytes, ETag, signature (the
    ``Signage-Signature`` header), the media it may fetch, and its inputs as the served-playlist
    store keeps them (``recorded`` once this process has noted it as sent)."""

    screen_id: int
    screen_key: str
    playlist: Playlist
    body: bytes
    etag: str
    signature: str
    hour: dt.datetime
    media: frozenset[str]
    inputs: bytes
    recorded: bool = False


class PlaylistCache:
    def __init__(
        self,
        database: Database,
        *,
        keys: KeyHolder,
        weights: Mapping[str, int],
        check_interval_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._db = database
        self._keys = keys
        self._weights = dict(weights)
        self._interval = check_interval_s
        self._clock = clock
        self._lock = threading.Lock()
        self._epoch: int | None = None
        self._checked = -math.inf
        self._tokens: dict[str, int] = {}
        self._compiled: dict[int, CompiledPlaylist] = {}
        self.compiles = 0  # how many playlists this cache compiled (tests, benchmarks)

    def sync(self, *, force: bool = False) -> None:
        """Drop what changed since the last look at the epoch, if a look is due."""
        if not force and self._clock() - self._checked < self._interval:
            return
        with self._lock:
            if not force and self._clock() - self._checked < self._interval:
                return
            with self._db.session() as session:
                epoch = current_epoch(session)
                if self._epoch is None or epoch < self._epoch:
                    # First look, or a database restored from a backup: start afresh.
                    self._tokens.clear()
                    self._compiled.clear()
                elif epoch > self._epoch:
                    changed = screens_changed_since(session, self._epoch)
                    for screen_id in changed:
                        self._compiled.pop(screen_id, None)
                    for digest in [d for d, s in self._tokens.items() if s in changed]:
                        del self._tokens[digest]
            self._epoch = epoch
            self._checked = self._clock()

    def peek(self, token: str, now: dt.datetime) -> CompiledPlaylist | None:
        """Return the cached playlist of the screen with ``token``, or None if either the token
        or the playlist is not cached (then the full request path compiles it)."""
        self.sync()
        screen_id = self._tokens.get(token_hash(token))
        if screen_id is None:
            return None
        cached = self._compiled.get(screen_id)
        if cached is None or cached.hour != horizon_start(now):
            return None
        return cached

    def forget_screen(self, screen_id: int) -> None:
        """Drop what is cached of one screen (its tokens and playlist) at once, in this process:
        the caller changed it. Other processes drop it when they next look at the epoch."""
        with self._lock:
            self._compiled.pop(screen_id, None)
            for digest in [d for d, s in self._tokens.items() if s == screen_id]:
                del self._tokens[digest]

    def screen_id(self, token: str) -> int:
        """Return the id of the screen ``token`` belongs to, or raise :class:`Unauthenticated`."""
        self.sync()
        digest = token_hash(token)
        screen_id = self._tokens.get(digest)
        if screen_id is not None:
            return screen_id
        epoch = self._epoch
        with self._db.session() as session:
            screen_id = screen_for_token(session, token).id
        with self._lock:
            if self._epoch == epoch:  # nothing was invalidated while we read
                self._tokens[digest] = screen_id
        return screen_id

    def playlist(self, screen_id: int, now: dt.datetime) -> CompiledPlaylist:
        """Return the screen's compiled playlist, compiling it when it is not cached."""
        self.sync()
        hour = horizon_start(now)
        cached = self._compiled.get(screen_id)
        if cached is not None and cached.hour == hour:
            return cached
        epoch = self._epoch
        with self._db.session() as session:
            screen = session.get(Screen, screen_id)
            if screen is None:
                raise Unauthenticated("the screen no longer exists")
            playlist, inputs = compile_served(session, screen, now=now, weights=self._weights)
            key = screen.key
        body = canonical_bytes(playlist)
        signing = self._keys.key()
        compiled = CompiledPlaylist(
            screen_id=screen_id,
            screen_key=key,
            playlist=playlist,
            body=body,
            etag=signed_etag(body, signing.key_id),
            signature=signature_header(signing, body),
            hour=hour,
            media=frozenset(i.media.sha256 for i in playlist.items if i.media is not None),
            inputs=inputs,
        )
        with self._lock:
            self.compiles += 1
            # Keep it only if no change was noticed meanwhile: one noticed during the compile
            # may not be in what we read, and nothing would drop this entry again.
            if self._epoch == epoch:
                self._compiled[screen_id] = compiled
        return compiled


def get_cache(app: object) -> PlaylistCache:
    """Return the app's playlist cache."""
    cache: PlaylistCache = app.extensions["signage.playlists"]  # type: ignore[attr-defined]
    return cache
