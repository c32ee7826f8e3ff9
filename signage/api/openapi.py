"""``GET /api/v1/openapi.json``: the OpenAPI 3.1 document of the API.

Request bodies come from the same pydantic models the handlers parse with, so the document
cannot drift from what is accepted; a test checks that every route is described here and that
nothing here lacks a route.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint
from pydantic import BaseModel

from signage.accounts.schemas import PasswordChange, TokenCreate, UserCreate, UserEdit
from signage.notices.schemas import ApproveBody, NoticeEdit, ReasonBody
from signage.reports.schemas import HolidaysBody
from signage.screens.schemas import GroupCreate, ScreenCreate, ScreenEdit

bp = Blueprint("openapi", __name__)

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "field": {"type": "string"},
            },
        }
    },
}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    roles: str
    ok: int = 200
    body: type[BaseModel] | None = None
    multipart: bool = False
    query: tuple[str, ...] = ()
    anonymous: bool = False
    screen: bool = False  # authenticated by a screen's token, not a person's


def _operations() -> list[Operation]:
    nid = "/notices/{notice_id}"
    return [
        Operation("post", "/notices", "Create a draft notice", "author", 201, NoticeEdit),
        Operation(
            "get",
            "/notices",
            "List notices",
            "any staff role",
            query=("status", "category", "screen", "text", "limit", "offset"),
        ),
        Operation("get", nid, "One notice with its revisions and history", "any staff role"),
        Operation(
            "patch", nid, "Edit: make a new revision", "author of the notice", body=NoticeEdit
        ),
        Operation("post", nid + "/submit", "Send the draft to review", "author of the notice"),
        Operation(
            "post",
            nid + "/approve",
            "Approve the submitted revision",
            "reviewer who did not write it",
            body=ApproveBody,
        ),
        Operation(
            "post", nid + "/reject", "Reject the submitted revision", "reviewer", body=ReasonBody
        ),
        Operation(
            "post",
            nid + "/withdraw",
            "Take the notice off every screen",
            "author of the notice, reviewer",
            body=ReasonBody,
        ),
        Operation(
            "post",
            "/media",
            "Upload an image (PNG, JPEG, GIF, WebP, BMP)",
            "author",
            201,
            multipart=True,
        ),
        Operation("get", "/media/{sha256}", "Download an uploaded image", "any staff role"),
        Operation("get", "/screens", "List screens", "any staff role"),
        Operation(
            "post",
            "/screens",
            "Register a screen (answer holds its token, once)",
            "admin",
            201,
            ScreenCreate,
        ),
        Operation("get", "/screens/{key}", "One screen", "any staff role"),
        Operation("patch", "/screens/{key}", "Change a screen", "admin", body=ScreenEdit),
        Operation(
            "post", "/screens/{key}/token", "Rotate the screen's token (shown once)", "admin"
        ),
        Operation("get", "/groups", "List screen groups", "any staff role"),
        Operation("post", "/groups", "Create a screen group", "admin", 201, GroupCreate),
        Operation("get", "/users", "List users", "admin"),
        Operation(
            "post",
            "/users",
            "Create a user (a generated password is shown once)",
            "admin",
            201,
            UserCreate,
        ),
        Operation(
            "patch",
            "/users/{username}",
            "Change roles, active flag or name",
            "admin",
            body=UserEdit,
        ),
        Operation(
            "delete",
            "/users/{username}/sessions",
            "End every sign-in of the user on the web pages",
            "admin",
        ),
        Operation("get", "/me", "The calling user", "any staff role"),
        Operation(
            "post",
            "/me/password",
            "Change one's own password (ends one's sign-ins; revoke_tokens also revokes one's "
            "API tokens)",
            "any staff role",
            body=PasswordChange,
        ),
        Operation("get", "/me/tokens", "One's own API tokens", "any staff role"),
        Operation(
            "post",
            "/me/tokens",
            "Issue a personal API token (shown once)",
            "any staff role",
            201,
            TokenCreate,
        ),
        Operation("delete", "/me/tokens/{token_id}", "Revoke a token", "owner, admin"),
        Operation("get", "/screens/{key}/now", "What the screen is showing now", "any staff role"),
        Operation(
            "get",
            "/screens/{key}/timeline",
            "What the screen shows over a period",
            "any staff role",
            query=("from", "to"),
        ),
        Operation(
            "get",
            "/player/playlist",
            "The screen's playlist (schema signage.playlist/1); If-None-Match → 304",
            "a screen, with its own token",
            screen=True,
        ),
        Operation(
            "get",
            "/player/media/{sha256}",
            "A media blob of the screen's playlist",
            "a screen, with its own token",
            screen=True,
        ),
        Operation(
            "post",
            "/player/events",
            "Display events, idempotent by sequence number (batches of up to 500)",
            "a screen, with its own token",
            screen=True,
        ),
        Operation(
            "post",
            "/player/heartbeat",
            "Status in; server time and intervals out",
            "a screen, with its own token",
            screen=True,
        ),
        Operation(
            "put",
            "/player/screenshot",
            "The current frame as a PNG",
            "a screen, with its own token",
            screen=True,
        ),
        Operation(
            "get",
            "/display-events",
            "The display log (cursor paging, format=csv)",
            "supervisor, admin",
            query=("screen", "notice", "category", "from", "to", "cursor", "limit", "format"),
        ),
        Operation(
            "get",
            "/holidays/{year}",
            "A year's public holidays and make-up workdays (official calendar or entered)",
            "any staff role",
        ),
        Operation(
            "put",
            "/holidays/{year}",
            "Enter or replace the holidays of a year the bundled calendar does not know",
            "admin",
            body=HolidaysBody,
        ),
        Operation(
            "get",
            "/reports/notices/{notice_id}/compliance",
            "Evidence that a notice (公示) was on display for its whole period (format=csv)",
            "supervisor, admin",
            query=("gap_minutes", "format"),
        ),
        Operation(
            "get",
            "/reports/annual",
            "Notices displayed and plays in a year, by category and screen (format=csv)",
            "supervisor, admin",
            query=("year", "format"),
        ),
        Operation(
            "get",
            "/reports/uptime",
            "Screen uptime per day, from=YYYY-MM-DD to=YYYY-MM-DD (format=csv)",
            "supervisor, admin",
            query=("from", "to", "screen", "format"),
        ),
        Operation(
            "get",
            "/schemas/playlist.json",
            "JSON Schema of the playlist document",
            "anyone",
            anonymous=True,
        ),
        Operation(
            "get",
            "/schemas/events.json",
            "JSON Schema of a batch of display events (the body of POST /player/events)",
            "anyone",
            anonymous=True,
        ),
        Operation(
            "get",
            "/schemas/heartbeat.json",
            "JSON Schema of a heartbeat (the body of POST /player/heartbeat)",
            "anyone",
            anonymous=True,
        ),
        Operation("get", "/openapi.json", "This document", "anyone", anonymous=True),
    ]


def _parameters(op: Operation) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = []
    for part in op.path.split("/"):
        if part.startswith("{"):
            name = part[1:-1]
            kind = "integer" if name.endswith("_id") else "string"
            params.append({"name": name, "in": "path", "required": True, "schema": {"type": kind}})
    for name in op.query:
        kind = "integer" if name in ("limit", "offset", "year", "gap_minutes") else "string"
        params.append({"name": name, "in": "query", "required": False, "schema": {"type": kind}})
    return params


def _operation_id(op: Operation) -> str:
    words = [w.strip("{}").replace(".", "_") for w in op.path.strip("/").split("/")]
    return "_".join([op.method, *words])


def build_document() -> dict[str, Any]:
    """Return the OpenAPI document."""
    schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}
    paths: dict[str, dict[str, Any]] = {}
    error_ref = {
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    }
    for op in _operations():
        operation: dict[str, Any] = {
            "summary": op.summary,
            "description": f"Who may call it: {op.roles}.",
            "operationId": _operation_id(op),
            "responses": {
                str(op.ok): {"description": "success"},
                "4XX": {"description": "error", **error_ref},
            },
        }
        if op.anonymous:
            operation["security"] = []
        elif op.screen:
            operation["security"] = [{"screen": []}]
        params = _parameters(op)
        if params:
            operation["parameters"] = params
        if op.body is not None:
            schema = op.body.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(schema.pop("$defs", {}))
            schemas[op.body.__name__] = schema
            operation["requestBody"] = {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {"$ref": f"#/components/schemas/{op.body.__name__}"}
                    }
                },
            }
        if op.multipart:
            operation["requestBody"] = {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "required": ["file"],
                            "properties": {"file": {"type": "string", "format": "binary"}},
                        }
                    }
                },
            }
        paths.setdefault(op.path, {})[op.method] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Signage controller API",
            "version": "1",
            "description": "Staff API of the signage controller. Times are ISO-8601; "
            "answers are in UTC with Z; a time without an offset is "
            "refused.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "a personal API token",
                },
                "screen": {"type": "http", "scheme": "bearer", "description": "a screen's token"},
            },
        },
    }


@bp.get("/openapi.json")
def document() -> Any:
    return build_document()
