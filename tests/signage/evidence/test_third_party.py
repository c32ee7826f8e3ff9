"""A third party checks an exported checkpoint and a screen's chain with standard tools: the
script in scripts/ (hashlib and cryptography only) and openssl, as the README shows."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import need

SCRIPT = Path(__file__).parents[3] / "scripts" / "check_checkpoint.py"


def chain_items(client, headers, key):
    items, after = [], 0
    while True:
        page = client.get(
            f"/api/v1/screens/{key}/chain",
            query_string={"after": after, "limit": 5},
            headers=headers,
        ).get_json()
        items += page["items"]
        if page["next_after"] is None:
            return items, page
        after = page["next_after"]


def check(folder, key, items, tmp_path):
    chain = tmp_path / f"{key}-chain.json"
    chain.write_text(json.dumps(items), encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(folder), "1", key, str(chain)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_script_checks_a_checkpoint_and_a_chain(county, client, token_for, make_user, tmp_path):
    headers = token_for(make_user("supervisor"))
    items, page = chain_items(client, headers, "hall")
    assert [i["seq"] for i in items] == list(range(1, 13)) and page["signed_head"]["seq"] == 12
    assert page["player_keys"][0]["public_key"] == county["hall"]["record"].key.public.text
    done = check(county["dir"], "hall", items, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "its events link up to the signed head" in done.stdout
    # One play changed on its way to the third party: the script says which.
    edited = [dict(i) for i in items]
    edited[4]["record"] = edited[4]["record"].replace('"duration_ms":15000', '"duration_ms":99000')
    done = check(county["dir"], "hall", edited, tmp_path)
    assert done.returncode == 1 and "event 5" in done.stderr
    assert (
        client.get("/api/v1/screens/hall/chain", headers=token_for(make_user("author"))).status_code
        == 403
    )
    assert client.get("/api/v1/screens/nope/chain", headers=headers).status_code == 404


def test_openssl_checks_a_checkpoint_signature(county, tmp_path):
    need(shutil.which("openssl") is not None, "openssl is not installed")
    folder = county["dir"]
    content = json.loads((folder / "checkpoint-000001.json").read_bytes())
    message = tmp_path / "message"
    message.write_bytes(
        b"signage.checkpoint/1\0" + (folder / "checkpoint-000001.json").read_bytes()
    )
    done = subprocess.run(
        [
            "openssl",
            "pkeyutl",
            "-verify",
            "-pubin",
            "-rawin",
            "-inkey",
            str(folder / "keys" / f"controller-{content['controller_key']}.pem"),
            "-in",
            str(message),
            "-sigfile",
            str(folder / "checkpoint-000001.sig"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and "Signature Verified Successfully" in done.stdout


def test_the_script_refuses_a_jump_no_checkpoint_records(
    county, client, token_for, make_user, tmp_path
):
    headers = token_for(make_user("supervisor"))
    items, _ = chain_items(client, headers, "hall")
    # A play deleted before the third party got the chain (and the feed then says a gap
    # comes before the next): the checkpoint records no gap there.
    edited = [i for i in items if i["seq"] != 6]
    edited[5]["after_gap"] = True
    done = check(county["dir"], "hall", edited, tmp_path)
    assert done.returncode == 1 and "events 6-6: missing" in done.stderr
