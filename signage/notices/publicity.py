"""The 公示 period: when it starts and ends, and a notice that cannot last it is refused.

A notice with ``required_working_days`` = N is a public notice (公示) that must stay up for N
working days. Its period starts when it can first be seen: its first approval or its
``valid_from``, whichever is later (:func:`period_start`); it ends at 24:00, in each target
screen's time zone, of the N-th working day after that, holidays and make-up working days
counted by the working-day calendar (:func:`signage.workdays.calendar.add_working_days`). The
compliance report counts it the same way.

A revision whose validity window ends before that on any of its target screens would fail by
its own settings, so submitting and approving it is refused (:func:`check_period`): the error
names the end the window must reach. If the calendar does not know a year the period needs, it
is refused too, saying so: nobody can tell whether the window is long enough.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from sqlalchemy.orm import Session

from signage.errors import InvalidInput
from signage.notices.models import Notice, NoticeRevision
from signage.notices.queries import approved_revisions, target_screens
from signage.times import isoformat_z
from signage.workdays.calendar import CalendarUnknown, WorkingCalendar, add_working_days


def period_start(first_approved_at: dt.datetime, valid_from: dt.datetime) -> dt.datetime:
    """When a 公示 period starts: at its first approval, or its ``valid_from`` if later."""
    return max(first_approved_at, valid_from)


def first_seen(notice: Notice, revision: NoticeRevision, now: dt.datetime) -> dt.datetime:
    """The start of the period of ``revision`` if it were approved ``now``: an earlier approved
    revision of the notice started it already."""
    approved = approved_revisions(notice)
    if approved and approved[0].reviewed_at is not None:
        return period_start(approved[0].reviewed_at, approved[0].valid_from)
    return period_start(now, revision.valid_from)


def check_period(
    session: Session, notice: Notice, revision: NoticeRevision, *, now: dt.datetime
) -> None:
    """Raise :class:`InvalidInput` (field ``valid_until``) if ``revision`` is a 公示 whose window
    ends before its period does on a target screen, or the calendar cannot say."""
    days = revision.required_working_days
    if not days:
        return
    start = first_seen(notice, revision, now)
    calendar = WorkingCalendar(session)
    latest: tuple[dt.datetime, str] | None = None
    for screen in target_screens(session, revision):
        try:
            end = add_working_days(calendar, start, days, screen.timezone)
        except CalendarUnknown as exc:
            raise InvalidInput(
                "a %(days)s-working-day 公示 from %(start)s needs the working-day calendar of "
                "%(year)s, which is not known: %(reason)s",
                days=days,
                start=isoformat_z(start),
                year=exc.year,
                reason=exc.message,
                field="required_working_days",
            ) from None
        if latest is None or end > latest[0]:
            latest = (end, screen.timezone)
    if latest is None or revision.valid_until >= latest[0]:
        return
    end, zone = latest
    local = end.astimezone(_zone(zone))
    raise InvalidInput(
        "the validity window ends before the %(days)s-working-day 公示 period does: it must reach "
        "at least %(until)s (the end of the %(days)sth working day from %(start)s, "
        "holidays counted)",
        days=days,
        until=local.isoformat(timespec="minutes"),
        start=start.astimezone(_zone(zone)).date().isoformat(),
        field="valid_until",
        details={"must_reach": isoformat_z(end), "must_reach_local": local.isoformat()},
    )


def _zone(name: str) -> dt.tzinfo:
    return zoneinfo.ZoneInfo(name)
