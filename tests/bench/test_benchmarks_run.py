"""The benchmarks still run (at a tiny size): a benchmark that broke would be found only when
someone needs its figures. Speed is not checked here; that is what the benchmarks are for."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from player.errors import FontNotFound
from player.fonts import find_fonts
from tests.conftest import need

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("command", "row"),
    [
        (["bench.ingest", "--events", "500", "--rounds", "1"], "ratio (median of the rounds)"),
        (["bench.compile", "--screens", "5", "--notices", "10"], "compile from the database"),
        (
            ["bench.fleet", "--players", "6", "--seconds", "14", "--change-at", "3"],
            "propagation of a change aimed at every screen",
        ),
        (
            [
                "bench.fleet",
                *("--players", "6", "--seconds", "8", "--change-at", "3"),
                *("--poll-s", "1", "--change", "blackout"),
            ],
            "propagation of a blackout of every screen",
        ),
        (["bench.reports", "--events", "20000", "--runs", "1"], "compliance evidence"),
    ],
    ids=["ingest", "compile", "fleet", "fleet-blackout", "reports"],
)
def test_benchmark_runs(command, row, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"SIGNAGE_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert row in result.stdout, result.stdout


def test_render_benchmark_runs(tmp_path):
    try:
        find_fonts()
    except FontNotFound as exc:
        need(False, f"a CJK font (apt-get install fonts-wqy-zenhei): {exc}")
    result = subprocess.run(
        [sys.executable, "-m", "bench.render"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "an hour of play on 384x128" in result.stdout, result.stdout
