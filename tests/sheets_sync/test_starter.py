"""The starter workbook teaches: Start tab, described Settings, notes, dropdowns, examples."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from sheets_sync import workbook as wb
from sheets_sync.cli import write_new_workbook
from sheets_sync.guide import settings_grid
from sheets_sync.planner import PLANNER
from sheets_sync.refresh import refresh
from sheets_sync.settings import DEFAULTS, HELP, Settings
from sheets_sync.starter import START, starter_grids
from sheets_sync.types import TargetError

AS_OF = dt.date(2026, 11, 25)


def new_book(path: Path, *, example: bool = False) -> openpyxl.Workbook:
    write_new_workbook(path, starter_grids(AS_OF, example=example, book=path.name))
    return openpyxl.load_workbook(path)


def validations(sheet) -> dict[str, object]:
    """Cell range -> data validation, as Excel will apply them."""
    return {str(dv.sqref): dv for dv in sheet.data_validations.dataValidation}


def test_every_setting_the_code_reads_has_a_description_with_its_default() -> None:
    assert set(DEFAULTS) == set(HELP) == {f.name for f in dataclasses.fields(Settings)}
    grid = settings_grid()
    assert grid[0] == ["Key", "Value", "Description"]
    rows = {r[0]: r for r in grid[1:]}
    assert {"templates_path", "store_name", "sender_name"} <= set(rows)
    assert rows["sea_days"][2].endswith("Unit: days. Default: 35.")
    assert "Default: blank." in rows["as_of"][2]


def test_start_tab_comes_first_and_says_what_to_fill_and_how_to_refresh(tmp_path: Path) -> None:
    book = new_book(tmp_path / "shop.xlsx")
    assert book.sheetnames[0] == START
    text = "\n".join(str(c) for row in book[START].iter_rows(values_only=True) for c in row if c)
    order = [text.index(f"{n}. {tab}") for n, tab in enumerate(wb.INPUT_TABS[:4], start=1)]
    assert order == sorted(order)
    assert "stockout refresh shop.xlsx" in text
    assert "Excel" in text and "Google Sheets" in text
    for tab in (*wb.INPUT_TABS, *wb.OUTPUT_TABS):
        assert tab in text


def test_every_input_header_has_a_note(tmp_path: Path) -> None:
    book = new_book(tmp_path / "shop.xlsx")
    for tab in wb.INPUT_TABS:
        sheet = book[tab]
        missing = [c.value for c in sheet[1] if c.value and c.comment is None]
        assert not missing, (tab, missing)
    assert "FBA sellable" in book[wb.INVENTORY]["D1"].comment.text


def test_dropdowns_and_checks_on_input_cells(tmp_path: Path) -> None:
    book = new_book(tmp_path / "shop.xlsx")
    inbound = validations(book[wb.INBOUND])
    mode = inbound["D2:D1000"]
    assert mode.type == "list" and mode.formula1 == '"sea,air,express,transfer"'
    assert inbound["F2:F1000"].type == "list" and "in transit" in inbound["F2:F1000"].formula1
    assert inbound["C2:C1000"].type == "date"
    qty = inbound["B2:B1000"]
    assert (qty.type, qty.operator, qty.formula1) == ("decimal", "greaterThanOrEqual", "0")
    assert qty.errorStyle == "warning"  # guides, never refuses: a refresh reports bad cells
    sales = validations(book[wb.SALES])
    assert sales["D2:D1000"].formula1 == '"TRUE,FALSE"'
    settings = book[wb.SETTINGS]
    keys = {settings.cell(r, 1).value: r for r in range(2, settings.max_row + 1)}
    found = {
        cell: dv.formula1
        for dv in settings.data_validations.dataValidation
        for cell in str(dv.sqref).split()
    }
    assert found[f"B{keys['fbm_enabled']}"] == '"yes,no"'
    assert found[f"B{keys['default_mode']}"] == '"sea,air,express"'
    assert settings["C1"].value == "Description" and settings["C2"].alignment.wrap_text


def test_empty_refresh_says_what_to_fill_first(tmp_path: Path) -> None:
    new_book(tmp_path / "shop.xlsx")
    before = (tmp_path / "shop.xlsx").read_bytes()
    with pytest.raises(TargetError, match="fill the Inventory tab"):  # a refusal: nothing written
        refresh(str(tmp_path / "shop.xlsx"), as_of=AS_OF)
    assert (tmp_path / "shop.xlsx").read_bytes() == before


def test_example_rows_refresh_into_every_kind_of_alert(tmp_path: Path) -> None:
    new_book(tmp_path / "shop.xlsx", example=True)
    result = refresh(str(tmp_path / "shop.xlsx"), as_of=AS_OF)
    assert len(result.plan.skus) == 6 and not result.problems
    alerts = set(result.plan.skus["alert"])
    assert "OUT" in alerts and len(alerts) >= 3, alerts
    assert not result.notices


def test_drafts_bodies_wrap_and_are_signed_with_the_names_in_settings(tmp_path: Path) -> None:
    new_book(tmp_path / "shop.xlsx", example=True)
    refresh(str(tmp_path / "shop.xlsx"), as_of=AS_OF)
    drafts = openpyxl.load_workbook(tmp_path / "shop.xlsx")[wb.DRAFTS]
    header = [c.value for c in drafts[1]]
    body = header.index("Body") + 1
    rows = {r[header.index("Kind")]: r for r in drafts.iter_rows(min_row=2, values_only=True)}
    assert rows["buyer_delay"][body - 1].endswith("\nHomely Kitchen")  # the store signs
    assert rows["supplier_expedite"][body - 1].endswith("Alex Chen, Homely Kitchen")
    cell = drafts.cell(2, body)
    assert cell.alignment.wrap_text and cell.alignment.vertical == "top"
    assert drafts.row_dimensions[2].height > 15 * 5  # the whole body shows, not its last line
    assert drafts["A1"].comment is not None


def test_planner_columns_are_as_wide_as_what_they_show_not_their_formulas(tmp_path: Path) -> None:
    sheet = new_book(tmp_path / "shop.xlsx", example=True)[PLANNER]
    header = [c.value for c in sheet[1]]
    widths = {h: sheet.column_dimensions[get_column_letter(j)].width
              for j, h in enumerate(header, start=1)}  # fmt: skip
    titles = [sheet.cell(r, 2).value for r in range(2, 8)]  # formulas copying Inventory
    inventory = new_book(tmp_path / "other.xlsx", example=True)[wb.INVENTORY]
    longest = max(len(str(c.value)) for c in inventory["C"][1:] if c.value)
    assert all(str(t).startswith("=") for t in titles)
    assert widths["Title"] >= longest  # the titles show whole
    assert widths["SKU"] <= 12 and widths["Stockout date"] <= 14 and widths["Alert"] <= 12
    assert max(widths.values()) <= widths["Title"], widths


def test_input_columns_show_units_whole_and_prices_as_money_but_read_as_typed(
    tmp_path: Path,
) -> None:
    path = tmp_path / "shop.xlsx"
    grids = starter_grids(AS_OF, example=True, book=path.name)
    for row in grids[wb.SETTINGS]:
        if row and row[0] == "currency":
            row[1] = "EUR"
    write_new_workbook(path, grids)
    book = openpyxl.load_workbook(path)
    shown = {}
    for tab in (wb.INVENTORY, wb.SALES, wb.INBOUND, wb.STOCK_ELSEWHERE, wb.ORDERS, wb.PROMOTIONS):
        sheet = book[tab]
        for cell in sheet[1]:
            shown[tab, cell.value] = sheet.cell(2, cell.column).number_format
            # A row typed under the table is shown the same way (the column's own format).
            column = sheet.column_dimensions[cell.column_letter]
            assert column.number_format == (shown[tab, cell.value]), (tab, cell.value)
    euro = '"€"#,##0.00'
    assert shown[wb.INVENTORY, "Available"] == shown[wb.INVENTORY, "MOQ"] == "#,##0"
    assert shown[wb.INVENTORY, "Price"] == shown[wb.INVENTORY, "Unit cost"] == euro
    assert shown[wb.INVENTORY, "Sea days"] == shown[wb.STOCK_ELSEWHERE, "Transfer days"] == "#,##0"
    assert shown[wb.STOCK_ELSEWHERE, "Cost per unit"] == euro
    assert shown[wb.SALES, "Units"] == shown[wb.INBOUND, "Qty"] == "#,##0"
    assert shown[wb.ORDERS, "Qty"] == "#,##0"
    assert shown[wb.INBOUND, "ETA"] == "yyyy-mm-dd"
    # As typed: a weight, a volume, an uplift, a conversion rate (0.35 is not 0.4).
    for tab, header in ((wb.INVENTORY, "Unit weight kg"), (wb.INVENTORY, "Unit volume cu ft"),
                        (wb.PROMOTIONS, "Uplift"), (wb.INVENTORY, "Category CVR %")):  # fmt: skip
        assert shown[tab, header] == "General", header
    # Reading is the column's kind, not its look: a count typed as 180.5 is still 180.5.
    inventory = book[wb.INVENTORY]
    inventory["D2"] = 180.5
    book.save(path)
    result = refresh(str(path), as_of=AS_OF)
    first = inventory["A2"].value
    assert result.plan.skus.set_index("sku").loc[first, "available"] == 180.5
