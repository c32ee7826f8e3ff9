"""The calendar and report endpoints: roles, JSON and CSV, bad input."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from signage.accounts.models import User
from signage.audit.models import AuditEntry
from signage.workdays.models import HolidayYear
from tests.signage.reports.conftest import (
    HALL_HOURS,
    OPEN_DAYS,
    after,
    approve_gongshi,
    local,
    opening_hours_plays,
)

ROLES = ("author", "reviewer", "supervisor", "admin")
READERS = {"supervisor", "admin"}
HOLIDAYS_2027 = {
    "holidays": [
        {"date": "2027-01-01", "name": "元旦"},
        {"date": "2027-02-08", "name": "春节"},
    ],
    "workdays": [{"date": "2027-02-06", "name": "春节"}],
    "source": "国办发明电〔2026〕9号",
}


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """The API's clock: after the 公示 period of the notice in test_services."""
    monkeypatch.setattr("signage.api.common.utcnow", after)


@pytest.fixture
def headers(make_user, token_for):
    return {role: token_for(make_user(role, username=role)) for role in ROLES}


@pytest.fixture
def gongshi_on_hall(db_session, headers, make_screen, store_events):
    hall = make_screen(key="hall", name="政务大厅", hours=HALL_HOURS)
    users = {u.username: u for u in db_session.scalars(sa.select(User))}
    notice = approve_gongshi(db_session, users["author"], users["reviewer"])
    for day in OPEN_DAYS:
        store_events(hall, notice, opening_hours_plays(day))
    return notice


ENDPOINTS = [
    ("GET", "/api/v1/holidays/2026", None, set(ROLES)),
    ("PUT", "/api/v1/holidays/2027", HOLIDAYS_2027, {"admin"}),
    ("GET", "/api/v1/reports/notices/{id}/compliance", None, READERS),
    ("GET", "/api/v1/reports/annual?year=2026", None, READERS),
    ("GET", "/api/v1/reports/uptime?from=2026-11-01&to=2026-11-30", None, READERS),
]


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
@pytest.mark.parametrize(("method", "url", "body", "allowed"), ENDPOINTS, ids=lambda v: str(v)[:40])
def test_roles(client, headers, gongshi_on_hall, role, method, url, body, allowed):
    response = client.open(
        url.format(id=gongshi_on_hall.id),
        method=method,
        json=body,
        headers=headers.get(role, {}),
    )
    if role in allowed:
        assert response.status_code == 200, response.get_json()
    elif role == "anonymous":
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthenticated"
    else:
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "forbidden"


def test_holidays_of_a_known_an_entered_and_an_unknown_year(client, headers):
    known = client.get("/api/v1/holidays/2026", headers=headers["author"]).get_json()
    assert known["source"] == "chinesecalendar"
    assert {"date": "2026-10-10", "name": "国庆节"} in known["workdays"]
    unknown = client.get("/api/v1/holidays/2027", headers=headers["author"])
    assert unknown.status_code == 404
    assert "calendar unknown for year 2027" in unknown.get_json()["error"]["message"]
    put = client.put("/api/v1/holidays/2027", json=HOLIDAYS_2027, headers=headers["admin"])
    assert put.status_code == 200
    entered = client.get("/api/v1/holidays/2027", headers=headers["reviewer"]).get_json()
    assert entered["source"] == "entered" and entered["entered_by"] == "admin"
    assert entered["holidays"] == HOLIDAYS_2027["holidays"]
    assert entered["reference"] == "国办发明电〔2026〕9号"


@pytest.mark.parametrize(
    ("url", "body", "status", "field"),
    [
        (
            "/api/v1/holidays/2027",
            {**HOLIDAYS_2027, "holidays": [{"date": "2027-02-07", "name": "春节"}]},
            422,
            "holidays.0.date",
        ),
        (
            "/api/v1/holidays/2027",
            {**HOLIDAYS_2027, "workdays": [{"date": "2027-02-08", "name": "春节"}]},
            422,
            "workdays.0.date",
        ),
        (
            "/api/v1/holidays/2027",
            {**HOLIDAYS_2027, "holidays": [{"date": "2028-01-03", "name": "元旦"}]},
            422,
            "holidays.0.date",
        ),
        (
            "/api/v1/holidays/2027",
            {**HOLIDAYS_2027, "holidays": [{"date": "2027-13-01", "name": "元旦"}]},
            422,
            "holidays.0.date",
        ),
        (
            "/api/v1/holidays/2027",
            {**HOLIDAYS_2027, "holidays": [{"date": "2027-01-01"}]},
            422,
            "holidays.0.name",
        ),
        ("/api/v1/holidays/2027", {**HOLIDAYS_2027, "extra": 1}, 422, "extra"),
        ("/api/v1/holidays/2027", [1, 2], 400, None),
        ("/api/v1/holidays/twenty", HOLIDAYS_2027, 422, "year"),
        ("/api/v1/holidays/2026", HOLIDAYS_2027, 409, None),
    ],
)
def test_bad_calendars_write_nothing(client, db_session, headers, url, body, status, field):
    audit_before = db_session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    response = client.put(url, json=body, headers=headers["admin"])
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["message"] and error.get("field") == field
    assert db_session.scalar(sa.select(sa.func.count()).select_from(HolidayYear)) == 0
    assert db_session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == audit_before


