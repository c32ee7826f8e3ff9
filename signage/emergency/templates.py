"""Warning templates the duty officer fills in (寒潮, 暴雨, 大风, 高温, 道路结冰 …): each a title
and the public guidance for each level, so an urgent takeover (整屏接管) goes up in a minute with
the wording the county uses. The level is the national colour (蓝色, 黄色, 橙色, 红色), named in
the title so that it reads the same on every screen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from signage.accounts.models import Role, User
from signage.accounts.permissions import require_role
from signage.errors import InvalidInput
from signage.notices import services as notices
from signage.notices.models import Notice
from signage.screens.models import Screen

LEVELS = {"blue": "蓝色", "yellow": "黄色", "orange": "橙色", "red": "红色"}
DETAILS_MAX = 1000
HOURS_RANGE = (1, 72)


@dataclass(frozen=True)
class Template:
    key: str
    event: str
    guidance: str  # the public guidance, whatever the level


TEMPLATES = {
    t.key: t
    for t in (
        Template(
            "cold-wave", "寒潮", "注意防寒保暖，老人、儿童和体弱者减少外出；做好水管等设施防冻。"
        ),
        Template(
            "rainstorm", "暴雨", "避免前往低洼、地下空间和河道，注意防范山洪、城乡积涝和地质灾害。"
        ),
        Template("gale", "大风", "关好门窗，远离广告牌、临时搭建物和大树，减少户外活动。"),
        Template("heat", "高温", "避免午后高温时段户外活动，注意防暑降温，多补充水分。"),
        Template("road-ice", "道路结冰", "车辆减速慢行、保持车距，行人注意防滑，非必要不出行。"),
        Template("fog", "大雾", "驾车开启雾灯、减速慢行，注意交通安全。"),
        Template("snowstorm", "暴雪", "减少外出，注意防寒防滑，加固易被积雪压垮的设施。"),
        Template("thunderstorm", "雷电", "留在室内，远离金属物体和孤立高大物体，切勿在树下避雨。"),
    )
}


def template_title(template: Template, level: str) -> str:
    return f"{template.event}{LEVELS[level]}预警"


def fill_template(
    session: Session,
    actor: User,
    *,
    template: str,
    level: str,
    details: str,
    hours: int,
    screens: Sequence[str],
    groups: Sequence[str],
    everywhere: bool,
    category: str,
    categories: tuple[str, ...],
    now: dt.datetime,
    timezone: str,
) -> Notice:
    """Write the urgent takeover a template makes, and submit it on the takeovers' fast path
    (the duty officer, who is its author)."""
    require_role(actor, Role.DUTY)
    found = TEMPLATES.get(template)
    if found is None:
        raise InvalidInput(
            "no template %(template)s; templates are %(items)s",
            template=repr(template),
            items=", ".join(TEMPLATES),
            field="template",
        )
    if level not in LEVELS:
        raise InvalidInput("level is one of %(items)s", items=", ".join(LEVELS), field="level")
    details = details.strip()
    if len(details) > DETAILS_MAX:
        raise InvalidInput(
            "details have at most %(details_max)s characters",
            details_max=DETAILS_MAX,
            field="details",
        )
    if not HOURS_RANGE[0] <= hours <= HOURS_RANGE[1]:
        raise InvalidInput(
            "hours is %(low)s–%(high)s",
            low=HOURS_RANGE[0],
            high=HOURS_RANGE[1],
            field="hours",
        )
    if everywhere == bool(screens or groups):
        raise InvalidInput('say where: "all": true, or screens, or groups', field="screens")
    if everywhere:
        screens = list(session.scalars(sa.select(Screen.key).order_by(Screen.key)))
    body = "\n".join(p for p in (details, f"防御指南：{found.guidance}") if p)
    fields = notices.NoticeFields(
        title=template_title(found, level),
        body=body,
        category=category,
        priority="urgent",
        valid_from=now,
        valid_until=now + dt.timedelta(hours=hours),
        screens=list(screens),
        groups=list(groups),
        level=level,
    )
    rules = notices.NoticeRules(categories=categories)
    notice = notices.create_notice(session, actor, fields, now=now, rules=rules)
    return notices.submit_notice(
        session, actor, notice.id, now=now, timezone=timezone, takeover=True
    )
