"""A local Google Sheets v4 API (plus the Drive v3 calls gspread makes) on a loopback port.

Google offers no emulator, and the sync must be testable without credentials or network, so
this package answers the endpoints the sync and gspread use the way the API reference says
Google does, checked against real recorded traffic (../shared/sheets-api-recordings and the
gspread cassettes in tests/fixtures): ranges come back normalised (`Sheet1!A1:D4`, quoted
titles when needed), trailing empty cells and rows are dropped, RAW input never parses text,
USER_ENTERED turns numbers, booleans, dates and formulas into values, and errors carry Google's
JSON error bodies.

    with serve_fake() as (url, fake):
        sid = fake.create_spreadsheet("Shop", {"Inventory": [["SKU", "Available"], ["A", 3]]})
        ... point the client at `url` (`session_for(url)`) ...
        assert fake.calls["values.batchGet"] == 1

One module per idea: `a1` (A1 ranges), `values` (input parsing and rendering), `fields` (field
masks), `model` (spreadsheets, sheets, cells), `formulas` (recalculation), `values_api` (the
values endpoints), `grid_data` (spreadsheets.get with ranges and cell data), `dimensions` (rows
and columns inserted or deleted), `batch_update` (batches, atomic) with `sheet_requests`,
`cell_requests` and `range_requests` (the requests it models), `fake` (routing, Drive files,
call counts, injected failures, test helpers), `server` (HTTP), `replay` and `cli`
(`python -m stockout_testing.fake_sheets CASSETTE|FOLDER...` replays recorded exchanges and
exits non-zero when any answer differs).
"""

from .cli import main, run_stockout
from .errors import ApiError
from .fake import FakeSheets
from .replay import replay
from .server import GOOGLE_HOSTS, Running, SpreadsheetCalls, serve_fake, session_for

__all__ = [
    "GOOGLE_HOSTS",
    "ApiError",
    "FakeSheets",
    "Running",
    "SpreadsheetCalls",
    "main",
    "replay",
    "run_stockout",
    "serve_fake",
    "session_for",
]
