"""The .xlsx backend: formulas stay formulas, text stays text, saves are atomic."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import column_index_from_string, get_column_letter

from sheets_sync import workbook as wb
from sheets_sync.backends.xlsx import XlsxBackend
from sheets_sync.cli import write_new_workbook
from sheets_sync.planner import PLANNER
from sheets_sync.refresh import refresh
from sheets_sync.starter import START, starter_grids
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
    assert alerts["A1"].font.bold and alerts.freeze_panes == "C2"  # SKU and Title stay
    header = [c.value for c in alerts[1]]
    stockout = alerts.cell(2, header.index("Stockout date") + 1)
    assert stockout.number_format == "yyyy-mm-dd"
    assert sheet_rows(book, "Timeline")[0][0] == "Date"


def alert_rules(sheet) -> dict[str, tuple[str, str]]:
    """Alert word -> (cell range, fill colour) of the sheet's conditional formats."""
    found = {}
    for area in sheet.conditional_formatting:
        for rule in area.rules:
            word = rule.formula[0].strip('"')
            found[word] = (str(area.sqref), rule.dxf.fill.fgColor.rgb[-6:])
    return found


def test_alerts_read_at_a_glance_on_a_1366_pixel_screen(tmp_path: Path) -> None:
    book = make_book(tmp_path / "book.xlsx")
    refresh(str(book), as_of=AS_OF)
    alerts = openpyxl.load_workbook(book)["Alerts"]
    header = [c.value for c in alerts[1]]
    assert header[:4] == ["SKU", "Title", "Alert", "Action"]
    glance = header[: header.index("Lost revenue") + 1]
    assert {"Stockout date", "Reorder by", "Reorder qty", "Available"} <= set(glance)
    # Excel shows a column of width w in about 7w + 5 pixels; the row numbers take ~40.
    pixels = [7 * alerts.column_dimensions[get_column_letter(j)].width + 5 for j in range(1, 12)]
    assert 40 + sum(pixels) <= 1366, pixels
    action = alerts.cell(2, 4)
    assert action.alignment.wrap_text and action.alignment.vertical == "top"
    assert " · also " not in str(action.value)  # the alternatives have their own column
    assert alerts.row_dimensions[2].height >= 15
    assert header.index("Other options") > header.index("Lost revenue")


def test_alert_colours_are_conditional_formats_that_follow_an_edit(tmp_path: Path) -> None:
    book = make_book(tmp_path / "book.xlsx")
    refresh(str(book), as_of=AS_OF)
    alerts = openpyxl.load_workbook(book)["Alerts"]
    rules = alert_rules(alerts)
    column = get_column_letter([c.value for c in alerts[1]].index("Alert") + 1)
    assert rules["OUT"] == (f"{column}2:{column}{alerts.max_row}", "C00000")
    assert set(rules) == {"OUT", "CRITICAL", "WARNING", "WATCH", "OK", "NO DATA"}
    assert alerts[f"{column}2"].fill.fill_type is None  # no fixed fill left behind
    refresh(str(book), as_of=AS_OF)  # a second refresh replaces its rules, never piles up
    again = openpyxl.load_workbook(book)["Alerts"]
    assert sum(len(area.rules) for area in again.conditional_formatting) == 6


def test_alerts_table_notes_print_setup_and_currency(tmp_path: Path) -> None:
    book = make_book(tmp_path / "book.xlsx", Settings=[["currency", "EUR"]])
    refresh(str(book), as_of=AS_OF)
    alerts = openpyxl.load_workbook(book)["Alerts"]
    header = [c.value for c in alerts[1]]
    (table,) = alerts.tables.values()
    assert table.ref == f"A1:{get_column_letter(len(header))}{alerts.max_row}"
    assert alerts.auto_filter.ref is None  # a table carries its own filter
    notes = {c.value: c.comment.text for c in alerts[1] if c.comment}
    assert set(notes) == set(header)
    assert "FEE RISK" in notes["Flags"] and "LEAD TIME RISK" in notes["Flags"]
    assert "1.2" in notes["Trend"] and "in-stock days" in notes["Basis"]
    money = alerts.cell(2, header.index("Lost revenue") + 1).number_format
    assert money == '"€"#,##0.00'
    setup = alerts.page_setup
    assert (setup.orientation, setup.fitToWidth, setup.fitToHeight) == ("landscape", 1, 0)
    assert alerts.sheet_properties.pageSetUpPr.fitToPage
    last = get_column_letter(header.index("Lost revenue") + 1)
    assert alerts.print_area == f"'Alerts'!$A$1:${last}${alerts.max_row}"
    assert alerts.print_title_rows == "$1:$1"


