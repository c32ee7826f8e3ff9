"""Benchmark: ``signage verify-logs --checkpoints DIR`` over a large display log.

    .venv/bin/python -m bench.verify [--events 1000000] [--screens 10] [--database-url URL]

Builds a log of ``--events`` display events spread over ``--screens`` screens, each stored as a
real player's would be (signed batches of 500 through the ingest service, each play from the
playlist served to its screen that hour), rolls the days up, signs a checkpoint and exports it;
then runs ``signage verify-logs --checkpoints DIR`` as its own process and prints its wall time,
events checked per second and peak memory (the child's maximum resident set). verify-logs streams
the log, so its memory should not grow with the log's length.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from playlists import DEFAULT_WEIGHTS, canonical_bytes
from playlists.evidence import GENESIS, etag_of, event_hash, sign_head
from playlists.signing import SigningKey, signed_etag
from signage import migrate
from signage.accounts.services import create_user
from signage.app import create_app
from signage.db import get_db
from signage.delivery.served import note_served
from signage.delivery.services import compile_served
from signage.displaylog.ingest import ingest_events
from signage.evidence.checkpoints import export_checkpoints, make_checkpoint
from signage.keys.services import get_keys, key_file, prepare_key
from signage.notices import review
from signage.notices import services as notices
from signage.reports.rollups import roll_up
from signage.screens.models import Screen
from signage.screens.player_keys import register_player_key
from signage.screens.services import create_screen

BATCH = 500


def main() -> None:
    parser = argparse.ArgumentParser(description="verify-logs over a large display log")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--screens", type=int, default=10)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    url = args.database_url or f"sqlite:///{tmp / 'verify.db'}"
    settings = {
        "SIGNAGE_DATA_DIR": str(tmp),
        "SIGNAGE_DATABASE_URL": url,
        "SIGNAGE_SCHEDULER": False,
    }
    app = create_app(settings)
    db = get_db(app)
    migrate.upgrade(db.engine)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    per_screen = args.events // args.screens
    # One display a second, a second long: the log's length, not its realism, is measured.
    start = now - dt.timedelta(seconds=per_screen + 3600)
    approved = start - dt.timedelta(minutes=1)
    t0 = time.perf_counter()
    with db.session() as s:
        prepare_key(s, key_file(app.config), now=approved)
        author, _ = create_user(s, None, username="author", roles=["author"], now=approved)
        reviewer, _ = create_user(s, None, username="reviewer", roles=["reviewer"], now=approved)
        keys = [f"screen-{i:03d}" for i in range(args.screens)]
        for key in keys:
            create_screen(s, None, key=key, name=key, width=192, height=32, now=approved)
        notice = notices.create_notice(
            s,
            author,
            notices.NoticeFields(
                title="通知",
                category="通知公告",
                screens=keys,
                valid_from=approved,
                valid_until=now + dt.timedelta(days=1),
            ),
            now=approved,
            rules=notices.NoticeRules(categories=("通知公告",)),
        )
        notices.submit_notice(s, author, notice.id, now=approved)
        review.approve_notice(s, reviewer, notice.id, confidentiality_reviewed=True, now=approved)
        s.commit()
        revision = notice.live_revision
        assert revision is not None
        controller = get_keys(app).key().key_id
        for key in keys:
            screen = s.scalar(sa.select(Screen).where(Screen.key == key))
            assert screen is not None
            player = SigningKey.generate()
            register_player_key(s, screen.id, player.public.text, now=approved)
            s.commit()
            etags: dict[dt.datetime, str] = {}
            prev, batch = GENESIS, []
            for i in range(per_screen):
                at = start + dt.timedelta(seconds=i)
                hour = at.replace(minute=0, second=0)
                if hour not in etags:
                    playlist, inputs = compile_served(s, screen, now=hour, weights=DEFAULT_WEIGHTS)
                    etags[hour] = etag_of(signed_etag(canonical_bytes(playlist), controller))
                    note_served(s, screen.id, etags[hour], playlist, inputs, now=hour)
                event = {
                    "id": f"00000000-0000-4000-8000-{screen.id:04d}{i:08d}",
                    "seq": i + 1,
                    "item_id": f"n{notice.id}.r1",
                    "notice_id": notice.id,
                    "revision": 1,
                    "content_sha256": revision.content_sha256,
                    "started_at": at.isoformat(),
                    "duration_ms": 1000,
                    "outcome": "shown",
                    "playlist_etag": etags[hour],
                    "prev": prev,
                }
                prev = event_hash(event)
                batch.append(event)
                if len(batch) == BATCH or i == per_screen - 1:
                    head = sign_head(player, batch[-1]["seq"], prev)
                    result = ingest_events(s, screen.id, batch, head, now=at)
                    assert not result.rejected, result.rejected[:1]
                    s.commit()
                    batch = []
        roll_up(s, now=now, timezone=app.config["SIGNAGE_TIMEZONE"])
        s.commit()
        make_checkpoint(s, get_keys(app).key(), now=now)
        s.commit()
        export_checkpoints(s, tmp / "checkpoints")
    built = time.perf_counter() - t0
    db.engine.dispose()
    env = os.environ | {
        "SIGNAGE_DATA_DIR": str(tmp),
        "SIGNAGE_DATABASE_URL": url,
        "SIGNAGE_SCHEDULER": "0",
    }
    command = [
        sys.executable,
        "-m",
        "signage",
        "verify-logs",
        "--checkpoints",
        str(tmp / "checkpoints"),
    ]
    t0 = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    total = per_screen * args.screens
    print(
        f"verify-logs benchmark: {total:,} events on {args.screens} screens "
        f"(log built in {built:.0f} s), database {db.engine.url.get_backend_name()}"
    )
    print(f"{'exit status':<28} {done.returncode:>12}")
    print(f"{'wall time':<28} {elapsed:>11.1f}s")
    print(f"{'events checked per second':<28} {total / elapsed:>12,.0f}")
    print(f"{'peak memory (max RSS)':<28} {peak_mb:>10.0f} MB")
    if done.returncode != 0:
        print(done.stdout[-2000:], done.stderr[-2000:])
        raise SystemExit(1)


if __name__ == "__main__":
    main()
