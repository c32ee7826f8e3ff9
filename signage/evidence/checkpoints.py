"""Signed checkpoints: what every chain held on a day, signed by the controller, kept elsewhere.

Once a day (and on ``signage checkpoint``) the controller states, in one document signed with its
key for the purpose :data:`CHECKPOINT` (:mod:`playlists.signing`):

* the head (length and last hash) of the audit chain, and of each screen's display chain;
* the newest head of each screen's own chain that its player signed, with the signature and the
  player's public key, so anyone can check it without the database; where that chain begins (after
  the events stored before screens signed their record) and the lost-event gaps it jumps over;
* digests of the daily roll-ups, the lost-event gaps and the served-playlist store;
* the hash of the checkpoint before it, so checkpoints form a chain of their own.

A checkpoint in the database protects against nothing its writer cannot also delete; its worth is
in the copies kept elsewhere: ``signage checkpoint export DIR`` (and the reports page) writes each
as ``checkpoint-<n>.json`` (the exact signed bytes) and ``checkpoint-<n>.sig`` (the 64-byte
signature), with the public keys as PEM files in ``keys/``. ``signage verify-logs --checkpoints
DIR`` then checks that every chain still extends every checkpoint (:mod:`signage.evidence.verify`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.orm import Session

from playlists import canonical_json, sha256_hex
from playlists.signing import CHECKPOINT, PublicKey, SignatureError, SigningKey, b64, unb64
from signage.audit.chain import GENESIS
from signage.audit.models import ChainHead, Checkpoint
from signage.audit.services import AUDIT_CHAIN, record
from signage.delivery.models import ServedInputs, ServedPlaylist
from signage.displaylog.models import DisplayEvent, DisplayGap, PlayerHead
from signage.displaylog.records import chain_name
from signage.keys.models import ControllerKey
from signage.keys.services import register
from signage.reports.models import DailyPlay, DailyUptime, RollupMark
from signage.screens.models import PlayerKey, Screen
from signage.times import isoformat_z

SCHEMA = "signage.checkpoint/1"
DIGESTED = {
    "daily_plays": DailyPlay,
    "daily_uptime": DailyUptime,
    "rollup_marks": RollupMark,
    "display_gaps": DisplayGap,
    "served_inputs": ServedInputs,
}


def table_digest(
    session: Session, model: Any, where: Any = None, leave_out: tuple[str, ...] = ()
) -> str:
    """SHA-256 over a table's rows in key order, each as canonical JSON on its own line (but
    for the columns in ``leave_out``)."""
    table = model.__table__
    keys = list(table.primary_key.columns)
    columns = [c for c in table.columns if c.name not in leave_out]
    query = sa.select(*columns).order_by(*keys)
    if where is not None:
        query = query.where(where)
    digest = hashlib.sha256()
    for row in session.execute(query.execution_options(yield_per=5000)):
        values = {
            name: isoformat_z(v) if isinstance(v, dt.datetime) else _plain(v)
            for name, v in row._mapping.items()
        }
        digest.update(canonical_json(values) + b"\n")
    return digest.hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# A send is stamped with its request's start and committed at its end: rows first sent this
# long before a checkpoint are all in when it is made.
SERVED_MARGIN = dt.timedelta(minutes=5)


def served_digest(session: Session, made_at: dt.datetime) -> str:
    """The digest of the served-playlist store as it stood when a checkpoint was made at
    ``made_at``: what was first sent by then (less :data:`SERVED_MARGIN`) must never change;
    only a playlist's last sending moves, when it is sent again."""
    return table_digest(
        session,
        ServedPlaylist,
        ServedPlaylist.served_at <= made_at - SERVED_MARGIN,
        leave_out=("last_sent_at",),
    )


def _heads(session: Session) -> dict[str, tuple[int, str]]:
    return {name: (seq, h) for name, seq, h in session.execute(sa.select(ChainHead.__table__))}


