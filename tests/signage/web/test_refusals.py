"""What players refused, as their heartbeats tell it, on the screen's page and the dashboard (the
newest few kept); and a live revision withheld because it is not what was approved."""

from __future__ import annotations

import sqlalchemy as sa

from signage.clock import utcnow
from signage.health.models import PlaylistRefusal
from signage.health.services import REFUSALS_KEPT
from signage.notices.integrity import alert_withheld
from signage.notices.models import NoticeRevision
from signage.screens.services import create_screen


def beat(client, token, **fields):
    answer = client.post(
        "/api/v1/player/heartbeat", json=fields, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)


def test_a_refusal_is_on_the_screen_page_and_the_dashboard(client, db_session, pages, person):
    _, token = create_screen(
        db_session, None, key="hall", name="大厅", width=128, height=32, now=utcnow()
    )
    db_session.commit()
    reason = "2026-12-01T08:00:00Z bad signature: the playlist came without a signature"
    beat(client, token, trusted_key="0123456789abcdef", refused=[reason])
    browser = pages(person("supervisor"))
    page = browser.get("/screens/hall").get_data(as_text=True)
    assert reason in page and "0123456789abcdef" in page
    board = browser.get("/").get_data(as_text=True)
    assert "bad signature" in board and "/screens/hall" in board


def test_only_the_newest_refusals_of_a_screen_are_kept(client, db_session):
    _, token = create_screen(
        db_session, None, key="hall", name="大厅", width=128, height=32, now=utcnow()
    )
    db_session.commit()
    for n in range(3):
        beat(client, token, refused=[f"t{n}-{k} bad signature" for k in range(REFUSALS_KEPT)])
    db_session.rollback()
    texts = db_session.scalars(sa.select(PlaylistRefusal.text)).all()
    assert len(texts) == REFUSALS_KEPT and all(t.startswith("t2-") for t in texts)


def test_a_screen_that_refused_nothing_says_so(client, db_session, pages, person):
    _, token = create_screen(
        db_session, None, key="hall", name="大厅", width=128, height=32, now=utcnow()
    )
    db_session.commit()
    beat(client, token)
    page = pages(person("supervisor")).get("/screens/hall").get_data(as_text=True)
    assert 'id="refusals"' in page and "bad signature" not in page


def test_the_dashboard_shows_a_withheld_revision(
    db_session, pages, person, make_user, make_notice, make_screen
):
    make_screen(key="hall")
    author, reviewer = make_user("author"), make_user("reviewer")
    notice = make_notice(author, status="approved", reviewer=reviewer, screens=["hall"])
    revision = db_session.get(NoticeRevision, notice.live_revision_id)
    revision.body = "未经审核的正文"
    db_session.commit()
    alert_withheld(db_session, now=utcnow())
    db_session.commit()
    page = pages(person("supervisor")).get("/").get_data(as_text=True)
    assert f"#{notice.id} r1" in page and "no longer hashes" in page
