"""Request bodies and JSON shapes of the review chains API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import Field
from typing_extensions import TypedDict

from playlists.jsonvalues import WHOLE
from signage.api.common import Body, Query, QueryText
from signage.api.contract import reply
from signage.chains.rules import (
    DUE_RANGE,
    ESCALATION_DUE_DAYS,
    NAME_MAX,
    STAGE_DUE_DAYS,
    STAGES_MAX,
    WORD_MAX,
    WORDS_MAX,
    Chain,
    StageSpec,
)
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
