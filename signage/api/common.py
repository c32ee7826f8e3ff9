"""What every JSON handler shares: who is calling, the parsed body, the error shape."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable
from typing import Annotated, Any, TypeVar, overload

from flask import Response, current_app, g, request
from pydantic import (
    BaseModel,
    ConfigDict,
    PlainValidator,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from sqlalchemy.orm import Session

from signage.accounts.models import User
from signage.accounts.services import user_for_token
from signage.clock import utcnow
from signage.db import after_commit, request_session
from signage.delivery.cache import get_cache
from signage.errors import BadRequest, InvalidInput, Unauthenticated
from signage.times import FIRST_DATE, LAST_DATE, parse_time

ModelT = TypeVar("ModelT", bound=BaseModel)
T = TypeVar("T")


class Body(BaseModel):
    """Base of request bodies: unknown fields are an error, so a typo is never ignored, and no
    text may hold a NUL character (no database stores one, PostgreSQL refuses it)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    @model_validator(mode="after")
    def _no_nul(self) -> Body:
        for name, value in self:
            refuse_nul(value, name)
        return self


def refuse_nul(value: object, field: str) -> None:
    """Raise :class:`InvalidInput` naming ``field`` if text in ``value`` holds a NUL."""
    if isinstance(value, str):
        if "\x00" in value:
            raise InvalidInput(f"{field} must not contain a NUL character", field=field)
    elif isinstance(value, list | tuple):
        for item in value:
            refuse_nul(item, field)
    elif isinstance(value, BaseModel):
        for name, item in value:
            refuse_nul(item, f"{field}.{name}")


def _api_time(value: object, info: ValidationInfo) -> dt.datetime:
    return parse_time(value, info.field_name or "time")


# A time in a request body: ISO-8601 text with an offset, within the accepted range (a Unix
# number is refused, not guessed at).
ApiTime = Annotated[
    dt.datetime,
    PlainValidator(_api_time),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


def session() -> Session:
    return request_session()


def now() -> dt.datetime:
    """The request's "now", read once so every write in a request agrees on it."""
    if "now" not in g:
        g.now = utcnow()
    value: dt.datetime = g.now
    return value


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def actor() -> User:
    """Return the staff user making the request, or raise :class:`Unauthenticated`."""
    if "actor" in g:
        user: User = g.actor
        return user
    token = bearer_token()
    if token is None:
        raise Unauthenticated("send a personal API token as 'Authorization: Bearer <token>'")
    g.actor = user_for_token(session(), token, now=now())
    return g.actor


def screen_id_from_token() -> int:
    """Return the id of the screen whose token came with the request, or raise
    :class:`Unauthenticated` (looked up in the playlist cache, which knows every token)."""
    token = bearer_token()
    if token is None:
        raise Unauthenticated("send the screen's token as 'Authorization: Bearer <token>'")
    return get_cache(current_app).screen_id(token)


def forget_when_committed(screen_id: int) -> None:
    """Once this request commits, drop the screen's cached token and playlist in this process
    (a rotated token is refused here at once; elsewhere within ``SIGNAGE_PLAYLIST_CHECK_S``)."""
    cache = get_cache(current_app)
    after_commit(session(), lambda: cache.forget_screen(screen_id))


def parse_body(model: type[ModelT]) -> ModelT:
    """Parse a staff request's JSON body into ``model``, or raise a 400/422 naming the problem.

    The caller is authenticated first: a stranger gets 401, not a list of the fields a body
    needs.
    """
    actor()
    return _parsed(model.model_validate_json)


def parse_document(adapter: TypeAdapter[T]) -> T:
    """Parse the JSON request body as a protocol document (:mod:`playlists`), or raise a
    400/422 naming the problem."""
    return _parsed(adapter.validate_json)


def _parsed(validate: Callable[[bytes], T]) -> T:
    if not request.is_json:
        raise BadRequest("send a JSON body with 'Content-Type: application/json'")
    try:
        return validate(request.get_data(cache=True) or b"")
    except ValidationError as exc:
        raise validation_error(exc) from None


def validation_error(exc: ValidationError) -> BadRequest | InvalidInput:
    """Turn the first pydantic error into one of ours with a message a person can act on."""
    first = exc.errors()[0]
    kind = first["type"]
    loc = [str(p) for p in first["loc"]]
    field = ".".join(loc) if loc else None
    if kind == "json_invalid":
        return BadRequest(f"the body is not valid JSON: {first['msg']}")
    if kind in ("model_type", "model_attributes_type", "dataclass_type") and not loc:
        return BadRequest("the body must be a JSON object")
    if kind == "missing":
        return InvalidInput(f"{field} is required", field=field)
    if kind == "extra_forbidden":
        return InvalidInput(f"unknown field {field!r}", field=field)
    if kind == "timezone_aware":
        return InvalidInput(
            f"{field} needs a UTC offset or Z, e.g. 2026-12-01T08:00:00+08:00", field=field
        )
    if kind.startswith("datetime"):
        return InvalidInput(
            f"{field} must be an ISO-8601 time with an offset, e.g. 2026-12-01T08:00:00+08:00",
            field=field,
        )
    return InvalidInput(f"{field}: {first['msg']}" if field else first["msg"], field=field)


@overload
def query_int(name: str, default: int, *, low: int, high: int) -> int: ...
@overload
def query_int(name: str, default: None, *, low: int, high: int) -> int | None: ...


def query_int(name: str, default: int | None, *, low: int, high: int) -> int | None:
    """A whole number from the query string, ``low``–``high``; absent or empty: ``default``."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidInput(f"{name} must be a whole number", field=name) from None
    if not low <= value <= high:
        raise InvalidInput(f"{name} must be {low}–{high}", field=name)
    return value


def query_date(name: str, default: dt.date) -> dt.date:
    """A date (``2026-11-01``) from the query string; absent or empty: ``default``."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    try:
        value = dt.date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"{name} must be a date such as 2026-11-01", field=name) from None
    if not FIRST_DATE <= value <= LAST_DATE:
        raise InvalidInput(f"{name} must be {FIRST_DATE}–{LAST_DATE}", field=name)
    return value


@overload
def query_time(name: str, *, default: dt.datetime) -> dt.datetime: ...
@overload
def query_time(name: str, *, default: None) -> dt.datetime | None: ...


def query_time(name: str, *, default: dt.datetime | None) -> dt.datetime | None:
    """Read an ISO-8601 time with an offset from the query string (in the accepted range)."""
    raw = request.args.get(name)
    if raw is None:
        return default
    return parse_time(raw, name)


def config(name: str) -> Any:
    return current_app.config[name]


def csv_response(body: str | Iterable[str], filename: str, *, for_excel: bool = False) -> Response:
    """A CSV download. ``for_excel`` starts it with a byte-order mark: Excel on Chinese Windows
    reads UTF-8 only with one (without, the Chinese comes out garbled); the web pages' downloads
    are for people with spreadsheets, the API's for programs."""
    if for_excel:
        body = ["\ufeff" + body] if isinstance(body, str) else itertools.chain(["\ufeff"], body)
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
