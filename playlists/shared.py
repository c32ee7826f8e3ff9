"""Compile many screens' playlists from one set of live notices, each shape once.

A province's screens fall into few shapes: screens with the same profile (pixels, colour,
reading speeds), opening hours and time zone, aimed at by the same notices, get the same
playlist but for the screen's key. :class:`SharedCompiler` compiles a shape once and gives the
other screens of it the same document with their own key, and :class:`playlists.document.KeyedBody`
their bytes without encoding the document again; the result is exactly what
:func:`playlists.compile.compile_playlist` gives each screen on its own.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace

from playlists.compile import (
    DEFAULT_HORIZON,
    DEFAULT_WEIGHTS,
    Measure,
    NoticeSpec,
    ScreenSpec,
    compile_playlist,
)
from playlists.document import KeyedBody, Playlist


class SharedCompiler:
    """Compiles screens' playlists from ``notices`` at ``now``, each shape once.

    The notices are indexed by the screens and groups they name, so each screen looks only at
    those that may be aimed at it. Safe to share between threads: two that compile one shape at
    once both get the same document, and one of them is kept.
    """

    def __init__(
        self,
        notices: Iterable[NoticeSpec],
        now: dt.datetime,
        horizon: dt.timedelta = DEFAULT_HORIZON,
        weights: Mapping[str, int] = DEFAULT_WEIGHTS,
        measure: Measure | None = None,
    ) -> None:
        self.now = now
        self.horizon = horizon
        self.weights = dict(weights)
        self.measure = measure
        self._named: dict[tuple[str, str], list[NoticeSpec]] = defaultdict(list)
        for notice in notices:
            for key in notice.screens:
                self._named["screen", key].append(notice)
            for group in notice.groups:
                self._named["group", group].append(notice)
        self._shapes: dict[Hashable, tuple[Playlist, KeyedBody]] = {}
        self._by_groups: dict[frozenset[str], tuple[NoticeSpec, ...]] = {}
        self.shapes_compiled = 0  # how many documents were compiled (benchmarks)

    def aimed_at(self, screen: ScreenSpec) -> tuple[NoticeSpec, ...]:
        """The notices aimed at ``screen``, by notice id (those through its groups found once
        per set of groups)."""
        through_groups = self._by_groups.get(screen.groups)
        if through_groups is None:
            found = {id(n): n for g in screen.groups for n in self._named.get(("group", g), ())}
            through_groups = self._by_groups.setdefault(screen.groups, _ordered(found.values()))
        named = self._named.get(("screen", screen.key))
        if not named:
            return through_groups
        return _ordered({id(n): n for n in (*through_groups, *named)}.values())

    def compile(self, screen: ScreenSpec) -> tuple[Playlist, KeyedBody]:
        """The playlist of ``screen``, and its bytes for any key (see the module)."""
        aimed = self.aimed_at(screen)
        shape = (
            screen.width,
            screen.height,
            screen.color,
            screen.timezone,
            screen.hours,
            screen.reading,
            screen.blackout,
            screen.brightness,
            screen.filler,
            tuple((n.notice_id, n.revision) for n in aimed),
        )
        found = self._shapes.get(shape)
        if found is None:
            playlist = compile_playlist(
                screen, aimed, self.now, self.horizon, self.weights, self.measure
            )
            found = self._shapes.setdefault(shape, (playlist, KeyedBody(playlist)))
            self.shapes_compiled += 1
        playlist, body = found
        if playlist.screen.key != screen.key:
            playlist = replace(playlist, screen=screen.info())
        return playlist, body

    def playlist(self, screen: ScreenSpec) -> Playlist:
        """The playlist of ``screen``."""
        return self.compile(screen)[0]


def _ordered(notices: Iterable[NoticeSpec]) -> tuple[NoticeSpec, ...]:
    return tuple(sorted(notices, key=lambda n: (n.notice_id, n.revision)))


def compile_playlists(
    screens: Sequence[ScreenSpec],
    notices: Iterable[NoticeSpec],
    now: dt.datetime,
    horizon: dt.timedelta = DEFAULT_HORIZON,
    weights: Mapping[str, int] = DEFAULT_WEIGHTS,
    measure: Measure | None = None,
) -> dict[str, Playlist]:
    """Compile the playlist of each of ``screens`` (by key) from the same live ``notices``."""
    return dict(iter_playlists(screens, notices, now, horizon, weights, measure))


def iter_playlists(
    screens: Sequence[ScreenSpec],
    notices: Iterable[NoticeSpec],
    now: dt.datetime,
    horizon: dt.timedelta = DEFAULT_HORIZON,
    weights: Mapping[str, int] = DEFAULT_WEIGHTS,
    measure: Measure | None = None,
) -> Iterator[tuple[str, Playlist]]:
    """Compile each of ``screens``'s playlist in turn, yielding (screen key, playlist)."""
    compiler = SharedCompiler(notices, now, horizon, weights, measure)
    for screen in screens:
        yield screen.key, compiler.playlist(screen)
