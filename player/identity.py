"""The player's own key: made at its first start, kept 0600 in its cache, registered once.

The screen's display chain (:mod:`playlists.evidence`) is signed with this key on every upload,
so the record of what the screen showed is the screen's own: the controller, or anyone who can
write to its database, cannot add, drop or change a play without the signature showing it.
The controller takes the public key at the player's first contact (``POST /api/v1/player/key``)
and refuses batches signed by any other until an admin rotates the screen's token.
"""

from __future__ import annotations

import os
from pathlib import Path

from playlists.signing import SignatureError, SigningKey

KEY_FILE = "player-key.pem"


def load_or_create(cache_dir: Path) -> SigningKey:
    """The player's key from ``cache_dir``, made (0600) when there is none.

    Raises :class:`SignatureError` when the file is there but is no key, or others may read it:
    a player never signs with a key it cannot keep to itself, nor quietly makes a new one.
    """
    path = cache_dir / KEY_FILE
    cache_dir.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        key = SigningKey.generate()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another start made it meanwhile
            return load_or_create(cache_dir)
        with os.fdopen(fd, "wb") as f:
            f.write(key.to_pem())
            f.flush()
            os.fsync(f.fileno())
        return key
    if os.name == "posix" and path.stat().st_mode & 0o077:
        raise SignatureError(f"the player's key {path} may be read by others; chmod 600 it")
    return SigningKey.from_pem(path.read_bytes())
