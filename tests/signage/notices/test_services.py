"""The notice workflow: every transition, every forbidden one, and field validation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, object_session

from signage.audit.models import AuditEntry
from signage.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from signage.notices import review
from signage.notices import services as svc
from signage.notices.expiry import expire_notices
from signage.notices.models import NoticeRevision, NoticeStatus, RevisionState
from tests.conftest import NOW, RULES, notice_fields

LATER = NOW + dt.timedelta(hours=1)


@pytest.fixture
def people(make_user: Any) -> dict[str, Any]:
    return {
        "author": make_user("author"),
        "other_author": make_user("author"),
        "reviewer": make_user("reviewer"),
        "reviewer2": make_user("reviewer"),
        "supervisor": make_user("supervisor"),
        "admin": make_user("admin"),
        "author_reviewer": make_user("author", "reviewer"),
    }


def edit(actor: Any, notice_id: int, **fields: Any) -> Any:
    """Edit as ``actor`` an hour after the notice was made."""
    return svc.edit_notice(
        object_session(actor), actor, notice_id, svc.NoticeFields(**fields), now=LATER, rules=RULES
    )


def actions(db_session: Session, notice_id: int) -> list[str]:
    return list(
        db_session.scalars(
            sa.select(AuditEntry.action)
            .where(AuditEntry.object_type == "notice", AuditEntry.object_id == str(notice_id))
            .order_by(AuditEntry.seq)
        )
    )


# --- the happy path and each transition -------------------------------------------------------


def test_create_makes_a_draft_with_a_hashed_first_revision(db_session, people, make_notice):
    notice = make_notice(people["author"])
    assert notice.status == NoticeStatus.DRAFT
    revision = notice.latest_revision
    assert (revision.number, revision.state) == (1, RevisionState.DRAFT)
    assert len(revision.content_sha256) == 64
    assert notice.live_revision_id is None
    assert actions(db_session, notice.id) == ["notice.create"]


def test_submit_approve_makes_the_revision_live(db_session, people, make_notice):
    notice = make_notice(people["author"], status="submitted")
    assert notice.status == NoticeStatus.SUBMITTED
    review.approve_notice(
        db_session,
        people["reviewer"],
        notice.id,
        confidentiality_reviewed=True,
        note="同意发布",
        now=LATER,
    )
    assert notice.status == NoticeStatus.APPROVED
    live = notice.live_revision
    assert live is not None and live.number == 1 and live.state == RevisionState.APPROVED
    assert live.reviewed_by_id == people["reviewer"].id
    assert live.reviewed_at == LATER
    assert live.review_note == "同意发布"
    assert live.confidentiality_reviewed is True
    assert actions(db_session, notice.id) == ["notice.create", "notice.submit", "notice.approve"]


def test_return_records_the_reason_and_edit_goes_back_to_draft(db_session, people, make_notice):
    notice = make_notice(people["author"], status="submitted")
    review.return_notice(db_session, people["reviewer"], notice.id, reason="标题有误", now=LATER)
    assert notice.status == NoticeStatus.RETURNED
    assert notice.latest_revision.state == RevisionState.RETURNED
    assert notice.latest_revision.review_note == "标题有误"
    with pytest.raises(Conflict, match="edit it first"):
        svc.submit_notice(db_session, people["author"], notice.id, now=LATER)
    svc.edit_notice(
        db_session,
        people["author"],
        notice.id,
        notice_fields(title="新标题"),
        now=LATER,
        rules=RULES,
    )
    assert notice.status == NoticeStatus.DRAFT
    assert [r.state for r in notice.revisions] == [RevisionState.RETURNED, RevisionState.DRAFT]
    svc.submit_notice(db_session, people["author"], notice.id, now=LATER)
    assert notice.status == NoticeStatus.SUBMITTED


def test_reject_ends_a_notice_with_nothing_live(db_session, people, make_notice):
    notice = make_notice(people["author"], status="submitted")
    review.reject_notice(db_session, people["reviewer"], notice.id, reason="不予发布", now=LATER)
    assert notice.status == NoticeStatus.REJECTED
    assert notice.latest_revision.state == RevisionState.REJECTED
    assert notice.closed_at == LATER and notice.close_reason == "不予发布"
    with pytest.raises(Conflict, match="rejected"):
        edit(people["author"], notice.id, title="新标题")


def test_editing_a_draft_makes_a_new_draft_revision(db_session, people, make_notice):
    notice = make_notice(people["author"])
    first_hash = notice.latest_revision.content_sha256
    edit(people["author"], notice.id, body="新的正文")
    assert notice.status == NoticeStatus.DRAFT
    assert [(r.number, r.state) for r in notice.revisions] == [
        (1, RevisionState.SUPERSEDED),
        (2, RevisionState.DRAFT),
    ]
    assert notice.latest_revision.content_sha256 != first_hash
    assert notice.latest_revision.title == notice.revisions[0].title  # unchanged fields carried


def test_editing_a_submitted_notice_replaces_the_revision_under_review(
    db_session, people, make_notice
):
    notice = make_notice(people["author"], status="submitted")
    edit(people["author"], notice.id, body="改")
    assert notice.status == NoticeStatus.SUBMITTED
    assert [r.state for r in notice.revisions] == [
        RevisionState.SUPERSEDED,
        RevisionState.SUBMITTED,
    ]


def test_editing_an_approved_notice_keeps_the_live_revision_until_the_edit_is_approved(
    db_session, people, make_notice
):
    notice = make_notice(people["author"], status="approved", reviewer=people["reviewer"])
    edit(people["author"], notice.id, title="更正")
    assert notice.status == NoticeStatus.APPROVED
    assert notice.live_revision is not None and notice.live_revision.number == 1
    pending = notice.pending_revision
    assert pending is not None and pending.number == 2
    assert pending.state == RevisionState.SUBMITTED  # sent to review by the edit itself
    # Rejecting the edit leaves the approved revision live.
    review.reject_notice(db_session, people["reviewer"], notice.id, reason="不需要", now=LATER)
    assert notice.status == NoticeStatus.APPROVED and notice.live_revision.number == 1
    # A further edit supersedes the rejected one and is approved in its place.
    edit(people["author"], notice.id, title="再更正")
    review.approve_notice(
        db_session, people["reviewer"], notice.id, confidentiality_reviewed=True, now=LATER
    )
    assert notice.live_revision.number == 3
    assert [r.state for r in notice.revisions] == [
        RevisionState.SUPERSEDED,
        RevisionState.REJECTED,
        RevisionState.APPROVED,
    ]


@pytest.mark.parametrize("who", ["author", "reviewer"])
def test_withdraw_closes_a_live_notice(db_session, people, make_notice, who):
    notice = make_notice(people["author"], status="approved", reviewer=people["reviewer"])
    svc.withdraw_notice(db_session, people[who], notice.id, reason="信息有变", now=LATER)
    assert notice.status == NoticeStatus.WITHDRAWN
    assert notice.closed_by_id == people[who].id and notice.close_reason == "信息有变"
    assert actions(db_session, notice.id)[-1] == "notice.withdraw"


@pytest.mark.parametrize("status", ["draft", "submitted", "returned"])
def test_author_can_withdraw_before_approval(db_session, people, make_notice, status):
    notice = make_notice(people["author"], status=status, reviewer=people["reviewer"])
    svc.withdraw_notice(db_session, people["author"], notice.id, reason="不发了", now=LATER)
    assert notice.status == NoticeStatus.WITHDRAWN


def test_expire_closes_notices_whose_windows_have_all_passed(db_session, people, make_notice):
    live = make_notice(
        people["author"],
        status="approved",
        reviewer=people["reviewer"],
        valid_until=NOW + dt.timedelta(hours=2),
    )
    draft = make_notice(people["author"], valid_until=NOW + dt.timedelta(hours=3))
    lasting = make_notice(
        people["author"],
        status="approved",
        reviewer=people["reviewer"],
        valid_until=NOW + dt.timedelta(days=30),
    )
    closed = make_notice(
        people["author"], status="withdrawn", valid_until=NOW + dt.timedelta(hours=1)
    )
    assert expire_notices(db_session, now=NOW + dt.timedelta(hours=1)) == []
    assert expire_notices(db_session, now=NOW + dt.timedelta(hours=2)) == [live.id]
    assert expire_notices(db_session, now=NOW + dt.timedelta(hours=5)) == [draft.id]
    assert expire_notices(db_session, now=NOW + dt.timedelta(hours=5)) == []  # idempotent
    assert live.status == draft.status == NoticeStatus.EXPIRED
    assert lasting.status == NoticeStatus.APPROVED
    assert closed.status == NoticeStatus.WITHDRAWN
    assert actions(db_session, live.id)[-1] == "notice.expire"


def test_a_pending_edit_with_a_later_window_keeps_an_approved_notice_open(
    db_session, people, make_notice
):
    notice = make_notice(
        people["author"],
        status="approved",
        reviewer=people["reviewer"],
        valid_until=NOW + dt.timedelta(hours=2),
    )
    svc.edit_notice(
        db_session,
        people["author"],
        notice.id,
        svc.NoticeFields(valid_until=NOW + dt.timedelta(days=3)),
        now=NOW,
        rules=RULES,
    )
    assert expire_notices(db_session, now=NOW + dt.timedelta(hours=3)) == []
    review.approve_notice(
        db_session,
        people["reviewer"],
        notice.id,
        confidentiality_reviewed=True,
        now=NOW + dt.timedelta(hours=3),
    )
    assert notice.live_revision.number == 2


# --- forbidden transitions and separation of duties --------------------------------------------


def test_nobody_approves_their_own_revision(db_session, people, make_notice):
    notice = make_notice(people["author_reviewer"], status="submitted")
    with pytest.raises(PermissionDenied, match="wrote"):
        review.approve_notice(
            db_session,
            people["author_reviewer"],
            notice.id,
            confidentiality_reviewed=True,
            now=LATER,
        )
    review.approve_notice(
        db_session, people["reviewer"], notice.id, confidentiality_reviewed=True, now=LATER
    )


@pytest.mark.parametrize("role", ["author", "supervisor", "admin"])
def test_only_reviewers_approve_or_reject(db_session, people, make_notice, role):
    notice = make_notice(people["other_author"], status="submitted")
    actor = people[role]
    with pytest.raises(PermissionDenied, match="reviewer"):
        review.approve_notice(
            db_session, actor, notice.id, confidentiality_reviewed=True, now=LATER
        )
    with pytest.raises(PermissionDenied, match="reviewer"):
        review.reject_notice(db_session, actor, notice.id, reason="x", now=LATER)


def test_approval_needs_the_confidentiality_review(db_session, people, make_notice):
    notice = make_notice(people["author"], status="submitted")
    with pytest.raises(InvalidInput) as err:
        review.approve_notice(
            db_session, people["reviewer"], notice.id, confidentiality_reviewed=False, now=LATER
        )
    assert err.value.field == "confidentiality_reviewed"
    assert notice.status == NoticeStatus.SUBMITTED


def test_approval_names_the_revision_read(db_session, people, make_notice):
    notice = make_notice(people["author"], status="submitted")
    edit(people["author"], notice.id, body="改动")
    with pytest.raises(Conflict, match="not the one under review"):
        review.approve_notice(
            db_session,
            people["reviewer"],
            notice.id,
            confidentiality_reviewed=True,
            now=LATER,
            revision_number=1,
        )
    review.approve_notice(
        db_session,
        people["reviewer"],
        notice.id,
        confidentiality_reviewed=True,
        now=LATER,
        revision_number=2,
    )


@pytest.mark.parametrize("status", ["draft", "approved", "rejected", "withdrawn"])
def test_approve_and_reject_need_a_submitted_revision(db_session, people, make_notice, status):
    notice = make_notice(people["author"], status=status, reviewer=people["reviewer"])
    with pytest.raises(Conflict):
        review.approve_notice(
            db_session, people["reviewer2"], notice.id, confidentiality_reviewed=True, now=LATER
        )
    with pytest.raises(Conflict):
        review.reject_notice(db_session, people["reviewer2"], notice.id, reason="x", now=LATER)


@pytest.mark.parametrize("status", ["submitted", "approved", "withdrawn"])
def test_submit_needs_a_draft(db_session, people, make_notice, status):
    notice = make_notice(people["author"], status=status, reviewer=people["reviewer"])
    with pytest.raises(Conflict):
        svc.submit_notice(db_session, people["author"], notice.id, now=LATER)


def test_submit_needs_a_target_and_a_window_left(db_session, people, make_notice):
    untargeted = make_notice(people["author"], screens=[])
    with pytest.raises(InvalidInput, match="screen or group"):
        svc.submit_notice(db_session, people["author"], untargeted.id, now=LATER)
    short = make_notice(people["author"], valid_until=NOW + dt.timedelta(minutes=30))
    with pytest.raises(InvalidInput, match="ended"):
        svc.submit_notice(db_session, people["author"], short.id, now=NOW + dt.timedelta(hours=1))


def test_approval_after_the_window_ended_is_refused(db_session, people, make_notice):
    notice = make_notice(
        people["author"], status="submitted", valid_until=NOW + dt.timedelta(hours=1)
    )
    with pytest.raises(Conflict, match="ended"):
        review.approve_notice(
            db_session,
            people["reviewer"],
            notice.id,
            confidentiality_reviewed=True,
            now=NOW + dt.timedelta(hours=2),
        )


@pytest.mark.parametrize("status", ["withdrawn", "expired"])
def test_closed_notices_cannot_be_edited_submitted_or_withdrawn(
    db_session, people, make_notice, status
):
    notice = make_notice(
        people["author"],
        status="approved" if status == "expired" else status,
        reviewer=people["reviewer"],
        valid_until=NOW + dt.timedelta(hours=1),
    )
    if status == "expired":
        expire_notices(db_session, now=NOW + dt.timedelta(hours=1))
    assert notice.status == status
    with pytest.raises(Conflict):
        edit(people["author"], notice.id, body="x")
    with pytest.raises(Conflict):
        svc.submit_notice(db_session, people["author"], notice.id, now=LATER)
    with pytest.raises(Conflict):
        svc.withdraw_notice(db_session, people["reviewer"], notice.id, reason="x", now=LATER)


def test_only_the_author_of_a_notice_edits_submits_or_withdraws_it(db_session, people, make_notice):
    notice = make_notice(people["author"])
    for actor in ("other_author", "supervisor", "admin"):
        with pytest.raises(PermissionDenied):
            edit(people[actor], notice.id, body="x")
        with pytest.raises(PermissionDenied):
            svc.submit_notice(db_session, people[actor], notice.id, now=LATER)
        with pytest.raises(PermissionDenied):
            svc.withdraw_notice(db_session, people[actor], notice.id, reason="x", now=LATER)


def test_only_authors_create(db_session, people):
    for role in ("reviewer", "supervisor", "admin"):
        with pytest.raises(PermissionDenied, match="author"):
            svc.create_notice(db_session, people[role], notice_fields(), now=NOW, rules=RULES)


def test_a_deactivated_author_is_refused(db_session, people, make_notice):
    notice = make_notice(people["author"])
    people["author"].active = False
    with pytest.raises(PermissionDenied, match="deactivated"):
        svc.submit_notice(db_session, people["author"], notice.id, now=LATER)


def test_reject_and_withdraw_need_a_reason(db_session, people, make_notice):
    notice = make_notice(people["author"], status="submitted")
    with pytest.raises(InvalidInput, match="reason"):
        review.reject_notice(db_session, people["reviewer"], notice.id, reason="  ", now=LATER)
    with pytest.raises(InvalidInput, match="reason"):
        svc.withdraw_notice(db_session, people["author"], notice.id, reason="", now=LATER)


def test_an_edit_that_changes_nothing_is_refused(db_session, people, make_notice):
    notice = make_notice(people["author"])
    with pytest.raises(InvalidInput, match="changes nothing"):
        edit(people["author"], notice.id)
    with pytest.raises(InvalidInput, match="changes nothing"):
        edit(people["author"], notice.id, title=notice.latest_revision.title)


def test_unknown_notice(db_session, people):
    with pytest.raises(NotFound):
        svc.submit_notice(db_session, people["author"], 999, now=NOW)


# --- validation, one case per field -----------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "标" * 201}, "title"),
        ({"body": "字" * 5001}, "body"),
        ({"category": "天气预报"}, "category"),
        ({"kind": "video"}, "kind"),
        ({"kind": "image"}, "media_sha256"),
        ({"kind": "image", "media_sha256": "0" * 64}, "media_sha256"),
        ({"media_sha256": "0" * 64}, "media_sha256"),
        ({"priority": "critical"}, "priority"),
        ({"duration_s": 2}, "duration_s"),
        ({"duration_s": 601}, "duration_s"),
        ({"valid_until": NOW}, "valid_until"),
        ({"valid_until": NOW - dt.timedelta(days=1)}, "valid_until"),
        ({"valid_until": NOW + dt.timedelta(days=1200)}, "valid_until"),
        ({"valid_from": dt.datetime(2026, 11, 26, 8, 0)}, "valid_from"),
        ({"dayparts": "8:00-25:00"}, "dayparts"),
        ({"dayparts": "1-5"}, "dayparts"),
        ({"screens": ["no-such-screen"]}, "screens"),
        ({"groups": ["不存在的分组"]}, "groups"),
        ({"required_working_days": 61}, "required_working_days"),
        ({"required_working_days": -1}, "required_working_days"),
    ],
)
def test_each_field_is_validated(db_session, people, changes, field):
    with pytest.raises(InvalidInput) as err:
        svc.create_notice(
            db_session, people["author"], notice_fields(**changes), now=NOW, rules=RULES
        )
    assert err.value.field == field
    db_session.rollback()
    assert db_session.scalar(sa.select(sa.func.count()).select_from(NoticeRevision)) == 0


@pytest.mark.parametrize("missing", ["title", "category", "valid_from", "valid_until"])
def test_required_fields(db_session, people, missing):
    with pytest.raises(InvalidInput) as err:
        svc.create_notice(
            db_session, people["author"], notice_fields(**{missing: None}), now=NOW, rules=RULES
        )
    assert err.value.field == missing


def test_valid_fields_are_normalised(db_session, people, make_screen, make_group):
    make_group("政务服务中心")
    screen = make_screen()
    notice = svc.create_notice(
        db_session,
        people["author"],
        notice_fields(
            title="  标题  ",
            dayparts="1-5 08:00-12:00 14:00-17:30",
            priority="urgent",
            duration_s=30,
            screens=[screen.key],
            groups=["政务服务中心"],
            required_working_days=5,
            valid_from=dt.datetime(2026, 12, 1, 8, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        ),
        now=NOW,
        rules=RULES,
    )
    revision = notice.latest_revision
    assert revision.title == "标题"
    assert revision.dayparts == "1-5 08:00-12:00 14:00-17:30"
    assert revision.valid_from == dt.datetime(2026, 12, 1, 0, tzinfo=dt.UTC)
    assert [s.key for s in revision.screens] == [screen.key]
    assert [g.name for g in revision.groups] == ["政务服务中心"]
    assert revision.required_working_days == 5


def test_content_hash_depends_on_content_only(db_session, people, make_screen):
    screen = make_screen()
    a = svc.create_notice(
        db_session, people["author"], notice_fields(screens=[screen.key]), now=NOW, rules=RULES
    )
    b = svc.create_notice(
        db_session, people["author"], notice_fields(screens=[screen.key]), now=LATER, rules=RULES
    )
    c = svc.create_notice(
        db_session,
        people["author"],
        notice_fields(screens=[screen.key], body="不同"),
        now=NOW,
        rules=RULES,
    )
    assert a.latest_revision.content_sha256 == b.latest_revision.content_sha256
    assert a.latest_revision.content_sha256 != c.latest_revision.content_sha256


# --- listing --------------------------------------------------------------------------------


def test_list_filters(db_session, people, make_notice, make_screen):
    lobby = make_screen(key="lobby", groups=["大楼"])
    hall = make_screen(key="hall")
    a = make_notice(people["author"], screens=["lobby"], title="供暖通知", category="通知公告")
    b = make_notice(
        people["author"],
        groups=["大楼"],
        title="人事任免公示",
        category="人事任免",
        status="submitted",
    )
    c = make_notice(people["author"], screens=["hall"], body="供暖时间调整")
    reader = people["supervisor"]

    def ids(**filters: Any) -> list[int]:
        return [n.id for n in svc.list_notices(db_session, reader, **filters)[0]]

    assert ids() == [c.id, b.id, a.id]
    assert ids(status="submitted") == [b.id]
    assert ids(category="人事任免") == [b.id]
    assert ids(screen=lobby.key) == [b.id, a.id]
    assert ids(screen=hall.key) == [c.id]
    assert ids(text="供暖") == [c.id, a.id]
    assert ids(text="%") == []
    assert svc.list_notices(db_session, reader, limit=1)[1] == 3
    with pytest.raises(InvalidInput):
        ids(status="nonsense")
    with pytest.raises(InvalidInput):
        ids(screen="nowhere")
