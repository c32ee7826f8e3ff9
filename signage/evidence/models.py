"""The controller's signed checkpoints (:mod:`signage.evidence.checkpoints`)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from signage.db import Base, UTCDateTime


class Checkpoint(Base):
    """One signed checkpoint: ``body`` is its canonical JSON (what the signature covers, for
    the purpose :data:`playlists.signing.CHECKPOINT`), ``signature`` base64url by ``key_id``."""

    __tablename__ = "checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    made_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    key_id: Mapped[str] = mapped_column(sa.String(16))
    body: Mapped[str] = mapped_column(sa.Text)
    signature: Mapped[str] = mapped_column(sa.String(86))
