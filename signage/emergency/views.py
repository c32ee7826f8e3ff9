"""Pages: ordering a blackout from the dashboard (one button for every screen, or a screen or a
group) and lifting it; filling in a warning template for a takeover. The dashboard shows the
blackouts in force."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, redirect, url_for

from signage.emergency import blackouts, templates
from signage.errors import Conflict, InvalidInput
from signage.web.dashboard import dashboard_page
from signage.web.pages import message, now, session, signed_in, text

bp = Blueprint("emergency", __name__)


def _back(**args: Any) -> Any:
    return redirect(url_for("web.home.dashboard", **args) + "#emergency", 303)


def _refused(exc: InvalidInput | Conflict) -> Any:
    session().rollback()
    return dashboard_page(422, blackout_error=message(exc))


@bp.post("/blackouts")
def order() -> Any:
    scope = text("scope")
    target = text("target")
    try:
        blackout = blackouts.order_blackout(
            session(),
            signed_in(),
            reason=text("reason"),
            everywhere=scope == "all",
            screens=[target] if scope == "screen" and target else [],
            groups=[target] if scope == "group" and target else [],
            now=now(),
        )
    except InvalidInput as exc:
        return _refused(exc)
    return _back(done="blackout", blackout=blackout.id)


@bp.post("/blackouts/<int:blackout_id>/lift")
def lift(blackout_id: int) -> Any:
    try:
        blackouts.lift_blackout(session(), signed_in(), blackout_id, now=now())
    except Conflict as exc:
        return _refused(exc)
    return _back(done="lifted", blackout=blackout_id)


@bp.post("/takeovers")
def takeover() -> Any:
    """A warning template filled in on the dashboard: an urgent takeover, to one reviewer."""
    scope, target = text("scope"), text("target")
    config = current_app.config
    try:
        hours = int(text("hours") or "6")
    except ValueError:
        return _refused(InvalidInput("hours is a whole number", field="hours"))
    try:
        notice = templates.fill_template(
            session(),
            signed_in(),
            template=text("template"),
            level=text("level"),
            details=text("details"),
            hours=hours,
            screens=[target] if scope == "screen" and target else [],
            groups=[target] if scope == "group" and target else [],
            everywhere=scope == "all",
            category=config["SIGNAGE_ALERT_CATEGORY"],
            categories=tuple(config["SIGNAGE_CATEGORIES"]),
            now=now(),
            timezone=config["SIGNAGE_TIMEZONE"],
        )
    except (InvalidInput, Conflict) as exc:
        return _refused(exc)
    return _back(done="takeover", notice=notice.id)
