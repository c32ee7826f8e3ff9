"""The playlist cache: what a change invalidates, and when the horizon rolls."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event

from signage.clock import utcnow
from signage.db import get_db
from signage.delivery.cache import PlaylistCache
from signage.notices import review
from signage.notices import services as notices
from signage.screens.epoch import BUMPED
from signage.screens.services import ScreenFields, create_screen, update_screen
from tests.conftest import RULES, notice_fields

HOUR = dt.timedelta(hours=1)


class Clock:
    def __init__(self) -> None:
        self.value = 0.0

    def __call__(self) -> float:
        return self.value


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def cache(app, clock):
    return PlaylistCache(
        get_db(app),
        keys=app.extensions["signage.keys"],
        weights={"normal": 1, "high": 2, "urgent": 1},
        check_interval_s=1.0,
        clock=clock,
    )


@pytest.fixture
def setup(db_session, make_user):
    now = utcnow()
    ids = {}
    for key in ("hall", "lobby"):
        screen, _ = create_screen(db_session, None, key=key, name=key, width=64, height=16, now=now)
        ids[key] = screen.id
    author, reviewer, admin = make_user("author"), make_user("reviewer"), make_user("admin")
    db_session.commit()
    return {"now": now, "ids": ids, "author": author, "reviewer": reviewer, "admin": admin}


def approve(db_session, setup, screens):
    now = setup["now"]
    notice = notices.create_notice(
        db_session,
        setup["author"],
        notice_fields(screens=screens, valid_from=now - HOUR, valid_until=now + 10 * HOUR),
        now=now,
        rules=RULES,
    )
    notices.submit_notice(db_session, setup["author"], notice.id, now=now)
    review.approve_notice(
        db_session, setup["reviewer"], notice.id, confidentiality_reviewed=True, now=now
    )
    db_session.commit()
    return notice


def test_a_cached_playlist_is_reused_until_something_changes(db_session, cache, clock, setup):
    hall, now = setup["ids"]["hall"], setup["now"]
    first = cache.playlist(hall, now)
    assert cache.playlist(hall, now) is first and cache.compiles == 1
    # A change made by another process (its commit carries no mark for this one's caches) is
    # not looked for within the check interval.
    event.listen(db_session, "before_commit", lambda s: s.info.pop(BUMPED, None), once=True)
    approve(db_session, setup, ["hall"])
    assert cache.playlist(hall, now) is first
    clock.value += 1.0
    second = cache.playlist(hall, now)
    assert second is not first and len(second.playlist.items) == 1
    assert second.etag != first.etag and cache.compiles == 2


def test_a_change_made_in_this_process_is_seen_at_once(db_session, cache, setup):
    hall, now = setup["ids"]["hall"], setup["now"]
    first = cache.playlist(hall, now)
    approve(db_session, setup, ["hall"])
    assert len(cache.playlist(hall, now).playlist.items) == 1 and first.playlist.items == ()


def test_only_the_affected_screens_are_recompiled(db_session, cache, clock, setup):
    hall, lobby, now = setup["ids"]["hall"], setup["ids"]["lobby"], setup["now"]
    cache.playlist(hall, now)
    lobby_before = cache.playlist(lobby, now)
    approve(db_session, setup, ["hall"])
    clock.value += 1.0
    cache.playlist(hall, now)
    assert cache.playlist(lobby, now) is lobby_before
    assert cache.compiles == 3


def test_a_screen_edit_invalidates_that_screen(db_session, cache, clock, setup):
    hall, now = setup["ids"]["hall"], setup["now"]
    before = cache.playlist(hall, now)
    update_screen(db_session, setup["admin"], "hall", ScreenFields(hours="08:00-09:00"), now=now)
    db_session.commit()
    clock.value += 1.0
    after = cache.playlist(hall, now)
    assert after is not before and after.playlist.off != before.playlist.off


def test_the_horizon_rolls_forward_each_hour(cache, setup):
    hall, now = setup["ids"]["hall"], setup["now"]
    first = cache.playlist(hall, now)
    later = cache.playlist(hall, now + HOUR)
    assert later.playlist.generated_at == first.playlist.generated_at + HOUR
    assert later.etag != first.etag


def test_a_restored_database_empties_the_cache(db_session, cache, clock, setup):
    from signage.screens.epoch import PlaylistEpoch

    hall, now = setup["ids"]["hall"], setup["now"]
    cache.playlist(hall, now)
    db_session.query(PlaylistEpoch).update({"seq": 0})
    db_session.commit()
    clock.value += 1.0
    cache.sync()
    assert cache._compiled == {} and cache._tokens == {}


def test_a_change_noticed_during_a_compile_is_not_cached_stale(
    db_session, cache, clock, setup, monkeypatch
):
    hall, now = setup["ids"]["hall"], setup["now"]
    cache.sync()
    real = cache._compile

    def compile_while_a_change_lands(*args, **kwargs):
        compiled = real(*args, **kwargs)
        approve(db_session, setup, ["hall"])  # lands after the read
        clock.value += 1.0
        cache.sync()  # another request notices it meanwhile
        return compiled

    monkeypatch.setattr(cache, "_compile", compile_while_a_change_lands)
    stale = cache.playlist(hall, now)
    monkeypatch.undo()
    assert stale.playlist.items == ()
    assert len(cache.playlist(hall, now).playlist.items) == 1
