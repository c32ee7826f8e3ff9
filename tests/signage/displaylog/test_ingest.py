"""Display events: idempotent ingest, rejections with reasons, gaps, chains, and reading them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo

import pytest
import sqlalchemy as sa

from playlists import canonical_json, horizon_start
from signage.audit.chain import link_hash
from signage.clock import utcnow
from signage.displaylog.chains import verify_display_logs
from signage.displaylog.models import DisplayEvent, DisplayGap, RefusedEvent
from signage.displaylog.reading import EventFilter, iter_events, list_events
from signage.displaylog.records import hashed_record
from signage.displaylog.schemas import event_json
from signage.screens.services import create_screen
from tests.screen_record import FAST, ScreenRecord, fetch_etag

HOUR = dt.timedelta(hours=1)
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def world(db_session, make_user, make_notice, token_for, client):
    """Two screens with registered player keys, a live notice on hall, and hall's playlist
    as served now (events start at the top of this hour, when that playlist begins)."""
    now = utcnow()
    author, reviewer = make_user("author"), make_user("reviewer")
    screen, token = create_screen(
        db_session, None, key="hall", name="大厅", width=192, height=32, now=now, settings=FAST
    )
    other, other_token = create_screen(
        db_session, None, key="lobby", name="门厅", width=64, height=16, now=now, settings=FAST
    )
    db_session.commit()
    window = {"valid_from": now - 2 * HOUR, "valid_until": now + dt.timedelta(days=7)}
    at = now - 2 * HOUR
    live = make_notice(
        author, screens=["hall"], status="approved", reviewer=reviewer, at=at, **window
    )
    draft = make_notice(author, screens=["hall"], at=at, **window)
    headers = {"Authorization": f"Bearer {token}"}
    record = ScreenRecord()
    record.register_api(client, headers)
    return {
        "screen": screen,
        "other": other,
        "live": live,
        "draft": draft,
        "author_user": author,
        "reviewer_user": reviewer,
        "window": window,
        "headers": headers,
        "other_headers": {"Authorization": f"Bearer {other_token}"},
        "supervisor": token_for(make_user("supervisor")),
        "author": token_for(author),
        "record": record,
        "etag": fetch_etag(client, headers),
        "t0": horizon_start(now),
    }


def event(world, notice, seq: int, **kw):
    """Event ``seq`` of hall's chain: ``notice`` shown for 15 s, 15 s after the one before."""
    record = world["record"]
    record.seq = seq - 1
    start = kw.pop("started_at", world["t0"] + dt.timedelta(seconds=15 * seq))
    return record.event(notice, kw.pop("playlist_etag", world["etag"]), start, **kw)


def post(client, world, events, headers=None, record=None):
    body = (record or world["record"]).batch(events)
    return client.post("/api/v1/player/events", json=body, headers=headers or world["headers"])


def test_accepted_then_duplicates(client, db_session, world):
    batch = [event(world, world["live"], s) for s in (1, 2, 3)]
    first = post(client, world, batch).get_json()
    assert first["accepted"] == [e["id"] for e in batch] and first["rejected"] == []
    again = post(client, world, batch).get_json()
    assert again["accepted"] == [] and again["duplicates"] == [e["id"] for e in batch]
    rows = db_session.scalars(sa.select(DisplayEvent).order_by(DisplayEvent.chain_seq)).all()
    assert [(r.player_seq, r.chain_seq, r.category) for r in rows] == [
        (1, 1, "通知公告"),
        (2, 2, "通知公告"),
        (3, 3, "通知公告"),
    ]
    assert rows[1].prev_hash == rows[0].hash


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"id": "not-a-uuid"}, "UUID"),
        ({"seq": 0}, "seq"),
        ({"seq": "1"}, "seq"),
        ({"outcome": "maybe"}, "outcome"),
        ({"started_at": "2026-11-26T08:00:00"}, "offset"),
        ({"started_at": "2099-01-01T00:00:00Z"}, "future"),
        ({"started_at": "1970-01-01T00:00:00Z"}, "before the revision was approved"),
        ({"started_at": "0001-01-01T00:00:00+01:00"}, "out of range"),
        ({"duration_ms": -5}, "duration_ms"),
        ({"content_sha256": "0" * 64}, "does not match"),
        ({"content_sha256": "XYZ"}, "hex"),
        ({"revision": 7}, "never approved"),
        ({"notice_id": 99999}, "never approved"),
    ],
)
def test_rejected_events_say_why_and_the_rest_is_kept(client, db_session, world, change, reason):
    good, bad = event(world, world["live"], 1), event(world, world["live"], 2) | change
    answer = post(client, world, [good, bad]).get_json()
    assert answer["accepted"] == [good["id"]]
    assert len(answer["rejected"]) == 1 and reason in answer["rejected"][0]["reason"]


def test_an_unapproved_revision_is_rejected(client, world):
    answer = post(client, world, [event(world, world["draft"], 1)]).get_json()
    assert "never approved" in answer["rejected"][0]["reason"]


