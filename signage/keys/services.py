"""The controller's signing key: its file, its place in the key chain, its rotation.

The private key is a PEM file, ``SIGNAGE_SIGNING_KEY_FILE`` or ``signing-key.pem`` in the data
folder, created (0600) by ``signage init`` or at first use. Every controller process that serves
playlists reads the same file. The public keys, and the statement each new key came with, are in
the database (:class:`ControllerKey`), so every process and every player sees one chain.

``signage key rotate`` makes a new key, has the old one sign the statement that the new one
replaces it, records both, and only then puts the new key in the file (written beside it as
``….new`` first: a crash between the two is completed at the next start). Every playlist is
signed again with the new key within the processes' playlist check interval.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from playlists.signing import Rotation, SignatureError, SigningKey, rotate
from signage.accounts.models import Role, User
from signage.accounts.permissions import require_role
from signage.audit.services import record
from signage.db import Database
from signage.errors import Conflict, ServiceError
from signage.keys.models import ControllerKey
from signage.screens.epoch import bump_playlists
from signage.screens.models import Screen
from signage.times import isoformat_z

KEY_FILE_NAME = "signing-key.pem"


class KeyProblem(ServiceError):
    """The signing key cannot be used: the controller must not sign with it."""

    status = 503
    code = "signing_key"


def key_file(config: dict[str, Any]) -> Path:
    """Where the controller's private key lives."""
    named = config.get("SIGNAGE_SIGNING_KEY_FILE") or ""
    return Path(named) if named else Path(config["SIGNAGE_DATA_DIR"]) / KEY_FILE_NAME


def _pending(path: Path) -> Path:
    return path.with_name(path.name + ".new")


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file ``path`` that only the owner may read."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def read_key(path: Path) -> SigningKey:
    """The key in ``path``; :class:`KeyProblem` if it is unreadable, loose or not a key."""
    try:
        mode = path.stat().st_mode
        if os.name == "posix" and mode & 0o077:
            raise KeyProblem(
                "the signing key %(path)s may be read by others (mode %(mode)s); chmod 600 it",
                path=path,
                mode=format(mode & 511, "o"),
            )
        return SigningKey.from_pem(path.read_bytes())
    except OSError as exc:
        raise KeyProblem(
            "the signing key %(path)s cannot be read: %(strerror)s",
            path=path,
            strerror=exc.strerror,
        ) from None
    except SignatureError as exc:
        raise KeyProblem("the signing key %(path)s: %(exc)s", path=path, exc=exc) from None


def ensure_key_file(path: Path) -> tuple[SigningKey, bool]:
    """The key in ``path``, made first if there is none; and whether it was made now."""
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            _write_private(path, SigningKey.generate().to_pem())
        except FileExistsError:  # a concurrent first start made it: use that one
            return read_key(path), False
        return read_key(path), True
    return read_key(path), False


def current_key(session: Session) -> ControllerKey | None:
    return session.scalar(sa.select(ControllerKey).where(ControllerKey.replaced_at.is_(None)))


def register(session: Session, key: SigningKey, *, now: dt.datetime) -> None:
    """Make sure ``key`` is the chain's current key: the first key is recorded as it is met;
    any other key must have come through :func:`rotate_key`."""
    current = current_key(session)
    if current is None:
        session.add(ControllerKey(key_id=key.key_id, public_key=key.public.text, created_at=now))
        session.flush()
        return
    if current.key_id != key.key_id:
        raise KeyProblem(
            "the signing key file holds key %(key_id)s, but the controller's current key is "
            "%(current)s: every controller process must read the same key file",
            key_id=key.key_id,
            current=current.key_id,
        )


def key_chain(session: Session) -> tuple[list[ControllerKey], list[Rotation]]:
    """Every key, oldest first, and the rotation statements between them."""
    keys = list(session.scalars(sa.select(ControllerKey).order_by(ControllerKey.created_at)))
    rotations = [Rotation.from_json(json.loads(k.rotation)) for k in keys if k.rotation]
    return keys, rotations


