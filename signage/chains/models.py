"""Review chains (the stages a category's notices pass before they go live) and the word list
the pre-check flags."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from signage.accounts.models import User
from signage.db import Base, UTCDateTime
from signage.screens.models import ScreenGroup


class ReviewChain(Base):
    """The ordered stages for one category, for every screen or for one group's.

    ``stages`` is a JSON list of stage objects (``name``, ``role``, ``user_ids``,
    ``confidentiality``, ``due_working_days``, see :class:`signage.chains.rules.Stage`);
    ``escalation`` is the stage a reviewer may refer a revision up to, or NULL.
    """

    __tablename__ = "review_chains"

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(sa.String(32), index=True)
    # NULL: the category's chain for every screen; else only for notices reaching this group.
    group_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("screen_groups.id", ondelete="CASCADE")
    )
    stages: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)
    escalation: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # NULL: set by the system (the sample data), not by a person.
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    group: Mapped[ScreenGroup | None] = relationship(lazy="joined")
    updated_by: Mapped[User | None] = relationship(lazy="joined")

    __table_args__ = (sa.UniqueConstraint("category", "group_id"),)


class PrecheckWord(Base):
    """A word the deployment wants flagged for review wherever a notice contains it."""

    __tablename__ = "precheck_words"

    id: Mapped[int] = mapped_column(primary_key=True)
    word: Mapped[str] = mapped_column(sa.String(50), unique=True)
    added_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
