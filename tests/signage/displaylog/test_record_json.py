"""Ingest's shortcuts give what the general code gives: the hand-written encoder of a display
event's hashed record, and start times read from the text players send."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from playlists import canonical_json
from signage.displaylog.ingest import _start_time
from signage.displaylog.records import hashed_record, record_json
from signage.times import isoformat_z

UTC_TIMES = st.datetimes(
    min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=st.just(dt.UTC)
)
OFFSET_TIMES = st.datetimes(
    min_value=dt.datetime(2000, 1, 2),
    max_value=dt.datetime(2099, 12, 31),
    timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=8))]),
)
IDS = st.integers(min_value=0, max_value=2**62)
TEXT = st.text(max_size=70) | st.from_regex(r"[a-z0-9.\-]{1,64}", fullmatch=True)


@given(
    values=st.fixed_dictionaries(
        {
            "screen_id": IDS,
            "chain_seq": IDS,
            "player_seq": IDS,
            "event_id": st.uuids().map(str) | TEXT,
            "item_id": TEXT,
            "notice_id": IDS,
            "revision": IDS,
            "content_sha256": st.from_regex(r"[0-9a-f]{64}", fullmatch=True) | TEXT,
            "started_at": OFFSET_TIMES,
            "duration_ms": IDS,
            "outcome": st.sampled_from(["shown", "interrupted", "error"]) | TEXT,
            "received_at": UTC_TIMES,
        }
    )
)
def test_record_json_is_the_canonical_json_of_the_hashed_record(values):
    assert record_json(values) == canonical_json(hashed_record(values))


LATEST = dt.datetime.max.replace(tzinfo=dt.UTC)


@given(
    value=st.datetimes(
        min_value=dt.datetime(1, 1, 2),
        max_value=dt.datetime(9999, 12, 30),
        timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=8))]),
    ),
    form=st.sampled_from(["z", "isoformat", "microseconds", "microseconds z", "milliseconds"]),
)
def test_a_start_time_is_read_as_the_time_it_writes(value, form):
    text = {
        "z": isoformat_z(value),
        "isoformat": value.isoformat(),
        "microseconds": value.isoformat(timespec="microseconds"),
        "microseconds z": value.isoformat(timespec="microseconds").replace("+00:00", "Z"),
        "milliseconds": value.isoformat(timespec="milliseconds"),
    }[form]
    started_at, started_z = _start_time(text, LATEST)
    expected = dt.datetime.fromisoformat(text).astimezone(dt.UTC)
    assert started_at == expected and started_at.tzinfo is dt.UTC
    assert started_z == isoformat_z(expected)
