"""People and chains for the review-chain tests: a county office's three-stage review."""

from __future__ import annotations

from typing import Any

import pytest

from signage.chains.rules import StageSpec, put_chain
from tests.conftest import CATEGORIES, NOW

APPOINTMENTS = "人事任免"


@pytest.fixture
def office(make_user: Any) -> dict[str, Any]:
    """An author, three reviewers, the principal leader (named), an admin, and a section head
    who writes notices and decides 初审 too."""
    return {
        "author": make_user("author", username="zhang.min"),
        "head": make_user("author", "reviewer", username="li.ke"),
        "r1": make_user("reviewer", username="wang.fang"),
        "r2": make_user("reviewer", username="zhao.lei"),
        "r3": make_user("reviewer", username="chen.jing"),
        "leader": make_user("author", username="liu.shuji"),
        "admin": make_user("admin", username="admin.wu"),
        "supervisor": make_user("supervisor", username="sun.jian"),
    }


THREE_STAGES = [
    StageSpec(name="初审", role="reviewer", due_working_days=3),
    StageSpec(name="复审", role="reviewer", due_working_days=3),
    StageSpec(name="终审", role="reviewer", confidentiality=True, due_working_days=5),
]


@pytest.fixture
def three_stage_chain(db_session: Any, office: dict[str, Any]) -> Any:
    """人事任免 passes 初审, 复审, 终审 (with 保密审查), each by a reviewer; the principal leader
    (liu.shuji, named) is its escalation stage."""
    assert APPOINTMENTS in CATEGORIES
    chain = put_chain(
        db_session,
        office["admin"],
        APPOINTMENTS,
        THREE_STAGES,
        escalation=StageSpec(name="主要领导", users=["liu.shuji"], due_working_days=15),
        group=None,
        categories=CATEGORIES,
        now=NOW,
    )
    db_session.commit()
    return chain
