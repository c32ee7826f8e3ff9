"""Bad input gets a 4xx with the DESIGN error shape, a clear message, and writes nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
import sqlalchemy as sa
from openapi_spec_validator import validate

from signage.db import Base


@pytest.fixture
def author(make_user, token_for, make_screen, make_group) -> dict[str, str]:
    make_screen(key="hall")
    make_group("政务服务中心")
    return token_for(make_user("author"))


@pytest.fixture
def reviewer(make_user, token_for) -> dict[str, str]:
    return token_for(make_user("reviewer"))


def row_counts(db_session) -> dict[str, int]:
    db_session.rollback()
    return {
        t.name: db_session.scalar(sa.select(sa.func.count()).select_from(t))
        for t in Base.metadata.sorted_tables
    }


GOOD = {
    "title": "通知",
    "category": "通知公告",
    "screens": ["hall"],
    "valid_from": "2026-12-01T08:00:00+08:00",
    "valid_until": "2026-12-08T18:00:00+08:00",
}


@pytest.mark.parametrize(
    ("body", "status", "field", "words"),
    [
        (GOOD | {"valid_from": "2026-12-01T08:00:00"}, 422, "valid_from", "offset"),
        (GOOD | {"valid_from": "next monday"}, 422, "valid_from", "ISO-8601"),
        (GOOD | {"valid_until": "2026-11-01T08:00:00Z"}, 422, "valid_until", "after"),
        (GOOD | {"screens": ["no-such-screen"]}, 422, "screens", "no-such-screen"),
        (GOOD | {"groups": ["没有这个组"]}, 422, "groups", "没有这个组"),
        (GOOD | {"category": "天气"}, 422, "category", "天气"),
        (GOOD | {"titel": "typo"}, 422, "titel", "unknown field"),
        (GOOD | {"duration_s": "15"}, 422, "duration_s", "whole number"),
        (GOOD | {"duration_s": 1.5}, 422, "duration_s", "whole number"),
        (GOOD | {"screens": "hall"}, 422, "screens", "list"),
        (GOOD | {"kind": "image"}, 422, "media_sha256", "upload"),
        (GOOD | {"priority": "asap"}, 422, "priority", "urgent"),
        (GOOD | {"dayparts": "morning"}, 422, "dayparts", "time range"),
        ({k: v for k, v in GOOD.items() if k != "title"}, 422, "title", "required"),
        ([GOOD], 400, None, "object"),
    ],
)
def test_bad_notice_bodies(client, db_session, author, body, status, field, words):
    before = row_counts(db_session)
    response = client.post("/api/v1/notices", json=body, headers=author)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error.get("field") == field
    assert words in error["message"]
    assert row_counts(db_session) == before


@pytest.mark.parametrize(
    ("data", "content_type", "words"),
    [
        (b'{"title": ', "application/json", "not valid JSON"),
        (b"", "application/json", "not valid JSON"),
        (b"title=x", "application/x-www-form-urlencoded", "Content-Type: application/json"),
        ('{"title": "通知"'.encode(), "application/json", "not valid JSON"),
    ],
)
def test_malformed_bodies(client, db_session, author, data, content_type, words):
    before = row_counts(db_session)
    response = client.post(
        "/api/v1/notices", data=data, headers=author | {"Content-Type": content_type}
    )
    assert response.status_code == 400
    assert words in response.get_json()["error"]["message"]
    assert row_counts(db_session) == before


def test_a_failed_step_writes_nothing_even_after_earlier_steps(client, db_session, author):
    """The approve fails after the service has loaded and checked: nothing at all is kept."""
    created = client.post("/api/v1/notices", json=GOOD, headers=author).get_json()
    client.post(f"/api/v1/notices/{created['id']}/submit", headers=author)
    before = row_counts(db_session)
    response = client.post(
        f"/api/v1/notices/{created['id']}/approve",
        json={"confidentiality_reviewed": True, "revision": 1},
        headers=author,
    )
    assert response.status_code == 403
    assert row_counts(db_session) == before


def test_approval_without_confidentiality_review(client, author, reviewer):
    created = client.post("/api/v1/notices", json=GOOD, headers=author).get_json()
    client.post(f"/api/v1/notices/{created['id']}/submit", headers=author)
    for body in (
        {"confidentiality_reviewed": False, "revision": 1},
        {"note": "ok", "revision": 1},
        {"confidentiality_reviewed": "yes", "revision": 1},
    ):
        response = client.post(
            f"/api/v1/notices/{created['id']}/approve", json=body, headers=reviewer
        )
        assert response.status_code == 422
        assert response.get_json()["error"]["field"] == "confidentiality_reviewed"


def test_state_conflicts_are_409(client, author):
    created = client.post("/api/v1/notices", json=GOOD, headers=author).get_json()
    assert client.post(f"/api/v1/notices/{created['id']}/submit", headers=author).status_code == 200
    response = client.post(f"/api/v1/notices/{created['id']}/submit", headers=author)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"


@pytest.mark.parametrize(
    ("method", "url", "status", "code"),
    [
        ("GET", "/api/v1/notices/999", 404, "not_found"),
        ("GET", "/api/v1/notices/abc", 404, "not_found"),
        ("GET", "/api/v1/screens/nowhere", 404, "not_found"),
        ("GET", "/api/v1/media/" + "0" * 64, 404, "not_found"),
        ("GET", "/api/v1/no-such-thing", 404, "not_found"),
        ("DELETE", "/api/v1/notices", 405, "method_not_allowed"),
        ("GET", "/api/v1/notices?limit=0", 422, "invalid"),
        ("GET", "/api/v1/notices?limit=abc", 422, "invalid"),
        ("GET", "/api/v1/notices?status=lost", 422, "invalid"),
        ("GET", "/api/v1/notices?screen=nowhere", 422, "invalid"),
    ],
)
def test_error_shape(client, author, method, url, status, code):
    response = client.open(url, method=method, headers=author)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    assert response.get_json()["error"]["message"]


@pytest.mark.parametrize(
    "header", ["", "Bearer", "Bearer nonsense", "Basic dXNlcjpwYXNz", "bearer sgp_unknown"]
)
def test_bad_credentials(client, header):
    response = client.get("/api/v1/notices", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthenticated"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    ("data", "status", "words"),
    [
        ({}, 400, "field named 'file'"),
        ({"file": (io.BytesIO(b"not an image"), "x.png")}, 422, "not an image"),
    ],
)
def test_bad_uploads(client, db_session, author, data, status, words):
    before = row_counts(db_session)
    response = client.post(
        "/api/v1/media", data=data, headers=author, content_type="multipart/form-data"
    )
    assert response.status_code == status
    assert words in response.get_json()["error"]["message"]
    assert row_counts(db_session) == before


def test_an_upload_over_the_size_limit(app, client, author):
    app.config["SIGNAGE_MEDIA_MAX_BYTES"] = 1000
    response = client.post(
        "/api/v1/media",
        data={"file": (io.BytesIO(b"x" * 2000), "x.png")},
        headers=author,
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


def test_a_body_over_the_request_limit(app, client, author):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post(
        "/api/v1/media",
        data={"file": (io.BytesIO(b"x" * 5000), "x.png")},
        headers=author,
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


def test_answers_use_utc_with_z(client, author):
    created = client.post("/api/v1/notices", json=GOOD, headers=author).get_json()
    notice = client.get(f"/api/v1/notices/{created['id']}", headers=author).get_json()
    assert notice["valid_from"] == "2026-12-01T00:00:00Z"
    assert notice["revisions"][0]["valid_until"] == "2026-12-08T10:00:00Z"
    assert notice["history"][0]["action"] == "notice.create"


def test_openapi_document_is_valid_and_describes_every_route(app, client):
    document: dict[str, Any] = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    described = {
        (method.upper(), path) for path, ops in document["paths"].items() for method in ops
    }
    routed = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = rule.rule.removeprefix("/api/v1")
        for converter in ("<int:", "<"):
            path = path.replace(converter, "{")
        path = path.replace(">", "}")
        routed |= {(m, path) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert described == routed
    assert "NoticeEdit" in document["components"]["schemas"]


def test_openapi_document_describes_every_answer_status_and_limit(client):
    document: dict[str, Any] = client.get("/api/v1/openapi.json").get_json()
    operations = {
        f"{method.upper()} {path}": op
        for path, ops in document["paths"].items()
        for method, op in ops.items()
    }
    for name, op in operations.items():
        success = [op["responses"][s] for s in op["responses"] if s.startswith("2")]
        assert success, name
        for answer in success:
            assert answer.get("content"), f"{name} gives no schema for its answer"
            for media in answer["content"].values():
                assert media["schema"], name
        assert "4XX" in op["responses"], name
        for parameter in op.get("parameters", []):
            schema = parameter["schema"]
            if parameter["name"] == "limit":
                assert schema["minimum"] == 1 and schema["maximum"] in (500, 1000), name
            if parameter["name"] == "format":
                assert schema["enum"] == ["json", "csv"], name
            if parameter["name"] in ("from", "to"):
                assert schema.get("pattern"), name
    assert "304" in operations["GET /player/playlist"]["responses"]
    for name in ("POST /player/events", "POST /player/heartbeat", "PUT /player/screenshot"):
        assert operations[name]["requestBody"]["content"], name
    gap = next(
        p
        for p in operations["GET /reports/notices/{notice_id}/compliance"]["parameters"]
        if p["name"] == "gap_minutes"
    )
    assert {"minimum", "maximum"} <= set(gap["schema"])
    # Every text a body takes says it holds no NUL, or has a stricter pattern of its own.
    schemas = document["components"]["schemas"]
    for prop in schemas["NoticeEdit"]["properties"].values():
        variants = [v for v in prop.get("anyOf", [prop]) if v.get("type") == "string"]
        for variant in variants:
            assert variant.get("pattern") or variant.get("enum") or variant.get("format")


def test_an_unexpected_error_keeps_the_json_shape(app, client, author, monkeypatch):
    from signage.notices import services

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(services, "list_notices", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.testing = False
    response = client.get("/api/v1/notices", headers=author)
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal"


def test_an_error_speaks_the_language_asked_for(client, author):
    body = GOOD | {"category": "没有这个栏目"}
    english = client.post("/api/v1/notices", json=body, headers=author).get_json()["error"]
    assert english["message"].startswith("unknown category '没有这个栏目'; categories are ")
    assert english["message_id"] == "unknown category %(category)s; categories are %(items)s"
    assert english["params"]["category"] == "'没有这个栏目'" and english["field"] == "category"
    chinese = client.post(
        "/api/v1/notices", json=body, headers=author | {"Accept-Language": "zh-CN,en;q=0.5"}
    ).get_json()["error"]
    assert chinese["message"].startswith("未知的栏目 '没有这个栏目'；可用栏目为 ")
    assert (chinese["message_id"], chinese["params"]) == (english["message_id"], english["params"])
    # English first, or a language the catalog does not have: English.
    for language in ("en-US,zh;q=0.8", "fr-FR"):
        other = client.post(
            "/api/v1/notices", json=body, headers=author | {"Accept-Language": language}
        ).get_json()["error"]
        assert other["message"] == english["message"]


def test_a_message_without_parameters_is_translated_too(client):
    answer = client.get("/api/v1/notices", headers={"Accept-Language": "zh"})
    assert answer.status_code == 401
    error = answer.get_json()["error"]
    assert "message_id" not in error and not error["message"].isascii()


CHINESE = {"Accept-Language": "zh-CN"}


@pytest.mark.parametrize(
    ("body", "field", "english", "chinese"),
    [
        # pydantic's own checks, in our words
        (GOOD | {"title": "长" * 500}, "title", "too long", "过长"),
        (GOOD | {"screens": "hall"}, "screens", "must be a list", "必须是列表"),
        # a value's parser inside pydantic, renamed to the field the caller sent
        (GOOD | {"valid_from": "next monday"}, "valid_from", "ISO-8601 time", "带时区偏移"),
        # a message carrying another message (the weekly-spec parser's)
        (GOOD | {"dayparts": "周一至周五"}, "dayparts", "is not a time range", "不是时间段"),
    ],
)
def test_body_errors_are_translated_with_their_values(
    client, author, body, field, english, chinese
):
    said = client.post("/api/v1/notices", json=body, headers=author).get_json()["error"]
    assert said["field"] == field and english in said["message"], said
    translated = client.post("/api/v1/notices", json=body, headers=author | CHINESE)
    error = translated.get_json()["error"]
    assert translated.status_code == 422 and error["field"] == field
    assert chinese in error["message"] and english not in error["message"], error
    assert error["message_id"] == said["message_id"]


def test_query_errors_are_translated(client, author):
    english = client.get("/api/v1/notices?limit=x", headers=author).get_json()["error"]
    chinese = client.get("/api/v1/notices?limit=x", headers=author | CHINESE).get_json()["error"]
    assert english["message"] == "limit must be a whole number"
    assert chinese["message"] != english["message"] and "limit" in chinese["message"]
