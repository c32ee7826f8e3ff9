"""Record that some screens' playlists changed (see :mod:`signage.delivery.models`)."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from signage.delivery.models import PlaylistEpoch
from signage.notices.models import NoticeRevision
from signage.screens.models import Screen, screen_group_members


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
    return bumped


def revision_screen_ids(session: Session, revision: NoticeRevision | None) -> set[int]:
    """Return the ids of the screens a revision targets, directly or through a group."""
    if revision is None:
        return set()
    ids = {s.id for s in revision.screens}
    group_ids = [g.id for g in revision.groups]
    if group_ids:
        ids.update(
            session.scalars(
                sa.select(screen_group_members.c.screen_id).where(
                    screen_group_members.c.group_id.in_(group_ids)
                )
            )
        )
    return ids
