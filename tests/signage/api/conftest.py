"""The world the API tests share: one user per role, a screen, a group, and notices in the
states the endpoints need."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pytest
from PIL import Image

from signage.chains.rules import StageSpec, put_chain
from signage.emergency.blackouts import order_blackout
from signage.media import services as media_services
from signage.notices import review
from tests.conftest import CATEGORIES, NOW

ROLES = ("author", "reviewer", "supervisor", "admin", "duty")


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
    held: int
    withdrawn: int
    media: str
    screen: str
    blackout: int


@pytest.fixture
def world(db_session, make_user, make_screen, make_notice, token_for) -> World:
    users = {role: make_user(role, username=role) for role in ROLES}
    headers = {role: token_for(users[role]) for role in ROLES}
    screen = make_screen(key="hall", groups=["大厅"])
    author, reviewer = users["author"], users["reviewer"]
    media, _ = media_services.upload_media(
        db_session, author, png(), now=NOW, limits=media_services.MediaLimits()
    )
    # 通知公告 passes one reviewer and may be referred up to the admin (named).
    put_chain(
        db_session,
        users["admin"],
        "通知公告",
        [StageSpec(name="审核", role="reviewer", confidentiality=True)],
        escalation=StageSpec(name="主要领导", users=["admin"]),
        group=None,
        categories=CATEGORIES,
        now=NOW,
    )
    held = make_notice(author, screens=["hall"], status="submitted")
    review.approve_notice(
        db_session, reviewer, held.id, confidentiality_reviewed=True, hold=True, now=NOW
    )
    blackout = order_blackout(db_session, users["duty"], reason="演练", screens=["hall"], now=NOW)
    db_session.commit()
    return World(
        users=users,
        headers=headers,
        draft=make_notice(author, screens=["hall"]).id,
        submitted=make_notice(author, screens=["hall"], status="submitted").id,
        approved=make_notice(author, screens=["hall"], status="approved", reviewer=reviewer).id,
        held=held.id,
        withdrawn=make_notice(author, screens=["hall"], status="withdrawn").id,
        media=media.sha256,
        screen=screen.key,
        blackout=blackout.id,
    )
