"""Input formulas saved without a value (issue 16, item 2): computed, or the last value seen."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from sheets_sync.backends import parse_target
from sheets_sync.formula_values import COMPUTED, REMEMBERED, fill
from sheets_sync.history import HistoryStore
from sheets_sync.refresh import refresh
from sheets_sync.types import Formula
from tests.sheets_sync.test_refresh import AS_OF, make_book


def with_formulas(path: Path, **cells: str) -> Path:
    """Type formulas into Inventory and save with openpyxl, which saves no values for them."""
    book = openpyxl.load_workbook(path)
    for cell, formula in cells.items():
        book["Inventory"][cell] = formula
    book.save(path)
    return path


def available(result, sku: str) -> float:
    return result.plan.skus.set_index("sku").loc[sku, "available"]


def test_a_formula_saved_without_its_value_is_computed_and_said_so(tmp_path: Path) -> None:
    book = with_formulas(make_book(tmp_path / "book.xlsx"), D2="=40+10", D3="=D2*12")
    result = refresh(str(book), as_of=AS_OF)
    assert (available(result, "A-1"), available(result, "B-2")) == (50, 600)
    rows = [(p.tab, p.row, p.column, p.value) for p in result.problems]
    assert rows == [
        ("Inventory", 2, "Available", "=40+10"),
        ("Inventory", 3, "Available", "=D2*12"),
    ]
    assert "computed by stockout's formula engine as 50" in result.problems[0].problem
    assert result.exit_code == 1
    # The values are saved with the formulas: the next run (from cron) reads them, quietly.
    assert openpyxl.load_workbook(book, data_only=True)["Inventory"]["D3"].value == 600
    assert openpyxl.load_workbook(book)["Inventory"]["D3"].value == "=D2*12"
    again = refresh(str(book), as_of=AS_OF)
    assert again.exit_code == 0 and available(again, "B-2") == 600


def test_a_formula_the_engine_cannot_compute_uses_the_value_the_store_saw_last(
    tmp_path: Path,
) -> None:
    book = make_book(tmp_path / "book.xlsx")
    HistoryStore.for_target(parse_target(str(book))).close()  # the workbook has a history store
    with_formulas(book, D2="=40+10")
    refresh(str(book), as_of=AS_OF)  # the store now remembers =40+10 in D2 as 50
    with HistoryStore.for_target(parse_target(str(book))) as store:
        store.remember_formula_values([("Inventory", "D2", '=GOOGLEFINANCE("X")', 65)])
    with_formulas(book, D2='=GOOGLEFINANCE("X")', D3="=NOSUCHTAB!A1")
    result = refresh(str(book), as_of=AS_OF)
    assert available(result, "A-1") == 65
    first, second = (next(p for p in result.problems if p.value == f)
                     for f in ('=GOOGLEFINANCE("X")', "=NOSUCHTAB!A1"))  # fmt: skip
    assert "does not support the function GOOGLEFINANCE" in first.problem
    assert "using 65, its value at an earlier refresh" in first.problem
    assert "NOSUCHTAB" in second.problem.upper() and "read as blank" in second.problem


def test_the_engine_follows_references_across_tabs_ranges_and_dates() -> None:
    grids = {
        "Inventory": [["SKU", "Available"], ["A", Formula("=SUM(Stock!B2:B3)-Stock!C2")],
                      ["B", Formula("=B2")], ["C", Formula("=B4+1")]],
        "Stock": [["SKU", "Qty", "Sold"], ["A", 30, 5], ["A", Formula("=B2")]],
    }  # fmt: skip
    grids["Stock"][2][1].cached = 12  # a formula with its saved value is taken as it is
    found = fill(grids, ("Inventory",))
    assert [(f.cell, f.value, f.how) for f in found] == [
        ("B2", 37, COMPUTED), ("B3", 37, COMPUTED), ("B4", None, None)]  # fmt: skip
    assert "circular" in found[2].why
    assert REMEMBERED not in {f.how for f in found}
