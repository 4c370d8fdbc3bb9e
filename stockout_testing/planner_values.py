"""The live Planner's values by the functions' own math (`addin.formulas`), for the tests that
have a spreadsheet compute the Planner's formulas: LibreOffice over the .xlsx Planner
(tests/sheets_sync/test_native_formulas.py) and the Sheets stand-in over the Google one
(tests/addin/google/test_google_planner.py) must both give these values.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import openpyxl

from addin import formulas, supply
from addin.velocity import sku_history, velocity
from sheets_sync import workbook as wb
from sheets_sync.planner import AS_OF_HEADER


def table_rows(book: openpyxl.Workbook, tab: str) -> list[dict[str, Any]]:
    """TAB's rows as {header: value}, without the rows blank but for their last cell (the
    Planner's As of)."""
    rows = list(book[tab].iter_rows(values_only=True))
    return [
        dict(zip(rows[0], r, strict=False))
        for r in rows[1:]
        if any(c not in (None, "") for c in r[:-1])
    ]


def expected_planner(book: openpyxl.Workbook, as_of: dt.date) -> dict[str, dict[str, Any]]:
    """Each SKU's Planner row by the functions' own math (what the add-in shows)."""
    settings = {r["Key"]: r["Value"] for r in table_rows(book, wb.SETTINGS)}
    sales = [list(r)[:4] for r in book[wb.SALES].iter_rows(min_row=2, values_only=True)]
    windows = [int(x) for x in str(settings["velocity_windows"]).split(",")]
    weights = [float(x) for x in str(settings["velocity_weights"]).split(",")]
    warn = str(settings["warn_days"]).split(",")
    inbound = table_rows(book, wb.INBOUND)
    out = {}
    for item in table_rows(book, wb.INVENTORY):
        sku = item["SKU"]
        units, flags = sku_history(sales, sku, as_of)
        rate = formulas.sales_velocity(sales, None, windows, weights, sku=sku, as_of=as_of)
        coming = [r for r in inbound if r["SKU"] == sku and r["Qty"] > 0 and r["ETA"]
                  and supply.stage_of(r.get("Status")) != supply.CLOSED]  # fmt: skip
        eta = min((r["ETA"].date() for r in coming if r["ETA"].date() >= as_of), default=None)
        qty = sum(r["Qty"] for r in coming if eta and r["ETA"].date() == eta)
        overdue = sum(r["Qty"] for r in coming if r["ETA"].date() < as_of)
        lead = sum(item[h] if item[h] is not None else settings[key]
                   for h, key in (("Production days", "production_days"),
                                  ("Sea days", "sea_days"),
                                  ("Receiving days", "receiving_days")))  # fmt: skip
        available = item["Available"]
        row: dict[str, Any] = {
            "SKU": sku, "Title": item["Title"], "Available": available, "Daily sales": rate,
            "Next inbound": qty or None, "Inbound ETA": eta, "Lead time days": lead,
            "Sales since": formulas.add_days(as_of, -len(units)) if units else None,
            "Overdue inbound": overdue or None,
        }  # fmt: skip
        for w in velocity(units, flags, windows, weights).windows if units else []:
            row[f"{w.days}-day avg"] = w.average
        if rate is not None:
            ss = formulas.safety_stock(rate, 0, lead, None, None, settings["safety_days"])
            stock = available + overdue  # overdue inbound counts as on hand, as in Alerts
            stockout = formulas.stockout_date(stock, rate, as_of, qty or None, eta)
            row |= {
                "Safety stock": ss,
                "Days of cover": formulas.days_of_cover(available, rate),
                "Stockout date": stockout,
                "Reorder by": formulas.reorder_date(stock, rate, lead, as_of, ss, qty or None, eta),
            }
            days = None if stockout is None else (stockout - as_of).days
            by = row["Reorder by"]
            row["Alert"] = formulas.alert_level(
                days, available, warn, lead, None if by is None else (by - as_of).days, overdue
            )
        else:
            row["Alert"] = formulas.OUT if available <= 0 else formulas.NO_DATA
        out[sku] = row
    return out


def same_cell(got: Any, want: Any) -> bool:
    """A computed cell is the expected value: a datetime as its day, floats to 1e-9."""
    if isinstance(got, dt.datetime):
        got = got.date()
    if isinstance(want, float) and isinstance(got, int | float):
        return math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9)
    return got == want


def check_planner_rows(rows: list[dict[str, Any]], book: openpyxl.Workbook, as_of: dt.date) -> int:
    """Assert every computed Planner row (as {header: value}, one per Inventory row, in its
    order) holds the functions' values for BOOK's inputs; returns the cells checked. The As of
    cell is the caller's to check."""
    want = expected_planner(book, as_of)
    assert [r["SKU"] for r in rows] == list(want)  # one row per Inventory row, in its order
    checked = 0
    for row in rows:
        expected = want[row["SKU"]]
        for header, value in row.items():
            if header == AS_OF_HEADER:
                continue
            assert same_cell(value, expected.get(header)), (row["SKU"], header, value, expected)
            checked += 1
    return checked
