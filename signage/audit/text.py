"""Audit entries in words: each as a sentence with the person's display name ("张敏 提交了第 2
版送审"), for a notice's history and for the audit log page.

Each action has a sentence and a function that takes its values from the entry's details; an
action without one (or whose details are of an older form) reads "who: action". The sentences
are :class:`signage.messages.Said`, so the page shows them in its language.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from signage.accounts.models import User
from signage.audit.models import AuditEntry
from signage.errors import N_
from signage.messages import Said
from signage.web.vocabulary import FIELD_LABELS

Values = Callable[[Mapping[str, Any]], dict[str, object]]


def _fields(names: Iterable[str]) -> Said:
    """Changed fields by the names the pages give them (another by its own name)."""
    return Said.join(N_(", "), [Said(FIELD_LABELS.get(n, n)) for n in names])


def _n(d: Mapping[str, Any]) -> dict[str, object]:
    return {"n": d.get("revision", "?")}


def _reason(d: Mapping[str, Any]) -> dict[str, object]:
    return {"n": d.get("revision", "?"), "reason": d.get("reason") or "—"}


def _none(d: Mapping[str, Any]) -> dict[str, object]:
    return {}


def _sender(d: Mapping[str, Any]) -> dict[str, object]:
    return {"sender": d.get("sender") or "?"}


# A notice's sentences say "it": the notice page is about it, the audit log names it beside.
NOTICE_SENTENCES: dict[str, tuple[str, Values]] = {
    "notice.create": (N_("%(who)s wrote it (revision 1)"), _none),
    "notice.edit": (
        N_("%(who)s changed %(fields)s (revision %(n)s)"),
        lambda d: {"fields": _fields(d.get("changed", [])), "n": d.get("revision", "?")},
    ),
    "notice.submit": (N_("%(who)s submitted revision %(n)s for review"), _n),
    "notice.stage": (
        N_("%(who)s passed stage %(stage)s of revision %(n)s; it went on to %(next)s"),
        lambda d: {"stage": d.get("stage"), "n": d.get("revision"), "next": d.get("next_stage")},
    ),
    "notice.approve": (N_("%(who)s approved revision %(n)s: it went on its screens"), _n),
    "notice.hold": (N_("%(who)s approved revision %(n)s and held it (待用)"), _n),
    "notice.return": (N_("%(who)s returned revision %(n)s to its author: %(reason)s"), _reason),
    "notice.reject": (N_("%(who)s rejected revision %(n)s: %(reason)s"), _reason),
    "notice.escalate": (
        N_("%(who)s referred revision %(n)s up to %(to)s: %(reason)s"),
        lambda d: _reason(d) | {"to": d.get("escalated_to", "?")},
    ),
    "notice.withdraw": (
        N_("%(who)s withdrew it: %(reason)s"),
        lambda d: {"reason": d.get("reason") or "—"},
    ),
    "notice.republish": (N_("%(who)s submitted it again as revision %(n)s"), _n),
    "notice.expire": (N_("%(who)s: its validity window ended"), _none),
}

# Every other action names its object (``object``: a user name, a screen's key …).
OTHER_SENTENCES: dict[str, tuple[str, Values]] = {
    "user.login": (N_("%(who)s signed in"), _none),
    "user.login_failed": (
        N_("a sign-in as %(object)s failed (%(failures)s in a row)"),
        lambda d: {"failures": d.get("failures", "?")},
    ),
    "user.create": (
        N_("%(who)s added the user %(object)s (%(name)s)"),
        lambda d: {"name": d.get("display_name") or "—"},
    ),
    "user.update": (
        N_("%(who)s changed the user %(object)s: %(fields)s"),
        lambda d: {"fields": _fields(k for k in d if k != "sessions_ended")},
    ),
    "user.password_change": (N_("%(who)s changed their password"), _none),
    "user.password_change_failed": (
        N_("%(who)s gave a wrong current password when changing it"),
        _none,
    ),
    "user.password_reset": (N_("%(who)s reset the password of %(object)s"), _none),
    "user.sessions_end": (
        N_("%(who)s ended the sign-ins of %(object)s (%(ended)s)"),
        lambda d: {"ended": d.get("ended", 0)},
    ),
    "token.create": (
        N_("%(who)s made the API token %(name)s"),
        lambda d: {"name": d.get("name") or "—"},
    ),
    "token.revoke": (
        N_("%(who)s revoked an API token of %(user)s"),
        lambda d: {"user": d.get("user") or "?"},
    ),
    "screen.create": (N_("%(who)s added the screen %(object)s"), _none),
    "screen.update": (
        N_("%(who)s changed the screen %(object)s: %(fields)s"),
        lambda d: {"fields": _fields(d)},
    ),
    "screen.token_rotate": (N_("%(who)s gave the screen %(object)s a new token"), _none),
    "screen.player_key": (N_("the screen %(object)s registered its signing key"), _none),
    "screen.online": (N_("the screen %(object)s is back online"), _none),
    "screen.offline": (N_("the screen %(object)s went offline"), _none),
    "group.create": (N_("%(who)s made the group %(object)s"), _none),
    "group.update": (N_("%(who)s changed the group %(object)s"), _none),
    "media.upload": (
        N_("%(who)s uploaded an image of %(width)s × %(height)s pixels"),
        lambda d: {"width": d["width"], "height": d["height"]},
    ),
    "review_chain.put": (N_("%(who)s set the review chain for %(object)s"), _none),
    "review_chain.delete": (N_("%(who)s removed the review chain for %(object)s"), _none),
    "precheck_words.put": (N_("%(who)s changed the list of words to check"), _none),
    "holidays.enter": (N_("%(who)s entered the holidays of %(object)s"), _none),
    "holidays.replace": (N_("%(who)s replaced the holidays of %(object)s"), _none),
    "key.rotate": (N_("%(who)s made a new signing key for the controller"), _none),
    "checkpoint.make": (N_("%(who)s made checkpoint %(object)s of the logs"), _none),
    "blackout.order": (
        N_("%(who)s blacked out %(count)s screens: %(reason)s"),
        lambda d: {"count": d["screens_covered"], "reason": d.get("reason") or "—"},
    ),
    "blackout.lift": (
        N_("%(who)s lifted the blackout of %(count)s screens"),
        lambda d: {"count": d["screens_covered"]},
    ),
    "alert.alert": (N_("an official warning came from %(sender)s"), _sender),
    "alert.update": (N_("an update of an official warning came from %(sender)s"), _sender),
    "alert.cancel": (N_("an official warning was cancelled by %(sender)s"), _sender),
}

AUDIT_SENTENCES = NOTICE_SENTENCES | OTHER_SENTENCES

# Who acted when no signed-in person did (``actor_name`` of signage.audit.services.record).
_NOT_PEOPLE = {
    "system": N_("the system"),
    "cli": N_("an administrator at the command line"),
    "alerts": N_("the warning feed"),
}


def sentences(session: Session, entries: Sequence[AuditEntry]) -> list[Said]:
    """Each entry as its action's sentence, its actor by display name."""
    logins = {e.actor for e in entries if e.actor}
    query = sa.select(User.username, User.display_name).where(User.username.in_(logins))
    names = {n: d for n, d in session.execute(query)} if logins else {}
    out = []
    for entry in entries:
        actor = entry.actor or "system"
        who: object = names.get(actor) or actor
        if actor.startswith("screen:"):
            who = Said("the screen %(object)s", object=actor.removeprefix("screen:"))
        elif actor in _NOT_PEOPLE:
            who = Said(_NOT_PEOPLE[actor])
        details = entry.details_dict if entry.details else {}
        template, params = N_("%(who)s: %(action)s"), {"action": Said(entry.action)}
        if entry.action in AUDIT_SENTENCES:
            sentence, values = AUDIT_SENTENCES[entry.action]
            # Details of an older form keep the plain line.
            with contextlib.suppress(AttributeError, TypeError, KeyError):
                template, params = sentence, values(details)
        out.append(Said(template, who=who, object=entry.object_id or "", **params))
    return out
