"""The player's show loop (main thread): what plays, its frames on the panel, and its record.

``select`` at server time picks what plays; its frames are shown until the whole of them has
been, every page for its time or the whole scroll, and then the display is logged ``shown``. A
display ends early, ``interrupted``, only when it must: an urgent item starts, or a new
playlist withdrew the item. Nothing is cut to fit a time: the frames take the time the
player's own rendering needs (:mod:`player.layout`), which is the playlist's ``play_ms`` when
the player draws with the controller's font, and the event reports how long it really lasted.

Each display is in the spool before its first frame is shown, as interrupted so far, brought
up to date every few seconds, and given its outcome at its end (see ``player.spool``): a crash
or a power cut loses at most those few seconds of it.
"""

from __future__ import annotations

import collections
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PIL import Image

from player.blackout import Blackout, LocalBlackout
from player.config import PlayerConfig
from player.errors import MediaError
from player.filler import dimmed, filler_frame
from player.fonts import FontSet, font_ref
from player.output import Output
from player.render import Rendering, ScreenProfile, render
from player.spool import Spool
from player.states import Black, StateLog
from player.store import Store
from playlists import BlackoutOrder, Item, Outcome, PlayerState, Playlist, iso, select, should_stop
from playlists.brightness import percent_at
from playlists.events import display_start

log = logging.getLogger(__name__)

PROGRESS_EVERY_S = 5.0  # how often a display in progress notes its duration in the spool


