"""The Google bundle's live Planner (Planner.gs) over the demo, computed in the Sheets stand-in.

`stockout demo` writes an .xlsx workbook whose Planner LibreOffice recalculates (see
tests/sheets_sync/test_native_formulas.py). Here the demo's input tabs go into the stand-in for
Google's services, Stockout > Add Planner tab writes its formulas, and the stand-in's
calculation engine (sheet_formulas.js) computes them, calling the bundle's custom functions as
Sheets does. Every cell must be the value `addin.formulas` gives, the same expectation the
.xlsx Planner meets, under the same headers in the same order.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from sheets_sync import workbook as wb
from sheets_sync.cli import main
from sheets_sync.planner import AS_OF_HEADER, COLUMNS, PLANNER, planner_formats, planner_notes
from sheets_sync.types import number_pattern
from stockout_testing.planner_values import check_planner_rows
from tests.addin.google.test_in_sheet_refresh import decode, run_in_sheet

AS_OF = dt.date(2026, 11, 25)
INPUTS = (wb.SETTINGS, wb.INVENTORY, wb.SALES, wb.INBOUND)


def grids(book: openpyxl.Workbook) -> dict[str, list[list[Any]]]:
    return {tab: [list(r) for r in book[tab].iter_rows(values_only=True)] for tab in INPUTS}


@pytest.fixture(scope="module")
def demo(node: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict, Path]:
    tmp = tmp_path_factory.mktemp("planner")
    path = tmp / "demo.xlsx"
    result = CliRunner().invoke(main, ["demo", "--out", str(path), "--as-of", AS_OF.isoformat()])
    assert result.exit_code in (0, 1), result.output
    book = openpyxl.load_workbook(path)
    run = run_in_sheet(node, tmp, grids(book), calls=["stockoutAddPlanner"], recalculate=True)
    return book, run, tmp


def planner_rows(run: dict) -> list[dict[str, Any]]:
    grid = run["tabs"][PLANNER]
    return [
        dict(zip(grid[0], [decode(c) for c in row], strict=True))
        for row in grid[1:]
        if row[0] not in ("", None)
    ]


def test_the_google_planner_has_the_python_planners_columns(demo) -> None:
    book, run, _ = demo
    xlsx_header = [c.value for c in book[PLANNER][1]]
    assert run["tabs"][PLANNER][0] == xlsx_header
    assert xlsx_header[: len(COLUMNS)] == [c[0] for c in COLUMNS]
    notes = run["notes"][PLANNER]
    # As of alone differs: Sheets lets no custom function depend on TODAY(), so Google's As of
    # is Settings as_of (kept current by the menu and the daily refresh), never "blank = today".
    assert notes.pop(AS_OF_HEADER).startswith("The day counted as today: Settings as_of. Google")
    assert notes == {h: n for h, n in planner_notes(xlsx_header).items() if h != AS_OF_HEADER}
    formats = planner_formats(xlsx_header)
    assert run["formats"][PLANNER] == {
        h: None if formats[h] == "text" else number_pattern(formats[h]) for h in xlsx_header
    }
    assert run["messages"][0].startswith("added the Planner tab: 100 rows")


def test_every_google_planner_cell_is_the_functions_value_over_the_demo(demo) -> None:
    book, run, _ = demo
    rows = planner_rows(run)
    assert rows[0][AS_OF_HEADER] == AS_OF
    checked = check_planner_rows(rows, book, AS_OF)
    assert checked >= 48 * 16
    alerts = {r["Alert"] for r in rows}
    assert {"OUT", "CRITICAL", "WARNING", "WATCH", "OK"} <= alerts


def test_the_google_planner_computes_through_the_custom_functions(demo) -> None:
    """The four columns the issue names are the stockout functions, one call per column."""
    _, run, _ = demo
    header = run["tabs"][PLANNER][0]
    row2 = {header[int(k.split(",")[1]) - 1]: f for k, f in run["formulas"][PLANNER].items()
            if k.startswith("2,")}  # fmt: skip
    functions = [("Daily sales", "SALES_VELOCITY("), ("Days of cover", "DAYS_OF_COVER("),
                 ("Stockout date", "STOCKOUT_DATE("), ("Reorder by", "REORDER_DATE("),
                 ("Alert", "ALERT_LEVEL("), ("Safety stock", "SAFETY_STOCK(")]  # fmt: skip
    for name, function in functions:
        assert function in row2[name], name
        assert not any(function in f for k, f in run["formulas"][PLANNER].items()
                       if not k.startswith("2,")), name  # fmt: skip
    assert "Inventory!" in row2["Available"] and "Sales!" in row2["Daily sales"]


def test_an_edited_available_reaches_the_google_planner(demo, node: str) -> None:
    book, _, tmp = demo
    tabs = grids(book)
    tabs[wb.INVENTORY][1][3] = 0  # the first SKU sells out
    tabs[wb.INVENTORY][2][3] *= 10  # the second gets ten times the stock
    run = run_in_sheet(node, tmp, tabs, calls=["stockoutAddPlanner"], recalculate=True)
    rows = planner_rows(run)
    assert rows[0]["Alert"] == "OUT" and rows[0]["Stockout date"] == AS_OF
    assert rows[0]["Days of cover"] == 0
    before = {r["SKU"]: r for r in planner_rows(demo[1])}
    assert rows[1]["Days of cover"] == pytest.approx(10 * before[rows[1]["SKU"]]["Days of cover"])
