"""The .xlsx backend: formulas stay formulas, text stays text, saves are atomic."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from sheets_sync.backends.xlsx import XlsxBackend
from sheets_sync.refresh import refresh
from sheets_sync.types import Formula, Tab, TargetError
from tests.sheets_sync.test_refresh import (
    AS_OF,
    make_book,
    refreshed_with_user_column,
    sheet_rows,
)


def with_saved_value(path: Path, cell: str, value: float) -> None:
    """Give a formula cell the computed value Excel would have saved (openpyxl saves none)."""
    with zipfile.ZipFile(path) as src:
        parts = {n: src.read(n) for n in src.namelist()}
    name = next(n for n in parts if n.startswith("xl/worksheets/") and b"<f>" in parts[n])
    xml = parts[name].decode()
    xml = re.sub(rf'(<c r="{cell}"[^>]*>\s*<f>[^<]*</f>)\s*(<v\s*/>|<v></v>)?',
                 rf"\1<v>{value}</v>", xml)  # fmt: skip
    parts[name] = xml.encode()
    with zipfile.ZipFile(path, "w") as dst:
        for n, data in parts.items():
            dst.writestr(n, data)


def test_formula_in_an_input_cell_is_read_as_its_saved_value(tmp_path: Path) -> None:
    book = make_book(tmp_path / "book.xlsx")
    wbk = openpyxl.load_workbook(book)
    inv = wbk["Inventory"]
    assert inv["A2"].value == "A-1"
    inv["D2"] = "=40+10"
    wbk.save(book)
    with_saved_value(book, "D2", 50)
    result = refresh(str(book), as_of=AS_OF)
    assert result.exit_code == 0, result.problems
    row = result.plan.skus.set_index("sku").loc["A-1"]
    assert row["available"] == 50 and row["days_of_cover"] == 10
    # The input tab is not touched: the formula is still there.
    assert openpyxl.load_workbook(book)["Inventory"]["D2"].value == "=40+10"


def test_user_formula_column_follows_its_row(tmp_path: Path) -> None:
    book = make_book(tmp_path / "book.xlsx")
    wbk, col = refreshed_with_user_column(book, "Double stock", lambda row, _sku: f"=C{row}*2")
    alerts = wbk["Alerts"]
    before = {alerts.cell(r, 1).value: r for r in range(2, alerts.max_row + 1)}
    wbk["Inventory"]["D3"] = 0  # B-2 runs out: it moves to the top
    wbk.save(book)
    refresh(str(book), as_of=AS_OF)
    alerts = openpyxl.load_workbook(book)["Alerts"]
    after = {alerts.cell(r, 1).value: r for r in range(2, alerts.max_row + 1)}
    assert after != before
    for sku, r in after.items():
        cell = alerts.cell(r, col)
        assert cell.data_type == "f" and cell.value == f"=C{r}*2", sku


def test_formula_text_from_elsewhere_is_written_as_text(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    backend = XlsxBackend(path, create=True)
    backend.write({"T": Tab("T", ["Title", "Calc"], [["=SUM(A1:A9)", Formula("=1+1")]])})
    sheet = openpyxl.load_workbook(path)["T"]
    assert sheet["A2"].data_type == "s" and sheet["A2"].value == "=SUM(A1:A9)"
    assert sheet["B2"].data_type == "f"


def test_round_trip_of_an_input_tab_keeps_formulas_and_types(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    rows = [["A", 5, dt.datetime(2026, 11, 1)], ["B", None, None]]
    XlsxBackend(path, create=True).write(
        {"Inventory": Tab("Inventory", ["SKU", "Available", "Seen"], rows)}
    )
    wbk = openpyxl.load_workbook(path)
    wbk["Inventory"]["B3"] = "=B2*3"
    wbk.save(path)
    backend = XlsxBackend(path)
    grid = backend.read(["inventory"])["inventory"]
    assert isinstance(grid[2][1], Formula)
    backend.write({"Inventory": Tab("Inventory", grid[0], grid[1:])})
    sheet = openpyxl.load_workbook(path)["Inventory"]
    assert sheet["B3"].data_type == "f" and sheet["B2"].value == 5
    assert sheet["C2"].value == dt.datetime(2026, 11, 1)


def test_save_is_atomic_and_keeps_a_backup(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "t.xlsx"
    XlsxBackend(path, create=True).write({"A": Tab("A", ["x"], [[1]])})
    first = path.read_bytes()
    backend = XlsxBackend(path)
    backend.read(["A"])

    def broken_save(_target: str) -> None:
        Path(_target).write_bytes(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(backend.book, "save", broken_save)
    with pytest.raises(TargetError, match="disk full"):
        backend.write({"A": Tab("A", ["x"], [[2]])})
    assert path.read_bytes() == first  # the original is untouched
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".t.")]  # no temp left


def test_not_a_workbook(tmp_path: Path) -> None:
    (tmp_path / "x.xlsx").write_text("hello")
    with pytest.raises(TargetError, match="not a readable Excel workbook"):
        XlsxBackend(tmp_path / "x.xlsx").read(["Inventory"])
    with pytest.raises(TargetError, match=r"expected an \.xlsx"):
        XlsxBackend(tmp_path / "x.csv")


def test_chart_and_styles(tmp_path: Path) -> None:
    book = make_book(tmp_path / "book.xlsx")
    refresh(str(book), as_of=AS_OF)
    wbk = openpyxl.load_workbook(book)
    alerts = wbk["Alerts"]
    assert alerts["A1"].font.bold and alerts.freeze_panes == "B2"
    header = [c.value for c in alerts[1]]
    stockout = alerts.cell(2, header.index("Stockout date") + 1)
    assert stockout.number_format == "yyyy-mm-dd"
    alert = alerts.cell(2, header.index("Alert") + 1)
    assert alert.value == "OUT" and alert.fill.fgColor.rgb.endswith("C00000")
    assert sheet_rows(book, "Timeline")[0][0] == "Date"
