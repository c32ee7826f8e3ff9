"""A screen's record as its player keeps it, for tests that send display events.

:class:`ScreenRecord` holds a player's own key and its display chain, and builds events and
signed batches exactly as ``player`` does (with the same :mod:`playlists.evidence` functions).
:func:`serve` has the controller compile and record a screen's playlist at a given time (as a
poll at that time would), and :func:`fetch_etag` polls for it through the API.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from playlists import DEFAULT_WEIGHTS, canonical_bytes, horizon_start, parse_playlist
from playlists.evidence import GENESIS, etag_of, event_hash, sign_head
from playlists.signing import SigningKey, signed_etag
from signage.delivery.served import note_served
from signage.delivery.services import compile_served
from signage.screens.models import Screen
from signage.screens.player_keys import register_player_key

KEY_ID = "0" * 16
# Screens on which the tests' short notices take their author's 15 s: the fastest scroll the
# reading-speed rule allows (tests of ingest space their displays 15 s apart).
FAST = {"scroll_cpm": 255}
# Each served item's time on its screen (play_ms), by (ETag as events name it, item id): what a
# player's "shown" display lasts unless a test says otherwise.
PLAY_MS: dict[tuple[str, str], int] = {}


def _keep_times(etag: str, playlist: Any) -> None:
    for item in playlist.items:
        PLAY_MS[etag, item.id] = item.duration_ms


def serve(session: Session, screen: Screen, at: dt.datetime, *, key_id: str = KEY_ID) -> str:
    """Compile ``screen``'s playlist at ``at`` and record it as sent then; return its ETag
    (as events name it). ``key_id`` stands for the controller key that signed it."""
    playlist, inputs = compile_served(session, screen, now=at, weights=DEFAULT_WEIGHTS)
    etag = etag_of(signed_etag(canonical_bytes(playlist), key_id))
    note_served(session, screen.id, etag, playlist, inputs, now=at)
    session.commit()
    _keep_times(etag, playlist)
    return etag


def fetch_etag(client: FlaskClient, headers: dict[str, str]) -> str:
    """Poll for the screen's playlist through the API; return its ETag as events name it."""
    answer = client.get("/api/v1/player/playlist", headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    etag = etag_of(answer.headers["ETag"])
    _keep_times(etag, parse_playlist(answer.get_data()))
    return etag


class ScreenRecord:
    """One screen player's key and display chain."""

    def __init__(self) -> None:
        self.key = SigningKey.generate()
        self.seq = 0
        self.head = GENESIS

    def register(self, session: Session, screen: Screen, at: dt.datetime) -> None:
        register_player_key(session, screen.id, self.key.public.text, now=at)
        session.commit()

    def register_api(self, client: FlaskClient, headers: dict[str, str]) -> None:
        answer = client.post(
            "/api/v1/player/key", json={"public_key": self.key.public.text}, headers=headers
        )
        assert answer.status_code in (200, 201), answer.get_data(as_text=True)

    def event(
        self,
        notice: Any,
        etag: str,
        started_at: dt.datetime | str,
        *,
        duration_ms: int | None = None,
        outcome: str = "shown",
        **fields: Any,
    ) -> dict[str, Any]:
        """The next event of the chain: a display of ``notice``'s live revision, lasting the
        item's time on the screen in that playlist (15 s if the playlist is not known here)."""
        revision = notice.live_revision or notice.latest_revision
        if duration_ms is None:
            duration_ms = PLAY_MS.get((etag, f"n{notice.id}.r{revision.number}"), 15000)
        self.seq += 1
        start = started_at if isinstance(started_at, str) else started_at.isoformat()
        event = {
            "id": str(uuid.uuid4()),
            "seq": self.seq,
            "item_id": f"n{notice.id}.r{revision.number}",
            "notice_id": notice.id,
            "revision": revision.number,
            "content_sha256": revision.content_sha256,
            "started_at": start,
            "duration_ms": duration_ms,
            "outcome": outcome,
            "playlist_etag": etag,
            "prev": self.head,
        } | fields
        self.head = event_hash(event)
        return event

    def batch(self, events: list[dict[str, Any]]) -> dict[str, Any]:
        """``events`` as an upload: with the player's signature over the chain's head after
        the last of them (by sequence number; events without one are left out of it)."""
        numbered = [e for e in events if type(e.get("seq")) is int and e["seq"] >= 1]
        last = max(numbered, key=lambda e: e["seq"]) if numbered else {"seq": 0}
        head = event_hash(last) if numbered else GENESIS
        return {"events": events, "head": sign_head(self.key, last["seq"], head)}


def post_plays(
    client: FlaskClient,
    session: Session,
    screen: Screen,
    token: str,
    record: ScreenRecord,
    notice: Any,
    starts: list[dt.datetime],
    **fields: Any,
) -> dict[str, Any]:
    """Send plays of ``notice`` at ``starts`` through the API, as ``screen``'s player would:
    each from the playlist it was served in that hour. Registers the player's key first."""
    headers = {"Authorization": f"Bearer {token}"}
    record.register_api(client, headers)
    hours = {horizon_start(t) for t in starts}
    etags = {hour: serve(session, screen, hour) for hour in sorted(hours)}
    events = [record.event(notice, etags[horizon_start(t)], t, **fields) for t in starts]
    answer = client.post("/api/v1/player/events", json=record.batch(events), headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    result: dict[str, Any] = answer.get_json()
    return result
