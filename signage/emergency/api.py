"""JSON endpoints for emergencies: blackouts (一键关停), ordered, lifted and listed; official
warnings pushed (CAP 1.2 or the national format) and listed."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, request, url_for

from signage.api.common import actor, now, parse_body, parse_query, session
from signage.api.contract import contract
from signage.chains.schemas import DecisionReply, decision_json
from signage.emergency import alerts, blackouts, templates
from signage.emergency.schemas import (
    AlertList,
    AlertTaken,
    BlackoutBody,
    BlackoutList,
    BlackoutQuery,
    BlackoutReply,
    TakeoverBody,
    TemplateList,
    alert_json,
    blackout_json,
    taken_json,
    template_json,
)
from signage.emergency.signatures import verified
from signage.emergency.warnings import MAX_BYTES, WarningFormatError, parse_warning
from signage.errors import InvalidInput, PayloadTooLarge, UnsupportedMediaType

XML_TYPES = ("application/xml", "text/xml", "application/cap+xml")

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


@bp.post("/alerts")
@contract(
    "Push an official warning (CAP 1.2 or the national format, XML): it becomes an urgent "
    "notice, waiting for the duty officer or published at once by severity; an Update "
    "replaces it, a Cancel withdraws it, a duplicate is ignored",
    "duty, admin",
    raw_body="application/xml",
    answers=AlertTaken,
    also=(201,),
)
def push_alert() -> Any:
    who = actor()
    if request.mimetype not in XML_TYPES:
        raise UnsupportedMediaType(
            "send the warning as XML (%(items)s)", items=", ".join(XML_TYPES)
        )
    if (request.content_length or 0) > MAX_BYTES:
        raise PayloadTooLarge("a warning message is at most %(value)s KiB", value=MAX_BYTES // 1024)
    data = request.get_data(cache=False)
    try:
        signers = current_app.config["SIGNAGE_ALERT_SIGNERS"]
        warning = parse_warning(verified(data, signers) if signers else data)
    except WarningFormatError as exc:
        raise InvalidInput(str(exc), field=exc.field) from None
    taken = alerts.take_warning(
        session(),
        warning,
        data,
        origin="push",
        settings=alerts.AlertSettings.of(current_app.config),
        now=now(),
        actor=who,
    )
    return taken_json(taken), 201 if taken.alert is not None else 200


@bp.get("/alerts")
@contract("Official warnings received, newest first", "any staff role", answers=AlertList)
def list_alerts() -> Any:
    return {"items": [alert_json(a) for a in alerts.list_alerts(session(), actor())]}


@bp.get("/takeover-templates")
@contract(
    "The warning templates a duty officer fills in for a takeover",
    "any staff role",
    answers=TemplateList,
)
def takeover_templates() -> Any:
    actor()
    return {
        "items": [template_json(t) for t in templates.TEMPLATES.values()],
        "levels": dict(templates.LEVELS),
    }


@bp.post("/takeovers")
@contract(
    "Fill in a warning template: an urgent takeover (整屏接管) of the screens named, or of all, "
    "submitted on the takeovers' fast path (one reviewer)",
    "duty",
    ok=201,
    body=TakeoverBody,
    answers=DecisionReply,
)
def takeover() -> Any:
    body = parse_body(TakeoverBody)
    config = current_app.config
    notice = templates.fill_template(
        session(),
        actor(),
        template=body.template,
        level=body.level,
        details=body.details,
        hours=body.hours,
        screens=body.screens,
        groups=body.groups,
        everywhere=body.all,
        category=config["SIGNAGE_ALERT_CATEGORY"],
        categories=tuple(config["SIGNAGE_CATEGORIES"]),
        now=now(),
        timezone=config["SIGNAGE_TIMEZONE"],
    )
    return decision_json(notice), 201, {"Location": f"/api/v1/notices/{notice.id}"}