def test_timeline_shows_out_of_stock_windows_and_safety_stock_in_colour(tmp_path: Path) -> None:
    book = make_book(tmp_path / "book.xlsx")
    result = refresh(str(book), as_of=AS_OF)
    sheet = openpyxl.load_workbook(book)["Timeline"]
    header = [c.value for c in sheet[1]]
    column = get_column_letter(header.index("C-3") + 1)  # out of stock now
    rules = sorted(
        (rule.priority, rule.operator, rule.formula[0], rule.dxf.fill.fgColor.rgb[-6:])
        for area in sheet.conditional_formatting
        for rule in area.rules
        if str(area.sqref) == f"{column}2:{column}91"
    )
    sku = result.plan.skus.set_index("sku").loc["C-3"]
    assert [r[1:] for r in rules] == [
        ("lessThanOrEqual", "0", "C00000"),  # out of stock first: it wins
        ("lessThan", f"{sku['safety_stock']:g}", "FFB347"),
        ("lessThan", f"{sku['reorder_point']:g}", "FFE699"),
    ]
    assert "today" in sheet["A1"].comment.text
    assert "Safety stock" in sheet[f"{column}1"].comment.text


def test_every_tab_prints_fitted_to_a_page_width_with_its_header_repeated(tmp_path: Path) -> None:
    book = tmp_path / "shop.xlsx"
    write_new_workbook(book, starter_grids(AS_OF, example=True, book=book.name))
    refresh(str(book), as_of=AS_OF)
    wbk = openpyxl.load_workbook(book)
    assert {START, wb.SALES, wb.DRAFTS, wb.TIMELINE, PLANNER} <= set(wbk.sheetnames)
    for sheet in wbk.worksheets:
        setup = sheet.page_setup
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert sheet.print_title_rows == "$1:$1", sheet.title
    assert wbk[wb.PROMOTIONS].page_setup.orientation == "portrait"  # four narrow columns
    assert wbk[wb.INVENTORY].page_setup.orientation == "landscape"
    assert wbk[START].print_area == f"'Start'!$A$1:$B${wbk[START].max_row}"
    # Tables print their grid; Start's text, the Timeline's charts and the Planner's rows
    # waiting for SKUs do not.
    gridded = {sheet.title for sheet in wbk.worksheets if sheet.print_options.gridLines}
    assert {wb.INVENTORY, wb.SALES, wb.ALERTS, wb.DRAFTS} <= gridded
    assert not gridded & {START, wb.TIMELINE, PLANNER}
    # Drafts print what a person reads: Kind to Body (not the Key, nor the Warnings after).
    drafts = wbk[wb.DRAFTS]
    header = [c.value for c in drafts[1]]
    first, last = (get_column_letter(header.index(h) + 1) for h in ("Kind", "Body"))
    assert drafts.print_area == f"'Drafts'!${first}$1:${last}${drafts.max_row}"
    # Sales prints its latest week; the screen keeps every day.
    sales = wbk[wb.SALES]
    area = re.fullmatch(r"'Sales'!\$A\$(\d+):\$D\$(\d+)", sales.print_area)
    assert area and int(area[2]) == sales.max_row
    printed = {sales.cell(r, 1).value.date() for r in range(int(area[1]), sales.max_row + 1)}
    assert len(printed) == 7 and sales.cell(int(area[1]) - 1, 1).value.date() < min(printed)
    assert sales["A1"].comment and "latest 7 days" in sales["A1"].comment.text


def test_timeline_prints_its_charts_whole(tmp_path: Path) -> None:
    book = make_book(tmp_path / "book.xlsx")
    refresh(str(book), as_of=AS_OF)
    sheet = openpyxl.load_workbook(book)["Timeline"]
    charts = len(sheet._charts)
    assert charts >= 2
    anchors = [(c.anchor._from.col + 1, c.anchor._from.row + 1) for c in sheet._charts]
    area = re.fullmatch(r"'Timeline'!\$A\$1:\$([A-Z]+)\$(\d+)", sheet.print_area)
    assert area, sheet.print_area
    # Every chart (9 columns wide, 14 rows high) lies inside the printed area...
    assert max(col for col, _ in anchors) + 8 <= column_index_from_string(area[1])
    assert max(row for _, row in anchors) + 13 <= int(area[2])
    # ...and no page break runs through one: breaks fall between rows of charts.
    for brk in sheet.row_breaks.brk:
        assert all(not row <= brk.id < row + 13 for _, row in anchors), brk.id
    assert sheet.page_setup.orientation == "landscape"
    # Two charts to a row, side by side: the nine columns under one (Excel's 7w + 5 pixels)
    # hold its 13 cm, with a small gap before the next.
    first = min(col for col, _ in anchors)
    span = sum(7 * sheet.column_dimensions[get_column_letter(first + k)].width + 5
               for k in range(9))  # fmt: skip
    chart = sheet._charts[0].anchor.ext.width / 914400 * 96  # EMU -> pixels
    assert chart <= span <= 1.1 * chart, (span, chart)
