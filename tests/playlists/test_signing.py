"""The controller's signatures: playlists, key ids, rotation chains, a tampered byte anywhere."""

from __future__ import annotations

import hashlib

import pytest

from playlists.signing import (
    PLAYLIST,
    ROTATION,
    PublicKey,
    Rotation,
    SignatureError,
    SigningKey,
    follow,
    parse_signature_header,
    rotate,
    signature_header,
    verify_playlist,
)

BODY = b'{"schema":"signage.playlist/1","items":[]}'
AT = "2026-12-01T00:00:00Z"


@pytest.fixture(scope="module")
def keys() -> list[SigningKey]:
    return [SigningKey.generate() for _ in range(4)]


def test_a_key_id_is_the_start_of_the_public_keys_sha256(keys):
    key = keys[0]
    assert key.key_id == hashlib.sha256(key.public.raw).hexdigest()[:16]
    assert PublicKey.from_text(key.public.text) == key.public
    assert SigningKey.from_pem(key.to_pem()).key_id == key.key_id


def test_a_signed_playlist_verifies_and_any_changed_byte_does_not(keys):
    header = signature_header(keys[0], BODY)
    verify_playlist(keys[0].public, BODY, header)
    for n in range(len(BODY)):
        tampered = BODY[:n] + bytes([BODY[n] ^ 0x01]) + BODY[n + 1 :]
        with pytest.raises(SignatureError):
            verify_playlist(keys[0].public, tampered, header)


def test_a_changed_signature_byte_does_not_verify(keys):
    _, signature = parse_signature_header(signature_header(keys[0], BODY))
    for n in range(len(signature)):
        bad = signature[:n] + bytes([signature[n] ^ 0x80]) + signature[n + 1 :]
        with pytest.raises(SignatureError):
            keys[0].public.verify(PLAYLIST, BODY, bad)


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "without a signature"),
        ("", "without a signature"),
        ("ed25519 key=abc sig=xyz", "malformed"),
        ("rsa key=0123456789abcdef sig=" + "A" * 86, "malformed"),
    ],
)
def test_a_missing_or_malformed_signature_is_refused(keys, header, reason):
    with pytest.raises(SignatureError, match=reason):
        verify_playlist(keys[0].public, BODY, header)


def test_a_signature_by_another_key_is_refused(keys):
    with pytest.raises(SignatureError, match="not the trusted"):
        verify_playlist(keys[0].public, BODY, signature_header(keys[1], BODY))


def test_a_signature_is_bound_to_its_purpose(keys):
    _, signature = parse_signature_header(signature_header(keys[0], BODY))
    with pytest.raises(SignatureError):
        keys[0].public.verify(ROTATION, BODY, signature)


def test_a_player_follows_a_chain_of_rotations(keys):
    chain = [rotate(keys[0], keys[1], AT), rotate(keys[1], keys[2], AT)]
    assert follow(keys[0].public, chain) == keys[2].public
    assert follow(keys[1].public, chain) == keys[2].public  # provisioned after the first
    assert follow(keys[2].public, chain) == keys[2].public
    # Through JSON, as GET /api/v1/keys gives it.
    again = [Rotation.from_json(r.to_json()) for r in chain]
    assert follow(keys[0].public, again) == keys[2].public


def test_a_rotation_not_signed_by_the_old_key_is_refused(keys):
    forged = rotate(keys[3], keys[2], AT)  # signed by a key from nowhere
    claimed = Rotation(keys[0].key_id, forged.new, forged.at, forged.signature)
    with pytest.raises(SignatureError, match="does not verify"):
        follow(keys[0].public, [claimed])


def test_a_rotation_changed_after_signing_is_refused(keys):
    real = rotate(keys[0], keys[1], AT)
    moved = Rotation(real.old_key_id, keys[3].public, real.at, real.signature)
    with pytest.raises(SignatureError):
        follow(keys[0].public, [moved])
    later = Rotation(real.old_key_id, real.new, "2027-01-01T00:00:00Z", real.signature)
    with pytest.raises(SignatureError):
        follow(keys[0].public, [later])


def test_a_broken_chain_is_refused(keys):
    chain = [rotate(keys[0], keys[1], AT), rotate(keys[2], keys[3], AT)]
    with pytest.raises(SignatureError, match="chain breaks"):
        follow(keys[0].public, chain)


@pytest.mark.parametrize(
    "change",
    [
        {"new_public_key": "short"},
        {"new_key_id": "0000000000000000"},
        {"old_key_id": "not a key id"},
        {"signature": "!!"},
        {"at": 5},
    ],
)
def test_a_malformed_rotation_statement_is_refused(keys, change):
    data = rotate(keys[0], keys[1], AT).to_json() | change
    with pytest.raises(SignatureError):
        Rotation.from_json(data)


def test_a_pem_that_is_not_an_ed25519_key_is_refused():
    with pytest.raises(SignatureError):
        SigningKey.from_pem(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
