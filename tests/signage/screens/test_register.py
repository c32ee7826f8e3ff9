"""The register of screens (带屏电子显示终端登记): its fields, their checks, and the CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from signage.errors import InvalidInput
from signage.screens.register import COLUMNS, check_register

ENTRY = {
    "responsible_person": "刘伟",
    "responsible_phone": "0855-7521234",
    "control_pc": "政务中心一楼 控制机 ZW-PC-01 (10.2.3.4)",
    "network_mode": "intranet",
    "physical_width_m": 3.84,
    "physical_height_m": 1.28,
    "installed_on": "2024-05-20",
}


def test_the_fields_are_checked():
    checked = check_register(ENTRY)
    assert checked["installed_on"] == dt.date(2024, 5, 20)
    assert check_register({"network_mode": "", "control_pc": None}) == {
        "network_mode": None,
        "control_pc": None,
    }


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"network_mode": "wifi"}, "network_mode"),
        ({"responsible_phone": "call me"}, "responsible_phone"),
        ({"physical_width_m": 0}, "physical_width_m"),
        ({"physical_height_m": 500}, "physical_height_m"),
        ({"installed_on": "去年"}, "installed_on"),
        ({"installed_on": "1970-01-01"}, "installed_on"),
        ({"responsible_person": "长" * 51}, "responsible_person"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_values_name_their_field(values, field):
    with pytest.raises(InvalidInput) as caught:
        check_register(values)
    assert caught.value.field == field


@pytest.fixture
def admin_headers(make_user, token_for):
    return token_for(make_user("admin"))


def test_through_the_api_and_out_as_csv(client, admin_headers, make_user, token_for, make_screen):
    created = client.post(
        "/api/v1/screens",
        json={"key": "zwzx-hall", "name": "政务中心大厅", "size": "384x128", **ENTRY},
        headers=admin_headers,
    )
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["network_mode"] == "intranet"
    assert created.get_json()["installed_on"] == "2024-05-20"
    make_screen(key="lobby")  # registered with nothing
    changed = client.patch(
        "/api/v1/screens/zwzx-hall",
        json={"network_mode": "private", "control_pc": None},
        headers=admin_headers,
    )
    assert changed.status_code == 200
    assert (changed.get_json()["network_mode"], changed.get_json()["control_pc"]) == (
        "private",
        None,
    )
    bad = client.patch(
        "/api/v1/screens/zwzx-hall", json={"network_mode": "wifi"}, headers=admin_headers
    )
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "network_mode"
    supervisor = token_for(make_user("supervisor"))
    entries = client.get("/api/v1/screen-register", headers=supervisor).get_json()["items"]
    assert [e["key"] for e in entries] == ["lobby", "zwzx-hall"]
    assert entries[1]["responsible_person"] == "刘伟" and entries[1]["width_px"] == 384
    answer = client.get("/api/v1/screen-register?format=csv", headers=supervisor)
    assert answer.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    assert tuple(rows[0]) == COLUMNS
    assert rows[2][:8] == [
        "zwzx-hall",
        "政务中心大厅",
        "",
        "",
        "刘伟",
        "0855-7521234",
        "",
        "private",
    ]
    author = token_for(make_user("author"))
    assert client.get("/api/v1/screen-register", headers=author).status_code == 403
