"""Canonical JSON: the same content always gives the same bytes.

Hashes that other parties check (revision content hashes, playlist ETags,
the hash chains of the audit and display logs) are taken over these bytes.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(value: Any) -> bytes:
    """Encode ``value`` as compact UTF-8 JSON with sorted keys."""
    return json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    """Return the SHA-256 of ``data`` as lowercase hex."""
    return hashlib.sha256(data).hexdigest()
