"""Uploaded images, stored in the database by content hash."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column

from signage.db import Base, UTCDateTime


class Media(Base):
    __tablename__ = "media"

    sha256: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    mime: Mapped[str] = mapped_column(sa.String(32))
    width: Mapped[int]
    height: Mapped[int]
    frames: Mapped[int] = mapped_column(default=1)
    bytes: Mapped[int]
    # Deferred so that listing or joining media never loads the blobs.
    data: Mapped[bytes] = deferred(mapped_column(sa.LargeBinary))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
