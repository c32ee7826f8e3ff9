"""A notice in words for the editor and the review page: how it plays on each target screen
(how long it takes, its pages, how often it comes round, and what to watch out for;
:func:`signage.delivery.rotation.on_screens` says it in figures), what a revision changed, and
what the notice pages say after an action (what it did and what comes next)."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping, Sequence
from typing import Any

from flask import current_app
from flask_babel import gettext
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from signage.delivery.rotation import OnScreen, on_screens
from signage.notices.models import Notice, NoticeRevision, RevisionState
from signage.notices.preview import Draft
from signage.screens.models import Screen
from signage.web.pages import done, zone
from signage.web.vocabulary import FIELD_LABELS

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends


def local_input(value: dt.datetime | None) -> str:
    """A UTC time as the value of a datetime-local input, in the deployment's zone (empty for
    none, or for a time stored out of range that the author must enter again)."""
    if value is None:
        return ""
    try:
        return value.astimezone(zone()).strftime(LOCAL_FORMAT)
    except (OverflowError, ValueError):
        return ""


def draft_of(values: Mapping[str, Any], notice_id: int | None = None) -> Draft:
    """The :class:`Draft` of a notice's fields (a revision's, or the editor's)."""

    def get(name: str, default: Any) -> Any:
        value = values.get(name) if isinstance(values, Mapping) else getattr(values, name)
        return default if value in (None, "") else value

    try:
        duration = max(1, min(int(get("duration_s", 15)), 3600))
    except (TypeError, ValueError):
        duration = 15
    return Draft(
        title=str(get("title", ""))[:200],
        body=str(get("body", ""))[:5000],
        category=str(get("category", ""))[:32],
        kind=str(get("kind", "text")),
        priority=str(get("priority", "normal")),
        duration_s=duration,
        notice_id=notice_id,
    )