def test_a_reused_sequence_number_is_rejected_not_merged(client, world):
    post(client, world, [event(world, world["live"], 1)])
    answer = post(client, world, [event(world, world["live"], 1)]).get_json()
    assert answer["duplicates"] == [] and "already used" in answer["rejected"][0]["reason"]


def test_batches_are_bounded_and_shaped(client, db_session, world):
    too_many = [event(world, world["live"], s) for s in range(1, 502)]
    assert post(client, world, too_many).status_code == 422
    assert (
        client.post("/api/v1/player/events", json=[1], headers=world["headers"]).status_code == 400
    )
    unsigned = world["record"].batch([event(world, world["live"], 1)])
    assert client.post("/api/v1/player/events", json=unsigned).status_code == 401
    # A batch without its signed head, or with one of the wrong shape, is no batch: 422, and
    # nothing is stored (the player keeps its events and sends them again).
    signed = unsigned["head"]
    for head in (None, {"seq": -1}, "signed", signed | {"seq": False}, signed | {"seq": 1.5}):
        body = unsigned | {"head": head} if head is not None else {"events": unsigned["events"]}
        answer = client.post("/api/v1/player/events", json=body, headers=world["headers"])
        assert answer.status_code == 422 and answer.get_json()["error"]["field"] == "head", head
    assert db_session.scalar(sa.select(sa.func.count()).select_from(RefusedEvent)) == 0
    # A whole number written as 1.0 is the number JSON Schema says it is.
    body = unsigned | {"head": signed | {"seq": float(signed["seq"])}}
    assert (
        client.post("/api/v1/player/events", json=body, headers=world["headers"]).status_code == 200
    )


def test_gaps_are_recorded_and_late_events_are_kept_outside_the_chain(client, db_session, world):
    answer = post(client, world, [event(world, world["live"], s) for s in (1, 2, 6, 9)])
    assert answer.get_json()["lost"] == [
        {"first_seq": 3, "last_seq": 5},
        {"first_seq": 7, "last_seq": 8},
    ]
    # A player sends its chain in order: an event behind its head cannot be linked in (it could
    # be anyone's), so it is refused and kept, and the gaps stay as they were.
    late = [event(world, world["live"], 4), event(world, world["live"], 7)]
    answer = post(client, world, late).get_json()
    assert [r["reason"] for r in answer["rejected"]] == [
        "sequence number 4 is behind the screen's chain",
        "sequence number 7 is behind the screen's chain",
    ]
    gaps = db_session.execute(
        sa.select(DisplayGap.first_seq, DisplayGap.last_seq).order_by(DisplayGap.first_seq)
    ).all()
    assert [tuple(g) for g in gaps] == [(3, 5), (7, 8)]
    kept = db_session.execute(sa.select(RefusedEvent.player_seq, RefusedEvent.chained)).all()
    assert sorted(tuple(k) for k in kept) == [(4, False), (7, False)]


def test_every_stored_event_hashes_as_its_record_says(client, db_session, world):
    at = world["t0"] + dt.timedelta(seconds=45, milliseconds=250)
    # The hash is taken over canonical_json(hashed_record(row)) (record_json writes it without
    # the general encoder; tests/signage/displaylog/test_record_json.py holds the two equal
    # for any strings).
    batch = [
        event(world, world["live"], 1),
        event(world, world["live"], 2, duration_ms=0, outcome="error"),
        event(world, world["live"], 3, started_at=at.astimezone(SHANGHAI).isoformat()),
    ]
    assert len(post(client, world, batch).get_json()["accepted"]) == 3
    rows = db_session.scalars(sa.select(DisplayEvent).order_by(DisplayEvent.chain_seq)).all()
    prev = "0" * 64
    for row in rows:
        assert row.prev_hash == prev
        assert row.hash == link_hash(prev, canonical_json(hashed_record(row)))
        prev = row.hash
    assert rows[2].started_at == at
    assert verify_display_logs(db_session) == []


@pytest.mark.parametrize(
    "item_id", ['=HYPERLINK("http://evil.example","x")', 'n1 "引号" \\ \t', "n1.r2", "n999.r1"]
)
def test_an_item_id_that_is_not_the_playlists_is_refused(client, db_session, world, item_id):
    # Checked both ways: alone, the batch takes the one-pass check; beside a malformed event,
    # the event-by-event one (whose rejections come first).
    for seq, extra in enumerate(([], [{"id": "not-even-an-event"}]), 1):
        answer = post(client, world, [*extra, event(world, world["live"], seq, item_id=item_id)])
        assert answer.status_code == 200
        assert "not the playlist's id" in answer.get_json()["rejected"][-1]["reason"]
    assert db_session.scalar(sa.select(sa.func.count()).select_from(DisplayEvent)) == 0


def test_chains_are_per_screen_and_an_edit_is_found(client, db_session, world):
    post(client, world, [event(world, world["live"], s) for s in (1, 2, 3)])
    assert verify_display_logs(db_session) == []
    db_session.execute(
        sa.update(DisplayEvent).where(DisplayEvent.player_seq == 2).values(duration_ms=999_999)
    )
    db_session.commit()
    broken = verify_display_logs(db_session)
    assert [(key, b.seq) for key, b in broken] == [("hall", 2)]


