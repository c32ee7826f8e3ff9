"""The JSON API's wiring: one parent blueprint under ``/api/v1``, one child blueprint per area,
and the JSON answers to errors.

Every handler parses, calls one service and answers. The request's database work is committed
once, after a successful handler (``after_request``); an error answer rolls all of it back, so bad
input writes nothing.
Errors always answer ``{"error": {"code", "message", "field"?}}`` (DESIGN, "HTTP API").
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, jsonify, request
from flask_babel import force_locale, gettext
from werkzeug.exceptions import HTTPException

from signage.accounts.api import bp as accounts_bp
from signage.api.openapi import bp as openapi_bp
from signage.chains.api import bp as chains_bp
from signage.db import finish_request
from signage.delivery.api import bp as delivery_bp
from signage.displaylog.api import bp as displaylog_bp
from signage.emergency.api import bp as emergency_bp
from signage.errors import ServiceError, TooManyAttempts
from signage.evidence.api import bp as evidence_bp
from signage.health.api import bp as health_bp
from signage.keys.api import bp as keys_bp
from signage.limits import API_AUTH_FAILURES, limiter
from signage.media.api import bp as media_bp
from signage.notices.api import bp as notices_bp
from signage.reports.api import bp as reports_bp
from signage.screens.api import bp as screens_bp

API_PREFIX = "/api/v1"
CHINESE = "zh_Hans_CN"  # the locale of the catalog in signage/translations

HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
}


def error_response(status: int, code: str, message: str, field: str | None = None) -> Response:
    body: dict[str, object] = {"code": code, "message": message}
    if field is not None:
        body["field"] = field
    response = jsonify({"error": body})
    response.status_code = status
    return response


def _commit(response: Response) -> Response:
    # Two requests raced to create the same thing: the loser gets a clear answer.
    return finish_request(
        response,
        on_conflict=lambda: error_response(
            409, "conflict", "a concurrent change conflicted; try again"
        ),
    )


def is_api_request() -> bool:
    """Whether the request being answered is one of the API's (else it is a page's)."""
    return request.path.startswith(API_PREFIX)


def request_line() -> str:
    """The method and path of the request being answered, for the log."""
    return f"{request.method} {request.path}"


def wants_chinese() -> bool:
    """Whether the request's ``Accept-Language`` prefers Chinese to English (the API's
    language, and the default)."""
    for language, _quality in request.accept_languages:
        primary = language.lower().replace("_", "-").split("-")[0]
        if primary in ("zh", "en"):
            return primary == "zh"
    return False


def service_error(exc: ServiceError) -> Response:
    """The JSON answer to an error a service raised on purpose, its message in the language
    ``Accept-Language`` asks for."""
    if wants_chinese():
        with force_locale(CHINESE):
            body = exc.to_dict(gettext)
    else:
        body = exc.to_dict()
    response = jsonify(body)
    response.status_code = exc.status
    if isinstance(exc, TooManyAttempts):
        response.headers["Retry-After"] = str(exc.retry_after_s)
    if exc.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="signage"'
    return response


def http_error(exc: HTTPException) -> Response:
    """The JSON answer to an HTTP error (unknown route, wrong method, too large …)."""
    status = exc.code or 500
    response = error_response(status, HTTP_CODES.get(status, "error"), exc.description or exc.name)
    if status == 405 and exc.valid_methods:  # type: ignore[attr-defined]
        response.headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
    return response


def internal_error() -> Response:
    """The JSON answer to a bug: the shape stays, the traceback goes to the log."""
    return error_response(500, "internal", "an internal error occurred; it has been logged")


def database_busy() -> Response:
    """The JSON answer when the database is locked or unreachable: retry, nothing was written."""
    return error_response(503, "unavailable", "the database is busy; try again")


# The blueprints are put together once, at import: an app registers the whole tree.
api = Blueprint("api", __name__, url_prefix=API_PREFIX)
for _child in (
    notices_bp,
    chains_bp,
    media_bp,
    screens_bp,
    emergency_bp,
    accounts_bp,
    delivery_bp,
    displaylog_bp,
    evidence_bp,
    health_bp,
    keys_bp,
    reports_bp,
    openapi_bp,
):
    api.register_blueprint(_child)
api.after_request(_commit)
# Guessing tokens is slowed per client address: failed authentications count.
limiter.limit(API_AUTH_FAILURES, deduct_when=lambda r: r.status_code == 401)(api)


def init_app(app: Flask) -> None:
    """Register the API's blueprints."""
    app.register_blueprint(api)
