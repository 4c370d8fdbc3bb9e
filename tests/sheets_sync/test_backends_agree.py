"""The same workbook refreshed as a local .xlsx and as a Google Sheet gives the same Alerts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from addin import formulas
from sheets_sync.backends.gsheets import GoogleSheetsBackend
from sheets_sync.cli import write_new_workbook
from sheets_sync.demo import demo_tabs
from sheets_sync.refresh import refresh
from stockout_testing.fake_sheets import serve_fake

AS_OF = dt.date(2026, 11, 25)
COMPARED = ("SKU", "Alert", "Days to stockout", "Stockout date", "Reorder qty", "Lost units",
            "Action")  # fmt: skip


def _pick(rows: list[list]) -> list[tuple]:
    """The compared columns, with dates as dates (xlsx gives datetimes, Google serials)."""
    at = {name: rows[0].index(name) for name in COMPARED}
    picked = []
    for row in rows[1:]:
        cells = {name: row[i] if i < len(row) else None for name, i in at.items()}
        cells["Stockout date"] = formulas.to_date(cells["Stockout date"] or None, "date")
        picked.append(tuple(None if v == "" else v for v in cells.values()))
    return picked


def test_xlsx_and_google_sheets_agree(tmp_path: Path) -> None:
    tabs = demo_tabs(AS_OF)
    book = tmp_path / "demo.xlsx"
    write_new_workbook(book, tabs)
    refresh(str(book), as_of=AS_OF)
    local = [list(r) for r in openpyxl.load_workbook(book)["Alerts"].iter_rows(values_only=True)]
    with serve_fake() as (url, fake):
        sheet = fake.create_spreadsheet("demo", tabs)
        fake.reset_calls()
        result = refresh(GoogleSheetsBackend(sheet, api=url), as_of=AS_OF)
        assert fake.total_calls <= 4  # metadata, batchGet, addSheet (Timeline), batchUpdate
        google = fake.values(sheet, "Alerts")
    assert result.exit_code == 0
    assert len(local) == 49
    assert _pick(google) == _pick(local)
