"""Provisioning files (:mod:`playlists.provision`): a screen's token with the controller's URL
and keys, all its player needs, written for the owner alone (0600)."""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path

from sqlalchemy.orm import Session

from playlists.provision import PROVISION_SCHEMA, ProvisionFile
from signage.keys.services import key_chain, prepare_key


def provision_file(
    session: Session,
    *,
    controller_url: str,
    screen: str,
    token: str,
    key_path: Path,
    now: dt.datetime,
) -> ProvisionFile:
    """The provisioning document of one screen (its key chain as the database holds it)."""
    signing, _ = prepare_key(session, key_path, now=now)
    rows, _ = key_chain(session)
    return {
        "schema": PROVISION_SCHEMA,
        "controller": controller_url.rstrip("/"),
        "screen": screen,
        "token": token,
        "current_key": signing.key_id,
        "keys": [{"key_id": r.key_id, "public_key": r.public_key} for r in rows],
    }


def write_provision(path: Path, document: ProvisionFile) -> None:
    """Write ``document`` to ``path``, replacing it, readable by the owner alone."""
    # A new file of our own (O_EXCL, 0600) beside the target, then renamed over it: nothing
    # another user prepared in that folder ever receives the token.
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(document, f, ensure_ascii=False, indent=2)
            f.write("\n")
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
