"""The controller's signing key: made by init, signing every playlist, rotated with a statement
the old key signs, and refused when it cannot be trusted."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from playlists.signing import (
    HEADER,
    PublicKey,
    Rotation,
    SigningKey,
    follow,
    parse_signature_header,
    verify_playlist,
)
from signage.clock import utcnow
from signage.keys.services import (
    KeyProblem,
    ensure_key_file,
    key_file,
    prepare_key,
    read_key,
    rotate_key,
)
from signage.screens.services import create_screen


@pytest.fixture
def hall(db_session):
    _, token = create_screen(
        db_session, None, key="hall", name="大厅", width=128, height=32, now=utcnow()
    )
    db_session.commit()
    return {"Authorization": f"Bearer {token}"}


def chain(client) -> tuple[PublicKey, list[Rotation], dict]:
    answer = client.get("/api/v1/keys").get_json()
    keys = {k["key_id"]: PublicKey.from_text(k["public_key"], k["key_id"]) for k in answer["keys"]}
    rotations = [Rotation.from_json(r) for r in answer["rotations"]]
    return keys[answer["current"]], rotations, answer


def test_init_makes_the_key_for_the_owner_alone_and_records_it(run, app, client):
    result = run("init")
    assert result.exit_code == 0, result.output
    path = key_file(app.config)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    made = read_key(path)
    assert f"signing key {made.key_id} created" in result.output
    current, rotations, answer = chain(client)
    assert current.key_id == made.key_id and rotations == []
    assert answer["keys"][0]["created_at"] and answer["keys"][0]["replaced_at"] is None
    again = run("init")
    assert f"signing key {made.key_id}\n" in again.output  # kept, not made again


def test_every_playlist_is_signed_and_the_unchanged_poll_stays_a_bare_304(client, hall):
    answer = client.get("/api/v1/player/playlist", headers=hall)
    current, _, _ = chain(client)
    verify_playlist(current, answer.data, answer.headers[HEADER])
    unchanged = client.get(
        "/api/v1/player/playlist", headers=hall | {"If-None-Match": answer.headers["ETag"]}
    )
    assert unchanged.status_code == 304 and HEADER not in unchanged.headers


def test_a_rotation_is_stated_by_the_old_key_and_followed(run, app, client, hall):
    assert run("init").exit_code == 0
    first, _, _ = chain(client)
    result = run("key", "rotate")
    assert result.exit_code == 0, result.output
    current, rotations, answer = chain(client)
    assert current != first and [k["key_id"] for k in answer["keys"]] == [
        first.key_id,
        current.key_id,
    ]
    assert follow(first, rotations) == current
    assert read_key(key_file(app.config)).key_id == current.key_id
    app.extensions["signage.playlists"].sync(force=True)
    served = client.get("/api/v1/player/playlist", headers=hall)
    key_id, _ = parse_signature_header(served.headers[HEADER])
    assert key_id == current.key_id
    verify_playlist(current, served.data, served.headers[HEADER])
    shown = run("key", "show")
    assert first.key_id in shown.output and f"{current.key_id}  " in shown.output


def test_a_key_file_others_may_read_is_refused(run, app, tmp_path):
    path = key_file(app.config)
    ensure_key_file(path)
    path.chmod(0o644)
    result = run("init")
    assert result.exit_code != 0 and "may be read by others" in result.output


def test_a_key_file_that_is_not_the_chains_current_key_signs_nothing(run, app, client, hall):
    assert run("init").exit_code == 0
    path = key_file(app.config)
    path.unlink()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, SigningKey.generate().to_pem())
    os.close(fd)
    answer = client.get("/api/v1/player/playlist", headers=hall)
    assert answer.status_code == 503
    assert answer.get_json()["error"]["code"] == "signing_key"
    assert (
        "every controller process must read the same key file"
        in answer.get_json()["error"]["message"]
    )


def test_a_rotation_cut_short_is_completed_at_the_next_start(app, db_session, tmp_path):
    path = key_file(app.config)
    prepare_key(db_session, path, now=utcnow())
    db_session.commit()
    # Left as a crash between recording the new key and renaming its file would leave it.

    statement = rotate_key(db_session, None, path, now=utcnow())
    os.replace(path, Path(str(path) + ".new"))
    old = SigningKey.generate()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, old.to_pem())
    os.close(fd)
    key, _ = prepare_key(db_session, path, now=utcnow())
    assert key.key_id == statement.new.key_id
    assert not Path(str(path) + ".new").exists()


def test_a_bad_key_file_is_a_one_line_reason(app, tmp_path):
    path = tmp_path / "bad.pem"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, b"not a key")
    os.close(fd)
    with pytest.raises(KeyProblem, match=r"bad\.pem: not a PEM private key"):
        read_key(path)


def test_a_pending_key_no_rotation_recorded_is_left_for_the_operator(app, db_session, run):
    path = key_file(app.config)
    prepare_key(db_session, path, now=utcnow())
    db_session.commit()
    pending = Path(str(path) + ".new")
    fd = os.open(pending, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, SigningKey.generate().to_pem())
    os.close(fd)
    prepare_key(db_session, path, now=utcnow())  # another process may be rotating: not ours
    assert pending.exists()
    result = run("key", "rotate")
    assert result.exit_code != 0 and "left from a rotation that did not finish" in result.output
