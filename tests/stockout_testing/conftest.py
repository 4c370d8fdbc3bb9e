"""A served Sheets API fake and plain HTTP calls on a new spreadsheet of it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from stockout_testing.fake_sheets import Running, SpreadsheetCalls, serve_fake


@pytest.fixture(scope="module")
def served() -> Iterator[Running]:
    with serve_fake() as running:
        yield running


@pytest.fixture
def api(served: Running) -> Iterator[SpreadsheetCalls]:
    with requests.Session() as session:
        session.trust_env = False
        yield SpreadsheetCalls(served, session)
