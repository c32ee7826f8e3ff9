"""The register of screens on the screen form and its CSV; a local blackout on the dashboard."""

from __future__ import annotations


def test_the_screen_form_keeps_the_register(pages, person, db_session, make_screen):
    admin = person("admin")
    make_screen(key="hall")
    browser = pages(admin)
    form = {
        "name": "一楼大厅",
        "size": "192x32",
        "color": "full",
        "timezone": "Asia/Shanghai",
        "responsible_person": "刘伟",
        "responsible_phone": "13800001111",
        "network_mode": "internet",
        "physical_width_m": "2.4",
        "installed_on": "2025-03-01",
    }
    saved = browser.post("/screens/hall/edit", form)
    assert saved.status_code == 303, saved.get_data(as_text=True)
    page = browser.get("/screens/hall/edit").get_data(as_text=True)
    assert 'value="刘伟"' in page and 'value="2025-03-01"' in page
    assert '<option value="internet" selected>互联网</option>' in page
    bad = browser.post("/screens/hall/edit", form | {"physical_width_m": "宽"})
    assert bad.status_code == 422
    csv_text = browser.get("/screen-register.csv").get_data(as_text=True)
    assert "刘伟" in csv_text and "internet" in csv_text


def test_the_dashboard_says_a_screen_is_blacked_out_locally(pages, person, db_session, make_screen):
    import datetime as dt

    from signage.health.models import ScreenStatus

    screen = make_screen(key="hall")
    db_session.add(
        ScreenStatus(
            screen_id=screen.id,
            online=True,
            last_seen_at=dt.datetime.now(dt.UTC),
            local_blackout_since="2026-12-01T02:00:00Z",
            local_blackout_reason="处置异常信息",
        )
    )
    db_session.commit()
    page = pages(person("supervisor")).get("/").get_data(as_text=True)
    assert "已在本机一键关停" in page and "处置异常信息" in page
