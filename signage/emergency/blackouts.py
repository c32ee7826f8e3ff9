"""Blackouts (一键关停) ordered from the controller: the one place that says who may order one,
which screens it covers, and what a screen's playlist says while it lasts.

A blackout covers every screen, or the screens and groups it names (a group's screens as they
are at any moment). While one covers a screen, the screen's playlist holds no items and carries
the blackout order (:class:`playlists.BlackoutOrder`, the earliest blackout covering it), so
the player shows black: no filler, no urgent item. Ordering or lifting one bumps the playlist
epoch of the screens it covers (:mod:`signage.screens.epoch`), so every controller process
compiles them again at once and the screens have it from their next poll. Both are audited.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from playlists import BlackoutOrder
from signage.accounts.models import Role, User
from signage.accounts.permissions import require_role, require_staff
from signage.audit.services import record
from signage.emergency.models import Blackout
from signage.errors import Conflict, InvalidInput, NotFound
from signage.screens.epoch import bump_playlists
from signage.screens.models import Screen, screen_group_members
from signage.screens.services import groups_by_name, screens_by_key

# Who may black screens out and lift it: the duty officer (值班员) and admins.
ON_DUTY = (Role.DUTY, Role.ADMIN)
REASON_MAX = 500


def order_of(blackout: Blackout) -> BlackoutOrder:
    """A blackout as the playlist document carries it."""
    return BlackoutOrder(id=blackout.id, since=blackout.created_at, reason=blackout.reason)


@dataclass
class InForce:
    """The blackouts in force, as compiling playlists needs them (read by :func:`in_force`)."""

    everywhere: list[BlackoutOrder] = field(default_factory=list)
    by_screen: dict[int, list[BlackoutOrder]] = field(default_factory=lambda: defaultdict(list))
    by_group: dict[str, list[BlackoutOrder]] = field(default_factory=lambda: defaultdict(list))

    def for_screen(self, screen_id: int, groups: Iterable[str]) -> BlackoutOrder | None:
        """The earliest blackout covering the screen, or None."""
        found = [*self.everywhere, *self.by_screen.get(screen_id, ())]
        for group in groups:
            found.extend(self.by_group.get(group, ()))
        return min(found, key=lambda o: (o.since, o.id)) if found else None

    def __bool__(self) -> bool:
        return bool(self.everywhere or self.by_screen or self.by_group)


def in_force(session: Session) -> InForce:
    """The blackouts in force now (three small queries; one when there is none)."""
    found = InForce()
    rows = list(session.execute(sa.select(Blackout).where(Blackout.lifted_at.is_(None))).scalars())
    if not rows:
        return found
    for blackout in rows:
        order = order_of(blackout)
        if blackout.all_screens:
            found.everywhere.append(order)
        for screen in blackout.screens:
            found.by_screen[screen.id].append(order)
        for group in blackout.groups:
            found.by_group[group.name].append(order)
    return found


def covered_screen_ids(session: Session, blackout: Blackout) -> set[int]:
    """The ids of the screens ``blackout`` covers now."""
    if blackout.all_screens:
        return set(session.scalars(sa.select(Screen.id)))
    ids = {s.id for s in blackout.screens}
    group_ids = [g.id for g in blackout.groups]
    if group_ids:
        ids.update(
            session.scalars(
                sa.select(screen_group_members.c.screen_id).where(
                    screen_group_members.c.group_id.in_(group_ids)
                )
            )
        )
    return ids


def order_blackout(
    session: Session,
    actor: User,
    *,
    reason: str,
    now: dt.datetime,
    everywhere: bool = False,
    screens: Sequence[str] = (),
    groups: Sequence[str] = (),
) -> Blackout:
    """Black out every screen (``everywhere``), or the screens and groups named, from now on."""
    require_role(actor, *ON_DUTY)
    reason = reason.strip()
    if not reason:
        raise InvalidInput("give the reason for the blackout", field="reason")
    if len(reason) > REASON_MAX:
        raise InvalidInput(
            "a reason has at most %(reason_max)s characters", reason_max=REASON_MAX, field="reason"
        )
    if everywhere and (screens or groups):
        raise InvalidInput(
            "all covers every screen: name no screens or groups with it", field="all"
        )
    if not everywhere and not screens and not groups:
        raise InvalidInput(
            'say what to black out: "all": true, or screens, or groups', field="screens"
        )
    blackout = Blackout(
        all_screens=everywhere,
        reason=reason,
        created_by_id=actor.id,
        created_at=now,
        screens=screens_by_key(session, screens),
        groups=groups_by_name(session, groups),
    )
    session.add(blackout)
    session.flush()
    covered = covered_screen_ids(session, blackout)
    bump_playlists(session, covered)
    record(
        session,
        actor=actor,
        action="blackout.order",
        object_type="blackout",
        object_id=blackout.id,
        now=now,
        details={
            "all": everywhere,
            "screens": [s.key for s in blackout.screens],
            "groups": [g.name for g in blackout.groups],
            "reason": reason,
            "screens_covered": len(covered),
        },
    )
    return blackout


def lift_blackout(session: Session, actor: User, blackout_id: int, *, now: dt.datetime) -> Blackout:
    """Lift a blackout: its screens show their playlists again (unless another covers them)."""
    require_role(actor, *ON_DUTY)
    blackout = get_blackout(session, actor, blackout_id)
    if blackout.lifted_at is not None:
        raise Conflict("blackout %(blackout_id)s was lifted already", blackout_id=blackout_id)
    # A conditional update: two officers lifting at once, one of them lifts it.
    lifted = session.execute(
        sa.update(Blackout)
        .where(Blackout.id == blackout.id, Blackout.lifted_at.is_(None))
        .values(lifted_at=now, lifted_by_id=actor.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not lifted:
        raise Conflict("blackout %(blackout_id)s was lifted already", blackout_id=blackout_id)
    session.refresh(blackout)
    covered = covered_screen_ids(session, blackout)
    bump_playlists(session, covered)
    record(
        session,
        actor=actor,
        action="blackout.lift",
        object_type="blackout",
        object_id=blackout.id,
        now=now,
        details={"screens_covered": len(covered), "since": blackout.created_at.isoformat()},
    )
    return blackout


def get_blackout(session: Session, actor: User, blackout_id: int) -> Blackout:
    require_staff(actor)
    blackout = session.get(Blackout, blackout_id)
    if blackout is None:
        raise NotFound("no blackout %(blackout_id)s", blackout_id=blackout_id)
    return blackout


def list_blackouts(
    session: Session, actor: User, *, in_force_only: bool = False, limit: int = 50
) -> list[Blackout]:
    """Blackouts, newest first (only those in force with ``in_force_only``)."""
    require_staff(actor)
    query = sa.select(Blackout).order_by(Blackout.created_at.desc(), Blackout.id.desc())
    if in_force_only:
        query = query.where(Blackout.lifted_at.is_(None))
    return list(session.scalars(query.limit(limit)))


def covered_counts(session: Session, blackouts: Sequence[Blackout]) -> dict[int, int]:
    """How many screens each blackout covers now, by id."""
    total = None
    counts: dict[int, int] = {}
    for blackout in blackouts:
        if blackout.all_screens:
            if total is None:
                total = session.scalar(sa.select(sa.func.count(Screen.id))) or 0
            counts[blackout.id] = total
        else:
            counts[blackout.id] = len(covered_screen_ids(session, blackout))
    return counts
