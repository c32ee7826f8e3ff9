"""The report pages: figures equal to counts taken straight from the log, CSVs, the calendar."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re

import sqlalchemy as sa

from signage.clock import utcnow
from signage.displaylog.models import DisplayEvent
from signage.reports.compliance import compliance_report
from signage.screens.models import Screen
from signage.screens.services import create_screen
from signage.workdays.models import HolidayYear
from tests.screen_record import ScreenRecord, post_plays


def post_events(client, session, records, key, token, notice, starts, outcome="shown"):
    screen = session.scalar(sa.select(Screen).where(Screen.key == key))
    record = records.setdefault(key, ScreenRecord())
    times = [start for _, start in starts]
    answer = post_plays(client, session, screen, token, record, notice, times, outcome=outcome)
    assert len(answer["accepted"]) == len(starts), answer


def live(at):
    """A notice's fields to have it approved at ``at`` and on screens for a week from then."""
    return {"at": at, "valid_from": at, "valid_until": at + dt.timedelta(days=7)}


def test_yearly_counts_page_matches_the_raw_log(pages, person, make_notice, db_session, client):
    author, reviewer = person("author"), person("reviewer")
    tokens = {}
    for key in ("hall", "lobby"):
        _, tokens[key] = create_screen(
            db_session, None, key=key, name=f"屏{key}", width=64, height=16, now=utcnow()
        )
    db_session.commit()
    start = utcnow() - dt.timedelta(hours=2)
    first = make_notice(
        author,
        screens=["hall", "lobby"],
        category="要闻",
        status="approved",
        reviewer=reviewer,
        **live(start - dt.timedelta(hours=1)),
    )
    second = make_notice(
        author,
        screens=["hall"],
        category="通知公告",
        status="approved",
        reviewer=reviewer,
        **live(start - dt.timedelta(hours=1)),
    )
    records: dict = {}
    post = functools.partial(post_events, client, db_session, records)
    post("hall", tokens["hall"], first, [(i, start + dt.timedelta(minutes=i)) for i in range(1, 6)])
    post(
        "hall", tokens["hall"], second, [(i, start + dt.timedelta(minutes=i)) for i in range(6, 9)]
    )
    post("lobby", tokens["lobby"], first, [(1, start), (2, start + dt.timedelta(minutes=1))])
    post("lobby", tokens["lobby"], first, [(3, start + dt.timedelta(minutes=2))], "interrupted")

    year = utcnow().year
    shown = db_session.execute(
        sa.select(sa.func.count(), sa.func.count(sa.distinct(DisplayEvent.notice_id))).where(
            DisplayEvent.outcome == "shown"
        )
    ).one()
    browser = pages(person("supervisor"))
    page = browser.get(f"/reports/annual?year={year}").get_data(as_text=True)
    assert f"通过电子显示屏公开信息 {shown[1]} 条" in page
    plays = re.search(r'id="total-plays">([\d,]+)<', page).group(1).replace(",", "")
    assert int(plays) == shown[0] == 10
    by_category = page.split('id="by-category"')[1].split("</table>")[0]
    assert "要闻" in by_category and "通知公告" in by_category
    # Each screen's plays drawn as a bar against the most: hall 8 plays, lobby 2.
    by_screen = page.split('id="by-screen"')[1].split("</table>")[0]
    widths = re.findall(
        r'aria-label="(\d+) 次播放"><rect class="value" x="0" y="0" width="([\d.]+)"', by_screen
    )
    assert sorted(widths) == [("2", "25.00"), ("8", "100.00")]
    assert "<text" not in page  # the charts' words are page text, at the page's size
    download = browser.get(f"/reports/annual.csv?year={year}")
    assert download.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True))))
    assert len(rows) > 1
    assert browser.get("/reports/annual?year=1999").status_code == 422
    assert browser.get("/reports/annual?year=abc").status_code == 422