def rotate_key(session: Session, actor: User | None, path: Path, *, now: dt.datetime) -> Rotation:
    """Replace the key in ``path`` with a new one, stated by the old; commit and return it."""
    if actor is not None:
        require_role(actor, Role.ADMIN)
    old = read_key(path)
    register(session, old, now=now)
    pending = _pending(path)
    if pending.exists():
        raise Conflict(
            "%(pending)s is left from a rotation that did not finish: if 'signage key show' "
            "lists its key as current, start the controller once (it completes it); if not, "
            "remove the file",
            pending=pending,
        )
    new = SigningKey.generate()
    statement = rotate(old, new, isoformat_z(now))
    _write_private(pending, new.to_pem())
    try:
        # Replace the old key only if it is still the current one: of two rotations at once,
        # one wins and the other is refused, so the chain never forks.
        replaced = session.execute(
            sa.update(ControllerKey)
            .where(ControllerKey.key_id == old.key_id, ControllerKey.replaced_at.is_(None))
            .values(replaced_at=now)
        )
        if replaced.rowcount != 1:
            raise Conflict("another rotation replaced this key meanwhile; run it again")
        session.add(
            ControllerKey(
                key_id=new.key_id,
                public_key=new.public.text,
                created_at=now,
                rotation=json.dumps(statement.to_json(), sort_keys=True),
            )
        )
        record(
            session,
            actor=actor,
            action="key.rotate",
            object_type="controller_key",
            object_id=new.key_id,
            now=now,
            details={"replaces": old.key_id},
        )
        bump_playlists(session, session.scalars(sa.select(Screen.id)))
        session.commit()
    except BaseException:
        session.rollback()
        pending.unlink(missing_ok=True)
        raise
    os.replace(pending, path)
    # Playlists compiled between the commit and the new file were signed with the old key:
    # every process drops them and signs again with the new one.
    bump_playlists(session, session.scalars(sa.select(Screen.id)))
    session.commit()
    return statement


def prepare_key(session: Session, path: Path, *, now: dt.datetime) -> tuple[SigningKey, bool]:
    """Make the key file if there is none, complete a rotation left half done, and record the
    key as the chain's first if the chain is empty (``signage init``, ``signage serve``)."""
    finish_rotation(session, path)
    key, made = ensure_key_file(path)
    register(session, key, now=now)
    return key, made


def finish_rotation(session: Session, path: Path) -> bool:
    """Complete a rotation whose new key is recorded but still waits beside the key file."""
    pending = _pending(path)
    if not pending.exists():
        return False
    current = current_key(session)
    waiting = read_key(pending)
    if current is not None and current.key_id == waiting.key_id:
        os.replace(pending, path)
        return True
    # Not recorded: a rotation still running in another process, or one that failed before
    # its commit. Either way it is not ours to remove; `signage key rotate` says what to do.
    return False


class KeyHolder:
    """A process's signing key, read from its file and checked against the chain once, and
    again whenever the file changes (a rotation by another process). Used when a playlist is
    compiled, never on an unchanged poll. It only reads the database: the key is recorded by
    ``signage init`` and ``signage serve`` (:func:`register`) and by a rotation."""

    def __init__(self, database: Database, path: Path) -> None:
        self._db = database
        self._path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int, int] | None = None
        self._key: SigningKey | None = None

    def _file_stamp(self) -> tuple[int, int, int] | None:
        try:
            st = self._path.stat()
        except OSError:
            return None
        return st.st_ino, st.st_mtime_ns, st.st_size

    def key(self) -> SigningKey:
        """The key to sign with; :class:`KeyProblem` if the file's key is not the chain's."""
        stamp = self._file_stamp()
        if self._key is not None and stamp == self._stamp:
            return self._key
        with self._lock:
            stamp = self._file_stamp()  # before reading: a file replaced meanwhile is read again
            key, _ = ensure_key_file(self._path)
            with self._db.session() as session:
                current = current_key(session)
                if current is not None and current.key_id != key.key_id:
                    raise KeyProblem(
                        "the signing key file holds key %(key_id)s, but the controller's current "
                        "key is %(current)s: every controller process must read the same key file",
                        key_id=key.key_id,
                        current=current.key_id,
                    )
            self._key, self._stamp = key, stamp
            return key


def get_keys(app: object) -> KeyHolder:
    """Return the app's signing key holder."""
    holder: KeyHolder = app.extensions["signage.keys"]  # type: ignore[attr-defined]
    return holder
