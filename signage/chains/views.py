"""Pages: the review queue with each stage's decisions, the review chains (admin), and each
revision's review form (信息发布审核表), to print or download."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for

from signage.accounts.models import Role
from signage.accounts.permissions import require_role
from signage.chains import rules
from signage.chains import words as word_list
from signage.chains.precheck import segments
from signage.chains.text import flags_of, names_in, who_decides
from signage.errors import Conflict, InvalidInput, NotFound
from signage.notices import publishing, queries, review
from signage.notices import text as said
from signage.notices.access import view_notice
from signage.notices.preview import scale_for
from signage.notices.steps import escalation_stage
from signage.notices.text import diff as _diff
from signage.notices.text import playing as playing_on
from signage.screens.services import list_groups
from signage.web.pages import local_time, message, now, session, signed_in, text

bp = Blueprint("review", __name__)

STAGE_ROWS = rules.STAGES_MAX  # the chain form's rows for stages


def _zone_name() -> str:
    return str(current_app.config["SIGNAGE_TIMEZONE"])


def _int(name: str) -> int | None:
    raw = text(name)
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput("%(name)s must be a whole number", name=name, field=name) from None


# --- the queue -------------------------------------------------------------------------------


def _queue_page(status: int = 200, **context: Any) -> tuple[str, int]:
    db = session()
    actor = signed_in()
    moment = now()
    entries = []
    for revision, step in review.review_queue(db, actor):
        targets = queries.target_screens(db, revision)
        flags = flags_of(revision)
        entries.append(
            {
                "revision": revision,
                "step": step,
                "last": step is revision.steps[-1],
                "overdue": step.due_at is not None and step.due_at < moment,
                "diff": _diff(revision),
                "targets": targets,
                "timings": playing_on(
                    db, targets, revision, notice_id=revision.notice_id, now=moment
                ),
                "flags": flags,
                "title_marked": segments(revision.title, "title", flags),
                "body_marked": segments(revision.body, "body", flags),
                "may_escalate": not any(s.escalation for s in revision.steps)
                and escalation_stage(revision) is not None,
            }
        )
    page = render_template(
        "chains/queue.html",
        entries=entries,
        names=names_in(db, [e["revision"] for e in entries]),
        who_decides=who_decides,
        scale_for=scale_for,
        **context,
    )
    return page, status


@bp.get("/review")
def queue() -> Any:
    return _queue_page()


def _decided(notice_id: int, done: str) -> Response:
    return redirect(url_for(".queue", done=done, notice=notice_id), 303)


@bp.post("/notices/<int:notice_id>/approve")
def approve(notice_id: int) -> Any:
    db = session()
    try:
        notes = {
            int(key.removeprefix("flag_note_")): value.strip()
            for key, value in request.form.items()
            if key.startswith("flag_note_") and key.removeprefix("flag_note_").isdigit()
        }
        hold = request.form.get("hold") == "yes"
        notice = review.approve_notice(
            db,
            signed_in(),
            notice_id,
            confidentiality_reviewed=request.form.get("confidentiality_reviewed") == "yes",
            note=text("note"),
            revision_number=_int("revision"),
            stage_number=_int("stage"),
            flag_notes=notes,
            hold=hold,
            publish_at=local_time("publish_at") if hold else None,
            now=now(),
            timezone=_zone_name(),
        )
    except (InvalidInput, Conflict) as exc:
        return _queue_page(422, error=message(exc))
    state = notice.latest_revision.state
    return _decided(notice_id, {"approved": "approved", "held": "held"}.get(state, "passed"))


@bp.post("/notices/<int:notice_id>/return")
def return_(notice_id: int) -> Any:
    try:
        review.return_notice(
            session(),
            signed_in(),
            notice_id,
            reason=text("reason"),
            revision_number=_int("revision"),
            stage_number=_int("stage"),
            now=now(),
        )
    except (InvalidInput, Conflict) as exc:
        return _queue_page(422, error=message(exc))
    return _decided(notice_id, "returned")


@bp.post("/notices/<int:notice_id>/reject")
def reject(notice_id: int) -> Any:
    try:
        review.reject_notice(
            session(),
            signed_in(),
            notice_id,
            reason=text("reason"),
            revision_number=_int("revision"),
            stage_number=_int("stage"),
            now=now(),
        )
    except (InvalidInput, Conflict) as exc:
        return _queue_page(422, error=message(exc))
    return _decided(notice_id, "rejected")


@bp.post("/notices/<int:notice_id>/escalate")
def escalate(notice_id: int) -> Any:
    try:
        review.escalate_notice(
            session(),
            signed_in(),
            notice_id,
            reason=text("reason"),
            revision_number=_int("revision"),
            stage_number=_int("stage"),
            now=now(),
            timezone=_zone_name(),
        )
    except (InvalidInput, Conflict) as exc:
        return _queue_page(422, error=message(exc))
    return _decided(notice_id, "escalated")


@bp.post("/notices/<int:notice_id>/publish")
def publish(notice_id: int) -> Any:
    publishing.publish_notice(session(), signed_in(), notice_id, now=now())
    said.published(notice_id)
    return redirect(url_for("web.notices.detail", notice_id=notice_id), 303)


# --- the chains (admin) ----------------------------------------------------------------------


def _stage_rows(prefix: str, count: int) -> list[rules.StageSpec]:
    """The stages filled in on the chain form (rows left blank are not stages)."""
    specs = []
    for i in range(count):
        name = text(f"{prefix}{i}_name")
        role = text(f"{prefix}{i}_role")
        users = [u for u in text(f"{prefix}{i}_users").replace("，", ",").split(",") if u.strip()]
        if not (name or role or users):
            continue
        days = text(f"{prefix}{i}_due", "")
        default = rules.ESCALATION_DUE_DAYS if prefix == "escalation" else rules.STAGE_DUE_DAYS
        try:
            due = int(days) if days else default
        except ValueError:
            raise InvalidInput(
                "due_working_days must be a whole number", field=f"{prefix}{i}_due"
            ) from None
        specs.append(
            rules.StageSpec(
                name=name,
                role=role or None,
                users=users,
                confidentiality=request.form.get(f"{prefix}{i}_confidentiality") == "yes",
                due_working_days=due,
            )
        )
    return specs


def _editing(chains: list[rules.Chain], users: dict[int, Any]) -> dict[str, str] | None:
    """The chain form filled in with the chain the admin chose to change (``?edit=``)."""
    category = request.args.get("edit")
    group = request.args.get("group") or None
    chain = next((c for c in chains if c.category == category and c.group == group), None)
    if chain is None:
        return None
    values = {"category": chain.category or "", "group": chain.group or ""}
    rows = [("stage", i, s) for i, s in enumerate(chain.stages)]
    rows += [("escalation", 0, chain.escalation)] if chain.escalation else []
    for prefix, i, stage in rows:
        values[f"{prefix}{i}_name"] = stage.name
        values[f"{prefix}{i}_role"] = stage.role or ""
        values[f"{prefix}{i}_users"] = ", ".join(
            users[u].username for u in stage.user_ids if u in users
        )
        values[f"{prefix}{i}_due"] = str(stage.due_working_days)
        if stage.confidentiality:
            values[f"{prefix}{i}_confidentiality"] = "yes"
    return values


def _chains_page(status: int = 200, **context: Any) -> tuple[str, int]:
    db = session()
    actor = signed_in()
    require_role(actor, Role.ADMIN)
    chains = rules.list_chains(db, actor)
    everyone = [rules.DEFAULT_CHAIN, *chains]
    users = rules.users_by_id(
        db,
        (
            i
            for c in everyone
            for s in (*c.stages, *([c.escalation] if c.escalation else []))
            for i in s.user_ids
        ),
    )
    page = render_template(
        "chains/chains.html",
        chains=chains,
        default=rules.DEFAULT_CHAIN,
        user_names=lambda ids: "、".join(users[i].display_name for i in ids if i in users),
        categories=current_app.config["SIGNAGE_CATEGORIES"],
        groups=list_groups(db, actor),
        roles=list(Role),
        rows=range(STAGE_ROWS),
        words=word_list.precheck_words(db),
        form=request.form if request.method == "POST" else _editing(chains, users),
        **context,
    )
    return page, status


@bp.get("/review-chains")
def chains() -> Any:
    return _chains_page()


@bp.post("/review-chains")
def save_chain() -> Any:
    category = text("category")
    group = text("group") or None
    try:
        escalation = _stage_rows("escalation", 1)
        rules.put_chain(
            session(),
            signed_in(),
            category,
            _stage_rows("stage", STAGE_ROWS),
            escalation=escalation[0] if escalation else None,
            group=group,
            categories=current_app.config["SIGNAGE_CATEGORIES"],
            now=now(),
        )
    except InvalidInput as exc:
        return _chains_page(422, error=message(exc), field=exc.field)
    return redirect(url_for(".chains", saved=category), 303)


@bp.post("/review-chains/remove")
def remove_chain() -> Any:
    try:
        rules.delete_chain(
            session(), signed_in(), text("category"), group=text("group") or None, now=now()
        )
    except NotFound as exc:
        return _chains_page(404, error=message(exc))
    return redirect(url_for(".chains", removed=text("category")), 303)


@bp.post("/precheck-words")
def save_words() -> Any:
    words = [w for line in request.form.get("words", "").splitlines() for w in [line.strip()] if w]
    try:
        word_list.put_precheck_words(session(), signed_in(), words, now=now())
    except InvalidInput as exc:
        return _chains_page(422, error=message(exc), field=exc.field)
    return redirect(url_for(".chains", words="saved"), 303)


# --- the review form (信息发布审核表) --------------------------------------------------------


@bp.get("/notices/<int:notice_id>/revisions/<int:number>/form")
def form(notice_id: int, number: int) -> Any:
    db = session()
    notice = view_notice(db, signed_in(), notice_id)
    revision = next((r for r in notice.revisions if r.number == number), None)
    if revision is None:
        raise NotFound(
            "notice %(notice_id)s has no revision %(number)s", notice_id=notice_id, number=number
        )
    if revision.submitted_at is None:
        raise NotFound(
            "revision %(number)s was never submitted for review: it has no form", number=number
        )
    notes: dict[str, str] = {}
    for step in revision.steps:
        notes |= step.flag_notes or {}
    context = {
        "notice": notice,
        "revision": revision,
        "targets": queries.target_screens(db, revision),
        "flag_rows": [(f, notes.get(str(i), "")) for i, f in enumerate(flags_of(revision))],
        "names": names_in(db, [revision]),
        "who_decides": who_decides,
        "printed_at": now(),
    }
    if request.args.get("download"):
        page = render_template("chains/form_download.html", **context)
        response = Response(page, mimetype="text/html")
        # The file stands alone, its style inside it: nothing else may load or run.
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
            "form-action 'none'; frame-ancestors 'none'"
        )
        response.headers["Content-Disposition"] = (
            f"attachment; filename=review-form-{notice.id}-r{revision.number}.html"
        )
        return response
    return render_template("chains/form.html", **context)
