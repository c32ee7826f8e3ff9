"""The player's loops: show (main thread), poll, upload.

* **show**: ``select`` at server time picks what plays; its frames are shown until the
  selection ends, or until it must stop early — the playlist changed and the item was withdrawn
  or an urgent item is now live. Each display is in the spool before its first frame is shown,
  as interrupted so far, brought up to date every few seconds, and given its outcome at its end
  (see ``player.spool``): a crash or a power cut loses at most those few seconds of it.
* **poll**: the playlist with ``If-None-Match``, the media it needs, heartbeats, screenshots.
  Errors back off exponentially with jitter, up to five minutes.
* **upload**: spooled events in batches signed with the player's own key
  (``player.uploader``), settled by the controller's answer.

Windows, off hours and urgent interrupts are enforced here, from the cached playlist, so with the
controller unreachable nothing is shown outside its window.
"""

from __future__ import annotations

import collections
import io
import json
import logging
import shutil
import threading
import time
from collections.abc import Callable
from typing import Any

from PIL import Image

from player import __version__
from player.backoff import Backoff
from player.client import ControllerClient
from player.clock import ServerClock
from player.config import PlayerConfig
from player.errors import ControllerError, MediaError, PlayerError, Unreachable
from player.fonts import FontSet
from player.identity import load_or_create
from player.output import Output
from player.refusals import Refusals
from player.render import Rendering, ScreenProfile, render
from player.spool import Spool
from player.store import Store
from player.trust import Refused, Trust, accept_playlist
from player.uploader import Uploader
from playlists import (
    Item,
    Outcome,
    PlayerState,
    Playlist,
    PlaylistError,
    iso,
    select,
    should_stop,
)
from playlists.events import display_start
from playlists.heartbeat import Heartbeat
from playlists.signing import SigningKey

log = logging.getLogger(__name__)

PROGRESS_EVERY_S = 5.0  # how often a display in progress notes its duration in the spool


