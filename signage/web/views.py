"""Pages: the dashboard and the language switch."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from signage.delivery.cache import get_cache
from signage.web.dashboard import dashboard as build_dashboard
from signage.web.pages import LANGUAGES, now, safe_next, signed_in
from signage.web.pages import session as db_session

bp = Blueprint("home", __name__)


@bp.get("/")
def dashboard() -> Any:
    board = build_dashboard(db_session(), signed_in(), get_cache(current_app), now())
    return render_template("web/dashboard.html", board=board, now=now())


@bp.post("/language")
def language() -> Response:
    lang = request.form.get("lang", "")
    if lang in LANGUAGES:
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next"), url_for(".dashboard")), 303)
