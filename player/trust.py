"""The controller key this player trusts, and the check every playlist passes before it is used.

The trusted key comes from a provisioning file (``signage screen add --provision``), or, with
only a token, from the first contact with the controller (trust on first use, said in the log).
It is kept in the cache folder (``trust.json``), so a restart trusts what the player trusted
before. A playlist signed by the trusted key is checked with it; one signed by another key is
used only if the controller's key chain (``GET /api/v1/keys``) leads there from the trusted key
by statements each signed by the key it replaces; the player then trusts the new key and no
longer the old one. Anything else (no signature, a malformed one, a key from nowhere, a
statement that does not verify) raises :class:`SignatureError` with a one-line reason.
:func:`accept_playlist` is every check a playlist from the controller passes before it is kept:
the signature, then each item's content hash (:func:`playlists.content.check_item`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from player.store import write_atomic
from playlists import Playlist, parse_playlist
from playlists.content import ContentError, check_item
from playlists.signing import (
    PLAYLIST,
    KeyChain,
    PublicKey,
    Rotation,
    SignatureError,
    follow,
    parse_signature_header,
)

log = logging.getLogger(__name__)

FetchChain = Callable[[], KeyChain]


def rotations_of(chain: KeyChain) -> list[Rotation]:
    try:
        return [Rotation.from_json(r) for r in chain["rotations"]]
    except (KeyError, TypeError):
        raise SignatureError("the controller's key chain is malformed") from None


class Trust:
    def __init__(
        self, path: Path, provisioned: PublicKey | None = None, *, screen: str | None = None
    ) -> None:
        """``provisioned``: the key a provisioning file names (and ``screen``, the screen it
        is for). It replaces what the file at ``path`` holds unless that was reached from it by
        rotations."""
        self.path = path
        self.key: PublicKey | None = None
        self.origin: str | None = None  # the provisioned key id, or "first contact"
        self.screen = screen  # the screen whose playlists this player takes
        self.damaged = False  # a trust file that exists but cannot be read trusts nothing
        self._load()
        if provisioned is not None and self.origin != provisioned.key_id:
            self.damaged = False
            self._pin(provisioned, origin=provisioned.key_id)
        elif screen is not None and self.screen != screen:
            self.screen = screen

    def _load(self) -> None:
        try:
            data = json.loads(self.path.read_text())
            self.key = PublicKey.from_text(data["public_key"], data["key_id"])
            self.origin = str(data["origin"])
            self.screen = self.screen or data.get("screen")
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError) as exc:
            # Not a reason to trust whatever comes next: nothing is trusted until the player is
            # provisioned again (or the file removed, for trust on first use again).
            log.error(
                "the trusted key in %s cannot be read (%s); no playlist will be accepted until "
                "the player is provisioned again or the file is removed",
                self.path,
                exc,
            )
            self.key = self.origin = None
            self.damaged = True

    def _pin(self, key: PublicKey, *, origin: str) -> None:
        self.key, self.origin = key, origin
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {**key.to_json(), "origin": origin, "screen": self.screen}
        write_atomic(self.path, json.dumps(data).encode())

    def pin_screen(self, screen: str) -> None:
        """Take only this screen's playlists from now on (learnt at first contact)."""
        if self.screen is None and self.key is not None:
            self.screen = screen
            self._pin(self.key, origin=self.origin or "first contact")

    @property
    def key_id(self) -> str | None:
        return self.key.key_id if self.key is not None else None

    def check(self, body: bytes, header: str | None, fetch_chain: FetchChain) -> None:
        """Raise :class:`SignatureError` unless ``header`` is a trusted signature of ``body``
        (following a rotation, or trusting at first contact, as the module docstring says)."""
        key_id, signature = parse_signature_header(header)
        if self.damaged:
            raise SignatureError(f"the trusted key file {self.path} is damaged")
        if self.key is None:
            chain = fetch_chain()
            first = _key_in(chain, key_id)
            first.verify(PLAYLIST, body, signature)
            self._pin(first, origin="first contact")
            log.warning(
                "trusting the controller's key %s, seen at first contact (no provisioning file): "
                "a playlist signed by any other key will be refused unless the controller shows "
                "a rotation to it signed by this one",
                key_id,
            )
            return
        if key_id == self.key.key_id:
            self.key.verify(PLAYLIST, body, signature)
            return
        newer = follow(self.key, rotations_of(fetch_chain()))
        if newer.key_id != key_id:
            raise SignatureError(
                f"the playlist is signed by key {key_id}, which no rotation from the trusted key "
                f"{self.key.key_id} leads to"
            )
        newer.verify(PLAYLIST, body, signature)
        log.warning("following the controller's key rotation %s → %s", self.key.key_id, key_id)
        self._pin(newer, origin=self.origin or "first contact")

    def check_cached(self, body: bytes, header: str | None) -> None:
        """Check a playlist read back from the cache (no controller to ask)."""
        if self.key is None:
            raise SignatureError("no trusted key to check the cached playlist with")
        key_id, signature = parse_signature_header(header)
        if key_id != self.key.key_id:
            raise SignatureError(f"the cached playlist is signed by {key_id}, not the trusted key")
        self.key.verify(PLAYLIST, body, signature)


def _key_in(chain: KeyChain, key_id: str) -> PublicKey:
    try:
        keys: Sequence[dict[str, str]] = chain["keys"]  # type: ignore[assignment]
        current = chain["current"]
    except (KeyError, TypeError):
        raise SignatureError("the controller's key chain is malformed") from None
    if key_id != current:
        raise SignatureError(
            f"the playlist is signed by key {key_id}, not by the controller's current key"
        )
    for entry in keys:
        if isinstance(entry, dict) and entry.get("key_id") == key_id:
            return PublicKey.from_text(str(entry.get("public_key", "")), key_id)
    raise SignatureError(f"the controller lists no key {key_id}")


class Refused(Exception):
    """A playlist that is not shown; the message is the reason, in one line."""


def accept_playlist(
    trust: Trust,
    body: bytes,
    header: str | None,
    fetch_chain: FetchChain,
    current: Playlist | None = None,
) -> Playlist:
    """The playlist in ``body`` if it passes every check: signed by a trusted key (following a
    rotation if need be), made for this screen, not older than ``current`` (the one playing),
    and every item exactly what was approved; else :class:`Refused`. A body that is not a
    playlist at all raises :class:`PlaylistError`."""
    try:
        trust.check(body, header, fetch_chain)
    except SignatureError as exc:
        raise Refused(f"bad signature: {exc}") from None
    playlist = parse_playlist(body)
    if trust.screen is not None and playlist.screen.key != trust.screen:
        raise Refused(f"the playlist is for screen {playlist.screen.key[:64]!r}, not this one")
    if current is not None and playlist.generated_at < current.generated_at:
        raise Refused("the playlist is older than the one playing (a replay)")
    try:
        for item in playlist.items:
            check_item(item)
    except ContentError as exc:
        raise Refused(f"content not approved: {exc}") from None
    trust.pin_screen(playlist.screen.key)
    return playlist
