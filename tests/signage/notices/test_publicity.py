"""A 公示 that cannot last its period by its own settings is refused at submit and at approval,
with the end its window must reach: counted across the 2025 National Day and 2026 Spring
Festival holidays and their make-up working days, as the compliance report counts them."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from signage.errors import InvalidInput
from signage.notices import review
from signage.notices import services as notices
from signage.reports.compliance import compliance_report
from tests.conftest import RULES

ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")


def local(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=ZONE)


def draft(db_session, author, *, valid_from, valid_until, days=5, at):
    fields = notices.NoticeFields(
        title="县管干部任前公示",
        body="经县委常委会研究，拟提任以下同志为县管干部，现予公示。公示期为5个工作日。",
        category="人事任免",
        screens=["hall"],
        valid_from=valid_from,
        valid_until=valid_until,
        required_working_days=days,
    )
    notice = notices.create_notice(db_session, author, fields, now=at, rules=RULES)
    db_session.commit()
    return notice


@pytest.fixture
def people(make_user, make_screen):
    make_screen(key="hall")
    return make_user("author"), make_user("reviewer")


def test_a_window_a_day_short_across_national_day_is_refused_at_submit(db_session, people):
    author, _ = people
    # From Tuesday 30 September 2025 09:00: 1–8 October are holidays; 9, 10, 11 (a Saturday
    # worked), 13 and 14 October are the five working days, so the period ends 15 October.
    start, at = local(2025, 9, 30, 9), local(2025, 9, 29, 10)
    short = draft(db_session, author, valid_from=start, valid_until=local(2025, 10, 14), at=at)
    with pytest.raises(InvalidInput) as refused:
        notices.submit_notice(db_session, author, short.id, now=at)
    assert refused.value.field == "valid_until"
    assert "2025-10-15T00:00+08:00" in refused.value.message
    assert refused.value.details["must_reach"] == "2025-10-14T16:00:00Z"
    db_session.rollback()
    assert short.status == "draft"  # nothing was written
    enough = draft(db_session, author, valid_from=start, valid_until=local(2025, 10, 15), at=at)
    notices.submit_notice(db_session, author, enough.id, now=at)
    assert enough.status == "submitted"


def test_a_window_that_became_too_short_is_refused_at_approval_after_spring_festival(
    db_session, people
):
    author, reviewer = people
    # Submitted on 10 February 2026 to start on Friday 13 February 10:00: 14 February (a
    # Saturday worked), then 24–27 February after the holiday: the period ends 28 February.
    at = local(2026, 2, 10, 9)
    notice = draft(
        db_session,
        author,
        valid_from=local(2026, 2, 13, 10),
        valid_until=local(2026, 2, 28),
        at=at,
    )
    notices.submit_notice(db_session, author, notice.id, now=at)
    db_session.commit()
    # Approved only on 24 February 09:00: the period starts then, and needs 25, 26, 27, 28
    # (a Saturday worked) February and 2 March.
    late = local(2026, 2, 24, 9)
    with pytest.raises(InvalidInput) as refused:
        review.approve_notice(
            db_session, reviewer, notice.id, confidentiality_reviewed=True, now=late
        )
    assert "2026-03-03T00:00+08:00" in refused.value.message
    db_session.rollback()
    assert notice.status == "submitted" and notice.live_revision is None
    # Approved in time, it passes, and the report counts the same period.
    review.approve_notice(
        db_session, reviewer, notice.id, confidentiality_reviewed=True, now=local(2026, 2, 12)
    )
    db_session.commit()
    report = compliance_report(db_session, None, notice.id, now=late, weights={"normal": 1})
    assert report.screens[0].period_end == local(2026, 2, 28)


def test_a_year_the_calendar_does_not_know_is_refused_saying_so(db_session, people):
    author, _ = people
    at = local(2026, 12, 28, 9)
    notice = draft(db_session, author, valid_from=at, valid_until=local(2027, 2, 1), days=5, at=at)
    with pytest.raises(InvalidInput, match="calendar unknown for year 2027"):
        notices.submit_notice(db_session, author, notice.id, now=at)


def test_the_api_answers_422_with_the_date_to_reach(client, db_session, people, token_for):
    author, _ = people
    now = dt.datetime.now(dt.UTC)
    answer = client.post(
        "/api/v1/notices",
        headers=token_for(author),
        json={
            "title": "任前公示",
            "body": "现予公示。",
            "category": "人事任免",
            "screens": ["hall"],
            "valid_from": now.isoformat(),
            "valid_until": (now + dt.timedelta(days=2)).isoformat(),
            "required_working_days": 5,
        },
    )
    nid = answer.get_json()["id"]
    refused = client.post(f"/api/v1/notices/{nid}/submit", headers=token_for(author))
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert error["field"] == "valid_until" and error["details"]["must_reach"].endswith("Z")
