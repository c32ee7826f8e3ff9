"""The in-process cache of compiled playlists that makes an unchanged poll free.

A poll with the current ETag is answered from memory: the screen's token is looked up in a dict
(by its SHA-256), the compiled playlist in another, and no database session is opened. What keeps
the cache right is the playlist epoch (:mod:`signage.screens.epoch`), read at most once per
``check_interval_s`` per process: when it has moved, the screens stamped with a newer epoch are
dropped from the cache (their playlist, settings and token) and compiled again. Several
controller processes, on one host or many, each keep their own cache and stay consistent through
the shared database. A compiled playlist also expires when the hour changes, so its horizon rolls
forward by itself.

A change aimed at every screen, and a start with nothing cached, must not cost one compile from
the database per screen. So nothing here compiles a screen from the database on its own: the
notices live this hour are read once per epoch and hour (:func:`signage.delivery.live.load_live`)
and every screen is compiled from that, each shape of screen once
(:class:`playlists.SharedCompiler`). In ``signage serve`` a background thread
(:mod:`signage.delivery.warm`) also looks at the epoch and compiles, in batches from one set of
queries, what a change dropped, every screen at start and at the top of each hour, so that a
poll rarely compiles at all.

Each playlist is signed once, as it is compiled (:mod:`signage.keys`): the signature is kept
with its bytes, so an unchanged poll costs no more than before.

After a change the background thread reads the screens it dropped, a few hundred per query, and
compiles them; a poll of one of them meanwhile waits until its screen has been read (at most
:data:`PENDING_WAIT_S`) and then compiles it from what was read, rather than reading it from
the database on its own: after a blackout of every screen, 2,000 polls within a second do not
make 2,000 sets of queries while the background thread makes a few.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.orm import Session

from playlists import DEFAULT_HORIZON, Playlist, ScreenSpec, SharedCompiler
from playlists.compile import horizon_start
from playlists.signing import SigningKey, signature_header, signed_etag
from signage.accounts.tokens import token_hash
from signage.db import Database
from signage.delivery.live import LoadedScreen, load_live, load_screens
from signage.delivery.served import inputs_json
from signage.errors import Unauthenticated
from signage.keys.services import KeyHolder
from signage.metrics import PLAYLISTS
from signage.screens.epoch import BUMPED, current_epoch, screens_changed_since
from signage.screens.services import screen_for_token

PENDING_WAIT_S = 2.0  # the longest a poll waits for the background thread to read its screen


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
    spec: ScreenSpec
    weights: Mapping[str, int] = field(repr=False)
    recorded: bool = False

    @functools.cached_property
    def inputs(self) -> bytes:
        """The inputs of the playlist as the served-playlist store keeps them (computed at its
        first sending: most compiled playlists of a storm are sent once)."""
        return inputs_json(self.spec, self.weights, DEFAULT_HORIZON, self.playlist)


@dataclass(frozen=True)
class _Live:
    """The live notices as read at ``epoch`` (or later), for the hour ``hour``."""

    epoch: int
    hour: dt.datetime
    compiler: SharedCompiler


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
        self.check_interval_s = check_interval_s
        self._clock = clock
        self._lock = threading.Lock()  # held only to read or change the dicts below
        self._load_lock = threading.Lock()  # one read of the live notices at a time
        self._epoch: int | None = None
        self._checked = -math.inf
        self._tokens: dict[str, int] = {}
        self._compiled: dict[int, CompiledPlaylist] = {}
        self._specs: dict[int, ScreenSpec] = {}
        self._live: _Live | None = None
        # Screens dropped by a change that the background thread is to read again; polls of
        # them wait on ``_compiled_some`` until it has (or PENDING_WAIT_S has passed).
        self._pending: set[int] = set()
        self._compiled_some = threading.Condition(self._lock)
        self.background: Callable[[set[int] | None], None] | None = None  # see warm.py
        self.compiles = 0  # how many playlists this cache compiled (tests, benchmarks)
        self.loads = 0  # how many times it read the live notices
        event.listen(database.sessionmaker, "after_commit", self._after_commit)

    def _after_commit(self, session: Session) -> None:
        # A change made in this process: look at the epoch now, not at the next check. (The
        # mark stays on the session: another cache of this process may look at it too.)
        bumped = session.info.get(BUMPED)
        if bumped is not None and (self._epoch is None or bumped > self._epoch):
            self._checked = -math.inf
            if self.background is not None:
                self.background(set())

    @property
    def overdue(self) -> bool:
        """Whether a look at the epoch is due."""
        return self._clock() - self._checked >= self.check_interval_s

    def sync(self, *, force: bool = False) -> None:
        """Drop what changed since the last look at the epoch, if a look is due."""
        if not force and not self.overdue:
            return
        with self._load_lock:
            if not force and not self.overdue:
                return
            with self._db.session() as session:
                epoch = current_epoch(session)
                changed = (
                    None
                    if self._epoch is None or epoch < self._epoch
                    else screens_changed_since(session, self._epoch)
                    if epoch > self._epoch
                    else set()
                )
            with self._lock:
                if changed is None:
                    # First look, or a database restored from a backup: start afresh.
                    self._tokens.clear()
                    self._compiled.clear()
                    self._specs.clear()
                    self._pending.clear()
                    self._live = None
                elif changed:
                    for screen_id in changed:
                        self._compiled.pop(screen_id, None)
                        self._specs.pop(screen_id, None)
                    for digest in [d for d, s in self._tokens.items() if s in changed]:
                        del self._tokens[digest]
                    if self.background is not None:
                        self._pending |= changed
                    self._live = None  # the notices may have changed too
                self._epoch = epoch
                self._checked = self._clock()
        if changed != set() and self.background is not None:
            self.background(changed)

    def _sync_on_request(self) -> None:
        # With the background thread running, it looks at the epoch; a request does so only
        # when the thread has fallen far behind.
        if self.background is None or self._clock() - self._checked > 5 * self.check_interval_s:
            self.sync()

    def peek(self, token: str, now: dt.datetime) -> CompiledPlaylist | None:
        """Return the cached playlist of the screen with ``token``, or None if either the token
        or the playlist is not cached (then the full request path compiles it)."""
        self._sync_on_request()
        screen_id = self._tokens.get(token_hash(token))
        if screen_id is None:
            return None
        cached = self._compiled.get(screen_id)
        if cached is None or cached.hour != horizon_start(now):
            return None
        PLAYLISTS.labels("hit").inc()
        return cached

    def known_screen(self, token: str) -> int | None:
        """The id of the screen ``token`` belongs to when the cache holds the token, else None
        (without looking in the database: :meth:`screen_id` does that)."""
        self._sync_on_request()
        return self._tokens.get(token_hash(token))

    def forget_screen(self, screen_id: int) -> None:
        """Drop what is cached of one screen (its tokens and playlist) at once, in this process:
        the caller changed it. Other processes drop it when they next look at the epoch."""
        with self._lock:
            self._compiled.pop(screen_id, None)
            self._specs.pop(screen_id, None)
            for digest in [d for d, s in self._tokens.items() if s == screen_id]:
                del self._tokens[digest]

    def screen_id(self, token: str) -> int:
        """Return the id of the screen ``token`` belongs to, or raise :class:`Unauthenticated`."""
        self._sync_on_request()
        digest = token_hash(token)
        screen_id = self._tokens.get(digest)
        if screen_id is not None:
            return screen_id
        if self._pending:  # the background thread is reading screens again: their tokens too
            self._wait_while(lambda: bool(self._pending))
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
        self._sync_on_request()
        hour = horizon_start(now)
        cached = self._compiled.get(screen_id)
        if cached is not None and cached.hour == hour:
            return cached
        if screen_id in self._pending:
            cached = self._wait_for_batch(screen_id, hour)
            if cached is not None:
                return cached
        epoch = self._epoch
        live = self._live_notices(now)
        spec = self._specs.get(screen_id)
        if spec is None:
            with self._db.session() as session:
                loaded = next(load_screens(session, [screen_id]), None)
            if loaded is None:
                raise Unauthenticated("the screen no longer exists")
            spec = loaded.spec
        compiled = self._compile(screen_id, spec, live)
        self._keep(epoch, compiled)
        PLAYLISTS.labels("compile").inc()
        return compiled

    def _wait_for_batch(self, screen_id: int, hour: dt.datetime) -> CompiledPlaylist | None:
        """Wait until the background thread has read the screen (or given up on it); return
        its playlist if the thread has compiled it meanwhile."""
        self._wait_while(lambda: screen_id in self._pending)
        cached = self._compiled.get(screen_id)
        return cached if cached is not None and cached.hour == hour else None

    def _wait_while(self, waiting: Callable[[], bool]) -> None:
        deadline = self._clock() + PENDING_WAIT_S
        with self._compiled_some:
            while waiting():
                left = deadline - self._clock()
                if left <= 0:
                    return
                self._compiled_some.wait(left)

    def _settle_pending(self, screen_ids: Iterable[int] | None) -> None:
        """The background thread is done with these screens (None: with every one)."""
        with self._compiled_some:
            if screen_ids is None:
                self._pending.clear()
            else:
                self._pending.difference_update(screen_ids)
            self._compiled_some.notify_all()

    def warm(self, screen_ids: Iterable[int] | None, now: dt.datetime) -> tuple[int, bool]:
        """Compile the playlists of ``screen_ids`` (None: every screen) that are not cached for
        the hour of ``now``, reading the screens a few hundred at a time; learn their tokens
        too. Return how many were compiled, and whether all were: it stops early when a change
        is noticed meanwhile (what it compiled may be older than the change)."""
        hour = horizon_start(now)
        epoch = self._epoch
        if epoch is None:
            return 0, False
        screen_ids = None if screen_ids is None else set(screen_ids)
        live = self._live_notices(now)
        signing = self._keys.key()
        try:
            with self._db.session() as session:
                screens = list(load_screens(session, screen_ids))
            # Their settings and tokens first: a poll waiting for its screen then compiles
            # it from these at once (from the notices already read) instead of waiting for
            # the batch to reach it.
            with self._lock:
                if self._epoch == epoch:
                    for loaded in screens:
                        self._specs[loaded.id] = loaded.spec
                        self._tokens[loaded.token_hash] = loaded.id
        finally:
            self._settle_pending(screen_ids)
        done = 0
        for loaded in screens:
            cached = self._compiled.get(loaded.id)
            if cached is not None and cached.hour == hour:
                continue
            compiled = self._compile(loaded.id, loaded.spec, live, signing)
            if not self._keep(epoch, compiled, loaded):
                PLAYLISTS.labels("warm").inc(done)
                return done, False
            done += 1
        PLAYLISTS.labels("warm").inc(done)
        return done, True

    def cached_screens(self) -> set[int]:
        """The screens whose playlists are cached (for any hour)."""
        with self._lock:
            return set(self._compiled)

    def _live_notices(self, now: dt.datetime) -> _Live:
        hour = horizon_start(now)
        live = self._live
        if live is not None and live.hour == hour and live.epoch == self._epoch:
            return live
        with self._load_lock:
            live = self._live
            epoch = self._epoch
            if live is not None and live.hour == hour and live.epoch == epoch:
                return live
            with self._db.session() as session:
                compiler = load_live(session, now=hour, weights=self._weights)
            live = _Live(epoch if epoch is not None else -1, hour, compiler)
            with self._lock:
                if self._epoch == epoch:
                    self._live = live
                self.loads += 1
            PLAYLISTS.labels("notices_read").inc()
            return live

    def _compile(
        self, screen_id: int, spec: ScreenSpec, live: _Live, signing: SigningKey | None = None
    ) -> CompiledPlaylist:
        playlist, keyed = live.compiler.compile(spec)
        body = keyed.bytes_for(spec.key)
        signing = signing or self._keys.key()
        return CompiledPlaylist(
            screen_id=screen_id,
            screen_key=spec.key,
            playlist=playlist,
            body=body,
            etag=signed_etag(body, signing.key_id),
            signature=signature_header(signing, body),
            hour=live.hour,
            media=frozenset(i.media.sha256 for i in playlist.items if i.media is not None),
            spec=spec,
            weights=self._weights,
        )

    def _keep(
        self, epoch: int | None, compiled: CompiledPlaylist, loaded: LoadedScreen | None = None
    ) -> bool:
        """Keep ``compiled`` unless a change was noticed since ``epoch`` was read: one noticed
        during the compile may not be in what was read, and nothing would drop this entry
        again. Return whether it was kept."""
        with self._lock:
            self.compiles += 1
            if self._epoch != epoch:
                return False
            self._compiled[compiled.screen_id] = compiled
            self._specs[compiled.screen_id] = compiled.spec
            if loaded is not None:
                self._tokens[loaded.token_hash] = loaded.id
            return True


def get_cache(app: object) -> PlaylistCache:
    """Return the app's playlist cache."""
    cache: PlaylistCache = app.extensions["signage.playlists"]  # type: ignore[attr-defined]
    return cache
