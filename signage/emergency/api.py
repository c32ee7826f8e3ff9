"""JSON endpoints for blackouts (一键关停): order one, lift it, list them."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, url_for

from signage.api.common import actor, now, parse_body, parse_query, session
from signage.api.contract import contract
from signage.emergency import blackouts
from signage.emergency.schemas import (
    BlackoutBody,
    BlackoutList,
    BlackoutQuery,
    BlackoutReply,
    blackout_json,
)

bp = Blueprint("emergency", __name__)


@bp.post("/blackouts")
@contract(
    "Black out screens now: every screen, or the screens and groups named, with a reason",
    "duty, admin",
    ok=201,
    body=BlackoutBody,
    answers=BlackoutReply,
)
def order() -> Any:
    body = parse_body(BlackoutBody)
    db = session()
    blackout = blackouts.order_blackout(
        db,
        actor(),
        reason=body.reason,
        everywhere=body.all,
        screens=body.screens,
        groups=body.groups,
        now=now(),
    )
    covered = blackouts.covered_counts(db, [blackout])[blackout.id]
    return (
        blackout_json(blackout, covered),
        201,
        {"Location": url_for(".get", blackout_id=blackout.id)},
    )


@bp.get("/blackouts")
@contract("Blackouts, newest first", "any staff role", query=BlackoutQuery, answers=BlackoutList)
def list_() -> Any:
    q = parse_query(BlackoutQuery)
    db = session()
    found = blackouts.list_blackouts(db, actor(), in_force_only=q.in_force)
    counts = blackouts.covered_counts(db, found)
    return {"items": [blackout_json(b, counts[b.id]) for b in found]}


@bp.get("/blackouts/<int:blackout_id>")
@contract("One blackout", "any staff role", answers=BlackoutReply)
def get(blackout_id: int) -> Any:
    db = session()
    blackout = blackouts.get_blackout(db, actor(), blackout_id)
    return blackout_json(blackout, blackouts.covered_counts(db, [blackout])[blackout.id])


@bp.delete("/blackouts/<int:blackout_id>")
@contract(
    "Lift a blackout: its screens show their playlists again", "duty, admin", answers=BlackoutReply
)
def lift(blackout_id: int) -> Any:
    db = session()
    blackout = blackouts.lift_blackout(db, actor(), blackout_id, now=now())
    return blackout_json(blackout, blackouts.covered_counts(db, [blackout])[blackout.id])
