"""Fixtures for the player: a CJK font (Debian's fonts-wqy-zenhei in CI), and a controller
app with one screen, an author and a reviewer."""

from __future__ import annotations

import pytest

from player.errors import FontNotFound
from player.fonts import FontSet, find_fonts
from signage.clock import utcnow
from signage.screens.services import create_screen
from tests.conftest import need


@pytest.fixture(scope="session")
def fonts() -> FontSet:
    try:
        found = find_fonts()
    except FontNotFound as exc:
        need(False, f"a CJK font (apt-get install fonts-wqy-zenhei): {exc}")
        raise
    return found


@pytest.fixture
def setup(app, client, db_session, make_user, token_for, tmp_path):
    _, token = create_screen(
        db_session,
        None,
        key="hall",
        name="大厅",
        width=192,
        height=64,
        color="red-green",
        # The shortest page time the rule allows: a short notice shows for 4 s.
        settings={"page_s": 4, "read_cpm": 500},
        now=utcnow(),
    )
    db_session.commit()
    author, reviewer = make_user("author"), make_user("reviewer")
    return {
        "token": token,
        "author": author,
        "reviewer": reviewer,
        "author_h": token_for(author),
        "reviewer_h": token_for(reviewer),
        "tmp": tmp_path,
        "app": app,
        "client": client,
    }