class Shows:
    """The show loop of :class:`player.runner.Player`, which provides these attributes."""

    config: PlayerConfig
    store: Store
    spool: Spool
    fonts: FontSet
    clock: Any
    stop: threading.Event
    output: Output | None
    current_item: str | None
    last_frame: Image.Image | None
    _open_output: Callable[[int, int], Output]
    _size: tuple[int, int] | None
    _renders: collections.OrderedDict[tuple[Any, ...], Rendering]
    _told: set[str]
    blackout: LocalBlackout
    _blackout_seen: Blackout | None
    _order_seen: BlackoutOrder | None
    states: StateLog
    brightness: int
    _filler_since: str | None
    _filler_frame: tuple[Any, Image.Image] | None

    # Player's methods: noting an error for the heartbeat, and sleeping unless stopped.
    note_error: Callable[[str], None]
    _sleep: Callable[..., bool]

    def _ensure_output(self, playlist: Playlist) -> Output:
        size = (playlist.screen.width, playlist.screen.height)
        if self.output is None or self._size != size:
            if self.output is not None:
                self.output.close()
            self.output = self._open_output(*size)
            self._size = size
        return self.output

    def _tell_once(self, key: str, message: str) -> None:
        if key not in self._told:
            self._told.add(key)
            self.note_error(message)

    def rendering(self, item: Item, playlist: Playlist) -> Rendering:
        """The frames of ``item`` on this screen, from a small cache of recent renderings."""
        screen = playlist.screen
        profile = ScreenProfile(screen.width, screen.height, screen.color)
        key = (item.content_sha256, item.duration_s, profile, screen.reading, self.fonts.key)
        cached = self._renders.get(key)
        if cached is not None:
            self._renders.move_to_end(key)
            return cached
        image = self.store.get_media(item.media.sha256) if item.media is not None else None
        rendering = render(item, profile, self.fonts, image, screen.reading)
        if rendering.missing:
            self.note_error(f"{item.id}: no font has {''.join(rendering.missing)}")
        if item.play_ms and rendering.duration_ms != item.play_ms:
            mine = font_ref(self.fonts)
            self._tell_once(
                f"time {item.id} {item.play_ms}",
                f"{item.id} takes {rendering.duration_ms} ms drawn with {mine.name}; the "
                f"controller measured {item.play_ms} ms"
                + (f" with {playlist.font.name}" if playlist.font is not None else "")
                + ": it is shown for the time this player's drawing needs",
            )
        self._renders[key] = rendering
        while len(self._renders) > self.config.render_cache_items:
            self._renders.popitem(last=False)
        return rendering

    def blacked_out(self) -> bool:
        """Whether a local blackout is in force (:mod:`player.blackout`); say so when it starts
        and when it ends."""
        blackout = self.blackout.current()
        if blackout != self._blackout_seen:
            if blackout is None:
                log.warning("local blackout lifted: showing the playlist again")
            else:
                log.warning("local blackout since %s: %s", blackout.since, blackout.reason or "—")
            self._blackout_seen = blackout
        return blackout is not None

    def ordered_black(self, playlist: Playlist) -> bool:
        """Whether the controller ordered this screen black (the playlist's ``blackout``); say
        so when it starts and when it ends."""
        order = playlist.blackout
        if order != self._order_seen:
            if order is None:
                log.warning("blackout lifted by the controller: showing the playlist again")
            else:
                log.warning(
                    "blacked out by the controller since %s (blackout %d): %s",
                    order.since.isoformat(),
                    order.id,
                    order.reason,
                )
            self._order_seen = order
        return order is not None

    def note_state(self, playlist: Playlist, *, filler: bool = False) -> None:
        """Log what the panel shows instead of an item now, if anything (black by a blackout,
        or the filler), as a display state with its start and end (:mod:`player.states`):
        never a play."""
        local = self.blackout.current()
        order = playlist.blackout
        at = iso(self.clock.now())
        if not filler:
            self._filler_since = None
        elif self._filler_since is None:
            self._filler_since = at
        black = (
            Black("local", local.reason, since=local.since)
            if local is not None
            else Black("controller", order.reason, blackout_id=order.id)
            if order is not None
            else Black("controller", "", since=self._filler_since, state="filler")
            if filler and self._filler_since is not None
            else None
        )
        self.states.now(black, at)

    def lit(self, frame: Image.Image) -> Image.Image:
        """``frame`` at the brightness the playlist sets for now (:mod:`player.filler`)."""
        playlist = self.store.playlist
        self.brightness = percent_at(playlist.dim, self.clock.now()) if playlist else 100
        return dimmed(frame, self.brightness)

    def _show_filler(self, playlist: Playlist) -> None:
        """The filler, redrawn when the minute changes, or black without one."""
        if playlist.filler is None:
            self._blank(playlist)
            return
        now = self.clock.now()
        key = (now.replace(second=0, microsecond=0), playlist.filler, playlist.screen)
        if self._filler_frame is None or self._filler_frame[0] != key:
            screen = playlist.screen
            profile = ScreenProfile(screen.width, screen.height, screen.color)
            frame = filler_frame(playlist.filler, profile, self.fonts, now, screen.timezone)
            self._filler_frame = (key, frame)
        frame = self._filler_frame[1]
        self._ensure_output(playlist).show(self.lit(frame))
        self.last_frame = frame

    def _must_stop(self, item: Item, generation: int) -> bool:
        """Whether the display of ``item`` must stop: a local blackout began, or a new playlist
        arrived since it began (the rule is :func:`playlists.should_stop`)."""
        if self.blacked_out():
            return True
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
        if self.blacked_out() or self.ordered_black(playlist):
            self.note_state(playlist)
            # Black, and no play on record: no item is on the panel (the heartbeat says why).
            self.current_item = None
            self._blank(playlist)
            generation = self.store.generation
            deadline = time.monotonic() + 0.2
            while time.monotonic() < deadline and self.store.generation == generation:
                if not self._sleep(0.05):
                    break
            return state
        generation = self.store.generation
        now = self.clock.now()
        selection, new_state = select(playlist, now, state)
        closed = any(s <= now < e for s, e in playlist.off)
        self.note_state(playlist, filler=selection.item is None and not closed)
        if selection.item is None:
            self.current_item = None
            if closed:
                self._blank(playlist)  # the screen is off: black, not filler
            else:
                self._show_filler(playlist)
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
        # Cut short only by an urgent item starting (the selection says when).
        stop_after = (selection.until - started).total_seconds() if selection.interrupted else None
        drawn = self._play(item, rendering, output, stop_after, generation, showing)
        self.spool.finish(showing, drawn.elapsed_ms, drawn.outcome)
        self.spool.set_meta("state", json.dumps(new_state.to_dict()))
        log.debug(
            "%s: %d of %d frames in %d ms, %s",
            item.id,
            drawn.frames,
            len(rendering.frames),
            drawn.elapsed_ms,
            drawn.outcome,
        )
        return new_state

    def _play(
        self,
        item: Item,
        rendering: Rendering,
        output: Output,
        stop_after_s: float | None,
        generation: int,
        showing: Any,
    ) -> _Drawn:
        """Show every frame of ``rendering`` for its time, unless the display must stop: after
        ``stop_after_s`` seconds (an urgent item starts then), or when a new playlist withdrew
        the item. Frame times are kept to the schedule, so a late frame does not stretch it."""
        noted = mono_start = time.monotonic()
        stop_at = None if stop_after_s is None else mono_start + stop_after_s
        frames = rendering.frames
        due = mono_start
        for index in range(len(frames)):
            if index and self.blacked_out():
                return _Drawn(index, _ms_since(mono_start), Outcome.INTERRUPTED)
            frame = frames[index]
            # Every page of a panel is kept as a file; of a scrolling strip, one frame from the
            # middle of its pass (its first frame is black: the text comes in from the right).
            kept = len(frames) < 50 or index == len(frames) // 2
            output.show(self.lit(frame.image), label=item.id if kept else None)
            self.last_frame = frame.image
            due += frame.duration_ms / 1000
            limit = due if stop_at is None else min(due, stop_at)
            while time.monotonic() < limit:
                if not self._sleep(min(0.2, limit - time.monotonic())) or self._must_stop(
                    item, generation
                ):
                    return _Drawn(index + 1, _ms_since(mono_start), Outcome.INTERRUPTED)
                if time.monotonic() - noted >= PROGRESS_EVERY_S:
                    noted = time.monotonic()
                    self.spool.progress(showing, _ms_since(mono_start))
            if stop_at is not None and time.monotonic() >= stop_at:
                return _Drawn(index + 1, _ms_since(mono_start), Outcome.INTERRUPTED)
        return _Drawn(len(frames), _ms_since(mono_start), Outcome.SHOWN)


class _Drawn:
    __slots__ = ("elapsed_ms", "frames", "outcome")

    def __init__(self, frames: int, elapsed_ms: int, outcome: Outcome) -> None:
        self.frames, self.elapsed_ms, self.outcome = frames, elapsed_ms, outcome


def _ms_since(start: float) -> int:
    return round((time.monotonic() - start) * 1000)
