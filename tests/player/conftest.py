"""Fixtures for the player: a CJK font (Debian's fonts-wqy-zenhei in CI)."""

from __future__ import annotations

import pytest

from player.errors import FontNotFound
from player.fonts import FontSet, find_fonts
from tests.conftest import need


@pytest.fixture(scope="session")
def fonts() -> FontSet:
    try:
        found = find_fonts()
    except FontNotFound as exc:
        need(False, f"a CJK font (apt-get install fonts-wqy-zenhei): {exc}")
        raise
    return found
