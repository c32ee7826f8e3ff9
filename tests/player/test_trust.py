"""A player shows only what the controller signed: a changed playlist, a missing signature, a
signature by another key or a key from nowhere is never shown; the last good playlist keeps
playing and the next heartbeat tells the controller, whose screen page and dashboard show it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from player.errors import ConfigError, ControllerError
from player.provision import read_provision
from player.refusals import MAX_REASON, Refusals
from player.trust import Trust
from playlists import PlayerState, canonical_json
from playlists.heartbeat import HEARTBEAT, Heartbeat
from playlists.provision import PROVISION_SCHEMA
from playlists.signing import HEADER, SigningKey, signature_header
from signage.clock import utcnow
from signage.health.models import PlaylistRefusal
from signage.keys.services import ensure_key_file, key_file, prepare_key, rotate_key
from signage.screens.services import create_screen
from tests.player.test_player import make_player, publish


def tamper(adapter, change):
    """Make the transport rewrite every playlist answer with ``change(body, headers)``."""
    send = adapter.send

    def rewriting(request, **kwargs):
        response = send(request, **kwargs)
        if request.path_url.startswith("/api/v1/player/playlist") and response.status_code == 200:
            response._content, headers = change(response.content, dict(response.headers))
            response.headers.clear()
            response.headers.update(headers)
        return response

    adapter.send = rewriting


def changed_title(body, headers):
    doc = json.loads(body)
    doc["items"][0]["title"] = "不是审核通过的内容"
    return json.dumps(doc, ensure_ascii=False).encode(), headers | {"ETag": '"forged"'}


def added_item(body, headers):
    doc = json.loads(body)
    extra = dict(doc["items"][0], id="n999.r1", notice_id=999, title="插入的内容")
    doc["items"].append(extra)
    return json.dumps(doc, ensure_ascii=False).encode(), headers | {"ETag": '"forged"'}


def no_signature(body, headers):
    headers.pop(HEADER, None)
    return body.replace("冬季".encode(), "夏季".encode()), headers | {"ETag": '"forged"'}


STRANGER = SigningKey.generate()  # a key from nowhere


def other_key(body, headers):
    forged = body.replace("冬季".encode(), "夏季".encode())
    return forged, headers | {
        HEADER: signature_header(STRANGER, forged),
        "ETag": '"forged"',
    }


def first_good_then(setup, fonts, change):
    publish(setup)
    player, adapter, _ = make_player(setup, fonts)
    assert player.poll_once() is True
    good = player.store.playlist
    publish(setup, title="第二条通知")  # the playlist changes; the forger rewrites it
    setup["app"].extensions["signage.playlists"].sync(force=True)
    tamper(adapter, change)
    return player, good


@pytest.mark.parametrize("change", [changed_title, added_item, no_signature, other_key])
def test_a_playlist_changed_on_the_way_is_never_shown(setup, fonts, db_session, change):
    player, good = first_good_then(setup, fonts, change)
    assert player.poll_once() is False
    assert player.store.playlist == good  # the last good one keeps playing
    player.show_once(PlayerState())
    (event,) = player.spool.pending()
    assert event["item_id"] in {i.id for i in good.items}
    assert player.refusals.total == 1 and len(player.refusals.lines) == 1
    player.poll_once()  # refused again: counted, told once
    assert player.refusals.total == 2 and len(player.refusals.lines) == 1
    player.heartbeat_once()
    assert not player.refusals.lines
    (row,) = db_session.scalars(sa.select(PlaylistRefusal)).all()
    assert "bad signature" in row.text


def test_a_rotation_is_followed_and_a_key_from_nowhere_refused(setup, fonts, db_session):
    app = setup["app"]
    path = key_file(app.config)
    prepare_key(db_session, path, now=utcnow())
    db_session.commit()
    publish(setup)
    player, adapter, _ = make_player(setup, fonts)
    assert player.poll_once() is True
    first = player.trust.key_id
    statement = rotate_key(db_session, None, path, now=utcnow())
    app.extensions["signage.playlists"].sync(force=True)
    assert player.poll_once() is True  # the same playlist, signed by the new key
    assert player.trust.key_id == statement.new.key_id != first
    assert json.loads((player.config.cache_dir / "trust.json").read_text())["key_id"] == (
        statement.new.key_id
    )
    # The old key is no longer trusted: a playlist it signs is refused.
    tamper(adapter, other_key)
    publish(setup, title="再一条通知")
    app.extensions["signage.playlists"].sync(force=True)
    assert player.poll_once() is False and "no rotation" in player.refusals.lines[-1]


def test_a_cached_playlist_changed_on_disk_is_not_played_at_start(setup, fonts):
    publish(setup)
    player, _, _ = make_player(setup, fonts, name="disk")
    player.poll_once()
    cached = player.config.cache_dir / "playlist.json"
    cached.write_bytes(cached.read_bytes().replace("冬季".encode(), "夏季".encode()))
    again, adapter, _ = make_player(setup, fonts, name="disk")
    adapter.down = True
    assert again.store.load(again.trust.check_cached) is None
    untouched, _, _ = make_player(setup, fonts, name="other")
    untouched.poll_once()
    assert untouched.store.load(untouched.trust.check_cached) is not None


def test_a_provisioned_key_is_trusted_from_the_start(setup, fonts, db_session, tmp_path):
    path = key_file(setup["app"].config)
    key, _ = prepare_key(db_session, path, now=utcnow())
    db_session.commit()
    stranger = SigningKey.generate()
    trust = Trust(tmp_path / "trust.json", stranger.public)
    publish(setup)
    player, _, _ = make_player(setup, fonts)
    player.trust = trust  # provisioned with a key the controller does not have
    assert player.poll_once() is False and "no rotation" in player.refusals.lines[-1]
    player.trust = Trust(tmp_path / "trust2.json", key.public)
    assert player.poll_once() is True


def provision(tmp_path: Path, mode: int = 0o600, **change) -> Path:
    key = SigningKey.generate()
    document = {
        "schema": PROVISION_SCHEMA,
        "controller": "http://127.0.0.1:8080",
        "screen": "hall-2",
        "token": "sgs_x",
        "current_key": key.key_id,
        "keys": [key.public.to_json()],
    } | change
    path = tmp_path / "hall-2.json"
    path.write_text(json.dumps(document))
    os.chmod(path, mode)
    return path


def test_a_good_provisioning_file_is_read(tmp_path):
    read = read_provision(provision(tmp_path))
    assert read.controller == "http://127.0.0.1:8080" and read.token == "sgs_x"


@pytest.mark.parametrize(
    ("mode", "change", "reason"),
    [
        (0o644, {}, "may be read by others"),
        (0o600, {"schema": "x"}, "not a signage.provision/1 file"),
        (0o600, {"token": ""}, "lacks token"),
        (0o600, {"controller": "ftp://x"}, r"http\(s\) URL"),
        (0o600, {"current_key": "0123456789abcdef"}, "does not hold its current key"),
        (0o600, {"keys": "none"}, "lacks keys"),
    ],
)
def test_a_bad_provisioning_file_is_a_one_line_reason(tmp_path, mode, change, reason):
    with pytest.raises(ConfigError, match=reason) as caught:
        read_provision(provision(tmp_path, mode, **change))
    assert "\n" not in str(caught.value)


def test_an_unreadable_provisioning_file_is_a_one_line_reason(tmp_path):
    with pytest.raises(ConfigError, match="cannot be read"):
        read_provision(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{")
    os.chmod(tmp_path / "bad.json", 0o600)
    with pytest.raises(ConfigError, match="not JSON"):
        read_provision(tmp_path / "bad.json")


def test_a_signed_item_whose_text_is_not_the_approved_text_is_refused(setup, fonts):
    """Were the controller itself to sign an item whose text is not what was approved (it
    checks before signing), the player would still refuse it by its content hash."""
    key, _ = ensure_key_file(key_file(setup["app"].config))

    def re_signed(body, headers):
        doc = json.loads(body)
        doc["items"][-1]["body"] = "未经审核的正文"
        forged = canonical_json(doc)
        return forged, headers | {HEADER: signature_header(key, forged), "ETag": '"forged"'}

    player, good = first_good_then(setup, fonts, re_signed)
    assert player.poll_once() is False and player.store.playlist == good
    assert "content not approved" in player.refusals.lines[-1]


def test_another_screens_signed_playlist_is_refused(setup, fonts, db_session):
    _, lobby_token = create_screen(
        db_session, None, key="lobby", name="门厅", width=64, height=16, now=utcnow()
    )
    db_session.commit()
    client = setup["client"]

    def lobbys(body, headers):
        answer = client.get(
            "/api/v1/player/playlist", headers={"Authorization": f"Bearer {lobby_token}"}
        )
        return answer.data, headers | {HEADER: answer.headers[HEADER], "ETag": '"lobby"'}

    player, good = first_good_then(setup, fonts, lobbys)
    assert player.trust.screen == "hall"
    assert player.poll_once() is False and player.store.playlist == good
    assert "for screen 'lobby', not this one" in player.refusals.lines[-1]


def test_an_older_signed_playlist_is_refused_as_a_replay(setup, fonts):
    key, _ = ensure_key_file(key_file(setup["app"].config))

    def older(body, headers):
        doc = json.loads(body)
        doc["generated_at"] = "2026-01-01T00:00:00Z"
        forged = canonical_json(doc)
        return forged, headers | {HEADER: signature_header(key, forged), "ETag": '"old"'}

    player, good = first_good_then(setup, fonts, older)
    assert player.poll_once() is False and player.store.playlist == good
    assert "older than the one playing" in player.refusals.lines[-1]


def test_a_damaged_trust_file_trusts_nothing(setup, fonts):
    publish(setup)
    player, _, _ = make_player(setup, fonts, name="damaged")
    assert player.poll_once() is True
    (player.config.cache_dir / "trust.json").write_text("{not json")
    again, _, _ = make_player(setup, fonts, name="damaged")
    publish(setup, title="新通知")
    setup["app"].extensions["signage.playlists"].sync(force=True)
    again.store.load(again.trust.check_cached)
    assert again.poll_once() is False and "damaged" in again.refusals.lines[-1]


def test_a_refusal_reason_from_a_hostile_answer_is_one_short_printable_line():
    refusals = Refusals()
    refusals.add('"x"', "bad signature: " + "\x00\n" * 3000 + "k" * 5000, "2026-12-01T00:00:00Z")
    (line,) = refusals.lines
    assert len(line) <= MAX_REASON + 30 and line.isprintable()
    HEARTBEAT.validate_python(Heartbeat(refused=refusals.to_send()))


def test_a_heartbeat_the_controller_refuses_does_not_stop_the_polling(setup, fonts):
    player, _, _ = make_player(setup, fonts, name="beat")
    player.refusals.add('"x"', "bad signature: test", "2026-12-01T00:00:00Z")

    def refused(status):
        raise ControllerError("POST /player/heartbeat: HTTP 422", 422)

    player.client.heartbeat = refused  # type: ignore[method-assign]
    player._beat()  # no exception: the poll loop goes on
    assert not player.refusals.lines and "refused a heartbeat" in player.errors[-1]
