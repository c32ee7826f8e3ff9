"""Only approved content is served: a live revision edited in the database is withheld from
every playlist, alerted once in the audit log, and reported by ``signage verify-logs``."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import sqlalchemy as sa

from playlists.content import ContentError, check_item, content_sha256
from signage.audit.models import AuditEntry
from signage.clock import utcnow
from signage.delivery.services import compile_for_screen
from signage.notices.content import plain_fields, revision_fields
from signage.notices.integrity import WITHHELD, alert_withheld
from signage.notices.models import NoticeRevision
from tests.conftest import NOW

WEIGHTS = {"normal": 1, "high": 2, "urgent": 1}


@pytest.fixture
def live(db_session, make_user, make_notice, make_screen):
    screen = make_screen(key="hall")
    author, reviewer = make_user("author"), make_user("reviewer")
    # Live at NOW and still today: verify-logs looks at the live revisions by the real clock.
    notice = make_notice(
        author,
        status="approved",
        reviewer=reviewer,
        screens=["hall"],
        valid_until=utcnow() + dt.timedelta(days=7),
    )
    return screen, notice


def served(db_session, screen) -> list[str]:
    return [i.title for i in compile_for_screen(db_session, screen, now=NOW, weights=WEIGHTS).items]


def edit_in_the_database(db_session, notice, **values) -> NoticeRevision:
    revision = db_session.get(NoticeRevision, notice.live_revision_id)
    for name, value in values.items():
        setattr(revision, name, value)
    db_session.commit()
    return revision


def test_an_approved_revision_is_served_and_its_items_check(db_session, live):
    screen, _ = live
    playlist = compile_for_screen(db_session, screen, now=NOW, weights=WEIGHTS)
    (item,) = playlist.items
    check_item(item)
    assert item.approval is not None and item.approval.screens == ("hall",)


def test_a_live_revision_edited_in_the_database_is_withheld_and_alerted_once(db_session, live, run):
    screen, notice = live
    edit_in_the_database(db_session, notice, title="未经审核的标题")
    assert served(db_session, screen) == []
    (withheld,) = alert_withheld(db_session, now=NOW)
    db_session.commit()
    assert "no longer hashes" in withheld.reason
    assert alert_withheld(db_session, now=NOW) == []  # once
    entries = db_session.scalars(sa.select(AuditEntry).where(AuditEntry.action == WITHHELD)).all()
    assert len(entries) == 1 and entries[0].object_id == str(notice.id)
    result = run("verify-logs")
    assert result.exit_code == 1
    assert f"notice {notice.id} revision 1: WITHHELD" in result.output


def test_a_new_hash_written_beside_the_new_text_is_still_withheld(db_session, live):
    screen, notice = live
    revision = db_session.get(NoticeRevision, notice.live_revision_id)
    revision.title = "未经审核的标题"
    revision.content_sha256 = content_sha256(plain_fields(revision_fields(revision)))
    db_session.commit()
    assert served(db_session, screen) == []
    (withheld,) = alert_withheld(db_session, now=NOW)
    assert "not the one its approval recorded" in withheld.reason


def test_verify_logs_passes_for_revisions_as_approved(db_session, live, run):
    result = run("verify-logs")
    assert result.exit_code == 0 and "live revisions: 1, each as it was approved" in result.output


@pytest.mark.parametrize(
    "change",
    [
        {"title": "改过的标题"},
        {"body": "改过的正文"},
        {"category": "要闻"},
        {"approval": None},
    ],
)
def test_a_player_refuses_an_item_that_is_not_what_was_approved(db_session, live, change):
    screen, _ = live
    (item,) = compile_for_screen(db_session, screen, now=NOW, weights=WEIGHTS).items
    with pytest.raises(ContentError):
        check_item(dataclasses.replace(item, **change))
