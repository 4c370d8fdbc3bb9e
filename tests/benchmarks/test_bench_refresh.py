"""The speed benchmark still runs against today's plan (a smoke run, not a timing)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parents[2] / "benchmarks" / "bench_refresh.py"


def test_the_plan_benchmark_runs_on_a_small_catalogue() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--phase", "plan", "--plan-skus", "50", "--days", "60"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    measured = json.loads(done.stdout.splitlines()[0])
    assert measured["plan_seconds"] > 0 and measured["plan_peak_mb"] > 0
