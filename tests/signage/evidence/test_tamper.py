"""Each way of rewriting the record, and what catches it.

Without exported checkpoints, ``verify-logs`` catches what the players' signatures, the recounts
and the checkpoints kept in the database can reveal; with them (``--checkpoints DIR``), every one
of these, even when the checkpoints in the database were deleted too.
"""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa

from playlists import canonical_json
from signage.audit.chain import GENESIS, link_hash
from signage.audit.models import AuditEntry, ChainHead, Checkpoint
from signage.audit.services import _hashed_record
from signage.displaylog.models import DisplayEvent, DisplayGap, PlayerHead
from signage.displaylog.records import chain_name
from signage.notices.models import NoticeRevision
from signage.reports.models import DailyPlay
from tests.signage.evidence_world import send


def test_an_untouched_record_verifies_with_and_without_the_folder(county, verify):
    assert verify() == (True, [])
    assert verify(county["dir"]) == (True, [])


def test_deleting_a_screens_events_with_its_heads(county, verify, db_session):
    hall = county["hall"]["screen"]
    db_session.execute(sa.delete(DisplayEvent).where(DisplayEvent.screen_id == hall.id))
    db_session.execute(sa.delete(ChainHead).where(ChainHead.name == chain_name(hall.id)))
    # The screen's player signed what it logged: that alone gives it away.
    whole, problems = verify()
    assert not whole and any("screen hall" in p for p in problems)
    # Deleting the signed head as well leaves the checkpoint in the database ...
    db_session.execute(sa.delete(PlayerHead).where(PlayerHead.screen_id == hall.id))
    whole, problems = verify()
    assert not whole and any("screen hall" in p and "checkpoint 1" in p for p in problems)
    # ... and deleting that too (with the screen's roll-ups, which a recount would give away)
    # leaves only the exported copy, which names the screen.
    db_session.execute(sa.delete(Checkpoint))
    db_session.execute(sa.delete(DailyPlay).where(DailyPlay.screen_id == hall.id))
    assert verify() == (True, [])  # nothing left in the database to tell
    whole, problems = verify(county["dir"])
    assert not whole and any("screen hall" in p for p in problems)
    assert any("no longer in the database" in p for p in problems)


def test_deleting_the_last_plays_and_moving_the_heads_back(county, verify, db_session):
    hall = county["hall"]["screen"]
    last = db_session.scalars(
        sa.select(DisplayEvent)
        .where(DisplayEvent.screen_id == hall.id)
        .order_by(DisplayEvent.chain_seq.desc())
    ).first()
    db_session.execute(sa.delete(DisplayEvent).where(DisplayEvent.id == last.id))
    db_session.execute(
        sa.update(ChainHead)
        .where(ChainHead.name == chain_name(hall.id))
        .values(seq=last.chain_seq - 1, hash=last.prev_hash)
    )
    whole, problems = verify()
    assert not whole and any("screen hall" in p and "checkpoint 1" in p for p in problems)
    # With no checkpoint left in the database, the player's signature still gives it away.
    db_session.execute(sa.delete(Checkpoint))
    whole, problems = verify()
    assert not whole and any("screen hall" in p and "signed" in p for p in problems)
    # A forger who also deletes the signed head (and mends the roll-up a recount would show)
    # is seen only by the exported checkpoints.
    db_session.execute(sa.delete(PlayerHead).where(PlayerHead.screen_id == hall.id))
    db_session.execute(sa.delete(DailyPlay))
    whole, problems = verify(county["dir"])
    assert not whole and any("screen hall" in p and "checkpoint-000001" in p for p in problems)


def test_deleting_every_audit_row_with_its_head(county, verify, db_session):
    db_session.execute(sa.delete(AuditEntry))
    db_session.execute(sa.delete(ChainHead).where(ChainHead.name == "audit"))
    whole, problems = verify()
    assert not whole and any(p.startswith("audit log: BROKEN") for p in problems)
    db_session.execute(sa.delete(Checkpoint))
    whole, problems = verify(county["dir"])
    assert not whole and any(p.startswith("audit log: BROKEN") for p in problems)


def _rehash_audit(db_session) -> None:
    prev = GENESIS
    for entry in db_session.scalars(sa.select(AuditEntry).order_by(AuditEntry.seq)):
        entry.prev_hash = prev
        entry.hash = link_hash(prev, _hashed_record(entry))
        prev = entry.hash
    db_session.execute(sa.update(ChainHead).where(ChainHead.name == "audit").values(hash=prev))
    db_session.flush()


def test_rewriting_an_approvers_name_and_every_hash_after_it(county, verify, db_session):
    approval = db_session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "notice.approve")
    ).first()
    approval.actor = "someone.else"
    _rehash_audit(db_session)
    whole, problems = verify()
    assert not whole and any("audit log: BROKEN" in p and "rewritten" in p for p in problems)
    db_session.execute(sa.delete(Checkpoint))
    _rehash_audit(db_session)
    whole, problems = verify(county["dir"])
    assert not whole and any("audit log: BROKEN" in p for p in problems)


def test_an_invented_daily_plays_row(county, verify, db_session):
    row = db_session.scalars(sa.select(DailyPlay)).first()
    db_session.add(
        DailyPlay(
            day=row.day,
            screen_id=row.screen_id,
            notice_id=row.notice_id,
            category="要闻",
            plays=500,
            interrupted=0,
            errors=0,
            shown_ms=0,
            first_start=row.first_start,
            last_start=row.last_start,
        )
    )
    whole, problems = verify()
    assert not whole and any("daily roll-ups: BROKEN" in p for p in problems)
    db_session.execute(sa.delete(Checkpoint))
    assert any("daily roll-ups: BROKEN" in p for p in verify(county["dir"])[1])


