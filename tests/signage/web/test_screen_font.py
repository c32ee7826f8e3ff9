"""The screen page says when a player draws with another font than the controller measures
with, and which reading speeds the screen plays at."""

from __future__ import annotations

from playlists.heartbeat import Heartbeat
from signage.clock import utcnow
from signage.delivery.durations import measurer
from signage.health.services import record_heartbeat
from tests.conftest import need


def test_a_player_with_another_font_is_named_on_the_screen_page(
    pages, person, make_screen, db_session
):
    font = measurer().font
    need(font is not None, "a CJK font (Debian fonts-wqy-zenhei) for the controller")
    screen = make_screen(key="hall", width=128, height=16)
    browser = pages(person("supervisor"))
    record_heartbeat(
        db_session,
        screen.id,
        Heartbeat(font_name=font.name, font_sha256=font.sha256),
        now=utcnow(),
    )
    db_session.commit()
    page = browser.get("/screens/hall").get_data(as_text=True)
    assert font.name in page and "与控制器测算时长所用字体" not in page
    assert "条屏每分钟滚动 80 字" in page and "系统默认" in page
    record_heartbeat(
        db_session,
        screen.id,
        Heartbeat(font_name="Noto Sans CJK SC", font_sha256="ab" * 32),
        now=utcnow(),
    )
    db_session.commit()
    page = browser.get("/screens/hall").get_data(as_text=True)
    assert "Noto Sans CJK SC" in page and "与控制器测算时长所用字体" in page
