"""What every page handler shares: who is signed in, the session and clock, form values."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app, flash, g, request
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy.orm import Session

from signage.accounts.models import User, UserSession
from signage.api.common import now as request_now
from signage.db import request_session
from signage.errors import InvalidInput, ServiceError, Unauthenticated
from signage.times import in_range
from signage.web.vocabulary import FIELD_LABELS

LANGUAGES = {"zh_Hans_CN": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh_Hans_CN"
SESSION_SECRET = "sid"  # the key of the sign-in session's secret in the signed cookie


def session_lifetime() -> dt.timedelta:
    """How long a sign-in lasts (``SIGNAGE_SESSION_HOURS``)."""
    return dt.timedelta(hours=current_app.config["SIGNAGE_SESSION_HOURS"])


def current_session() -> UserSession | None:
    """The signed-in user's session on the server, if there is one."""
    if not current_user.is_authenticated:  # loads the user, and with it the session
        return None
    row: UserSession | None = g.get("user_session")
    return row


def client_address() -> str:
    """The client's address (the one before any proxies ``SIGNAGE_PROXIES`` names)."""
    return request.remote_addr or ""


def signed_in() -> User:
    """Return the signed-in user, or raise :class:`Unauthenticated` (the sign-in page)."""
    if not current_user.is_authenticated:
        raise Unauthenticated("sign in first")
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    return user


def session() -> Session:
    return request_session()


def now() -> dt.datetime:
    return request_now()


def text(name: str, default: str = "") -> str:
    """A form field's text, trimmed (an absent field is ``default``)."""
    return request.form.get(name, default).strip()


def done(text: str) -> None:
    """Say on the next page what the action did and what comes next (``text``, translated):
    every action that changes something confirms it so."""
    flash(text, "done")


def safe_next(target: str | None, fallback: str) -> str:
    """``target`` if it is a path on this site, else ``fallback`` (no open redirects)."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


def message(exc: ServiceError) -> str:
    """The error's message in the page's language where a translation exists, the field it
    names by the label the page gives it."""
    return exc.translated(gettext, FIELD_LABELS)


def zone() -> ZoneInfo:
    """The deployment's time zone (``SIGNAGE_TIMEZONE``)."""
    return ZoneInfo(current_app.config["SIGNAGE_TIMEZONE"])


def local_time(name: str) -> dt.datetime | None:
    """A field (form or query) holding a date and time as a ``datetime-local`` input sends it;
    without an offset it is read in the deployment's time zone. Empty is None."""
    raw = request.values.get(name, "").strip()
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("%(name)s is not a date and time", name=name, field=name) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone())
    return in_range(value, name)


def given_args(*names: str) -> dict[str, str]:
    """The query-string values among ``names`` that are not empty (to keep in links)."""
    return {name: request.args[name] for name in names if request.args.get(name)}
