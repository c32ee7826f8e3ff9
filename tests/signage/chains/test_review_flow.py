"""Every path through a three-stage chain (初审 → 复审 → 终审), with separation of duties,
escalation, hold, re-review and the pre-check."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from playlists import DEFAULT_WEIGHTS
from signage.audit.models import AuditEntry
from signage.chains.rules import StageSpec, put_chain
from signage.delivery.services import compile_for_screen
from signage.errors import Conflict, InvalidInput, PermissionDenied
from signage.notices import publishing, review
from signage.notices import services as svc
from signage.notices.models import NoticeStatus, ReviewStep, RevisionState
from signage.notices.queries import live_spells
from signage.notices.republish import republish_notice
from signage.notices.steps import current_step, overdue_steps
from tests.conftest import CATEGORIES, NOW, RULES
from tests.signage.chains.conftest import APPOINTMENTS, THREE_STAGES

T1 = NOW + dt.timedelta(hours=1)
T2 = NOW + dt.timedelta(hours=2)
T3 = NOW + dt.timedelta(hours=3)
BODY = "经研究决定，任命王某为县政务服务中心主任。"


@pytest.fixture
def screen(make_screen):
    return make_screen(key="hall", groups=["大厅"])


@pytest.fixture
def submitted(db_session, office, screen, three_stage_chain, make_notice):
    return make_notice(
        office["author"], status="submitted", category=APPOINTMENTS, screens=["hall"], body=BODY
    )


def on_screen(db_session, screen, at=T3) -> list[int]:
    playlist = compile_for_screen(db_session, screen, now=at, weights=DEFAULT_WEIGHTS)
    return sorted({item.notice_id for item in playlist.items})


def approve(db_session, who, notice, *, at=T1, **kw):
    kw.setdefault("revision_number", notice.latest_revision.number)
    return review.approve_notice(db_session, who, notice.id, now=at, **kw)


def actions(db_session, notice_id):
    return list(
        db_session.scalars(
            sa.select(AuditEntry.action)
            .where(AuditEntry.object_type == "notice", AuditEntry.object_id == str(notice_id))
            .order_by(AuditEntry.seq)
        )
    )


def test_three_different_reviewers_take_it_live(db_session, office, screen, submitted):
    notice = submitted
    revision = notice.latest_revision
    assert [s.name for s in revision.steps] == ["初审", "复审", "终审"]
    approve(db_session, office["r1"], notice)
    assert notice.status == NoticeStatus.SUBMITTED
    assert current_step(revision).name == "复审"
    assert on_screen(db_session, screen) == []
    # The same reviewer cannot decide the next stage.
    with pytest.raises(PermissionDenied, match="no two stages"):
        approve(db_session, office["r1"], notice, at=T2)
    approve(db_session, office["r2"], notice, at=T2)
    assert on_screen(db_session, screen) == []
    with pytest.raises(InvalidInput, match="保密审查"):
        approve(db_session, office["r3"], notice, at=T3)
    approve(db_session, office["r3"], notice, at=T3, confidentiality_reviewed=True, note="同意")
    assert notice.status == NoticeStatus.APPROVED and notice.live_revision is revision
    assert revision.reviewed_by_id == office["r3"].id and revision.reviewed_at == T3
    assert [s.decided_by.username for s in revision.steps] == ["wang.fang", "zhao.lei", "chen.jing"]
    assert on_screen(db_session, screen) == [notice.id]
    assert actions(db_session, notice.id) == [
        "notice.create",
        "notice.submit",
        "notice.stage",
        "notice.stage",
        "notice.approve",
    ]


def test_an_edit_starts_again_at_the_first_stage_while_the_approved_one_stays_live(
    db_session, office, screen, submitted
):
    notice = submitted
    for who, at in (("r1", T1), ("r2", T1), ("r3", T1)):
        approve(db_session, office[who], notice, at=at, confidentiality_reviewed=True)
    live = notice.live_revision
    svc.edit_notice(
        db_session, office["author"], notice.id, svc.NoticeFields(title="更正"), now=T2, rules=RULES
    )
    pending = notice.pending_revision
    assert pending.state == RevisionState.SUBMITTED and current_step(pending).name == "初审"
    assert all(s.decision is None for s in pending.steps)
    assert notice.status == NoticeStatus.APPROVED and notice.live_revision is live
    assert on_screen(db_session, screen) == [notice.id]
    # The reviewers of the first revision may review the new one afresh.
    approve(db_session, office["r1"], notice, at=T3)
    assert current_step(pending).name == "复审"


def test_editing_under_review_replaces_the_stages_too(db_session, office, submitted):
    notice = submitted
    approve(db_session, office["r1"], notice)
    svc.edit_notice(
        db_session, office["author"], notice.id, svc.NoticeFields(body="改"), now=T2, rules=RULES
    )
    first, second = notice.revisions
    assert first.state == RevisionState.SUPERSEDED and first.reviewed_at is None
    assert current_step(second).name == "初审"
    with pytest.raises(Conflict, match="revision 1 is not the one under review"):
        approve(db_session, office["r2"], notice, revision_number=1)


def test_return_sends_it_back_to_the_author(db_session, office, submitted):
    notice = submitted
    approve(db_session, office["r1"], notice)
    review.return_notice(db_session, office["r2"], notice.id, reason="请补充文号", now=T2)
    revision = notice.latest_revision
    assert notice.status == NoticeStatus.RETURNED and revision.state == RevisionState.RETURNED
    assert [s.decision for s in revision.steps] == ["passed", "returned", None]
    svc.edit_notice(
        db_session,
        office["author"],
        notice.id,
        svc.NoticeFields(title="补充文号"),
        now=T3,
        rules=RULES,
    )
    assert notice.status == NoticeStatus.DRAFT
    assert notice.revisions[0].state == RevisionState.RETURNED  # the decision stays on record


def test_reject_at_the_last_stage_ends_it(db_session, office, submitted):
    notice = submitted
    approve(db_session, office["r1"], notice)
    approve(db_session, office["r2"], notice)
    review.reject_notice(db_session, office["r3"], notice.id, reason="不宜公开", now=T2)
    assert notice.status == NoticeStatus.REJECTED and notice.closed_at == T2
    with pytest.raises(Conflict):
        svc.edit_notice(
            db_session,
            office["author"],
            notice.id,
            svc.NoticeFields(title="再改"),
            now=T3,
            rules=RULES,
        )


def test_hold_then_publish_by_hand_or_at_its_time(db_session, office, screen, submitted):
    notice = submitted
    with pytest.raises(InvalidInput, match="only the last stage") as caught:
        approve(db_session, office["r1"], notice, hold=True)
    assert caught.value.field == "hold"
    approve(db_session, office["r1"], notice)
    approve(db_session, office["r2"], notice)
    approve(
        db_session, office["r3"], notice, confidentiality_reviewed=True, hold=True, publish_at=T3
    )
    revision = notice.latest_revision
    assert notice.status == NoticeStatus.HELD and revision.state == RevisionState.HELD
    assert revision.reviewed_at is None and on_screen(db_session, screen) == []
    with pytest.raises(PermissionDenied):
        publishing.publish_notice(db_session, office["author"], notice.id, now=T2)
    assert publishing.publish_due(db_session, now=T2) == []
    assert publishing.publish_due(db_session, now=T3) == [notice.id]
    assert notice.status == NoticeStatus.APPROVED and revision.reviewed_at == T3
    assert revision.reviewed_by_id == office["r3"].id
    assert on_screen(db_session, screen) == [notice.id]
    assert actions(db_session, notice.id)[-2:] == ["notice.hold", "notice.approve"]


def test_escalation_goes_to_the_named_leader_then_on(db_session, office, submitted):
    notice = submitted
    revision = notice.latest_revision
    review.escalate_notice(db_session, office["r1"], notice.id, reason="涉及干部任免", now=T1)
    assert [(s.name, s.decision) for s in revision.steps] == [
        ("初审", "escalated"),
        ("主要领导", None),
        ("复审", None),
        ("终审", None),
    ]
    upward = current_step(revision)
    assert upward.escalation and "wang.fang" in upward.added_because
    # The leader holds no reviewer role; the stage names him.
    with pytest.raises(PermissionDenied):
        approve(db_session, office["r2"], notice, at=T2)
    approve(db_session, office["leader"], notice, at=T2)
    # 15 working days (the stage's own) from a Thursday at 11:00: 3 weeks on, to 24:00.
    assert upward.due_at == dt.datetime(2026, 12, 17, 16, 0, tzinfo=dt.UTC)
    with pytest.raises(Conflict, match="referred up once already"):
        review.escalate_notice(db_session, office["r2"], notice.id, reason="再提级", now=T2)
    approve(db_session, office["r2"], notice, at=T2)
    approve(db_session, office["r3"], notice, at=T3, confidentiality_reviewed=True)
    assert notice.status == NoticeStatus.APPROVED


def test_a_chain_without_an_escalation_stage_cannot_be_escalated(
    db_session, office, make_notice, screen
):
    notice = make_notice(office["author"], status="submitted", screens=["hall"])  # the default
    with pytest.raises(Conflict, match="names no escalation stage"):
        review.escalate_notice(db_session, office["r1"], notice.id, reason="x", now=T1)


def test_major_matters_and_sensitive_groups_get_the_escalation_stage(
    db_session, office, screen, three_stage_chain, make_notice
):
    major = make_notice(office["author"], category=APPOINTMENTS, screens=["hall"])
    svc.submit_notice(db_session, office["author"], major.id, now=T1, major_matter=True)
    steps = major.latest_revision.steps
    assert [s.name for s in steps] == ["初审", "复审", "终审", "主要领导"]
    assert steps[-1].added_because == "a major matter (重大事项)"
    screen.groups[0].sensitive = True
    aimed = make_notice(
        office["author"], status="submitted", category=APPOINTMENTS, screens=["hall"]
    )
    assert aimed.latest_revision.steps[-1].added_because == "aimed at the sensitive group 大厅"
    # A category whose chain names no escalation stage cannot take a major matter.
    other = make_notice(office["author"], screens=["hall"])
    with pytest.raises(Conflict, match="names none"):
        svc.submit_notice(db_session, office["author"], other.id, now=T1)


def test_separation_of_duties(db_session, office, make_user, make_notice, screen):
    both = make_user("reviewer", "admin", username="zhou.both")
    put_chain(
        db_session,
        office["admin"],
        APPOINTMENTS,
        [
            StageSpec(name="初审", role="reviewer"),
            StageSpec(name="终审", role="admin", confidentiality=True),
        ],
        escalation=None,
        group=None,
        categories=CATEGORIES,
        now=NOW,
    )
    # The section head wrote it: he decides no stage of it, though his role would allow it.
    own = make_notice(office["head"], status="submitted", category=APPOINTMENTS, screens=["hall"])
    with pytest.raises(PermissionDenied, match="they wrote"):
        approve(db_session, office["head"], own)
    notice = make_notice(
        office["author"], status="submitted", category=APPOINTMENTS, screens=["hall"]
    )
    approve(db_session, both, notice)
    # A user with several roles still decides one stage only.
    with pytest.raises(PermissionDenied, match="no two stages"):
        approve(db_session, both, notice, confidentiality_reviewed=True)
    # Out of turn: the admin stage is not the reviewer's, and the reviewer stage not the admin's.
    with pytest.raises(PermissionDenied, match="decided by"):
        approve(db_session, office["r1"], notice, confidentiality_reviewed=True)
    approve(db_session, office["admin"], notice, confidentiality_reviewed=True)
    assert notice.status == NoticeStatus.APPROVED
    # Decided: nothing is left to decide twice.
    with pytest.raises(Conflict, match="no submitted revision"):
        approve(db_session, office["r2"], notice)


def test_a_revision_keeps_the_chain_it_was_submitted_with(db_session, office, submitted):
    put_chain(
        db_session,
        office["admin"],
        APPOINTMENTS,
        [StageSpec(name="审核", role="reviewer", confidentiality=True)],
        escalation=None,
        group=None,
        categories=CATEGORIES,
        now=T1,
    )
    assert [s.name for s in submitted.latest_revision.steps] == ["初审", "复审", "终审"]
    approve(db_session, office["r1"], submitted)
    assert submitted.status == NoticeStatus.SUBMITTED  # still two stages to go


def test_overdue_stages_are_listed(db_session, office, submitted):
    step = current_step(submitted.latest_revision)
    # Submitted Thursday 26 Nov 10:00 in Shanghai: 3 working days end Tuesday 1 Dec at 24:00.
    assert step.due_at == dt.datetime(2026, 12, 1, 16, 0, tzinfo=dt.UTC)
    assert overdue_steps(db_session, now=step.due_at) == []
    late = overdue_steps(db_session, now=step.due_at + dt.timedelta(minutes=1))
    assert [(r.notice_id, s.name) for r, s in late] == [(submitted.id, "初审")]
    assert [s.name for _, s in review.review_queue(db_session, office["r1"])] == ["初审"]
    assert review.review_queue(db_session, office["leader"]) == []


def test_each_precheck_flag_needs_a_note_at_the_confidentiality_stage(
    db_session, office, three_stage_chain, make_notice, screen
):
    notice = make_notice(
        office["author"],
        status="submitted",
        category=APPOINTMENTS,
        screens=["hall"],
        body="联系人王某，电话13812345678，身份证11010519491231002X。",
    )
    revision = notice.latest_revision
    assert [f["kind"] for f in revision.precheck_flags] == ["mobile", "id_number"]
    approve(db_session, office["r1"], notice)  # flags do not stop a stage without 保密审查
    approve(db_session, office["r2"], notice)
    with pytest.raises(InvalidInput, match="flag 1") as caught:
        approve(
            db_session, office["r3"], notice, confidentiality_reviewed=True, flag_notes={0: "公开"}
        )
    assert caught.value.field == "flags"
    approve(
        db_session,
        office["r3"],
        notice,
        confidentiality_reviewed=True,
        flag_notes={0: "办公电话，可公开", 1: "已征得本人同意"},
    )
    assert revision.steps[-1].flag_notes == {"0": "办公电话，可公开", "1": "已征得本人同意"}
    assert notice.status == NoticeStatus.APPROVED


def test_republishing_a_withdrawn_notice_is_reviewed_again(db_session, office, screen, submitted):
    notice = submitted
    for who in ("r1", "r2", "r3"):
        approve(db_session, office[who], notice, confidentiality_reviewed=True)
    svc.withdraw_notice(db_session, office["author"], notice.id, reason="暂停", now=T2)
    first = notice.live_revision
    republish_notice(
        db_session, office["author"], notice.id, svc.NoticeFields(), now=T3, rules=RULES
    )
    assert notice.status == NoticeStatus.SUBMITTED and notice.closed_at is None
    again = notice.latest_revision
    assert again.number == 2 and current_step(again).name == "初审"
    assert on_screen(db_session, screen, at=T3) == []
    # The first round's time on the screens ends where it was withdrawn.
    spells = live_spells(notice)
    assert [(s.revision.number, s.start, s.end) for s in spells] == [(first.number, T1, T2)]
    with pytest.raises(Conflict, match="only a withdrawn or expired"):
        republish_notice(
            db_session, office["author"], notice.id, svc.NoticeFields(), now=T3, rules=RULES
        )


@pytest.mark.parametrize(
    "change",
    [
        {"body": "更正后的正文"},
        {"screens": ["hall", "window"]},  # the targets
        {"valid_until": NOW + dt.timedelta(days=60)},  # the window
        {"dayparts": "1-5 08:00-18:00"},  # the times of day, part of the window
    ],
    ids=["content", "targets", "window", "times of day"],
)
def test_every_kind_of_change_is_reviewed_from_the_first_stage_again(
    db_session, office, screen, submitted, make_screen, change
):
    make_screen(key="window")
    notice = submitted
    for who in ("r1", "r2", "r3"):
        approve(db_session, office[who], notice, confidentiality_reviewed=True)
    approved_hash = notice.live_revision.content_sha256
    svc.edit_notice(
        db_session, office["author"], notice.id, svc.NoticeFields(**change), now=T2, rules=RULES
    )
    pending = notice.pending_revision
    assert pending.content_sha256 != approved_hash
    assert [s.decision for s in pending.steps] == [None, None, None]
    assert current_step(pending).name == "初审"
    assert notice.live_revision.content_sha256 == approved_hash
    assert on_screen(db_session, screen) == [notice.id]  # the approved one stays live


def test_a_stage_decided_meanwhile_is_not_decided_again(db_session, office, submitted):
    step = current_step(submitted.latest_revision)
    # Another request decides the stage after this one read it.
    db_session.execute(
        sa.update(ReviewStep)
        .where(ReviewStep.id == step.id)
        .values(decision="passed", decided_by_id=office["r2"].id)
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(Conflict, match="decided meanwhile"):
        approve(db_session, office["r1"], submitted)


@pytest.mark.parametrize("ending", ["held", "returned"])
def test_a_held_or_returned_notice_expires_when_its_window_has_passed(
    db_session, office, submitted, ending
):
    from signage.notices.expiry import expire_notices

    notice = submitted
    approve(db_session, office["r1"], notice)
    approve(db_session, office["r2"], notice)
    if ending == "held":
        approve(db_session, office["r3"], notice, confidentiality_reviewed=True, hold=True)
    else:
        review.return_notice(db_session, office["r3"], notice.id, reason="再议", now=T1)
    assert expire_notices(db_session, now=T2) == []
    after = notice.latest_revision.valid_until + dt.timedelta(minutes=1)
    assert expire_notices(db_session, now=after) == [notice.id]
    assert notice.status == NoticeStatus.EXPIRED


def test_a_groups_chain_never_takes_a_stage_away(db_session, office, make_screen, make_notice):
    put_chain(
        db_session,
        office["admin"],
        APPOINTMENTS,
        THREE_STAGES,
        escalation=None,
        group=None,
        categories=CATEGORIES,
        now=NOW,
    )
    make_screen(key="gate")
    make_screen(key="lobby", groups=["大厅"])
    put_chain(
        db_session,
        office["admin"],
        APPOINTMENTS,
        [StageSpec(name="值班审", role="reviewer", confidentiality=True)],
        escalation=None,
        group="大厅",
        categories=CATEGORIES,
        now=NOW,
    )
    one = make_notice(office["author"], status="submitted", category=APPOINTMENTS, screens=["gate"])
    both = make_notice(
        office["author"], status="submitted", category=APPOINTMENTS, screens=["gate", "lobby"]
    )
    assert [s.name for s in one.latest_revision.steps] == ["初审", "复审", "终审"]
    assert [s.name for s in both.latest_revision.steps] == ["初审", "复审", "终审"]


def test_a_withdrawal_and_an_approval_that_cross_cannot_both_take_effect(
    db_session, office, submitted
):
    from sqlalchemy.orm.exc import StaleDataError

    from signage.notices.models import Notice

    notice = submitted
    approve(db_session, office["r1"], notice)
    approve(db_session, office["r2"], notice)
    db_session.flush()
    # The author withdraws it in another request after this one read the notice.
    db_session.execute(
        sa.update(Notice)
        .where(Notice.id == notice.id)
        .values(status="withdrawn", version=Notice.version + 1)
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(StaleDataError):
        approve(db_session, office["r3"], notice, confidentiality_reviewed=True)
        db_session.flush()


def test_a_withdrawn_notice_leaves_every_queue(db_session, office, submitted):
    assert review.review_queue(db_session, office["r1"]) != []
    svc.withdraw_notice(db_session, office["author"], submitted.id, reason="不发了", now=T1)
    assert review.review_queue(db_session, office["r1"]) == []
    assert overdue_steps(db_session, now=T3 + dt.timedelta(days=30)) == []


def test_a_chain_its_author_would_have_to_decide_is_refused_on_submit(
    db_session, office, make_notice, screen
):
    # Two stages for the reviewer role: li.ke (the section head, who writes too) and wang.fang
    # would do, but not for a notice li.ke wrote once the others are gone.
    for name in ("r2", "r3"):
        office[name].active = False
    put_chain(
        db_session,
        office["admin"],
        APPOINTMENTS,
        [
            StageSpec(name="初审", role="reviewer"),
            StageSpec(name="终审", role="reviewer", confidentiality=True),
        ],
        escalation=None,
        group=None,
        categories=CATEGORIES,
        now=NOW,
    )
    own = make_notice(office["head"], category=APPOINTMENTS, screens=["hall"])
    with pytest.raises(Conflict, match="without its author"):
        svc.submit_notice(db_session, office["head"], own.id, now=T1)


def test_escalation_uses_the_chain_it_was_submitted_with(db_session, office, submitted):
    put_chain(
        db_session,
        office["admin"],
        APPOINTMENTS,
        THREE_STAGES,
        escalation=StageSpec(name="保密局", users=["sun.jian"]),
        group=None,
        categories=CATEGORIES,
        now=T1,
    )
    review.escalate_notice(db_session, office["r1"], submitted.id, reason="存疑", now=T1)
    assert current_step(submitted.latest_revision).name == "主要领导"


def test_a_stale_stage_is_not_decided_in_place_of_the_next(db_session, office, submitted):
    approve(db_session, office["r1"], submitted, stage_number=1)
    with pytest.raises(Conflict, match="stage 1 is not the one under review"):
        approve(db_session, office["r2"], submitted, stage_number=1)
    with pytest.raises(Conflict, match="stage 1 is not the one under review"):
        review.return_notice(
            db_session, office["r2"], submitted.id, reason="x", now=T2, stage_number=1
        )
    approve(db_session, office["r2"], submitted, stage_number=2)


def test_republishing_keeps_a_major_matter_one(db_session, office, screen, make_notice):
    put_chain(
        db_session,
        office["admin"],
        APPOINTMENTS,
        THREE_STAGES,
        escalation=StageSpec(name="主要领导", users=["liu.shuji"]),
        group=None,
        categories=CATEGORIES,
        now=NOW,
    )
    notice = make_notice(office["author"], category=APPOINTMENTS, screens=["hall"])
    svc.submit_notice(db_session, office["author"], notice.id, now=T1, major_matter=True)
    svc.withdraw_notice(db_session, office["author"], notice.id, reason="暂停", now=T2)
    republish_notice(
        db_session, office["author"], notice.id, svc.NoticeFields(), now=T3, rules=RULES
    )
    assert notice.latest_revision.major_matter is True
    assert notice.latest_revision.steps[-1].name == "主要领导"
