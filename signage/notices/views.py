"""Pages: the notice list, the editor with a live preview, a notice's history (the review
queue is :mod:`signage.chains.views`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from playlists import Kind, Priority
from playlists.content import LEVELS
from signage.api.common import query_int
from signage.audit.text import sentences
from signage.chains.text import names_in, who_decides
from signage.errors import Conflict, InvalidInput
from signage.media.models import Media
from signage.media.services import MediaLimits, inspect_image, upload_media
from signage.notices import access, queries, services
from signage.notices import text as said
from signage.notices.models import NoticeRevision, NoticeStatus, RevisionState
from signage.notices.preview import Draft, fonts_for, preview_png, scale_for
from signage.notices.republish import republish_notice
from signage.notices.services import NoticeFields, NoticeRules
from signage.notices.steps import stage_of
from signage.notices.text import local_input
from signage.notices.text import playing as playing_on
from signage.screens.models import Screen
from signage.screens.services import list_groups, list_screens, view_screen
from signage.web.pages import local_time, message, now, session, signed_in, text

bp = Blueprint("notices", __name__)

PAGE = 30


def _rules() -> NoticeRules:
    return NoticeRules(categories=current_app.config["SIGNAGE_CATEGORIES"])


def _zone() -> str:
    return str(current_app.config["SIGNAGE_TIMEZONE"])


def _major() -> bool:
    """The submit form's "concerns a major matter (重大事项)" box."""
    return request.form.get("major_matter") == "yes"


def _takeover() -> bool:
    """The submit form's "takeover (整屏接管)" box."""
    return request.form.get("takeover") == "yes"


def _reach(exc: InvalidInput | Conflict) -> str | None:
    """The end a 公示's window must reach, as the editor's time field takes it, when that is
    what was wrong (the editor offers to set it)."""
    reach = (exc.details or {}).get("must_reach")
    return local_input(dt.datetime.fromisoformat(reach)) if reach else None


def _media_limits() -> MediaLimits:
    return MediaLimits(
        max_bytes=current_app.config["SIGNAGE_MEDIA_MAX_BYTES"],
        max_pixels=current_app.config["SIGNAGE_MEDIA_MAX_PIXELS"],
    )


def _anyway() -> bool:
    """The editor's "show the image on strips anyway" box."""
    return request.form.get("show_image_on_strips") == "yes"


def _int(name: str) -> int | None:
    raw = text(name)
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput("%(name)s must be a whole number", name=name, field=name) from None


def _form_fields() -> NoticeFields:
    """The editor's fields as a complete revision (an edit replaces every field)."""
    kind = text("kind", "text")
    media = text("media_sha256") if kind == Kind.IMAGE else ""
    upload = request.files.get("image")
    if kind != Kind.IMAGE and upload is not None and upload.filename:
        # An image chosen for a text notice would be dropped without a word: say so instead.
        raise InvalidInput(
            "an image was chosen but the notice's kind is text: choose the kind image to show "
            "it, or remove the file",
            field="kind",
        )
    if kind == Kind.IMAGE and upload is not None and upload.filename:
        limits = _media_limits()
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
        level=text("level"),
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


def _history(db: Any, notice: Any) -> list[Any]:
    """The notice's audit entries, each with its sentence."""
    entries = queries.notice_history(db, notice)
    return list(zip(entries, sentences(db, entries), strict=True))


def _detail_page(notice_id: int, status: int = 200, **context: Any) -> tuple[str, int]:
    db = session()
    notice = access.view_notice(db, signed_in(), notice_id)
    targets = _target_screens(db, notice.latest_revision)
    actor = signed_in()
    held = notice.pending_revision
    may_publish = (
        held is not None
        and held.state == RevisionState.HELD
        and held.created_by_id != actor.id
        and (held.steps[-1].decided_by_id == actor.id or stage_of(held.steps[-1]).may_decide(actor))
    )
    page = render_template(
        "notices/detail.html",
        notice=notice,
        names=names_in(db, notice.revisions),
        who_decides=who_decides,
        may_publish=may_publish,
        history=_history(db, notice),
        targets=targets,
        timings=playing_on(db, targets, notice.latest_revision, notice_id=notice.id, now=now()),
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
            levels=LEVELS,
            screens=list_screens(db, actor),
            groups=list_groups(db, actor),
            local_input=local_input,
            default_from=local_input(now()),
            default_until=local_input(now() + dt.timedelta(days=7)),
            scale_for=scale_for,
            timings={},  # the editor's script asks for them (playing.json)
            **context,
        ),
        status,
    )


