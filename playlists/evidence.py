"""The screen's own record: its display chain, and the head its player signs (protocol v1).

Each player keeps one hash chain of every display event it logs, in sequence order. An event
carries ``prev``, the hash of the event before it on that screen (:data:`GENESIS` for the
first); its own hash is ``sha256(canonical_json(record))`` over the fields of
:data:`RECORD_FIELDS`, with ``started_at`` written in UTC as :func:`playlists.iso` writes it
(:func:`chain_record`). Changing, dropping or inserting any event therefore changes the hash of
every event after it.

With every upload the player signs the chain's head after the batch's last event with its own
Ed25519 key (:func:`sign_head`): the statement is ``{"schema": "signage.display-chain/1",
"seq": N, "hash": H}`` in canonical JSON, signed for the purpose :data:`DISPLAY_CHAIN`
(:mod:`playlists.signing`). The controller keeps the signed heads; whoever holds the database but
not the screen's key cannot add, drop or change a play without the signature showing it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import ConfigDict, Field, StringConstraints, with_config
from typing_extensions import TypedDict

from playlists.canonical import canonical_json, sha256_hex
from playlists.document import iso
from playlists.signing import KEY_ID, PublicKey, SignatureError, SigningKey, b64, unb64

DISPLAY_CHAIN = "signage.display-chain/1"
GENESIS = "0" * 64
HASH_PATTERN = r"^[0-9a-f]{64}$"
# A playlist's ETag as an event names it: the header's value without its quotes.
ETAG_PATTERN = r"^[0-9a-f]{32}-[0-9a-f]{16}$"
ETAG = re.compile(ETAG_PATTERN)
RECORD_FIELDS = (
    "id",
    "seq",
    "item_id",
    "notice_id",
    "revision",
    "content_sha256",
    "started_at",
    "duration_ms",
    "outcome",
    "playlist_etag",
    "prev",
)


def etag_of(header: str | None) -> str:
    """The ETag an event names for a playlist served with ETag ``header`` (quotes dropped)."""
    return (header or "").strip().removeprefix("W/").strip('"')


def utc_text(started_at: str) -> str:
    """``started_at`` (ISO-8601 with an offset) as the chain hashes it: UTC, as :func:`iso`
    writes it. Text that is no such time is hashed as it is."""
    try:
        value = dt.datetime.fromisoformat(started_at)
    except (TypeError, ValueError):
        return started_at
    if value.tzinfo is None:
        return started_at
    try:
        return iso(value)
    except OverflowError:
        return started_at


def _plain(text: str) -> bool:
    """True when ``text`` goes into canonical JSON as it is (nothing to escape)."""
    return text.isascii() and text.isprintable() and '"' not in text and "\\" not in text


def chain_record(event: Mapping[str, Any], started_z: str | None = None) -> bytes:
    """The bytes an event's chain hash covers: :data:`RECORD_FIELDS` it has, canonical JSON.

    ``started_z`` is ``started_at`` already in UTC text, when the caller has it. An event as
    players send it (every field, plain text) is written out directly: the general encoder
    costs more than the rest of a controller's check of the link. A property test holds the
    two ways equal.
    """
    strings: tuple[Any, ...] = ()
    try:
        seq, notice_id, revision = event["seq"], event["notice_id"], event["revision"]
        duration_ms = event["duration_ms"]
        strings = (
            event["id"],
            event["item_id"],
            event["content_sha256"],
            event["outcome"],
            event["playlist_etag"],
            event["prev"],
            started_z or utc_text(event["started_at"]),
        )
    except (KeyError, TypeError):
        pass
    try:
        plain = bool(strings) and _plain("".join(strings))
    except TypeError:
        plain = False
    if (
        plain
        and len(event) == len(RECORD_FIELDS)
        and type(seq) is int
        and type(notice_id) is int
        and type(revision) is int
        and type(duration_ms) is int
    ):
        event_id, item, digest, outcome, etag, prev, start = strings
        return (
            f'{{"content_sha256":"{digest}","duration_ms":{duration_ms},"id":"{event_id}",'
            f'"item_id":"{item}","notice_id":{notice_id},"outcome":"{outcome}",'
            f'"playlist_etag":"{etag}","prev":"{prev}","revision":{revision},"seq":{seq},'
            f'"started_at":"{start}"}}'
        ).encode()
    record = {name: event[name] for name in RECORD_FIELDS if name in event}
    if "started_at" in record:
        start = record["started_at"]
        record["started_at"] = started_z or (utc_text(start) if isinstance(start, str) else start)
    return canonical_json(record)


def event_hash(event: Mapping[str, Any], started_z: str | None = None) -> str:
    """An event's place in its screen's chain: the hash of :func:`chain_record`."""
    return sha256_hex(chain_record(event, started_z))


@with_config(ConfigDict(strict=True))
class SignedHead(TypedDict):
    """A chain head as a player signs it, sent with each batch of events."""

    seq: Annotated[int, Field(ge=0, le=2**62)]
    hash: Annotated[str, StringConstraints(pattern=HASH_PATTERN)]
    key_id: Annotated[str, StringConstraints(pattern=KEY_ID.pattern)]
    signature: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{86}$")]


def head_statement(seq: int, head_hash: str) -> bytes:
    """The bytes a player signs: the head of its chain after event ``seq``."""
    return canonical_json({"schema": DISPLAY_CHAIN, "seq": seq, "hash": head_hash})


def sign_head(key: SigningKey, seq: int, head_hash: str) -> SignedHead:
    """The signed head of a chain whose last event is ``seq`` with hash ``head_hash``."""
    signature = key.sign(DISPLAY_CHAIN, head_statement(seq, head_hash))
    return {"seq": seq, "hash": head_hash, "key_id": key.key_id, "signature": b64(signature)}


def verify_head(key: PublicKey, head: Mapping[str, Any]) -> tuple[int, str]:
    """The (seq, hash) ``head`` states, if it is ``key``'s signature; else
    :class:`SignatureError` saying why."""
    try:
        seq, head_hash, key_id, signature = (
            head["seq"],
            head["hash"],
            head["key_id"],
            head["signature"],
        )
    except (KeyError, TypeError):
        raise SignatureError("the batch's signed head lacks a field") from None
    if type(seq) is not int or not isinstance(head_hash, str) or not isinstance(signature, str):
        raise SignatureError("the batch's signed head is malformed")
    if key_id != key.key_id:
        raise SignatureError(
            f"the batch is signed by key {key_id!s:.16}, not the screen's key {key.key_id}"
        )
    raw = unb64(signature, "the batch's signature")
    if len(raw) != 64:
        raise SignatureError("the batch's signature is not 64 bytes")
    key.verify(DISPLAY_CHAIN, head_statement(seq, head_hash), raw)
    return seq, head_hash


class PlayerKeyRegistration(TypedDict):
    """The body of ``POST /api/v1/player/key``: the player's own public key."""

    public_key: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{43}$")]


class PlayerKeyAnswer(TypedDict):
    key_id: str
    registered: bool  # True: registered now; False: it was the screen's key already
