"""Times on the controller: the one way an instant is written, and local days.

Every time the controller hashes, stores as text or answers with is UTC ISO-8601 with a ``Z``
(:func:`isoformat_z`, the same function that writes the playlist document's times). Reports
count in local days of a time zone (the deployment's, or a screen's): :func:`day_bounds` says
when one starts and ends in UTC, across daylight-saving changes too.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from playlists import iso
from signage.errors import InvalidInput

# The playlist document's formatter, under the name the controller's code reads best with.
isoformat_z = iso

# The dates query values may name (reports, the calendar).
FIRST_DATE, LAST_DATE = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


def utc(value: dt.datetime, field: str) -> dt.datetime:
    """``value`` in UTC, or an error naming ``field`` for a time too near year 1 or 9999."""
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise InvalidInput(f"{field} is out of range", field=field) from None


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