@bp.route("/notices/new", methods=["GET", "POST"])
def create() -> Any:
    actor = signed_in()
    if request.method == "GET":
        access.may_author(actor)
        return _editor()
    try:
        notice = services.create_notice(session(), actor, _form_fields(), now=now(), rules=_rules())
        if request.form.get("then") == "submit":
            services.submit_notice(
                session(),
                actor,
                notice.id,
                now=now(),
                show_image_on_strips=_anyway(),
                major_matter=_major(),
                takeover=_takeover(),
                timezone=_zone(),
            )
    except (InvalidInput, Conflict) as exc:
        return _editor(status=422, error=message(exc), field=exc.field, must_reach=_reach(exc))
    said.saved(notice)
    return redirect(url_for(".detail", notice_id=notice.id), 303)


@bp.route("/notices/<int:notice_id>/edit", methods=["GET", "POST"])
def edit(notice_id: int) -> Any:
    actor = signed_in()
    db = session()
    notice = access.view_notice(db, actor, notice_id)
    if request.method == "GET":
        access.may_edit(actor, notice)
        return _editor(notice)
    try:
        services.edit_notice(
            db, actor, notice_id, _form_fields(), now=now(), rules=_rules(), timezone=_zone()
        )
        if request.form.get("then") == "submit" and notice.status == NoticeStatus.DRAFT:
            services.submit_notice(
                db,
                actor,
                notice_id,
                now=now(),
                show_image_on_strips=_anyway(),
                major_matter=_major(),
                takeover=_takeover(),
                timezone=_zone(),
            )
    except (InvalidInput, Conflict) as exc:
        return _editor(
            notice, status=422, error=message(exc), field=exc.field, must_reach=_reach(exc)
        )
    said.saved(notice)
    return redirect(url_for(".detail", notice_id=notice_id), 303)


@bp.post("/notices/<int:notice_id>/submit")
def submit(notice_id: int) -> Response:
    services.submit_notice(
        session(),
        signed_in(),
        notice_id,
        now=now(),
        show_image_on_strips=_anyway(),
        major_matter=_major(),
        takeover=_takeover(),
        timezone=_zone(),
    )
    said.submitted(notice_id)
    return redirect(url_for(".detail", notice_id=notice_id), 303)


@bp.post("/notices/<int:notice_id>/republish")
def republish(notice_id: int) -> Any:
    """Show a withdrawn or expired notice again (重播), in a new window: it is reviewed again."""
    try:
        republish_notice(
            session(),
            signed_in(),
            notice_id,
            NoticeFields(
                valid_from=local_time("valid_from"), valid_until=local_time("valid_until")
            ),
            now=now(),
            rules=_rules(),
            major_matter=_major() or None,
            timezone=_zone(),
        )
    except (InvalidInput, Conflict) as exc:
        return _detail_page(notice_id, 422, error=message(exc))
    said.republished(notice_id)
    return redirect(url_for(".detail", notice_id=notice_id), 303)


@bp.route("/notices/preview.png", methods=["GET", "POST"])
def preview() -> Response:
    """The notice drawn for one screen from the editor's current values (no state changes).
    A POST may carry the image the author chose and has not saved yet (``image``): it is
    checked as an upload is, drawn, and not kept."""
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
    upload = request.files.get("image") if request.method == "POST" else None
    if draft.kind == "image" and upload is not None and upload.filename:
        image = upload.read()
        inspect_image(image, _media_limits())  # refuses what an upload would refuse
    elif draft.kind == "image" and request.args.get("media"):
        media = db.get(Media, request.args["media"].lower())
        image = media.data if media is not None else None
    png = preview_png(screen, draft, fonts_for(current_app), image)
    response = Response(png, mimetype="image/png")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.get("/notices/playing.json")
def playing() -> Response:
    """How the editor's current values play on one screen: time, pages, rotation, warnings."""
    db = session()
    screen = view_screen(db, signed_in(), request.args.get("screen", ""))
    notice_id = query_int("notice", None, low=1, high=2**31)
    found = playing_on(db, [screen], request.args, notice_id=notice_id, now=now())
    lines = [{"text": t, "warning": w} for t, w in found[screen.key]]
    response = jsonify({"screen": screen.key, "lines": lines})
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/notices/<int:notice_id>/withdraw")
def withdraw(notice_id: int) -> Any:
    try:
        services.withdraw_notice(
            session(), signed_in(), notice_id, reason=text("reason"), now=now()
        )
    except (InvalidInput, Conflict) as exc:
        return _detail_page(notice_id, 422, error=message(exc))
    said.withdrawn(notice_id)
    return redirect(url_for(".detail", notice_id=notice_id), 303)
