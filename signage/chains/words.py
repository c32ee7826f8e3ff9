"""The pre-check's word list: words an admin lists (征地, 拆迁 …) that flag a revision for its
reviewers (:mod:`signage.chains.precheck` finds them in a revision's text)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from signage.accounts.models import Role, User
from signage.accounts.permissions import require_role
from signage.audit.services import record
from signage.chains.models import PrecheckWord
from signage.errors import InvalidInput

WORDS_MAX = 500
WORD_MAX = 50


def precheck_words(session: Session) -> list[str]:
    """The deployment's words to flag, in the order they were listed."""
    return list(session.scalars(sa.select(PrecheckWord.word).order_by(PrecheckWord.id)))


def put_precheck_words(
    session: Session, actor: User, words: Sequence[str], *, now: dt.datetime
) -> list[str]:
    """Replace the word list (admin)."""
    require_role(actor, Role.ADMIN)
    cleaned = list(dict.fromkeys(w.strip() for w in words if w.strip()))
    if len(cleaned) > WORDS_MAX:
        raise InvalidInput("at most %(words_max)s words", words_max=WORDS_MAX, field="words")
    for i, word in enumerate(cleaned):
        if len(word) > WORD_MAX:
            raise InvalidInput(
                "a word is at most %(word_max)s characters", word_max=WORD_MAX, field=f"words.{i}"
            )
    before = precheck_words(session)
    session.execute(sa.delete(PrecheckWord))
    for word in cleaned:
        session.add(PrecheckWord(word=word, added_by_id=actor.id, added_at=now))
    session.flush()
    record(
        session,
        actor=actor,
        action="precheck_words.put",
        object_type="precheck_words",
        object_id="*",
        now=now,
        details={
            "added": [w for w in cleaned if w not in before],
            "removed": [w for w in before if w not in cleaned],
        },
    )
    return cleaned
