"""Fixtures shared by the whole suite.

`shared_dir` points at the project's ../shared folder (recorded Google Sheets traffic, real Amazon
report files). A user's clone has no such folder, so the tests that need it skip with a reason;
`.ci/run` sets STOCKOUT_REQUIRE_SHARED=1, which turns that skip into a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("STOCKOUT_SHARED_DIR", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if SHARED.is_dir():
        return SHARED
    reason = f"needs the project's shared folder at {SHARED} (recordings and Amazon samples)"
    if os.environ.get("STOCKOUT_REQUIRE_SHARED") == "1":
        pytest.fail(reason)
    pytest.skip(reason)
