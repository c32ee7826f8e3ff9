"""Pages: the dashboard (which asks the players for fresh screenshots while it is open) and
the language switch."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request, session, url_for
from werkzeug.wrappers import Response

from signage.health.services import want_screenshots
from signage.web.dashboard import dashboard_page
from signage.web.pages import LANGUAGES, now, safe_next, signed_in
from signage.web.pages import session as db_session

bp = Blueprint("home", __name__)


@bp.get("/")
def dashboard() -> Any:
    # Someone is looking: the players send fresh screenshots at their next heartbeats.
    want_screenshots(db_session(), signed_in(), None, now=now())
    return dashboard_page()


@bp.post("/screenshots/wanted")
def screenshots_wanted() -> Response:
    """The open dashboard asks again (every 30 s, signage.js) for fresh screenshots."""
    want_screenshots(db_session(), signed_in(), None, now=now())
    return Response(status=204)


@bp.post("/language")
def language() -> Response:
    lang = request.form.get("lang", "")
    if lang in LANGUAGES:
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next"), url_for(".dashboard")), 303)
