"""Arbitrary JSON and arbitrary query strings at every API endpoint, from every kind of caller:
no answer is a 500, every refusal has the JSON error shape, and a refused request writes
nothing (the row count of every table is the same after it)."""

from __future__ import annotations

import io
import json
import re
import urllib.parse
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from werkzeug.routing import Rule

from signage.api.contract import contract_of
from signage.screens.services import rotate_screen_token
from signage.writer import get_writer
from tests.conftest import NOW
from tests.signage.api.conftest import World, png
from tests.signage.api.test_errors import row_counts

CALLERS = ("anonymous", "author", "reviewer", "admin", "screen")
_PARAMETER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
# Text as a URL or a JSON body can carry it (no lone surrogates), NULs and controls included.
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False)
    | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
# A refused wrong current password is audited: that row is the point of the refusal.
AUDITED_REFUSALS = {"/api/v1/me/password": {"audit_log"}}


def operations(app: Any) -> list[tuple[Rule, str]]:
    return sorted(
        (
            (rule, method)
            for rule in app.url_map.iter_rules()
            if rule.rule.startswith("/api/v1/")
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        ),
        key=lambda pair: (pair[0].rule, pair[1]),
    )


def field_names(model: type[BaseModel] | None) -> list[str]:
    if model is None:
        return []
    return [field.alias or name for name, field in model.model_fields.items()]


def path_value(draw: st.DrawFn, converter: str | None, name: str, world: World) -> str:
    if converter == "int":
        known = [world.draft, world.submitted, world.approved]
        if name == "token_id":  # never the caller's own token: the run would go on as nobody
            known = []
        number = draw(
            st.sampled_from(known) | st.integers(min_value=-(2**70), max_value=2**70)
            if known
            else st.integers(min_value=1000, max_value=2**70) | st.integers(max_value=0)
        )
        return str(number)
    known_text = {
        "key": [world.screen, "nowhere"],
        "username": ["author", "reviewer", "nobody"],
        "sha256": [world.media, "0" * 64],
        "year": ["2026", "2027", "1999", "9999"],
    }.get(name, [])
    text = draw(st.sampled_from(known_text) | TEXT if known_text else TEXT)
    # As a client sends it: percent-encoded, "/" too (the router never sees an empty value).
    return urllib.parse.quote(text, safe="") or "x"


@st.composite
def requests(draw: st.DrawFn, app: Any, world: World) -> dict[str, Any]:
    rule, method = draw(st.sampled_from(operations(app)))
    declared = contract_of(app.view_functions[rule.endpoint])
    assert declared is not None
    path = _PARAMETER.sub(
        lambda m: path_value(draw, m.group(1), m.group(2), world),
        rule.rule,
    )
    names = field_names(declared.query)
    query = draw(
        st.lists(st.tuples(st.sampled_from(names) | TEXT if names else TEXT, TEXT), max_size=5)
    )
    request: dict[str, Any] = {"path": path, "method": method, "query_string": query}
    fields = field_names(declared.body)
    if declared.multipart:
        content = draw(st.sampled_from([png(), b""]) | st.binary(max_size=200))
        request["data"] = {"file": (io.BytesIO(content), "upload.png")}
    elif declared.raw_body is not None:
        request["data"] = draw(st.sampled_from([png()]) | st.binary(max_size=200))
        request["content_type"] = declared.raw_body
    elif method in ("POST", "PUT", "PATCH"):
        body = draw(
            st.dictionaries(st.sampled_from(fields), JSON, max_size=6) | JSON if fields else JSON
        )
        request["data"] = json.dumps(body)
        request["content_type"] = "application/json"
    return request


@pytest.fixture
def callers(db_session, world: World) -> dict[str, dict[str, str]]:
    _, token = rotate_screen_token(db_session, None, world.screen, now=NOW)
    db_session.commit()
    return {
        "anonymous": {},
        "screen": {"Authorization": f"Bearer {token}"},
        **{role: world.headers[role] for role in ("author", "reviewer", "admin")},
    }


@pytest.mark.parametrize("caller", CALLERS)
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_input_breaks_an_endpoint_or_is_written_when_refused(
    app, client, db_session, world, callers, caller, data
):
    request = data.draw(requests(app, world))
    get_writer(app).flush()  # an earlier example's record, written after its answer
    before = row_counts(db_session)
    response = client.open(headers=callers[caller], **request)
    where = f"{request['method']} {request['path']} as {caller}"
    assert response.status_code < 500, f"{where}: {response.get_data(as_text=True)[:300]}"
    if response.status_code >= 400:
        error = response.get_json()["error"]
        assert error["code"] and error["message"], where
        get_writer(app).flush()
        after = row_counts(db_session)
        for table in AUDITED_REFUSALS.get(request["path"], ()):
            before.pop(table), after.pop(table)
        assert after == before, f"{where} was refused ({response.status_code}) but wrote rows"
