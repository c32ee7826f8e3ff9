"""Every API endpoint against every role: each role gets exactly what DESIGN gives it."""

from __future__ import annotations

import io
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from signage.accounts.models import ApiToken
from tests.signage.api.conftest import ROLES, World, png

STAFF = frozenset(ROLES)
CATEGORY = urllib.parse.quote("通知公告")  # the world's notices' category, with a chain


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: Callable[[World], str]
    allowed: frozenset[str]
    ok: int = 200
    body: Callable[[World], Any] | None = None
    multipart: bool = False

    def __str__(self) -> str:  # the test id
        return f"{self.method} {self.path.__doc__ or ''}"


def path(template: str) -> Callable[[World], str]:
    def render(w: World) -> str:
        return "/api/v1" + template.format(w=w)

    render.__doc__ = template
    return render


NEW_NOTICE = {
    "title": "新通知",
    "category": "通知公告",
    "screens": ["hall"],
    "valid_from": "2026-11-26T08:00:00+08:00",
    "valid_until": "2027-11-26T08:00:00Z",
}

ENDPOINTS = [
    Endpoint("POST", path("/notices"), frozenset({"author"}), 201, lambda w: NEW_NOTICE),
    Endpoint("GET", path("/notices"), STAFF),
    Endpoint("GET", path("/notices/{w.approved}"), STAFF),
    Endpoint(
        "PATCH",
        path("/notices/{w.draft}"),
        frozenset({"author"}),
        200,
        lambda w: {"body": "改过的正文"},
    ),
    Endpoint("POST", path("/notices/{w.draft}/submit"), frozenset({"author"})),
    Endpoint(
        "POST",
        path("/notices/{w.submitted}/approve"),
        frozenset({"reviewer"}),
        200,
        lambda w: {"confidentiality_reviewed": True, "note": "同意", "revision": 1},
    ),
    Endpoint(
        "POST",
        path("/notices/{w.submitted}/reject"),
        frozenset({"reviewer"}),
        200,
        lambda w: {"reason": "需要修改"},
    ),
    Endpoint(
        "POST",
        path("/notices/{w.submitted}/return"),
        frozenset({"reviewer"}),
        200,
        lambda w: {"reason": "请补充文号", "revision": 1},
    ),
    Endpoint(
        "POST",
        path("/notices/{w.submitted}/escalate"),
        frozenset({"reviewer"}),
        200,
        lambda w: {"reason": "涉及重大事项"},
    ),
    # The reviewer held it; the admin is no reviewer; the author wrote it.
    Endpoint("POST", path("/notices/{w.held}/publish"), frozenset({"reviewer"})),
    Endpoint(
        "POST", path("/notices/{w.withdrawn}/republish"), frozenset({"author"}), 200, lambda w: {}
    ),
    Endpoint("GET", path("/review-chains"), STAFF),
    Endpoint(
        "PUT",
        path(f"/review-chains/{CATEGORY}"),
        frozenset({"admin"}),
        200,
        lambda w: {"stages": [{"name": "初审", "role": "reviewer", "confidentiality": True}]},
    ),
    Endpoint("DELETE", path(f"/review-chains/{CATEGORY}"), frozenset({"admin"})),
    Endpoint("GET", path("/precheck-words"), STAFF),
    Endpoint(
        "PUT", path("/precheck-words"), frozenset({"admin"}), 200, lambda w: {"words": ["某某"]}
    ),
    Endpoint("GET", path("/review-queue"), STAFF),
    Endpoint(
        "POST",
        path("/notices/{w.approved}/withdraw"),
        frozenset({"author", "reviewer"}),
        200,
        lambda w: {"reason": "撤回"},
    ),
    Endpoint("POST", path("/media"), frozenset({"author"}), 201, multipart=True),
    Endpoint("GET", path("/media/{w.media}"), STAFF),
    Endpoint("GET", path("/screens"), STAFF),
    Endpoint(
        "POST",
        path("/blackouts"),
        frozenset({"duty", "admin"}),
        201,
        lambda w: {"screens": ["hall"], "reason": "演练"},
    ),
    Endpoint("GET", path("/blackouts"), STAFF),
    Endpoint("GET", path("/blackouts/{w.blackout}"), STAFF),
    Endpoint("DELETE", path("/blackouts/{w.blackout}"), frozenset({"duty", "admin"})),
    Endpoint("GET", path("/alerts"), STAFF),
    Endpoint("GET", path("/takeover-templates"), STAFF),
    Endpoint(
        "POST",
        path("/takeovers"),
        frozenset({"duty"}),
        201,
        lambda w: {"template": "gale", "level": "red", "screens": ["hall"]},
    ),
    Endpoint("GET", path("/screens/{w.screen}/states"), STAFF),
    Endpoint(
        "POST",
        path("/screens"),
        frozenset({"admin"}),
        201,
        lambda w: {"key": "new-screen", "name": "新屏", "size": "128x32"},
    ),
    Endpoint("GET", path("/screens/{w.screen}"), STAFF),
    Endpoint(
        "PATCH", path("/screens/{w.screen}"), frozenset({"admin"}), 200, lambda w: {"name": "改名"}
    ),
    Endpoint("POST", path("/screens/{w.screen}/token"), frozenset({"admin"})),
    Endpoint("GET", path("/screens/{w.screen}/now"), STAFF),
    Endpoint("GET", path("/screens/{w.screen}/timeline"), STAFF),
    Endpoint("GET", path("/groups"), STAFF),
    Endpoint("POST", path("/groups"), frozenset({"admin"}), 201, lambda w: {"name": "新分组"}),
    Endpoint(
        "PATCH",
        path("/groups/" + urllib.parse.quote("大厅")),
        frozenset({"admin"}),
        200,
        lambda w: {"sensitive": True},
    ),
    Endpoint("GET", path("/users"), frozenset({"admin"})),
    Endpoint(
        "POST",
        path("/users"),
        frozenset({"admin"}),
        201,
        lambda w: {"username": "new.user", "roles": ["author"]},
    ),
    Endpoint(
        "PATCH",
        path("/users/supervisor"),
        frozenset({"admin"}),
        200,
        lambda w: {"display_name": "王芳"},
    ),
    Endpoint("DELETE", path("/users/supervisor/sessions"), frozenset({"admin"})),
    Endpoint("GET", path("/display-events"), frozenset({"supervisor", "admin"})),
    Endpoint("GET", path("/screen-register"), frozenset({"supervisor", "admin"})),
    Endpoint("GET", path("/me"), STAFF),
    Endpoint("GET", path("/me/tokens"), STAFF),
    Endpoint("POST", path("/me/tokens"), STAFF, 201, lambda w: {"name": "脚本"}),
    Endpoint("GET", path("/openapi.json"), STAFF | {"anonymous"}),
    Endpoint("GET", path("/schemas/playlist.json"), STAFF | {"anonymous"}),
    Endpoint("GET", path("/schemas/events.json"), STAFF | {"anonymous"}),
    Endpoint("GET", path("/schemas/heartbeat.json"), STAFF | {"anonymous"}),
]


