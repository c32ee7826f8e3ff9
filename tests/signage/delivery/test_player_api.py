"""The player side of the protocol: playlists with ETags, media, and what a token can reach."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
import sqlalchemy as sa
from PIL import Image

from playlists import parse_playlist
from playlists.events import events_json_schema
from playlists.heartbeat import heartbeat_json_schema
from signage.app import create_app
from signage.clock import utcnow
from signage.db import get_db
from signage.media import services as media_services
from signage.screens.services import create_screen, rotate_screen_token

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def people(make_user, token_for):
    author, reviewer = make_user("author"), make_user("reviewer")
    return {
        "author": author,
        "reviewer": reviewer,
        "author_h": token_for(author),
        "reviewer_h": token_for(reviewer),
    }


@pytest.fixture
def screens(db_session):
    out = {}
    for key in ("hall", "lobby"):
        screen, token = create_screen(
            db_session, None, key=key, name=key, width=128, height=32, groups=[], now=utcnow()
        )
        out[key] = {
            "id": screen.id,
            "headers": {"Authorization": f"Bearer {token}"},
            "token": token,
        }
    db_session.commit()
    return out


def live_notice(client, people, *, screens=("hall",), media=None, title="通知"):
    now = utcnow()
    body = {
        "title": title,
        "category": "通知公告",
        "screens": list(screens),
        "valid_from": (now - HOUR).isoformat(),
        "valid_until": (now + 24 * HOUR).isoformat(),
    }
    if media:
        body |= {"kind": "image", "media_sha256": media}
    nid = client.post("/api/v1/notices", json=body, headers=people["author_h"]).get_json()["id"]
    # An image on a strip: submitted knowing it cannot be read there (the test is of media).
    client.post(
        f"/api/v1/notices/{nid}/submit",
        headers=people["author_h"],
        json={"show_image_on_strips": True},
    )
    answer = client.post(
        f"/api/v1/notices/{nid}/approve",
        headers=people["reviewer_h"],
        json={"confidentiality_reviewed": True, "revision": 1},
    )
    assert answer.status_code == 200, answer.get_json()
    return nid


def poll(client, headers, etag=None):
    return client.get(
        "/api/v1/player/playlist", headers=headers | ({"If-None-Match": etag} if etag else {})
    )


def item_ids(response):
    return [i["id"] for i in json.loads(response.data)["items"]]


def test_playlist_then_304_with_the_etag(client, people, screens):
    nid = live_notice(client, people)
    first = poll(client, screens["hall"]["headers"])
    assert first.status_code == 200
    assert first.headers["Content-Type"].startswith("application/json")
    assert first.headers["Cache-Control"] == "no-cache"
    playlist = parse_playlist(first.data)
    assert playlist.screen.key == "hall" and [i.notice_id for i in playlist.items] == [nid]
    etag = first.headers["ETag"]
    again = poll(client, screens["hall"]["headers"], etag)
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    assert poll(client, screens["hall"]["headers"], '"stale"').status_code == 200
    assert poll(client, screens["hall"]["headers"], f'W/{etag}, "x"').status_code == 304


def test_withdrawal_shows_at_the_next_poll(client, people, screens):
    nid = live_notice(client, people)
    etag = poll(client, screens["hall"]["headers"]).headers["ETag"]
    client.post(
        f"/api/v1/notices/{nid}/withdraw", headers=people["reviewer_h"], json={"reason": "撤回"}
    )
    get_cache_force_sync(client)
    after = poll(client, screens["hall"]["headers"], etag)
    assert after.status_code == 200 and item_ids(after) == []


def get_cache_force_sync(client):
    from signage.delivery.cache import get_cache

    get_cache(client.application).sync(force=True)


def test_each_screen_gets_only_its_own_playlist(client, people, screens):
    live_notice(client, people, screens=("hall",), title="大厅")
    live_notice(client, people, screens=("lobby",), title="门厅")
    hall = parse_playlist(poll(client, screens["hall"]["headers"]).data)
    lobby = parse_playlist(poll(client, screens["lobby"]["headers"]).data)
    assert [i.title for i in hall.items] == ["大厅"] and hall.screen.key == "hall"
    assert [i.title for i in lobby.items] == ["门厅"] and lobby.screen.key == "lobby"


@pytest.mark.parametrize("header", [None, "Bearer sgs_unknown", "Basic eDp5"])
def test_bad_screen_tokens_are_refused(client, header):
    response = client.get(
        "/api/v1/player/playlist", headers={"Authorization": header} if header else {}
    )
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthenticated"


def test_a_personal_token_is_not_a_screen_token_and_the_reverse(client, people, screens):
    assert poll(client, people["author_h"]).status_code == 401
    assert client.get("/api/v1/notices", headers=screens["hall"]["headers"]).status_code == 401


def test_a_rotated_token_stops_working(client, db_session, screens):
    headers = screens["hall"]["headers"]
    assert poll(client, headers).status_code == 200
    _, new = rotate_screen_token(db_session, None, "hall", now=utcnow())
    db_session.commit()
    get_cache_force_sync(client)
    assert poll(client, headers).status_code == 401
    assert poll(client, {"Authorization": f"Bearer {new}"}).status_code == 200


def png(color):
    buffer = io.BytesIO()
    Image.new("RGB", (32, 16), color).save(buffer, format="PNG")
    return buffer.getvalue()


def test_media_only_for_the_screen_whose_playlist_uses_it(client, db_session, people, screens):
    red, _ = media_services.upload_media(
        db_session, people["author"], png("red"), now=utcnow(), limits=media_services.MediaLimits()
    )
    db_session.commit()
    live_notice(client, people, screens=("hall",), media=red.sha256)
    playlist = parse_playlist(poll(client, screens["hall"]["headers"]).data)
    url = playlist.items[0].media.url
    assert url == f"/api/v1/player/media/{red.sha256}"
    blob = client.get(url, headers=screens["hall"]["headers"])
    assert blob.status_code == 200 and blob.data == png("red")
    assert blob.headers["Content-Type"] == "image/png"
    assert "immutable" in blob.headers["Cache-Control"]
    other = client.get(url, headers=screens["lobby"]["headers"])
    assert other.status_code == 404 and other.get_json()["error"]["code"] == "not_found"
    assert client.get(url).status_code == 401


def test_the_playlist_schema_is_served(client):
    schema = client.get("/api/v1/schemas/playlist.json").get_json()
    assert schema["$id"] == "signage.playlist/1"
    assert client.get("/api/v1/schemas/events.json").get_json() == events_json_schema()
    assert client.get("/api/v1/schemas/heartbeat.json").get_json() == heartbeat_json_schema()


def test_an_unchanged_poll_does_no_database_work(config, people, screens, client):
    app = create_app(config | {"SIGNAGE_PLAYLIST_CHECK_S": 3600.0})
    try:
        poller = app.test_client()
        live_notice(client, people)
        etag = poll(poller, screens["hall"]["headers"]).headers["ETag"]
        statements: list[str] = []
        engine = get_db(app).engine
        sa.event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        for _ in range(20):
            assert poll(poller, screens["hall"]["headers"], etag).status_code == 304
        assert statements == []
    finally:
        get_db(app).engine.dispose()


def test_two_app_instances_sharing_one_database_stay_consistent(config, people, screens, client):
    other = create_app(config | {"SIGNAGE_PLAYLIST_CHECK_S": 0.0})
    try:
        b = other.test_client()
        hall = screens["hall"]["headers"]
        empty = poll(b, hall)
        assert item_ids(empty) == []
        nid = live_notice(client, people)  # through the first instance
        changed = poll(b, hall, empty.headers["ETag"])
        assert changed.status_code == 200 and item_ids(changed) == [f"n{nid}.r1"]
        client.post(
            f"/api/v1/notices/{nid}/withdraw", headers=people["author_h"], json={"reason": "撤回"}
        )
        gone = poll(b, hall, changed.headers["ETag"])
        assert gone.status_code == 200 and item_ids(gone) == []
    finally:
        get_db(other).engine.dispose()


def test_a_cold_cache_answers_the_same_304_through_flask(config, people, screens, client):
    live_notice(client, people)
    etag = poll(client, screens["hall"]["headers"]).headers["ETag"]
    cold = create_app(config)
    try:
        response = poll(cold.test_client(), screens["hall"]["headers"], etag)
        assert response.status_code == 304 and response.headers["ETag"] == etag
        again = poll(cold.test_client(), screens["hall"]["headers"], etag)  # now the shortcut
        assert again.status_code == 304 and again.headers["ETag"] == etag
        assert again.headers["Cache-Control"] == response.headers["Cache-Control"]
    finally:
        get_db(cold).engine.dispose()


def test_the_shortcut_leaves_other_requests_to_flask(client, screens):
    headers = screens["hall"]["headers"]
    etag = poll(client, headers).headers["ETag"]
    # Wrong method, other path, no token: Flask answers, with its usual errors.
    assert (
        client.post(
            "/api/v1/player/playlist", headers=headers | {"If-None-Match": etag}
        ).status_code
        == 405
    )
    assert client.get("/api/v1/player/playlist", headers={"If-None-Match": etag}).status_code == 401
    assert (
        client.get(
            "/api/v1/player/playlist",
            headers={"If-None-Match": etag, "Authorization": "Bearer sgs_other"},
        ).status_code
        == 401
    )
