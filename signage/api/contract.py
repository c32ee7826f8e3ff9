"""Each API handler's contract, declared on the handler itself: who may call it, what it takes
(body, query) and what it answers. :mod:`signage.api.openapi` builds the OpenAPI document from
these and the routes, so the document cannot drift from the code; under ``TESTING`` every JSON
answer a handler gives is checked against its declared type (strict, no extra keys), so the
answers cannot drift from the document either.

    @bp.get("/users")
    @contract("List users", "admin", answers=UserList)
    def list_users() -> Any: ...
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, Response, current_app, request
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError, with_config

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

# An answer's JSON type: exactly these keys, each of exactly its type.
reply = with_config(ConfigDict(extra="forbid", strict=True))


@dataclass(frozen=True)
class Contract:
    summary: str
    who: str  # who may call it, in words
    ok: int = 200
    also: tuple[int, ...] = ()  # other statuses that answer the same way
    answers: Any = None  # the JSON answer's type (a TypedDict); None: no JSON body
    body: type[BaseModel] | None = None  # a staff request's JSON body
    body_optional: bool = False  # the body may be left out (its defaults then apply)
    document: Any = None  # a player's JSON body (a playlists type)
    query: type[BaseModel] | None = None  # the query values
    raw_body: str | None = None  # a body of this media type, taken as it comes
    multipart: bool = False  # a multipart upload with one file, "file"
    media_type: str = "application/json"  # the answer's media type
    csv: bool = False  # format=csv gives the same as text/csv
    not_modified: bool = False  # may answer 304
    auth: str = "bearer"  # "bearer" (a person's token), "screen" (a screen's), "none"
    path: dict[str, Any] | None = None  # a path parameter's JSON Schema, where its rule says less
    headers: dict[str, str] | None = None  # headers of a successful answer: name → meaning

    @functools.cached_property
    def adapter(self) -> TypeAdapter[Any] | None:
        return TypeAdapter(self.answers) if self.answers is not None else None


def contract(summary: str, who: str, **terms: Any) -> Callable[[F], F]:
    """Declare the contract of an API handler (see the module docstring)."""
    declared = Contract(summary, who, **terms)

    def mark(view: F) -> F:
        view.__contract__ = declared  # type: ignore[attr-defined]
        return view

    return mark


def contract_of(view: Callable[..., Any]) -> Contract | None:
    found: Contract | None = getattr(view, "__contract__", None)
    return found


def check_answers(app: Flask) -> None:
    """Under ``TESTING``, hold every successful JSON answer of the API to its declared type."""

    @app.after_request
    def _held_to_contract(response: Response) -> Response:
        if not current_app.testing or not request.endpoint or not request.path.startswith("/api/"):
            return response
        view = current_app.view_functions.get(request.endpoint)
        declared = contract_of(view) if view is not None else None
        if declared is None or declared.adapter is None:
            return response
        ok = (declared.ok, *declared.also)
        if response.status_code not in ok or response.mimetype != "application/json":
            return response
        try:
            declared.adapter.validate_json(response.get_data())
        except ValidationError as exc:
            raise AssertionError(
                f"{request.method} {request.path} answered outside its contract: {exc}"
            ) from None
        return response
