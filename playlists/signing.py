"""The controller's signatures (Ed25519), as the controller makes them and a player checks them.

A signature is over a purpose and the exact bytes: ``purpose NUL data``, so a signature made for
one kind of document can never pass for another. The purposes are :data:`PLAYLIST` (a playlist's
canonical bytes), :data:`ROTATION` (a statement that a new key replaces an old one),
:data:`CHECKPOINT` (the controller's daily statement of its chains) and, made by screen players
with their own keys, ``signage.display-chain/1`` (:mod:`playlists.evidence`).

A key is named by its key id, the first 16 hex digits of the SHA-256 of its 32 raw public bytes.
A playlist travels with its signature in the ``Signage-Signature`` header
(:func:`signature_header`, :func:`parse_signature_header`): ``ed25519 key=<key id>
sig=<base64url>``.

When the controller's key is rotated, the old key signs a :class:`Rotation` naming the new one;
the list of them from the first key on is the key chain (``GET /api/v1/keys``). A player that
trusts one key follows the chain from it (:func:`follow`) and then trusts only the newest: a key
from nowhere, or a statement that does not verify, is refused.

Signing keys come from and go to PEM (PKCS #8) text; public keys travel as base64url of their 32
raw bytes. The cryptography is PyCA ``cryptography``'s.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from typing_extensions import TypedDict

from playlists.canonical import canonical_json

PLAYLIST = "signage.playlist/1"
ROTATION = "signage.key-rotation/1"
CHECKPOINT = "signage.checkpoint/1"  # a daily checkpoint of every chain (signage.evidence)
HEADER = "Signage-Signature"
KEY_ID = re.compile(r"^[0-9a-f]{16}$")
_HEADER = re.compile(r"^ed25519 key=([0-9a-f]{16}) sig=([A-Za-z0-9_-]{86})$")


class SignatureError(ValueError):
    """A signature, key or statement that does not hold; the message says why in one line."""


def b64(data: bytes) -> str:
    """base64url without padding, as signatures and public keys travel."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


_BASE64URL = re.compile(r"^[A-Za-z0-9_-]*$")


