"""The same workbook refreshed as a local .xlsx and as a Google Sheet gives the same Alerts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

from addin import formulas
from sheets_sync import workbook as wb
from sheets_sync.backends.gsheets import GoogleSheetsBackend
from sheets_sync.backends.gsheets_formats import NUMBER_TYPES
from sheets_sync.cli import write_new_workbook
from sheets_sync.demo import demo_tabs
from sheets_sync.refresh import refresh
from sheets_sync.starter import tab_for
from sheets_sync.types import PATTERNS, FormatKind
from stockout_testing.fake_sheets import serve_fake, session_for

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
        result = refresh(GoogleSheetsBackend(sheet, session=session_for(url)), as_of=AS_OF)
        assert fake.total_calls <= 4  # metadata, batchGet, addSheet (Timeline), batchUpdate
        google = fake.values(sheet, "Alerts")
    assert result.exit_code == 0
    assert len(local) == 49
    assert _pick(google) == _pick(local)


def test_both_backends_dress_alerts_and_inputs_alike(tmp_path: Path) -> None:
    """Notes, alert colours that follow the value, currency, wrapping, filter, frozen SKU and
    Title, dropdowns: an .xlsx file and a Google Sheet look the same to a seller."""
    tabs = demo_tabs(AS_OF)
    tabs[wb.SETTINGS] = [
        r if r[0] != "currency" else ["currency", "GBP", r[2]] for r in tabs[wb.SETTINGS]
    ]
    book = tmp_path / "demo.xlsx"
    write_new_workbook(book, tabs)
    refresh(str(book), as_of=AS_OF)
    local = openpyxl.load_workbook(book)
    alerts = local["Alerts"]
    header = [c.value for c in alerts[1]]
    with serve_fake() as (url, fake):
        sheet = fake.create_spreadsheet("demo", {k: v for k, v in tabs.items() if k != wb.INBOUND})
        google = GoogleSheetsBackend(sheet, session=session_for(url))
        refresh(google, as_of=AS_OF)
        google.write({wb.INBOUND: tab_for(wb.INBOUND, tabs[wb.INBOUND])})
        notes = fake.notes(sheet, "Alerts")
        meta = {s["properties"]["title"]: s for s in fake.metadata(sheet)["sheets"]}
        money = fake.number_format(
            sheet, "Alerts", f"{get_column_letter(header.index('Lost revenue') + 1)}2"
        )
        action = get_column_letter(header.index("Action") + 1)
        style = fake.style(sheet, "Alerts", f"{action}2")
        width = fake.pixel_size(sheet, "Alerts", "COLUMNS", header.index("Action"))
        mode = fake.validation(sheet, wb.INBOUND, "D5")
        eta = fake.validation(sheet, wb.INBOUND, "C5")
        qty = fake.validation(sheet, wb.INBOUND, "B5")
    # Notes on every header, the same words.
    assert notes == {c.coordinate: c.comment.text for c in alerts[1]}
    # Alert colours: conditional rules on the Alert column, open-ended in Google.
    column = header.index("Alert")
    google_rules = {
        r["booleanRule"]["condition"]["values"][0]["userEnteredValue"]: r
        for r in meta["Alerts"]["conditionalFormats"]
    }
    assert set(google_rules) == {"OUT", "CRITICAL", "WARNING", "WATCH", "OK", "NO DATA"}
    (span,) = google_rules["OUT"]["ranges"]
    assert (span["startColumnIndex"], span["startRowIndex"]) == (column, 1)
    assert "endRowIndex" not in span  # a row added or edited later is coloured too
    red = google_rules["OUT"]["booleanRule"]["format"]["backgroundColor"]
    assert round(red["red"] * 255) == 0xC0 and "green" not in red
    # Money in the Settings currency, wrapped Action of the same width, filter, frozen columns.
    assert money["pattern"] == alerts.cell(2, header.index("Lost revenue") + 1).number_format
    assert money["pattern"] == '"£"#,##0.00'
    assert style == {"wrapStrategy": "WRAP", "verticalAlignment": "TOP"}
    assert width == 7 * alerts.column_dimensions[action].width + 5
    assert meta["Alerts"]["basicFilter"]["range"]["endColumnIndex"] == len(header)
    assert meta["Alerts"]["properties"]["gridProperties"]["frozenColumnCount"] == 2
    # Timeline: out-of-stock days red before the safety-stock orange, as in the .xlsx.
    timeline = meta["Timeline"]["conditionalFormats"]
    first = [r["booleanRule"]["condition"]["type"] for r in timeline[:3]]
    assert first == ["NUMBER_LESS_THAN_EQ", "NUMBER_LESS", "NUMBER_LESS"]
    assert alerts.freeze_panes == "C2"
    # Dropdowns and checks on input cells, warnings rather than refusals.
    assert [v["userEnteredValue"] for v in mode["condition"]["values"]] == [
        "sea", "air", "express", "transfer",
    ]  # fmt: skip
    assert mode["showCustomUi"] and not mode["strict"]
    assert eta["condition"]["type"] == "DATE_IS_VALID"
    assert qty["condition"] == {
        "type": "NUMBER_GREATER_THAN_EQ",
        "values": [{"userEnteredValue": "0"}],
    }


def test_xlsx_and_google_sheets_show_the_same_number_formats(tmp_path: Path) -> None:
    """Days of cover, Daily sales, Updated and the rest: the same pattern in both backends."""
    tabs = demo_tabs(AS_OF)
    book = tmp_path / "demo.xlsx"
    write_new_workbook(book, tabs)
    refresh(str(book), as_of=AS_OF)
    local = openpyxl.load_workbook(book)
    with serve_fake() as (url, fake):
        sheet = fake.create_spreadsheet("demo", {k: v for k, v in tabs.items() if k != "Alerts"})
        refresh(GoogleSheetsBackend(sheet, session=session_for(url)), as_of=AS_OF)
        compared = 0
        for tab in ("Alerts", "Incidents", "Timeline"):
            ws = local[tab]
            for column, header in enumerate(next(ws.iter_rows(max_row=1, values_only=True)), 1):
                if ws.max_row < 2:
                    continue
                xlsx = ws.cell(2, column).number_format
                cell = f"{get_column_letter(column)}2"
                google = (fake.number_format(sheet, tab, cell) or {}).get("pattern", "General")
                assert (header, google) == (header, xlsx), tab
                compared += xlsx != "General"
    assert compared >= 10  # dates, datetimes, counts, decimals and money were all compared


def test_every_backend_maps_every_format_kind() -> None:
    assert set(NUMBER_TYPES) == set(FormatKind)
    assert set(PATTERNS) == set(FormatKind)
