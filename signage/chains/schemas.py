"""Request bodies and JSON shapes of the review chains API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import Field
from typing_extensions import TypedDict

from playlists.jsonvalues import WHOLE
from signage.accounts.models import User
from signage.api.common import Body, Query, QueryText
from signage.api.contract import reply
from signage.chains.rules import (
    DUE_RANGE,
    ESCALATION_DUE_DAYS,
    NAME_MAX,
    STAGE_DUE_DAYS,
    STAGES_MAX,
    Chain,
    StageSpec,
)
from signage.chains.words import WORD_MAX, WORDS_MAX
from signage.notices.models import Notice, ReviewStep
from signage.notices.steps import current_step
from signage.times import isoformat_z

Username = Annotated[str, Field(min_length=1, max_length=64)]


class ReviewStageBody(Body):
    """A stage: decided by holders of ``role``, or by the ``users`` named (or either)."""

    name: Annotated[str, Field(min_length=1, max_length=NAME_MAX)]
    role: Annotated[str, Field(min_length=1, max_length=16)] | None = None
    users: list[Username] = Field(default_factory=list, max_length=100)
    confidentiality: bool = Field(
        default=False, description="this stage carries the confidentiality review (保密审查)"
    )
    due_working_days: Annotated[int, Field(ge=DUE_RANGE[0], le=DUE_RANGE[1]), WHOLE] = (
        STAGE_DUE_DAYS
    )

    def to_spec(self) -> StageSpec:
        return StageSpec(
            name=self.name,
            role=self.role,
            users=tuple(self.users),
            confidentiality=self.confidentiality,
            due_working_days=self.due_working_days,
        )


class EscalationBody(ReviewStageBody):
    due_working_days: Annotated[int, Field(ge=DUE_RANGE[0], le=DUE_RANGE[1]), WHOLE] = (
        ESCALATION_DUE_DAYS
    )


class ReviewChainBody(Body):
    """The ordered stages, and the escalation stage (提级审核) a stage may refer up to."""

    stages: list[ReviewStageBody] = Field(max_length=STAGES_MAX)
    escalation: EscalationBody | None = None


class ReviewChainQuery(Query):
    group: QueryText | None = Field(
        default=None, description="a screen group's name: its own chain for this category"
    )


class PrecheckWordsBody(Body):
    words: list[Annotated[str, Field(max_length=WORD_MAX)]] = Field(max_length=WORDS_MAX)


@reply
class ReviewStageReply(TypedDict):
    name: str
    role: str | None
    users: list[str]
    confidentiality: bool
    due_working_days: int


@reply
class ReviewChainReply(TypedDict):
    category: str | None
    group: str | None
    stages: list[ReviewStageReply]
    escalation: ReviewStageReply | None
    updated_by: str | None
    updated_at: str | None


@reply
class ReviewChainList(TypedDict):
    default: ReviewChainReply
    items: list[ReviewChainReply]


@reply
class PrecheckWordList(TypedDict):
    words: list[str]


@reply
class ReviewQueueItem(TypedDict):
    notice: int
    revision: int
    title: str
    category: str
    author: str
    stage: str
    stage_number: int
    stages: int
    reached_at: str | None
    due_at: str | None
    overdue: bool
    precheck_flags: int


@reply
class ReviewQueueReply(TypedDict):
    items: list[ReviewQueueItem]


def chain_reply(chain: Chain, stages: dict[str, Any]) -> ReviewChainReply:
    """``stages``: :func:`signage.chains.rules.chain_json` of the chain."""
    when: dt.datetime | None = chain.updated_at
    return {
        "category": chain.category,
        "group": chain.group,
        "stages": stages["stages"],
        "escalation": stages["escalation"],
        "updated_by": chain.updated_by,
        "updated_at": isoformat_z(when) if when else None,
    }


# --- a revision's stages and where a notice stands in its chain (the notices API's answers)


@reply
class StepReply(TypedDict):
    stage: str
    stage_number: int
    role: str | None
    users: list[str]
    confidentiality: bool
    escalation: bool
    added_because: str | None
    reached_at: str | None
    due_at: str | None
    decision: str | None
    decided_by: str | None
    decided_at: str | None
    note: str | None
    flag_notes: dict[str, str] | None


@reply
class FlagReply(TypedDict):
    kind: str
    text: str
    field: str
    start: int
    end: int


@reply
class ProgressReply(TypedDict):
    stage: str | None
    stage_number: int | None
    stages: int
    due_at: str | None


@reply
class DecisionReply(TypedDict):
    id: int
    revision: int
    status: str
    review: ProgressReply


def _when(value: dt.datetime | None) -> str | None:
    return isoformat_z(value) if value else None


def step_json(step: ReviewStep, names: dict[int, User]) -> StepReply:
    return {
        "stage": step.name,
        "stage_number": step.position + 1,
        "role": step.role,
        "users": [names[i].username for i in step.user_ids or () if i in names],
        "confidentiality": step.confidentiality,
        "escalation": step.escalation,
        "added_because": step.added_because,
        "reached_at": _when(step.reached_at),
        "due_at": _when(step.due_at),
        "decision": step.decision,
        "decided_by": step.decided_by.username if step.decided_by else None,
        "decided_at": _when(step.decided_at),
        "note": step.note,
        "flag_notes": step.flag_notes,
    }


def progress_json(notice: Notice) -> ProgressReply:
    """Where the notice's pending revision stands in its chain."""
    revision = notice.pending_revision
    steps = revision.steps if revision is not None else []
    step = current_step(revision) if revision is not None else None
    return {
        "stage": step.name if step else None,
        "stage_number": step.position + 1 if step else None,
        "stages": len(steps),
        "due_at": _when(step.due_at) if step else None,
    }


def decision_json(notice: Notice) -> DecisionReply:
    return {
        "id": notice.id,
        "revision": notice.latest_revision.number,
        "status": notice.status,
        "review": progress_json(notice),
    }
