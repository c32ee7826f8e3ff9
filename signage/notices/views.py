"""Pages: the notice list, the editor with a live preview, a notice's history, the review queue."""

from __future__ import annotations

import datetime as dt
import difflib
from typing import Any

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask_babel import gettext
from markupsafe import Markup, escape

from playlists import Kind, Priority
from signage.api.common import query_int
from signage.errors import Conflict, InvalidInput
from signage.media.models import Media
from signage.media.services import MediaLimits, upload_media
from signage.notices import queries, review, services
from signage.notices.models import NoticeRevision, NoticeStatus
from signage.notices.preview import Draft, fonts_for, preview_png, scale_for
from signage.notices.services import NoticeFields, NoticeRules
from signage.screens.models import Screen
from signage.screens.services import list_groups, list_screens, view_screen
from signage.web.pages import local_time, message, now, session, signed_in, text, zone

bp = Blueprint("notices", __name__)

PAGE = 30
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends


def _rules() -> NoticeRules:
    return NoticeRules(categories=current_app.config["SIGNAGE_CATEGORIES"])


def local_input(value: dt.datetime | None) -> str:
    """A UTC time as the value of a datetime-local input, in the deployment's zone (empty for
    none, or for a time stored out of range that the author must enter again)."""
    if value is None:
        return ""
    try:
        return value.astimezone(zone()).strftime(LOCAL_FORMAT)
    except (OverflowError, ValueError):
        return ""


def _int(name: str) -> int | None:
    raw = text(name)
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(f"{name} must be a whole number", field=name) from None


def _form_fields() -> NoticeFields:
    """The editor's fields as a complete revision (an edit replaces every field)."""
    kind = text("kind", "text")
    media = text("media_sha256") if kind == Kind.IMAGE else ""
    upload = request.files.get("image")
    if kind == Kind.IMAGE and upload is not None and upload.filename:
        limits = MediaLimits(
            max_bytes=current_app.config["SIGNAGE_MEDIA_MAX_BYTES"],
            max_pixels=current_app.config["SIGNAGE_MEDIA_MAX_PIXELS"],
        )
        stored, _ = upload_media(session(), signed_in(), upload.read(), now=now(), limits=limits)
        media = stored.sha256
    working_days = _int("required_working_days")
    return NoticeFields(
        title=text("title"),
        body=request.form.get("body", "").replace("\r\n", "\n").strip(),
        category=text("category"),
        kind=kind,
        media_sha256=media,
        priority=text("priority", "normal"),
        duration_s=_int("duration_s"),
        valid_from=local_time("valid_from"),
        valid_until=local_time("valid_until"),
        dayparts=text("dayparts"),
        screens=request.form.getlist("screens"),
        groups=request.form.getlist("groups"),
        required_working_days=working_days if working_days is not None else 0,
    )


# --- list and history ------------------------------------------------------------------------


@bp.get("/notices")
def index() -> Any:
    actor = signed_in()
    db = session()
    page = query_int("page", 1, low=1, high=1_000_000)
    filters = {
        name: request.args.get(name) or None for name in ("status", "category", "screen", "text")
    }
    try:
        notices, total = services.list_notices(
            db, actor, **filters, limit=PAGE, offset=(page - 1) * PAGE
        )
        error = None
    except InvalidInput as exc:
        notices, total, error = [], 0, message(exc)
    return render_template(
        "notices/index.html",
        notices=notices,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE)),
        filters=filters,
        statuses=list(NoticeStatus),
        categories=current_app.config["SIGNAGE_CATEGORIES"],
        screens=list_screens(db, actor),
        error=error,
    ), (422 if error else 200)


def _detail_page(notice_id: int, status: int = 200, **context: Any) -> tuple[str, int]:
    db = session()
    notice = services.view_notice(db, signed_in(), notice_id)
    page = render_template(
        "notices/detail.html",
        notice=notice,
        history=queries.notice_history(db, notice),
        targets=_target_screens(db, notice.latest_revision),
        scale_for=scale_for,
        **context,
    )
    return page, status


@bp.get("/notices/<int:notice_id>")
def detail(notice_id: int) -> Any:
    return _detail_page(notice_id)


def _target_screens(db: Any, revision: NoticeRevision) -> list[Screen]:
    return queries.target_screens(db, revision)


# --- the editor ------------------------------------------------------------------------------


def _editor(notice: Any = None, status: int = 200, **context: Any) -> tuple[str, int]:
    db = session()
    actor = signed_in()
    revision = notice.latest_revision if notice is not None else None
    return (
        render_template(
            "notices/edit.html",
            notice=notice,
            revision=revision,
            form=request.form if request.method == "POST" else None,
            categories=current_app.config["SIGNAGE_CATEGORIES"],
            kinds=list(Kind),
            priorities=list(Priority),
            screens=list_screens(db, actor),
            groups=list_groups(db, actor),
            local_input=local_input,
            default_from=local_input(now()),
            default_until=local_input(now() + dt.timedelta(days=7)),
            scale_for=scale_for,
            **context,
        ),
        status,
    )


@bp.route("/notices/new", methods=["GET", "POST"])
def create() -> Any:
    actor = signed_in()
    if request.method == "GET":
        services.may_author(actor)
        return _editor()
    try:
        notice = services.create_notice(session(), actor, _form_fields(), now=now(), rules=_rules())
        if request.form.get("then") == "submit":
            services.submit_notice(session(), actor, notice.id, now=now())
    except (InvalidInput, Conflict) as exc:
        return _editor(status=422, error=message(exc), field=exc.field)
    return redirect(url_for(".detail", notice_id=notice.id), 303)


