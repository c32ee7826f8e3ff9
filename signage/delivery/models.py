"""The playlist epoch: a counter bumped by every change that alters some screen's playlist.

A change bumps the one ``playlist_epoch`` row and stamps the affected screens with the new value
(``screens.playlist_seq``) in its own transaction. Because the bump takes the row's lock until
commit, epochs become visible in order: a process that reads epoch N knows every change up to N
is committed, and finds the screens to recompile with ``playlist_seq > its last epoch``.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from signage.db import Base


class PlaylistEpoch(Base):
    __tablename__ = "playlist_epoch"

    id: Mapped[int] = mapped_column(primary_key=True)  # always 1
    seq: Mapped[int] = mapped_column(sa.BigInteger, default=0)
