"""The reports: 公示 compliance evidence, yearly disclosure counts, screen uptime."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
import sqlalchemy as sa

from playlists.heartbeat import Heartbeat
from signage.audit.models import AuditEntry, ChainHead
from signage.displaylog.models import DisplayEvent
from signage.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from signage.health.services import record_heartbeat
from signage.notices import review
from signage.notices import services as notices
from signage.reports import calendar as cal
from signage.reports.annual import annual_report
from signage.reports.compliance import compliance_report
from signage.reports.evidence import Verdict
from signage.reports.rollups import roll_up
from signage.reports.uptime import uptime_report
from signage.screens.models import Screen
from signage.workdays.models import HolidayDay, HolidayYear
from tests.conftest import NOW, RULES
from tests.signage.reports.conftest import (
    FIVE_MINUTES,
    HALL_HOURS,
    OPEN_DAYS,
    SHANGHAI,
    after,
    approve_gongshi,
    every,
    local,
    opening_hours_plays,
)

TZ = "Asia/Shanghai"
WEIGHTS = {"normal": 1, "high": 2, "urgent": 1}
D = dt.date
AFTER = after()


@pytest.fixture
def people(make_user):
    return {
        "author": make_user("author"),
        "reviewer": make_user("reviewer"),
        "supervisor": make_user("supervisor"),
    }


@pytest.fixture
def hall(make_screen):
    return make_screen(key="hall", name="政务大厅", hours=HALL_HOURS)


@pytest.fixture
def gongshi(db_session, people, hall):
    return approve_gongshi(db_session, people["author"], people["reviewer"])


EARLY = dt.datetime(2025, 12, 1, tzinfo=dt.UTC)  # approved before the plays stored


def report(db_session, notice, *, now=AFTER, actor=None, **kw):
    return compliance_report(db_session, actor, notice.id, now=now, weights=WEIGHTS, **kw)


def test_covered_the_whole_period_with_off_hours_gaps(db_session, hall, gongshi, store_events):
    for day in OPEN_DAYS:
        store_events(hall, gongshi, opening_hours_plays(day))
    r = report(db_session, gongshi)
    assert r.verdict == Verdict.COVERED and r.basis == "working_days"
    [s] = r.screens
    assert (s.period_start, s.period_end) == (NOW, local(2026, 12, 1, 0, 0))
    assert s.verdict == Verdict.COVERED
    assert s.plays == 96 + 120 + 120
    # Alone on the screen, a 15-second item plays four times a minute while the hall is open.
    assert s.expected_plays == (8 + 10 + 10) * 60 * 4
    assert s.first_display == NOW and s.last_display == local(2026, 11, 30, 17, 55)
    # Nights and the weekend: gaps put down to off hours, none counting against the notice.
    assert [(g.start, g.end, g.cause, g.counts_against) for g in s.gaps] == [
        (local(2026, 11, 26, 17, 55, 15), local(2026, 11, 27, 8, 0), "off_hours", False),
        (local(2026, 11, 27, 17, 55, 15), local(2026, 11, 30, 8, 0), "off_hours", False),
        (local(2026, 11, 30, 17, 55, 15), local(2026, 12, 1, 0, 0), "off_hours", False),
    ]
    assert dict(s.gaps[0].causes) == {"off_hours": 14 * 3600, "unknown": 285}


def test_a_gap_while_the_screen_was_offline(db_session, hall, gongshi, store_events, outage):
    store_events(hall, gongshi, opening_hours_plays(OPEN_DAYS[0]))
    store_events(hall, gongshi, opening_hours_plays(OPEN_DAYS[1], skip=(10, 12)))
    store_events(hall, gongshi, opening_hours_plays(OPEN_DAYS[2]))
    outage(hall, local(2026, 11, 27, 10, 0), local(2026, 11, 27, 12, 0))
    r = report(db_session, gongshi)
    [s] = r.screens
    assert r.verdict == s.verdict == Verdict.NOT_COVERED
    [failing] = [g for g in s.gaps if g.counts_against]
    assert (failing.start, failing.end) == (local(2026, 11, 27, 9, 55, 15), local(2026, 11, 27, 12))
    assert failing.cause == "offline" and dict(failing.causes) == {"offline": 7200, "unknown": 285}
    assert "offline 2 h" in s.reasons[0]
    assert r.reasons[0].startswith("hall: ")


def test_a_gap_with_no_known_cause(db_session, hall, gongshi, store_events):
    store_events(hall, gongshi, opening_hours_plays(OPEN_DAYS[0]))
    store_events(hall, gongshi, opening_hours_plays(OPEN_DAYS[1]))
    store_events(hall, gongshi, opening_hours_plays(OPEN_DAYS[2], skip=(14, 15)))
    [s] = report(db_session, gongshi).screens
    [failing] = [g for g in s.gaps if g.counts_against]
    assert failing.cause == "unknown" and failing.seconds == 3600 + 285
    # A shorter threshold would find nothing more; a longer one forgives the hour.
    assert report(db_session, gongshi, gap_minutes=90).verdict == Verdict.COVERED


def test_a_withdrawal_before_the_period_ends(db_session, people, hall, gongshi, store_events):
    store_events(hall, gongshi, opening_hours_plays(OPEN_DAYS[0]))
    store_events(hall, gongshi, opening_hours_plays(OPEN_DAYS[1], skip=(12, 18)))
    notices.withdraw_notice(
        db_session,
        people["reviewer"],
        gongshi.id,
        reason="任职人选调整",
        now=local(2026, 11, 27, 12),
    )
    db_session.commit()
    r = report(db_session, gongshi)
    [s] = r.screens
    assert s.verdict == Verdict.NOT_COVERED
    last = s.gaps[-1]
    assert (last.start, last.end) == (local(2026, 11, 27, 11, 55, 15), local(2026, 12, 1))
    assert last.cause == "withdrawn" and last.counts_against
    assert (
        dict(last.causes)["withdrawn"]
        == (local(2026, 12, 1) - local(2026, 11, 27, 12)).total_seconds()
    )
    assert "withdrawn before the period ended" in s.reasons
    assert r.status == "withdrawn" and r.close_reason == "任职人选调整"
    # Expected plays stop with the withdrawal too: Thursday 10–18 and Friday 08–12.
    assert s.expected_plays == (8 + 4) * 60 * 4


def test_while_the_period_runs(db_session, hall, gongshi, store_events):
    store_events(hall, gongshi, opening_hours_plays(OPEN_DAYS[0]))
    r = report(db_session, gongshi, now=local(2026, 11, 26, 20, 0))
    assert r.verdict == Verdict.IN_PROGRESS
    assert r.screens[0].examined_until == local(2026, 11, 26, 20, 0)


def test_the_approval_record_and_the_chain_hashes(db_session, people, hall, gongshi, store_events):
    store_events(hall, gongshi, opening_hours_plays(OPEN_DAYS[0]))
    # A second revision, approved the next morning, takes over from the first.
    notices.edit_notice(
        db_session,
        people["author"],
        gongshi.id,
        notices.NoticeFields(body="更正：任职时间"),
        now=local(2026, 11, 27, 8, 30),
        rules=RULES,
    )
    review.approve_notice(
        db_session,
        people["reviewer"],
        gongshi.id,
        confidentiality_reviewed=True,
        note="更正后同意",
        now=local(2026, 11, 27, 9, 0),
    )
    db_session.commit()
    store_events(hall, gongshi, opening_hours_plays(OPEN_DAYS[1], skip=(8, 9)))
    r = report(db_session, gongshi)
    first, second = r.approvals
    assert (first.revision, first.reviewed_by, first.note) == (
        1,
        people["reviewer"].username,
        "经保密审查，同意公示",
    )
    assert first.confidentiality_reviewed and first.reviewed_at == NOW
    assert (first.live_from, first.live_until) == (NOW, local(2026, 11, 27, 9))
    assert (second.revision, second.live_until, second.note) == (2, None, "更正后同意")
    [s] = r.screens
    events = db_session.scalars(
        sa.select(DisplayEvent)
        .where(DisplayEvent.notice_id == gongshi.id)
        .order_by(DisplayEvent.chain_seq)
    ).all()
    assert (s.first_event.seq, s.first_event.hash) == (events[0].chain_seq, events[0].hash)
    assert (s.last_event.seq, s.last_event.hash) == (events[-1].chain_seq, events[-1].hash)
    head = db_session.get(ChainHead, f"display:{hall.id}")
    assert (s.chain_head.seq, s.chain_head.hash) == (head.seq, head.hash)
    approvals = db_session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "notice.approve").order_by(AuditEntry.seq)
    ).all()
    audited = {(p.seq, p.hash) for p in r.audit}
    assert {(a.seq, a.hash) for a in approvals} <= audited
    audit_head = db_session.get(ChainHead, "audit")
    assert (r.audit_head.seq, r.audit_head.hash) == (audit_head.seq, audit_head.hash)


def test_an_unknown_calendar_gives_no_verdict_until_an_admin_enters_the_year(
    db_session, people, hall, make_user
):
    gongshi = {
        "title": "年末公示",
        "valid_from": local(2026, 12, 29, 9, 0),
        "valid_until": local(2027, 1, 20, 0, 0),
        "required_working_days": 5,
    }
    # Nobody knows yet whether the window covers the period: the submission is refused.
    with pytest.raises(InvalidInput, match="calendar unknown for year 2027") as refused:
        approve_gongshi(db_session, people["author"], people["reviewer"], **gongshi)
    assert refused.value.field == "required_working_days"
    db_session.rollback()
    cal.replace_holidays(
        db_session,
        make_user("admin"),
        2027,
        holidays=[cal.DayEntry(D(2027, 1, 1), "元旦")],
        workdays=[],
        now=NOW,
    )
    db_session.commit()
    notice = approve_gongshi(db_session, people["author"], people["reviewer"], **gongshi)
    [s] = report(db_session, notice, now=local(2027, 1, 2, 9, 0)).screens
    # From Tuesday 29 December 09:00: 30, 31 December, (1 January off), 4, 5, 6 January.
    assert s.period_end == local(2027, 1, 7, 0, 0)
    assert s.verdict == Verdict.NOT_COVERED  # nothing was ever shown
    # Should the year be lost again (a notice approved before the check, a restored backup),
    # the report says so rather than guess.
    db_session.execute(sa.delete(HolidayDay))
    db_session.execute(sa.delete(HolidayYear))
    db_session.commit()
    r = report(db_session, notice, now=local(2027, 1, 2, 9, 0))
    [s] = r.screens
    assert r.verdict == s.verdict == Verdict.UNKNOWN and s.period_end is None
    assert "calendar unknown for year 2027" in s.reasons[0]


def test_refusals(db_session, people, hall, gongshi, make_notice):
    for role in ("author", "reviewer"):
        with pytest.raises(PermissionDenied):
            report(db_session, gongshi, actor=people[role])
    report(db_session, gongshi, actor=people["supervisor"])
    with pytest.raises(NotFound):
        compliance_report(db_session, None, 99999, now=AFTER, weights=WEIGHTS)
    draft = make_notice(people["author"], screens=["hall"])
    with pytest.raises(Conflict, match="never approved"):
        report(db_session, draft)
    with pytest.raises(InvalidInput, match="gap threshold"):
        report(db_session, gongshi, gap_minutes=0)


# --- yearly counts ----------------------------------------------------------------------------


@pytest.fixture
def county(db_session, people, make_screen, make_notice):
    """Three screens and notices in four categories, one of which changes its category."""
    screens = {key: make_screen(key=key) for key in ("hall", "lobby", "town-1")}
    make = lambda category, keys: make_notice(  # noqa: E731
        people["author"],
        screens=keys,
        status="approved",
        reviewer=people["reviewer"],
        category=category,
        at=EARLY,  # before the year of plays the tests store
    )
    notes = {
        "a": make("通知公告", ["hall", "lobby"]),
        "b": make("要闻", ["hall"]),
        "c": make("人事任免", ["lobby", "town-1"]),
        "d": make("乡镇动态", ["town-1"]),
        "errors-only": make("通知公告", ["hall"]),
    }
    return screens, notes


def raw_counts(db_session, year):
    """The yearly figures counted straight from the display log, in Python."""
    shown = defaultdict(set)
    plays = defaultdict(int)
    for e, key in db_session.execute(
        sa.select(DisplayEvent, Screen.key).join(Screen, Screen.id == DisplayEvent.screen_id)
    ):
        if e.started_at.astimezone(SHANGHAI).year != year or e.outcome != "shown":
            continue
        for bucket in ("total", f"category:{e.category}", f"screen:{key}"):
            shown[bucket].add(e.notice_id)
            plays[bucket] += 1
    return {k: (len(v), plays[k]) for k, v in shown.items()}


def report_counts(r):
    out = {"total": (r.total.notices, r.total.plays)}
    out |= {f"category:{c.key}": (c.notices, c.plays) for c in r.by_category if c.plays}
    out |= {f"screen:{c.key}": (c.notices, c.plays) for c in r.by_screen if c.plays}
    return out


def test_annual_counts_equal_the_raw_log(db_session, people, county, store_events):
    screens, n = county
    hall, lobby, town = screens["hall"], screens["lobby"], screens["town-1"]
    days = [D(2026, 1, 1) + dt.timedelta(days=k) for k in range(0, 330, 7)]
    for number, day in enumerate(days):
        at = local(day.year, day.month, day.day, 9, 0)
        store_events(hall, n["a"], every(at, at + dt.timedelta(hours=1), FIVE_MINUTES))
        store_events(lobby, n["a"], [at + dt.timedelta(minutes=number % 50)])
        if number % 3 == 0:
            store_events(hall, n["b"], [at, at + FIVE_MINUTES], outcome="interrupted")
            store_events(hall, n["b"], [at + dt.timedelta(hours=2)])
        store_events(town, n["d"], [at + dt.timedelta(hours=5)])
        store_events(hall, n["errors-only"], [at], outcome="error", duration_ms=0)
    # 人事任免 only on the lobby, at the turns of the year in Shanghai time: the first counts in
    # 2026, the second (on 31 December in UTC) in 2027.
    store_events(
        lobby,
        n["c"],
        [local(2026, 1, 1, 0, 30), local(2027, 1, 1, 0, 30)],
        received=local(2027, 1, 1, 1, 0),
    )
    # Notice a moves to 要闻 with a second revision: its later plays count under both.
    notices.edit_notice(
        db_session,
        people["author"],
        n["a"].id,
        notices.NoticeFields(category="要闻"),
        now=NOW,
        rules=RULES,
    )
    review.approve_notice(
        db_session, people["reviewer"], n["a"].id, confidentiality_reviewed=True, now=NOW
    )
    db_session.commit()
    store_events(town, n["a"], [local(2026, 12, 10, 9, 0)], received=local(2026, 12, 10, 10, 0))

    # The job has rolled up the first half of the year when the supervisor asks.
    roll_up(db_session, now=local(2026, 7, 1, 1, 0), timezone=TZ, max_days=400)
    db_session.commit()
    # A player that was offline since March uploads one more play of notice b.
    store_events(hall, n["b"], [local(2026, 3, 3, 15, 0)], received=local(2027, 1, 2, 9, 0))
    later = local(2027, 1, 5, 9, 0)

    def annual():
        return annual_report(db_session, people["supervisor"], 2026, now=later, timezone=TZ)

    expected = raw_counts(db_session, 2026)
    partly_rolled = annual()
    assert report_counts(partly_rolled) == expected
    assert partly_rolled.rolled_through == D(2026, 6, 30)
    roll_up(db_session, now=later, timezone=TZ, max_days=400)
    db_session.commit()
    fully_rolled = annual()
    assert report_counts(fully_rolled) == expected
    assert fully_rolled.complete and fully_rolled.rolled_through == D(2027, 1, 4)
    assert fully_rolled.total.notices == 5 - 1  # the notice with only errors is not counted
    assert fully_rolled.headline == "通过电子显示屏公开信息 4 条"
    by_category = {c.key: c.notices for c in fully_rolled.by_category}
    assert by_category["要闻"] == 2 and by_category["通知公告"] == 1
    assert {c.key: c.errors for c in fully_rolled.by_category}["通知公告"] == len(days)
    assert [c.key for c in fully_rolled.by_screen] == ["hall", "lobby", "town-1"]


def test_annual_refusals_and_bad_years(db_session, people):
    with pytest.raises(PermissionDenied):
        annual_report(db_session, people["author"], 2026, now=NOW, timezone=TZ)
    for year in (1999, 2027):
        with pytest.raises(InvalidInput, match="year must be 2000–2026"):
            annual_report(db_session, people["supervisor"], year, now=NOW, timezone=TZ)


# --- uptime -----------------------------------------------------------------------------------


def test_uptime_per_screen_and_day(db_session, people, hall, make_screen, outage):
    make_screen(key="silent")
    record_heartbeat(db_session, hall.id, Heartbeat(), now=local(2026, 11, 25, 0, 0))
    outage(hall, local(2026, 11, 25, 9, 0), local(2026, 11, 25, 10, 30))
    outage(hall, local(2026, 11, 26, 9, 0), None)  # offline since this morning
    roll_up(db_session, now=local(2026, 11, 26, 12, 0), timezone=TZ)
    db_session.commit()
    r = uptime_report(
        db_session,
        people["supervisor"],
        D(2026, 11, 24),
        D(2026, 11, 26),
        now=local(2026, 11, 26, 12, 0),
        timezone=TZ,
    )
    h, s = r.screens
    assert (h.screen, h.status, s.screen, s.status) == ("hall", "offline", "silent", "never seen")
    before, rolled, today = h.days
    assert before.figures.monitored_s == 0 and before.figures.uptime is None
    assert (rolled.figures.monitored_s, rolled.figures.offline_s) == (86400, 5400)
    assert (rolled.figures.open_s, rolled.figures.open_offline_s) == (36000, 5400)
    assert today.partial and (today.figures.monitored_s, today.figures.offline_s) == (
        12 * 3600,
        3 * 3600,
    )
    assert h.total.monitored_s == 86400 + 12 * 3600
    assert all(d.figures.monitored_s == 0 for d in s.days)
    one = uptime_report(
        db_session, None, D(2026, 11, 25), D(2026, 11, 25), now=NOW, timezone=TZ, screen="hall"
    )
    assert [x.screen for x in one.screens] == ["hall"]


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        (D(2026, 11, 20), D(2026, 11, 19), "to must not be before from"),
        (D(2026, 11, 20), D(2026, 11, 27), "after today"),
        (D(2025, 11, 1), D(2026, 11, 26), "at most 366 days"),
    ],
)
def test_uptime_bad_ranges(db_session, people, first, last, message):
    with pytest.raises(InvalidInput, match=message):
        uptime_report(db_session, people["supervisor"], first, last, now=NOW, timezone=TZ)


def test_uptime_refusals(db_session, people):
    with pytest.raises(PermissionDenied):
        uptime_report(
            db_session, people["reviewer"], D(2026, 11, 1), D(2026, 11, 2), now=NOW, timezone=TZ
        )
    with pytest.raises(NotFound):
        uptime_report(
            db_session, None, D(2026, 11, 1), D(2026, 11, 2), now=NOW, timezone=TZ, screen="nope"
        )


def test_displays_not_yet_reported_are_waited_for_not_counted_as_a_gap(
    db_session, hall, gongshi, store_events
):
    # The player reported until Friday 10:00, then its network went down: it keeps playing
    # and will upload later, so the hours since are neither a gap nor evidence yet.
    store_events(hall, gongshi, opening_hours_plays(OPEN_DAYS[0]))
    friday = [t for t in opening_hours_plays(OPEN_DAYS[1]) if t < local(2026, 11, 27, 10, 0)]
    store_events(hall, gongshi, friday)
    record_heartbeat(db_session, hall.id, Heartbeat(), now=local(2026, 11, 27, 10, 0))
    db_session.commit()
    [s] = report(db_session, gongshi, now=local(2026, 11, 27, 15, 0)).screens
    assert s.verdict == Verdict.IN_PROGRESS
    assert s.reported_until == local(2026, 11, 27, 10, 0)
    assert "may still arrive" in s.reasons[0]
    assert not [g for g in s.gaps if g.counts_against]
