"""What the register of screens holds about each one (带屏电子显示终端登记).

Provinces now ask every office with screens in public places to register them: where each
is, who answers for it and how to reach them, the computer that controls it, how it is
networked (内网 an internal network, 专网 a dedicated one, 互联网 the internet), its LED
pitch and physical size, and when it was installed. The pitch is the legibility field the
screen already has (:mod:`signage.screens.readings`); the rest are here, each optional, and
the register is exported as CSV for supervisors (:func:`register_rows`).
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from signage.accounts.models import User
from signage.accounts.permissions import SUPERVISING, require_role
from signage.csvfiles import to_csv
from signage.errors import InvalidInput
from signage.screens.models import Screen


class NetworkMode(enum.StrEnum):
    INTRANET = "intranet"  # 内网
    PRIVATE = "private"  # 专网
    INTERNET = "internet"  # 互联网


TEXTS = {"responsible_person": 50, "responsible_phone": 30, "control_pc": 100}
SIZES = ("physical_width_m", "physical_height_m")
SIZE_RANGE = (0.05, 200.0)
REGISTER = (*TEXTS, "network_mode", *SIZES, "installed_on")
PHONE = re.compile(r"^[0-9+\-() 转]{3,30}$")
INSTALLED_RANGE = (dt.date(1990, 1, 1), dt.date(2100, 12, 31))


def check_register(values: Mapping[str, Any]) -> dict[str, Any]:
    """Validate the register fields given (None or "" clears one); raise
    :class:`InvalidInput` naming the first that is wrong."""
    checked: dict[str, Any] = {}
    for name, value in values.items():
        if name not in REGISTER:
            raise InvalidInput("unknown register field %(name)s", name=repr(name), field=name)
        if value is None or value == "":
            checked[name] = None
        elif name in TEXTS:
            text = str(value).strip()
            if len(text) > TEXTS[name]:
                raise InvalidInput(
                    "%(name)s is at most %(value)s characters",
                    name=name,
                    value=TEXTS[name],
                    field=name,
                )
            if name == "responsible_phone" and not PHONE.match(text):
                raise InvalidInput(
                    "responsible_phone is a telephone number (digits, +, -, spaces)", field=name
                )
            checked[name] = text or None
        elif name == "network_mode":
            try:
                checked[name] = NetworkMode(value).value
            except ValueError:
                modes = ", ".join(m.value for m in NetworkMode)
                raise InvalidInput(
                    "network_mode must be one of %(modes)s", modes=modes, field=name
                ) from None
        elif name in SIZES:
            low, high = SIZE_RANGE
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidInput(
                    "%(name)s must be metres, %(low)s–%(high)s",
                    name=name,
                    low=low,
                    high=high,
                    field=name,
                )
            if not low <= float(value) <= high:
                raise InvalidInput(
                    "%(name)s must be metres, %(low)s–%(high)s",
                    name=name,
                    low=low,
                    high=high,
                    field=name,
                )
            checked[name] = float(value)
        else:  # installed_on
            day = value if isinstance(value, dt.date) else _date(value)
            if not INSTALLED_RANGE[0] <= day <= INSTALLED_RANGE[1]:
                raise InvalidInput("installed_on must be 1990–2100", field=name)
            checked[name] = day
    return checked


def _date(value: Any) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput("installed_on is a date, YYYY-MM-DD", field="installed_on") from None


def apply_register(screen: Screen, values: Mapping[str, Any]) -> None:
    """Set checked register fields (from :func:`check_register`) on ``screen``."""
    for name, value in values.items():
        setattr(screen, name, value)


def register_json(screen: Screen) -> dict[str, Any]:
    """The register fields as JSON takes them (the date as YYYY-MM-DD)."""
    out: dict[str, Any] = {name: getattr(screen, name) for name in REGISTER}
    installed = out["installed_on"]
    out["installed_on"] = installed.isoformat() if installed else None
    return out


COLUMNS = (
    "key",
    "name",
    "location",
    "groups",
    "responsible_person",
    "responsible_phone",
    "control_pc",
    "network_mode",
    "width_px",
    "height_px",
    "pixel_pitch_mm",
    "physical_width_m",
    "physical_height_m",
    "installed_on",
)


def register_rows(screens: Iterable[Screen]) -> list[dict[str, Any]]:
    """One row per screen for the register's CSV, in :data:`COLUMNS` order."""
    rows = []
    for s in screens:
        fields = register_json(s)
        rows.append(
            {
                "key": s.key,
                "name": s.name,
                "location": s.location,
                "groups": "、".join(g.name for g in s.groups),
                **{n: fields[n] for n in TEXTS},
                "network_mode": fields["network_mode"],
                "width_px": s.width,
                "height_px": s.height,
                "pixel_pitch_mm": s.pixel_pitch_mm,
                **{n: fields[n] for n in SIZES},
                "installed_on": fields["installed_on"],
            }
        )
    return rows


def screen_register(session: Session, actor: User) -> list[Screen]:
    """Every screen, by key, for the register (supervisors and admins)."""
    require_role(actor, *SUPERVISING)
    return list(
        session.scalars(sa.select(Screen).options(selectinload(Screen.groups)).order_by(Screen.key))
    )


def register_csv(screens: Iterable[Screen]) -> str:
    """The register as CSV, one row per screen, :data:`COLUMNS` as the header."""
    return to_csv(COLUMNS, [[row[c] for c in COLUMNS] for row in register_rows(screens)])