def _seconds(ms: int) -> str:
    seconds = ms / 1000
    if seconds < 120:
        return gettext("%(s)s s", s=f"{seconds:.0f}" if seconds >= 10 else f"{seconds:.1f}")
    return gettext("%(m)s min %(s)s s", m=int(seconds // 60), s=int(seconds % 60))


def _every(ms: int) -> str:
    minutes = ms / 60_000
    if minutes < 1:
        return gettext("about every %(s)s s", s=round(ms / 1000))
    return gettext("about every %(m)s minutes", m=max(1, round(minutes)))


def lines(entry: OnScreen) -> list[tuple[str, bool]]:
    """What to say of ``entry``: (text, is a warning) each."""
    config = current_app.config
    t = entry.timing
    out: list[tuple[str, bool]] = []
    if t.scrolls:
        out.append(
            (
                gettext(
                    "takes %(time)s: the whole text scrolls past at %(cpm)s characters a minute",
                    time=_seconds(t.duration_ms),
                    cpm=entry.reading.scroll_cpm,
                ),
                False,
            )
        )
    else:
        out.append(
            (
                gettext(
                    "takes %(time)s, pages: %(num)d (each up for its reading time)",
                    time=_seconds(t.duration_ms),
                    num=t.pages,
                ),
                False,
            )
        )
    if entry.every_ms is not None:
        out.append((_every(entry.every_ms) + gettext(" in this screen's rotation now"), False))
    if entry.too_long:
        out.append(
            (
                gettext(
                    "longer than %(limit)s on a strip: shorten the text, or aim it at a panel",
                    limit=_seconds(config["SIGNAGE_STRIP_WARN_S"] * 1000),
                ),
                True,
            )
        )
    if entry.too_rare:
        out.append(
            (
                gettext(
                    "comes round less often than every %(m)s minutes: passers-by may miss it",
                    m=config["SIGNAGE_ROTATION_WARN_MIN"],
                ),
                True,
            )
        )
    if entry.text_mm is not None:
        up_to = entry.legible_up_to_m or 0
        if entry.legible is False:
            out.append(
                (
                    gettext(
                        "characters %(mm).0f mm high: too small to read from %(d)s m (16 arc-"
                        "minutes need %(need).0f mm); legible up to %(up).1f m",
                        mm=entry.text_mm,
                        d=entry.screen.viewing_distance_m,
                        need=entry.needed_mm,
                        up=up_to,
                    ),
                    True,
                )
            )
        else:
            out.append(
                (
                    gettext(
                        "characters %(mm).0f mm high: legible up to %(up).1f m",
                        mm=entry.text_mm,
                        up=up_to,
                    ),
                    False,
                )
            )
    return out


def playing(
    session: Session,
    screens: Sequence[Screen],
    values: Any,
    *,
    notice_id: int | None,
    now: dt.datetime,
) -> dict[str, list[tuple[str, bool]]]:
    """For each screen (by key), the lines saying how the notice with ``values`` plays there."""
    config = current_app.config
    entries = on_screens(
        session,
        screens,
        draft_of(values, notice_id),
        now=now,
        weights=config["SIGNAGE_PRIORITY_WEIGHTS"],
        strip_warn_s=config["SIGNAGE_STRIP_WARN_S"],
        rotation_warn_min=config["SIGNAGE_ROTATION_WARN_MIN"],
    )
    return {e.screen.key: lines(e) for e in entries}


# A revision's fields in the order its changes are shown, each with the page's label for it.
FIELDS_SHOWN = tuple(
    (name, FIELD_LABELS[name])
    for name in (
        "title",
        "body",
        "category",
        "kind",
        "priority",
        "duration_s",
        "valid_from",
        "valid_until",
        "dayparts",
        "screens",
        "groups",
        "required_working_days",
        "media_sha256",
        "level",
    )
)


def _value(revision: NoticeRevision | None, name: str) -> str:
    if revision is None:
        return ""
    if name == "screens":
        return ", ".join(sorted(s.key for s in revision.screens))
    if name == "groups":
        return ", ".join(sorted(g.name for g in revision.groups))
    value = getattr(revision, name)
    if name in ("kind", "priority") or (name == "level" and value):
        return gettext(value)
    if isinstance(value, dt.datetime):
        return local_input(value).replace("T", " ")
    return "" if value is None else str(value)


def diff(revision: NoticeRevision) -> list[tuple[str, str, Markup | None]]:
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


# --- what an action did -----------------------------------------------------------------------


def saved(notice: Notice) -> None:
    """Saving the editor: a draft kept, an edit of a live notice sent to review, or a submit."""
    revision = notice.latest_revision
    if revision.state == RevisionState.DRAFT:
        done(
            gettext(
                "Draft #%(n)s is saved. Nobody else sees it until you submit it for review.",
                n=notice.id,
            )
        )
    elif notice.live_revision is not None and notice.live_revision is not revision:
        done(
            gettext(
                "Revision %(r)s of notice #%(n)s is saved and submitted for review. The approved "
                "revision stays on its screens until this one is approved.",
                r=revision.number,
                n=notice.id,
            )
        )
    else:
        submitted(notice.id)


def submitted(notice_id: int) -> None:
    done(
        gettext(
            "Notice #%(n)s is submitted for review. It goes on its screens when its review chain "
            "has approved it; until then it waits under Review.",
            n=notice_id,
        )
    )


def republished(notice_id: int) -> None:
    done(
        gettext(
            "Notice #%(n)s is submitted for review again, in its new window. It goes on its "
            "screens when its review chain has approved it.",
            n=notice_id,
        )
    )


def withdrawn(notice_id: int) -> None:
    done(
        gettext(
            "Notice #%(n)s is withdrawn. Its screens stop showing it at their next poll, within "
            "seconds.",
            n=notice_id,
        )
    )


def published(notice_id: int) -> None:
    done(
        gettext(
            "Notice #%(n)s is published: its screens show it from their next poll.", n=notice_id
        )
    )
