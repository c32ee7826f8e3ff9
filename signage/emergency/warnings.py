"""Official early-warning messages as they arrive: OASIS CAP 1.2, and the national format of the
early-warning release system (国家突发事件预警信息发布系统, GB/T 35965.1-2018).

:func:`parse_warning` reads either into one :class:`OfficialWarning`, or raises
:class:`WarningFormatError` naming what is wrong. Nothing here touches the database: the rules
for what a warning becomes live in :mod:`signage.emergency.alerts`.

A CAP 1.2 message is an ``<alert>`` in the namespace ``urn:oasis:names:tc:emergency:cap:1.2``
with ``identifier``, ``sender``, ``sent``, ``status``, ``msgType``, ``scope`` and, for an Alert or
an Update, at least one ``<info>`` (one per language: the Chinese one is taken when there is
one). Its areas are the 6-digit values of its ``<geocode>`` elements.

A national message is an ``<alert>`` without a namespace, with the national system's public
field names: ``identifier`` (built on the 6-digit GB/T 2260 code of the issuing area),
``sender``, ``sendTime``, ``status``, ``msgType`` (Alert, Update or Cancel), ``references``, and
``severity``, ``eventType``, ``headline``, ``description``, ``effective``, ``expires`` and
``area`` (``areaDesc`` and ``areaCode``) either at the top or inside one ``<info>``. Its
severity is a colour (Red, Orange, Yellow, Blue, or 红色 …); its areas are its ``areaCode``
values, or the code the identifier starts with.

XML with a document type declaration is refused (no entity of any kind is expanded), as is a
message larger than :data:`MAX_BYTES`.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
MAX_BYTES = 256 * 1024
MSG_TYPES = ("Alert", "Update", "Cancel", "Ack", "Error")
STATUSES = ("Actual", "Exercise", "System", "Test", "Draft")
SEVERITIES = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")
AREA_CODE = re.compile(r"^[0-9]{6}$")
# The national levels (预警级别) by colour, and the CAP severity each stands for.
COLOURS = {"red": "Extreme", "orange": "Severe", "yellow": "Moderate", "blue": "Minor"}
CHINESE_COLOURS = {"红色": "red", "橙色": "orange", "黄色": "yellow", "蓝色": "blue"}
CAP_COLOURS = {v: k for k, v in COLOURS.items()}
TEXT_MAX = {"identifier": 200, "sender": 200, "headline": 200, "event": 100}


class WarningFormatError(ValueError):
    """A message that is not a well-formed warning; the message names the field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Reference:
    """An earlier message a later one updates or cancels."""

    sender: str | None
    identifier: str


@dataclass(frozen=True)
class OfficialWarning:
    """One warning message, in either format, as the importer needs it."""

    format: str  # "cap" or "national"
    identifier: str
    sender: str
    sent: dt.datetime
    status: str  # one of STATUSES
    msg_type: str  # one of MSG_TYPES
    references: tuple[Reference, ...]
    severity: str  # one of SEVERITIES
    colour: str | None  # red, orange, yellow or blue: the national level, or CAP's mapped
    event: str
    headline: str
    description: str
    instruction: str
    area_desc: str
    areas: tuple[str, ...]  # 6-digit area codes (GB/T 2260)
    effective: dt.datetime | None
    expires: dt.datetime | None
    sender_name: str = ""


def parse_warning(data: bytes) -> OfficialWarning:
    """Read a CAP 1.2 or national warning message from its XML bytes."""
    if len(data) > MAX_BYTES:
        raise WarningFormatError(f"a warning message is at most {MAX_BYTES // 1024} KiB")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise WarningFormatError("a warning message may not declare a document type or entities")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise WarningFormatError(f"not well-formed XML: {exc}") from None
    if root.tag == f"{{{CAP_NS}}}alert":
        return _cap(root)
    if root.tag == "alert":
        return _national(root)
    raise WarningFormatError(
        f"the root element must be a CAP 1.2 alert ({CAP_NS}) or a national alert, not {root.tag}"
    )


def _text(parent: ET.Element, name: str, ns: str = "", *, required: bool = False) -> str:
    found = parent.find(f"{{{ns}}}{name}" if ns else name)
    value = (found.text or "").strip() if found is not None else ""
    if required and not value:
        raise WarningFormatError(f"{name} is required", field=name)
    limit = TEXT_MAX.get(name)
    if limit is not None and len(value) > limit:
        raise WarningFormatError(f"{name} has at most {limit} characters", field=name)
    return value


def _time(value: str, name: str, *, required: bool = False) -> dt.datetime | None:
    if not value:
        if required:
            raise WarningFormatError(f"{name} is required", field=name)
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise WarningFormatError(f"{name}: {value!r} is not a time", field=name) from None
    if parsed.tzinfo is None:
        raise WarningFormatError(f"{name}: {value!r} has no UTC offset", field=name)
    return parsed.astimezone(dt.UTC)


def _choice(value: str, allowed: tuple[str, ...], name: str) -> str:
    if value not in allowed:
        raise WarningFormatError(
            f"{name}: {value!r} is not one of {', '.join(allowed)}", field=name
        )
    return value


def _references(text: str) -> tuple[Reference, ...]:
    found = []
    for token in text.split():
        parts = token.split(",")
        if len(parts) == 3:
            found.append(Reference(parts[0], parts[1]))
        elif len(parts) == 1 and parts[0]:
            found.append(Reference(None, parts[0]))
        else:
            raise WarningFormatError(
                f"references: {token!r} is not sender,identifier,sent", field="references"
            )
    return tuple(found)


