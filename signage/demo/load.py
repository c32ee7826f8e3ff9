"""Load the sample data of ``sample.json`` through the same services staff use."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from importlib import resources

import sqlalchemy as sa
from sqlalchemy.orm import Session

from signage.accounts import services as accounts
from signage.chains.rules import StageSpec, put_chain
from signage.errors import Conflict
from signage.notices import review
from signage.notices import services as notices
from signage.notices.expiry import expire_notices
from signage.notices.models import NoticeStatus
from signage.screens import services as screens
from signage.screens.models import Screen
from signage.screens.values import parse_size

DEMO_USERS = [
    ("zhang.min", "张敏（办公室）", ["author"]),
    ("li.hua", "李华（审核）", ["reviewer"]),
    ("wang.fang", "王芳（监督）", ["supervisor"]),
    ("zhao.lei", "赵磊（分管领导）", ["reviewer"]),
    ("chen.jing", "陈静（保密员）", ["reviewer"]),
]
# 人事任免 passes three stages, each by its named person (三审); other categories one reviewer.
THREE_STAGES = "人事任免"
STAGES = [
    StageSpec(name="初审", users=["li.hua"], due_working_days=3),
    StageSpec(name="复审", users=["zhao.lei"], due_working_days=3),
    StageSpec(name="终审", users=["chen.jing"], confidentiality=True, due_working_days=5),
]
REVIEWERS = ("li.hua", "zhao.lei", "chen.jing")
# Left waiting for review, so the review queue is not empty on a first look.
LEFT_SUBMITTED = "工业园区"


def load_demo(session: Session, *, now: dt.datetime, categories: tuple[str, ...]) -> list[str]:
    """Create the sample users, screens and notices; return lines to print (credentials)."""
    sample = json.loads(resources.files("signage.demo").joinpath("sample.json").read_text("utf-8"))
    keys = [s["key"] for s in sample["screens"]]
    if session.scalar(sa.select(Screen.id).where(Screen.key.in_(keys))) is not None:
        raise Conflict("the sample data is already loaded (a sample screen exists)")
    lines = ["sample users (password, then a personal API token):"]
    users = {}
    for username, display, roles in DEMO_USERS:
        user, password = accounts.create_user(
            session, None, username=username, roles=roles, display_name=display, now=now
        )
        _, token = accounts.create_token(session, user, name="demo", now=now)
        users.setdefault(roles[0], user)
        users[username] = user
        lines.append(f"  {username:<10} {roles[0]:<10} password {password}  token {token}")
    lines.append("sample screens (token for the player):")
    for spec in sample["screens"]:
        width, height = parse_size(spec["size"])
        created, token = screens.create_screen(
            session,
            None,
            key=spec["key"],
            name=spec["name"],
            width=width,
            height=height,
            color=spec["color"],
            hours=spec.get("hours"),
            groups=spec.get("groups", []),
            location=spec.get("location", ""),
            now=now,
            create_groups=True,
        )
        lines.append(f"  {created.key:<16} {width}x{height} {created.color:<9} token {token}")
    if THREE_STAGES in categories:
        put_chain(
            session,
            None,
            THREE_STAGES,
            STAGES,
            escalation=None,
            group=None,
            categories=categories,
            now=now,
        )
    rules = notices.NoticeRules(categories=categories)
    # Offsets in the sample are in hours from now, local time; round to the minute.
    local = now.astimezone(zoneinfo.ZoneInfo("Asia/Shanghai")).replace(second=0, microsecond=0)
    counts: dict[str, int] = {}
    skipped = [s["title"] for s in sample["notices"] if s["category"] not in categories]
    for spec in sample["notices"]:
        if spec["category"] not in categories:
            continue
        fields = notices.NoticeFields(
            title=spec["title"],
            body=spec["body"],
            category=spec["category"],
            priority=spec["priority"],
            valid_from=local + dt.timedelta(hours=spec["from_h"]),
            valid_until=local + dt.timedelta(hours=spec["until_h"]),
            groups=spec.get("groups"),
            screens=spec.get("screens"),
            required_working_days=spec.get("required_working_days"),
        )
        notice = notices.create_notice(session, users["author"], fields, now=now, rules=rules)
        if spec["until_h"] > 0:
            notices.submit_notice(session, users["author"], notice.id, now=now)
            if spec["category"] != LEFT_SUBMITTED:
                for name in REVIEWERS[: len(notice.latest_revision.steps)]:
                    review.approve_notice(
                        session,
                        users[name] if spec["category"] == THREE_STAGES else users["reviewer"],
                        notice.id,
                        confidentiality_reviewed=True,
                        note="示例数据",
                        now=now,
                    )
    expire_notices(session, now=now)
    session.flush()
    for status in NoticeStatus:
        count = session.scalar(
            sa.select(sa.func.count())
            .select_from(notices.Notice)
            .where(notices.Notice.status == status.value)
        )
        if count:
            counts[status.value] = count
    lines.append("sample notices: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    if skipped:
        lines.append(f"skipped {len(skipped)} sample notices whose category is not configured")
    return lines