def test_display_events_filters_paging_and_csv(client, db_session, world, make_notice):
    post(client, world, [event(world, world["live"], s) for s in range(1, 8)])
    url = "/api/v1/display-events"
    page = client.get(
        url, query_string={"screen": "hall", "limit": 3}, headers=world["supervisor"]
    ).get_json()
    seen = [e["seq"] for e in page["items"]]
    while page["next_cursor"]:
        page = client.get(
            url,
            query_string={"screen": "hall", "limit": 3, "cursor": page["next_cursor"]},
            headers=world["supervisor"],
        ).get_json()
        seen += [e["seq"] for e in page["items"]]
    assert seen == list(range(1, 8))
    window = {
        "from": (world["t0"] + dt.timedelta(seconds=30)).isoformat(),
        "to": (world["t0"] + dt.timedelta(seconds=75)).isoformat(),
    }
    timed = client.get(url, query_string=window, headers=world["supervisor"]).get_json()
    assert [e["seq"] for e in timed["items"]] == [2, 3, 4]
    assert (
        client.get(url, query_string={"category": "要闻"}, headers=world["supervisor"]).get_json()[
            "items"
        ]
        == []
    )
    assert (
        len(
            client.get(
                url, query_string={"notice": world["live"].id}, headers=world["supervisor"]
            ).get_json()["items"]
        )
        == 7
    )
    # A streamed answer must be closed, as a WSGI server does, to end its request (and its
    # database transaction).
    with client.get(
        url, query_string=window | {"format": "csv"}, headers=world["supervisor"]
    ) as response:
        assert response.mimetype == "text/csv"
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [int(r["seq"]) for r in rows] == [2, 3, 4] and rows[0]["screen"] == "hall"
    assert client.get(url, headers=world["author"]).status_code == 403
    assert (
        client.get(url, query_string={"format": "csv"}, headers=world["author"]).status_code == 403
    )
    assert (
        client.get(
            url, query_string={"cursor": "garbage!"}, headers=world["supervisor"]
        ).status_code
        == 422
    )


def test_the_export_reads_in_chunks_every_row_once_in_order(client, db_session, world, make_user):
    post(client, world, [event(world, world["live"], s) for s in range(1, 8)])
    supervisor = make_user("supervisor")
    everything = EventFilter(screen="hall")
    page, _ = list_events(db_session, supervisor, everything, limit=100)
    for chunk in (1, 3, 7, 100):
        rows = list(iter_events(db_session, supervisor, everything, chunk=chunk))
        assert [(r.player_seq, key) for r, key in rows] == [(e.player_seq, k) for e, k in page]
        assert [event_json(r, k) for r, k in rows] == [event_json(e, k) for e, k in page]


def test_verify_logs_cli_covers_display_chains(client, db_session, world, app, config):
    from click.testing import CliRunner

    from signage.cli import Context, cli
    from signage.db import get_db

    def verify():
        context = Context(config)
        try:
            return CliRunner().invoke(cli, ["verify-logs"], obj=context)
        finally:
            get_db(context.app).engine.dispose()

    post(client, world, [event(world, world["live"], s) for s in (1, 2)])
    ok = verify()
    assert ok.exit_code == 0 and "2 events" in ok.output
    db_session.execute(
        sa.update(DisplayEvent).where(DisplayEvent.player_seq == 1).values(outcome="error")
    )
    db_session.commit()
    broken = verify()
    assert broken.exit_code == 1 and "screen hall: BROKEN at record 1" in broken.output


@pytest.mark.parametrize(
    ("started_at", "reason"),
    [
        ("2099-01-01T00:00:00Z", "future"),
        ("1970-01-01T00:00:00Z", "before the revision was approved"),
        ("0001-01-01T00:00:00+01:00", "out of range"),
        ("2026-11-26T08:00:00", "offset"),
        ("2026-02-30T08:00:00Z", "ISO-8601"),
        ("yesterday", "ISO-8601"),
    ],
)
def test_a_well_formed_batch_is_checked_as_carefully(client, world, started_at, reason):
    # Every event well formed: the batch takes the one-pass check, which must refuse the same.
    bad = event(world, world["live"], 1, started_at=started_at)
    good = event(world, world["live"], 2)
    answer = post(client, world, [bad, good]).get_json()
    assert answer["accepted"] == [good["id"]]
    assert [r["id"] for r in answer["rejected"]] == [bad["id"]]
    assert reason in answer["rejected"][0]["reason"]


def test_a_body_that_is_not_a_batch_is_a_400(client, world):
    for body in (b"not json", b"[]", b'{"events": 3}'):
        answer = client.post(
            "/api/v1/player/events",
            data=body,
            content_type="application/json",
            headers=world["headers"],
        )
        assert answer.status_code == 400 and "events" in answer.get_json()["error"]["message"]