def test_compliance_page_shows_the_approval_hashes_and_csv(
    app, pages, person, make_notice, db_session, client
):
    author, reviewer = person("author"), person("reviewer")
    _, token = create_screen(
        db_session, None, key="hall", name="大厅", width=64, height=16, now=utcnow()
    )
    db_session.commit()
    notice = make_notice(
        author,
        screens=["hall"],
        status="approved",
        reviewer=reviewer,
        required_working_days=5,
        # Two weeks: a week can hold fewer than 5 working days (a weekend, a holiday).
        **live(utcnow() - dt.timedelta(hours=1))
        | {"valid_until": utcnow() + dt.timedelta(days=14)},
    )
    when = utcnow() - dt.timedelta(minutes=5)
    post_events(client, db_session, {}, "hall", token, notice, [(1, when)])
    browser = pages(person("supervisor"))
    answer = browser.get(f"/reports/notices/{notice.id}/compliance")
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    event = db_session.scalars(sa.select(DisplayEvent)).one()
    assert event.hash in page  # the chain hash that makes the evidence verifiable
    assert (reviewer.username in page and "已确认" in page) or "confirmed" in page
    assert 'id="screen-hall"' in page
    # Its audit records as sentences with names, each beside its hash.
    assert f"{reviewer.display_name} 批准了第 1 版" in page
    # The period as a bar: every gap of the report, in place, coloured by its cause.
    section = page.split('id="screen-hall"')[1].split("</section>")[0]
    drawn = re.findall(
        r'<rect class="gap cause-([a-z_]+)[^"]*" data-from="([0-9.]+)" data-to="([0-9.]+)"',
        section,
    )
    weights = app.config["SIGNAGE_PRIORITY_WEIGHTS"]
    report = compliance_report(db_session, None, notice.id, now=utcnow(), weights=weights)
    (evidence,) = report.screens
    end = evidence.period_end

    def at(t):  # minutes into the period, to the minute (the page was drawn a moment earlier)
        return round(max(0, (min(t, end) - evidence.period_start).total_seconds() / 60))

    expected = [(g.cause, at(g.start), at(g.end)) for g in evidence.gaps if at(g.end) > at(g.start)]
    assert expected and [(c, round(float(a)), round(float(b))) for c, a, b in drawn] == expected
    csv_answer = browser.get(f"/reports/notices/{notice.id}/compliance.csv")
    assert csv_answer.mimetype == "text/csv" and event.hash in csv_answer.get_data(as_text=True)
    assert browser.get(f"/reports/notices/{notice.id}/compliance?gap_minutes=0").status_code == 422
    assert browser.get("/reports/notices/99999/compliance").status_code == 404
    assert pages(author).get(f"/reports/notices/{notice.id}/compliance").status_code == 403


def test_uptime_page(pages, person, make_screen):
    make_screen(key="hall")
    browser = pages(person("admin"))
    page = browser.get("/reports/uptime").get_data(as_text=True)
    assert "屏幕" in page and "<svg" in page
    # The axis is page text beside the drawing, which stretches; none of it is SVG text.
    assert '<div class="y-axis" aria-hidden="true"><span>100%</span>' in page
    assert "<text" not in page
    assert browser.get("/reports/uptime?from=2026-01-10&to=2026-01-01").status_code == 422
    assert browser.get("/reports/uptime?from=yesterday").status_code == 422


def test_an_unknown_year_is_said_plainly_and_an_admin_enters_it(pages, person, db_session):
    year = 2099
    reader = pages(person("supervisor"))
    page = reader.get(f"/holidays/{year}").get_data(as_text=True)
    assert "不知道" in page or "is not known" in page or "未知" in page
    assert 'name="holidays"' not in page  # only an admin may enter it
    refused = reader.post(f"/holidays/{year}", {"holidays": f"{year}-10-01 国庆节"})
    assert refused.status_code == 403
    admin = pages(person("admin"))
    bad = admin.post(f"/holidays/{year}", {"holidays": "the first of October"})
    assert (
        bad.status_code == 422
        and db_session.scalar(sa.select(sa.func.count()).select_from(HolidayYear)) == 0
    )
    saved = admin.post(
        f"/holidays/{year}",
        {
            "holidays": f"{year}-10-01 国庆节\n{year}-10-02 国庆节",
            "workdays": f"{year}-09-26 国庆节",
            "source": "国办发明电",
        },
    )
    assert saved.status_code == 303
    page = admin.get(f"/holidays/{year}").get_data(as_text=True)
    assert f"{year}-10-02" in page and "国办发明电" in page


def test_a_year_the_package_knows_is_shown_as_such_and_not_editable(pages, person):
    page = pages(person("admin")).get("/holidays/2025").get_data(as_text=True)
    source = page.split('id="calendar-source"')[1].split("</p>")[0]
    assert "随本系统提供的官方日历" in source and "chinesecalendar" not in page
    assert "2025-10-01" in page and 'name="holidays"' not in page