def test_a_body_that_is_not_json(client, headers):
    response = client.put("/api/v1/holidays/2027", data="x", headers=headers["admin"])
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("url", "status", "field"),
    [
        ("/api/v1/reports/annual", 422, "year"),
        ("/api/v1/reports/annual?year=abc", 422, "year"),
        ("/api/v1/reports/annual?year=2031", 422, "year"),
        ("/api/v1/reports/annual?year=2026&format=xml", 422, "format"),
        ("/api/v1/reports/uptime?from=2026-11-01", 422, "to"),
        ("/api/v1/reports/uptime?from=yesterday&to=2026-11-02", 422, "from"),
        ("/api/v1/reports/uptime?from=2026-11-03&to=2026-11-02", 422, "to"),
        ("/api/v1/reports/uptime?from=2024-01-01&to=2026-11-02", 422, "from"),
        ("/api/v1/reports/uptime?from=2026-11-01&to=2026-11-02&screen=nope", 404, None),
        ("/api/v1/reports/notices/{id}/compliance?gap_minutes=0", 422, "gap_minutes"),
        ("/api/v1/reports/notices/{id}/compliance?gap_minutes=x", 422, "gap_minutes"),
        ("/api/v1/reports/notices/99999/compliance", 404, None),
        ("/api/v1/reports/notices/abc/compliance", 404, None),
    ],
)
def test_bad_report_requests(client, headers, gongshi_on_hall, url, status, field):
    response = client.get(url.format(id=gongshi_on_hall.id), headers=headers["supervisor"])
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["message"] and error.get("field") == field


def test_a_draft_has_no_compliance_report(client, headers, make_notice, db_session):
    author = db_session.scalar(sa.select(User).where(User.username == "author"))
    draft = make_notice(author)
    response = client.get(
        f"/api/v1/reports/notices/{draft.id}/compliance", headers=headers["admin"]
    )
    assert (
        response.status_code == 409 and "never approved" in response.get_json()["error"]["message"]
    )


def csv_rows(response):
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_compliance_json_and_csv(client, headers, gongshi_on_hall):
    url = f"/api/v1/reports/notices/{gongshi_on_hall.id}/compliance"
    body = client.get(url, headers=headers["supervisor"]).get_json()
    assert body["verdict"] == "covered" and body["required_working_days"] == 2
    [screen] = body["screens"]
    assert screen["period"] == {"from": "2026-11-26T02:00:00Z", "to": "2026-11-30T16:00:00Z"}
    assert screen["plays"] == 336 and screen["expected_plays"] == 6720
    assert screen["gaps"][0]["cause"] == "off_hours" and not screen["gaps"][0]["counts_against"]
    assert screen["chain"]["head"]["seq"] == 336
    assert body["approvals"][0]["confidentiality_reviewed"] is True
    assert body["audit"]["head"]["seq"] >= 3
    rows = csv_rows(client.get(url + "?format=csv&gap_minutes=60", headers=headers["admin"]))
    records = [r["record"] for r in rows]
    assert records[0] == "notice" and rows[0]["verdict"] == "covered"
    assert {"approval", "audit", "audit_head", "screen", "gap", "chain_head"} <= set(records)
    summary = next(r for r in rows if r["record"] == "screen")
    assert (summary["screen"], summary["plays"], summary["expected_plays"]) == (
        "hall",
        "336",
        "6720",
    )
    gap = next(r for r in rows if r["record"] == "gap")
    assert gap["cause"] == "off_hours" and gap["counts_against"] == "false"


def test_annual_json_and_csv(client, headers, gongshi_on_hall):
    body = client.get("/api/v1/reports/annual?year=2026", headers=headers["supervisor"]).get_json()
    assert body["headline"] == "通过电子显示屏公开信息 1 条"
    assert (body["notices"], body["plays"]) == (1, 336)
    assert body["by_category"] == [
        {
            "key": "人事任免",
            "name": "人事任免",
            "notices": 1,
            "plays": 336,
            "interrupted": 0,
            "errors": 0,
            "shown_s": 336 * 15,
        }
    ]
    rows = csv_rows(
        client.get("/api/v1/reports/annual?year=2026&format=csv", headers=headers["admin"])
    )
    assert [(r["section"], r["key"], r["notices"], r["plays"]) for r in rows] == [
        ("total", "total", "1", "336"),
        ("category", "人事任免", "1", "336"),
        ("screen", "hall", "1", "336"),
    ]
    assert rows[0]["name"] == "通过电子显示屏公开信息 1 条"


def test_uptime_json_and_csv(client, headers, gongshi_on_hall, outage, db_session):
    from playlists.heartbeat import Heartbeat
    from signage.health.services import record_heartbeat
    from signage.screens.models import Screen

    hall = db_session.scalar(sa.select(Screen).where(Screen.key == "hall"))
    record_heartbeat(db_session, hall.id, Heartbeat(), now=local(2026, 11, 26, 9, 0))
    outage(hall, local(2026, 11, 27, 10, 0), local(2026, 11, 27, 12, 0))
    url = "/api/v1/reports/uptime?from=2026-11-27&to=2026-11-27"
    body = client.get(url, headers=headers["supervisor"]).get_json()
    [screen] = body["screens"]
    [day] = screen["days"]
    assert screen["status"] == "online"
    assert (day["day"], day["offline_s"], day["open_up_s"], day["partial"]) == (
        "2026-11-27",
        7200,
        36000 - 7200,
        False,
    )
    rows = csv_rows(client.get(url + "&format=csv", headers=headers["admin"]))
    assert [(r["day"], r["screen"], r["offline_s"], r["open_uptime"]) for r in rows] == [
        ("2026-11-27", "hall", "7200", "0.8")
    ]
