"""The Flask application factory."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Request, Response, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_limiter.errors import RateLimitExceeded
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import (
    Conflict as ConflictPage,
)
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    ServiceUnavailable,
)
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

from signage import db, limits
from signage.api import contract, routes
from signage.config import load_config
from signage.delivery import durations
from signage.delivery.cache import PlaylistCache
from signage.delivery.shortcut import PollShortcut
from signage.delivery.specs import configure_filler
from signage.displaylog.pacing import PacedUploads, UploadGate
from signage.errors import InvalidInput, ServiceError, TooManyAttempts
from signage.health.shortcut import HeartbeatShortcut
from signage.keys.services import KeyHolder, key_file
from signage.notices import takeover
from signage.ops import metrics as ops_metrics
from signage.ops import probes
from signage.screens import readings
from signage.web import site
from signage.writer import GroupWriter


class DatabaseInt(IntegerConverter):
    """``<int:…>`` in routes, bounded to what the ids they name hold: every id a path names
    (notices, tokens, sessions, years) is a 32-bit column, and PostgreSQL refuses a larger
    number outright rather than find nothing (a 500 where a 404 belongs)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", db.MAX_INT)
        super().__init__(map, *args, **kwargs)


class SessionInterface(SecureCookieSessionInterface):
    """Signed-cookie sessions for people; none at all for screens.

    Players authenticate with a bearer token and never carry a session cookie, and opening a
    signed session costs more than the rest of an unchanged poll, so the player API skips it.
    """

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path.startswith("/api/v1/player/"):
            return self.null_session_class()
        return super().open_session(app, request)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Create the controller app: defaults, then ``SIGNAGE_*`` variables, then ``config``."""
    app = Flask(__name__)
    # Ids in paths fit the database's integers: a larger number is a 404, not a crash.
    app.url_map.converters["int"] = DatabaseInt
    app.session_interface = SessionInterface()
    settings = load_config(config)
    app.config.update(settings)
    app.config["SECRET_KEY"] = settings["SIGNAGE_SECRET_KEY"]
    # Uploads are checked against SIGNAGE_MEDIA_MAX_BYTES by the media service; this bound only
    # keeps a huge request body from being read at all (multipart headers need some room).
    app.config["MAX_CONTENT_LENGTH"] = settings["SIGNAGE_MEDIA_MAX_BYTES"] + 1024 * 1024
    app.config["JSON_SORT_KEYS"] = False
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]

    durations.configure(settings)
    readings.configure(settings)
    configure_filler(settings)
    takeover.configure(settings)
    db.init_app(app)
    limits.init_app(app)
    if settings["SIGNAGE_PROXIES"]:
        # Behind reverse proxies: the client is the address the outermost trusted one saw.
        proxies = settings["SIGNAGE_PROXIES"]
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
    app.extensions["signage.keys"] = KeyHolder(db.get_db(app), key_file(settings))
    app.extensions["signage.playlists"] = PlaylistCache(
        db.get_db(app),
        keys=app.extensions["signage.keys"],
        weights=settings["SIGNAGE_PRIORITY_WEIGHTS"],
        check_interval_s=settings["SIGNAGE_PLAYLIST_CHECK_S"],
    )
    app.extensions["signage.writer"] = GroupWriter(db.get_db(app))
    app.wsgi_app = PollShortcut(  # type: ignore[method-assign]
        app.wsgi_app,
        app.extensions["signage.playlists"],
        app.extensions["signage.writer"],
        site.SECURITY_HEADERS,
    )
    app.wsgi_app = HeartbeatShortcut(  # type: ignore[method-assign]
        app.wsgi_app,
        app.extensions["signage.playlists"],
        app.extensions["signage.writer"],
        app.config,
        site.SECURITY_HEADERS,
    )
    if settings["SIGNAGE_UPLOADS_AT_ONCE"] > 0:
        gate = UploadGate(settings["SIGNAGE_UPLOADS_AT_ONCE"])
        app.extensions["signage.uploads"] = gate
        app.wsgi_app = PacedUploads(app.wsgi_app, gate)  # type: ignore[method-assign]
    routes.init_app(app)
    app.register_blueprint(probes.bp)
    ops_metrics.init_app(app)
    site.init_app(app)
    contract.check_answers(app)
    app.before_request(_refuse_nul_values)
    _answer_errors(app)
    return app


def _refuse_nul_values() -> None:
    """No query value or form field may hold a NUL: no database stores one (JSON bodies are
    checked as they are parsed)."""
    for values in (request.args, request.form):
        for name, value in values.items(multi=True):
            # A multipart part without a name has None for one.
            if "\x00" in (value or "") or "\x00" in (name or ""):
                raise InvalidInput(
                    "%(name)s must not contain a NUL character", name=repr(name), field=name
                )


def _answer_errors(app: Flask) -> None:
    """Errors answer in JSON on the API and as a page in the user's language elsewhere."""

    @app.errorhandler(ServiceError)
    def _service_error(exc: ServiceError) -> Response:
        return routes.service_error(exc) if routes.is_api_request() else site.page_error(exc)

    @app.errorhandler(RateLimitExceeded)
    def _rate_limited(exc: RateLimitExceeded) -> Response:
        wait = limits.retry_after_s()
        throttled = TooManyAttempts(
            "too many attempts; try again in %(wait)s seconds", wait=wait, retry_after_s=wait
        )
        return _service_error(throttled)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        return routes.http_error(exc) if routes.is_api_request() else site.http_error_page(exc)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        # A bug, not bad input: keep the answer's shape and log the traceback.
        app.logger.exception("unhandled error on %s", routes.request_line())
        if routes.is_api_request():
            return routes.internal_error()
        return site.http_error_page(InternalServerError())

    @app.errorhandler(IntegrityError)
    @app.errorhandler(StaleDataError)
    def _conflict(exc: IntegrityError | StaleDataError) -> Response:
        # Two requests raced to write the same row (a player's retry beside its first try).
        app.logger.warning(
            "conflicting write on %s: %s", routes.request_line(), getattr(exc, "orig", exc)
        )
        if routes.is_api_request():
            return routes.error_response(
                409, "conflict", "a concurrent change conflicted; try again"
            )
        return site.http_error_page(ConflictPage())

    @app.errorhandler(OperationalError)
    def _database_busy(exc: OperationalError) -> Response:
        # A locked or unreachable database: the client may retry, nothing was written.
        app.logger.error("database error: %s", exc)
        if routes.is_api_request():
            return routes.database_busy()
        return site.http_error_page(ServiceUnavailable())
