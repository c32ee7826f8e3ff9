"""Screen players' own keys: registered at first contact, retired by a token rotation.

A player makes an Ed25519 key pair at its first start and registers the public key with its
screen's token (``POST /api/v1/player/key``). From then on the screen's display chain is signed
with that key, and a batch signed by any other is refused. Only an admin's rotation of the
screen's token (a new player, a replaced board) retires the key, so that the next player to
connect may register its own; retired keys stay on record, so old signatures still verify.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from playlists.signing import PublicKey, SignatureError
from signage.audit.services import record
from signage.errors import Conflict, InvalidInput
from signage.screens.models import PlayerKey, Screen

_CURRENT = sa.select(PlayerKey.public_key).where(
    PlayerKey.screen_id == sa.bindparam("screen_id"), PlayerKey.retired_at.is_(None)
)


def current_player_key(session: Session, screen_id: int) -> PublicKey | None:
    """The key the screen's player signs with now, if one is registered."""
    text = session.connection().scalar(_CURRENT, {"screen_id": screen_id})
    return None if text is None else PublicKey.from_text(text)


def player_keys(session: Session, screen_id: int) -> dict[str, PublicKey]:
    """Every key the screen's players have had, current and retired, by key id."""
    rows = session.scalars(sa.select(PlayerKey.public_key).where(PlayerKey.screen_id == screen_id))
    keys = [PublicKey.from_text(text) for text in rows]
    return {k.key_id: k for k in keys}


def register_player_key(
    session: Session, screen_id: int, text: object, *, now: dt.datetime
) -> tuple[PublicKey, bool]:
    """Register ``text`` (base64url of 32 raw bytes) as the screen's player key; return it and
    whether it is new. The same key again is no change; another key while one is current is a
    :class:`Conflict`."""
    if not isinstance(text, str):
        raise InvalidInput("public_key must be base64url text", field="public_key")
    try:
        key = PublicKey.from_text(text)
    except SignatureError as exc:
        raise InvalidInput("public_key: %(exc)s", exc=exc, field="public_key") from None
    current = current_player_key(session, screen_id)
    if current is not None:
        if current.key_id == key.key_id:
            return current, False
        raise Conflict(
            "this screen's player key is %(key_id)s; a new player may register its own key only "
            "after an admin rotates the screen's token",
            key_id=current.key_id,
        )
    session.add(
        PlayerKey(screen_id=screen_id, key_id=key.key_id, public_key=key.text, registered_at=now)
    )
    screen_key = session.scalar(sa.select(Screen.key).where(Screen.id == screen_id))
    record(
        session,
        actor=None,
        actor_name=f"screen:{screen_key}",
        action="screen.player_key",
        object_type="screen",
        object_id=str(screen_key),
        now=now,
        details={"key_id": key.key_id},
    )
    session.flush()
    return key, True


def retire_player_key(session: Session, screen_id: int, *, now: dt.datetime) -> str | None:
    """Retire the screen's current player key (a token rotation); return its id, if any."""
    current = session.scalar(
        sa.select(PlayerKey).where(PlayerKey.screen_id == screen_id, PlayerKey.retired_at.is_(None))
    )
    if current is None:
        return None
    current.retired_at = now
    return current.key_id
