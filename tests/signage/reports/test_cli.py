"""``signage report …`` and ``signage holidays show``."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from click.testing import CliRunner, Result

from signage.cli import Context, cli
from signage.db import get_db
from tests.signage.reports.conftest import (
    HALL_HOURS,
    OPEN_DAYS,
    after,
    approve_gongshi,
    opening_hours_plays,
)


@pytest.fixture
def run(app, config, monkeypatch) -> Iterator[Callable[..., Result]]:
    monkeypatch.setattr("signage.cli.reports.utcnow", after)
    monkeypatch.setattr("signage.reports.tasks.utcnow", after)
    contexts: list[Context] = []

    def invoke(*args: str, config_: dict[str, Any] | None = None) -> Result:
        context = Context(config_ or config)
        contexts.append(context)
        return CliRunner().invoke(cli, list(args), obj=context)

    yield invoke
    for context in contexts:
        if context._app is not None:
            get_db(context._app).engine.dispose()


@pytest.fixture
def gongshi(db_session, make_user, make_screen, store_events):
    hall = make_screen(key="hall", name="政务大厅", hours=HALL_HOURS)
    notice = approve_gongshi(db_session, make_user("author"), make_user("reviewer"))
    for day in OPEN_DAYS:
        store_events(hall, notice, opening_hours_plays(day))
    return notice


def test_report_annual(run, gongshi):
    result = run("report", "annual", "--year", "2026")
    assert result.exit_code == 0, result.output
    assert "通过电子显示屏公开信息 1 条; 336 plays" in result.output
    assert "人事任免: 1 notices, 336 plays" in result.output
    assert "hall 政务大厅: 1 notices" in result.output
    as_csv = run("report", "annual", "--year", "2026", "--csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert rows[0]["name"] == "通过电子显示屏公开信息 1 条" and rows[0]["plays"] == "336"


def test_report_compliance(run, gongshi):
    result = run("report", "compliance", str(gongshi.id))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "period: 2 working days from 2026-11-26 10:00 (Asia/Shanghai)" in out
    assert "verdict: covered" in out
    assert "confidentiality review confirmed, note: 经保密审查，同意公示" in out
    assert "screen hall (政务大厅) 2026-11-26 10:00 → 2026-12-01 00:00: covered" in out
    assert "plays 336 (expected 6720)" in out
    assert "gap 2026-11-27 17:55 → 2026-11-30 08:00: off_hours" in out
    assert "chain head: #336 " in out and "audit log head: #" in out
    as_csv = run("report", "compliance", str(gongshi.id), "--csv", "--gap-minutes", "45")
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert rows[0]["record"] == "notice" and rows[0]["verdict"] == "covered"


def test_report_uptime_and_rollup(run, gongshi):
    rolled = run("report", "rollup")
    assert rolled.exit_code == 0, rolled.output
    assert "rolled up 6 day(s) (2026-11-26 – 2026-12-01)" in rolled.output
    again = run("report", "rollup", "--recompute", "2026-11-27")
    assert "rolled up 0 day(s); 0 late event(s) counted; recomputed 1 day(s)" in again.output
    uptime = run("report", "uptime", "--from", "2026-11-26", "--to", "2026-12-02")
    assert uptime.exit_code == 0, uptime.output
    assert "hall (政务大厅), never seen now: not monitored" in uptime.output


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("report", "annual", "--year", "1999"), 1, "year must be 2000–2026"),
        (("report", "compliance", "99999"), 1, "no notice 99999"),
        (("report", "compliance", "0"), 2, "0"),
        (("report", "compliance", "1", "--gap-minutes", "0"), 2, "gap-minutes"),
        (("report", "uptime", "--from", "2026-11-30", "--to", "2026-11-01"), 1, "before from"),
        (("report", "uptime", "--from", "monday", "--to", "2026-11-01"), 2, "YYYY-MM-DD"),
        (("report", "rollup", "--recompute", "2026-12-02"), 1, "not over yet"),
        (("holidays", "show", "2030"), 1, "calendar unknown for year 2030"),
    ],
)
def test_bad_input_exits_non_zero_with_a_reason(run, gongshi, args, code, message):
    result = run(*args)
    assert result.exit_code == code
    assert message in result.output


def test_holidays_show(run):
    result = run("holidays", "show", "2026")
    assert result.exit_code == 0, result.output
    assert "2026: the bundled official calendar (chinesecalendar)" in result.output
    assert "2026-10-01 Thu  holiday  国庆节" in result.output
    assert "2026-10-10 Sat  workday  国庆节" in result.output
