"""What other areas ask of notices (notices/queries.py): each rule in SQL and in Python, held to
each other and to the scheduling core's rule."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
import sqlalchemy as sa

from playlists import canonical_json, sha256_hex
from playlists.content import content_sha256
from signage.delivery.services import notice_spec, screen_spec
from signage.errors import InvalidInput
from signage.notices import queries, review
from signage.notices import services as svc
from signage.notices.content import FIELD_NAMES, plain_fields, revision_fields
from signage.notices.models import NoticeRevision
from signage.notices.schemas import NoticeEdit
from signage.notices.text import FIELDS_SHOWN
from tests.conftest import NOW, RULES, notice_fields

LATER = NOW + dt.timedelta(hours=1)


@pytest.fixture
def people(make_user: Any) -> dict[str, Any]:
    return {"author": make_user("author"), "reviewer": make_user("reviewer")}


@pytest.fixture
def hall_and_lobby(db_session, make_screen, make_group):
    make_group("大厅")
    make_group("大楼")
    return {
        "a": make_screen(key="a", groups=["大厅"]),
        "b": make_screen(key="b", groups=["大厅", "大楼"]),
        "c": make_screen(key="c", groups=["大楼"]),
        "d": make_screen(key="d"),
    }


TARGETS = [
    {"screens": screens, "groups": groups}
    for screens, groups in itertools.product(
        [[], ["a"], ["d"], ["a", "c"]], [[], ["大厅"], ["大楼"], ["大厅", "大楼"]]
    )
    if screens or groups
]


@pytest.mark.parametrize("targets", TARGETS, ids=str)
def test_aimed_at_a_screen_is_one_rule_in_sql_python_and_the_core(
    db_session, people, make_notice, hall_and_lobby, targets
):
    notice = make_notice(people["author"], **targets)
    revision = notice.latest_revision
    spec = notice_spec(revision, None)
    by_python = queries.revision_screen_ids(db_session, revision)
    for key, screen in hall_and_lobby.items():
        by_sql = db_session.scalar(
            sa.select(sa.func.count())
            .select_from(NoticeRevision)
            .where(NoticeRevision.id == revision.id, queries.targets_screen(screen.id))
        )
        by_core = spec.targets(screen_spec(screen))
        assert bool(by_sql) == (screen.id in by_python) == by_core, key
    assert [s.key for s in queries.target_screens(db_session, revision)] == sorted(
        k for k, s in hall_and_lobby.items() if s.id in by_python
    )


def test_approved_is_one_rule_in_sql_and_python(db_session, people, make_notice):
    author, reviewer = people["author"], people["reviewer"]
    draft = make_notice(author)
    submitted = make_notice(author, status="submitted")
    rejected = make_notice(author, status="rejected", reviewer=reviewer)
    replaced = make_notice(author, status="approved", reviewer=reviewer)
    svc.edit_notice(
        db_session, author, replaced.id, svc.NoticeFields(title="更正"), now=LATER, rules=RULES
    )
    review.approve_notice(
        db_session, reviewer, replaced.id, confidentiality_reviewed=True, now=LATER
    )
    edited_before_review = make_notice(author, status="submitted")
    svc.edit_notice(
        db_session,
        author,
        edited_before_review.id,
        svc.NoticeFields(title="又改了"),
        now=LATER,
        rules=RULES,
    )
    db_session.commit()
    revisions = db_session.scalars(sa.select(NoticeRevision)).all()
    in_sql = set(db_session.scalars(sa.select(NoticeRevision.id).where(queries.approved())))
    in_python = {r.id for r in revisions if queries.was_approved(r)}
    assert in_sql == in_python
    assert {(r.notice_id, r.number) for r in revisions if r.id in in_sql} == {
        (replaced.id, 1),
        (replaced.id, 2),
    }
    assert draft.id and submitted.id and rejected.id  # each state was there to be told apart


def test_a_revision_is_live_from_its_approval_until_the_next_or_the_close(
    db_session, people, make_notice
):
    author, reviewer = people["author"], people["reviewer"]
    notice = make_notice(author, status="approved", reviewer=reviewer)
    svc.edit_notice(
        db_session, author, notice.id, svc.NoticeFields(title="更正"), now=LATER, rules=RULES
    )
    second = LATER + dt.timedelta(minutes=5)
    review.approve_notice(
        db_session, reviewer, notice.id, confidentiality_reviewed=True, now=second
    )
    closed = second + dt.timedelta(hours=2)
    svc.withdraw_notice(db_session, author, notice.id, reason="撤回", now=closed)
    db_session.commit()
    spells = [(s.revision.number, s.start, s.end) for s in queries.live_spells(notice)]
    assert spells == [(1, NOW, second), (2, second, closed)]


def test_one_field_list_serves_the_api_the_json_the_hash_and_the_review_page(
    db_session, people, make_notice
):
    assert tuple(NoticeEdit.model_fields) == FIELD_NAMES
    assert {name for name, _ in FIELDS_SHOWN} == set(FIELD_NAMES)
    revision = make_notice(people["author"], dayparts="07:00-09:00").latest_revision
    fields = plain_fields(revision_fields(revision))
    assert set(fields) == set(FIELD_NAMES)
    # The hash the revision was stored with is the hash of exactly these fields, an optional
    # one (the warning level) left out while it is not set.
    assert fields["level"] is None
    del fields["level"]
    assert sha256_hex(canonical_json(fields)) == revision.content_sha256
    assert fields["valid_from"] == "2026-11-26T02:00:00Z" and fields["dayparts"] == "07:00-09:00"


def test_a_content_hash_is_what_it_was_before_the_field_list(db_session, people, make_notice):
    """Revisions stored before keep their hashes: the hashed record did not change."""
    revision = make_notice(
        people["author"],
        **notice_fields(
            title="旧标题", required_working_days=5, valid_until=NOW + dt.timedelta(days=7)
        ).given(),
    ).latest_revision
    written_out = {
        "title": "旧标题",
        "body": revision.body,
        "category": "通知公告",
        "kind": "text",
        "media_sha256": None,
        "priority": "normal",
        "duration_s": 15,
        "valid_from": "2026-11-26T02:00:00Z",
        "valid_until": "2026-12-03T02:00:00Z",
        "dayparts": None,
        "screens": [s.key for s in revision.screens],
        "groups": [],
        "required_working_days": 5,
    }
    assert sha256_hex(canonical_json(written_out)) == revision.content_sha256


def test_a_warning_level_is_in_the_content_hash_only_when_set(db_session, people, make_notice):
    """An urgent notice drawn in its warning level's colour: the level is approved content."""
    revision = make_notice(
        people["author"],
        title="暴雨橙色预警",
        priority="urgent",
        level="orange",
        valid_until=NOW + dt.timedelta(days=1),
    ).latest_revision
    fields = plain_fields(revision_fields(revision))
    assert fields["level"] == "orange"
    assert sha256_hex(canonical_json(fields)) == revision.content_sha256
    assert content_sha256({**fields, "level": "red"}) != revision.content_sha256


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"level": "purple"}, "level is one of"),
        ({"level": "red", "priority": "normal"}, "only an urgent notice"),
    ],
)
def test_a_warning_level_is_checked(db_session, people, make_notice, change, message):
    with pytest.raises(InvalidInput, match=message):
        make_notice(people["author"], **({"priority": "urgent"} | change))
