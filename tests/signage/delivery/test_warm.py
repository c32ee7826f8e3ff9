"""Compiling many screens at once: a cold start and a change aimed at every screen cost one
read of the notices and a few reads of screens, not a compile from the database per screen."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import event

from signage.clock import utcnow
from signage.db import get_db
from signage.delivery.cache import PlaylistCache
from signage.delivery.warm import start_warming
from signage.notices import review
from signage.notices import services as notices
from signage.screens.services import create_screen
from tests.conftest import RULES, notice_fields

HOUR = dt.timedelta(hours=1)
SIZES = [(64, 16), (192, 64), (384, 128)]


def make_cache(app, check_interval_s):
    return PlaylistCache(
        get_db(app),
        keys=app.extensions["signage.keys"],
        weights={"normal": 1, "high": 2, "urgent": 1},
        check_interval_s=check_interval_s,
    )


def make_fleet(db_session, count):
    now = utcnow()
    tokens = {}
    for i in range(count):
        width, height = SIZES[i % len(SIZES)]
        screen, token = create_screen(
            db_session,
            None,
            key=f"s{i:03d}",
            name=f"屏 {i}",
            width=width,
            height=height,
            now=now,
            groups=["全部", f"楼层{i % 4}"],
            create_groups=True,
        )
        tokens[screen.id] = token
    db_session.commit()
    return now, tokens


def approve(db_session, author, reviewer, now, **targets):
    notice = notices.create_notice(
        db_session,
        author,
        notice_fields(valid_from=now - HOUR, valid_until=now + 10 * HOUR, **targets),
        now=now,
        rules=RULES,
    )
    notices.submit_notice(db_session, author, notice.id, now=now)
    review.approve_notice(db_session, reviewer, notice.id, confidentiality_reviewed=True, now=now)
    db_session.commit()
    return notice


class Statements:
    def __init__(self, engine):
        self.count = 0
        self._engine = engine

    def __enter__(self):
        event.listen(self._engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc):
        event.remove(self._engine, "before_cursor_execute", self._seen)

    def _seen(self, *args):
        self.count += 1


def test_a_cold_start_reads_the_database_a_few_times_not_once_per_screen(
    app, db_session, make_user
):
    cache = make_cache(app, 3600)  # no look at the epoch but the first
    now, tokens = make_fleet(db_session, 60)
    author, reviewer = make_user("author"), make_user("reviewer")
    approve(db_session, author, reviewer, now, groups=["全部"])
    approve(db_session, author, reviewer, now, groups=["楼层1"], screens=["s000"])
    with Statements(get_db(app).engine) as sql:
        cache.sync()
        compiled, complete = cache.warm(None, now)
    assert (compiled, complete) == (60, True)
    assert sql.count <= 15, sql.count  # the epoch, the notices (a few), the screens (a few)
    assert cache.loads == 1
    # Every screen is answered from memory now: its token and its playlist.
    with Statements(get_db(app).engine) as sql:
        for screen_id, token in tokens.items():
            cached = cache.peek(token, now)
            assert cached is not None and cached.screen_id == screen_id
            assert cache.playlist(screen_id, now) is cached
    assert sql.count == 0
    items = {s: len(cache.playlist(s, now).playlist.items) for s in tokens}
    assert sorted(set(items.values())) == [1, 2]


def test_a_change_for_every_screen_is_compiled_before_any_poll(app, db_session, make_user):
    cache = make_cache(app, 0.2)
    now, tokens = make_fleet(db_session, 30)
    author, reviewer = make_user("author"), make_user("reviewer")
    warmer = start_warming(cache, utcnow)
    try:
        deadline = time.monotonic() + 10
        while len(cache.cached_screens()) < 30 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(cache.cached_screens()) == 30  # compiled at start, with nobody polling
        before = {s: cache.playlist(s, now).etag for s in tokens}
        approve(db_session, author, reviewer, now, groups=["全部"])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            fresh = [cache.peek(t, now) for t in tokens.values()]
            if all(c is not None and c.etag != before[c.screen_id] for c in fresh):
                break
            time.sleep(0.05)
        else:
            pytest.fail("the change was not compiled in the background")
        assert all(len(c.playlist.items) == 1 for c in fresh if c is not None)
        assert cache.loads <= 3
    finally:
        warmer.stop()
