"""``GET /api/v1/openapi.json``: the OpenAPI 3.1 document of the API, built from the routes and
the contract each handler declares (:mod:`signage.api.contract`).

Nothing here lists the operations: every route under ``/api/v1`` is described from its rule
(path and its parameters), its contract (who may call it, the request body, the query values
with their limits, the answer's type) and the types' own JSON Schemas (pydantic models and
typed dicts, the same ones the handler parses and answers with). A route without a contract
stops the document from being built, so none can be left undescribed.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Flask, current_app
from pydantic import TypeAdapter
from werkzeug.routing import Rule

from signage.api.contract import Contract, contract, contract_of
from signage.db import MAX_INT

bp = Blueprint("openapi", __name__)

PREFIX = "/api/v1"
REF = "#/components/schemas/{model}"
ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "additionalProperties": False,
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "field": {"type": "string"},
                "details": {"type": "object", "additionalProperties": {"type": "string"}},
                # The English template of the message and the values put in it: the same
                # whatever the language of the message (Accept-Language).
                "message_id": {"type": "string"},
                "params": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        }
    },
}
_ERROR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_PARAMETER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
# Examples of path values, from the sample data (``signage demo``).
_EXAMPLES = {"notice_id": 1, "key": "gov-lobby", "username": "zhang.min", "year": "2027"}
_PATH_TYPES = {
    "int": {"type": "integer", "minimum": 0, "maximum": MAX_INT},
    None: {"type": "string", "pattern": "^[^/]+$"},
}


class _Components:
    """The document's shared schemas, each type added once under its own name."""

    def __init__(self) -> None:
        self.schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}

    def ref(self, kind: Any) -> dict[str, Any]:
        if kind == dict[str, Any]:
            return {"type": "object"}
        name = getattr(kind, "__name__", None)
        schema = TypeAdapter(kind).json_schema(ref_template=REF)
        for inner, definition in schema.pop("$defs", {}).items():
            self.add(inner, definition)
        if name is None:
            return schema
        self.add(name, schema)
        return {"$ref": REF.format(model=name)}

    def add(self, name: str, schema: dict[str, Any]) -> None:
        if self.schemas.get(name, schema) != schema:
            raise RuntimeError(f"two different types are both named {name!r}")
        self.schemas[name] = schema


def _path(rule: Rule, declared: Contract | None = None) -> tuple[str, list[dict[str, Any]]]:
    given = (declared.path if declared is not None else None) or {}
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": given.get(name, _PATH_TYPES.get(converter, _PATH_TYPES[None])),
            **({"example": _EXAMPLES[name]} if name in _EXAMPLES else {}),
        }
        for converter, name in _PARAMETER.findall(rule.rule)
    ]
    path = _PARAMETER.sub(lambda m: "{" + m.group(2) + "}", rule.rule).removeprefix(PREFIX)
    return path, parameters


def _query(declared: Contract, components: _Components) -> list[dict[str, Any]]:
    if declared.query is None:
        return []
    schema = declared.query.model_json_schema(by_alias=True, ref_template=REF)
    for inner, definition in schema.pop("$defs", {}).items():
        components.add(inner, definition)
    out = []
    for name, prop in schema["properties"].items():
        # A query value is text or absent: "null" is no value it can take.
        variants = [v for v in prop.get("anyOf", [prop]) if v.get("type") != "null"]
        value = {k: v for k, v in variants[0].items() if k not in ("title", "description")}
        if len(variants) > 1:
            value = {"anyOf": variants}
        if prop.get("default") is not None:
            value["default"] = prop["default"]
        required = name in schema.get("required", [])
        parameter: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": required,
            "schema": value,
        }
        if not required:
            # An empty value is no value (a form's blank field sends one): parse_query.
            parameter["allowEmptyValue"] = True
        if "description" in prop:
            parameter["description"] = prop["description"]
        out.append(parameter)
    return out


def _request_body(declared: Contract, components: _Components) -> dict[str, Any] | None:
    if declared.body is not None or declared.document is not None:
        kind = declared.body if declared.body is not None else declared.document
        schema = components.ref(kind)
        required = not declared.body_optional
        return {"required": required, "content": {"application/json": {"schema": schema}}}
    if declared.raw_body is not None:
        binary = {"type": "string", "format": "binary"}
        return {"required": True, "content": {declared.raw_body: {"schema": binary}}}
    if declared.multipart:
        upload = {
            "type": "object",
            "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary"}},
        }
        return {"required": True, "content": {"multipart/form-data": {"schema": upload}}}
    return None


def _responses(declared: Contract, components: _Components) -> dict[str, Any]:
    content: dict[str, Any] = {}
    if declared.answers is not None:
        content[declared.media_type] = {"schema": components.ref(declared.answers)}
    elif declared.media_type != "application/json":
        content[declared.media_type] = {"schema": {"type": "string", "format": "binary"}}
    if declared.csv:
        content["text/csv"] = {"schema": {"type": "string"}}
    success: dict[str, Any] = {"description": "success"}
    if content:
        success["content"] = content
    if declared.headers:
        success["headers"] = {
            name: {"description": meaning, "required": True, "schema": {"type": "string"}}
            for name, meaning in declared.headers.items()
        }
    responses = {str(status): success for status in (declared.ok, *declared.also)}
    if declared.not_modified:
        responses["304"] = {"description": "unchanged since the ETag sent in If-None-Match"}
    responses["4XX"] = {"description": "refused: the error says why", **_ERROR}
    responses["503"] = {"description": "the database is busy; try again", **_ERROR}
    return responses


def _operation(
    declared: Contract, rule: Rule, method: str, components: _Components
) -> dict[str, Any]:
    path, parameters = _path(rule, declared)
    words = [w.strip("{}").replace(".", "_") for w in path.strip("/").split("/")]
    operation: dict[str, Any] = {
        "summary": declared.summary,
        "description": f"Who may call it: {declared.who}.",
        "operationId": "_".join([method.lower(), *words]),
        "responses": _responses(declared, components),
    }
    if declared.auth == "none":
        operation["security"] = []
    elif declared.auth == "screen":
        operation["security"] = [{"screen": []}]
    parameters += _query(declared, components)
    if parameters:
        operation["parameters"] = parameters
    body = _request_body(declared, components)
    if body is not None:
        operation["requestBody"] = body
    return operation


def build_document(app: Flask) -> dict[str, Any]:
    """Return the OpenAPI document of ``app``'s API."""
    components = _Components()
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(PREFIX + "/"):
            continue
        declared = contract_of(app.view_functions[rule.endpoint])
        if declared is None:
            raise RuntimeError(f"{rule.endpoint} ({rule.rule}) declares no contract")
        path, _ = _path(rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(
                declared, rule, method, components
            )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Signage controller API",
            "version": "1",
            "description": "The staff's and the screens' API of the signage controller. Times "
            "are ISO-8601 text; answers are in UTC with Z; a time without an offset, a Unix "
            "number or a time outside 2000-01-01 – 2100-12-31 is refused.",
        },
        "servers": [{"url": PREFIX}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": components.schemas,
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
@contract("This document", "anyone", answers=dict[str, Any], auth="none")
def document() -> Any:
    return build_document(current_app)
