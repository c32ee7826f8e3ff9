"""Pages: screens with their state, one screen's day, adding and editing screens, groups."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask_babel import gettext

from playlists import ColorMode
from playlists.reading import PAGE_S_RANGE, READ_CPM_RANGE, SCROLL_CPM_RANGE
from signage.accounts.models import Role
from signage.accounts.permissions import require_role
from signage.api.common import csv_response, forget_when_committed
from signage.delivery.cache import get_cache
from signage.delivery.durations import measurer
from signage.delivery.services import compile_for_screen, screen_timeline, showing_at
from signage.displaylog.refused import refused_events
from signage.errors import Conflict, InvalidInput, NotFound
from signage.health.models import Screenshot, ScreenStatus
from signage.health.services import refusals
from signage.keys.services import get_keys
from signage.reports.gaps import duration_text
from signage.screens import services
from signage.screens.daychart import day_chart
from signage.screens.player_keys import current_player_key
from signage.screens.readings import (
    BRIGHTNESS,
    LEGIBILITY,
    SETTINGS,
    SPEEDS,
    default_reading,
    reading_of,
)
from signage.screens.register import (
    REGISTER,
    SIZES,
    NetworkMode,
    register_csv,
    register_json,
    screen_register,
)
from signage.screens.services import ScreenFields
from signage.screens.values import parse_size
from signage.times import day_bounds, local_date
from signage.web.dashboard import screen_states
from signage.web.pages import done, message, now, session, signed_in, text

bp = Blueprint("screens", __name__)

# The time zones a screen may be in: China's first, then every other the system knows.
CHINA = ("Asia/Shanghai", "Asia/Urumqi", "Asia/Hong_Kong", "Asia/Macau", "Asia/Taipei")
TIMEZONES = CHINA + tuple(
    sorted(
        z
        for z in available_timezones() - set(CHINA)
        if "/" in z and not z.startswith(("Etc/", "posix/", "right/", "SystemV/"))
    )
)


@bp.get("/screens")
def index() -> Any:
    states = screen_states(session(), signed_in(), get_cache(current_app), now())
    return render_template("screens/index.html", states=states)


@bp.get("/screens/<key>")
def detail(key: str) -> Any:
    db = session()
    actor = signed_in()
    screen = services.view_screen(db, actor, key)
    at = now()
    weights = current_app.config["SIGNAGE_PRIORITY_WEIGHTS"]
    # Compiled afresh rather than from the poll cache: a person who just approved a notice
    # sees it here at once.
    showing = showing_at(compile_for_screen(db, screen, now=at, weights=weights), at)
    zone = ZoneInfo(screen.timezone)
    day_start, day_end = day_bounds(local_date(at, zone), zone)
    slots = screen_timeline(db, screen, day_start, day_end, weights=weights)
    shown = [s for s in slots if s.item is not None]
    return render_template(
        "screens/detail.html",
        screen=screen,
        status=db.get(ScreenStatus, screen.id),
        refusals=refusals(db, screen.id, limit=10),
        refused_events=refused_events(db, screen.id, limit=10),
        registered_key=current_player_key(db, screen.id),
        controller_font=measurer().font,
        reading=reading_of(screen),
        signing_key=get_keys(current_app).key().key_id,
        shot=db.get(Screenshot, screen.id),
        current=showing,
        chart=day_chart(slots, day_start, day_end),
        duration=duration_text,
        clock=lambda minutes: (
            (day_start + dt.timedelta(minutes=minutes)).astimezone(zone).strftime("%H:%M")
        ),
        plays=len(shown),
        day=day_start,
        now=at,
    )


@bp.get("/screens/<key>/screenshot.png")
def screenshot(key: str) -> Response:
    db = session()
    screen = services.view_screen(db, signed_in(), key)
    shot = db.get(Screenshot, screen.id)
    if shot is None:
        raise NotFound("screen %(key)s has not sent a screenshot yet", key=repr(key))
    response = Response(shot.png, mimetype="image/png")
    response.headers["Cache-Control"] = "private, max-age=30"
    return response


def _form_page(screen: Any = None, status: int = 200, **context: Any) -> tuple[str, int]:
    groups = services.list_groups(session(), signed_in())
    return (
        render_template(
            "screens/form.html",
            screen=screen,
            groups=groups,
            colors=list(ColorMode),
            form=request.form,
            defaults=default_reading(),
            reading_fields=READING_FIELDS,
            screen_register=register_json,
            network_modes=[m.value for m in NetworkMode],
            timezones=TIMEZONES,
            **context,
        ),
        status,
    )


READING_FIELDS = [
    ("scroll_cpm", *SCROLL_CPM_RANGE),
    ("page_s", *PAGE_S_RANGE),
    ("read_cpm", *READ_CPM_RANGE),
    ("pixel_pitch_mm", *LEGIBILITY["pixel_pitch_mm"]),
    ("viewing_distance_m", *LEGIBILITY["viewing_distance_m"]),
]


def _settings() -> dict[str, Any]:
    """The reading and legibility fields of the form, as numbers (empty: the default)."""
    values: dict[str, Any] = {}
    for name in SETTINGS:
        raw = text(name)
        if not raw:
            values[name] = None
            continue
        if name == BRIGHTNESS:
            values[name] = raw
            continue
        try:
            values[name] = int(raw) if name in SPEEDS else float(raw)
        except ValueError:
            raise InvalidInput("%(name)s must be a number", name=name, field=name) from None
    return values


def _register() -> dict[str, Any]:
    """The register fields of the form (empty clears one); sizes as numbers."""
    values: dict[str, Any] = {}
    for name in REGISTER:
        raw = text(name)
        if raw and name in SIZES:
            try:
                values[name] = float(raw)
            except ValueError:
                raise InvalidInput("%(name)s must be a number", name=name, field=name) from None
        else:
            values[name] = raw or None
    return values


def _size() -> tuple[int, int]:
    try:
        return parse_size(text("size"))
    except InvalidInput as exc:
        exc.field = "size"
        raise


@bp.route("/screens/new", methods=["GET", "POST"])
def create() -> Any:
    actor = signed_in()
    if request.method == "GET":
        require_role(actor, Role.ADMIN)
        return _form_page()
    try:
        width, height = _size()
        screen, token = services.create_screen(
            session(),
            actor,
            key=text("key"),
            name=text("name"),
            location=text("location"),
            width=width,
            height=height,
            color=text("color", "full"),
            timezone=text("timezone") or current_app.config["SIGNAGE_TIMEZONE"],
            hours=text("hours") or None,
            groups=request.form.getlist("groups"),
            settings=_settings(),
            register=_register(),
            now=now(),
        )
    except (InvalidInput, Conflict) as exc:
        return _form_page(status=422, error=message(exc), field=exc.field)
    return render_template("screens/token.html", screen=screen, token=token), 201


@bp.route("/screens/<key>/edit", methods=["GET", "POST"])
def edit(key: str) -> Any:
    actor = signed_in()
    screen = services.view_screen(session(), actor, key)
    if request.method == "GET":
        require_role(actor, Role.ADMIN)
        return _form_page(screen)
    try:
        width, height = _size()
        services.update_screen(
            session(),
            actor,
            key,
            ScreenFields(
                name=text("name"),
                location=text("location"),
                width=width,
                height=height,
                color=text("color"),
                timezone=text("timezone"),
                hours=text("hours"),
                groups=tuple(request.form.getlist("groups")),
                settings=_settings(),
                register=_register(),
            ),
            now=now(),
        )
    except (InvalidInput, Conflict) as exc:
        return _form_page(screen, status=422, error=message(exc), field=exc.field)
    done(
        gettext(
            "Screen %(name)s is saved. Its player gets the change at its next poll, within "
            "seconds.",
            name=screen.name,
        )
    )
    return redirect(url_for(".detail", key=key), 303)


@bp.post("/screens/<key>/token")
def rotate_token(key: str) -> Any:
    screen, token = services.rotate_screen_token(session(), signed_in(), key, now=now())
    forget_when_committed(screen.id)
    return render_template("screens/token.html", screen=screen, token=token, rotated=True)


@bp.get("/screen-register.csv")
def register() -> Response:
    """The register of screens as CSV, for supervisors (opens in Excel on Chinese Windows)."""
    screens = screen_register(session(), signed_in())
    return csv_response(register_csv(screens), "screen-register.csv", for_excel=True)


@bp.route("/groups", methods=["GET", "POST"])
def groups() -> Any:
    actor = signed_in()
    status, context = 200, {}
    if request.method == "POST":
        try:
            if request.form.get("mark"):
                sensitive = request.form.get("mark") == "sensitive"
                services.mark_group(session(), actor, text("name"), sensitive=sensitive, now=now())
                done(
                    gettext(
                        "Group %(name)s is marked sensitive: notices aimed at it are submitted "
                        "with the escalation stage from now on.",
                        name=text("name"),
                    )
                    if sensitive
                    else gettext("Group %(name)s is no longer marked sensitive.", name=text("name"))
                )
            else:
                services.create_group(
                    session(),
                    actor,
                    name=text("name"),
                    description=text("description"),
                    sensitive=request.form.get("sensitive") == "yes",
                    now=now(),
                )
                done(
                    gettext(
                        "Group %(name)s is created. Add screens to it on each screen's page.",
                        name=text("name"),
                    )
                )
            return redirect(url_for(".groups"), 303)
        except (InvalidInput, Conflict) as exc:
            status, context = 422, {"error": message(exc)}
    return (
        render_template(
            "screens/groups.html", groups=services.list_groups(session(), actor), **context
        ),
        status,
    )
