"""The reports' API: the working-day calendar an admin enters, and the JSON types of the
reports' answers (which :mod:`signage.reports.export` writes)."""

from __future__ import annotations

from typing import Literal, NotRequired

from pydantic import Field
from typing_extensions import TypedDict

from signage.api.common import ApiDate, Body, Query, QueryDate, QueryText
from signage.api.contract import reply
from signage.reports.calendar import NAME_MAX, SOURCE_MAX
from signage.reports.compliance import DEFAULT_GAP_MINUTES, GAP_MINUTES_RANGE
from signage.times import YEAR_PATTERN


class HolidayEntry(Body):
    date: ApiDate = Field(description="YYYY-MM-DD, in the year")
    name: str = Field(min_length=1, max_length=NAME_MAX, description="e.g. 春节")


class HolidaysBody(Body):
    """A year's official calendar: weekdays off work and weekend days worked instead."""

    holidays: list[HolidayEntry] = Field(min_length=1)
    workdays: list[HolidayEntry] = Field(default_factory=list)
    source: str = Field(
        default="", max_length=SOURCE_MAX, description="the notice the dates come from"
    )


# The year in /holidays/<year>: four digits, in the years the system accepts.
YEAR_PATH = {"type": "string", "pattern": YEAR_PATTERN, "description": "e.g. 2027"}


# --- the reports' query values -----------------------------------------------------------------

Format = Literal["json", "csv"]


class ComplianceQuery(Query):
    gap_minutes: int = Field(
        default=DEFAULT_GAP_MINUTES,
        ge=GAP_MINUTES_RANGE[0],
        le=GAP_MINUTES_RANGE[1],
        description="report gaps between displays longer than this",
    )
    format: Format = "json"


class AnnualQuery(Query):
    year: str = Field(pattern=YEAR_PATTERN, description="the calendar year, e.g. 2026")
    format: Format = "json"


class UptimeQuery(Query):
    first: QueryDate = Field(alias="from", description="YYYY-MM-DD")
    last: QueryDate = Field(alias="to", description="YYYY-MM-DD")
    screen: QueryText | None = Field(default=None, description="one screen's key")
    format: Format = "json"


# --- the reports' answers (written by signage.reports.export) -----------------------------------


@reply
class DayName(TypedDict):
    date: str
    name: str


@reply
class CalendarReply(TypedDict):
    year: int
    source: str
    reference: str
    entered_by: str | None
    entered_at: str | None
    holidays: list[DayName]
    workdays: list[DayName]


@reply
class ChainPointReply(TypedDict):
    seq: int
    hash: str
    at: NotRequired[str]
    what: NotRequired[str]


GapReply = reply(
    TypedDict(
        "GapReply",
        {
            "from": str,
            "to": str,
            "seconds": int,
            "cause": str,
            "causes": dict[str, int],
            "against_s": int,
            "counts_against": bool,
        },
    )
)
Span = reply(TypedDict("Span", {"from": str, "to": str | None}))


@reply
class StageDecisionReply(TypedDict):
    stage: str
    by: str
    by_name: str
    at: str
    decision: str


@reply
class ApprovalReply(TypedDict):
    revision: int
    content_sha256: str
    reviewed_by: str
    reviewed_by_name: str
    reviewed_at: str
    confidentiality_reviewed: bool
    note: str
    required_working_days: int | None
    valid_from: str
    valid_until: str
    live_from: str
    live_until: str | None
    stages: list[StageDecisionReply]


@reply
class CheckpointReply(TypedDict):
    """The signed checkpoint that covers a screen's last event, and the keys that check it."""

    number: int
    made_at: str
    sha256: str  # of the exported checkpoint-<number>.json
    controller_key: str
    controller_public_key: str | None
    display_seq: int
    player_seq: int | None
    player_key: str | None
    player_public_key: str | None


@reply
class ChainReply(TypedDict):
    first_event: ChainPointReply | None
    last_event: ChainPointReply | None
    head: ChainPointReply | None
    checkpoint: CheckpointReply | None  # None: no checkpoint made since the last event


@reply
class ScreenEvidenceReply(TypedDict):
    screen: str
    name: str
    timezone: str
    period: Span  # type: ignore[valid-type]
    examined_until: str
    reported_until: str | None
    verdict: str
    reasons: list[str]
    expected_plays: int | None
    expected_note: str
    plays: int
    interrupted: int
    errors: int
    first_display: str | None
    last_display: str | None
    gaps: list[GapReply]  # type: ignore[valid-type]
    chain: ChainReply


@reply
class AuditPoints(TypedDict):
    entries: list[ChainPointReply]
    head: ChainPointReply | None


@reply
class ComplianceReply(TypedDict):
    notice_id: int
    title: str
    category: str
    status: str
    closed_at: str | None
    close_reason: str | None
    required_working_days: int | None
    basis: str
    start: str
    gap_threshold_s: int
    verdict: str
    reasons: list[str]
    approvals: list[ApprovalReply]
    screens: list[ScreenEvidenceReply]
    audit: AuditPoints
    generated_at: str


@reply
class CountReply(TypedDict):
    key: str
    name: str
    notices: int
    plays: int
    interrupted: int
    errors: int
    shown_s: int


AnnualReply = reply(
    TypedDict(
        "AnnualReply",
        {
            "year": int,
            "timezone": str,
            "from": str,
            "to": str,
            "complete": bool,
            "headline": str,
            "notices": int,
            "plays": int,
            "total": CountReply,
            "by_category": list[CountReply],
            "by_screen": list[CountReply],
            "rolled_through": str | None,
            "generated_at": str,
        },
    )
)


@reply
class FiguresReply(TypedDict):
    monitored_s: int
    up_s: int
    offline_s: int
    open_s: int
    open_up_s: int
    uptime: float | None
    open_uptime: float | None


@reply
class UptimeDayReply(FiguresReply):
    day: str
    partial: bool


@reply
class ScreenUptimeReply(TypedDict):
    screen: str
    name: str
    status: str
    last_seen_at: str | None
    total: FiguresReply
    days: list[UptimeDayReply]


UptimeReply = reply(
    TypedDict(
        "UptimeReply",
        {
            "from": str,
            "to": str,
            "timezone": str,
            "screens": list[ScreenUptimeReply],
            "generated_at": str,
        },
    )
)
