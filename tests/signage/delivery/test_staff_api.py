"""What staff see of playlists: a screen's current item and its timeline."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from signage.clock import utcnow

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def headers(make_user, token_for, make_screen):
    make_screen(key="hall")
    author, reviewer = make_user("author"), make_user("reviewer")
    return {
        "author": token_for(author),
        "reviewer": token_for(reviewer),
        "supervisor": token_for(make_user("supervisor")),
    }


def publish(client, headers, **fields):
    now = utcnow()
    body = {
        "title": "通知",
        "category": "通知公告",
        "screens": ["hall"],
        "valid_from": (now - HOUR).isoformat(),
        "valid_until": (now + 24 * HOUR).isoformat(),
    }
    nid = client.post("/api/v1/notices", json=body | fields, headers=headers["author"]).get_json()[
        "id"
    ]
    client.post(f"/api/v1/notices/{nid}/submit", headers=headers["author"])
    client.post(
        f"/api/v1/notices/{nid}/approve",
        headers=headers["reviewer"],
        json={"confidentiality_reviewed": True, "revision": 1},
    )
    return nid


def test_now_names_the_item_playing(client, headers):
    nid = publish(client, headers, title="冬季办公时间")
    now = client.get("/api/v1/screens/hall/now", headers=headers["supervisor"]).get_json()
    assert now["kind"] == "item" and now["item"]["notice_id"] == nid
    assert now["item"]["title"] == "冬季办公时间"
    start, at, until = (dt.datetime.fromisoformat(now[k]) for k in ("start", "at", "until"))
    assert start <= at < until


def test_now_with_nothing_to_show(client, headers):
    now = client.get("/api/v1/screens/hall/now", headers=headers["supervisor"]).get_json()
    assert now["kind"] == "idle" and now["item"] is None


def test_timeline_over_an_hour(client, headers):
    publish(client, headers, title="甲", duration_s=20)
    publish(client, headers, title="乙", duration_s=10, priority="high")
    start = utcnow().replace(microsecond=0)
    answer = client.get(
        "/api/v1/screens/hall/timeline",
        headers=headers["supervisor"],
        query_string={"from": start.isoformat(), "to": (start + HOUR).isoformat()},
    ).get_json()
    slots = answer["slots"]
    titles = [s["item"]["title"] for s in slots]
    assert titles[:3] == ["乙", "甲", "乙"]
    assert (
        titles.count("乙") == 2 * titles.count("甲")
        or abs(titles.count("乙") - 2 * titles.count("甲")) <= 2
    )
    for before, after in itertools.pairwise(slots):
        assert before["until"] == after["start"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-11-26T08:00:00"}, "from"),
        ({"from": "yesterday"}, "from"),
        ({"from": "2026-11-26T08:00:00Z", "to": "2026-11-26T07:00:00Z"}, "to"),
        ({"from": "2026-11-26T08:00:00Z", "to": "2026-12-26T07:00:00Z"}, "to"),
    ],
)
def test_timeline_bad_queries(client, headers, query, field):
    response = client.get(
        "/api/v1/screens/hall/timeline", headers=headers["supervisor"], query_string=query
    )
    assert response.status_code == 422 and response.get_json()["error"]["field"] == field


def test_unknown_screen(client, headers):
    assert (
        client.get("/api/v1/screens/nowhere/now", headers=headers["supervisor"]).status_code == 404
    )