def test_an_edited_gap(county, verify, db_session):
    hall = county["hall"]
    now = county["now"]
    send(
        db_session,
        hall["screen"],
        hall["record"],
        hall["notice"],
        [now + dt.timedelta(hours=2)],  # in an hour after the checkpoint
        now=now + dt.timedelta(hours=3),
        gap_before=3,
    )
    gap = db_session.scalars(sa.select(DisplayGap)).one()
    assert verify()[0] is True
    gap.last_seq -= 1
    whole, problems = verify()
    assert not whole and any("screen hall" in p and "missing" in p for p in problems)
    gap.last_seq += 1
    db_session.add(DisplayGap(screen_id=gap.screen_id, first_seq=1, last_seq=1, detected_at=now))
    # A gap among events a checkpoint covers is checked against it; without checkpoints, a
    # recorded gap where no event is missing is seen too.
    whole, problems = verify()
    assert not whole and any("not those checkpoint 1" in p for p in problems)
    assert any("not those checkpoint 1" in p for p in verify(county["dir"])[1])
    db_session.execute(sa.delete(Checkpoint))
    assert any("no event is missing" in p for p in verify()[1])


def test_edited_approved_text_and_category(county, verify, db_session):
    revision = db_session.scalars(sa.select(NoticeRevision)).first()
    revision.body = "改过的正文"
    whole, problems = verify()
    assert not whole and any("approved revisions" in p for p in problems)
    revision.body = county["hall"]["notice"].live_revision.body
    db_session.execute(sa.update(DisplayEvent).values(category="要闻"))
    whole, problems = verify()
    assert not whole and any("category" in p for p in problems)
    revision.body = "改过的正文"
    db_session.execute(sa.delete(Checkpoint))
    problems = verify(county["dir"])[1]
    assert any("category" in p for p in problems)
    assert any("approved revisions" in p for p in problems)


def test_deleted_plays_hidden_behind_a_forged_gap(county, verify, db_session):
    hall = county["hall"]["screen"]
    db_session.execute(
        sa.delete(DisplayEvent).where(
            DisplayEvent.screen_id == hall.id, DisplayEvent.player_seq.in_([5, 6])
        )
    )
    db_session.add(
        DisplayGap(screen_id=hall.id, first_seq=5, last_seq=6, detected_at=county["now"])
    )
    whole, problems = verify(county["dir"])
    assert not whole and any("screen hall" in p and "gaps" in p for p in problems)


def test_plays_laundered_as_unsigned_ones(county, verify, db_session):
    # Every play of a screen made to look as if stored before screens signed their record,
    # the signed head deleted: the checkpoint says where the screen's own chain begins.
    hall = county["hall"]["screen"]
    db_session.execute(
        sa.update(DisplayEvent)
        .where(DisplayEvent.screen_id == hall.id)
        .values(playlist_etag=None, player_prev=None)
    )
    db_session.execute(sa.delete(PlayerHead).where(PlayerHead.screen_id == hall.id))
    whole, problems = verify(county["dir"])
    assert not whole and any("screen hall" in p and "before screens signed" in p for p in problems)


def test_an_edited_play_is_caught_by_the_players_signature(county, verify, db_session):
    event = db_session.scalars(sa.select(DisplayEvent)).first()
    event.duration_ms = 3_600_000
    whole, problems = verify()
    assert not whole
    # Rehashing the controller's chain does not help: the screen's own chain still differs.
    for screen_id in {event.screen_id}:
        prev = GENESIS
        rows = db_session.scalars(
            sa.select(DisplayEvent)
            .where(DisplayEvent.screen_id == screen_id)
            .order_by(DisplayEvent.chain_seq)
        ).all()
        from signage.displaylog.records import record_json

        for row in rows:
            row.prev_hash = prev
            row.hash = link_hash(prev, record_json(row))
            prev = row.hash
        db_session.execute(
            sa.update(ChainHead).where(ChainHead.name == chain_name(screen_id)).values(hash=prev)
        )
    whole, problems = verify()
    assert not whole and any("own chain" in p for p in problems)


def test_a_checkpoint_file_that_does_not_verify(county, verify_cli):
    body = next(county["dir"].glob("checkpoint-*.json"))
    content = json.loads(body.read_bytes())
    content["audit"]["seq"] += 1
    body.write_bytes(canonical_json(content))
    result = verify_cli("--checkpoints", str(county["dir"]))
    assert result.exit_code == 1
    assert f"checkpoint 1 ({body.name})" in result.output
    assert "signature does not hold" in result.output
    assert verify_cli("--checkpoints", str(county["dir"] / "nope")).exit_code == 2


def test_an_invented_daily_plays_row_for_a_day_not_rolled_up(county, verify, db_session):
    row = db_session.scalars(sa.select(DailyPlay)).first()
    db_session.add(
        DailyPlay(
            day=county["now"].date() + dt.timedelta(days=1),
            screen_id=row.screen_id,
            notice_id=row.notice_id,
            category=row.category,
            plays=500,
            interrupted=0,
            errors=0,
            shown_ms=0,
            first_start=county["now"],
            last_start=county["now"],
        )
    )
    whole, problems = verify()
    assert not whole and any("daily roll-ups: BROKEN" in p for p in problems)
