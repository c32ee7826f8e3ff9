"""The web pages' wiring: server-rendered templates for people, beside the JSON API for programs.

What every page shares: sign-in sessions (Flask-Login) kept in an HttpOnly, SameSite
cookie; CSRF protection of every form (Flask-WTF); the user's language (Flask-Babel: Simplified
Chinese by default, English available) and the deployment's time zone for dates; a
Content-Security-Policy and the other security headers on every response; error pages.

Each area's pages live in its own ``views.py`` as a child of the ``web`` blueprint, which commits
the request's database work once after a successful page (as the API does) and rolls it back
when the answer is an error.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Flask, Response, g, render_template, request, session
from flask_babel import Babel, format_datetime, format_decimal, get_locale, gettext
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from signage.accounts.models import User
from signage.accounts.sessions import session_for
from signage.accounts.views import bp as accounts_bp
from signage.audit.views import bp as audit_bp
from signage.chains.views import bp as review_bp
from signage.db import finish_request, request_session
from signage.displaylog.views import bp as displaylog_bp
from signage.emergency.views import bp as emergency_bp
from signage.errors import ServiceError, TooManyAttempts
from signage.messages import translated
from signage.notices.views import bp as notices_bp
from signage.reports.views import bp as reports_bp
from signage.screens.views import bp as screens_bp
from signage.times import isoformat_z
from signage.web.pages import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    SESSION_SECRET,
    message,
    now,
    session_lifetime,
)
from signage.web.views import bp as home_bp

csrf = CSRFProtect()
login_manager = LoginManager()

# No inline script or style anywhere: what the pages run and how they look comes from /static.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def select_locale() -> str:
    lang = session.get("lang")
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    """Return the signed-in user, or None unless the cookie's secret names a live session of
    that user on the server (:mod:`signage.accounts.sessions`)."""
    secret = session.get(SESSION_SECRET)
    if not user_id.isdigit() or not isinstance(secret, str):
        return None
    row = session_for(request_session(), secret, now=now(), lifetime=session_lifetime())
    if row is None or row.user_id != int(user_id):
        return None
    g.user_session = row
    return row.user


def _commit(response: Response) -> Response:
    return finish_request(
        response,
        on_conflict=lambda: error_page(
            409, gettext("Someone else changed this at the same time; try again.")
        ),
    )


def error_page(status: int, message: str) -> Response:
    response = Response(
        render_template("web/error.html", status=status, message=message), status=status
    )
    return response


# Sent with every answer (the shortcuts that answer before Flask send them too).
SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
)


def _security_headers(response: Response) -> Response:
    if response.mimetype == "text/html":
        # Pages may show a token or password once; on a shared office PC the browser must not
        # keep them (nor any other page of the back office) in its cache.
        response.headers.setdefault("Cache-Control", "no-store")
    for name, value in SECURITY_HEADERS:
        response.headers.setdefault(name, value)
    return response


def _protect_forms() -> None:
    # The JSON API authenticates with bearer tokens and never reads the session cookie, so a
    # forged cross-site request has nothing to ride on there; every other unsafe request is a
    # form (or the page scripts' fetch) and must carry the CSRF token.
    if request.method not in ("GET", "HEAD", "OPTIONS") and not request.path.startswith("/api/"):
        csrf.protect()


def localtime(value: dt.datetime | None, format: str = "medium") -> str:
    """Format a UTC time in the deployment's time zone for the user's language."""
    if value is None:
        return "—"
    try:
        return format_datetime(value, format)
    except (OverflowError, ValueError):
        # A time stored before the accepted range was enforced (year 9999, say) has no local
        # form near the ends of the calendar: show it as it is stored.
        return isoformat_z(value)


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["SIGNAGE_TIMEZONE"]
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = "translations"
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # checked by _protect_forms
    app.config["WTF_CSRF_TIME_LIMIT"] = None  # valid for the whole sign-in session
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_SECURE"] = app.config["SIGNAGE_SECURE_COOKIES"]
    app.config["REMEMBER_COOKIE_HTTPONLY"] = True
    app.config["REMEMBER_COOKIE_SAMESITE"] = "Lax"
    app.config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(
        hours=app.config["SIGNAGE_SESSION_HOURS"]
    )

    Babel(app, locale_selector=select_locale)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "web.accounts.login"
    login_manager.login_message = None  # type: ignore[assignment]
    login_manager.session_protection = "basic"
    app.before_request(_protect_forms)
    app.after_request(_security_headers)

    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["number"] = format_decimal
    app.jinja_env.filters["said"] = lambda text: translated(text, gettext)
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())

    @app.context_processor
    def _roles() -> dict[str, Any]:
        roles = current_user.roles if current_user.is_authenticated else frozenset()
        return {"has_role": lambda *names: bool({r.value for r in roles} & set(names))}

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError) -> Response:
        return error_page(
            400,
            gettext(
                "The form was too old or not sent from this site. Reload the page and try again."
            ),
        )

    web = Blueprint("web", __name__)
    for child in (
        home_bp,
        accounts_bp,
        notices_bp,
        review_bp,
        screens_bp,
        emergency_bp,
        displaylog_bp,
        reports_bp,
        audit_bp,
    ):
        web.register_blueprint(child)
    web.after_request(_commit)
    app.register_blueprint(web)


def http_error_page(exc: HTTPException) -> Response:
    """The HTML page for an HTTP error outside the API (unknown page, wrong method, …)."""
    status = exc.code or 500
    messages = {
        404: gettext("There is no such page."),
        405: gettext("This page cannot be used that way."),
        413: gettext("The upload is too large."),
        500: gettext("Something went wrong on our side; it has been logged."),
        503: gettext("The database is busy; try again in a moment."),
    }
    response = error_page(status, messages.get(status, exc.description or exc.name))
    if status == 405 and getattr(exc, "valid_methods", None):
        response.headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
    return response


def page_error(exc: ServiceError) -> Response:
    """The HTML answer to a service error raised by a page."""
    if exc.status == 401:
        return login_manager.unauthorized()  # type: ignore[no-any-return]
    response = error_page(exc.status, message(exc))
    if isinstance(exc, TooManyAttempts):
        response.headers["Retry-After"] = str(exc.retry_after_s)
    return response
