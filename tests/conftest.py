"""Fixtures shared by the whole suite.

`shared_dir` points at the project's ../shared folder (recorded Google Sheets traffic, real Amazon
report files), `node` at Node 20 and `soffice` at LibreOffice. A user's clone may lack any of
them, so the tests that need them skip with a reason; `.ci/run` (STOCKOUT_REQUIRE_SHARED=1,
CI=true) turns that skip into a failure.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("STOCKOUT_SHARED_DIR", REPO.parent / "shared"))


def unavailable(reason: str) -> None:
    """Skip in a user's clone; fail in CI (`.ci/run`), where everything must be there."""
    if os.environ.get("STOCKOUT_REQUIRE_SHARED") == "1" or os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        unavailable(f"needs the project's shared folder at {SHARED} (recordings, Amazon samples)")
    return SHARED


@pytest.fixture(scope="session")
def soffice() -> str:
    """LibreOffice, which recalculates the formulas the tool writes and renders workbooks."""
    found = shutil.which("soffice")
    if found is None:
        unavailable("needs LibreOffice (soffice) to recalculate the written formulas")
    return found


@pytest.fixture(scope="session")
def node() -> str:
    """The Node 20 binary: the Apps Script port, its menu and the Pyodide check run in it."""
    found = shutil.which("node")
    if found is None:
        unavailable("needs Node 20 to run the Apps Script and xlwings Lite tests")
    return found
