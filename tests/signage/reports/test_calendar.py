"""The working-day calendar: the bundled official one, admin-entered years, unknown years."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from signage.audit.models import AuditEntry
from signage.errors import Conflict, InvalidInput, PermissionDenied
from signage.reports import calendar as cal
from signage.workdays.models import HolidayDay, HolidayYear
from tests.conftest import NOW
from tests.signage.reports.conftest import local

D = dt.date


def test_a_year_the_package_knows(db_session):
    year = cal.WorkingCalendar(db_session).year(2026)
    assert year.source == cal.PACKAGE
    # National Day 2026: 1–7 October off, Saturday 10 October worked instead.
    assert year.holidays[D(2026, 10, 1)] == "国庆节"
    assert D(2026, 10, 3) not in year.holidays  # a Saturday: a rest day anyway
    assert year.workdays == {
        D(2026, 1, 4): "元旦",
        D(2026, 2, 14): "春节",
        D(2026, 2, 28): "春节",
        D(2026, 5, 9): "劳动节",
        D(2026, 9, 20): "国庆节",
        D(2026, 10, 10): "国庆节",
    }
    assert not year.is_working_day(D(2026, 10, 7)) and year.is_working_day(D(2026, 10, 8))
    assert year.is_working_day(D(2026, 10, 10))
    assert year.is_working_day(D(2026, 11, 26)) and not year.is_working_day(D(2026, 11, 28))


def test_an_unknown_year_is_said_plainly(db_session):
    with pytest.raises(cal.CalendarUnknown, match="calendar unknown for year 2027") as caught:
        cal.WorkingCalendar(db_session).is_working_day(D(2027, 3, 1))
    assert caught.value.year == 2027 and caught.value.status == 404
    assert "2004–2026" in caught.value.message


@pytest.mark.parametrize(
    ("start", "days", "end"),
    [
        # Thursday 10:00: the start day does not count; Friday and Monday do.
        (local(2026, 11, 26, 10, 0), 2, local(2026, 12, 1, 0, 0)),
        # Starting at midnight the whole day counts.
        (local(2026, 11, 26, 0, 0), 2, local(2026, 11, 28, 0, 0)),
        # Across National Day: 30 Sep counts, 1–7 Oct are off, 8, 9 and Saturday 10 Oct count.
        (local(2026, 9, 29, 15, 0), 3, local(2026, 10, 10, 0, 0)),
        (local(2026, 9, 29, 15, 0), 4, local(2026, 10, 11, 0, 0)),
    ],
)
def test_add_working_days(db_session, start, days, end):
    working = cal.WorkingCalendar(db_session)
    assert cal.add_working_days(working, start, days, "Asia/Shanghai") == end


def test_adding_into_an_unknown_year_raises(db_session):
    with pytest.raises(cal.CalendarUnknown, match="2027"):
        cal.add_working_days(
            cal.WorkingCalendar(db_session), local(2026, 12, 28, 9, 0), 5, "Asia/Shanghai"
        )


def holidays_2027():
    return dict(
        holidays=[
            cal.DayEntry(D(2027, 1, 1), "元旦"),
            cal.DayEntry(D(2027, 2, 8), "春节"),
            cal.DayEntry(D(2027, 2, 9), "春节"),
        ],
        workdays=[cal.DayEntry(D(2027, 2, 6), "春节")],
        source="国办发明电〔2026〕9号",
    )


def test_an_admin_enters_an_unknown_year(db_session, make_user):
    admin = make_user("admin")
    entered = cal.replace_holidays(db_session, admin, 2027, now=NOW, **holidays_2027())
    db_session.commit()
    assert entered.source == cal.ENTERED and entered.entered_by == admin.username
    assert entered.reference == "国办发明电〔2026〕9号"
    working = cal.WorkingCalendar(db_session)
    assert not working.is_working_day(D(2027, 2, 8))
    assert working.is_working_day(D(2027, 2, 6))  # a Saturday worked
    # Friday 5 Feb 15:00 + 2 working days: Saturday 6 (worked), Wednesday 10.
    assert cal.add_working_days(working, local(2027, 2, 5, 15, 0), 2, "Asia/Shanghai") == local(
        2027, 2, 11, 0, 0
    )
    entry = db_session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "holidays.enter"))
    assert entry.one().details_dict["workdays"] == [["2027-02-06", "春节"]]


def test_entering_again_replaces_the_year(db_session, make_user):
    admin = make_user("admin")
    cal.replace_holidays(db_session, admin, 2027, now=NOW, **holidays_2027())
    cal.replace_holidays(
        db_session,
        admin,
        2027,
        holidays=[cal.DayEntry(D(2027, 1, 1), "元旦")],
        workdays=[],
        now=NOW + dt.timedelta(hours=1),
    )
    db_session.commit()
    assert db_session.scalars(sa.select(HolidayDay.date)).all() == [D(2027, 1, 1)]
    assert cal.view_holidays(db_session, admin, 2027).workdays == {}
    actions = db_session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.seq)).all()
    assert actions[-2:] == ["holidays.enter", "holidays.replace"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"holidays": [cal.DayEntry(D(2028, 1, 3), "元旦")]}, "holidays.0.date", "not in 2027"),
        (
            {"workdays": [cal.DayEntry(D(2027, 1, 1), "元旦")]},
            "workdays.0.date",
            "listed twice",
        ),
        (
            {"holidays": [cal.DayEntry(D(2027, 2, 7), "春节")]},
            "holidays.0.date",
            "Sunday, a rest day anyway",
        ),
        (
            {"workdays": [cal.DayEntry(D(2027, 2, 10), "春节")]},
            "workdays.0.date",
            "Wednesday, a working day anyway",
        ),
        ({"holidays": [cal.DayEntry(D(2027, 1, 1), " ")]}, "holidays.0.name", "name"),
        ({"holidays": []}, "holidays", "list the year's holidays"),
    ],
)
def test_bad_calendars_are_refused_and_nothing_is_written(
    db_session, make_user, change, field, message
):
    admin = make_user("admin")
    values = holidays_2027() | change
    with pytest.raises(InvalidInput, match=message) as caught:
        cal.replace_holidays(db_session, admin, 2027, now=NOW, **values)
    assert caught.value.field == field
    db_session.rollback()
    assert db_session.scalar(sa.select(sa.func.count()).select_from(HolidayYear)) == 0


def test_a_known_year_cannot_be_replaced_and_only_admins_enter(db_session, make_user):
    with pytest.raises(Conflict, match="bundled official calendar"):
        cal.replace_holidays(db_session, make_user("admin"), 2026, now=NOW, **holidays_2027())
    with pytest.raises(PermissionDenied):
        cal.replace_holidays(db_session, make_user("supervisor"), 2027, now=NOW, **holidays_2027())
    with pytest.raises(InvalidInput, match="year must be"):
        cal.view_holidays(db_session, make_user("author"), 12)
