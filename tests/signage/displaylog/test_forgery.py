"""Plays a screen never had are refused, and kept as refused records; so are batches that are
not the screen's own (another key, a broken link, no key at all)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from playlists import horizon_start
from signage.clock import utcnow
from signage.delivery.cache import get_cache
from signage.displaylog.models import DisplayEvent, RefusedEvent
from signage.notices.services import withdraw_notice
from signage.screens.models import PlayerKey, Screen
from signage.screens.services import create_screen, rotate_screen_token
from tests.screen_record import FAST, ScreenRecord, fetch_etag, serve

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def two(db_session, make_user, make_notice, client):
    """Screens A (gov-lobby) and B (zwzx-hall-1), each with a notice aimed only at it, both
    players registered, both playlists served now."""
    now = utcnow()
    author, reviewer = make_user("author"), make_user("reviewer")
    world = {"t0": horizon_start(now), "author": author, "reviewer": reviewer}
    window = {"valid_from": now - 2 * HOUR, "valid_until": now + dt.timedelta(days=7)}
    for name, key in (("a", "gov-lobby"), ("b", "zwzx-hall-1")):
        screen, token = create_screen(
            db_session, None, key=key, name=key, width=128, height=32, now=now, settings=FAST
        )
        db_session.commit()
        headers = {"Authorization": f"Bearer {token}"}
        record = ScreenRecord()
        record.register_api(client, headers)
        world[name] = {
            "key": key,
            "screen_id": screen.id,
            "headers": headers,
            "record": record,
            "notice": make_notice(
                author,
                screens=[key],
                status="approved",
                reviewer=reviewer,
                at=now - 2 * HOUR,
                **window,
            ),
        }
    for name in ("a", "b"):
        world[name]["etag"] = fetch_etag(client, world[name]["headers"])
    return world


def send(client, side, events, *, record=None, headers=None):
    body = (record or side["record"]).batch(events)
    answer = client.post("/api/v1/player/events", json=body, headers=headers or side["headers"])
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()


def play(
    side, notice=None, *, etag=None, start=None, seconds=0, duration_ms=15000, t0=None, **fields
):
    start = start or t0 + dt.timedelta(seconds=seconds)
    return side["record"].event(
        notice or side["notice"], etag or side["etag"], start, duration_ms=duration_ms, **fields
    )


def refused(db_session):
    return db_session.execute(
        sa.select(RefusedEvent.reason, RefusedEvent.chained).order_by(RefusedEvent.id)
    ).all()


def plays(db_session):
    return db_session.scalar(sa.select(sa.func.count()).select_from(DisplayEvent))


def test_a_play_of_another_screens_notice_is_refused_and_kept(client, db_session, two):
    a, b, t0 = two["a"], two["b"], two["t0"]
    # A's own playlist does not hold B's notice; B's playlist was never served to A.
    answer = send(client, a, [play(a, b["notice"], t0=t0, seconds=10)])
    assert "does not hold item" in answer["rejected"][0]["reason"]
    answer = send(client, a, [play(a, b["notice"], etag=b["etag"], t0=t0, seconds=30)])
    assert "never served to this screen" in answer["rejected"][0]["reason"]
    assert plays(db_session) == 0
    kept = refused(db_session)
    assert len(kept) == 2 and all(chained for _, chained in kept)
    # A's own play still goes through, linked after the two refused ones.
    assert send(client, a, [play(a, t0=t0, seconds=60)])["accepted"]


def test_overlapping_plays_and_a_play_not_yet_over_are_refused(client, db_session, two):
    a, t0 = two["a"], two["t0"]
    # The playlist the screen was sent an hour ago, played for half an hour, twice at once.
    hour_ago = serve(db_session, db_session.get(Screen, a["screen_id"]), t0 - HOUR)
    half = 30 * 60 * 1000
    start = t0 - HOUR
    first = play(a, etag=hour_ago, start=start, duration_ms=half)
    second = play(a, etag=hour_ago, start=start, duration_ms=half)
    answer = send(client, a, [first, second])
    assert answer["accepted"] == [first["id"]]
    assert "overlaps" in answer["rejected"][0]["reason"]
    # Also across batches: the display before is read from the log.
    late = play(a, etag=hour_ago, start=start + HOUR / 4, duration_ms=1000, outcome="interrupted")
    answer = send(client, a, [late])
    assert "overlaps" in answer["rejected"][0]["reason"]
    # A day-long display that started this hour has not ended yet.
    answer = send(client, a, [play(a, t0=t0, duration_ms=24 * 3600 * 1000)])
    assert "ends in the future" in answer["rejected"][0]["reason"]


def test_a_play_after_withdrawal_is_refused(client, db_session, two):
    a = two["a"]
    withdraw_notice(db_session, two["author"], a["notice"].id, reason="撤回", now=utcnow())
    db_session.commit()
    get_cache(client.application).sync(force=True)  # as every process does within a second
    assert fetch_etag(client, a["headers"]) != a["etag"]  # the screen is sent the new playlist
    later = utcnow() + dt.timedelta(seconds=90)
    answer = send(client, a, [play(a, start=later)])
    assert "newer playlist" in answer["rejected"][0]["reason"]
    assert plays(db_session) == 0


def test_a_start_outside_the_items_windows_is_refused(client, db_session, two):
    a, t0 = two["a"], two["t0"]
    # After the approval, but before the playlist's first hour: no window of it holds that.
    answer = send(client, a, [play(a, start=t0 - dt.timedelta(minutes=30))])
    assert "outside item" in answer["rejected"][0]["reason"]


def test_a_replay_of_another_screens_batch_is_refused(client, db_session, two):
    a, b, t0 = two["a"], two["b"], two["t0"]
    batch = b["record"].batch([play(b, t0=t0, seconds=5)])
    answer = client.post("/api/v1/player/events", json=batch, headers=a["headers"]).get_json()
    assert "signature does not hold" in answer["rejected"][0]["reason"]
    assert refused(db_session)[0].chained is False  # nobody vouches for it
    # B's own upload of it is taken: the replay did not touch B's chain, nor A's.
    answer = client.post("/api/v1/player/events", json=batch, headers=b["headers"]).get_json()
    assert len(answer["accepted"]) == 1
    assert send(client, a, [play(a, t0=t0, seconds=5)])["accepted"]


def test_a_broken_link_and_a_missing_key_are_refused(client, db_session, two, make_user):
    a, t0 = two["a"], two["t0"]
    send(client, a, [play(a, t0=t0, seconds=0)])
    forged = play(a, t0=t0, seconds=20) | {"prev": "f" * 64}
    body = a["record"].batch([forged])
    answer = client.post("/api/v1/player/events", json=body, headers=a["headers"]).get_json()
    assert "does not link" in answer["rejected"][0]["reason"]
    # A token rotation retires the key: until a player registers one, nothing is taken.
    _, token = rotate_screen_token(db_session, None, a["key"], now=utcnow())
    db_session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    answer = send(client, a, [play(a, t0=t0, seconds=40)], headers=headers)
    assert "no player key is registered" in answer["rejected"][0]["reason"]
    assert [chained for _, chained in refused(db_session)] == [False, False]


def test_one_key_per_screen_until_a_token_rotation(client, db_session, two):
    a = two["a"]
    stranger = ScreenRecord()
    answer = client.post(
        "/api/v1/player/key", json={"public_key": stranger.key.public.text}, headers=a["headers"]
    )
    assert answer.status_code == 409 and "rotates" in answer.get_json()["error"]["message"]
    again = client.post(
        "/api/v1/player/key",
        json={"public_key": a["record"].key.public.text},
        headers=a["headers"],
    )
    assert again.status_code == 200 and again.get_json()["registered"] is False
    for bad in ({"public_key": "short"}, {"nothing": 1}, {"public_key": 5}):
        answer = client.post("/api/v1/player/key", json=bad, headers=a["headers"])
        assert answer.status_code in (400, 422), bad
    _, token = rotate_screen_token(db_session, None, a["key"], now=utcnow())
    db_session.commit()
    stranger.register_api(client, {"Authorization": f"Bearer {token}"})
    keys = db_session.execute(
        sa.select(PlayerKey.key_id, PlayerKey.retired_at.is_(None)).order_by(PlayerKey.id)
    ).all()
    assert [current for _, current in keys if _ in (a["record"].key.key_id,)] == [False]
    assert (stranger.key.key_id, True) in [tuple(k) for k in keys]


def approve_another(db_session, two, side):
    from signage.notices import review
    from signage.notices import services as notices
    from tests.conftest import RULES, notice_fields

    now = utcnow()
    author = two["author"]
    fields = notice_fields(
        title="又一条通知",
        screens=[side["key"]],
        valid_from=now - HOUR,
        valid_until=now + HOUR * 48,
    )
    notice = notices.create_notice(db_session, author, fields, now=now, rules=RULES)
    notices.submit_notice(db_session, author, notice.id, now=now)
    review.approve_notice(
        db_session, two["reviewer"], notice.id, confidentiality_reviewed=True, now=now
    )
    db_session.commit()
    return notice


def test_plays_stand_while_the_screen_moves_to_a_newer_playlist(client, db_session, two):
    a = two["a"]
    notice = approve_another(db_session, two, a)
    get_cache(client.application).sync(force=True)
    newer = fetch_etag(client, a["headers"])
    assert newer != a["etag"]
    # The player fetches the new playlist's images before it switches: its first notice, in
    # both playlists alike, played on from the old one, stands.
    later = utcnow() + dt.timedelta(seconds=90)
    answer = send(client, a, [play(a, start=later)])
    assert answer["accepted"], answer
    # A change undone: the first playlist is sent again, and plays from it stand.
    withdraw_notice(db_session, two["author"], notice.id, reason="撤回", now=utcnow())
    db_session.commit()
    get_cache(client.application).sync(force=True)
    assert fetch_etag(client, a["headers"]) == a["etag"]
    answer = send(client, a, [play(a, start=later + dt.timedelta(seconds=20))])
    assert answer["accepted"], answer


def test_a_shown_play_shorter_than_its_item_is_refused_and_an_interrupted_one_kept(
    client, db_session, two
):
    a, t0 = two["a"], two["t0"]
    item = f"n{a['notice'].id}.r1"
    short = play(a, t0=t0, seconds=0, duration_ms=5000)
    cut = play(a, t0=t0, seconds=20, duration_ms=5000, outcome="interrupted")
    answer = send(client, a, [short, cut])
    assert answer["accepted"] == [cut["id"]]
    reason = answer["rejected"][0]["reason"]
    assert "says shown, but lasted 5.0 s" in reason and item in reason
    stored = db_session.scalars(sa.select(DisplayEvent)).one()
    assert stored.play_ms == 15000 and stored.duration_ms == 5000  # a third of it was shown
