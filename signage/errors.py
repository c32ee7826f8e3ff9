"""The errors services raise; the API turns each into ``{"error": {"code", "message", "field"}}``
(and ``details``, values a client can act on, where the error has them).

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


class ServiceError(Exception):
    """Base of every error a service raises on purpose."""

    status = 400
    code = "bad_request"

    def __init__(
        self, message: str, *, field: str | None = None, details: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details

    def to_dict(self) -> dict[str, object]:
        """Return the JSON error body."""
        body: dict[str, object] = {"code": self.code, "message": self.message}
        if self.field is not None:
            body["field"] = self.field
        if self.details:
            body["details"] = dict(self.details)
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

    def __init__(self, message: str, *, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
