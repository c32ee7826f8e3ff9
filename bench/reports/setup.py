"""The reports benchmark's data: a year of display events on 50 screens, written at speed.

Screens, users and notices go through the services, as staff would make them (real content
hashes, approvals and targets). The display events skip the HTTP ingest and go straight to
:func:`signage.displaylog.append.append_events`, the one writer of the display log: every event
takes its place in its screen's hash chain exactly as an uploaded one would, so the chains
verify and the roll-up job and the reports read what they would read in production. The
players' own chains (``player_prev``) and the playlists they played from are left empty, as for
events stored before screens signed their record.

Each screen shows the notices aimed at it that day round-robin, back to back, from 08:00 local
time, each for its own time on the screen; one display in 50 is interrupted and one in 200 is
an error. Every notice's window runs from a local midnight to another, so a day's rotation is
fixed. One notice is the 公示 the compliance evidence is asked about: 30 days on the 10 screens
of one group.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from playlists.compile import item_id
from signage.accounts.services import create_token, create_user
from signage.config import DEFAULT_CATEGORIES
from signage.db import Database
from signage.displaylog.append import ParsedEvent, append_events
from signage.health.models import ScreenStatus
from signage.notices import review
from signage.notices import services as notices
from signage.screens.services import create_screen
from signage.times import isoformat_z

ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")
YEAR = 2025
SCREENS = 50
GROUPS = tuple(f"{letter}区" for letter in "ABCDE")  # ten screens each
ALL = "全部屏幕"
SIZES = [(384, 128), (256, 64), (192, 32), (384, 192), (128, 32)]
CATEGORIES = DEFAULT_CATEGORIES[:4]  # 要闻, 通知公告, 人事任免, 政府文件 (never shown)
RULES = notices.NoticeRules(categories=CATEGORIES)
OPENS = dt.time(8, 0)
PASSWORD = "bench-reports-password"
# A transaction holds this many screen-days of events (about 27,000 at 10 million a year): on
# SQLite one write lock, on PostgreSQL one executemany per screen-day.
COMMIT_EVERY = 50


@dataclass(frozen=True)
class Live:
    notice_id: int
    revision: int
    content_sha256: str
    category: str
    first: dt.date  # the first local day it is on display
    last: dt.date  # the last
    screens: frozenset[int]
    play_ms: int


@dataclass(frozen=True)
class Built:
    staff_token: str
    supervisor: str  # user name; the password is PASSWORD
    evidence_notice: int
    evidence_screen: str  # the key of one screen the 公示 was aimed at
    events: int
    notices: int
    seconds: float


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), ZONE).astimezone(dt.UTC)


def build(url: str, events: int, progress: Callable[[str], None] = print) -> Built:
    """Fill the (migrated, empty) database with a year of ``events`` display events."""
    db = Database(url)
    rng = random.Random(2025)
    started = time.perf_counter()
    first_day = dt.date(YEAR, 1, 1)
    days = (dt.date(YEAR, 12, 31) - first_day).days + 1
    with db.session() as s:
        at = midnight(first_day) - dt.timedelta(days=1)
        admin, _ = create_user(s, None, username="bench-admin", roles=["admin"], now=at)
        author, _ = create_user(s, None, username="author", roles=["author"], now=at)
        reviewer, _ = create_user(s, None, username="reviewer", roles=["reviewer"], now=at)
        supervisor, _ = create_user(
            s, None, username="supervisor", roles=["supervisor"], now=at, password=PASSWORD
        )
        _, staff_token = create_token(s, supervisor, name="bench", now=at)
        ids: dict[str, set[int]] = {g: set() for g in (*GROUPS, ALL)}
        for i in range(SCREENS):
            width, height = SIZES[i % len(SIZES)]
            group = GROUPS[i // (SCREENS // len(GROUPS))]
            screen, _ = create_screen(
                s,
                admin,
                key=f"screen-{i + 1:02d}",
                name=f"{group}屏{i % 10 + 1}",
                width=width,
                height=height,
                hours="1-7 08:00-20:00",
                groups=[ALL, group],
                create_groups=True,
                now=at,
            )
            ids[group].add(screen.id)
            ids[ALL].add(screen.id)
        s.commit()
        lives = _notices(s, author, reviewer, rng, first_day, days, ids)
        evidence = lives[-1]
        s.execute(
            sa.insert(ScreenStatus),
            [
                {"screen_id": sid, "online": True, "last_seen_at": dt.datetime.now(dt.UTC)}
                for sid in sorted(ids[ALL])
            ],
        )
        s.commit()
    progress(f"{len(lives)} notices made in {time.perf_counter() - started:.1f} s")
    written = _events(db, lives, sorted(ids[ALL]), first_day, days, events, progress)
    if db.engine.dialect.name == "postgresql":
        # What autovacuum does within a minute of a bulk load: without statistics the planner
        # takes a whole table of ten million rows for a small one.
        with db.engine.connect() as connection:
            connection.execute(sa.text("ANALYZE"))
            connection.commit()
    db.engine.dispose()
    screen_key = f"screen-{min(evidence.screens):02d}"
    return Built(
        staff_token=staff_token,
        supervisor="supervisor",
        evidence_notice=evidence.notice_id,
        evidence_screen=screen_key,
        events=written,
        notices=len(lives),
        seconds=time.perf_counter() - started,
    )


def _notices(s, author, reviewer, rng, first_day, days, ids) -> list[Live]:  # type: ignore[no-untyped-def]
    """About 600 notices through the year, five every third day, and the 公示 last."""
    made: list[tuple[dt.date, int, str, list[str]]] = []
    for start in range(0, days, 3):
        for k in range(5):
            length = rng.randint(10, 30)
            groups = [ALL] if k == 0 else [rng.choice(GROUPS)]
            made.append((first_day + dt.timedelta(days=start), length, CATEGORIES[k % 3], groups))
    made.append((dt.date(YEAR, 6, 2), 30, "人事任免", [GROUPS[0]]))
    lives = []
    for n, (first, length, category, groups) in enumerate(made, 1):
        at = midnight(first)
        fields = notices.NoticeFields(
            title=f"{category}（第{n}号）",
            body="各位办事群众：本中心办公时间为工作日上午8:30至12:00，下午14:00至17:30。"
            * rng.randint(1, 3),
            category=category,
            groups=groups,
            valid_from=at,
            valid_until=midnight(first + dt.timedelta(days=length)),
        )
        notice = notices.create_notice(s, author, fields, now=at, rules=RULES)
        notices.submit_notice(s, author, notice.id, now=at)
        review.approve_notice(s, reviewer, notice.id, confidentiality_reviewed=True, now=at)
        s.commit()
        revision = notice.live_revision
        assert revision is not None
        screens = frozenset().union(*(ids[g] for g in groups))
        lives.append(
            Live(
                notice.id,
                revision.number,
                revision.content_sha256,
                category,
                first,
                first + dt.timedelta(days=length - 1),
                screens,
                rng.randint(40_000, 117_000),
            )
        )
    return lives


def _events(db, lives, screens, first_day, days, total, progress) -> int:  # type: ignore[no-untyped-def]
    """Write ``total`` events, the same number (within one) for every screen and day."""
    per_day, extra = divmod(total, len(screens) * days)
    seqs = dict.fromkeys(screens, 0)
    written = 0
    started = time.perf_counter()
    pending = 0
    session = db.session()
    try:
        for d in range(days):
            day = first_day + dt.timedelta(days=d)
            received = midnight(day + dt.timedelta(days=1))
            for screen_id in screens:
                count = per_day + (1 if extra > 0 else 0)
                extra -= 1 if extra > 0 else 0
                batch = _day(screen_id, day, lives, count, seqs[screen_id])
                if not batch:
                    continue
                seqs[screen_id] += len(batch)
                append_events(session, screen_id, batch, received)
                written += len(batch)
                pending += 1
                if pending >= COMMIT_EVERY:
                    session.commit()
                    pending = 0
            if d % 30 == 29:
                rate = written / (time.perf_counter() - started)
                progress(f"  {day}: {written:,} events, {rate:,.0f} a second")
        session.commit()
    finally:
        session.close()
    return written


def _day(
    screen_id: int, day: dt.date, lives: list[Live], count: int, seq: int
) -> list[tuple[ParsedEvent, str]]:
    """One screen's displays of one day, in order, each with its category."""
    here = [v for v in lives if screen_id in v.screens and v.first <= day <= v.last]
    if not here:
        return []
    at = dt.datetime.combine(day, OPENS, ZONE).astimezone(dt.UTC)
    out = []
    for k in range(count):
        live = here[(k + day.toordinal()) % len(here)]
        seq += 1
        outcome, shown = "shown", live.play_ms
        if seq % 50 == 0:
            outcome, shown = "interrupted", live.play_ms // 3
        elif seq % 200 == 7:
            outcome, shown = "error", 0
        event = ParsedEvent(
            event_id=str(uuid.uuid4()),
            seq=seq,
            item_id=item_id(live.notice_id, live.revision),
            notice_id=live.notice_id,
            revision=live.revision,
            content_sha256=live.content_sha256,
            started_at=at,
            duration_ms=shown,
            outcome=outcome,
            started_z=isoformat_z(at),
            playlist_etag=None,  # type: ignore[arg-type]
            prev=None,  # type: ignore[arg-type]
            play_ms=live.play_ms,
        )
        out.append((event, live.category))
        at += dt.timedelta(milliseconds=shown + 500)
    return out
