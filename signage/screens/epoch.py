"""The playlist epoch: a counter bumped by every change that alters some screens' playlists.

A change (a notice approved or withdrawn, a screen edited) calls :func:`bump_playlists` in its
own transaction: it bumps the one ``playlist_epoch`` row and stamps the affected screens with the
new value (``screens.playlist_seq``). Because the bump takes the row's lock until commit, epochs
become visible in order: a process that reads epoch N knows every change up to N is committed,
and finds the screens whose playlists to compile again with ``playlist_seq > its last epoch``
(:mod:`signage.delivery.cache`). It lives here, beside the screens it stamps, so that the areas
that change playlists need not know how playlists are delivered.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from signage.db import Base
from signage.screens.models import Screen

# Set in a session's ``info`` by :func:`bump_playlists` to the new epoch: a process that caches
# playlists looks at the epoch as soon as that session commits (the change was made here).
BUMPED = "signage.playlists_bumped"


class PlaylistEpoch(Base):
    __tablename__ = "playlist_epoch"

    id: Mapped[int] = mapped_column(primary_key=True)  # always 1
    seq: Mapped[int] = mapped_column(sa.BigInteger, default=0)


def bump_playlists(session: Session, screen_ids: Iterable[int]) -> int | None:
    """Advance the playlist epoch and stamp ``screen_ids`` with it; return the new epoch.

    Call it inside the transaction that makes the change, so both commit together. Nothing is
    written when no screen is affected.
    """
    ids = sorted(set(screen_ids))
    if not ids:
        return None
    bumped = session.execute(
        sa.update(PlaylistEpoch)
        .where(PlaylistEpoch.id == 1)
        .values(seq=PlaylistEpoch.seq + 1)
        .returning(PlaylistEpoch.seq)
    ).scalar_one_or_none()
    if bumped is None:  # a database emptied by hand; the migration creates the row
        session.add(PlaylistEpoch(id=1, seq=1))
        session.flush()
        bumped = 1
    session.execute(sa.update(Screen).where(Screen.id.in_(ids)).values(playlist_seq=bumped))
    session.info[BUMPED] = bumped
    return bumped


def current_epoch(session: Session) -> int:
    """Return the playlist epoch as committed now (0 before the first change)."""
    return session.scalar(sa.select(PlaylistEpoch.seq)) or 0


def screens_changed_since(session: Session, epoch: int) -> set[int]:
    """Return the ids of the screens whose playlists changed after ``epoch``."""
    return set(session.scalars(sa.select(Screen.id).where(Screen.playlist_seq > epoch)))
