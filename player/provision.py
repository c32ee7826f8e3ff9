"""Read a provisioning file (:mod:`playlists.provision`): refuse one that is unreadable, that
others may read (it holds the screen's token), or that does not hold what it should."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from player.errors import ConfigError
from playlists.provision import PROVISION_SCHEMA
from playlists.signing import PublicKey, SignatureError


@dataclass(frozen=True)
class Provision:
    controller: str
    screen: str
    token: str
    key: PublicKey  # the key the controller signs with now


def read_provision(path: Path) -> Provision:
    """The provisioning file at ``path``, or :class:`ConfigError` with a one-line reason."""
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"the provisioning file {path} cannot be read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"the provisioning file {path} is not UTF-8 text") from None
    if os.name == "posix" and mode & 0o077:
        raise ConfigError(
            f"the provisioning file {path} may be read by others (mode {mode & 0o777:o}); it "
            "holds the screen's token: chmod 600 it"
        )
    try:
        data = json.loads(text)
    except ValueError:
        raise ConfigError(f"the provisioning file {path} is not JSON") from None
    if not isinstance(data, dict) or data.get("schema") != PROVISION_SCHEMA:
        raise ConfigError(f"the provisioning file {path} is not a {PROVISION_SCHEMA} file")
    fields = {name: data.get(name) for name in ("controller", "screen", "token", "current_key")}
    for name, value in fields.items():
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"the provisioning file {path} lacks {name}")
    controller = str(fields["controller"]).rstrip("/")
    if not controller.startswith(("http://", "https://")):
        raise ConfigError(f"the provisioning file {path}: controller must be an http(s) URL")
    keys = data.get("keys")
    if not isinstance(keys, list):
        raise ConfigError(f"the provisioning file {path} lacks keys")
    current = str(fields["current_key"])
    for entry in keys:
        if isinstance(entry, dict) and entry.get("key_id") == current:
            try:
                key = PublicKey.from_text(str(entry.get("public_key", "")), current)
            except SignatureError as exc:
                raise ConfigError(f"the provisioning file {path}: {exc}") from None
            break
    else:
        raise ConfigError(f"the provisioning file {path} does not hold its current key {current}")
    return Provision(controller, str(fields["screen"]), str(fields["token"]).strip(), key)
