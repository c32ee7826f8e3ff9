"""A screen's own chain, record by record, for anyone who checks it without the controller's
code (``GET /api/v1/screens/<key>/chain``; ``scripts/check_checkpoint.py`` reads it)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from playlists import sha256_hex
from signage.accounts.models import User
from signage.accounts.permissions import SUPERVISING, require_role
from signage.displaylog.models import DisplayEvent, PlayerHead
from signage.evidence.chains import screen_chain
from signage.screens.models import PlayerKey
from signage.screens.services import get_screen
from signage.times import isoformat_z


def chain_feed(
    session: Session, actor: User, key: str, *, after: int, limit: int
) -> dict[str, Any]:
    """One page of the screen's chain after event ``after`` (supervisor, admin): each event's
    exact hashed bytes and hash, whether a recorded gap comes before it, the signed head and
    the player keys."""
    require_role(actor, *SUPERVISING)
    screen = get_screen(session, key)
    previous = after
    if after == 0:  # events from before screens signed their record come before the chain
        previous = (
            session.scalar(
                sa.select(sa.func.max(DisplayEvent.player_seq)).where(
                    DisplayEvent.screen_id == screen.id, DisplayEvent.playlist_etag.is_(None)
                )
            )
            or 0
        )
    items = []
    for seq, record, kind, _ in screen_chain(session, screen.id, previous):
        if len(items) == limit:
            break
        items.append(
            {
                "seq": seq,
                "kind": kind,
                "record": record.decode("utf-8") if record is not None else None,
                "hash": sha256_hex(record) if record is not None else None,
                "after_gap": seq != previous + 1,
            }
        )
        previous = seq
    head = session.get(PlayerHead, screen.id)
    keys = session.scalars(
        sa.select(PlayerKey).where(PlayerKey.screen_id == screen.id).order_by(PlayerKey.id)
    )
    return {
        "screen": screen.key,
        "items": items,
        "next_after": items[-1]["seq"] if len(items) == limit else None,
        "signed_head": None
        if head is None
        else {
            "seq": head.seq,
            "hash": head.hash,
            "key_id": head.key_id,
            "signature": head.signature,
            "signed_at": isoformat_z(head.signed_at),
        },
        "player_keys": [
            {
                "key_id": k.key_id,
                "public_key": k.public_key,
                "registered_at": isoformat_z(k.registered_at),
                "retired_at": isoformat_z(k.retired_at) if k.retired_at else None,
            }
            for k in keys
        ],
    }
