"""What counts as a play: the Python counting and the SQL counting are the same rule."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playlists import Outcome
from signage.displaylog.models import DisplayEvent
from signage.displaylog.plays import COUNTERS, PlayCounts, count_columns, is_play, plays_only
from tests.conftest import NOW

events_strategy = st.lists(
    st.tuples(st.sampled_from(list(Outcome)), st.integers(0, 600_000)), max_size=30
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(events=events_strategy)
def test_sql_sums_equal_python_counts(db_session, make_user, make_notice, make_screen, events):
    screen = make_screen()
    notice = make_notice(make_user("author"), screens=[screen.key])
    db_session.execute(sa.delete(DisplayEvent))
    for seq, (outcome, duration_ms) in enumerate(events, start=1):
        db_session.add(
            DisplayEvent(
                screen_id=screen.id,
                player_seq=seq,
                chain_seq=seq,
                event_id=str(uuid.uuid4()),
                item_id="n.r",
                notice_id=notice.id,
                revision=1,
                content_sha256="0" * 64,
                category="通知公告",
                started_at=NOW + dt.timedelta(minutes=seq),
                duration_ms=duration_ms,
                outcome=outcome,
                received_at=NOW,
                prev_hash="0" * 64,
                hash="0" * 64,
            )
        )
    db_session.flush()
    counts = PlayCounts()
    for seq, (outcome, duration_ms) in enumerate(events, start=1):
        counts.add(NOW + dt.timedelta(minutes=seq), outcome, duration_ms)
    sums = db_session.execute(
        sa.select(*(sa.func.coalesce(sa.func.sum(c), 0) for _, c in count_columns()))
    ).one()
    assert dict(zip(COUNTERS, (int(v) for v in sums), strict=True)) == {
        name: getattr(counts, name) for name in COUNTERS
    }
    plays = db_session.scalar(
        sa.select(sa.func.count()).select_from(DisplayEvent).where(plays_only())
    )
    assert plays == counts.plays == sum(1 for outcome, _ in events if is_play(outcome))
    db_session.rollback()


def test_only_a_display_run_to_its_end_is_a_play_and_errors_never_reached_the_panel():
    counts = PlayCounts()
    for outcome in (Outcome.SHOWN, Outcome.INTERRUPTED, Outcome.ERROR):
        counts.add(NOW, outcome, 1000)
    assert (counts.plays, counts.interrupted, counts.errors, counts.shown_ms) == (1, 1, 1, 2000)
