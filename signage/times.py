"""Times on the controller: the range it accepts, the one way an instant is written, local days.

Every time that comes in (API bodies, query values, cursors, form fields, display events) must
fall on a date from :data:`FIRST_DATE` to :data:`LAST_DATE` (2000–2100) as written, in its own
offset: :func:`in_range` and :func:`parse_time` are the one check, and the error names the
field. Anything outside is a typing error or a clock gone wrong, and years near 1 or 9999
cannot even be shown in every time zone. Text times take one form, RFC 3339 with seconds and
an offset (:data:`TIME_PATTERN`); the API's OpenAPI document publishes the same patterns.

Every time the controller hashes, stores as text or answers with is UTC ISO-8601 with a ``Z``
(:func:`isoformat_z`, the same function that writes the playlist document's times).
Reports count in local days of a time zone (the deployment's, or a screen's):
:func:`day_bounds` says when one starts and ends in UTC, across daylight-saving changes too.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

from playlists import iso
from signage.errors import InvalidInput
from signage.messages import Said

# The playlist document's formatter, under the name the controller's code reads best with.
isoformat_z = iso

# The dates the system accepts, as written.
FIRST_DATE, LAST_DATE = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
RANGE_TEXT = Said("between %(first)s and %(last)s", first=FIRST_DATE, last=LAST_DATE)

# The text forms: a date (YYYY-MM-DD) and a time (RFC 3339: date, T, time with seconds, an
# optional fraction, Z or ±hh:mm), both in the accepted years. The calendar check (no 30
# February) is the parser's.
_YEAR = "(?:20[0-9]{2}|2100)"
_DAY = f"{_YEAR}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
DATE_PATTERN = f"^{_DAY}$"
YEAR_PATTERN = f"^{_YEAR}$"
TIME_PATTERN = (
    f"^{_DAY}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{{1,9}})?"
    "(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$"
)
TIME_SCHEMA = {"type": "string", "format": "date-time", "pattern": TIME_PATTERN}
DATE_SCHEMA = {"type": "string", "format": "date", "pattern": DATE_PATTERN}
TIME_EXAMPLE = "2026-12-01T08:00:00+08:00"
_TIME = re.compile(TIME_PATTERN)
_DATE = re.compile(DATE_PATTERN)


def in_range(value: dt.datetime, field: str) -> dt.datetime:
    """``value`` in UTC if its date as written is in the accepted range, else
    :class:`InvalidInput` naming ``field``. A time without an offset is refused too: it could
    be any of 24 instants."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput("%(name)s needs a UTC offset or Z", name=field, field=field)
    if not FIRST_DATE <= value.date() <= LAST_DATE:
        raise InvalidInput(
            "%(name)s must be %(range_text)s",
            name=field,
            range_text=RANGE_TEXT,
            field=field,
        )
    return value.astimezone(dt.UTC)


def parse_time(text: object, field: str) -> dt.datetime:
    """An ISO-8601 time with an offset, in UTC and in range; else :class:`InvalidInput`.

    Only text is read: a number (a Unix time, say) is refused rather than guessed at.
    """
    if not isinstance(text, str):
        raise _not_a_time(field)
    if not _TIME.fullmatch(text):
        raise _out_of_years(text, field) or _not_a_time(field)
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise _not_a_time(field) from None
    return in_range(value, field)


def parse_date(text: object, field: str) -> dt.date:
    """A date ``YYYY-MM-DD`` in the accepted range; else :class:`InvalidInput`."""
    if not isinstance(text, str):
        raise _not_a_date(field)
    if not _DATE.fullmatch(text):
        raise _out_of_years(text, field) or _not_a_date(field)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _not_a_date(field) from None


def _not_a_time(field: str) -> InvalidInput:
    return InvalidInput(
        "%(name)s must be an ISO-8601 time with an offset, e.g. %(example)s",
        name=field,
        example=TIME_EXAMPLE,
        field=field,
    )


def _not_a_date(field: str) -> InvalidInput:
    return InvalidInput("%(name)s must be a date such as 2026-11-01", name=field, field=field)


def _out_of_years(text: str, field: str) -> InvalidInput | None:
    """Well formed but outside the years: say so, rather than that the form is wrong."""
    if _ANY_YEAR_TIME.fullmatch(text) or _ANY_YEAR_DATE.fullmatch(text):
        return InvalidInput(
            "%(name)s must be %(range_text)s", name=field, range_text=RANGE_TEXT, field=field
        )
    return None


_ANY_YEAR_TIME = re.compile(TIME_PATTERN.replace(_YEAR, "[0-9]{4}", 1))
_ANY_YEAR_DATE = re.compile(DATE_PATTERN.replace(_YEAR, "[0-9]{4}", 1))


def day_bounds(day: dt.date, zone: zoneinfo.ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """Return the UTC instants a local day starts and ends."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def local_date(at: dt.datetime, zone: zoneinfo.ZoneInfo) -> dt.date:
    """Return the date in ``zone`` at the instant ``at``."""
    return at.astimezone(zone).date()


def days_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Return every day from ``first`` through ``last``."""
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
