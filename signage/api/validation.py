"""Pydantic's findings about a request as our errors: a message a person can act on, as a
template with named values, so that it is translated like every other (``Accept-Language`` for
the API, the page's language on a page)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from signage.errors import N_, BadRequest, InvalidInput

# What pydantic found wrong with a value, as our messages say it; another kind of error is
# given with pydantic's own (English) words.
_PYDANTIC_MESSAGES = {
    "missing": N_("%(name)s is required"),
    "string_too_long": N_("%(name)s is too long: at most %(max_length)s characters"),
    "string_too_short": N_("%(name)s is too short: at least %(min_length)s characters"),
    "string_pattern_mismatch": N_("%(name)s is not in the expected form"),
    "string_type": N_("%(name)s must be text"),
    "int_type": N_("%(name)s must be a whole number"),
    "int_parsing": N_("%(name)s must be a whole number"),
    "int_from_float": N_("%(name)s must be a whole number"),
    "bool_type": N_("%(name)s must be true or false"),
    "list_type": N_("%(name)s must be a list"),
    "dict_type": N_("%(name)s must be an object"),
    "model_type": N_("%(name)s must be an object"),
    "too_long": N_("%(name)s has too many entries: at most %(max_length)s"),
    "too_short": N_("%(name)s has too few entries: at least %(min_length)s"),
    "greater_than_equal": N_("%(name)s must be at least %(ge)s"),
    "less_than_equal": N_("%(name)s must be at most %(le)s"),
    "greater_than": N_("%(name)s must be more than %(gt)s"),
    "less_than": N_("%(name)s must be less than %(lt)s"),
    "literal_error": N_("%(name)s must be one of %(expected)s"),
    "enum": N_("%(name)s must be one of %(expected)s"),
}


def pydantic_error(field: str | None, first: Any) -> InvalidInput:
    """One of pydantic's errors about ``field`` as an :class:`InvalidInput` of ours."""
    template = _PYDANTIC_MESSAGES.get(first["type"])
    context = {k: v for k, v in (first.get("ctx") or {}).items() if isinstance(v, str | int)}
    if template is not None and field:
        try:
            return InvalidInput(template, field=field, name=field, **context)
        except (KeyError, ValueError, TypeError):  # a context without the values it names
            pass
    if field:
        return InvalidInput("%(name)s: %(reason)s", name=field, reason=first["msg"], field=field)
    return InvalidInput("%(reason)s", reason=first["msg"])


def validation_error(exc: ValidationError) -> BadRequest | InvalidInput:
    """Turn the first pydantic error into one of ours with a message a person can act on."""
    first = exc.errors()[0]
    kind = first["type"]
    loc = [str(p) for p in first["loc"]]
    field = ".".join(loc) if loc else None
    if kind == "json_invalid":
        return BadRequest("the body is not valid JSON: %(msg)s", msg=first["msg"])
    if kind in ("model_type", "model_attributes_type", "dataclass_type") and not loc:
        return BadRequest("the body must be a JSON object")
    if kind == "signage_value":
        ctx = first.get("ctx") or {}
        error = ctx.get("error")
        if isinstance(error, InvalidInput) and field:
            return error.renamed(str(ctx.get("short")), field)
        return InvalidInput("%(reason)s", reason=first["msg"], field=field)
    if kind == "extra_forbidden":
        return InvalidInput("unknown field %(name)s", name=repr(field), field=field)
    if kind == "timezone_aware":
        return InvalidInput(
            "%(name)s needs a UTC offset or Z, e.g. 2026-12-01T08:00:00+08:00",
            name=field,
            field=field,
        )
    if kind.startswith("datetime"):
        return InvalidInput(
            "%(name)s must be an ISO-8601 time with an offset, e.g. 2026-12-01T08:00:00+08:00",
            name=field,
            field=field,
        )
    return pydantic_error(field, first)
