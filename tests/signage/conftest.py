"""What the controller's tests share: the command line, run through Click's runner."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from click.testing import CliRunner, Result

from signage.cli import Context, cli
from signage.db import get_db
from tests.signage.evidence_world import county, verify, verify_cli  # noqa: F401 (fixtures)


@pytest.fixture
def run(app, config) -> Iterator[Callable[..., Result]]:
    contexts: list[Context] = []

    def invoke(*args: str, input: str | None = None, config_: dict[str, Any] | None = None):
        context = Context(config_ or config)
        contexts.append(context)
        return CliRunner().invoke(cli, list(args), obj=context, input=input)

    yield invoke
    for context in contexts:
        if context._app is not None:
            get_db(context._app).engine.dispose()


def last_line(result: Result) -> str:
    return result.output.strip().splitlines()[-1]
