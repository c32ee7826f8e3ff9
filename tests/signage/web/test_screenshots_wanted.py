"""What is on the screen, now: while the dashboard is open, heartbeats are answered "send a
screenshot now" (the page asks again every 30 s); a screen whose player reports an item its
playlist does not have on now is flagged."""

from __future__ import annotations

import datetime as dt

from signage.clock import utcnow
from signage.health.services import SCREENSHOTS_WANTED
from signage.screens.services import create_screen


def test_an_open_dashboard_asks_for_screenshots(pages, person, client, db_session, monkeypatch):
    _, token = create_screen(
        db_session, None, key="hall", name="大厅", width=128, height=32, groups=[], now=utcnow()
    )
    db_session.commit()
    screen = {"Authorization": f"Bearer {token}"}

    def beat(current=None):
        body = {"version": "t", "current_item": current}
        answer = client.post("/api/v1/player/heartbeat", json=body, headers=screen)
        assert answer.status_code == 200
        return answer.get_json()["screenshot_now"]

    assert beat() is False
    board = pages(person("author"))
    page = board.get("/").get_data(as_text=True)
    assert "data-refresh-shots" in page
    assert beat() is True  # someone looks: a screenshot at once
    # The page's script asks again; the request lapses once nobody asks.
    assert board.post("/screenshots/wanted").status_code == 204
    later = utcnow() + SCREENSHOTS_WANTED + dt.timedelta(seconds=1)
    monkeypatch.setattr("signage.health.api.now", lambda: later)
    monkeypatch.setattr("signage.health.shortcut.utcnow", lambda: later)
    assert beat() is False

    # The player says it shows an item that its playlist does not have: flagged.
    monkeypatch.undo()
    beat(current="n999.r1")
    page = board.get("/").get_data(as_text=True)
    assert "播放器报告的节目不在其播放列表当前应播之列" in page
