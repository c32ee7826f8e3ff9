"""What a stored display event's hash covers, and the hash chain it belongs to.

Each screen's display log is one hash chain (``chain_heads`` row ``display:<screen id>``):
``hash = sha256(prev_hash + canonical_json(record))``, where the record is
:func:`hashed_record` of the stored event. Ingest writes the chain and ``signage verify-logs``
recomputes it, both with :func:`record_json`.
"""

from __future__ import annotations

from typing import Any

from playlists import canonical_json
from signage.displaylog.models import DisplayEvent
from signage.times import isoformat_z

DISPLAY_CHAIN_PREFIX = "display:"


def chain_name(screen_id: int) -> str:
    """The name of a screen's display-log chain."""
    return f"{DISPLAY_CHAIN_PREFIX}{screen_id}"


HASHED = (
    "screen_id",
    "chain_seq",
    "player_seq",
    "event_id",
    "item_id",
    "notice_id",
    "revision",
    "content_sha256",
    "started_at",
    "duration_ms",
    "outcome",
    "received_at",
)


def hashed_record(e: DisplayEvent | dict[str, Any]) -> dict[str, Any]:
    """The fields of a stored event that its hash covers (from a row or its column values).

    This is the definition; :func:`record_json` is its canonical JSON, written out by hand.
    """
    values = e if isinstance(e, dict) else {name: getattr(e, name) for name in HASHED}
    record = {name: values[name] for name in HASHED}
    record["started_at"] = isoformat_z(values["started_at"])
    record["received_at"] = isoformat_z(values["received_at"])
    return record


def is_plain(text: str) -> bool:
    """True when ``text`` goes into canonical JSON as it is (nothing to escape)."""
    return text.isascii() and text.isprintable() and '"' not in text and "\\" not in text


def record_json(
    e: DisplayEvent | dict[str, Any], started_z: str | None = None, received_z: str | None = None
) -> bytes:
    """``canonical_json(hashed_record(e))``, built directly: the general encoder (sorting keys,
    checking types) was the largest single cost of ingest. A property test holds the two equal.

    ``started_z``/``received_z`` are the times already formatted by :func:`isoformat_z`, when the
    caller has them.
    """
    get = e.__getitem__ if isinstance(e, dict) else e.__getattribute__
    strings = (get("event_id"), get("content_sha256"), get("item_id"), get("outcome"))
    if not is_plain("".join(strings)):  # something to escape: the general encoder
        return canonical_json(hashed_record(e))
    return record_text(
        get("screen_id"),
        get("chain_seq"),
        get("player_seq"),
        *strings[:3],
        get("notice_id"),
        get("revision"),
        started_z or isoformat_z(get("started_at")),
        get("duration_ms"),
        strings[3],
        received_z or isoformat_z(get("received_at")),
    ).encode()


def record_text(
    screen_id: int,
    chain_seq: int,
    player_seq: int,
    event_id: str,
    content_sha256: str,
    item_id: str,
    notice_id: int,
    revision: int,
    started_z: str,
    duration_ms: int,
    outcome: str,
    received_z: str,
) -> str:
    """The canonical JSON of a hashed record whose strings need no escaping (:func:`is_plain`)."""
    return (
        f'{{"chain_seq":{chain_seq},"content_sha256":"{content_sha256}",'
        f'"duration_ms":{duration_ms},"event_id":"{event_id}","item_id":"{item_id}",'
        f'"notice_id":{notice_id},"outcome":"{outcome}",'
        f'"player_seq":{player_seq},"received_at":"{received_z}",'
        f'"revision":{revision},"screen_id":{screen_id},"started_at":"{started_z}"}}'
    )
