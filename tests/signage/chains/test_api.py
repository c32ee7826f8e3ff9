"""The review-chain API: setting chains, deciding stages, and the answers and errors."""

from __future__ import annotations

import urllib.parse

import pytest
import sqlalchemy as sa

from signage.audit.models import AuditEntry
from signage.chains.models import ReviewChain
from tests.signage.chains.conftest import APPOINTMENTS

CHAIN = {
    "stages": [
        {"name": "初审", "role": "reviewer", "due_working_days": 3},
        {"name": "复审", "role": "reviewer"},
        {"name": "终审", "role": "reviewer", "confidentiality": True},
    ],
    "escalation": {"name": "主要领导", "users": ["liu.shuji"]},
}
URL = "/api/v1/review-chains/" + urllib.parse.quote(APPOINTMENTS)


@pytest.fixture
def tokens(office, token_for):
    return {name: token_for(user) for name, user in office.items()}


def test_put_then_get(client, tokens):
    answer = client.put(URL, json=CHAIN, headers=tokens["admin"])
    assert answer.status_code == 200, answer.get_json()
    chain = answer.get_json()
    assert [s["name"] for s in chain["stages"]] == ["初审", "复审", "终审"]
    assert chain["stages"][1]["due_working_days"] == 5  # the default
    assert chain["escalation"] == {
        "name": "主要领导",
        "role": None,
        "users": ["liu.shuji"],
        "confidentiality": False,
        "due_working_days": 15,
    }
    listed = client.get("/api/v1/review-chains", headers=tokens["author"]).get_json()
    assert listed["default"]["stages"][0]["role"] == "reviewer"
    assert [(c["category"], c["group"], c["updated_by"]) for c in listed["items"]] == [
        (APPOINTMENTS, None, "admin.wu")
    ]
    removed = client.delete(URL, headers=tokens["admin"])
    assert removed.status_code == 200 and removed.get_json()["stages"][0]["name"] == "审核"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"stages": []}, "stages"),
        ({"stages": [{"name": "初审"}]}, "stages.0"),
        ({"stages": [{"name": "初审", "role": "boss"}]}, "stages.0.role"),
        ({"stages": [{"name": "初审", "users": ["nobody"]}]}, "stages.0.users"),
        (
            {
                "stages": [
                    {"name": "初审", "role": "reviewer"},
                    {"name": "初审", "role": "reviewer"},
                ]
            },
            "stages.1.name",
        ),
        (
            {"stages": [{"name": "初审", "role": "reviewer", "due_working_days": 0}]},
            "stages.0.due_working_days",
        ),
        (
            {"stages": [{"name": "初审", "role": "reviewer", "due_working_days": 99}]},
            "stages.0.due_working_days",
        ),
        ({"stages": [{"name": "初审", "role": "reviewer", "colour": "red"}]}, "stages.0.colour"),
        ({"stages": [{"name": "初审", "role": "reviewer"}]}, "stages"),  # no 保密审查
    ],
)
def test_bad_chains_are_422_naming_the_field_and_write_nothing(
    client, db_session, tokens, body, field
):
    before = db_session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    answer = client.put(URL, json=body, headers=tokens["admin"])
    assert answer.status_code == 422, answer.get_json()
    assert answer.get_json()["error"]["field"] == field
    assert db_session.scalar(sa.select(sa.func.count()).select_from(ReviewChain)) == 0
    assert db_session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == before


def test_unknown_category_is_422_and_unknown_group_too(client, tokens):
    answer = client.put("/api/v1/review-chains/abc", json=CHAIN, headers=tokens["admin"])
    assert answer.status_code == 422 and answer.get_json()["error"]["field"] == "category"
    answer = client.put(URL + "?group=nope", json=CHAIN, headers=tokens["admin"])
    assert answer.status_code == 422 and answer.get_json()["error"]["field"] == "group"


