"""The documents players send: display events and heartbeats, and their JSON Schemas."""

from __future__ import annotations

import json

import jsonschema
import pytest
from pydantic import ValidationError

from playlists import Outcome
from playlists.events import EVENT_BATCH, MAX_BATCH, events_json_schema
from playlists.heartbeat import HEARTBEAT, Heartbeat, heartbeat_json_schema

EVENT = {
    "id": "0b6c5f0e-3f5e-4a8e-9a47-2d1c7e6f5a10",
    "seq": 7,
    "item_id": "n42.r3",
    "notice_id": 42,
    "revision": 3,
    "content_sha256": "ab" * 32,
    "started_at": "2026-11-26T08:00:00+08:00",
    "duration_ms": 15000,
    "outcome": "shown",
    "playlist_etag": "ab" * 16 + "-" + "cd" * 8,
    "prev": "0" * 64,
}
HEAD = {"seq": 7, "hash": "ef" * 32, "key_id": "cd" * 8, "signature": "A" * 86}


def test_a_well_formed_batch_parses_with_its_outcome_as_the_shared_word():
    batch = EVENT_BATCH.validate_json(json.dumps({"events": [EVENT], "head": HEAD}))
    (event,) = batch["events"]
    assert event["outcome"] is Outcome.SHOWN and event["started_at"] == EVENT["started_at"]
    jsonschema.validate({"events": [EVENT], "head": HEAD}, events_json_schema())


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("seq", True),  # a JSON boolean is no number
        ("seq", "7"),
        ("seq", 0),
        ("notice_id", 2**31 + 1),
        ("duration_ms", -1),
        ("content_sha256", "AB" * 32),
        ("id", "not-a-uuid"),
        ("outcome", "played"),
        ("item_id", ""),
    ],
)
def test_a_bad_field_fails_the_batch_and_its_schema(field, value):
    bad = {"events": [EVENT | {field: value}], "head": HEAD}
    with pytest.raises(ValidationError):
        EVENT_BATCH.validate_json(json.dumps(bad))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, events_json_schema())


def test_a_batch_holds_at_most_the_limit():
    with pytest.raises(ValidationError):
        EVENT_BATCH.validate_json(json.dumps({"events": [EVENT] * (MAX_BATCH + 1)}))


def test_a_heartbeat_round_trips_and_ignores_what_a_newer_player_adds():
    beat = Heartbeat(version="0.1.0", current_item="n1.r1", errors=["x"], clock_offset_ms=-12)
    sent = beat.to_dict() | {"cabinet_temperature_c": 41}
    assert HEARTBEAT.validate_json(json.dumps(sent)) == beat
    jsonschema.validate(beat.to_dict(), heartbeat_json_schema())
    assert HEARTBEAT.validate_json(b"{}") == Heartbeat()


def test_a_heartbeat_with_a_wrong_type_is_refused():
    with pytest.raises(ValidationError):
        HEARTBEAT.validate_json(b'{"free_disk_bytes": "lots"}')
