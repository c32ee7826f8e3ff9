"""JSON endpoints for review chains, the pre-check's word list and one's review queue."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from signage.accounts.permissions import require_staff
from signage.api.common import actor, config, now, parse_body, parse_query, session
from signage.api.contract import contract
from signage.chains import rules
from signage.chains import words as word_list
from signage.chains.schemas import (
    PrecheckWordList,
    PrecheckWordsBody,
    ReviewChainBody,
    ReviewChainList,
    ReviewChainQuery,
    ReviewChainReply,
    ReviewQueueReply,
    chain_reply,
)
from signage.notices.review import review_queue
from signage.times import isoformat_z

bp = Blueprint("chains", __name__)

CATEGORY = {"type": "string", "description": "a notice category (SIGNAGE_CATEGORIES)"}


@bp.get("/review-chains")
@contract(
    "The review chains: the default and each one set", "any staff role", answers=ReviewChainList
)
def list_() -> Any:
    db = session()
    chains = rules.list_chains(db, actor())
    return {
        "default": chain_reply(rules.DEFAULT_CHAIN, rules.chain_json(db, rules.DEFAULT_CHAIN)),
        "items": [chain_reply(c, rules.chain_json(db, c)) for c in chains],
    }


@bp.put("/review-chains/<category>")
@contract(
    "Set a category's review chain (for one screen group's notices with ?group=)",
    "admin",
    body=ReviewChainBody,
    query=ReviewChainQuery,
    answers=ReviewChainReply,
    path={"category": CATEGORY},
)
def put(category: str) -> Any:
    body = parse_body(ReviewChainBody)
    q = parse_query(ReviewChainQuery)
    db = session()
    chain = rules.put_chain(
        db,
        actor(),
        category,
        [s.to_spec() for s in body.stages],
        escalation=body.escalation.to_spec() if body.escalation else None,
        group=q.group,
        categories=config("SIGNAGE_CATEGORIES"),
        now=now(),
    )
    return chain_reply(chain, rules.chain_json(db, chain))


@bp.delete("/review-chains/<category>")
@contract(
    "Remove a category's chain (or a group's, with ?group=); answers the chain that applies now",
    "admin",
    query=ReviewChainQuery,
    answers=ReviewChainReply,
    path={"category": CATEGORY},
)
def delete(category: str) -> Any:
    q = parse_query(ReviewChainQuery)
    db = session()
    rules.delete_chain(db, actor(), category, group=q.group, now=now())
    chain = rules.chain_for(db, category, [])
    return chain_reply(chain, rules.chain_json(db, chain))


@bp.get("/precheck-words")
@contract("The words the pre-check flags", "any staff role", answers=PrecheckWordList)
def words() -> Any:
    user = actor()
    require_staff(user)
    return {"words": word_list.precheck_words(session())}


@bp.put("/precheck-words")
@contract(
    "Replace the words the pre-check flags",
    "admin",
    body=PrecheckWordsBody,
    answers=PrecheckWordList,
)
def put_words() -> Any:
    body = parse_body(PrecheckWordsBody)
    return {"words": word_list.put_precheck_words(session(), actor(), body.words, now=now())}


@bp.get("/review-queue")
@contract(
    "What waits at a stage you may decide, the longest waiting first",
    "any staff role",
    answers=ReviewQueueReply,
)
def queue() -> Any:
    moment = now()
    items = []
    for revision, step in review_queue(session(), actor()):
        items.append(
            {
                "notice": revision.notice_id,
                "revision": revision.number,
                "title": revision.title,
                "category": revision.category,
                "author": revision.created_by.username,
                "stage": step.name,
                "stage_number": step.position + 1,
                "stages": len(revision.steps),
                "reached_at": isoformat_z(step.reached_at) if step.reached_at else None,
                "due_at": isoformat_z(step.due_at) if step.due_at else None,
                "overdue": step.due_at is not None and step.due_at < moment,
                "precheck_flags": len(revision.precheck_flags or []),
            }
        )
    return {"items": items}
