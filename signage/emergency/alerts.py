"""Official warnings in (预警信息): the one place that says what a warning message becomes.

A message (:mod:`signage.emergency.warnings`) pushed to ``POST /api/v1/alerts`` or read from a
feed (:mod:`signage.emergency.tasks`) is judged here:

* the same message again (its sender and identifier) is a **duplicate**: nothing is written;
* one not ``Actual`` (an exercise, a test, a draft), an ``Ack`` or an ``Error``, or one for
  other areas than the deployment's (``SIGNAGE_ALERT_AREAS``, :func:`warnings.covers`) is
  **ignored**, as is an Alert already expired;
* an **Alert** becomes an urgent notice on every screen, in the category
  ``SIGNAGE_ALERT_CATEGORY``, valid from its effective time (or its sending) until its expiry
  (or ``SIGNAGE_ALERT_HOURS`` later), written by the account ``official.warnings``. It waits for
  the duty officer's confirmation (one stage, 值班确认, on the fast path), or is published at
  once when its severity or level is one of ``SIGNAGE_ALERT_PUBLISH_SEVERITIES``, recorded as
  published by that rule;
* an **Update** withdraws the notice of the message it follows and makes its own (a message
  followed is found by its sender and identifier); one that follows nothing known is taken as
  an Alert;
* a **Cancel** withdraws the notices of the messages it follows.

Each message taken is kept whole (its XML and its SHA-256) with where it came from and what it
became; the notice names it as its source, and the audit log has every step.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from signage.accounts.models import Role, User
from signage.accounts.permissions import require_role, require_staff
from signage.accounts.services import create_user
from signage.audit.services import record
from signage.chains.rules import Stage
from signage.emergency.models import OfficialAlert
from signage.emergency.warnings import OfficialWarning, Reference, covers
from signage.notices import review
from signage.notices import services as notices
from signage.notices.models import Notice, NoticeStatus
from signage.screens.models import Screen

ACCOUNT = "official.warnings"
ACCOUNT_NAME = "官方预警信息"
# The fast path of a warning that waits: the duty officer confirms it (one stage).
DUTY_CONFIRMATION = Stage(
    name="值班确认", role=Role.DUTY.value, confidentiality=True, due_working_days=1
)
LEVEL_NAMES = {"red": "红色", "orange": "橙色", "yellow": "黄色", "blue": "蓝色"}
# Who may push a message: the duty officer and admins (a feed is read by the controller).
RECEIVING = (Role.DUTY, Role.ADMIN)


@dataclass(frozen=True)
class AlertSettings:
    """The deployment's settings for warnings (``SIGNAGE_ALERT_*``)."""

    areas: tuple[str, ...] = ()
    publish: frozenset[str] = frozenset()
    category: str = "预警信息"
    hours: int = 24
    timezone: str = "Asia/Shanghai"
    categories: tuple[str, ...] = ()

    @classmethod
    def of(cls, config: Mapping[str, Any]) -> AlertSettings:
        return cls(
            areas=tuple(config["SIGNAGE_ALERT_AREAS"]),
            publish=frozenset(config["SIGNAGE_ALERT_PUBLISH_SEVERITIES"]),
            category=config["SIGNAGE_ALERT_CATEGORY"],
            hours=int(config["SIGNAGE_ALERT_HOURS"]),
            timezone=config["SIGNAGE_TIMEZONE"],
            categories=tuple(config["SIGNAGE_CATEGORIES"]),
        )


@dataclass(frozen=True)
class Taken:
    """What became of one message: ``outcome`` (duplicate, ignored, waiting, published,
    replaced, cancelled, no_screens), why, the alert kept (None when nothing was written) and
    the notices it made or withdrew."""

    outcome: str
    reason: str
    alert: OfficialAlert | None = None
    notice_id: int | None = None
    withdrawn: tuple[int, ...] = ()


def warnings_account(session: Session, now: dt.datetime) -> User:
    """The account official warnings are written by (made at the first warning)."""
    user = session.scalar(sa.select(User).where(User.username == ACCOUNT))
    if user is None:
        user, _ = create_user(
            session, None, username=ACCOUNT, display_name=ACCOUNT_NAME, roles=["author"], now=now
        )
    return user