def unb64(text: str, what: str) -> bytes:
    """The bytes of base64url ``text``; :class:`SignatureError` naming ``what`` if it is none."""
    if not _BASE64URL.fullmatch(text):
        raise SignatureError(f"{what} is not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise SignatureError(f"{what} is not base64url") from None


def _message(purpose: str, data: bytes) -> bytes:
    return purpose.encode() + b"\x00" + data


@dataclass(frozen=True)
class PublicKey:
    """An Ed25519 public key (the controller's, or a screen player's) and its key id."""

    key_id: str
    raw: bytes  # 32 bytes

    @classmethod
    def from_raw(cls, raw: bytes) -> PublicKey:
        if len(raw) != 32:
            raise SignatureError("an Ed25519 public key is 32 bytes")
        return cls(hashlib.sha256(raw).hexdigest()[:16], raw)

    @classmethod
    def from_text(cls, text: str, key_id: str | None = None) -> PublicKey:
        """From base64url text; ``key_id``, when given, must be the key's own."""
        if key_id is not None and not KEY_ID.fullmatch(key_id):
            raise SignatureError("a key id is 16 hex digits")
        key = cls.from_raw(unb64(text[:100], "the public key"))
        if key_id is not None and key_id != key.key_id:
            raise SignatureError(f"the public key given for {key_id} is {key.key_id}'s")
        return key

    @property
    def text(self) -> str:
        return b64(self.raw)

    def verify(self, purpose: str, data: bytes, signature: bytes) -> None:
        """Raise :class:`SignatureError` unless ``signature`` is this key's over ``data``."""
        try:
            Ed25519PublicKey.from_public_bytes(self.raw).verify(signature, _message(purpose, data))
        except InvalidSignature:
            raise SignatureError(f"the signature does not verify with key {self.key_id}") from None

    def to_json(self) -> dict[str, str]:
        return {"key_id": self.key_id, "public_key": self.text}


class SigningKey:
    """An Ed25519 private key: the controller's, or a screen player's."""

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        raw = private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self.public = PublicKey.from_raw(raw)

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_pem(cls, pem: bytes) -> SigningKey:
        try:
            private = serialization.load_pem_private_key(pem, password=None)
        except (ValueError, TypeError) as exc:
            raise SignatureError(f"not a PEM private key: {exc}") from None
        if not isinstance(private, Ed25519PrivateKey):
            raise SignatureError("the private key is not an Ed25519 key")
        return cls(private)

    def to_pem(self) -> bytes:
        return self._private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    @property
    def key_id(self) -> str:
        return self.public.key_id

    def sign(self, purpose: str, data: bytes) -> bytes:
        return self._private.sign(_message(purpose, data))


# --- a playlist's signature ------------------------------------------------------------------


def signature_header(key: SigningKey, body: bytes) -> str:
    """The ``Signage-Signature`` value for a playlist's canonical bytes."""
    return f"ed25519 key={key.key_id} sig={b64(key.sign(PLAYLIST, body))}"


def signed_etag(body: bytes, key_id: str) -> str:
    """The ETag of a playlist as served signed: its bytes and the key that signed them. A new
    key makes a new ETag, so after a rotation every player fetches its playlist signed by the
    new key at its next poll, follows the rotation, and stops trusting the old key at once."""
    return f'"{hashlib.sha256(body).hexdigest()[:32]}-{key_id}"'


def parse_signature_header(value: str | None) -> tuple[str, bytes]:
    """The key id and signature a ``Signage-Signature`` value carries."""
    if not value:
        raise SignatureError("the playlist came without a signature")
    match = _HEADER.fullmatch(value.strip())
    if match is None:
        raise SignatureError("the playlist's signature header is malformed")
    return match.group(1), unb64(match.group(2), "the signature")


def verify_playlist(trusted: PublicKey, body: bytes, header: str | None) -> None:
    """Raise :class:`SignatureError` unless ``header`` is ``trusted``'s signature of ``body``."""
    key_id, signature = parse_signature_header(header)
    if key_id != trusted.key_id:
        raise SignatureError(
            f"the playlist is signed by key {key_id}, not the trusted {trusted.key_id}"
        )
    trusted.verify(PLAYLIST, body, signature)


# --- rotations -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rotation:
    """The statement, signed by the old key, that ``new`` replaces it from ``at`` on."""

    old_key_id: str
    new: PublicKey
    at: str  # UTC, ISO-8601 with Z
    signature: bytes

    def statement(self) -> bytes:
        return statement_bytes(self.old_key_id, self.new, self.at)

    def to_json(self) -> dict[str, str]:
        return {
            "old_key_id": self.old_key_id,
            "new_key_id": self.new.key_id,
            "new_public_key": self.new.text,
            "at": self.at,
            "signature": b64(self.signature),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Rotation:
        try:
            old, new_id, new_text = data["old_key_id"], data["new_key_id"], data["new_public_key"]
            at, signature = data["at"], data["signature"]
        except (KeyError, TypeError):
            raise SignatureError("a rotation statement lacks a field") from None
        if not all(isinstance(v, str) for v in (old, new_id, new_text, at, signature)):
            raise SignatureError("a rotation statement's fields are text")
        if not KEY_ID.fullmatch(old):
            raise SignatureError("a rotation statement names a malformed old key id")
        raw = unb64(signature, "a rotation's signature")
        if len(raw) != 64:
            raise SignatureError("a rotation's signature is not 64 bytes")
        return cls(old, PublicKey.from_text(new_text, new_id), at, raw)


def statement_bytes(old_key_id: str, new: PublicKey, at: str) -> bytes:
    return canonical_json(
        {
            "schema": ROTATION,
            "old_key_id": old_key_id,
            "new_key_id": new.key_id,
            "new_public_key": new.text,
            "at": at,
        }
    )


class KeyInfo(TypedDict):
    key_id: str
    public_key: str  # base64url of the 32 raw bytes
    created_at: str | None
    replaced_at: str | None


class RotationStatement(TypedDict):
    old_key_id: str
    new_key_id: str
    new_public_key: str
    at: str
    signature: str


class KeyChain(TypedDict):
    """``GET /api/v1/keys``: the controller's keys, oldest first, the one it signs with now,
    and the statements that link them."""

    current: str
    keys: list[KeyInfo]
    rotations: list[RotationStatement]


def rotate(old: SigningKey, new: SigningKey, at: str) -> Rotation:
    """The statement that ``new`` replaces ``old``, signed by ``old``."""
    data = statement_bytes(old.key_id, new.public, at)
    return Rotation(old.key_id, new.public, at, old.sign(ROTATION, data))


def follow(trusted: PublicKey, chain: Iterable[Rotation]) -> PublicKey:
    """The newest key reached from ``trusted`` through ``chain``, each step verified by the key
    it leaves. Statements before the trusted key are skipped; a break after it is an error."""
    current = trusted
    for rotation in chain:
        if rotation.old_key_id != current.key_id:
            if current is trusted:
                continue  # a step from before the key we trust
            raise SignatureError(
                f"the key chain breaks: {rotation.new.key_id} claims to replace "
                f"{rotation.old_key_id}, but the key then was {current.key_id}"
            )
        current.verify(ROTATION, rotation.statement(), rotation.signature)
        current = rotation.new
    return current
