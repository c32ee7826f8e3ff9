"""The player's loops: show (main thread), poll, upload.

* **show** (:mod:`player.show`): ``select`` at server time picks what plays; every frame of it
  is shown for its time, unless it must stop early (an urgent item starts, or a new playlist
  withdrew it), and each display is logged as it goes.
* **poll**: the playlist with ``If-None-Match``, the media it needs, heartbeats, screenshots.
  Errors back off exponentially with jitter, up to five minutes.
* **upload**: spooled events in batches signed with the player's own key
  (``player.uploader``), settled by the controller's answer. An upload the controller paces
  (``503`` with ``Retry-After``, after an outage) goes again when it was told.

Windows, off hours and urgent interrupts are enforced here, from the cached playlist, so with the
controller unreachable nothing is shown outside its window.
"""

from __future__ import annotations

import collections
import io
import json
import logging
import random
import shutil
import threading
import time
from collections.abc import Callable
from typing import Any

from PIL import Image

from player import __version__
from player.backoff import Backoff
from player.blackout import Blackout, LocalBlackout
from player.client import ControllerClient
from player.clock import ServerClock
from player.config import PlayerConfig
from player.errors import Busy, ControllerError, MediaError, PlayerError, Unreachable
from player.fonts import FontSet, font_ref
from player.identity import load_or_create
from player.output import Output
from player.refusals import Refusals
from player.render import Rendering
from player.show import Shows
from player.spool import Spool
from player.states import StateLog
from player.store import Store
from player.trust import Refused, Trust, accept_playlist
from player.uploader import Uploader
from playlists import (
    BlackoutOrder,
    PlayerState,
    PlaylistError,
    iso,
)
from playlists.heartbeat import Heartbeat
from playlists.signing import SigningKey

log = logging.getLogger(__name__)

PROGRESS_EVERY_S = 5.0  # how often a display in progress notes its duration in the spool
# Stopping (SIGTERM from systemd, a test) is bounded: the poll and upload threads get this long
# in all to finish what they are doing, and the last upload this long to be answered.
STOP_THREADS_S = 8.0
LAST_UPLOAD_S = 5.0


