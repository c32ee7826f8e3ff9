"""Check a signage checkpoint, and one screen's chain against it, trusting only the keys.

    python check_checkpoint.py DIR NUMBER SCREEN CHAIN.json

DIR is a folder written by ``signage checkpoint export``; CHAIN.json is the screen's own chain as
``GET /api/v1/screens/<SCREEN>/chain`` gives it (its ``items``, every page, as one JSON list).
Needs only Python's standard library and ``cryptography``; exits 1 on the first thing that does
not hold.
"""

import base64
import hashlib
import json
import sys
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def canonical(value):
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def main(folder, number, screen, chain_file):
    stem = folder / f"checkpoint-{int(number):06d}"
    body, signature = stem.with_suffix(".json").read_bytes(), stem.with_suffix(".sig").read_bytes()
    checkpoint = json.loads(body)
    pem = folder / "keys" / f"controller-{checkpoint['controller_key']}.pem"
    load_pem_public_key(pem.read_bytes()).verify(signature, b"signage.checkpoint/1\0" + body)
    print(f"checkpoint {number}: signed by controller key {checkpoint['controller_key']}")

    entry = next(s for s in checkpoint["screens"] if s["key"] == screen)
    head = entry["player"]
    statement = canonical(
        {"schema": "signage.display-chain/1", "seq": head["seq"], "hash": head["hash"]}
    )
    player = Ed25519PublicKey.from_public_bytes(unb64(head["public_key"]))
    player.verify(unb64(head["signature"]), b"signage.display-chain/1\0" + statement)
    print(f"screen {screen}: its player signed its chain up to event {head['seq']}")

    # The chain begins after the events stored before screens signed their record; it may
    # jump only over the lost-event gaps the checkpoint records. Its first event's prev is the
    # player's own; every later one names the event before it.
    expected, prev = entry["unsigned"]["last_seq"] + 1, None
    gaps = {tuple(g) for g in entry["gaps"]}
    for item in json.loads(Path(chain_file).read_text(encoding="utf-8")):
        record = item["record"].encode("utf-8")
        digest = hashlib.sha256(record).hexdigest()
        if digest != item["hash"]:
            sys.exit(f"event {item['seq']}: its record does not give its hash")
        if item["seq"] != expected:
            if (expected, item["seq"] - 1) not in gaps:
                sys.exit(f"events {expected}-{item['seq'] - 1}: missing, and no gap is recorded")
        elif prev is not None and json.loads(record)["prev"] != prev:
            sys.exit(f"event {item['seq']}: it does not link to the event before it")
        prev, expected = digest, item["seq"] + 1
        if item["seq"] == head["seq"]:
            if digest != head["hash"]:
                sys.exit(f"event {item['seq']}: it is not the event the player signed")
            print(f"screen {screen}: its events link up to the signed head")
            return
    sys.exit(f"screen {screen}: the chain does not reach event {head['seq']}")


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    try:
        main(Path(sys.argv[1]), *sys.argv[2:])
    except InvalidSignature:
        sys.exit("a signature does not hold")
