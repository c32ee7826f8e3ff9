"""The one place the controller reads the clock; services are given ``now`` instead."""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    """Return the current time in UTC, timezone-aware."""
    return dt.datetime.now(dt.UTC)
