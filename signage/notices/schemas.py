"""Request bodies and JSON shapes of the notices API."""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import Field, create_model
from typing_extensions import TypedDict

from playlists import Kind, Priority
from playlists.content import LEVELS
from playlists.jsonvalues import WHOLE, Whole
from signage.accounts.models import User
from signage.api.common import ApiTime, Body, Query, QueryText
from signage.api.contract import reply
from signage.audit.models import AuditEntry
from signage.chains.schemas import FlagReply, StepReply, step_json
from signage.db import MAX_INT
from signage.notices.content import (
    BODY_MAX,
    DURATION_RANGE,
    FIELD_NAMES,
    MAY_BE_EMPTY,
    TITLE_MAX,
    WORKING_DAYS_RANGE,
    NoticeFields,
    plain_fields,
    revision_fields,
)
from signage.notices.models import Notice, NoticeRevision, NoticeStatus
from signage.notices.services import NOTE_MAX
from signage.times import isoformat_z

# How the API takes each type of NoticeFields: times are ISO-8601 text with an offset in the
# accepted range, targets are JSON arrays, whole numbers may come as JSON writes them.
_API_TYPES: dict[Any, Any] = {
    dt.datetime | None: ApiTime | None,
    Sequence[str] | None: list[Annotated[str, Field(min_length=1, max_length=100)]] | None,
    int | None: Whole | None,
}
# The limits the service checks (signage.notices.content), in the body's JSON Schema too.
_LIMITS: dict[str, Any] = {
    "title": Annotated[str, Field(min_length=1, max_length=TITLE_MAX)] | None,
    "body": Annotated[str, Field(max_length=BODY_MAX)] | None,
    "category": Annotated[str, Field(min_length=1, max_length=100)] | None,
    "kind": Literal[tuple(k.value for k in Kind)] | None,
    "priority": Literal[tuple(p.value for p in Priority)] | None,
    "media_sha256": Annotated[
        str, Field(pattern="^([0-9a-fA-F]{64})?$", description="an uploaded image's; '' clears")
    ]
    | None,
    "duration_s": Annotated[int, Field(ge=DURATION_RANGE[0], le=DURATION_RANGE[1]), WHOLE] | None,
    "dayparts": Annotated[str, Field(description="weekly hours, e.g. 1-5 08:00-18:00; '' clears")]
    | None,
    "required_working_days": Annotated[
        int,
        Field(ge=0, le=WORKING_DAYS_RANGE[1], description="a 公示's legal period; 0 clears"),
        WHOLE,
    ]
    | None,
    "level": Literal[("", *LEVELS)] | None,
}


class _NoticeBody(Body):
    def to_fields(self) -> NoticeFields:
        return NoticeFields(
            **self.model_dump(include=set(FIELD_NAMES), exclude_unset=True, exclude_none=True)
        )


def _body_fields() -> dict[str, Any]:
    hints = typing.get_type_hints(NoticeFields)
    return {
        name: (_LIMITS.get(name, _API_TYPES.get(hints[name], hints[name])), None)
        for name in FIELD_NAMES
    }


# The body of POST /notices and PATCH /notices/<id>: every field of NoticeFields, all optional.
NoticeEdit = create_model(
    "NoticeEdit",
    __base__=_NoticeBody,
    __doc__="Fields of a notice; all optional here, the service says which a new notice needs.",
    **_body_fields(),
)

RepublishBody = create_model(
    "RepublishBody",
    __base__=NoticeEdit,
    __doc__="Show a withdrawn or expired notice again (重播): the fields to change (a new "
    "window, usually), and whether it concerns a major matter (重大事项).",
    major_matter=(bool | None, None),
)


class NoticeQuery(Query):
    """The filters of the notice list."""

    status: NoticeStatus | None = None
    category: QueryText | None = None
    screen: QueryText | None = Field(default=None, description="a screen's key")
    text: QueryText | None = Field(default=None, description="words in the title or body")
    limit: int = Field(default=50, ge=1, le=500)
    offset: int = Field(default=0, ge=0, le=10_000_000)


RevisionNumber = Annotated[
    int, Field(ge=1, le=MAX_INT, description="the revision number reviewed"), WHOLE
]


# The stage the reviewer decided on (1 is the first): one decided meanwhile is not decided
# again in its place.
StageNumber = Annotated[int, Field(ge=1, le=100, description="the stage number decided"), WHOLE]


class FlagNote(Body):
    """The confidentiality stage's note on one pre-check flag (its index in the revision's)."""

    index: Annotated[int, Field(ge=0, le=10_000), WHOLE]
    note: Annotated[str, Field(min_length=1, max_length=NOTE_MAX)]


class ApproveBody(Body):
    """Pass the current stage. The stage carrying the confidentiality review needs
    ``confidentiality_reviewed`` and a note on every pre-check flag; the last stage may hold
    the notice (待用) instead of publishing it, until ``publish_at`` or a publish by hand."""

    confidentiality_reviewed: bool = False
    note: Annotated[str, Field(max_length=NOTE_MAX)] = ""
    # The revision the reviewer read: a revision that arrived meanwhile is not approved unread.
    revision: RevisionNumber
    stage: StageNumber | None = None
    flags: list[FlagNote] = Field(default_factory=list, max_length=10_000)
    hold: bool = False
    publish_at: ApiTime | None = None


