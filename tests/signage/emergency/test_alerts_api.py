"""Official warnings pushed to ``POST /api/v1/alerts``: a CAP 1.2 Alert becomes an urgent notice
waiting for the duty officer (or published at once by severity), its Cancel withdraws it, an
Update replaces it, duplicates and other areas are ignored, bad XML is refused and writes
nothing."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from playlists import parse_playlist
from signage.audit.models import AuditEntry
from signage.clock import utcnow
from signage.emergency.models import OfficialAlert
from signage.notices.models import Notice
from signage.screens.services import create_screen
from tests.signage.emergency.test_warnings import national

CAP = Path(__file__).parent / "cap12"
XML = {"Content-Type": "application/cap+xml"}


def moved(name: str, days: int = 1) -> bytes:
    """A CAP 1.2 specification example with its dates moved to ``days`` from today."""
    day = (utcnow() + dt.timedelta(days=days)).date().isoformat()
    data = (CAP / name).read_bytes()
    for old in (b"2003-06-17", b"2003-06-11", b"2003-04-02"):
        data = data.replace(old, day.encode())
    return data


def cancel_of_thunderstorm() -> bytes:
    day = (utcnow() + dt.timedelta(days=1)).date().isoformat()
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>KSTO1055887204</identifier>
  <sender>KSTO@NWS.NOAA.GOV</sender>
  <sent>{day}T15:30:00-07:00</sent>
  <status>Actual</status>
  <msgType>Cancel</msgType>
  <scope>Public</scope>
  <references>KSTO@NWS.NOAA.GOV,KSTO1055887203,{day}T14:57:00-07:00</references>
</alert>""".encode()


@pytest.fixture
def people(make_user, token_for):
    users = {r: make_user(r, username=f"{r}.one") for r in ("duty", "author", "admin")}
    return {r: token_for(u) for r, u in users.items()}


@pytest.fixture
def hall(db_session):
    _, token = create_screen(
        db_session, None, key="hall", name="大厅", width=256, height=64, groups=[], now=utcnow()
    )
    db_session.commit()
    return {"Authorization": f"Bearer {token}"}


def push(client, people, data, role="duty", headers=XML):
    return client.post("/api/v1/alerts", data=data, headers=people[role] | headers)


def items(client, hall):
    response = client.get("/api/v1/player/playlist", headers=hall)
    return [(i.notice_id, i.priority) for i in parse_playlist(response.data).items]


def test_a_cap_alert_waits_for_the_duty_officer_and_its_cancel_withdraws_it(
    client, people, hall, db_session
):
    answer = push(client, people, moved("a2_severe_thunderstorm.xml"))
    assert answer.status_code == 201, answer.get_json()
    taken = answer.get_json()
    assert taken["outcome"] == "waiting" and taken["alert"]["identifier"] == "KSTO1055887203"
    nid = taken["notice"]
    notice = client.get(f"/api/v1/notices/{nid}", headers=people["duty"]).get_json()
    assert notice["status"] == "submitted"
    assert notice["source"] == "CAP 1.2 · KSTO@NWS.NOAA.GOV · KSTO1055887203"
    revision = notice["revisions"][-1]
    assert revision["priority"] == "urgent" and revision["category"] == "预警信息"
    assert revision["title"] == "SEVERE THUNDERSTORM WARNING"
    assert revision["level"] == "orange"  # Severe: drawn in the national orange
    assert [(s["stage"], s["role"]) for s in revision["steps"]] == [("值班确认", "duty")]
    assert items(client, hall) == []  # not shown before the duty officer confirms
    confirmed = client.post(
        f"/api/v1/notices/{nid}/approve",
        headers=people["duty"],
        json={"confidentiality_reviewed": True, "revision": 1},
    )
    assert confirmed.status_code == 200, confirmed.get_json()
    assert items(client, hall) == [(nid, "urgent")]

    cancelled = push(client, people, cancel_of_thunderstorm())
    assert cancelled.status_code == 201
    assert cancelled.get_json()["outcome"] == "cancelled"
    assert cancelled.get_json()["withdrawn"] == [nid]
    assert items(client, hall) == []
    listed = client.get("/api/v1/alerts", headers=people["author"]).get_json()["items"]
    assert [(a["msg_type"], a["outcome"]) for a in listed] == [
        ("Cancel", "cancelled"),
        ("Alert", "cancelled"),
    ]
    actions = db_session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.object_type == "alert")
    ).all()
    assert actions == ["alert.alert", "alert.cancel"]


