"""The fleet benchmark's data: N screens, their players' keys, live notices, and the change.

Screens and player keys are written in bulk (a province's screens are not registered one by
one in a benchmark); the notices go through the services, as staff would make them, so they
carry real content hashes and approvals.
"""

from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa

from bench.fleet.players import player_key
from signage.accounts.services import create_token, create_user
from signage.accounts.tokens import token_hash
from signage.db import Database
from signage.notices import review
from signage.notices import services as notices
from signage.screens.models import PlayerKey, Screen, ScreenGroup, screen_group_members

FLOORS = 10
SIZES = [(192, 32), (384, 128), (256, 64)]
HOURS = [None, "1-5 08:00-18:00,6-7 09:00-17:00", None]
ALL = "全部屏幕"
RULES = notices.NoticeRules(categories=("通知公告", "要闻"))


def build(url: str, n: int, seed: str, live: int = 20, short: bool = False) -> dict[str, object]:
    """Fill the (migrated, empty) database; return what the players and the bench need.

    ``short``: notices of a line each, which take 15–30 s on a screen (so an hour's outage
    leaves a screen with about 120 displays to upload; the fleet issue's 3.6 million for
    10,000 screens assumes 360).
    """
    db = Database(url)
    now = dt.datetime.now(dt.UTC)
    tokens = [f"bench-{i}-{secrets.token_urlsafe(16)}" for i in range(n)]
    with db.session() as s:
        author, _ = create_user(s, None, username="author", roles=["author"], now=now)
        reviewer, _ = create_user(s, None, username="reviewer", roles=["reviewer"], now=now)
        _, staff_token = create_token(s, reviewer, name="bench", now=now)
        duty, _ = create_user(s, None, username="duty", roles=["duty"], now=now)
        _, duty_token = create_token(s, duty, name="bench", now=now)
        s.execute(
            sa.insert(ScreenGroup),
            [{"id": 1, "name": ALL, "description": "", "created_at": now}]
            + [
                {"id": g + 2, "name": f"{g + 1}楼", "description": "", "created_at": now}
                for g in range(FLOORS)
            ],
        )
        s.execute(
            sa.insert(Screen),
            [
                {
                    "id": i + 1,
                    "key": f"screen-{i + 1:05d}",
                    "name": f"屏{i + 1}",
                    "location": "",
                    "width": SIZES[i % len(SIZES)][0],
                    "height": SIZES[i % len(SIZES)][1],
                    "color": "full",
                    "timezone": "Asia/Shanghai",
                    "hours": HOURS[i % len(HOURS)],
                    "token_hash": token_hash(tokens[i]),
                    "token_prefix": tokens[i][:12],
                    "created_at": now,
                    "updated_at": now,
                    "playlist_seq": 0,
                }
                for i in range(n)
            ],
        )
        s.execute(
            sa.insert(screen_group_members),
            [{"screen_id": i + 1, "group_id": 1} for i in range(n)]
            + [{"screen_id": i + 1, "group_id": i % FLOORS + 2} for i in range(n)],
        )
        s.execute(
            sa.insert(PlayerKey),
            [
                {
                    "screen_id": i + 1,
                    "key_id": (key := player_key(seed, i).public).key_id,
                    "public_key": key.text,
                    "registered_at": now,
                }
                for i in range(n)
            ],
        )
        s.commit()
        for k in range(live):
            groups = [ALL] if k % 10 == 0 else [f"{k % FLOORS + 1}楼"]
            approve(s, author, reviewer, now, f"通知 {k + 1}", groups, short)
        # The change every screen must see: submitted now, approved by the bench over HTTP.
        change = notices.create_notice(
            s,
            author,
            fields("关于全体屏幕播放的紧急通知", [ALL], now, short),
            now=now,
            rules=RULES,
        )
        notices.submit_notice(s, author, change.id, now=now)
        s.commit()
        watch = change.id
    db.engine.dispose()
    return {
        "tokens": tokens,
        "staff_token": staff_token,
        "duty_token": duty_token,
        "watch_notice": watch,
    }


def fields(
    title: str, groups: list[str], now: dt.datetime, short: bool = False
) -> notices.NoticeFields:
    return notices.NoticeFields(
        title=title,
        body="请知悉。"
        if short
        else "各位办事群众：" + "本中心办公时间为工作日上午8:30至12:00，下午14:00至17:30。" * 2,
        category="通知公告",
        groups=groups,
        valid_from=now - dt.timedelta(hours=1),
        valid_until=now + dt.timedelta(days=3),
    )


def approve(s, author, reviewer, now, title, groups, short=False) -> None:  # type: ignore[no-untyped-def]
    notice = notices.create_notice(
        s, author, fields(title, groups, now, short), now=now, rules=RULES
    )
    notices.submit_notice(s, author, notice.id, now=now)
    review.approve_notice(s, reviewer, notice.id, confidentiality_reviewed=True, now=now)
    s.commit()
