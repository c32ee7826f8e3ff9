"""``GET /api/v1/screens/<key>/chain``: a screen's own chain, record by record, for checking."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from pydantic import Field
from typing_extensions import TypedDict

from signage.api.common import Query, actor, parse_query, session
from signage.api.contract import contract, reply
from signage.db import MAX_BIGINT
from signage.evidence.feed import chain_feed

bp = Blueprint("evidence", __name__)


class ChainQuery(Query):
    after: int = Field(default=0, ge=0, le=MAX_BIGINT, description="the last seq already read")
    limit: int = Field(default=1000, ge=1, le=1000)


@reply
class ChainItem(TypedDict):
    seq: int
    kind: str  # play or refused
    record: str | None  # the exact bytes its hash covers (None: a refused record edited since)
    hash: str | None
    after_gap: bool  # lost events (a recorded gap) come before it


@reply
class SignedHeadReply(TypedDict):
    seq: int
    hash: str
    key_id: str
    signature: str
    signed_at: str


@reply
class PlayerKeyReply(TypedDict):
    key_id: str
    public_key: str
    registered_at: str
    retired_at: str | None


@reply
class ChainPage(TypedDict):
    screen: str
    items: list[ChainItem]
    next_after: int | None  # None: this is the last page
    signed_head: SignedHeadReply | None
    player_keys: list[PlayerKeyReply]


@bp.get("/screens/<key>/chain")
@contract(
    "The screen's own chain (plays and refused events), each record's exact hashed bytes, "
    "its signed head and its player keys: what a third party checks a checkpoint against",
    "supervisor, admin",
    query=ChainQuery,
    answers=ChainPage,
)
def chain(key: str) -> Any:
    q = parse_query(ChainQuery)
    return chain_feed(session(), actor(), key, after=q.after, limit=q.limit)