class Player:
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
        self.clock = clock
        self._open_output = open_output
        self.output: Output | None = None
        self._size: tuple[int, int] | None = None
        self.stop = threading.Event()
        self.controller_answered = threading.Event()  # set by each successful poll round
        self.errors: collections.deque[str] = collections.deque(maxlen=20)
        self.current_item: str | None = None
        self.last_frame: Image.Image | None = None
        self.poll_interval = config.poll_interval_s
        self.heartbeat_interval = config.heartbeat_interval_s
        self.screenshot_interval = config.screenshot_interval_s
        self._renders: collections.OrderedDict[tuple[Any, ...], Rendering] = (
            collections.OrderedDict()
        )

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
            )
        )
        self.refusals.sent(refused)
        self.poll_interval = float(answer.get("poll_interval_s", self.poll_interval))
        self.heartbeat_interval = float(answer.get("heartbeat_interval_s", self.heartbeat_interval))
        self.screenshot_interval = float(
            answer.get("screenshot_interval_s", self.screenshot_interval)
        )

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

    def screenshot_once(self) -> None:
        frame = self.last_frame
        if frame is None:
            return
        buffer = io.BytesIO()
        frame.save(buffer, format="PNG")
        self.client.screenshot(buffer.getvalue())

    def poll_loop(self) -> None:
        backoff = Backoff(self.config.backoff_max_s)
        next_beat = next_shot = 0.0
        while not self.stop.is_set():
            try:
                if time.monotonic() >= next_beat:
                    self._beat()
                    next_beat = time.monotonic() + self.heartbeat_interval
                self.poll_once()
                if self.screenshot_interval > 0 and time.monotonic() >= next_shot:
                    self.screenshot_once()
                    next_shot = time.monotonic() + self.screenshot_interval
                self.controller_answered.set()  # an uploader backing off may try at once
                backoff.reset()
                delay = self.poll_interval
            except Unreachable as exc:
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

    # --- show (main thread) ---
    def _ensure_output(self, playlist: Playlist) -> Output:
        size = (playlist.screen.width, playlist.screen.height)
        if self.output is None or self._size != size:
            if self.output is not None:
                self.output.close()
            self.output = self._open_output(*size)
            self._size = size
        return self.output

    def rendering(self, item: Item, playlist: Playlist) -> Rendering:
        """The frames of ``item`` on this screen, from a small cache of recent renderings."""
        profile = ScreenProfile(
            playlist.screen.width, playlist.screen.height, playlist.screen.color
        )
        key = (item.content_sha256, item.duration_s, profile, self.fonts.key)
        cached = self._renders.get(key)
        if cached is not None:
            self._renders.move_to_end(key)
            return cached
        image = self.store.get_media(item.media.sha256) if item.media is not None else None
        rendering = render(item, profile, self.fonts, image)
        if rendering.missing:
            self.note_error(f"{item.id}: no font has {''.join(rendering.missing)}")
        self._renders[key] = rendering
        while len(self._renders) > self.config.render_cache_items:
            self._renders.popitem(last=False)
        return rendering

    def _must_stop(self, item: Item, generation: int) -> bool:
        """Whether the display of ``item`` must stop because a new playlist arrived since it
        began (the rule is :func:`playlists.should_stop`)."""
        if self.store.generation == generation:
            return False
        playlist = self.store.playlist
        return playlist is None or should_stop(playlist, item, self.clock.now())

    def _blank(self, playlist: Playlist) -> None:
        output = self._ensure_output(playlist)
        frame = Image.new("RGB", (playlist.screen.width, playlist.screen.height))
        output.show(frame)
        self.last_frame = frame

    def show_once(self, state: PlayerState) -> PlayerState:
        """Show what ``select`` picks now, until it ends or must stop; log it. Return the state."""
        playlist, etag = self.store.current()
        if playlist is None:
            self._sleep(0.5)
            return state
        generation = self.store.generation
        selection, new_state = select(playlist, self.clock.now(), state)
        if selection.item is None:
            self.current_item = None
            self._blank(playlist)
            # Look again within a second: a new playlist or a skewed clock corrected by a
            # heartbeat may change the answer before ``until``.
            wait = min(1.0, (selection.until - self.clock.now()).total_seconds())
            deadline = time.monotonic() + max(0.05, wait)
            while time.monotonic() < deadline and self.store.generation == generation:
                if not self._sleep(min(0.5, deadline - time.monotonic())):
                    break
            return state
        item = selection.item
        started = self.clock.now()
        outcome = Outcome.SHOWN if selection.is_play else Outcome.INTERRUPTED
        try:
            rendering = self.rendering(item, playlist)
        except (MediaError, OSError, ValueError) as exc:
            self.note_error(f"{item.id} cannot be shown: {exc}")
            self.spool.record(
                {**display_start(item, started, etag), "duration_ms": 0, "outcome": Outcome.ERROR}
            )
            self._blank(playlist)
            self._sleep(1.0)
            return new_state
        output = self._ensure_output(playlist)
        self.current_item = item.id
        # Noted before the first frame: a display cut short by a crash is still on record.
        showing = self.spool.begin(display_start(item, started, etag))
        noted = mono_start = time.monotonic()
        deadline = mono_start + (selection.until - started).total_seconds()
        frames = rendering.frames
        index = 0
        while True:
            frame = frames[index % len(frames)]
            first_of_page = index < len(frames) and (len(frames) < 50 or index == 0)
            output.show(frame.image, label=item.id if first_of_page else None)
            self.last_frame = frame.image
            index += 1
            until = min(deadline, time.monotonic() + frame.duration_ms / 1000)
            stopped = False
            while time.monotonic() < until:
                if not self._sleep(min(0.2, until - time.monotonic())):
                    stopped = True
                    break
                if self._must_stop(item, generation):
                    stopped = True
                    break
                if time.monotonic() - noted >= PROGRESS_EVERY_S:
                    noted = time.monotonic()
                    self.spool.progress(showing, round((noted - mono_start) * 1000))
            if stopped:
                outcome = Outcome.INTERRUPTED
                break
            if time.monotonic() >= deadline:
                break
        elapsed_ms = round((time.monotonic() - mono_start) * 1000)
        self.spool.finish(showing, elapsed_ms, outcome)
        self.spool.set_meta("state", json.dumps(new_state.to_dict()))
        return new_state

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
            for thread in threads:
                thread.join(timeout=10)
            # One last upload, so a clean stop leaves nothing behind if the controller is up;
            # whatever does not go stays in the spool for the next start.
            try:
                self.upload_once()
            except Exception as exc:
                log.info("events left in the spool for the next start: %s", exc)
            if self.output is not None:
                self.output.close()
