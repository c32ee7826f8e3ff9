"""What every screen's playlist is compiled from, read once for all of them.

:func:`load_live` reads the notices live this hour (one set of queries, however many screens)
into a :class:`playlists.SharedCompiler`; :func:`load_screens` reads many screens' settings at
once, with the blackouts covering them. The playlist cache (:mod:`signage.delivery.cache`)
compiles each screen from these rather than asking the database once per screen.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from playlists import DEFAULT_HORIZON, ScreenSpec, SharedCompiler
from playlists.compile import horizon_start
from signage.delivery.durations import measurer
from signage.delivery.specs import SPEC_COLUMNS, media_for, notice_spec, spec_of
from signage.emergency.blackouts import in_force
from signage.notices.integrity import servable
from signage.notices.queries import live_revisions
from signage.screens.models import Screen, ScreenGroup, screen_group_members

CHUNK = 500  # screens per query: well inside every database's limit on bound values


def load_live(
    session: Session,
    *,
    now: dt.datetime,
    weights: Mapping[str, int],
    horizon: dt.timedelta = DEFAULT_HORIZON,
) -> SharedCompiler:
    """The notices live in the hour of ``now``, ready to compile any screen's playlist."""
    revisions = servable(session, live_revisions(session, horizon_start(now)))
    media = media_for(session, revisions)
    specs = [notice_spec(r, media) for r in revisions]
    return SharedCompiler(specs, now, horizon, weights, measurer())


@dataclass(frozen=True, slots=True)
class LoadedScreen:
    """A screen as compiling and serving it needs: its id, its spec, and its token's hash."""

    id: int
    spec: ScreenSpec
    token_hash: str


def load_screens(session: Session, ids: Iterable[int] | None = None) -> Iterator[LoadedScreen]:
    """The screens with ``ids`` (None: every screen), a few hundred per query."""
    if ids is None:
        last = 0
        while True:
            rows = session.execute(
                _SCREENS.where(Screen.id > last).order_by(Screen.id).limit(CHUNK)
            ).all()
            yield from _loaded(session, rows)
            if len(rows) < CHUNK:
                return
            last = rows[-1].id
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), CHUNK):
        part = wanted[start : start + CHUNK]
        yield from _loaded(session, session.execute(_SCREENS.where(Screen.id.in_(part))).all())


_SCREENS = sa.select(*SPEC_COLUMNS)
_MEMBERS = screen_group_members.c


def _loaded(session: Session, rows: Sequence[sa.Row[Any]]) -> Iterator[LoadedScreen]:
    if not rows:
        return
    groups: dict[int, list[str]] = defaultdict(list)
    for screen_id, name in session.execute(
        sa.select(_MEMBERS.screen_id, ScreenGroup.name)
        .join(ScreenGroup, ScreenGroup.id == _MEMBERS.group_id)
        .where(_MEMBERS.screen_id.in_([r.id for r in rows]))
    ):
        groups[screen_id].append(name)
    blackouts = in_force(session)
    for row in rows:
        names = groups.get(row.id, ())
        blackout = blackouts.for_screen(row.id, names) if blackouts else None
        yield LoadedScreen(row.id, spec_of(row, names, blackout), row.token_hash)