class Player(Shows):
    def __init__(
        self,
        config: PlayerConfig,
        *,
        client: ControllerClient,
        store: Store,
        spool: Spool,
        fonts: FontSet,
        clock: ServerClock,
        open_output: Callable[[int, int], Output],
        trust: Trust | None = None,
        identity: SigningKey | None = None,
        states: StateLog | None = None,
    ) -> None:
        self.config = config
        self.client = client
        # Without a provisioning file: trust on first use, kept in the cache folder.
        self.trust = trust or Trust(config.cache_dir / "trust.json")
        self.refusals = Refusals()
        self.store = store
        self.spool = spool
        self.uploader = Uploader(
            spool,
            client,
            identity or load_or_create(config.cache_dir),
            now_iso=lambda: iso(self.clock.now()),
        )
        self.fonts = fonts
        self.font = font_ref(fonts)
        self.clock = clock
        self._open_output = open_output
        self.output: Output | None = None
        self._size: tuple[int, int] | None = None
        self.stop = threading.Event()
        self.controller_answered = threading.Event()  # set by each successful poll round
        self.jitter = random.Random()
        self.errors: collections.deque[str] = collections.deque(maxlen=20)
        self.current_item: str | None = None
        self.last_frame: Image.Image | None = None
        self.poll_interval = config.poll_interval_s
        self.heartbeat_interval = config.heartbeat_interval_s
        self.screenshot_interval = config.screenshot_interval_s
        self.screenshot_wanted = False
        self._renders: collections.OrderedDict[tuple[Any, ...], Rendering] = (
            collections.OrderedDict()
        )
        self._told: set[str] = set()  # what the player has said once and need not repeat
        self.blackout = LocalBlackout(config.cache_dir)
        self.states = states or StateLog(config.cache_dir / "states.sqlite3")
        self._blackout_seen: Blackout | None = None
        self._order_seen: BlackoutOrder | None = None
        self.brightness = 100
        self._filler_since: str | None = None
        self._filler_frame: tuple[Any, Image.Image] | None = None

    # --- helpers ---
    def note_error(self, message: str) -> None:
        log.warning(message)
        self.errors.append(f"{iso(self.clock.now())} {message}")

    def _sleep(self, seconds: float, wake: threading.Event | None = None) -> bool:
        """Sleep unless stopped (or until ``wake`` is set); return False when stopping."""
        if wake is None:
            return not self.stop.wait(max(0.0, seconds))
        deadline = time.monotonic() + seconds
        while not self.stop.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0 or wake.wait(min(0.25, remaining)):
                return True
        return False

    # --- poll thread ---
    def poll_once(self) -> bool:
        """Fetch the playlist and its media; return True if a new playlist was stored."""
        fetched = self.client.playlist(self.store.etag)
        body, etag = fetched.body, fetched.etag
        if fetched.status == 304 or body is None:
            return False
        try:
            playlist = accept_playlist(
                self.trust, body, fetched.signature, self.client.keys, self.store.playlist
            )
        except Refused as exc:
            self.refusals.add(etag, str(exc), iso(self.clock.now()))
            return False
        except PlaylistError as exc:
            self.note_error(f"the controller sent a playlist that does not validate: {exc}")
            return False
        wanted = {i.media.sha256: i.media.url for i in playlist.items if i.media is not None}
        for sha, url in wanted.items():
            if self.store.has_media(sha):
                continue
            try:
                self.store.put_media(sha, self.client.media(url))
            except MediaError as exc:
                self.note_error(str(exc))  # never shown; fetched again at the next poll
        self.store.save(body, etag, fetched.signature or "", playlist)
        self.store.prune(set(wanted))
        state = (
            "blacked out by the controller"
            if playlist.blackout is not None
            else f"{len(playlist.items)} item(s)"
        )
        log.info("new playlist %s: %s", etag, state)
        return True

    def heartbeat_once(self) -> None:
        free = shutil.disk_usage(self.store.root).free
        refused = self.refusals.to_send()
        answer = self.client.heartbeat(
            Heartbeat(
                version=__version__,
                playlist_etag=self.store.etag or "",
                current_item=self.current_item,
                free_disk_bytes=free,
                errors=list(self.errors),
                clock_offset_ms=round(self.clock.offset_s * 1000),
                trusted_key=self.trust.key_id,
                refused=refused,
                player_key=self.uploader.key.key_id,
                dead_letters=self.spool.dead_letter_count(),
                font_name=self.font.name,
                font_sha256=self.font.sha256,
                **self._blackout_report(),
                states=self.states.to_send(),
                brightness=self.brightness,
            )
        )
        self.refusals.sent(refused)
        self.states.stored(list(answer.get("states_stored", [])))
        if answer.get("screenshot_now"):
            self.screenshot_wanted = True  # someone is looking at the screen
        self.poll_interval = float(answer.get("poll_interval_s", self.poll_interval))
        self.heartbeat_interval = float(answer.get("heartbeat_interval_s", self.heartbeat_interval))
        self.screenshot_interval = float(
            answer.get("screenshot_interval_s", self.screenshot_interval)
        )

    def _blackout_report(self) -> dict[str, str | None]:
        blackout = self.blackout.current()
        if blackout is None:
            return {"local_blackout_since": None, "local_blackout_reason": None}
        return {"local_blackout_since": blackout.since, "local_blackout_reason": blackout.reason}

    def _beat(self) -> None:
        """A heartbeat; one the controller refuses (4xx) does not stop the polling: what it
        carried is dropped, and the refusal is noted for the next one."""
        try:
            self.heartbeat_once()
        except Unreachable:
            raise
        except ControllerError as exc:
            self.refusals.sent(self.refusals.to_send())
            self.errors.clear()
            self.note_error(f"the controller refused a heartbeat: {str(exc)[:200]}")

    def screenshot_once(self) -> bool:
        """Send the frame on the panel now; False when nothing has been drawn yet."""
        frame = self.last_frame
        if frame is None:
            return False
        buffer = io.BytesIO()
        frame.save(buffer, format="PNG")
        self.client.screenshot(buffer.getvalue())
        return True

    def poll_loop(self) -> None:
        backoff = Backoff(self.config.backoff_max_s)
        next_beat = next_shot = 0.0
        down_since: float | None = None  # when the controller stopped answering
        while not self.stop.is_set():
            try:
                if time.monotonic() >= next_beat:
                    self._beat()
                    next_beat = time.monotonic() + self.heartbeat_interval
                self.poll_once()
                due = self.screenshot_interval > 0 and time.monotonic() >= next_shot
                # The first as soon as something is drawn, then at the interval.
                if (self.screenshot_wanted or due) and self.screenshot_once():
                    self.screenshot_wanted = False
                    next_shot = time.monotonic() + self.screenshot_interval
                self.controller_answered.set()  # an uploader backing off may try at once
                if down_since is not None:
                    log.info(
                        "the controller answers again, after %.0f s",
                        time.monotonic() - down_since,
                    )
                    down_since = None
                backoff.reset()
                delay = self.poll_interval
            except Unreachable as exc:
                if down_since is None:
                    down_since = time.monotonic()
                    log.warning("the controller is unreachable; playing on from the cache")
                self.note_error(f"controller unreachable: {exc}")
                delay = backoff.next_delay()
            except ControllerError as exc:
                self.note_error(str(exc))
                delay = backoff.next_delay()
            except Exception as exc:  # keep polling whatever happens; say what it was
                log.exception("poll failed")
                self.note_error(f"poll failed: {exc!r}")
                delay = backoff.next_delay()
            if not self._sleep(delay):
                return

    # --- upload thread ---
    def upload_once(self) -> int:
        """Send one signed batch of spooled events; return how many left the spool."""
        moved, dead = self.uploader.upload_once(self.config.batch_size)
        if moved:
            log.info("uploaded %d display event(s)", moved)
        if dead:
            self.note_error(f"the controller rejected {dead} events; kept as dead letters")
        return moved

    def upload_loop(self) -> None:
        backoff = Backoff(self.config.backoff_max_s)
        while not self.stop.is_set():
            self.controller_answered.clear()  # set again during this try, it ends the backoff
            wake = None
            try:
                moved = self.upload_once()
                backoff.reset()
                delay = 0.0 if moved >= self.config.batch_size else self.config.upload_interval_s
            except Busy as exc:
                # Paced by the controller (after an outage every screen sends at once): come
                # back when it said, spread by a second of our own, and not woken earlier.
                log.info("upload paced: %s", exc)
                delay = exc.retry_after_s + self.jitter.uniform(0, 1)
            except Exception as exc:
                if isinstance(exc, PlayerError):
                    self.note_error(f"upload failed: {exc}")
                else:
                    log.exception("upload failed")
                    self.note_error(f"upload failed: {exc!r}")
                # Backing off, but only until the poll loop next hears from the controller:
                # after an outage the backlog does not wait out the rest of a long backoff.
                delay, wake = backoff.next_delay(), self.controller_answered
            if not self._sleep(delay, wake=wake):
                return

    def run(self) -> None:
        """Run until :attr:`stop` is set (by a signal handler or a test)."""
        if self.store.load(self.trust.check_cached) is not None:
            log.info("playing from the cached playlist until the controller answers")
        saved = self.spool.get_meta("state")
        state = PlayerState.from_dict(json.loads(saved)) if saved else PlayerState()
        threads = [
            threading.Thread(target=self.poll_loop, name="poll", daemon=True),
            threading.Thread(target=self.upload_loop, name="upload", daemon=True),
        ]
        for thread in threads:
            thread.start()
        try:
            while not self.stop.is_set():
                state = self.show_once(state)
        finally:
            self.stop.set()
            log.info("stopping")
            deadline = time.monotonic() + STOP_THREADS_S
            for thread in threads:
                thread.join(timeout=max(0.0, deadline - time.monotonic()))
            # One last upload, so a clean stop leaves nothing behind if the controller is up;
            # whatever does not go stays in the spool for the next start.
            self.client.timeout = min(self.client.timeout, LAST_UPLOAD_S)
            try:
                self.upload_once()
            except Exception as exc:
                log.info("events left in the spool for the next start: %s", exc)
            if self.output is not None:
                self.output.close()
