"""How pages say who decides a stage, and the flags of a revision as values."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext
from sqlalchemy.orm import Session

from signage.accounts.models import User
from signage.chains.precheck import Flag
from signage.chains.rules import users_by_id
from signage.notices.models import NoticeRevision, ReviewStep


def flags_of(revision: NoticeRevision) -> list[Flag]:
    """The pre-check's flags stored on ``revision``."""
    return [Flag.from_json(f) for f in revision.precheck_flags or []]


def names_in(session: Session, revisions: Sequence[NoticeRevision]) -> dict[int, User]:
    """The users the stages of ``revisions`` name, by id."""
    return users_by_id(session, (i for r in revisions for s in r.steps for i in s.user_ids))


def who_decides(step: ReviewStep, names: dict[int, User]) -> str:
    """The stage's deciders in words: the role, and the people named."""
    parts = [gettext(step.role)] if step.role else []
    parts += [names[i].display_name for i in step.user_ids or () if i in names]
    return "、".join(parts)