def checkpoint_body(session: Session, *, now: dt.datetime, key_id: str) -> dict[str, Any]:
    """What a checkpoint made now states (see the module)."""
    heads = _heads(session)
    audit_seq, audit_hash = heads.get(AUDIT_CHAIN, (0, GENESIS))
    player_heads = {h.screen_id: h for h in session.scalars(sa.select(PlayerHead))}
    unsigned = {
        screen_id: (count, last)
        for screen_id, count, last in session.execute(
            sa.select(DisplayEvent.screen_id, sa.func.count(), sa.func.max(DisplayEvent.player_seq))
            .where(DisplayEvent.playlist_etag.is_(None))
            .group_by(DisplayEvent.screen_id)
        )
    }
    gaps: dict[int, list[list[int]]] = {}
    for screen_id, first, last in session.execute(
        sa.select(DisplayGap.screen_id, DisplayGap.first_seq, DisplayGap.last_seq).order_by(
            DisplayGap.screen_id, DisplayGap.first_seq
        )
    ):
        gaps.setdefault(screen_id, []).append([first, last])
    keys = {(k.screen_id, k.key_id): k.public_key for k in session.scalars(sa.select(PlayerKey))}
    screens = []
    for screen_id, key in session.execute(sa.select(Screen.id, Screen.key).order_by(Screen.key)):
        seq, head_hash = heads.get(chain_name(screen_id), (0, GENESIS))
        signed = player_heads.get(screen_id)
        count, last = unsigned.get(screen_id, (0, 0))
        screens.append(
            {
                "key": key,
                "id": screen_id,
                "display": {"seq": seq, "hash": head_hash},
                # Events stored before screens signed their record (none are stored since):
                # the screen's own chain begins after them.
                "unsigned": {"count": count, "last_seq": last or 0},
                # Sequence numbers the screen's chain jumps over (lost events), as recorded.
                "gaps": gaps.get(screen_id, []),
                "player": None
                if signed is None
                else {
                    "seq": signed.seq,
                    "hash": signed.hash,
                    "key_id": signed.key_id,
                    "public_key": keys.get((screen_id, signed.key_id)),
                    "signature": signed.signature,
                    "signed_at": isoformat_z(signed.signed_at),
                },
            }
        )
    previous = session.scalars(
        sa.select(Checkpoint).order_by(Checkpoint.id.desc()).limit(1)
    ).first()
    digests = {name: table_digest(session, model) for name, model in DIGESTED.items()}
    digests["served_playlists"] = served_digest(session, now)
    return {
        "schema": SCHEMA,
        "number": (previous.id + 1) if previous is not None else 1,
        "previous": sha256_hex(previous.body.encode()) if previous is not None else GENESIS,
        "made_at": isoformat_z(now),
        "controller_key": key_id,
        "audit": {"seq": audit_seq, "hash": audit_hash},
        "screens": screens,
        "digests": digests,
    }


def make_checkpoint(session: Session, key: SigningKey, *, now: dt.datetime) -> Checkpoint:
    """Sign and store a checkpoint of everything as it stands now; the caller commits."""
    register(session, key, now=now)  # the key that signs must be on record, to check it by
    body = canonical_json(checkpoint_body(session, now=now, key_id=key.key_id))
    number = json.loads(body)["number"]
    row = Checkpoint(
        id=number,
        made_at=now,
        key_id=key.key_id,
        body=body.decode("utf-8"),
        signature=b64(key.sign(CHECKPOINT, body)),
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor=None,
        action="checkpoint.make",
        object_type="checkpoint",
        object_id=number,
        now=now,
        details={"sha256": sha256_hex(body)},
    )
    return row


@dataclass(frozen=True)
class SignedCheckpoint:
    """A checkpoint as read back: its exact bytes, what they say, and the signature."""

    number: int
    body: bytes
    signature: bytes
    source: str  # "database" or the file it came from

    @property
    def content(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.body)
        return value

    def verify(self, keys: dict[str, PublicKey]) -> None:
        """Raise :class:`SignatureError` unless a controller key in ``keys`` signed it."""
        key_id = self.content.get("controller_key")
        key = keys.get(str(key_id))
        if key is None:
            raise SignatureError(
                f"it is signed by key {key_id}, which is no key of this controller"
            )
        key.verify(CHECKPOINT, self.body, self.signature)


