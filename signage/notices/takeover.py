"""Takeovers (整屏接管): an urgent revision that plays alone on its screens while its window is
open (the scheduling core gives every other item only the time outside it), and everything
returns by itself when it ends or is withdrawn.

A takeover is reviewed on a fast path instead of its category's whole chain: one decision, by
anyone who may decide any stage of that chain (the default of ``SIGNAGE_TAKEOVER_REVIEW``,
``any-stage``), recorded as the stage 快速审核（整屏接管）; with ``chain`` it passes the whole
chain. The duty officer writes urgent notices (warnings from a template, takeovers) and may
withdraw any urgent notice, which is how a takeover is lifted before its window ends.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from playlists import Priority
from signage.accounts.models import Role, User
from signage.chains.rules import Stage, chain_for, deciders
from signage.errors import Conflict, InvalidInput
from signage.notices.models import Notice, NoticeRevision
from signage.notices.steps import reached_groups

FAST_STAGE = "快速审核（整屏接管）"
REVIEW_SETTINGS = ("any-stage", "chain")
_setting = {"review": "any-stage"}


def configure(config: dict[str, object]) -> None:
    """Take ``SIGNAGE_TAKEOVER_REVIEW`` from the settings."""
    value = str(config.get("SIGNAGE_TAKEOVER_REVIEW", "any-stage"))
    if value not in REVIEW_SETTINGS:
        raise ValueError(f"SIGNAGE_TAKEOVER_REVIEW must be any-stage or chain, not {value!r}")
    _setting["review"] = value


def takeover_stage(session: Session, revision: NoticeRevision) -> Stage | None:
    """The fast path of a takeover being submitted (None: its whole chain, by the setting);
    raise :class:`InvalidInput` unless it is urgent, :class:`Conflict` when nobody but its
    author could decide it."""
    if revision.priority != Priority.URGENT:
        raise InvalidInput(
            "a takeover is an urgent notice: set its priority to urgent", field="takeover"
        )
    if _setting["review"] == "chain":
        return None
    groups = reached_groups(session, revision)
    chain = chain_for(session, revision.category, [g.id for g in groups])
    people: set[int] = set()
    for stage in chain.stages:
        people |= deciders(session, stage)
    people.discard(revision.created_by_id)
    if not people:
        raise Conflict(
            "nobody but its author may decide a stage of the review chain of %(category)s: a "
            "takeover needs one other reviewer",
            category=revision.category,
        )
    return Stage(name=FAST_STAGE, user_ids=tuple(sorted(people)), confidentiality=True)


def may_lift(actor: User, notice: Notice) -> bool:
    """Whether ``actor`` may withdraw ``notice`` as the duty officer: an urgent one."""
    revision = notice.live_revision or notice.latest_revision
    return (
        actor.active
        and actor.has_role(Role.DUTY)
        and revision is not None
        and revision.priority == Priority.URGENT
    )
