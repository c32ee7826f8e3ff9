"""Register screens and groups, and issue screen tokens."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from playlists import ColorMode
from signage.accounts.models import Role, User
from signage.accounts.permissions import require_role, require_staff
from signage.accounts.tokens import SCREEN_PREFIX, display_prefix, new_token, token_hash
from signage.audit.services import record
from signage.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from signage.screens.epoch import bump_playlists
from signage.screens.models import Screen, ScreenGroup
from signage.screens.player_keys import retire_player_key
from signage.screens.readings import SETTINGS, apply_settings, check_settings, note_reading
from signage.screens.register import apply_register, check_register, register_json
from signage.screens.values import (
    check_color,
    check_dimensions,
    check_text,
    check_timezone,
    normalise_hours,
)

SCREEN_KEY = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


@dataclass(frozen=True)
class ScreenFields:
    """Validated screen settings (every field optional for an edit)."""

    name: str | None = None
    location: str | None = None
    width: int | None = None
    height: int | None = None
    color: str | None = None
    timezone: str | None = None
    hours: str | None = None  # "" clears (always on)
    groups: tuple[str, ...] | None = None
    # Reading speeds and legibility fields given (signage.screens.readings); None as a value
    # goes back to the deployment's speed, or to none.
    settings: Mapping[str, Any] | None = None
    # The register's fields given (signage.screens.register); None as a value clears one.
    register: Mapping[str, Any] | None = None


def get_screen(session: Session, key: str) -> Screen:
    screen = session.scalar(sa.select(Screen).where(Screen.key == key))
    if screen is None:
        raise NotFound("no screen %(key)s", key=repr(key))
    return screen


def list_screens(session: Session, actor: User) -> list[Screen]:
    require_staff(actor)
    return list(session.scalars(sa.select(Screen).order_by(Screen.key)))


def view_screen(session: Session, actor: User, key: str) -> Screen:
    require_staff(actor)
    return get_screen(session, key)


def groups_by_name(
    session: Session, names: Iterable[str], field: str = "groups"
) -> list[ScreenGroup]:
    """Return the groups named, in order; raise naming the first that does not exist."""
    wanted = list(dict.fromkeys(n.strip() for n in names))
    found = (
        {
            g.name: g
            for g in session.scalars(sa.select(ScreenGroup).where(ScreenGroup.name.in_(wanted)))
        }
        if wanted
        else {}
    )
    for name in wanted:
        if name not in found:
            raise InvalidInput("no screen group %(name)s", name=repr(name), field=field)
    return [found[n] for n in wanted]


def screens_by_key(session: Session, keys: Iterable[str], field: str = "screens") -> list[Screen]:
    """Return the screens with these keys, in order; raise naming the first unknown key."""
    wanted = list(dict.fromkeys(k.strip() for k in keys))
    found = (
        {s.key: s for s in session.scalars(sa.select(Screen).where(Screen.key.in_(wanted)))}
        if wanted
        else {}
    )
    for key in wanted:
        if key not in found:
            raise InvalidInput("no screen %(key)s", key=repr(key), field=field)
    return [found[k] for k in wanted]


def create_screen(
    session: Session,
    actor: User | None,
    *,
    key: str,
    name: str,
    width: int,
    height: int,
    now: dt.datetime,
    color: str = ColorMode.FULL,
    timezone: str = "Asia/Shanghai",
    hours: str | None = None,
    location: str = "",
    groups: Iterable[str] = (),
    create_groups: bool = False,
    settings: Mapping[str, Any] | None = None,
    register: Mapping[str, Any] | None = None,
) -> tuple[Screen, str]:
    """Register a screen; return it and its bearer token (shown once).

    ``create_groups`` makes missing groups on the way (the command line's ``--group``); the API
    asks for groups that exist, so a typo does not silently make a new group.
    """
    if actor is not None:
        require_role(actor, Role.ADMIN)
    key = key.strip()
    if not SCREEN_KEY.match(key):
        raise InvalidInput(
            "a screen key is 1–64 lowercase letters, digits and '-', not starting or ending "
            "with '-'",
            field="key",
        )
    name = check_text(name, "name", 1, 100)
    location = check_text(location, "location", 0, 200)
    check_dimensions(width, height)
    color = check_color(color)
    timezone = check_timezone(timezone)
    hours = normalise_hours(hours)
    checked = check_settings(settings or {})
    registered = check_register(register or {})
    group_names = [g.strip() for g in groups]
    if create_groups:
        for group_name in group_names:
            ensure_group(session, actor, name=group_name, now=now)
    group_rows = groups_by_name(session, group_names)
    if session.scalar(sa.select(Screen.id).where(Screen.key == key)) is not None:
        raise Conflict("screen %(key)s already exists", key=repr(key), field="key")
    token = new_token(SCREEN_PREFIX)
    screen = Screen(
        key=key,
        name=name,
        location=location,
        width=width,
        height=height,
        color=color,
        timezone=timezone,
        hours=hours,
        token_hash=token_hash(token),
        token_prefix=display_prefix(token),
        created_at=now,
        updated_at=now,
        groups=group_rows,
    )
    apply_settings(screen, checked)
    apply_register(screen, registered)
    session.add(screen)
    session.flush()
    note_reading(session, screen, now)
    bump_playlists(session, [screen.id])
    record(
        session,
        actor=actor,
        actor_name="cli",
        action="screen.create",
        object_type="screen",
        object_id=key,
        now=now,
        details=describe_screen(screen),
    )
    return screen, token


def update_screen(
    session: Session, actor: User, key: str, fields: ScreenFields, *, now: dt.datetime
) -> Screen:
    """Change a screen's settings (admin); records what changed."""
    require_role(actor, Role.ADMIN)
    screen = get_screen(session, key)
    before = describe_screen(screen)
    if fields.name is not None:
        screen.name = check_text(fields.name, "name", 1, 100)
    if fields.location is not None:
        screen.location = check_text(fields.location, "location", 0, 200)
    if fields.width is not None or fields.height is not None:
        width = fields.width if fields.width is not None else screen.width
        height = fields.height if fields.height is not None else screen.height
        check_dimensions(width, height)
        screen.width, screen.height = width, height
    if fields.color is not None:
        screen.color = check_color(fields.color)
    if fields.timezone is not None:
        screen.timezone = check_timezone(fields.timezone)
    if fields.hours is not None:
        screen.hours = normalise_hours(fields.hours)
    if fields.groups is not None:
        screen.groups = groups_by_name(session, fields.groups)
    if fields.settings is not None:
        apply_settings(screen, check_settings(fields.settings))
    if fields.register is not None:
        apply_register(screen, check_register(fields.register))
    after = describe_screen(screen)
    changes = {k: v for k, v in after.items() if before[k] != v}
    if not changes:
        raise InvalidInput("the request changes nothing")
    screen.updated_at = now
    session.flush()
    # From now on its playlists are compiled with the new speeds; plays before keep theirs.
    note_reading(session, screen, now)
    bump_playlists(session, [screen.id])
    record(
        session,
        actor=actor,
        action="screen.update",
        object_type="screen",
        object_id=key,
        now=now,
        details=changes,
    )
    return screen


def rotate_screen_token(
    session: Session, actor: User | None, key: str, *, now: dt.datetime
) -> tuple[Screen, str]:
    """Give a screen a new token; the old one stops working at once."""
    if actor is not None:
        require_role(actor, Role.ADMIN)
    screen = get_screen(session, key)
    token = new_token(SCREEN_PREFIX)
    screen.token_hash = token_hash(token)
    screen.token_prefix = display_prefix(token)
    screen.updated_at = now
    bump_playlists(session, [screen.id])  # drops the old token from every cache
    # The next player to connect registers its own key; the old one's signatures stay valid.
    retired = retire_player_key(session, screen.id, now=now)
    record(
        session,
        actor=actor,
        actor_name="cli",
        action="screen.token_rotate",
        object_type="screen",
        object_id=key,
        now=now,
        details={"prefix": screen.token_prefix, "player_key_retired": retired},
    )
    return screen, token


def screen_for_token(session: Session, text: str) -> Screen:
    """Return the screen a bearer token belongs to, or raise :class:`Unauthenticated`."""
    screen = session.scalar(sa.select(Screen).where(Screen.token_hash == token_hash(text)))
    if screen is None:
        raise Unauthenticated("the screen token is unknown or was rotated")
    return screen


def list_groups(session: Session, actor: User) -> list[ScreenGroup]:
    require_staff(actor)
    return list(session.scalars(sa.select(ScreenGroup).order_by(ScreenGroup.name)))


def create_group(
    session: Session,
    actor: User | None,
    *,
    name: str,
    now: dt.datetime,
    description: str = "",
    sensitive: bool = False,
) -> ScreenGroup:
    """Create a screen group (admin). Notices reaching a ``sensitive`` group get their review
    chain's escalation stage (提级审核)."""
    if actor is not None:
        require_role(actor, Role.ADMIN)
    name = check_text(name, "name", 1, 100)
    description = check_text(description, "description", 0, 200)
    if session.scalar(sa.select(ScreenGroup.id).where(ScreenGroup.name == name)) is not None:
        raise Conflict("screen group %(name)s already exists", name=repr(name), field="name")
    group = ScreenGroup(name=name, description=description, sensitive=sensitive, created_at=now)
    session.add(group)
    session.flush()
    record(
        session,
        actor=actor,
        actor_name="cli",
        action="group.create",
        object_type="screen_group",
        object_id=name,
        now=now,
        details={"description": description, "sensitive": group.sensitive},
    )
    return group


def mark_group(
    session: Session, actor: User, name: str, *, sensitive: bool, now: dt.datetime
) -> ScreenGroup:
    """Mark a group sensitive or not (admin): from the next submission, notices reaching a
    sensitive group get the escalation stage."""
    require_role(actor, Role.ADMIN)
    group = groups_by_name(session, [name], field="name")[0]
    if group.sensitive == sensitive:
        raise InvalidInput("the request changes nothing")
    group.sensitive = sensitive
    record(
        session,
        actor=actor,
        action="group.update",
        object_type="screen_group",
        object_id=group.name,
        now=now,
        details={"sensitive": sensitive},
    )
    return group


def ensure_group(
    session: Session, actor: User | None, *, name: str, now: dt.datetime
) -> ScreenGroup:
    """Return the group called ``name``, creating it if needed."""
    group = session.scalar(sa.select(ScreenGroup).where(ScreenGroup.name == name.strip()))
    return group if group is not None else create_group(session, actor, name=name, now=now)


def describe_screen(screen: Screen) -> dict[str, object]:
    """Return the screen's settings as plain values (API answers and audit details)."""
    return {
        "key": screen.key,
        "name": screen.name,
        "location": screen.location,
        "width": screen.width,
        "height": screen.height,
        "color": screen.color,
        "timezone": screen.timezone,
        "hours": screen.hours,
        "groups": [g.name for g in screen.groups],
        **{name: getattr(screen, name) for name in SETTINGS},
        **register_json(screen),
    }