class SubmitBody(Body):
    """Optional: an image aimed at a strip (32 px high or less) is refused unless
    ``show_image_on_strips`` is set; ``major_matter`` (重大事项) adds the escalation stage."""

    show_image_on_strips: bool = False
    major_matter: bool = False
    takeover: bool = Field(
        default=False,
        description="an urgent notice that plays alone on its screens while its window is open "
        "(整屏接管), reviewed on the deployment's fast path",
    )


class ReasonBody(Body):
    reason: Annotated[str, Field(min_length=1, max_length=NOTE_MAX)]


class DecisionBody(Body):
    """A stage's decision with its reason, on the revision the reviewer read."""

    reason: Annotated[str, Field(min_length=1, max_length=NOTE_MAX)]
    revision: RevisionNumber | None = None
    stage: StageNumber | None = None


def _json_type(name: str, hint: Any) -> Any:
    """The JSON type of a checked revision's field ``name`` (as :func:`plain_fields` writes it)."""
    base = {dt.datetime | None: str, Sequence[str] | None: list[str]}.get(
        hint, typing.get_args(hint)[0]
    )
    return base | None if name in MAY_BE_EMPTY else base


@reply
class ReviewReply(TypedDict):
    by: str | None
    at: str
    note: str | None
    confidentiality_reviewed: bool


# A revision as the API answers it: its number and state, every field of NoticeFields, and the
# record of its writing and review.
RevisionReply = reply(
    TypedDict(  # type: ignore[operator]
        "RevisionReply",
        {
            "revision": int,
            "state": str,
            "content_sha256": str,
            **{
                name: _json_type(name, hint)
                for name, hint in typing.get_type_hints(NoticeFields).items()
            },
            "created_by": str,
            "created_at": str,
            "submitted_at": str | None,
            "review": ReviewReply | None,
            "major_matter": bool,
            "takeover": bool,
            "precheck_flags": list[FlagReply],
            "steps": list[StepReply],
            "publish_at": str | None,
        },
    )
)


@reply
class NoticeShort(TypedDict):
    id: int
    revision: int
    status: str


@reply
class NoticeSummary(TypedDict):
    id: int
    status: str
    revision: int
    live_revision: int | None
    pending_revision: int | None
    title: str
    category: str
    priority: str
    valid_from: str
    valid_until: str
    created_by: str
    created_at: str
    updated_at: str


@reply
class NoticePage(TypedDict):
    items: list[NoticeSummary]
    total: int
    limit: int
    offset: int


@reply
class HistoryReply(TypedDict):
    seq: int
    at: str
    actor: str
    action: str
    details: dict[str, Any]


@reply
class NoticeDetail(NoticeSummary):
    closed_at: str | None
    close_reason: str | None
    source: str | None  # an official warning's format, sender and identifier; null: written
    revisions: list[RevisionReply]  # type: ignore[valid-type]
    history: list[HistoryReply]


def revision_json(revision: NoticeRevision, names: dict[int, User] | None = None) -> Any:
    names = names or {}
    return {
        "revision": revision.number,
        "state": revision.state,
        "content_sha256": revision.content_sha256,
        **plain_fields(revision_fields(revision)),
        "created_by": revision.created_by.username,
        "created_at": isoformat_z(revision.created_at),
        "submitted_at": isoformat_z(revision.submitted_at) if revision.submitted_at else None,
        "review": None
        if revision.reviewed_at is None
        else {
            "by": revision.reviewed_by.username if revision.reviewed_by else None,
            "at": isoformat_z(revision.reviewed_at),
            "note": revision.review_note,
            "confidentiality_reviewed": revision.confidentiality_reviewed,
        },
        "major_matter": revision.major_matter,
        "takeover": revision.takeover,
        "precheck_flags": list(revision.precheck_flags or []),
        "steps": [step_json(s, names) for s in revision.steps],
        "publish_at": isoformat_z(revision.publish_at) if revision.publish_at else None,
    }


def notice_summary(notice: Notice) -> NoticeSummary:
    latest = notice.latest_revision
    live = notice.live_revision
    pending = notice.pending_revision
    return {
        "id": notice.id,
        "status": notice.status,
        "revision": latest.number,
        "live_revision": live.number if live else None,
        "pending_revision": pending.number if pending else None,
        "title": latest.title,
        "category": latest.category,
        "priority": latest.priority,
        "valid_from": isoformat_z(latest.valid_from),
        "valid_until": isoformat_z(latest.valid_until),
        "created_by": notice.created_by.username,
        "created_at": isoformat_z(notice.created_at),
        "updated_at": isoformat_z(notice.updated_at),
    }


def history_json(entry: AuditEntry) -> HistoryReply:
    return {
        "seq": entry.seq,
        "at": isoformat_z(entry.at),
        "actor": entry.actor,
        "action": entry.action,
        "details": entry.details_dict,
    }


def notice_detail(
    notice: Notice, history: list[AuditEntry], names: dict[int, User] | None = None
) -> NoticeDetail:
    """The notice with its revisions (``names``: the users the stages name, by id)."""
    names = names or {}
    summary: dict[str, Any] = dict(notice_summary(notice))
    return summary | {  # type: ignore[return-value]
        "closed_at": isoformat_z(notice.closed_at) if notice.closed_at else None,
        "close_reason": notice.close_reason,
        "source": notice.source,
        "revisions": [revision_json(r, names) for r in notice.revisions],
        "history": [history_json(e) for e in history],
    }
