"""The dashboard's blackout (一键关停): the duty officer orders one with one button and lifts it;
others see it but have no button; a bad order is refused on the page and writes nothing."""

from __future__ import annotations

import sqlalchemy as sa

from signage.emergency.models import Blackout


def test_the_duty_officer_blacks_out_every_screen_and_lifts_it(
    pages, person, make_screen, db_session
):
    make_screen(key="hall", name="大厅屏")
    duty = pages(person("duty"))
    board = duty.get("/").get_data(as_text=True)
    assert "一键关停" in board and 'name="reason"' in board
    answer = duty.post("/blackouts", {"reason": "处置异常信息", "scope": "all", "target": ""})
    assert answer.status_code == 303 and answer.headers["Location"].endswith("#emergency")
    page = duty.get(answer.headers["Location"]).get_data(as_text=True)
    made = db_session.scalars(sa.select(Blackout)).one()
    assert made.all_screens and made.reason == "处置异常信息" and made.lifted_at is None
    assert f"关停 #{made.id}" in page
    assert "处置异常信息" in page and "由控制端关停" in page  # on the screen's tile too
    lifted = duty.post(f"/blackouts/{made.id}/lift")
    assert lifted.status_code == 303
    db_session.expire_all()
    assert db_session.get(Blackout, made.id).lifted_at is not None
    page = duty.get(lifted.headers["Location"]).get_data(as_text=True)
    assert "没有正在执行的关停" in page


def test_one_screen_and_a_refused_order(pages, person, make_screen, db_session):
    make_screen(key="hall", name="大厅屏")
    duty = pages(person("admin"))
    refused = duty.post("/blackouts", {"reason": "", "scope": "all", "target": ""})
    assert refused.status_code == 422
    assert db_session.scalar(sa.select(sa.func.count(Blackout.id))) == 0
    refused = duty.post("/blackouts", {"reason": "检修", "scope": "screen", "target": ""})
    assert refused.status_code == 422
    assert db_session.scalar(sa.select(sa.func.count(Blackout.id))) == 0
    done = duty.post("/blackouts", {"reason": "检修", "scope": "screen", "target": "hall"})
    assert done.status_code == 303
    made = db_session.scalars(sa.select(Blackout)).one()
    assert [s.key for s in made.screens] == ["hall"] and not made.all_screens


def test_others_see_the_blackout_but_cannot_order_or_lift_it(
    pages, person, make_screen, db_session
):
    make_screen(key="hall")
    duty = pages(person("duty"))
    duty.post("/blackouts", {"reason": "演练", "scope": "all", "target": ""})
    made = db_session.scalars(sa.select(Blackout)).one()
    author = pages(person("author"))
    page = author.get("/").get_data(as_text=True)
    assert "演练" in page and 'name="reason"' not in page and "/lift" not in page
    assert author.post("/blackouts", {"reason": "x", "scope": "all"}).status_code == 403
    assert author.post(f"/blackouts/{made.id}/lift").status_code == 403


def test_the_duty_officer_fills_a_warning_template_on_the_dashboard(
    pages, person, make_screen, db_session
):
    from signage.notices.models import Notice

    make_screen(key="hall", name="大厅屏")
    person("reviewer")  # someone to decide it
    duty = pages(person("duty"))
    board = duty.get("/").get_data(as_text=True)
    assert "预警整屏接管" in board and "道路结冰" in board
    done = duty.post(
        "/takeovers",
        {
            "template": "road-ice",
            "level": "yellow",
            "details": "今晨路面湿滑",
            "hours": "4",
            "scope": "all",
            "target": "",
        },
    )
    assert done.status_code == 303, done.get_data(as_text=True)
    notice = db_session.scalars(sa.select(Notice)).one()
    assert notice.latest_revision.title == "道路结冰黄色预警" and notice.latest_revision.takeover
    page = duty.get(done.headers["Location"]).get_data(as_text=True)
    assert "整屏接管已生成" in page
    refused = duty.post("/takeovers", {"template": "road-ice", "level": "yellow", "hours": "x"})
    assert refused.status_code == 422
