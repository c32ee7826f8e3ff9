"""The errors services raise; the API turns each into ``{"error": {"code", "message", "field"}}``
(and ``details``, values a client can act on, where the error has them).

A message is an English template with named parameters (``"no notice %(notice_id)s"``,
``notice_id=9``), never an f-string: the template is the catalog's message id, so the edge
translates it (a page into the page's language, the API into ``Accept-Language``'s) and puts the
parameters in. ``make translations`` finds the templates by the error classes' names.

``ServiceError``
  ├── ``InvalidInput``      422  a value is wrong (``field`` names it)
  ├── ``BadRequest``        400  the request itself is malformed (not JSON, wrong shape)
  ├── ``Unauthenticated``   401  no or bad credentials
  ├── ``PermissionDenied``  403  the actor's roles do not allow this
  ├── ``NotFound``          404  no such object
  ├── ``Conflict``          409  not allowed in the object's current state
  ├── ``PayloadTooLarge``   413  an upload over the size limit
  └── ``TooManyAttempts``   429  throttled (login failures)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Self


def N_(text: str) -> str:
    """Mark ``text`` for translation without translating it (it is translated where shown):
    for a message template that is not the first argument of an error class."""
    return text


class ServiceError(Exception):
    """Base of every error a service raises on purpose."""

    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        details: dict[str, str] | None = None,
        **params: object,
    ) -> None:
        self.template = message
        # A value may be a text of its own to translate (a Said, say: what a parser found wrong).
        self.values = dict(params)
        self.params = {name: str(value) for name, value in params.items()}
        self.message = message % self.params if self.params else message
        super().__init__(self.message)
        self.field = field
        self.details = details

    def translated(
        self, gettext: Callable[[str], str], labels: Mapping[str, str] | None = None
    ) -> str:
        """The message in the language of ``gettext`` (the English one where it has none);
        a value naming the error's field is said by its label in ``labels``, translated."""
        if not self.params:
            return gettext(self.template)
        values = {
            name: value.translated(gettext) if hasattr(value, "translated") else str(value)
            for name, value in self.values.items()
        }
        if labels and self.field in labels:
            values = {k: gettext(labels[v]) if v == self.field else v for k, v in values.items()}
        try:
            return gettext(self.template) % values
        except (KeyError, ValueError, TypeError):  # a translation that lost a parameter
            return self.message

    def renamed(self, old: str, new: str) -> Self:
        """The same error about field ``new``, where it named ``old`` (a value's parser names
        the field it was given; the caller sent it under another name)."""
        values = {k: new if str(v) == old else v for k, v in self.values.items()}
        return type(self)(self.template, field=new, details=self.details, **values)

    def to_dict(self, gettext: Callable[[str], str] | None = None) -> dict[str, object]:
        """Return the JSON error body: its message in ``gettext``'s language (English if
        None), the English template as ``message_id`` and its ``params`` where it has any."""
        message = self.message if gettext is None else self.translated(gettext)
        body: dict[str, object] = {"code": self.code, "message": message}
        if self.field is not None:
            body["field"] = self.field
        if self.details:
            body["details"] = dict(self.details)
        if self.params:
            body["message_id"] = self.template
            body["params"] = dict(self.params)
        return {"error": body}


class BadRequest(ServiceError):
    status = 400
    code = "bad_request"


class InvalidInput(ServiceError):
    status = 422
    code = "invalid"


class Unauthenticated(ServiceError):
    status = 401
    code = "unauthenticated"


class PermissionDenied(ServiceError):
    status = 403
    code = "forbidden"


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Conflict(ServiceError):
    status = 409
    code = "conflict"


class PayloadTooLarge(ServiceError):
    status = 413
    code = "too_large"


class UnsupportedMediaType(ServiceError):
    status = 415
    code = "unsupported_media_type"


class TooManyAttempts(ServiceError):
    status = 429
    code = "throttled"

    def __init__(self, message: str, *, retry_after_s: int, **params: object) -> None:
        super().__init__(message, **params)
        self.retry_after_s = retry_after_s
