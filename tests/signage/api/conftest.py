"""The world the API tests share: one user per role, a screen, a group, and notices in the
states the endpoints need."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pytest
from PIL import Image

from signage.media import services as media_services
from tests.conftest import NOW

ROLES = ("author", "reviewer", "supervisor", "admin")


def png(color: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 16), color).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class World:
    """One user per role, a screen, a group, and notices in the states the endpoints need."""

    users: dict[str, Any]
    headers: dict[str, dict[str, str]]
    draft: int
    submitted: int
    approved: int
    media: str
    screen: str


@pytest.fixture
def world(db_session, make_user, make_screen, make_notice, token_for) -> World:
    users = {role: make_user(role, username=role) for role in ROLES}
    headers = {role: token_for(users[role]) for role in ROLES}
    screen = make_screen(key="hall", groups=["大厅"])
    author, reviewer = users["author"], users["reviewer"]
    media, _ = media_services.upload_media(
        db_session, author, png(), now=NOW, limits=media_services.MediaLimits()
    )
    db_session.commit()
    return World(
        users=users,
        headers=headers,
        draft=make_notice(author, screens=["hall"]).id,
        submitted=make_notice(author, screens=["hall"], status="submitted").id,
        approved=make_notice(author, screens=["hall"], status="approved", reviewer=reviewer).id,
        media=media.sha256,
        screen=screen.key,
    )
