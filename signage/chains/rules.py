"""Review chains: which stages a category's notices pass and who decides each (the pre-check's
word list is :mod:`signage.chains.words`).

* A chain is an ordered list of stages (初审, 复审, 终审 …). Each is decided by holders of a
  role or by named users, may carry the confidentiality review (保密审查), and is due a number
  of working days after it is reached. A chain may name an escalation stage (提级审核) that a
  stage refers a revision up to, and that rules add for sensitive groups and major matters.
* A category has one chain for every screen (else :data:`DEFAULT_CHAIN`: one stage by a
  reviewer, as before chains existed) and may have one per screen group. A group's chain only
  ever adds review: a revision passes the longest of its category's chain and the chains of the
  groups it reaches (a group's, when as long), so aiming a notice at one more screen never
  takes a stage away.
* The chain must be decidable by different people: nobody decides two stages of one revision,
  so a chain is refused when its stages cannot be given one distinct active user each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from signage.accounts.models import Role, User, UserRole
from signage.accounts.permissions import require_role, require_staff
from signage.audit.services import record
from signage.chains.models import ReviewChain
from signage.errors import InvalidInput, NotFound
from signage.screens.services import groups_by_name

NAME_MAX = 20
STAGES_MAX = 8
DUE_RANGE = (1, 60)
STAGE_DUE_DAYS = 5  # one district's rule: five working days to review
ESCALATION_DUE_DAYS = 15  # and fifteen when referred upward


@dataclass(frozen=True)
class Stage:
    """One stage of a chain, as stored (users by id)."""

    name: str
    role: str | None = None
    user_ids: tuple[int, ...] = ()
    confidentiality: bool = False
    due_working_days: int = STAGE_DUE_DAYS

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role,
            "user_ids": list(self.user_ids),
            "confidentiality": self.confidentiality,
            "due_working_days": self.due_working_days,
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Stage:
        return cls(
            name=value["name"],
            role=value.get("role"),
            user_ids=tuple(value.get("user_ids") or ()),
            confidentiality=bool(value.get("confidentiality")),
            due_working_days=int(value.get("due_working_days") or STAGE_DUE_DAYS),
        )

    def may_decide(self, user: User) -> bool:
        """Whether ``user`` is one of those this stage names (active, by role or by name)."""
        if not user.active:
            return False
        return user.id in self.user_ids or (
            self.role is not None and user.has_role(Role(self.role))
        )


@dataclass(frozen=True)
class StageSpec:
    """A stage as an admin writes it (users by login name)."""

    name: str
    role: str | None = None
    users: Sequence[str] = ()
    confidentiality: bool = False
    due_working_days: int = STAGE_DUE_DAYS


@dataclass(frozen=True)
class Chain:
    """The stages a revision passes, and the stage it may be referred up to."""

    stages: tuple[Stage, ...]
    escalation: Stage | None = None
    category: str | None = None
    group: str | None = None  # the group whose chain this is; None: the category's
    updated_by: str | None = None
    updated_at: dt.datetime | None = None
    default: bool = field(default=False)


DEFAULT_CHAIN = Chain(
    stages=(Stage(name="审核", role=Role.REVIEWER.value, confidentiality=True),), default=True
)


def _chain(row: ReviewChain) -> Chain:
    return Chain(
        stages=tuple(Stage.from_json(s) for s in row.stages),
        escalation=Stage.from_json(row.escalation) if row.escalation else None,
        category=row.category,
        group=row.group.name if row.group else None,
        updated_by=row.updated_by.username if row.updated_by else None,
        updated_at=row.updated_at,
    )


def _row(session: Session, category: str, group_id: int | None) -> ReviewChain | None:
    return session.scalar(
        sa.select(ReviewChain).where(
            ReviewChain.category == category,
            ReviewChain.group_id.is_(None)
            if group_id is None
            else ReviewChain.group_id == group_id,
        )
    )


def chain_for(session: Session, category: str, group_ids: Iterable[int]) -> Chain:
    """The chain a revision in ``category`` reaching the groups ``group_ids`` passes."""
    ids = set(group_ids)
    rows = session.scalars(sa.select(ReviewChain).where(ReviewChain.category == category)).all()
    shared = [_chain(r) for r in rows if r.group_id is None]
    own = sorted(
        (_chain(r) for r in rows if r.group_id is not None and r.group_id in ids),
        key=lambda c: c.group or "",
    )
    # The longest; of equals, a group's own (the more particular) before the category's.
    candidates = [*own, *(shared or [DEFAULT_CHAIN])]
    return max(candidates, key=lambda c: len(c.stages))


def list_chains(session: Session, actor: User) -> list[Chain]:
    """Every chain an admin has set, by category then group (any staff may read them)."""
    require_staff(actor)
    rows = session.scalars(sa.select(ReviewChain)).all()
    chains = [_chain(r) for r in rows]
    return sorted(chains, key=lambda c: (c.category or "", c.group or ""))


def users_by_id(session: Session, ids: Iterable[int]) -> dict[int, User]:
    wanted = set(ids)
    if not wanted:
        return {}
    return {u.id: u for u in session.scalars(sa.select(User).where(User.id.in_(wanted)))}


def _checked_stage(session: Session, spec: StageSpec, where: str) -> Stage:
    name = spec.name.strip()
    if not 1 <= len(name) <= NAME_MAX:
        raise InvalidInput(
            "a stage's name must be 1–%(name_max)s characters",
            name_max=NAME_MAX,
            field=f"{where}.name",
        )
    role = spec.role or None
    if role is not None and role not in {r.value for r in Role}:
        raise InvalidInput(
            "unknown role %(role)s; roles are %(items)s",
            role=repr(role),
            items=", ".join(r.value for r in Role),
            field=f"{where}.role",
        )
    names = list(dict.fromkeys(u.strip() for u in spec.users))
    found = {
        u.username: u for u in session.scalars(sa.select(User).where(User.username.in_(names)))
    }
    for username in names:
        user = found.get(username)
        if user is None:
            raise InvalidInput(
                "no user %(username)s", username=repr(username), field=f"{where}.users"
            )
        if not user.active:
            raise InvalidInput(
                "user %(username)s is deactivated", username=repr(username), field=f"{where}.users"
            )
    if role is None and not names:
        raise InvalidInput("nobody can decide this stage: give a role or users", field=where)
    days = spec.due_working_days
    if (
        isinstance(days, bool)
        or not isinstance(days, int)
        or not (DUE_RANGE[0] <= days <= DUE_RANGE[1])
    ):
        raise InvalidInput(
            "due_working_days must be %(low)s–%(high)s",
            low=DUE_RANGE[0],
            high=DUE_RANGE[1],
            field=f"{where}.due_working_days",
        )
    return Stage(
        name=name,
        role=role,
        user_ids=tuple(found[n].id for n in names),
        confidentiality=bool(spec.confidentiality),
        due_working_days=days,
    )


def deciders(session: Session, stage: Stage) -> set[int]:
    """The active users who may decide ``stage``."""
    ids = set(stage.user_ids)
    if stage.role is not None:
        ids |= set(session.scalars(sa.select(UserRole.user_id).where(UserRole.role == stage.role)))
    return {uid for uid, u in users_by_id(session, ids).items() if u.active}


def distinct_deciders(candidates: Sequence[set[int]]) -> int | None:
    """The index of a stage that cannot get its own decider, or None if every stage can
    (a bipartite matching of stages to users, by augmenting paths)."""
    owner: dict[int, int] = {}

    def place(stage: int, seen: set[int]) -> bool:
        for user in sorted(candidates[stage]):
            if user in seen:
                continue
            seen.add(user)
            if user not in owner or place(owner[user], seen):
                owner[user] = stage
                return True
        return False

    for index in range(len(candidates)):
        if not place(index, set()):
            return index
    return None


def put_chain(
    session: Session,
    actor: User | None,
    category: str,
    stages: Sequence[StageSpec],
    *,
    escalation: StageSpec | None,
    group: str | None,
    categories: Sequence[str],
    now: dt.datetime,
) -> Chain:
    """Set the chain for ``category`` (and ``group``, when given) (admin; None: the system)."""
    if actor is not None:
        require_role(actor, Role.ADMIN)
    if category not in categories:
        raise InvalidInput(
            "unknown category %(category)s; categories are %(items)s",
            category=repr(category),
            items="、".join(categories),
            field="category",
        )
    target = groups_by_name(session, [group], field="group")[0] if group else None
    if not stages:
        raise InvalidInput("a chain needs at least one stage", field="stages")
    if len(stages) > STAGES_MAX:
        raise InvalidInput(
            "a chain has at most %(stages_max)s stages", stages_max=STAGES_MAX, field="stages"
        )
    checked = [_checked_stage(session, s, f"stages.{i}") for i, s in enumerate(stages)]
    upward = _checked_stage(session, escalation, "escalation") if escalation else None
    seen: dict[str, str] = {}
    for where, stage in [(f"stages.{i}", s) for i, s in enumerate(checked)] + (
        [("escalation", upward)] if upward else []
    ):
        if stage.name in seen:
            raise InvalidInput(
                "two stages are named %(name)s", name=repr(stage.name), field=f"{where}.name"
            )
        seen[stage.name] = where
    if not any(s.confidentiality for s in checked):
        raise InvalidInput(
            "one stage must carry the confidentiality review (保密审查)", field="stages"
        )
    everyone = [*checked, *([upward] if upward else [])]
    stuck = distinct_deciders([deciders(session, s) for s in everyone])
    if stuck is not None:
        where = "escalation" if stuck == len(checked) else f"stages.{stuck}"
        raise InvalidInput(
            "nobody is left to decide stage %(name)s: no two stages of a revision may be decided "
            "by the same person, and there are not enough active users with the roles or names "
            "given",
            name=repr(everyone[stuck].name),
            field=where,
        )
    row = _row(session, category, target.id if target else None)
    if row is None:
        row = ReviewChain(category=category, group_id=target.id if target else None)
        session.add(row)
    row.stages = [s.to_json() for s in checked]
    row.escalation = upward.to_json() if upward else None
    row.updated_at = now
    row.updated_by_id = actor.id if actor is not None else None
    row.updated_by = actor
    row.group = target
    session.flush()
    chain = _chain(row)
    record(
        session,
        actor=actor,
        action="review_chain.put",
        object_type="review_chain",
        object_id=f"{category}/{group or '*'}",
        now=now,
        details={"category": category, "group": group, **chain_json(session, chain)},
    )
    return chain


def delete_chain(
    session: Session, actor: User, category: str, *, group: str | None, now: dt.datetime
) -> None:
    """Remove the chain set for ``category`` (and ``group``): the fallback applies again."""
    require_role(actor, Role.ADMIN)
    target = groups_by_name(session, [group], field="group")[0] if group else None
    row = _row(session, category, target.id if target else None)
    if row is None:
        raise NotFound(
            "no review chain is set for %(category)s",
            category=f"{category} / {group}" if group else category,
        )
    session.delete(row)
    record(
        session,
        actor=actor,
        action="review_chain.delete",
        object_type="review_chain",
        object_id=f"{category}/{group or '*'}",
        now=now,
        details={"category": category, "group": group},
    )


def stage_json(stage: Stage, names: dict[int, User]) -> dict[str, Any]:
    return {
        "name": stage.name,
        "role": stage.role,
        "users": [names[i].username for i in stage.user_ids if i in names],
        "confidentiality": stage.confidentiality,
        "due_working_days": stage.due_working_days,
    }


def chain_json(session: Session, chain: Chain) -> dict[str, Any]:
    """The stages as the API and the audit log show them (users by login name)."""
    everyone = [*chain.stages, *([chain.escalation] if chain.escalation else [])]
    names = users_by_id(session, (i for s in everyone for i in s.user_ids))
    return {
        "stages": [stage_json(s, names) for s in chain.stages],
        "escalation": stage_json(chain.escalation, names) if chain.escalation else None,
    }
