"""Which signed checkpoint covers a record: the first one made after the record was stored.

A checkpoint states the head of every chain when it was made (:mod:`signage.evidence`), so a
display event is covered by the first checkpoint made after it was received, if that checkpoint
holds the screen's chain at least up to the event's place.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from playlists import sha256_hex
from signage.audit.models import Checkpoint


@dataclass(frozen=True)
class CheckpointCover:
    """The checkpoint that covers a screen's record, and what it says of that screen."""

    number: int
    made_at: dt.datetime
    sha256: str  # of the checkpoint's signed bytes (the exported checkpoint-<n>.json)
    controller_key: str  # the key id that signed it
    display_seq: int  # the screen's display chain held this many records then
    player_seq: int | None  # the screen's own chain, as its player had signed it then
    player_key: str | None  # that player's key id ...
    player_public_key: str | None  # ... and its public key (base64url)
    controller_public_key: str | None = None  # the signing key's public key, where known


def covering(
    session: Session, screen_key: str, chain_seq: int, received_at: dt.datetime
) -> CheckpointCover | None:
    """The checkpoint covering the record ``chain_seq`` of ``screen_key``'s display chain,
    received at ``received_at``; None while no checkpoint has been made since."""
    row = session.scalars(
        sa.select(Checkpoint)
        .where(Checkpoint.made_at >= received_at)
        .order_by(Checkpoint.made_at, Checkpoint.id)
        .limit(1)
    ).first()
    if row is None:
        return None
    content = json.loads(row.body)
    screen = next((s for s in content.get("screens", []) if s.get("key") == screen_key), None)
    if screen is None or int(screen["display"]["seq"]) < chain_seq:
        return None
    player = screen.get("player") or {}
    return CheckpointCover(
        number=row.id,
        made_at=row.made_at,
        sha256=sha256_hex(row.body.encode("utf-8")),
        controller_key=row.key_id,
        display_seq=int(screen["display"]["seq"]),
        player_seq=player.get("seq"),
        player_key=player.get("key_id"),
        player_public_key=player.get("public_key"),
    )
