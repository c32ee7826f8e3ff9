"""The playlist document: canonical bytes, parsing, validation, JSON Schema."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest

from playlists import (
    SCHEMA,
    MediaRef,
    PlaylistError,
    canonical_bytes,
    compile_playlist,
    json_schema,
    parse_playlist,
)
from playlists.document import to_dict
from tests.playlists.builders import notice, screen, t

NOW = t("2026-11-26T10:00")


@pytest.fixture
def document() -> dict:
    media = MediaRef(sha256="b" * 64, mime="image/png", bytes=99, url="/m/" + "b" * 64)
    playlist = compile_playlist(
        screen(hours="08:00-18:00"), [notice(1), notice(2, kind="image", media=media)], NOW
    )
    return to_dict(playlist)


def test_the_document_matches_design(document):
    assert document["schema"] == SCHEMA == "signage.playlist/1"
    assert document["generated_at"] == "2026-11-26T02:00:00Z"
    assert document["horizon_until"] == "2026-11-28T02:00:00Z"
    item = document["items"][0]
    assert item["id"] == "n1.r1" and item["windows"][0] == [
        "2026-11-26T02:00:00Z",
        "2026-11-26T10:00:00Z",
    ]
    assert document["off"][0] == ["2026-11-26T10:00:00Z", "2026-11-27T00:00:00Z"]


def test_canonical_bytes_are_sorted_compact_utf8(document):
    playlist = parse_playlist(document)
    body = canonical_bytes(playlist)
    assert (
        body
        == json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    )
    assert "通知1".encode() in body


def test_the_generated_schema_accepts_compiled_documents(document):
    jsonschema.validate(document, json_schema())
    broken = copy.deepcopy(document)
    broken["items"][0]["priority"] = "whenever"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, json_schema())


def test_unknown_fields_are_ignored(document):
    document["future_field"] = {"anything": 1}
    document["items"][0]["transition"] = "fade"
    document["screen"]["brightness"] = 80
    playlist = parse_playlist(json.dumps(document))
    assert playlist.items[0].id == "n1.r1"


def mutate(document: dict, path: str, value: object) -> dict:
    out = copy.deepcopy(document)
    target = out
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[int(key)] if key.isdigit() else target[key]
    last = keys[-1]
    target[int(last) if last.isdigit() else last] = value
    return out


@pytest.mark.parametrize(
    ("path", "value", "words"),
    [
        ("schema", "signage.playlist/2", "schema"),
        ("generated_at", "2026-11-26T02:00:00", "timezone"),
        (
            "items.0.windows.0",
            ["2026-11-26T10:00:00Z", "2026-11-26T02:00:00Z"],
            "empty or reversed",
        ),
        (
            "items.0.windows",
            [
                ["2026-11-26T02:00:00Z", "2026-11-26T10:00:00Z"],
                ["2026-11-26T09:00:00Z", "2026-11-26T11:00:00Z"],
            ],
            "overlap",
        ),
        ("items.0.priority", "asap", "priority"),
        ("items.0.kind", "video", "kind"),
        ("items.1.media", None, "needs media"),
        ("items.0.weight", 0, "positive"),
        ("items.1.id", "n1.r1", "share an id"),
        ("screen.color", "rgb", "color"),
        ("off", "none", "off"),
    ],
)
def test_bad_documents_are_refused_naming_the_field(document, path, value, words):
    with pytest.raises(PlaylistError, match=words):
        parse_playlist(mutate(document, path, value))


def test_not_json():
    with pytest.raises(PlaylistError, match="not JSON"):
        parse_playlist(b"{")
