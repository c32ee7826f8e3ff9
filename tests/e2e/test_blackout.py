"""A blackout ordered from the controller, end to end: a real ``signage serve`` and a real
``signage-player``; ``POST /api/v1/blackouts {"all": true}`` turns the player's frames black
within 2 s of its answer, and ``DELETE`` brings the notice back."""

from __future__ import annotations

import time

import requests

from tests.e2e.test_local_blackout import black
from tests.e2e.test_player_system import publish, system, wait_for  # noqa: F401


def test_a_blackout_from_the_api_turns_the_panel_black_within_2_s(system):  # noqa: F811
    s = system.signage
    people = s.staff("author", "reviewer", "duty")
    token_file = system.tmp / "hall.token"
    token_file.write_text(
        s.last_line("screen", "add", "hall", "--name", "大厅", "--size", "128x32")
    )
    system.start_server()
    publish(system, people["author"], people["reviewer"], "长期通知", seconds=3600)
    system.start_player(token_file)
    latest = system.frames / "latest.png"
    wait_for(lambda: system.spool()[2] >= 1 and not black(latest), 40, "the notice on the panel")

    answer = requests.post(
        f"{system.base}/api/v1/blackouts",
        json={"all": True, "reason": "测试"},
        headers=people["duty"],
        timeout=10,
    )
    answered = time.monotonic()
    assert answer.status_code == 201, answer.text
    wait_for(lambda: black(latest), 10, "the panel to go black")
    took = time.monotonic() - answered
    assert took < 2.0, f"black {took:.2f} s after the blackout was ordered"
    shown = system.spool()[2]
    time.sleep(2)
    assert black(latest) and system.spool()[2] <= shown + 1  # nothing more played

    lifted = requests.delete(
        f"{system.base}/api/v1/blackouts/{answer.json()['id']}", headers=people["duty"], timeout=10
    )
    assert lifted.status_code == 200, lifted.text
    wait_for(lambda: not black(latest), 10, "the notice back on the panel")

    # The player logged it as a display state, with its start and end (never a play).
    def logged() -> list[dict]:
        answer = requests.get(
            f"{system.base}/api/v1/screens/hall/states", headers=people["duty"], timeout=5
        )
        return [s for s in answer.json()["items"] if s["ended_at"]] if answer.ok else []

    wait_for(lambda: bool(logged()), 30, "the blackout's display state on record")
    [state] = logged()
    assert (state["source"], state["blackout_id"], state["reason"]) == (
        "controller",
        answer.json()["id"],
        "测试",
    )
    assert state["started_at"] < state["ended_at"]
