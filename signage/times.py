"""Times on the controller: the range it accepts, the one way an instant is written, local days.

Every time that comes in (API bodies, query values, cursors, form fields, display events) must
lie between :data:`EARLIEST` and :data:`LATEST`, 2000 to 2100 in UTC: :func:`in_range` and
:func:`parse_time` are the one check, and the error names the field. Anything outside is a
typing error or a clock gone wrong, and years near 1 or 9999 cannot even be shown in every time
zone. Every time the controller hashes, stores as text or answers with is UTC ISO-8601 with a
``Z`` (:func:`isoformat_z`, the same function that writes the playlist document's times).
Reports count in local days of a time zone (the deployment's, or a screen's):
:func:`day_bounds` says when one starts and ends in UTC, across daylight-saving changes too.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from playlists import iso
from signage.errors import InvalidInput

# The playlist document's formatter, under the name the controller's code reads best with.
isoformat_z = iso

# The dates and times the system accepts.
FIRST_DATE, LAST_DATE = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
EARLIEST = dt.datetime.combine(FIRST_DATE, dt.time(), tzinfo=dt.UTC)
LATEST = dt.datetime.combine(LAST_DATE, dt.time.max, tzinfo=dt.UTC)
RANGE_TEXT = f"between {FIRST_DATE} and {LAST_DATE}"


def in_range(value: dt.datetime, field: str) -> dt.datetime:
    """``value`` in UTC if it lies in the accepted range, else :class:`InvalidInput` naming
    ``field``. A time without an offset is refused too: it could be any of 24 instants."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(f"{field} needs a UTC offset or Z", field=field)
    try:
        value = value.astimezone(dt.UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+08:00
        raise InvalidInput(f"{field} must be {RANGE_TEXT}", field=field) from None
    if not EARLIEST <= value <= LATEST:
        raise InvalidInput(f"{field} must be {RANGE_TEXT}", field=field)
    return value


def parse_time(text: object, field: str) -> dt.datetime:
    """An ISO-8601 time with an offset, in UTC and in range; else :class:`InvalidInput`.

    Only text is read: a number (a Unix time, say) is refused rather than guessed at.
    """
    if not isinstance(text, str) or "\x00" in text:
        raise InvalidInput(
            f"{field} must be an ISO-8601 time with an offset, e.g. 2026-12-01T08:00:00+08:00",
            field=field,
        )
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"{field} must be an ISO-8601 time with an offset, e.g. 2026-12-01T08:00:00+08:00",
            field=field,
        ) from None
    return in_range(value, field)


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