@bp.route("/notices/<int:notice_id>/edit", methods=["GET", "POST"])
def edit(notice_id: int) -> Any:
    actor = signed_in()
    db = session()
    notice = services.view_notice(db, actor, notice_id)
    if request.method == "GET":
        services.may_edit(actor, notice)
        return _editor(notice)
    try:
        services.edit_notice(db, actor, notice_id, _form_fields(), now=now(), rules=_rules())
        if request.form.get("then") == "submit" and notice.status == NoticeStatus.DRAFT:
            services.submit_notice(db, actor, notice_id, now=now())
    except (InvalidInput, Conflict) as exc:
        return _editor(notice, status=422, error=message(exc), field=exc.field)
    return redirect(url_for(".detail", notice_id=notice_id), 303)


@bp.post("/notices/<int:notice_id>/submit")
def submit(notice_id: int) -> Response:
    services.submit_notice(session(), signed_in(), notice_id, now=now())
    return redirect(url_for(".detail", notice_id=notice_id), 303)


@bp.get("/notices/preview.png")
def preview() -> Response:
    """The notice drawn for one screen from the editor's current values (no state changes)."""
    db = session()
    screen = view_screen(db, signed_in(), request.args.get("screen", ""))
    try:
        duration = int(request.args.get("duration_s") or 15)
    except ValueError:
        raise InvalidInput("duration_s must be a whole number", field="duration_s") from None
    draft = Draft(
        title=request.args.get("title", "")[:200],
        body=request.args.get("body", "")[:5000],
        category=request.args.get("category", "")[:32],
        kind=request.args.get("kind", "text"),
        priority=request.args.get("priority", "normal"),
        duration_s=duration,
    )
    image = None
    if draft.kind == "image" and request.args.get("media"):
        media = db.get(Media, request.args["media"].lower())
        image = media.data if media is not None else None
    png = preview_png(screen, draft, fonts_for(current_app), image)
    response = Response(png, mimetype="image/png")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


# --- review ----------------------------------------------------------------------------------


def _queue_page(status: int = 200, **context: Any) -> tuple[str, int]:
    db = session()
    entries = [
        (revision, _diff(revision), _target_screens(db, revision))
        for revision in review.review_queue(db, signed_in())
    ]
    page = render_template("notices/queue.html", entries=entries, scale_for=scale_for, **context)
    return page, status


@bp.get("/review")
def queue() -> Any:
    return _queue_page()


FIELDS_SHOWN = (
    ("title", "Title"),
    ("body", "Text"),
    ("category", "Category"),
    ("kind", "Kind"),
    ("priority", "Priority"),
    ("duration_s", "Seconds per showing"),
    ("valid_from", "From"),
    ("valid_until", "Until"),
    ("dayparts", "Times of day"),
    ("screens", "Screens"),
    ("groups", "Groups"),
    ("required_working_days", "Public-notice working days"),
    ("media_sha256", "Image"),
)


def _value(revision: NoticeRevision | None, name: str) -> str:
    if revision is None:
        return ""
    if name == "screens":
        return ", ".join(sorted(s.key for s in revision.screens))
    if name == "groups":
        return ", ".join(sorted(g.name for g in revision.groups))
    value = getattr(revision, name)
    if name in ("kind", "priority"):
        return gettext(value)
    if isinstance(value, dt.datetime):
        return local_input(value).replace("T", " ")
    return "" if value is None else str(value)


def _diff(revision: NoticeRevision) -> list[tuple[str, str, Markup | None]]:
    """(field label, new value, marked-up difference or None when unchanged) per field,
    against the live revision (or nothing, for a notice never approved)."""
    notice = revision.notice
    live = notice.live_revision if notice.live_revision_id != revision.id else None
    rows = []
    for name, label in FIELDS_SHOWN:
        old, new = _value(live, name), _value(revision, name)
        rows.append((label, new, None if old == new else _inline_diff(old, new)))
    return rows


def _inline_diff(old: str, new: str) -> Markup:
    """``old`` → ``new`` with removed text struck out and added text marked, character by
    character (Chinese has no spaces to split words at)."""
    out = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            out.append(escape(old[a1:a2]))
            continue
        if a2 > a1:
            out.append(Markup("<del>%s</del>") % old[a1:a2])
        if b2 > b1:
            out.append(Markup("<ins>%s</ins>") % new[b1:b2])
    return Markup("").join(out)


@bp.post("/notices/<int:notice_id>/approve")
def approve(notice_id: int) -> Any:
    actor = signed_in()
    try:
        review.approve_notice(
            session(),
            actor,
            notice_id,
            confidentiality_reviewed=request.form.get("confidentiality_reviewed") == "yes",
            note=text("note"),
            revision_number=_int("revision"),
            now=now(),
        )
    except (InvalidInput, Conflict) as exc:
        return _queue_page(422, error=message(exc))
    return redirect(url_for(".queue"), 303)


@bp.post("/notices/<int:notice_id>/reject")
def reject(notice_id: int) -> Any:
    try:
        review.reject_notice(session(), signed_in(), notice_id, reason=text("reason"), now=now())
    except (InvalidInput, Conflict) as exc:
        return _queue_page(422, error=message(exc))
    return redirect(url_for(".queue"), 303)


@bp.post("/notices/<int:notice_id>/withdraw")
def withdraw(notice_id: int) -> Any:
    try:
        services.withdraw_notice(
            session(), signed_in(), notice_id, reason=text("reason"), now=now()
        )
    except (InvalidInput, Conflict) as exc:
        return _detail_page(notice_id, 422, error=message(exc))
    return redirect(url_for(".detail", notice_id=notice_id), 303)
