"""Runs the node:test suites of the Apps Script project (addin/google) as part of pytest.

The .gs files run in Node `vm` contexts with fakes of the Google services, so the whole Google
side (custom functions, the JS port of the math, the menu) is tested by the one test command.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SUITES = sorted(HERE.glob("*.test.js"))


def test_there_are_suites() -> None:
    assert {p.name for p in SUITES} >= {
        "formulas.test.js",
        "custom_functions.test.js",
        "menu.test.js",
    }


@pytest.mark.parametrize("suite", SUITES, ids=lambda p: p.name)
def test_node_suite_passes(suite: Path, node: str) -> None:
    done = subprocess.run(
        [node, "--test", "--test-reporter=spec", str(suite)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=HERE,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-6000:]
