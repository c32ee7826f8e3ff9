"""A revision's content: its fields (one list for every layer), their checks, its content hash.

:class:`NoticeFields` is the field list. The API's request body is made from it
(:mod:`signage.notices.schemas`), revisions are built from it and read back into it, the JSON
of a revision and the review page's diff follow it, and the content hash covers exactly these
fields, so a field added here is carried, checked and hashed everywhere at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from playlists import Kind, Priority
from playlists.content import CONTENT_FIELDS, LEVELS, content_sha256
from signage.errors import InvalidInput
from signage.media.models import Media
from signage.notices.models import NoticeRevision
from signage.screens.models import Screen, ScreenGroup
from signage.screens.services import groups_by_name, screens_by_key
from signage.screens.values import normalise_hours
from signage.times import in_range, isoformat_z

TITLE_MAX = 200
BODY_MAX = 5000
DURATION_RANGE = (3, 600)
WORKING_DAYS_RANGE = (1, 60)
MAX_WINDOW = dt.timedelta(days=3 * 366)


@dataclass(frozen=True)
class NoticeFields:
    """The content of a revision; ``None`` means "not given" (keep the previous value on edit).

    To clear ``dayparts``, ``media_sha256``, ``level`` or ``required_working_days`` on an edit,
    pass ``""`` or ``0`` respectively; ``screens`` and ``groups`` are replaced when given.
    """

    title: str | None = None
    body: str | None = None
    category: str | None = None
    kind: str | None = None
    media_sha256: str | None = None
    priority: str | None = None
    duration_s: int | None = None
    valid_from: dt.datetime | None = None
    valid_until: dt.datetime | None = None
    dayparts: str | None = None
    screens: Sequence[str] | None = None  # screen keys
    groups: Sequence[str] | None = None  # screen group names
    required_working_days: int | None = None
    # A warning's level (playlists.content.LEVELS): an urgent notice drawn in its colour.
    level: str | None = None

    def given(self) -> dict[str, Any]:
        return {n: getattr(self, n) for n in FIELD_NAMES if getattr(self, n) is not None}


FIELD_NAMES = tuple(f.name for f in dataclasses.fields(NoticeFields))
if FIELD_NAMES != CONTENT_FIELDS:  # the content hash is the protocol's: one field list
    raise RuntimeError("NoticeFields must be playlists.content.CONTENT_FIELDS, in order")
TARGETS = ("screens", "groups")  # the fields held as links to rows, not as columns
COLUMNS = tuple(name for name in FIELD_NAMES if name not in TARGETS)
# The fields a checked revision may leave empty; every other one always has a value.
MAY_BE_EMPTY = frozenset({"media_sha256", "dayparts", "required_working_days", "level"})


@dataclass(frozen=True)
class NoticeRules:
    """Deployment settings the workflow checks against."""

    categories: tuple[str, ...]


@dataclass(frozen=True)
class Content:
    """A revision's content, checked: every field set and normalised (``values``), the targets
    as rows."""

    values: NoticeFields
    screens: list[Screen]
    groups: list[ScreenGroup]

    def content_hash(self) -> str:
        """The SHA-256 of the canonical JSON of every field (the revision's ``content_sha256``)."""
        return content_sha256(plain_fields(self.values))

    def columns(self) -> dict[str, Any]:
        """The revision's column values."""
        return {name: getattr(self.values, name) for name in COLUMNS}


def plain_fields(values: NoticeFields) -> dict[str, Any]:
    """Every field as JSON takes it: times in UTC with ``Z``, targets sorted."""
    out = {}
    for name in FIELD_NAMES:
        value = getattr(values, name)
        if isinstance(value, dt.datetime):
            value = isoformat_z(value)
        elif name in TARGETS:
            value = sorted(value or ())
        out[name] = value
    return out


def revision_fields(revision: NoticeRevision) -> NoticeFields:
    """A stored revision's content as fields."""
    return NoticeFields(
        **{name: getattr(revision, name) for name in COLUMNS},
        screens=[s.key for s in revision.screens],
        groups=[g.name for g in revision.groups],
    )


def changed_fields(before: NoticeRevision, after: Content) -> list[str]:
    """The names of the fields whose values differ between a revision and new content."""
    old, new = plain_fields(revision_fields(before)), plain_fields(after.values)
    return [name for name in FIELD_NAMES if old[name] != new[name]]


def check_content(session: Session, values: dict[str, Any], rules: NoticeRules) -> Content:
    """Check every field of a complete revision; raise :class:`InvalidInput` naming the field."""
    title = str(values["title"]).strip()
    if not 1 <= len(title) <= TITLE_MAX:
        raise InvalidInput(
            "the title must be 1–%(title_max)s characters", title_max=TITLE_MAX, field="title"
        )
    body = str(values.get("body") or "").strip()
    if len(body) > BODY_MAX:
        raise InvalidInput(
            "the body must be at most %(body_max)s characters", body_max=BODY_MAX, field="body"
        )
    category = values["category"]
    if category not in rules.categories:
        raise InvalidInput(
            "unknown category %(category)s; categories are %(items)s",
            category=repr(category),
            items="、".join(rules.categories),
            field="category",
        )
    kind = enum_value(Kind, values.get("kind") or Kind.TEXT, "kind")
    priority = enum_value(Priority, values.get("priority") or Priority.NORMAL, "priority")
    media_sha256 = values.get("media_sha256") or None
    if kind == Kind.IMAGE:
        if media_sha256 is None:
            raise InvalidInput(
                "an image notice needs media_sha256 (upload the image first)", field="media_sha256"
            )
        media_sha256 = str(media_sha256).lower()
        if session.get(Media, media_sha256) is None:
            raise InvalidInput(
                "no uploaded media %(media_sha256)s",
                media_sha256=repr(media_sha256),
                field="media_sha256",
            )
    elif media_sha256 is not None:
        raise InvalidInput("only image notices carry media", field="media_sha256")
    duration_s = values.get("duration_s") or 15
    if (
        isinstance(duration_s, bool)
        or not isinstance(duration_s, int)
        or not (DURATION_RANGE[0] <= duration_s <= DURATION_RANGE[1])
    ):
        raise InvalidInput(
            "duration_s must be a whole number of seconds, %(low)s–%(high)s",
            low=DURATION_RANGE[0],
            high=DURATION_RANGE[1],
            field="duration_s",
        )
    window = []
    for name in ("valid_from", "valid_until"):
        value = values.get(name)
        if not isinstance(value, dt.datetime):
            raise InvalidInput("%(name)s is required", name=name, field=name)
        window.append(in_range(value, name))
    valid_from, valid_until = window
    if valid_until <= valid_from:
        raise InvalidInput("valid_until must be after valid_from", field="valid_until")
    if valid_until - valid_from > MAX_WINDOW:
        raise InvalidInput("the validity window may be at most three years", field="valid_until")
    dayparts = normalise_hours(values.get("dayparts") or None, field="dayparts")
    screens = screens_by_key(session, values.get("screens") or ())
    groups = groups_by_name(session, values.get("groups") or ())
    days = values.get("required_working_days") or None
    if days is not None and (
        isinstance(days, bool)
        or not isinstance(days, int)
        or not (WORKING_DAYS_RANGE[0] <= days <= WORKING_DAYS_RANGE[1])
    ):
        raise InvalidInput(
            "required_working_days must be %(low)s–%(high)s",
            low=WORKING_DAYS_RANGE[0],
            high=WORKING_DAYS_RANGE[1],
            field="required_working_days",
        )
    level = values.get("level") or None
    if level is not None:
        if level not in LEVELS:
            raise InvalidInput("level is one of %(items)s", items=", ".join(LEVELS), field="level")
        if priority != Priority.URGENT:
            raise InvalidInput("only an urgent notice carries a warning level", field="level")
    checked = NoticeFields(
        title=title,
        body=body,
        category=category,
        kind=kind,
        media_sha256=media_sha256,
        priority=priority,
        duration_s=duration_s,
        valid_from=valid_from,
        valid_until=valid_until,
        dayparts=dayparts,
        screens=[s.key for s in screens],
        groups=[g.name for g in groups],
        required_working_days=days,
        level=level,
    )
    return Content(checked, screens, groups)


def enum_value(enum_type: Any, value: Any, field: str) -> str:
    """``value`` as a plain string of ``enum_type``, or an error listing the allowed ones."""
    try:
        return str(enum_type(value).value)
    except ValueError:
        allowed = ", ".join(e.value for e in enum_type)
        raise InvalidInput(
            "%(name)s must be one of %(allowed)s",
            name=field,
            allowed=allowed,
            field=field,
        ) from None