def latest_checkpoint(session: Session) -> Checkpoint | None:
    """The newest checkpoint, if any."""
    return session.scalars(sa.select(Checkpoint).order_by(Checkpoint.id.desc()).limit(1)).first()


def stored_checkpoints(session: Session) -> Iterator[SignedCheckpoint]:
    for row in session.scalars(sa.select(Checkpoint).order_by(Checkpoint.id)):
        try:
            signature = unb64(row.signature, "the signature")
        except SignatureError:
            signature = b""
        yield SignedCheckpoint(row.id, row.body.encode("utf-8"), signature, "database")


def controller_keys(session: Session) -> dict[str, PublicKey]:
    rows = session.execute(sa.select(ControllerKey.key_id, ControllerKey.public_key))
    return {key_id: PublicKey.from_text(text, key_id) for key_id, text in rows}


def _pem(key: PublicKey) -> bytes:
    return Ed25519PublicKey.from_public_bytes(key.raw).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def checkpoint_files(session: Session) -> Iterator[tuple[str, bytes]]:
    """Every checkpoint and the public keys that check it, as (file name, bytes): what
    :func:`export_checkpoints` writes and the reports page's download holds."""
    for key_id, key in controller_keys(session).items():
        yield f"keys/controller-{key_id}.pem", _pem(key)
    screens = {i: k for i, k in session.execute(sa.select(Screen.id, Screen.key))}
    for screen_id, text in session.execute(sa.select(PlayerKey.screen_id, PlayerKey.public_key)):
        key = PublicKey.from_text(text)
        yield f"keys/screen-{screens.get(screen_id, screen_id)}-{key.key_id}.pem", _pem(key)
    for checkpoint in stored_checkpoints(session):
        stem = f"checkpoint-{checkpoint.number:06d}"
        yield f"{stem}.json", checkpoint.body
        yield f"{stem}.sig", checkpoint.signature


def export_checkpoints(session: Session, directory: Path) -> list[Path]:
    """Write every checkpoint and the public keys that check it into ``directory``; return the
    checkpoint files newly written (files already there with the same bytes are left alone)."""
    (directory / "keys").mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in checkpoint_files(session):
        path = directory / name
        if path.exists() and path.read_bytes() == data:
            continue
        _write(path, data)
        if name.endswith(".json"):
            written.append(path)
    return written


def checkpoint_archive(session: Session) -> bytes:
    """The same files as one zip archive (the reports page's download)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in checkpoint_files(session):
            archive.writestr(f"checkpoints/{name}", data)
    return buffer.getvalue()


def read_directory(directory: Path) -> tuple[list[SignedCheckpoint], list[str]]:
    """The checkpoints kept in ``directory``, and the problems met reading it."""
    found, problems = [], []
    files = sorted(directory.glob("checkpoint-*.json"))
    if not directory.is_dir():
        problems.append(f"{directory} is not a folder")
    elif not files:
        problems.append(f"{directory} holds no checkpoint-*.json file")
    for path in files:
        sig = path.with_suffix(".sig")
        try:
            body = path.read_bytes()
            number = int(json.loads(body)["number"])
            signature = sig.read_bytes()
        except (OSError, ValueError, KeyError, TypeError) as exc:
            problems.append(
                f"{path.name} cannot be read as a checkpoint ({exc.__class__.__name__})"
            )
            continue
        found.append(SignedCheckpoint(number, body, signature, path.name))
    return found, problems


def directory_keys(directory: Path) -> Iterable[PublicKey]:
    """The controller keys kept beside exported checkpoints."""
    for path in sorted((directory / "keys").glob("controller-*.pem")):
        try:
            loaded = serialization.load_pem_public_key(path.read_bytes())
        except (OSError, ValueError):
            continue
        if isinstance(loaded, Ed25519PublicKey):
            yield PublicKey.from_raw(
                loaded.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            )