def take_warning(
    session: Session,
    warning: OfficialWarning,
    raw: bytes,
    *,
    origin: str,
    settings: AlertSettings,
    now: dt.datetime,
    actor: User | None = None,
) -> Taken:
    """Judge one warning message and do what it asks (see the module); ``actor``: who pushed
    it (None: a feed)."""
    if actor is not None:
        require_role(actor, *RECEIVING)
    if _known(session, warning.sender, warning.identifier) is not None:
        return Taken("duplicate", f"{warning.sender} {warning.identifier} was received before")
    if warning.status != "Actual":
        return Taken("ignored", f"status {warning.status}: only Actual messages are shown")
    if warning.msg_type not in ("Alert", "Update", "Cancel"):
        return Taken("ignored", f"a message of type {warning.msg_type} asks nothing to be shown")
    followed = [a for r in warning.references if (a := _referenced(session, r)) is not None]
    if warning.msg_type == "Cancel":
        if not followed:
            return Taken("ignored", "it cancels no message received here")
        return _cancel(session, warning, raw, followed, origin, actor, now)
    if not followed and not covers(settings.areas, warning.areas):
        return Taken(
            "ignored",
            f"for {', '.join(warning.areas) or 'no area code'}, not this deployment's "
            f"{', '.join(settings.areas)}",
        )
    until = warning.expires or max(warning.sent, now) + dt.timedelta(hours=settings.hours)
    if until <= now:
        return Taken("ignored", "it expired before it arrived")
    alert = _keep(session, warning, raw, origin, actor, now, outcome="waiting")
    withdrawn = _withdraw(session, followed, f"由预警更新 {warning.identifier} 替代", now)
    for earlier in followed:
        earlier.outcome = "replaced"
    if followed:
        alert.follows_id = followed[-1].id
    keys = list(session.scalars(sa.select(Screen.key).order_by(Screen.key)))
    if not keys:
        alert.outcome = "no_screens"
        _audit(session, alert, actor, now, None)
        return Taken("no_screens", "there is no screen to show it on", alert, None, withdrawn)
    notice = _notice(session, warning, keys, until, settings, now)
    alert.notice_id = notice.id
    rule = _publishing_rule(warning, settings)
    if rule is not None:
        review.publish_by_rule(
            session, notice.id, by=warnings_account(session, now), rule=rule, now=now
        )
        alert.outcome = "published"
    _audit(session, alert, actor, now, notice.id)
    why = rule or "waiting for the duty officer's confirmation (值班确认)"
    return Taken(alert.outcome, why, alert, notice.id, withdrawn)


def _known(session: Session, sender: str, identifier: str) -> OfficialAlert | None:
    return session.scalar(
        sa.select(OfficialAlert).where(
            OfficialAlert.sender == sender, OfficialAlert.identifier == identifier
        )
    )


def _referenced(session: Session, reference: Reference) -> OfficialAlert | None:
    if reference.sender is not None:
        return _known(session, reference.sender, reference.identifier)
    return session.scalar(
        sa.select(OfficialAlert)
        .where(OfficialAlert.identifier == reference.identifier)
        .order_by(OfficialAlert.id.desc())
        .limit(1)
    )


def _keep(
    session: Session,
    warning: OfficialWarning,
    raw: bytes,
    origin: str,
    actor: User | None,
    now: dt.datetime,
    *,
    outcome: str,
) -> OfficialAlert:
    alert = OfficialAlert(
        format=warning.format,
        sender=warning.sender,
        identifier=warning.identifier,
        sent_at=warning.sent,
        msg_type=warning.msg_type,
        severity=warning.severity,
        colour=warning.colour,
        event=warning.event[:100],
        headline=warning.headline[:200],
        areas=list(warning.areas),
        expires_at=warning.expires,
        origin=origin[:500],
        received_by_id=actor.id if actor is not None else None,
        received_at=now,
        outcome=outcome,
        raw_sha256=hashlib.sha256(raw).hexdigest(),
        raw=raw.decode("utf-8", errors="replace"),
    )
    session.add(alert)
    session.flush()
    return alert


