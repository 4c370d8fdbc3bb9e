"""The Alerts column `Low-inventory fee`, through a real refresh with a history store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sheets_sync.history import HistoryStore
from sheets_sync.refresh import refresh
from tests.sheets_sync.test_refresh import AS_OF, by_sku, make_book, sheet_rows


def test_the_fee_column_reads_the_store_charged_clear_and_unknown(tmp_path: Path) -> None:
    book = make_book(tmp_path / "book.xlsx", Settings=[["size_tier", "small standard"]])
    days = [(AS_OF - dt.timedelta(days=back)).isoformat() for back in range(90, 0, -1)]
    with HistoryStore(tmp_path / "book.stockout.sqlite") as store:
        # A-1 sells 5 a day with 50 on hand (10 days of supply); B-2 with 600 (120 days);
        # nothing about C-3's stock.
        store.put_stock([(d, sku, qty) for d in days for sku, qty in (("A-1", 50), ("B-2", 600))],
                        "fba_daily")  # fmt: skip
    refresh(str(book), as_of=AS_OF)
    rows = by_sku(sheet_rows(book, "Alerts"))
    assert rows["A-1"]["Low-inventory fee"] == (
        "charged: days of supply 10.0 (30 d), 10.0 (90 d), both under 28 · 90 more units on "
        "hand on average to clear · 0.89 a unit (small standard, US rate), about 133.50 a month"
        # Amazon looks back; the Inventory's stock and inbound look ahead: the cell says why
        # there is no FEE RISK beside a fee charged now.
        " · no FEE RISK: with the inbound, cover is 110.0 days: the fee stops once it is "
        "sellable and the 30-day window is back over 28"
    )
    assert "FEE RISK" not in (rows["A-1"]["Flags"] or "")
    assert rows["B-2"]["Low-inventory fee"] == ("clear: days of supply 120.0 (30 d), 120.0 (90 d)")
    assert rows["C-3"]["Low-inventory fee"].startswith("unknown: no FBA stock history")
    # The forward-looking flag is its own column: B-2's cover is long, A-1's short.
    assert "FEE RISK" not in (rows["B-2"]["Flags"] or "")


def test_without_a_store_every_sku_is_unknown_not_clear(tmp_path: Path) -> None:
    book = make_book(tmp_path / "book.xlsx")
    refresh(str(book), as_of=AS_OF)
    rows = by_sku(sheet_rows(book, "Alerts"))
    assert {r["Low-inventory fee"].split(":")[0] for r in rows.values()} == {"unknown"}
