"""The player's log of display states: a blackout begins and ends once, a restart carries on
the same state, a state left open by a crash ends at the next look, and acknowledged ended
states are forgotten."""

from __future__ import annotations

from player.states import Black, StateLog


def test_a_blackout_is_one_state_from_its_start_to_its_end(tmp_path):
    log = StateLog(tmp_path / "states.sqlite3")
    order = Black("controller", "测试", blackout_id=7)
    log.now(None, "2026-12-04T10:00:00Z")
    assert log.to_send() == []
    log.now(order, "2026-12-04T10:00:01Z")
    log.now(order, "2026-12-04T10:00:02Z")  # the same state, not another
    [state] = log.to_send()
    assert (state.source, state.blackout_id, state.reason) == ("controller", 7, "测试")
    assert (state.started_at, state.ended_at) == ("2026-12-04T10:00:01Z", None)
    log.stored([state.id])  # still lasting: not forgotten
    assert len(log.to_send()) == 1
    log.now(None, "2026-12-04T10:05:00Z")
    [ended] = log.to_send()
    assert ended.ended_at == "2026-12-04T10:05:00Z"
    log.stored([ended.id])
    assert log.to_send() == []


def test_a_restart_carries_on_the_state_and_a_crash_leaves_none_open(tmp_path):
    path = tmp_path / "states.sqlite3"
    local = Black("local", "处置", since="2026-12-04T09:00:00Z")
    first = StateLog(path)
    first.now(local, "2026-12-04T09:00:00Z")
    first.close()
    again = StateLog(path)  # restarted, still blacked out
    again.now(local, "2026-12-04T09:10:00Z")
    [state] = again.to_send()
    assert state.started_at == "2026-12-04T09:00:00Z" and state.ended_at is None
    again.close()
    after = StateLog(path)  # restarted with the blackout lifted meanwhile
    order = Black("controller", "另一次", blackout_id=8)
    after.now(order, "2026-12-04T09:20:00Z")
    states = {s.source: s for s in after.to_send()}
    assert states["local"].ended_at == "2026-12-04T09:20:00Z"
    assert states["controller"].ended_at is None
