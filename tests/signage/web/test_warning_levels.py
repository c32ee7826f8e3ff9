"""A warning level chosen on the editor page: stored, shown on the notice's page, checked."""

from __future__ import annotations

import sqlalchemy as sa

from signage.notices.models import Notice
from tests.signage.web.test_pages import count, editor_form


def test_the_editor_saves_an_urgent_notice_s_level(pages, person, make_screen, db_session):
    make_screen(key="hall", width=192, height=32)
    browser = pages(person("author"))
    page = browser.get("/notices/new").get_data(as_text=True)
    assert 'name="level"' in page and "橙色" in page
    refused = browser.post("/notices/new", editor_form(screens=["hall"], level="orange"))
    assert refused.status_code == 422 and count(db_session, Notice) == 0
    assert "urgent" in refused.get_data(as_text=True) or "紧急" in refused.get_data(as_text=True)
    answer = browser.post(
        "/notices/new", editor_form(screens=["hall"], level="orange", priority="urgent")
    )
    assert answer.status_code == 303
    notice = db_session.scalars(sa.select(Notice)).one()
    assert notice.latest_revision.level == "orange"
    detail = browser.get(answer.headers["Location"]).get_data(as_text=True)
    assert 'class="level level-orange">橙色' in detail
    cleared = browser.post(
        f"/notices/{notice.id}/edit", editor_form(screens=["hall"], level="", priority="urgent")
    )
    assert cleared.status_code == 303
    db_session.expire_all()
    assert db_session.get(Notice, notice.id).latest_revision.level is None
