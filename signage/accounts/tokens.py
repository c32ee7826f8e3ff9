"""Bearer tokens for people and screens: random, shown once, stored as SHA-256.

Tokens carry 256 bits of randomness, so a fast hash is enough to store them safely (unlike
passwords, they cannot be guessed from a dictionary); lookups by hash are a single index probe.
"""

from __future__ import annotations

import hashlib
import secrets

PERSONAL_PREFIX = "sgp_"
SCREEN_PREFIX = "sgs_"


def new_token(prefix: str) -> str:
    """Return a new random token starting with ``prefix``."""
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """Return the stored form of ``token``."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def display_prefix(token: str) -> str:
    """Return the first characters of ``token``, safe to show to tell tokens apart."""
    return token[:10]
