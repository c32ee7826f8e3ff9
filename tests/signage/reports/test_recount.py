"""The recount of the roll-ups from the raw display log: silent when they agree, and naming every
invented, changed or missing row and every event lost from a rolled-up day."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable

import pytest
import sqlalchemy as sa

from signage.displaylog.append import ParsedEvent, append_events
from signage.displaylog.models import DisplayEvent
from signage.reports.models import DailyPlay
from signage.reports.recount import RollupMismatch, recount_rollups
from signage.reports.rollups import roll_up
from signage.times import isoformat_z
from tests.signage.reports.conftest import every, local

TZ = "Asia/Shanghai"
D = dt.date
MINUTE = dt.timedelta(minutes=1)
EARLY = dt.datetime(2025, 12, 1, tzinfo=dt.UTC)  # approved before the plays stored
ROLLED = [D(2026, 11, 26), D(2026, 11, 27), D(2026, 11, 28), D(2026, 11, 29), D(2026, 11, 30)]


@pytest.fixture
def hall(db_session, make_user, make_screen, make_notice):
    author, reviewer = make_user("author"), make_user("reviewer")
    screen = make_screen(key="hall", hours="1-5 08:00-18:00")
    notices = [
        make_notice(
            author, screens=["hall"], status="approved", reviewer=reviewer, category=c, at=EARLY
        )
        for c in ("通知公告", "要闻")
    ]
    return screen, notices


@pytest.fixture
def store_events(db_session) -> Callable[..., None]:
    """Append display events of ``notice`` on ``screen`` to the screen's chain, as ingest does
    once it has checked them (the recount only counts stored events)."""
    seqs: dict[int, int] = defaultdict(int)

    def store(
        screen,
        notice,
        starts: Iterable[dt.datetime],
        *,
        outcome: str = "shown",
        duration_ms: int = 15_000,
        received: dt.datetime | None = None,
    ) -> None:
        revision = notice.live_revision or notice.latest_revision
        times = list(starts)
        fresh = []
        for at in times:
            seqs[screen.id] += 1
            known = {
                "event_id": str(uuid.uuid4()),
                "seq": seqs[screen.id],
                "item_id": f"n{notice.id}.r{revision.number}",
                "notice_id": notice.id,
                "revision": revision.number,
                "content_sha256": revision.content_sha256,
                "started_at": at,
                "duration_ms": duration_ms,
                "outcome": outcome,
                "started_z": isoformat_z(at),
            }
            # Fields ingest adds besides these (the player's own chain) are not counted: None.
            event = ParsedEvent(**{name: known.get(name) for name in ParsedEvent._fields})
            fresh.append((event, revision.category))
        append_events(db_session, screen.id, fresh, received or max(times) + MINUTE)
        db_session.commit()

    return store


@pytest.fixture
def rolled(db_session, hall, store_events):
    """Four days of events of two notices, rolled up through Monday 30 November."""
    screen, (notice, other) = hall
    store_events(
        screen, notice, every(local(2026, 11, 26, 10, 0), local(2026, 11, 26, 11, 0), MINUTE)
    )
    store_events(screen, other, [local(2026, 11, 26, 12, 0)], outcome="interrupted")
    store_events(screen, notice, [local(2026, 11, 27, 9, 0)], outcome="error", duration_ms=0)
    store_events(
        screen, other, every(local(2026, 11, 28, 9, 0), local(2026, 11, 28, 9, 10), MINUTE)
    )
    store_events(screen, notice, [local(2026, 11, 30, 9, 0)])
    result = roll_up(db_session, now=local(2026, 12, 1, 0, 30), timezone=TZ)
    db_session.commit()
    assert result.rolled == ROLLED
    return screen, notice, other


def recount(db_session) -> list[RollupMismatch]:
    db_session.expire_all()
    return list(recount_rollups(db_session, TZ))


def test_rollups_as_the_job_wrote_them_agree_with_the_log(db_session, rolled, store_events):
    screen, notice, _ = rolled
    done: list[int] = []
    assert list(recount_rollups(db_session, TZ, progress=done.append)) == []
    assert done == [1, 2, 3, 4, 5]  # once per rolled-up day
    # A late event of a rolled-up day lies above the mark until the next run: not yet counted.
    store_events(screen, notice, [local(2026, 11, 27, 15, 0)], received=local(2026, 12, 1, 9, 0))
    assert recount(db_session) == []
    roll_up(db_session, now=local(2026, 12, 1, 9, 5), timezone=TZ)
    db_session.commit()
    assert recount(db_session) == []


def test_nothing_is_checked_before_a_roll_up_or_in_another_zone(db_session, hall, store_events):
    screen, (notice, _) = hall
    store_events(screen, notice, [local(2026, 11, 26, 10, 0)])
    done: list[int] = []
    assert list(recount_rollups(db_session, TZ, progress=done.append)) == []
    roll_up(db_session, now=local(2026, 11, 27, 1, 0), timezone=TZ)
    db_session.commit()
    assert list(recount_rollups(db_session, "Europe/Berlin", progress=done.append)) == []
    assert done == []


def test_an_invented_row_is_found(db_session, rolled):
    screen, _, other = rolled
    first = local(2026, 11, 29, 10, 0)
    db_session.add(
        DailyPlay(
            day=D(2026, 11, 29),
            screen_id=screen.id,
            notice_id=other.id,
            category="要闻",
            plays=500,
            interrupted=0,
            errors=0,
            shown_ms=500 * 15_000,
            first_start=first,
            last_start=first + dt.timedelta(hours=8),
        )
    )
    db_session.commit()
    [found] = recount(db_session)
    assert (found.day, found.screen_id, found.notice_id, found.category) == (
        D(2026, 11, 29),
        screen.id,
        other.id,
        "要闻",
    )
    assert found.stored is not None and found.stored[0] == 500 and found.recounted is None
    text = found.describe()
    for part in ("2026-11-29", f"screen {screen.id}", f"notice {other.id}", "要闻", "plays 500"):
        assert part in text
    assert "no such events" in text


def test_a_changed_figure_is_found(db_session, rolled):
    screen, notice, _ = rolled
    db_session.execute(
        sa.update(DailyPlay)
        .where(DailyPlay.day == D(2026, 11, 26), DailyPlay.notice_id == notice.id)
        .values(plays=61)
    )
    db_session.commit()
    [found] = recount(db_session)
    assert (found.day, found.notice_id, found.category) == (D(2026, 11, 26), notice.id, "通知公告")
    assert found.stored is not None and found.recounted is not None
    assert (found.stored[0], found.recounted[0]) == (61, 60)
    assert found.stored[1:] == found.recounted[1:]
    text = found.describe()
    assert text.startswith(f"2026-11-26 screen {screen.id} notice {notice.id} category 通知公告")
    assert "plays differ" in text and "plays 61" in text and "plays 60" in text


def test_a_deleted_row_is_found(db_session, rolled):
    _, _, other = rolled
    db_session.execute(
        sa.delete(DailyPlay).where(
            DailyPlay.day == D(2026, 11, 28), DailyPlay.notice_id == other.id
        )
    )
    db_session.commit()
    [found] = recount(db_session)
    assert (found.day, found.notice_id, found.stored) == (D(2026, 11, 28), other.id, None)
    assert found.recounted is not None and found.recounted[0] == 10
    text = found.describe()
    assert "2026-11-28" in text and "plays 10" in text and "no roll-up row" in text


def test_an_event_deleted_from_a_rolled_up_day_is_found(db_session, rolled):
    _, notice, _ = rolled
    db_session.execute(
        sa.delete(DisplayEvent).where(DisplayEvent.started_at == local(2026, 11, 26, 10, 30))
    )
    db_session.commit()
    [found] = recount(db_session)
    assert (found.day, found.notice_id) == (D(2026, 11, 26), notice.id)
    assert found.stored is not None and found.recounted is not None
    assert (found.stored[0], found.recounted[0]) == (60, 59)
    assert (found.stored[3], found.recounted[3]) == (60 * 15_000, 59 * 15_000)
    text = found.describe()
    assert "plays, shown_ms differ" in text and "plays 60" in text and "plays 59" in text
