"""A screen's day drawn as bars: the segments on the page are the timeline's, merged."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from playlists import timeline
from signage.clock import utcnow
from signage.delivery.services import compile_for_screen
from signage.screens.daychart import JOIN_S, day_chart
from signage.screens.models import Screen
from signage.times import day_bounds, local_date

WEIGHTS = {"normal": 1, "high": 2, "urgent": 4}


def segments(svg: str) -> list[tuple[str, float, float]]:
    return [
        (kind, float(a), float(b))
        for kind, a, b in re.findall(
            r'<rect class="([a-z ]+)" data-from="([0-9.]+)" data-to="([0-9.]+)"', svg
        )
    ]


def test_the_day_on_the_page_is_the_timeline(pages, person, make_screen, make_notice, db_session):
    screen = make_screen(key="hall", width=192, height=32, hours="1-7 08:00-18:00")
    author, reviewer = person("author"), person("reviewer")
    zone = ZoneInfo("Asia/Shanghai")
    day_start, day_end = day_bounds(local_date(utcnow(), zone), zone)
    notice = make_notice(
        author,
        screens=["hall"],
        status="approved",
        reviewer=reviewer,
        at=day_start - dt.timedelta(days=1),
        valid_from=day_start - dt.timedelta(days=1),
        valid_until=day_end + dt.timedelta(days=1),
        dayparts="09:00-12:00",
    )
    page = pages(person("supervisor")).get("/screens/hall").get_data(as_text=True)
    rows = page.split('<table class="daychart" id="daychart">')[1].split("</table>")[0]
    screen_row, notice_row = rows.split("<tr")[2], rows.split("<tr")[3]
    # The screen: off until 08:00 and from 18:00, nothing to show but 09:00–12:00.
    assert [(k, round(a), round(b)) for k, a, b in segments(screen_row)] == [
        ("off", 0, 480),
        ("idle", 480, 540),
        ("item", 540, 720),
        ("idle", 720, 1080),
        ("off", 1080, 1440),
    ]
    # The notice: one stretch, 09:00–12:00, with its plays as the timeline counts them.
    assert [(round(a), round(b)) for _, a, b in segments(notice_row)] == [(540, 720)]
    # Its label gives the stretch's times: to the end of its last showing, just before noon.
    assert "关于调整办公时间的通知: 09:00–11:59" in notice_row
    db_session.expire_all()
    row = db_session.get(Screen, screen.id)
    playlist = compile_for_screen(db_session, row, now=day_start, weights=WEIGHTS)
    plays = [s for s in timeline(playlist, day_start, day_end) if s.is_play]
    assert f"<td>{len(plays)}</td>" in notice_row
    assert plays and all(s.item.notice_id == notice.id for s in plays)


def test_showings_far_apart_are_separate_stretches():
    from playlists.select import Selection

    start = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)

    class Item:
        notice_id, title, category, priority = 1, "通知", "通知公告", "normal"

    def at(minute: float, length_s: float = 15) -> Selection:
        begin = start + dt.timedelta(minutes=minute)
        return Selection("item", begin, begin + dt.timedelta(seconds=length_s), Item())

    gap = JOIN_S / 60
    chart = day_chart([at(60), at(61), at(61 + gap + 5)], start, start + dt.timedelta(days=1))
    (row,) = chart.rows
    assert len(row.spans) == 2 and row.plays == 3 and row.seconds == 45
