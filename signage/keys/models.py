"""The controller's public keys and the statements that link them (the key chain)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from signage.db import Base, UTCDateTime


class ControllerKey(Base):
    """One signing key the controller has had. The current one has no ``replaced_at``; every
    other was replaced by the next, and that one's ``rotation`` is the statement, signed by the
    key it replaced, that says so (canonical JSON of :meth:`playlists.signing.Rotation.to_json`)."""

    __tablename__ = "controller_keys"

    key_id: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    public_key: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    replaced_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    rotation: Mapped[str | None] = mapped_column(sa.Text)
