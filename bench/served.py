"""Benchmark: how much the served-playlist store keeps per screen per day.

    .venv/bin/python -m bench.served [--screens 200] [--notices 30] [--changes 6]
                                     [--database-url URL]

``--screens`` screens in four groups, ``--notices`` live notices aimed at the groups; for a day,
every screen is sent its playlist every hour (the horizon rolls forward hourly), and
``--changes`` times in the day one notice is approved, so every screen of its group is sent a
new playlist at once. Each send goes through the controller's own path (compile, then
:func:`signage.delivery.served.note_served`). Prints the rows and bytes of the store's two
tables (with their indexes) per screen per day: on SQLite from ``dbstat``, on PostgreSQL from
``pg_total_relation_size``. A keep-every-document store is printed beside it for comparison.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
from pathlib import Path

import sqlalchemy as sa

from playlists import DEFAULT_WEIGHTS, canonical_bytes
from playlists.evidence import etag_of
from playlists.signing import signed_etag
from signage import migrate
from signage.accounts.services import create_user
from signage.app import create_app
from signage.db import get_db
from signage.delivery.served import note_served
from signage.delivery.services import compile_served
from signage.notices import review
from signage.notices import services as notices
from signage.screens.models import Screen
from signage.screens.services import create_group, create_screen

TABLES = ("served_playlists", "served_inputs")
BODY = "各乡镇、各部门：根据工作安排，现将有关事项通知如下，请认真贯彻落实。" * 3


def table_bytes(connection: sa.Connection, name: str) -> int:
    if connection.dialect.name == "postgresql":
        return int(connection.scalar(sa.text(f"SELECT pg_total_relation_size('{name}')")))
    # The table and the indexes on it, page by page.
    names = [name] + [
        r[0]
        for r in connection.execute(
            sa.text("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :t"),
            {"t": name},
        )
    ]
    total = 0
    for n in names:
        total += int(
            connection.scalar(sa.text("SELECT sum(pgsize) FROM dbstat WHERE name = :n"), {"n": n})
            or 0
        )
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description="the served-playlist store's size")
    parser.add_argument("--screens", type=int, default=200)
    parser.add_argument("--notices", type=int, default=30)
    parser.add_argument("--changes", type=int, default=6)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    url = args.database_url or f"sqlite:///{tmp / 'served.db'}"
    app = create_app(
        {"SIGNAGE_DATA_DIR": str(tmp), "SIGNAGE_DATABASE_URL": url, "SIGNAGE_SCHEDULER": False}
    )
    db = get_db(app)
    migrate.upgrade(db.engine)
    day = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    rules = notices.NoticeRules(categories=("通知公告",))
    documents = 0
    with db.session() as s:
        author, _ = create_user(s, None, username="author", roles=["author"], now=day)
        reviewer, _ = create_user(s, None, username="reviewer", roles=["reviewer"], now=day)
        groups = [f"片区{i}" for i in range(4)]
        for g in groups:
            create_group(s, None, name=g, now=day)
        for i in range(args.screens):
            create_screen(
                s,
                None,
                key=f"s{i:05d}",
                name=f"屏{i}",
                width=192,
                height=32,
                groups=[groups[i % 4]],
                now=day,
            )
        s.commit()

        def publish(n: int, at: dt.datetime) -> None:
            fields = notices.NoticeFields(
                title=f"通知第{n}号",
                body=BODY,
                category="通知公告",
                groups=[groups[n % 4]],
                valid_from=day,
                valid_until=day + dt.timedelta(days=30),
            )
            notice = notices.create_notice(s, author, fields, now=at, rules=rules)
            notices.submit_notice(s, author, notice.id, now=at)
            review.approve_notice(s, reviewer, notice.id, confidentiality_reviewed=True, now=at)
            s.commit()

        for n in range(args.notices):
            publish(n, day - dt.timedelta(hours=1))
        screens = list(s.scalars(sa.select(Screen).order_by(Screen.id)))
        change_hours = {round(h * 24 / args.changes) for h in range(args.changes)}
        for hour in range(24):
            at = day + dt.timedelta(hours=hour)
            sends = [at]
            if hour in change_hours:
                sends.append(at + dt.timedelta(minutes=30))
            for k, when in enumerate(sends):
                if k == 1:
                    publish(args.notices + hour, when)
                for screen in screens:
                    playlist, inputs = compile_served(s, screen, now=when, weights=DEFAULT_WEIGHTS)
                    body = canonical_bytes(playlist)
                    etag = etag_of(signed_etag(body, "0" * 16))
                    note_served(s, screen.id, etag, playlist, inputs, now=when)
                    documents += len(body)
                s.commit()
        connection = s.connection()
        sizes = {t: table_bytes(connection, t) for t in TABLES}
        rows = {t: connection.scalar(sa.text(f"SELECT count(*) FROM {t}")) for t in TABLES}
    per = args.screens
    print(
        f"served-playlist store: {args.screens} screens, {args.notices} notices, "
        f"{args.changes} changes in the day, database {db.engine.url.get_backend_name()}"
    )
    print(f"{'table':<22} {'rows':>8} {'bytes':>12} {'bytes/screen/day':>18}")
    for t in TABLES:
        print(f"{t:<22} {rows[t]:>8} {sizes[t]:>12,} {sizes[t] / per:>18,.0f}")
    total = sum(sizes.values())
    print(f"{'store in all':<22} {'':>8} {total:>12,} {total / per:>18,.0f}")
    print(f"{'every document kept':<22} {'':>8} {documents:>12,} {documents / per:>18,.0f}")
    print(
        f"for 10,000 screens: {total / per * 10_000 / 1e6:,.1f} MB a day "
        f"(every document: {documents / per * 10_000 / 1e9:,.2f} GB)"
    )
    db.engine.dispose()


if __name__ == "__main__":
    main()
