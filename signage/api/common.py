"""What every JSON handler shares: who is calling, the parsed body, the error shape."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterable
from typing import Annotated, Any, TypeVar, overload

from flask import Response, current_app, g, request
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError
from sqlalchemy.orm import Session

from playlists.jsonvalues import NO_NUL
from signage.accounts.models import User
from signage.accounts.services import user_for_token
from signage.api.validation import pydantic_error, validation_error
from signage.clock import utcnow
from signage.db import after_commit, request_session
from signage.delivery.cache import get_cache
from signage.errors import BadRequest, InvalidInput, Unauthenticated
from signage.times import DATE_SCHEMA, TIME_SCHEMA, parse_date, parse_time

ModelT = TypeVar("ModelT", bound=BaseModel)
QueryT = TypeVar("QueryT", bound="Query")
T = TypeVar("T")


def _say_no_nul(schema: dict[str, Any]) -> None:
    """Write into a body's JSON Schema what :meth:`Body._no_nul` enforces: every text field
    without a pattern, format or list of values of its own gets the pattern of text without
    a NUL."""

    def mark(node: Any) -> None:
        if not isinstance(node, dict):
            return
        if node.get("type") == "string" and not {"pattern", "format", "enum", "const"} & set(node):
            node["pattern"] = NO_NUL
        for variant in node.get("anyOf", ()):
            mark(variant)
        mark(node.get("items"))

    for prop in schema.get("properties", {}).values():
        mark(prop)


class Body(BaseModel):
    """Base of request bodies: unknown fields are an error, so a typo is never ignored, and no
    text may hold a NUL character (no database stores one, PostgreSQL refuses it). Whole
    numbers may come as JSON writes them (``417.0``): see :data:`playlists.jsonvalues.Whole`."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra=_say_no_nul)

    @model_validator(mode="after")
    def _no_nul(self) -> Body:
        for name, value in self:
            refuse_nul(value, name)
        return self


def refuse_nul(value: object, field: str) -> None:
    """Raise :class:`InvalidInput` naming ``field`` if text in ``value`` holds a NUL."""
    if isinstance(value, str):
        if "\x00" in value:
            raise InvalidInput("%(name)s must not contain a NUL character", name=field, field=field)
    elif isinstance(value, list | tuple):
        for item in value:
            refuse_nul(item, field)
    elif isinstance(value, BaseModel):
        for name, item in value:
            refuse_nul(item, f"{field}.{name}")


class Query(BaseModel):
    """Base of the query values a handler reads (:func:`parse_query`): text from the URL, so
    a whole number is read from its digits alone (not " 5", "5.0" or "5_0"); values a handler
    does not know are ignored; no value may hold a NUL (the app refuses it for every page)."""

    model_config = ConfigDict(extra="ignore", json_schema_extra=_say_no_nul)


_DIGITS = re.compile(r"-?[0-9]{1,20}")


def parse_query(model: type[QueryT]) -> QueryT:
    """Read the query string into ``model``, or raise a 422 naming the value."""
    # An empty value is no value: a form's blank filter field sends one. Any other value is
    # read as sent (" 5" is not a number).
    values = {
        key: value
        for name, field in model.model_fields.items()
        if (value := request.args.get(key := field.alias or name, ""))
    }
    for name, field in model.model_fields.items():
        key = field.alias or name
        whole = field.annotation in (int, int | None)
        if whole and key in values and not _DIGITS.fullmatch(values[key]):
            raise InvalidInput("%(key)s must be a whole number", key=key, field=key)
    try:
        return model.model_validate(values)
    except InvalidInput as exc:
        # A value's own parser names the field by its Python name; the caller sent its alias.
        alias = model.model_fields[exc.field].alias if exc.field in model.model_fields else None
        if alias is None:
            raise
        raise exc.renamed(exc.field, alias) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else ""
        raise _query_error(model, name, first) from None


def _query_error(model: type[BaseModel], name: str, first: Any) -> InvalidInput:
    kind = first["type"]
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return InvalidInput("%(name)s must be a whole number", name=name, field=name)
    if kind in ("greater_than_equal", "less_than_equal"):
        fields = {f.alias or n: f for n, f in model.model_fields.items()}
        bounds = {type(m).__name__: m for m in fields[name].metadata}
        low, high = getattr(bounds.get("Ge"), "ge", None), getattr(bounds.get("Le"), "le", None)
        return InvalidInput(
            "%(name)s must be %(low)s–%(high)s", name=name, low=low, high=high, field=name
        )
    return pydantic_error(name, first)


def _query_time(value: object, info: ValidationInfo) -> dt.datetime:
    return parse_time(value, info.field_name or "time")


def _query_date(value: object, info: ValidationInfo) -> dt.date:
    return parse_date(value, info.field_name or "date")


# A time in the query string (ISO-8601 with an offset, in the accepted range).
QueryTime = Annotated[
    dt.datetime,
    PlainValidator(_query_time),
    WithJsonSchema(TIME_SCHEMA),
]
# A date in the query string (YYYY-MM-DD, 2000–2100).
QueryDate = Annotated[
    dt.date,
    PlainValidator(_query_date),
    WithJsonSchema(DATE_SCHEMA),
]
# Free text in the query string.
QueryText = Annotated[str, Field(max_length=200)]


def _named(parse: Callable[[object, str], T]) -> Callable[[object, ValidationInfo], T]:
    """A body value's validator from one of :mod:`signage.times`' parsers: its error goes back
    through pydantic, which knows where the value was (``holidays.0.date``, not ``date``)."""

    def validate(value: object, info: ValidationInfo) -> T:
        short = info.field_name or "value"
        try:
            return parse(value, short)
        except InvalidInput as exc:
            raise PydanticCustomError(
                "signage_value", "{message}", {"message": str(exc), "short": short, "error": exc}
            ) from None

    return validate


_api_time = _named(parse_time)


# A time in a request body: ISO-8601 text with an offset, within the accepted range (a Unix
# number is refused, not guessed at).
ApiTime = Annotated[
    dt.datetime,
    PlainValidator(_api_time),
    WithJsonSchema(TIME_SCHEMA),
]


_api_date = _named(parse_date)
# A date in a request body: YYYY-MM-DD, 2000–2100.
ApiDate = Annotated[
    dt.date,
    PlainValidator(_api_date),
    WithJsonSchema(DATE_SCHEMA),
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
        raise InvalidInput("%(name)s must be a whole number", name=name, field=name) from None
    if not low <= value <= high:
        raise InvalidInput(
            "%(name)s must be %(low)s–%(high)s", name=name, low=low, high=high, field=name
        )
    return value


def query_date(name: str, default: dt.date) -> dt.date:
    """A date (``2026-11-01``) from the query string; absent or empty: ``default``."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    return parse_date(raw, name)


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