def test_a_severity_the_deployment_names_is_published_at_once(client, app, people, hall):
    app.config["SIGNAGE_ALERT_PUBLISH_SEVERITIES"] = frozenset({"severe"})
    taken = push(client, people, moved("a2_severe_thunderstorm.xml")).get_json()
    assert taken["outcome"] == "published"
    assert items(client, hall) == [(taken["notice"], "urgent")]
    notice = client.get(f"/api/v1/notices/{taken['notice']}", headers=people["duty"]).get_json()
    stage = notice["revisions"][-1]["steps"][0]
    assert stage["decided_by"] == "official.warnings" and "SIGNAGE_ALERT_PUBLISH" in stage["note"]


def test_a_duplicate_is_ignored_and_writes_nothing(client, people, hall, db_session):
    data = moved("a2_severe_thunderstorm.xml")
    assert push(client, people, data).status_code == 201
    again = push(client, people, data)
    assert again.status_code == 200 and again.get_json()["outcome"] == "duplicate"
    assert again.get_json()["alert"] is None
    assert db_session.scalar(sa.select(sa.func.count(OfficialAlert.id))) == 1
    assert db_session.scalar(sa.select(sa.func.count(Notice.id))) == 1


def test_a_national_update_replaces_and_another_area_is_ignored(
    client, app, people, hall, db_session
):
    app.config["SIGNAGE_ALERT_AREAS"] = ("330100",)  # the city: its counties' warnings too
    later = (utcnow() + dt.timedelta(hours=6)).isoformat()
    first = push(client, people, national(identifier="33010641600000_1", expires=later))
    assert first.get_json()["outcome"] == "waiting"
    update = push(
        client,
        people,
        national(
            identifier="33010641600000_2",
            msg_type="Update",
            references="33010641600000_1",
            severity="红色",
            expires=later,
        ),
    ).get_json()
    assert update["outcome"] == "waiting" and update["withdrawn"] == [first.get_json()["notice"]]
    assert update["alert"]["follows"] == first.get_json()["alert"]["id"]
    assert update["alert"]["level"] == "red"
    elsewhere = push(
        client, people, national(identifier="33020041600000_1", codes=("330200",), expires=later)
    )
    assert elsewhere.status_code == 200 and elsewhere.get_json()["outcome"] == "ignored"
    assert db_session.scalar(sa.select(sa.func.count(OfficialAlert.id))) == 2


def test_a_test_message_an_expired_one_and_the_spec_s_examples_for_other_areas(
    client, app, people, hall, db_session
):
    assert push(client, people, national(status="Test")).get_json()["outcome"] == "ignored"
    past = (utcnow() - dt.timedelta(hours=1)).isoformat()
    assert push(client, people, national(expires=past)).get_json()["outcome"] == "ignored"
    app.config["SIGNAGE_ALERT_AREAS"] = ("330106",)
    for name in ("a1_homeland_security.xml", "a2_severe_thunderstorm.xml"):
        assert push(client, people, moved(name)).get_json()["outcome"] == "ignored"
    assert db_session.scalar(sa.select(sa.func.count(OfficialAlert.id))) == 0


@pytest.mark.parametrize(
    "data, headers, status",
    [
        (b"<alert><identifier>", XML, 422),
        (b"not xml at all", XML, 422),
        (
            national().replace(b"<sendTime>", b"<sent>").replace(b"</sendTime>", b"</sent>"),
            XML,
            422,
        ),
        (national(), {"Content-Type": "application/json"}, 415),
        (b"<alert>" + b"x" * 300_000 + b"</alert>", XML, 413),
    ],
)
def test_bad_messages_are_refused_and_write_nothing(
    client, people, hall, db_session, data, headers, status
):
    answer = push(client, people, data, headers=headers)
    assert answer.status_code == status, answer.get_json()
    assert "error" in json.loads(answer.data)
    assert db_session.scalar(sa.select(sa.func.count(OfficialAlert.id))) == 0
    assert db_session.scalar(sa.select(sa.func.count(Notice.id))) == 0


def test_only_duty_and_admin_may_push(client, people, hall):
    later = (utcnow() + dt.timedelta(hours=6)).isoformat()
    assert push(client, people, national(expires=later), role="author").status_code == 403
    assert push(client, people, national(expires=later), role="admin").status_code == 201