def test_deciding_stages_through_the_api(client, tokens, make_notice, office, make_screen):
    assert client.put(URL, json=CHAIN, headers=tokens["admin"]).status_code == 200
    make_screen(key="hall")
    notice = make_notice(
        office["author"], category=APPOINTMENTS, screens=["hall"], body="电话13812345678"
    )
    submitted = client.post(f"/api/v1/notices/{notice.id}/submit", headers=tokens["author"])
    progress = submitted.get_json()["review"]
    assert progress.pop("due_at").endswith("T16:00:00Z")  # 24:00 in Shanghai, days from now
    assert progress == {"stage": "初审", "stage_number": 1, "stages": 3}
    url = f"/api/v1/notices/{notice.id}/approve"
    first = client.post(url, json={"revision": 1}, headers=tokens["r1"])
    assert first.status_code == 200
    assert first.get_json()["status"] == "submitted"
    assert first.get_json()["review"]["stage"] == "复审"
    again = client.post(url, json={"revision": 1}, headers=tokens["r1"])
    assert again.status_code == 403 and "no two stages" in again.get_json()["error"]["message"]
    stale = client.post(url, json={"revision": 2}, headers=tokens["r2"])
    assert stale.status_code == 409
    assert client.post(url, json={"revision": 1}, headers=tokens["r2"]).status_code == 200
    # The confidentiality stage needs the box and a note on the flagged phone number.
    no_note = client.post(
        url, json={"revision": 1, "confidentiality_reviewed": True}, headers=tokens["r3"]
    )
    assert no_note.status_code == 422 and no_note.get_json()["error"]["field"] == "flags"
    done = client.post(
        url,
        json={
            "revision": 1,
            "confidentiality_reviewed": True,
            "flags": [{"index": 0, "note": "办公电话"}],
        },
        headers=tokens["r3"],
    )
    assert done.status_code == 200, done.get_json()
    assert done.get_json() == {
        "id": notice.id,
        "revision": 1,
        "status": "approved",
        "review": {"stage": None, "stage_number": None, "stages": 0, "due_at": None},
    }
    detail = client.get(f"/api/v1/notices/{notice.id}", headers=tokens["supervisor"]).get_json()
    steps = detail["revisions"][0]["steps"]
    assert [(s["stage"], s["decision"], s["decided_by"]) for s in steps] == [
        ("初审", "passed", "wang.fang"),
        ("复审", "passed", "zhao.lei"),
        ("终审", "passed", "chen.jing"),
    ]
    assert steps[2]["flag_notes"] == {"0": "办公电话"}
    assert detail["revisions"][0]["precheck_flags"][0]["kind"] == "mobile"
    # The compliance evidence names every stage of the approval, and links its form.
    evidence = client.get(
        f"/api/v1/reports/notices/{notice.id}/compliance", headers=tokens["supervisor"]
    ).get_json()
    assert [(d["stage"], d["by"]) for d in evidence["approvals"][0]["stages"]] == [
        ("初审", "wang.fang"),
        ("复审", "zhao.lei"),
        ("终审", "chen.jing"),
    ]


def test_the_queue_lists_what_waits_for_me(client, tokens, make_notice, office, make_screen):
    assert client.put(URL, json=CHAIN, headers=tokens["admin"]).status_code == 200
    make_screen(key="hall")
    notice = make_notice(
        office["author"], status="submitted", category=APPOINTMENTS, screens=["hall"]
    )
    mine = client.get("/api/v1/review-queue", headers=tokens["r1"]).get_json()["items"]
    assert [(i["notice"], i["stage"], i["stages"], i["author"]) for i in mine] == [
        (notice.id, "初审", 3, "zhang.min")
    ]
    assert client.get("/api/v1/review-queue", headers=tokens["author"]).get_json() == {"items": []}


def test_a_group_marked_sensitive_adds_the_escalation_stage(
    client, tokens, make_notice, office, make_screen
):
    assert client.put(URL, json=CHAIN, headers=tokens["admin"]).status_code == 200
    make_screen(key="hall", groups=["大厅"])
    group_url = "/api/v1/groups/" + urllib.parse.quote("大厅")
    marked = client.patch(group_url, json={"sensitive": True}, headers=tokens["admin"])
    assert marked.status_code == 200 and marked.get_json()["sensitive"] is True
    again = client.patch(group_url, json={"sensitive": True}, headers=tokens["admin"])
    assert again.status_code == 422
    notice = make_notice(office["author"], category=APPOINTMENTS, screens=["hall"])
    answer = client.post(f"/api/v1/notices/{notice.id}/submit", headers=tokens["author"])
    assert answer.get_json()["review"]["stages"] == 4