def call(client, endpoint: Endpoint, world: World, headers: dict[str, str]):
    kwargs: dict[str, Any] = {"headers": headers}
    if endpoint.multipart:
        kwargs["data"] = {"file": (io.BytesIO(png("blue")), "notice.png")}
    elif endpoint.body is not None:
        kwargs["json"] = endpoint.body(world)
    return client.open(endpoint.path(world), method=endpoint.method, **kwargs)


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_role_matrix(client, world, endpoint, role):
    headers = world.headers.get(role, {})
    response = call(client, endpoint, world, headers)
    if role in endpoint.allowed:
        assert response.status_code == endpoint.ok, response.get_json()
    elif role == "anonymous":
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthenticated"
    else:
        assert response.status_code == 403, response.get_json()
        assert response.get_json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("role", ROLES)
def test_everyone_revokes_their_own_token(client, db_session, world, role):
    import sqlalchemy as sa

    token_id = db_session.scalar(
        sa.select(ApiToken.id).where(ApiToken.user_id == world.users[role].id)
    )
    response = client.delete(f"/api/v1/me/tokens/{token_id}", headers=world.headers[role])
    assert response.status_code == 200
    assert response.get_json()["revoked_at"] is not None
    # The revoked token no longer works.
    assert client.get("/api/v1/me", headers=world.headers[role]).status_code == 401


def test_someone_elses_token_is_not_found(client, db_session, world):
    import sqlalchemy as sa

    token_id = db_session.scalar(
        sa.select(ApiToken.id).where(ApiToken.user_id == world.users["reviewer"].id)
    )
    response = client.delete(f"/api/v1/me/tokens/{token_id}", headers=world.headers["author"])
    assert response.status_code == 404


def test_the_author_of_a_revision_cannot_approve_it(
    client, world, make_user, make_notice, token_for
):
    both = make_user("author", "reviewer")
    notice = make_notice(both, screens=["hall"], status="submitted")
    response = client.post(
        f"/api/v1/notices/{notice.id}/approve",
        headers=token_for(both),
        json={"confidentiality_reviewed": True, "revision": 1},
    )
    assert response.status_code == 403
    assert "wrote" in response.get_json()["error"]["message"]


def test_another_author_cannot_touch_a_notice(client, world, make_user, token_for):
    other = token_for(make_user("author"))
    assert (
        client.patch(
            f"/api/v1/notices/{world.draft}", json={"body": "x"}, headers=other
        ).status_code
        == 403
    )
    assert client.post(f"/api/v1/notices/{world.draft}/submit", headers=other).status_code == 403
    assert (
        client.post(
            f"/api/v1/notices/{world.approved}/withdraw", json={"reason": "x"}, headers=other
        ).status_code
        == 403
    )


def test_a_deactivated_users_token_stops_working(client, world):
    response = client.patch(
        "/api/v1/users/author", json={"active": False}, headers=world.headers["admin"]
    )
    assert response.status_code == 200
    assert client.get("/api/v1/notices", headers=world.headers["author"]).status_code == 401
