"""Pages: the dashboard and the language switch."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request, session, url_for
from werkzeug.wrappers import Response

from signage.web.dashboard import dashboard_page
from signage.web.pages import LANGUAGES, safe_next

bp = Blueprint("home", __name__)


@bp.get("/")
def dashboard() -> Any:
    return dashboard_page()


@bp.post("/language")
def language() -> Response:
    lang = request.form.get("lang", "")
    if lang in LANGUAGES:
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next"), url_for(".dashboard")), 303)
