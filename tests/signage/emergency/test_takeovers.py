"""Takeovers (整屏接管) and warning templates: the duty officer fills a template, one reviewer
from any stage of the chain decides it (the fast path, recorded as such), it plays alone while
it lasts, and withdrawing it brings the others back; bad input is refused and writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from playlists import parse_playlist
from playlists.content import check_item
from signage.clock import utcnow
from signage.notices.models import Notice
from signage.screens.services import create_screen

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def people(make_user, token_for):
    users = {r: make_user(r, username=f"{r}.one") for r in ("duty", "author", "reviewer")}
    return {r: token_for(u) for r, u in users.items()}


@pytest.fixture
def hall(db_session):
    _, token = create_screen(
        db_session, None, key="hall", name="大厅", width=256, height=64, groups=[], now=utcnow()
    )
    db_session.commit()
    return {"Authorization": f"Bearer {token}"}


def playing(client, hall):
    """The notices with a window open now on the screen."""
    answer = client.get("/api/v1/player/playlist", headers=hall)
    now = utcnow()
    return sorted(
        i.notice_id
        for i in parse_playlist(answer.data).items
        if any(s <= now < e for s, e in i.windows)
    )


def live_notice(client, people):
    now = utcnow()
    body = {
        "title": "办事指南",
        "category": "通知公告",
        "screens": ["hall"],
        "valid_from": (now - HOUR).isoformat(),
        "valid_until": (now + 24 * HOUR).isoformat(),
    }
    nid = client.post("/api/v1/notices", json=body, headers=people["author"]).get_json()["id"]
    client.post(f"/api/v1/notices/{nid}/submit", headers=people["author"])
    client.post(
        f"/api/v1/notices/{nid}/approve",
        headers=people["reviewer"],
        json={"confidentiality_reviewed": True, "revision": 1},
    )
    return nid


def test_a_template_takeover_from_the_duty_officer(client, people, hall, db_session):
    everyday = live_notice(client, people)
    assert playing(client, hall) == [everyday]
    templates = client.get("/api/v1/takeover-templates", headers=people["author"]).get_json()
    assert templates["items"][1]["titles"]["orange"] == "暴雨橙色预警"
    made = client.post(
        "/api/v1/takeovers",
        json={"template": "rainstorm", "level": "orange", "details": "预计未来3小时", "all": True},
        headers=people["duty"],
    )
    assert made.status_code == 201, made.get_json()
    nid = made.get_json()["id"]
    assert made.get_json()["review"]["stage"] == "快速审核（整屏接管）"
    notice = client.get(f"/api/v1/notices/{nid}", headers=people["author"]).get_json()
    revision = notice["revisions"][-1]
    assert revision["takeover"] and revision["priority"] == "urgent"
    assert revision["title"] == "暴雨橙色预警" and "防御指南" in revision["body"]
    assert revision["level"] == "orange"  # drawn in orange, as approved
    assert [s["stage"] for s in revision["steps"]] == ["快速审核（整屏接管）"]
    # Its author, the duty officer, cannot decide it; one reviewer does.
    refused = client.post(
        f"/api/v1/notices/{nid}/approve",
        headers=people["duty"],
        json={"confidentiality_reviewed": True, "revision": 1},
    )
    assert refused.status_code == 403
    passed = client.post(
        f"/api/v1/notices/{nid}/approve",
        headers=people["reviewer"],
        json={"confidentiality_reviewed": True, "revision": 1},
    )
    assert passed.status_code == 200 and passed.get_json()["status"] == "approved"
    assert playing(client, hall) == [nid]  # alone
    items = parse_playlist(client.get("/api/v1/player/playlist", headers=hall).data).items
    (shown,) = [i for i in items if i.notice_id == nid]
    assert shown.approval is not None and shown.approval.level == "orange"
    check_item(shown)  # the level is in the content hash the player checks
    lifted = client.post(
        f"/api/v1/notices/{nid}/withdraw", json={"reason": "预警解除"}, headers=people["duty"]
    )
    assert lifted.status_code == 200, lifted.get_json()
    assert playing(client, hall) == [everyday]  # back by itself


def test_an_author_marks_an_urgent_notice_as_a_takeover(client, people, hall):
    now = utcnow()
    body = {
        "title": "临时停电通知",
        "category": "通知公告",
        "priority": "urgent",
        "screens": ["hall"],
        "valid_from": now.isoformat(),
        "valid_until": (now + 2 * HOUR).isoformat(),
    }
    nid = client.post("/api/v1/notices", json=body, headers=people["author"]).get_json()["id"]
    done = client.post(
        f"/api/v1/notices/{nid}/submit", json={"takeover": True}, headers=people["author"]
    )
    assert done.status_code == 200 and done.get_json()["review"]["stages"] == 1
    normal = client.post(
        "/api/v1/notices", json=body | {"priority": "normal"}, headers=people["author"]
    ).get_json()["id"]
    refused = client.post(
        f"/api/v1/notices/{normal}/submit", json={"takeover": True}, headers=people["author"]
    )
    assert refused.status_code == 422 and refused.get_json()["error"]["field"] == "takeover"


@pytest.mark.parametrize(
    "body, status",
    [
        ({"template": "tsunami", "level": "red", "all": True}, 422),
        ({"template": "gale", "level": "purple", "all": True}, 422),
        ({"template": "gale", "level": "red"}, 422),
        ({"template": "gale", "level": "red", "all": True, "screens": ["hall"]}, 422),
        ({"template": "gale", "level": "red", "all": True, "hours": 100}, 422),
        ({"template": "gale", "level": "red", "screens": ["nowhere"]}, 422),
    ],
)
def test_bad_takeovers_are_refused_and_write_nothing(
    client, people, hall, db_session, body, status
):
    answer = client.post("/api/v1/takeovers", json=body, headers=people["duty"])
    assert answer.status_code == status, answer.get_json()
    assert db_session.scalar(sa.select(sa.func.count(Notice.id))) == 0


def test_only_the_duty_officer_fills_a_template(client, people, hall):
    body = {"template": "gale", "level": "red", "all": True}
    assert client.post("/api/v1/takeovers", json=body, headers=people["author"]).status_code == 403
