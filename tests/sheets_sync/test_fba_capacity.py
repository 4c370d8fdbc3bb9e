"""FBA capacity in a real refresh: orders cut to fit Settings fba_capacity, said where it shows."""

from __future__ import annotations

from pathlib import Path

from sheets_sync import workbook as wb
from sheets_sync.cli import write_new_workbook
from sheets_sync.refresh import refresh
from tests.sheets_sync.test_refresh import AS_OF, by_sku, sales_rows, sheet_rows

VOLUME = wb.headers(wb.INVENTORY).index("Unit volume cu ft")


def inventory_row(sku: str, price: float, cost: float, volume: float | None) -> list:
    row: list = [None] * (VOLUME + 1)
    row[:8] = [sku, None, sku, 100, 0, 0, price, cost]
    row[VOLUME] = volume
    return row


def book_with(path: Path, capacity: str, volume: float | None = 1.0) -> Path:
    tabs = wb.starter_tabs()
    tabs[wb.SETTINGS] += [["fba_capacity", capacity]]
    tabs[wb.INVENTORY] += [
        inventory_row("X-1", 20, 10, volume),
        inventory_row("Y-2", 20, 5, volume),
    ]
    tabs[wb.SALES] += sales_rows("X-1", 10) + sales_rows("Y-2", 10)
    write_new_workbook(path, tabs)
    return path


def test_orders_over_capacity_are_cut_by_urgency_then_margin(tmp_path: Path) -> None:
    # Both sell 10 a day and run out on day 10; a sea order placed today lands on day 75 and
    # asks 670 units each (60 days + 70 of safety stock). 900 cu ft free then: each gets a
    # month (300) first, then the better margin (Y-2, 15 a unit against 10) the rest it needs.
    book = book_with(tmp_path / "book.xlsx", "standard 900")
    refresh(str(book), as_of=AS_OF)
    rows = by_sku(sheet_rows(book, "Alerts"))
    x, y = rows["X-1"], rows["Y-2"]
    assert (x["Reorder qty"], y["Reorder qty"]) == (300, 600)
    assert "CAPACITY" in x["Flags"] and "CAPACITY" in y["Flags"]
    assert "· and REORDER NOW: order 300 units (of 670: FBA capacity) by sea today" in x["Action"]
    assert x["Basis"].endswith(
        "CAPACITY: 900 cu ft of standard capacity free when the orders land, 1,340 asked: more "
        "urgent SKUs first, then the best margin per cubic foot"
    )
    drafts = {r[1]: r for r in sheet_rows(book, "Drafts")[1:]}
    assert "新下一张 300 件的订单" in drafts["supplier_expedite"][7]  # zh: supplier_language


def test_no_limit_no_volume_and_a_bad_setting_never_cut(tmp_path: Path) -> None:
    book = book_with(tmp_path / "book.xlsx", "standard 5000")
    refresh(str(book), as_of=AS_OF)
    rows = by_sku(sheet_rows(book, "Alerts"))
    assert rows["X-1"]["Reorder qty"] == 670 and "CAPACITY" not in rows["X-1"]["Flags"]
    unknown = book_with(tmp_path / "unknown.xlsx", "standard 10", volume=None)
    refresh(str(unknown), as_of=AS_OF)
    rows = by_sku(sheet_rows(unknown, "Alerts"))
    assert rows["X-1"]["Reorder qty"] == 670
    assert rows["X-1"]["Basis"].endswith(
        "CAPACITY: no unit volume: not checked against standard capacity"
    )
    bad = book_with(tmp_path / "bad.xlsx", "garage 40")
    refresh(str(bad), as_of=AS_OF)
    problems = sheet_rows(bad, "Problems")[1:]
    assert any("fba_capacity: cannot read 'garage 40'" in (p[4] or "") for p in problems)
    assert by_sku(sheet_rows(bad, "Alerts"))["X-1"]["Reorder qty"] == 670


def test_the_demo_runs_into_its_capacity() -> None:
    from sheets_sync.demo import demo_tabs
    from sheets_sync.inputs import read_inputs
    from sheets_sync.plan import compute_plan

    tabs = demo_tabs(AS_OF)
    plan = compute_plan(read_inputs(tabs, list(tabs)), AS_OF)
    cut = plan.skus[plan.skus["flags"].map(lambda f: "CAPACITY" in f)]
    assert len(cut) >= 5
    assert all("FBA capacity" in text for text in cut["action_text"])