def _withdraw(
    session: Session, alerts: list[OfficialAlert], reason: str, now: dt.datetime
) -> tuple[int, ...]:
    account = warnings_account(session, now)
    done = []
    for alert in alerts:
        if alert.notice_id is None:
            continue
        notice = session.get(Notice, alert.notice_id)
        if notice is None or notice.status in (NoticeStatus.WITHDRAWN, NoticeStatus.EXPIRED):
            continue
        notices.withdraw_notice(session, account, notice.id, reason=reason, now=now)
        done.append(notice.id)
    return tuple(done)


def _cancel(
    session: Session,
    warning: OfficialWarning,
    raw: bytes,
    followed: list[OfficialAlert],
    origin: str,
    actor: User | None,
    now: dt.datetime,
) -> Taken:
    alert = _keep(session, warning, raw, origin, actor, now, outcome="cancelled")
    alert.follows_id = followed[-1].id
    withdrawn = _withdraw(session, followed, f"预警已解除（{warning.identifier}）", now)
    for earlier in followed:
        earlier.outcome = "cancelled"
    _audit(session, alert, actor, now, None, withdrawn=withdrawn)
    return Taken("cancelled", "the warnings it follows are withdrawn", alert, None, withdrawn)


def title_of(warning: OfficialWarning) -> str:
    """The notice's title: the headline, or the event and its level."""
    if warning.headline:
        return warning.headline[:200]
    level = LEVEL_NAMES.get(warning.colour or "", "")
    return f"{warning.event}{level}预警"[:200] or "预警信息"


def body_of(warning: OfficialWarning) -> str:
    parts = [warning.description, warning.instruction]
    if warning.sender_name:
        parts.append(f"发布单位：{warning.sender_name}")
    return "\n".join(p for p in parts if p)[:5000]


def _notice(
    session: Session,
    warning: OfficialWarning,
    keys: list[str],
    until: dt.datetime,
    settings: AlertSettings,
    now: dt.datetime,
) -> Notice:
    account = warnings_account(session, now)
    fields = notices.NoticeFields(
        title=title_of(warning),
        body=body_of(warning),
        category=settings.category,
        priority="urgent",
        valid_from=warning.effective or warning.sent,
        valid_until=until,
        screens=keys,
        level=warning.colour,
    )
    rules = notices.NoticeRules(categories=settings.categories or (settings.category,))
    notice = notices.create_notice(session, account, fields, now=now, rules=rules)
    notice.source = source_of(warning)
    notices.submit_notice(
        session,
        account,
        notice.id,
        now=now,
        timezone=settings.timezone,
        fast_path=DUTY_CONFIRMATION,
    )
    return notice


def source_of(warning: OfficialWarning) -> str:
    """What a warning's notice records as its source."""
    kind = "CAP 1.2" if warning.format == "cap" else "国家预警信息发布系统"
    return f"{kind} · {warning.sender} · {warning.identifier}"[:300]


def _publishing_rule(warning: OfficialWarning, settings: AlertSettings) -> str | None:
    levels = {warning.severity.lower(), (warning.colour or "").lower()} & settings.publish
    if not levels:
        return None
    return (
        f"SIGNAGE_ALERT_PUBLISH_SEVERITIES: {warning.severity}"
        + (f" ({warning.colour})" if warning.colour else "")
        + f", published at once: {source_of(warning)}"
    )


def _audit(
    session: Session,
    alert: OfficialAlert,
    actor: User | None,
    now: dt.datetime,
    notice_id: int | None,
    *,
    withdrawn: tuple[int, ...] = (),
) -> None:
    record(
        session,
        actor=actor,
        actor_name="alerts",
        action=f"alert.{alert.msg_type.lower()}",
        object_type="alert",
        object_id=alert.id,
        now=now,
        details={
            "sender": alert.sender,
            "identifier": alert.identifier,
            "severity": alert.severity,
            "areas": alert.areas,
            "origin": alert.origin,
            "raw_sha256": alert.raw_sha256,
            "outcome": alert.outcome,
            "notice": notice_id,
            "withdrawn": list(withdrawn),
        },
    )


def list_alerts(session: Session, actor: User, *, limit: int = 50) -> list[OfficialAlert]:
    """The warnings received, newest first."""
    require_staff(actor)
    return list(
        session.scalars(sa.select(OfficialAlert).order_by(OfficialAlert.id.desc()).limit(limit))
    )
