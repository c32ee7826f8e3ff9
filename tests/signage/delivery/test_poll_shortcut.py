"""The poll shortcut: a screen's first poll after a change is answered from the cache, with the
same body, signature and record as the Flask route gives, and without a request context."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from flask import request_started

from playlists import parse_playlist
from signage.clock import utcnow
from signage.delivery.cache import get_cache
from signage.delivery.models import ServedPlaylist
from signage.screens.services import create_screen
from signage.writer import get_writer

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def hall(db_session):
    screen, token = create_screen(
        db_session, None, key="hall", name="大厅", width=128, height=32, groups=[], now=utcnow()
    )
    db_session.commit()
    return {"id": screen.id, "headers": {"Authorization": f"Bearer {token}"}}


@pytest.fixture
def flask_requests(app):
    """The requests Flask itself handled (the shortcut's answers are not among them)."""
    seen: list[str] = []

    def note(sender, **extra):
        from flask import request

        seen.append(request.path)

    request_started.connect(note, app)
    yield seen
    request_started.disconnect(note, app)


def publish(client, make_user, token_for, title):
    author, reviewer = make_user("author"), make_user("reviewer")
    now = utcnow()
    body = {
        "title": title,
        "category": "通知公告",
        "screens": ["hall"],
        "valid_from": (now - HOUR).isoformat(),
        "valid_until": (now + 24 * HOUR).isoformat(),
    }
    nid = client.post("/api/v1/notices", json=body, headers=token_for(author)).get_json()["id"]
    client.post(f"/api/v1/notices/{nid}/submit", headers=token_for(author), json={})
    answer = client.post(
        f"/api/v1/notices/{nid}/approve",
        headers=token_for(reviewer),
        json={"confidentiality_reviewed": True, "revision": 1},
    )
    assert answer.status_code == 200, answer.get_json()
    return nid


def poll(client, hall, etag=None):
    headers = hall["headers"] | ({"If-None-Match": etag} if etag else {})
    return client.get("/api/v1/player/playlist", headers=headers)


def sent_etags(db_session, hall):
    db_session.expire_all()
    query = sa.select(ServedPlaylist.etag).where(ServedPlaylist.screen_id == hall["id"])
    return set(db_session.scalars(query))


def test_a_changed_playlist_compiled_in_the_background_is_sent_without_flask(
    app, client, db_session, hall, flask_requests, make_user, token_for
):
    first = publish(client, make_user, token_for, "第一则")
    old = poll(client, hall)
    assert old.status_code == 200
    flask_requests.clear()
    second = publish(client, make_user, token_for, "第二则")
    cache = get_cache(app)
    cache.sync(force=True)
    assert cache.warm(None, utcnow()) == (1, True)  # what the background thread does
    compiled = cache.peek(hall["headers"]["Authorization"].split()[1], utcnow())
    assert compiled is not None and not compiled.recorded
    flask_requests.clear()
    new = poll(client, hall, old.headers["ETag"])
    assert flask_requests == []  # answered before Flask
    assert new.status_code == 200 and new.headers["ETag"] == compiled.etag != old.headers["ETag"]
    assert new.data == compiled.body and new.headers["Signage-Signature"] == compiled.signature
    assert new.headers["Content-Type"] == "application/json; charset=utf-8"
    assert new.headers["X-Content-Type-Options"] == "nosniff"
    assert sorted(i.notice_id for i in parse_playlist(new.data).items) == [first, second]
    # Its sending was recorded before the answer: its display events can name it.
    assert compiled.etag.strip('"') in sent_etags(db_session, hall)
    assert poll(client, hall, new.headers["ETag"]).status_code == 304
    assert flask_requests == []


def test_an_empty_playlist_s_record_is_written_after_the_answer(
    app, client, db_session, hall, flask_requests
):
    first = poll(client, hall)  # nothing to play: an empty playlist
    assert first.status_code == 200 and parse_playlist(first.data).items == ()
    flask_requests.clear()
    again = poll(client, hall, '"stale"')
    assert again.status_code == 200 and flask_requests == []
    get_writer(app).flush()
    assert first.headers["ETag"].strip('"') in sent_etags(db_session, hall)


def test_a_record_that_cannot_be_written_leaves_the_poll_to_flask(
    app, client, hall, flask_requests, make_user, token_for, monkeypatch
):
    publish(client, make_user, token_for, "第一则")
    cache = get_cache(app)
    cache.sync(force=True)
    cache.warm(None, utcnow())
    compiled = cache.peek(hall["headers"]["Authorization"].split()[1], utcnow())
    assert compiled is not None
    writer = get_writer(app)

    def broken(*args, **kw):
        raise RuntimeError("the database is away")

    monkeypatch.setattr(writer, "submit", broken)
    flask_requests.clear()
    answer = poll(client, hall)
    # The full path tries again, and answers the error as the API does.
    assert flask_requests == ["/api/v1/player/playlist"]
    assert answer.status_code == 500 and not compiled.recorded