def _header(root: ET.Element, ns: str, sent_name: str) -> dict[str, object]:
    msg_type = _choice(_text(root, "msgType", ns, required=True), MSG_TYPES, "msgType")
    references = _references(_text(root, "references", ns))
    if msg_type in ("Update", "Cancel") and not references:
        raise WarningFormatError(f"an {msg_type} names the messages it follows", "references")
    return {
        "identifier": _text(root, "identifier", ns, required=True),
        "sender": _text(root, "sender", ns, required=True),
        "sent": _time(_text(root, sent_name, ns), sent_name, required=True),
        "status": _choice(_text(root, "status", ns, required=True), STATUSES, "status"),
        "msg_type": msg_type,
        "references": references,
    }


def _cap(root: ET.Element) -> OfficialWarning:
    ns = CAP_NS
    header = _header(root, ns, "sent")
    _choice(_text(root, "scope", ns, required=True), ("Public", "Restricted", "Private"), "scope")
    infos = root.findall(f"{{{ns}}}info")
    if not infos and header["msg_type"] in ("Alert", "Update"):
        raise WarningFormatError("an Alert or an Update needs an info block", field="info")
    info = next(
        (i for i in infos if _text(i, "language", ns).lower().startswith("zh")),
        infos[0] if infos else None,
    )
    if info is None:
        return OfficialWarning(
            format="cap",
            **header,  # type: ignore[arg-type]
            severity="Unknown",
            colour=None,
            event="",
            headline="",
            description="",
            instruction="",
            area_desc="",
            areas=(),
            effective=None,
            expires=None,
        )
    severity = _choice(_text(info, "severity", ns, required=True), SEVERITIES, "severity")
    codes, descs = [], []
    for area in info.findall(f"{{{ns}}}area"):
        descs.append(_text(area, "areaDesc", ns, required=True))
        for geocode in area.findall(f"{{{ns}}}geocode"):
            value = _text(geocode, "value", ns)
            if AREA_CODE.match(value):
                codes.append(value)
    return OfficialWarning(
        format="cap",
        **header,  # type: ignore[arg-type]
        severity=severity,
        colour=CAP_COLOURS.get(severity),
        event=_text(info, "event", ns, required=True),
        headline=_text(info, "headline", ns),
        description=_text(info, "description", ns),
        instruction=_text(info, "instruction", ns),
        area_desc="；".join(d for d in descs if d),
        areas=tuple(dict.fromkeys(codes)),
        effective=_time(_text(info, "effective", ns), "effective")
        or _time(_text(info, "onset", ns), "onset"),
        expires=_time(_text(info, "expires", ns), "expires"),
        sender_name=_text(info, "senderName", ns),
    )


def _colour(value: str) -> str | None:
    word = CHINESE_COLOURS.get(value, value).strip().lower()
    if word in COLOURS:
        return word
    if word in ("", "unknown", "未知"):
        return None
    raise WarningFormatError(
        f"severity: {value!r} is not a level (Red, Orange, Yellow, Blue, or 红色 …)",
        field="severity",
    )


def _national(root: ET.Element) -> OfficialWarning:
    header = _header(root, "", "sendTime")
    info = root.find("info")
    body = info if info is not None else root
    colour = _colour(_text(body, "severity"))
    codes, descs = [], []
    for area in body.findall("area"):
        descs.append(_text(area, "areaDesc"))
        for code in area.findall("areaCode"):
            value = (code.text or "").strip()
            if not AREA_CODE.match(value):
                raise WarningFormatError(
                    f"areaCode: {value!r} is not a 6-digit area code (GB/T 2260)",
                    field="areaCode",
                )
            codes.append(value)
    identifier = str(header["identifier"])
    if not codes and AREA_CODE.match(identifier[:6]):
        codes.append(identifier[:6])  # the identifier starts with the issuing area's code
    if header["msg_type"] in ("Alert", "Update"):
        _text(body, "headline", required=True)
    return OfficialWarning(
        format="national",
        **header,  # type: ignore[arg-type]
        severity=COLOURS.get(colour or "", "Unknown"),
        colour=colour,
        event=_text(body, "eventType"),
        headline=_text(body, "headline"),
        description=_text(body, "description"),
        instruction=_text(body, "instruction"),
        area_desc="；".join(d for d in descs if d),
        areas=tuple(dict.fromkeys(codes)),
        effective=_time(_text(body, "effective"), "effective"),
        expires=_time(_text(body, "expires"), "expires"),
        sender_name=_text(root, "senderName") or _text(body, "senderName"),
    )


def area_prefix(code: str) -> str:
    """The prefix of a GB/T 2260 code that the areas below it share: 330000 → 33 (a
    province), 330100 → 3301 (a city), 330106 → 330106 (a county)."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def covers(deployment: tuple[str, ...], areas: tuple[str, ...]) -> bool:
    """Whether a warning for ``areas`` concerns a deployment in ``deployment`` (empty: every
    area): one of its areas is one of the deployment's, below one, or above one (a warning for
    a province concerns each of its counties)."""
    if not deployment:
        return True
    return any(
        area.startswith(area_prefix(mine)) or mine.startswith(area_prefix(area))
        for mine in deployment
        for area in areas
    )
