"""Reading warning messages: the four examples of the CAP 1.2 specification, national messages
(GB/T 35965.1 field names), malformed ones, and the area rule."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from signage.emergency.warnings import (
    Reference,
    WarningFormatError,
    area_prefix,
    covers,
    parse_warning,
)

CAP = Path(__file__).parent / "cap12"


def national(
    *,
    identifier: str = "33010641600000_20261204100000",
    msg_type: str = "Alert",
    severity: str = "Orange",
    codes: tuple[str, ...] = ("330106",),
    references: str = "",
    expires: str = "2026-12-05T10:00:00+08:00",
    event: str = "暴雨",
    status: str = "Actual",
) -> bytes:
    areas = "".join(f"<areaCode>{c}</areaCode>" for c in codes)
    refs = f"<references>{references}</references>" if references else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert>
  <identifier>{identifier}</identifier>
  <sender>杭州市气象台</sender>
  <sendTime>2026-12-04T10:00:00+08:00</sendTime>
  <status>{status}</status>
  <msgType>{msg_type}</msgType>
  {refs}
  <info>
    <eventType>{event}</eventType>
    <severity>{severity}</severity>
    <headline>杭州市气象台发布{event}橙色预警信号</headline>
    <description>预计未来6小时内西湖区将出现50毫米以上降水，请注意防范。</description>
    <expires>{expires}</expires>
    <area><areaDesc>西湖区</areaDesc>{areas}</area>
  </info>
</alert>""".encode()


def test_the_specification_s_severe_thunderstorm_warning():
    w = parse_warning((CAP / "a2_severe_thunderstorm.xml").read_bytes())
    assert (w.format, w.identifier, w.sender) == ("cap", "KSTO1055887203", "KSTO@NWS.NOAA.GOV")
    assert w.sent == dt.datetime(2003, 6, 17, 21, 57, tzinfo=dt.UTC)
    assert (w.status, w.msg_type, w.severity, w.colour) == ("Actual", "Alert", "Severe", "orange")
    assert w.event == "SEVERE THUNDERSTORM" and w.headline == "SEVERE THUNDERSTORM WARNING"
    assert w.instruction.startswith("TAKE COVER")
    assert w.areas == ("006109", "006009", "006003")
    assert w.expires == dt.datetime(2003, 6, 17, 23, 0, tzinfo=dt.UTC)
    assert w.sender_name == "NATIONAL WEATHER SERVICE SACRAMENTO CA"


def test_the_specification_s_other_examples():
    hsas = parse_warning((CAP / "a1_homeland_security.xml").read_bytes())
    assert hsas.identifier == "43b080713727" and hsas.areas == () and hsas.expires is None
    assert hsas.area_desc == "U.S. nationwide and interests worldwide"
    quake = parse_warning((CAP / "a3_earthquake_update.xml").read_bytes())
    assert quake.msg_type == "Update" and quake.severity == "Minor"
    assert quake.references == (Reference("trinet@caltech.edu", "TRI13970876.1"),)
    amber = parse_warning((CAP / "a4_amber_multilingual.xml").read_bytes())
    # Two languages and no Chinese one: the first is taken.
    assert amber.headline == "Amber Alert in Los Angeles County" and amber.areas == ("006037",)


def test_a_chinese_info_block_is_preferred():
    data = (CAP / "a4_amber_multilingual.xml").read_bytes().replace(b"es-US", b"zh-CN")
    assert parse_warning(data).headline == "Alerta Amber en el condado de Los Ángeles"


def test_a_national_alert():
    w = parse_warning(national())
    assert (w.format, w.msg_type, w.colour, w.severity) == ("national", "Alert", "orange", "Severe")
    assert w.areas == ("330106",) and w.event == "暴雨"
    assert w.sent == dt.datetime(2026, 12, 4, 2, 0, tzinfo=dt.UTC)
    assert w.expires == dt.datetime(2026, 12, 5, 2, 0, tzinfo=dt.UTC)
    assert parse_warning(national(severity="红色")).colour == "red"
    # No areaCode: the area is the code the identifier is built on.
    assert parse_warning(national(codes=())).areas == ("330106",)


def test_national_update_and_cancel_name_what_they_follow():
    update = parse_warning(national(identifier="x2", msg_type="Update", references="x1"))
    assert update.references == (Reference(None, "x1"),)
    with pytest.raises(WarningFormatError) as err:
        parse_warning(national(identifier="x3", msg_type="Cancel"))
    assert err.value.field == "references"


@pytest.mark.parametrize(
    "data, field",
    [
        (b"<alert><identifier>x</identifier>", None),  # not well-formed
        (b"<notice/>", None),
        (b'<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY x "y">]><alert>&x;</alert>', None),
        (
            national().replace(b"<identifier>33010641600000_20261204100000</identifier>", b""),
            "identifier",
        ),
        (national(msg_type="Notice"), "msgType"),
        (national(status="Real"), "status"),
        (national(severity="Purple"), "severity"),
        (national(codes=("3301",)), "areaCode"),
        (national(expires="tomorrow"), "expires"),
        (national(expires="2026-12-05T10:00:00"), "expires"),  # no offset
        (
            national().replace(b"<headline>", b"<title>").replace(b"</headline>", b"</title>"),
            "headline",
        ),
        (
            (CAP / "a2_severe_thunderstorm.xml")
            .read_bytes()
            .replace(b"<scope>Public</scope>", b""),
            "scope",
        ),
        (b"<alert>" + b"x" * 300_000 + b"</alert>", None),
    ],
)
def test_malformed_messages_are_refused_with_the_field(data, field):
    with pytest.raises(WarningFormatError) as err:
        parse_warning(data)
    assert err.value.field == field


def test_area_codes_cover_the_areas_below_and_above_them():
    assert [area_prefix(c) for c in ("330000", "330100", "330106")] == ["33", "3301", "330106"]
    assert covers((), ("006109",))  # no areas set: every area
    assert covers(("330106",), ("330106",))
    assert covers(("330100",), ("330106",))  # a city's deployment, a county's warning
    assert covers(("330106",), ("330000",))  # a province's warning reaches each county
    assert not covers(("330106",), ("330108",))
    assert not covers(("330106",), ())  # a warning naming no area is not for a set area
