"""Setting review chains: what an admin may write, and which chain a revision passes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from signage.audit.models import AuditEntry
from signage.chains.models import ReviewChain
from signage.chains.rules import (
    DEFAULT_CHAIN,
    StageSpec,
    chain_for,
    chain_json,
    delete_chain,
    put_chain,
)
from signage.chains.words import precheck_words, put_precheck_words
from signage.errors import InvalidInput, NotFound, PermissionDenied
from tests.conftest import CATEGORIES, NOW
from tests.signage.chains.conftest import APPOINTMENTS, THREE_STAGES


def put(db_session, actor, stages, *, escalation=None, group=None, category=APPOINTMENTS):
    return put_chain(
        db_session,
        actor,
        category,
        stages,
        escalation=escalation,
        group=group,
        categories=CATEGORIES,
        now=NOW,
    )


def test_without_a_chain_one_reviewer_decides_with_the_confidentiality_review(db_session):
    chain = chain_for(db_session, APPOINTMENTS, [])
    assert chain is DEFAULT_CHAIN
    assert [(s.name, s.role, s.confidentiality) for s in chain.stages] == [
        ("审核", "reviewer", True)
    ]


def test_an_admin_sets_a_three_stage_chain_and_it_is_audited(db_session, office):
    chain = put(
        db_session,
        office["admin"],
        THREE_STAGES,
        escalation=StageSpec(name="主要领导", users=["liu.shuji"], due_working_days=15),
    )
    assert [s.name for s in chain.stages] == ["初审", "复审", "终审"]
    assert chain_json(db_session, chain)["escalation"]["users"] == ["liu.shuji"]
    assert chain_for(db_session, APPOINTMENTS, []).stages == chain.stages
    entry = db_session.scalars(sa.select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert entry.action == "review_chain.put" and entry.object_id == f"{APPOINTMENTS}/*"
    # Setting it again replaces it: one chain per category and group.
    put(db_session, office["admin"], [THREE_STAGES[0], THREE_STAGES[2]])
    assert db_session.scalar(sa.select(sa.func.count()).select_from(ReviewChain)) == 1


def test_a_groups_own_chain_wins_for_notices_reaching_it(db_session, office, make_group):
    hall = make_group("大厅")
    put(
        db_session, office["admin"], [StageSpec(name="审核", role="reviewer", confidentiality=True)]
    )
    put(db_session, office["admin"], THREE_STAGES, group="大厅")
    assert len(chain_for(db_session, APPOINTMENTS, []).stages) == 1
    assert len(chain_for(db_session, APPOINTMENTS, [hall.id]).stages) == 3
    assert chain_for(db_session, "要闻", [hall.id]) is DEFAULT_CHAIN  # other categories
    delete_chain(db_session, office["admin"], APPOINTMENTS, group="大厅", now=NOW)
    assert len(chain_for(db_session, APPOINTMENTS, [hall.id]).stages) == 1


@pytest.mark.parametrize(
    ("stages", "escalation", "field", "says"),
    [
        ([], None, "stages", "at least one stage"),
        ([StageSpec(name="初审")], None, "stages.0", "nobody can decide"),
        (
            [StageSpec(name="初审", role="reviewer"), StageSpec(name="初审", role="reviewer")],
            None,
            "stages.1.name",
            "two stages are named",
        ),
        (
            [StageSpec(name="初审", role="reviewer", confidentiality=True)],
            StageSpec(name="初审", users=["liu.shuji"]),
            "escalation.name",
            "two stages are named",
        ),
        ([StageSpec(name="初审", role="leader")], None, "stages.0.role", "unknown role"),
        ([StageSpec(name="初审", users=["nobody"])], None, "stages.0.users", "no user"),
        (
            [StageSpec(name="初审", role="reviewer", due_working_days=0)],
            None,
            "stages.0.due_working_days",
            "1–60",
        ),
        (
            [StageSpec(name="初审", role="reviewer", due_working_days=61)],
            None,
            "stages.0.due_working_days",
            "1–60",
        ),
        ([StageSpec(name="", role="reviewer")], None, "stages.0.name", "1–20"),
        (
            [StageSpec(name="初审", role="reviewer")],
            None,
            "stages",
            "confidentiality review",
        ),
        (
            # Five stages for four reviewers (three, and the section head): one would decide two.
            [StageSpec(name=f"第{i}审", role="reviewer", confidentiality=True) for i in "12345"],
            None,
            "stages.4",
            "nobody is left to decide",
        ),
        (
            # The same named person at two stages.
            [
                StageSpec(name="初审", users=["liu.shuji"], confidentiality=True),
                StageSpec(name="终审", users=["liu.shuji"]),
            ],
            None,
            "stages.1",
            "nobody is left to decide",
        ),
    ],
)
def test_bad_chains_are_refused_naming_the_field_and_write_nothing(
    db_session, office, stages, escalation, field, says
):
    before = db_session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    with pytest.raises(InvalidInput, match=says) as caught:
        put(db_session, office["admin"], stages, escalation=escalation)
    assert caught.value.field == field
    db_session.rollback()
    assert db_session.scalar(sa.select(sa.func.count()).select_from(ReviewChain)) == 0
    assert db_session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == before


def test_a_deactivated_named_user_cannot_be_a_stage(db_session, office):
    office["leader"].active = False
    with pytest.raises(InvalidInput, match="deactivated") as caught:
        put(db_session, office["admin"], [StageSpec(name="终审", users=["liu.shuji"])])
    assert caught.value.field == "stages.0.users"


def test_unknown_category_or_group(db_session, office):
    with pytest.raises(InvalidInput) as caught:
        put(db_session, office["admin"], THREE_STAGES, category="娱乐")
    assert caught.value.field == "category"
    with pytest.raises(InvalidInput) as caught:
        put(db_session, office["admin"], THREE_STAGES, group="没有这个组")
    assert caught.value.field == "group"
    with pytest.raises(NotFound):
        delete_chain(db_session, office["admin"], APPOINTMENTS, group=None, now=NOW)


@pytest.mark.parametrize("who", ["author", "r1", "supervisor", "head"])
def test_only_admins_set_chains_and_words(db_session, office, who):
    with pytest.raises(PermissionDenied):
        put(db_session, office[who], THREE_STAGES)
    with pytest.raises(PermissionDenied):
        put_precheck_words(db_session, office[who], ["某某"], now=NOW)


def test_the_word_list_is_replaced_whole_and_audited(db_session, office):
    assert put_precheck_words(
        db_session, office["admin"], [" 某某项目 ", "某某项目", "征地"], now=NOW
    ) == [
        "某某项目",
        "征地",
    ]
    put_precheck_words(db_session, office["admin"], ["征地", "拆迁"], now=NOW)
    assert precheck_words(db_session) == ["征地", "拆迁"]
    entry = db_session.scalars(sa.select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert entry.action == "precheck_words.put"
    assert entry.details_dict == {"added": ["拆迁"], "removed": ["某某项目"]}
    with pytest.raises(InvalidInput) as caught:
        put_precheck_words(db_session, office["admin"], ["词" * 51], now=NOW)
    assert caught.value.field == "words.0"
