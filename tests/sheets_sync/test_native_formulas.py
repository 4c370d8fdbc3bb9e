"""LibreOffice recalculates every plain formula the tool writes to what `addin.formulas` gives.

The refresh writes values only (text is never run as a formula); the formulas the tool writes
are the live Planner of `stockout new` / `stockout demo` / `stockout excel-init` and the as-of
and ETA cells of excel-init's Functions sheet. LibreOffice does not know the stockout functions,
so each Planner cell falls back to its plain-formula twin: this test has LibreOffice open the
files (recalculating on load), then compares every computed cell with the function's own math.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from sheets_sync import workbook as wb
from sheets_sync.cli import main, write_new_workbook
from sheets_sync.planner import PLANNER
from sheets_sync.starter import starter_grids
from stockout_testing.planner_values import check_planner_rows, same_cell, table_rows

#: The starter and demo leave Settings as_of blank: the Planner counts from today.
AS_OF = dt.date.today()


def recalculated(soffice: str, path: Path) -> openpyxl.Workbook:
    """PATH as LibreOffice computes it on load, saved back as .xlsx with its values."""
    out = path.parent / "recalculated"
    profile = path.parent / "lo-profile"  # its own profile: parallel runs do not collide
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to",
         "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(path)],
        check=True, capture_output=True, timeout=240,
    )  # fmt: skip
    return openpyxl.load_workbook(out / (path.stem + ".xlsx"), data_only=True)


def check_planner(book: openpyxl.Workbook, computed: openpyxl.Workbook, as_of: dt.date) -> int:
    """Compare every Planner cell LibreOffice computed with the math; returns cells checked."""
    sheet = computed[PLANNER]
    assert sheet.cell(2, sheet.max_column).value.date() == as_of  # the As of cell
    return check_planner_rows(table_rows(computed, PLANNER), book, as_of)


def test_the_demo_planner_recalculates_in_libreoffice_to_the_functions_values(
    tmp_path: Path, soffice: str
) -> None:
    path = tmp_path / "demo.xlsx"
    day = dt.date(2026, 11, 25)
    result = CliRunner().invoke(main, ["demo", "--out", str(path), "--as-of", day.isoformat()])
    assert result.exit_code in (0, 1), result.output
    book = openpyxl.load_workbook(path)
    computed = recalculated(soffice, path)
    checked = check_planner(book, computed, day)
    assert checked > 48 * 15
    planner = {r["SKU"]: r for r in table_rows(computed, PLANNER)}
    assert {"OUT", "CRITICAL", "WARNING", "WATCH", "OK"} <= {r["Alert"] for r in planner.values()}
    # Alerts (values the refresh wrote) and the Planner share the velocity: the same Daily
    # sales, except where the refresh knows more days out of stock than the Sales tab says (the
    # history store's daily FBA stock, or zero days up to yesterday with nothing available).
    alerts = table_rows(computed, wb.ALERTS)
    same = [a for a in alerts if same_cell(planner[a["SKU"]]["Daily sales"], a["Daily sales"])]
    assert len(same) >= len(alerts) - 4, [a["SKU"] for a in alerts if a not in same]


def test_an_edited_available_changes_the_planner_with_no_refresh(
    tmp_path: Path, soffice: str
) -> None:
    path = tmp_path / "shop.xlsx"
    write_new_workbook(path, starter_grids(AS_OF, example=True, book=path.name))
    book = openpyxl.load_workbook(path)
    inventory = book[wb.INVENTORY]
    inventory["D2"] = 0  # the first SKU sells out ...
    inventory["D3"] = inventory["D3"].value * 10  # ... the second gets ten times the stock
    book.save(path)
    computed = recalculated(soffice, path)
    check_planner(book, computed, AS_OF)
    rows = table_rows(computed, PLANNER)
    assert rows[0]["Alert"] == "OUT" and rows[0]["Stockout date"].date() == AS_OF
    assert rows[0]["Days of cover"] == 0


def test_overdue_inbound_counts_and_closed_rows_do_not_in_libreoffice(
    tmp_path: Path, soffice: str
) -> None:
    path = tmp_path / "shop.xlsx"
    write_new_workbook(path, starter_grids(AS_OF, example=True, book=path.name))
    book = openpyxl.load_workbook(path)
    sku = book[wb.INVENTORY]["A2"].value
    day = dt.datetime.combine(AS_OF, dt.time())
    for qty, days, status in ((500, -3, "Received"), (60, -2, "shipped"), (999, 1, "CANCELLED")):
        book[wb.INBOUND].append([sku, qty, day + dt.timedelta(days=days), "sea", "X", status])
    book.save(path)
    computed = recalculated(soffice, path)
    check_planner(book, computed, AS_OF)
    row = table_rows(computed, PLANNER)[0]
    assert row["SKU"] == sku and row["Overdue inbound"] == 60  # the received 500 are not
    assert row["Next inbound"] != 999 and row["Alert"] != "OK"  # nor the cancelled 999


def test_a_starter_without_rows_shows_an_empty_planner_not_errors(
    tmp_path: Path, soffice: str
) -> None:
    path = tmp_path / "empty.xlsx"
    write_new_workbook(path, starter_grids(AS_OF, book=path.name))
    computed = recalculated(soffice, path)
    sheet = computed[PLANNER]
    values = [c for row in sheet.iter_rows(min_row=2, values_only=True) for c in row[:-1]]
    assert len(values) >= 100 * 15 and all(v in (None, "") for v in values)
    assert sheet.cell(2, sheet.max_column).value.date() == dt.date.today()  # blank as_of


def test_excel_init_functions_sheet_plain_formulas_recalculate(
    tmp_path: Path, soffice: str
) -> None:
    from sheets_sync.excel_init import EXAMPLES, FUNCTIONS, write_excel_files

    book_path, _ = write_excel_files("stock_plan", tmp_path)
    book = openpyxl.load_workbook(book_path)
    computed = recalculated(soffice, book_path)
    today = dt.date.today()
    sheet = computed[FUNCTIONS]
    assert sheet["B2"].value.date() == today
    for r, example in enumerate(EXAMPLES, start=6):
        eta_days = example[5]
        got = sheet[f"F{r}"].value
        assert (got.date() if got else None) == (
            None if eta_days is None else today + dt.timedelta(days=eta_days)
        )
    check_planner(book, computed, today)
