"""The plan on data the history store holds: imported Amazon reports beside the Sales tab."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sheets_sync import workbook as wb
from sheets_sync.backends import parse_target
from sheets_sync.cli import write_new_workbook
from sheets_sync.history import HistoryStore
from sheets_sync.refresh import refresh
from sheets_sync.sources.importer import import_files

AS_OF = dt.date(2026, 11, 25)
ORDERS_HEADER = [
    "amazon-order-id",
    "merchant-order-id",
    "purchase-date",
    "last-updated-date",
    "order-status",
    "fulfillment-channel",
    "sales-channel",
    "order-channel",
    "ship-service-level",
    "product-name",
    "sku",
    "asin",
    "item-status",
    "quantity",
    "currency",
    "item-price",
]
MYI_HEADER = [
    "sku",
    "fnsku",
    "asin",
    "product-name",
    "condition",
    "your-price",
    "mfn-listing-exists",
    "mfn-fulfillable-quantity",
    "afn-listing-exists",
    "afn-warehouse-quantity",
    "afn-fulfillable-quantity",
    "afn-unsellable-quantity",
    "afn-reserved-quantity",
    "afn-total-quantity",
    "per-unit-volume",
    "afn-inbound-working-quantity",
    "afn-inbound-shipped-quantity",
    "afn-inbound-receiving-quantity",
]


def all_orders(path: Path, days: int, per_day: int) -> Path:
    return orders_file(path, [(back, "S-1") for back in range(days, 0, -1)] * per_day)


def orders_file(path: Path, sold: list[tuple[int, str]]) -> Path:
    """An All Orders report: one unit of SKU `days back` before AS_OF per (days back, SKU)."""
    lines = ["\t".join(ORDERS_HEADER)]
    for n, (back, sku) in enumerate(sold):
        day = AS_OF - dt.timedelta(days=back)
        fields = {
            "amazon-order-id": f"111-{back:04d}-{n}", "purchase-date": f"{day}T18:00:00+00:00",
            "order-status": "Shipped", "fulfillment-channel": "Amazon",
            "sales-channel": "Amazon.com", "sku": sku, "item-status": "Shipped",
            "quantity": "1", "currency": "USD", "item-price": "20.00",
        }  # fmt: skip
        lines.append("\t".join(fields.get(h, "") for h in ORDERS_HEADER))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_velocity_and_inbound_from_imported_reports(tmp_path: Path) -> None:
    tabs = wb.starter_tabs()
    tabs[wb.INVENTORY] += [["S-1", None, "Imported seller", 90, None, None, 20]]
    # The Sales tab has one day too: it wins over the store for that day (no double count).
    yesterday = dt.datetime.combine(AS_OF - dt.timedelta(days=1), dt.time())
    tabs[wb.SALES] += [[yesterday, "S-1", 3, True]]
    book = tmp_path / "book.xlsx"
    write_new_workbook(book, tabs)
    myi = tmp_path / "myi.txt"
    values = {"sku": "S-1", "afn-fulfillable-quantity": "90", "afn-inbound-shipped-quantity": "200"}
    myi.write_text("\t".join(MYI_HEADER) + "\n" + "\t".join(values.get(h, "0") for h in MYI_HEADER)
                   + "\n", encoding="utf-8")  # fmt: skip
    result = import_files(str(book), [all_orders(tmp_path / "orders.txt", 60, 3), myi])
    assert result.exit_code == 0
    plan = refresh(str(book), as_of=AS_OF).plan
    row = plan.skus.set_index("sku").loc["S-1"]
    assert row["daily_sales"] == 3.0
    assert row["basis"] == "7d 3.0 (7 in stock) · 30d 3.0 (30) · 90d 3.0 (60)"
    # Amazon's inbound units (no ETA in the report) land after the receiving time, 10 days.
    assert row["inbound"] == 200
    assert row["stockout_date"] == AS_OF + dt.timedelta(days=30 + 200 // 3)


def test_a_slow_movers_history_starts_where_the_import_covered(tmp_path: Path) -> None:
    # The report covers 90 days (a SKU since dropped from Inventory sold then); the slow mover
    # sold twice, 20 and 6 days ago. At its rate, 70 silent days are nothing odd: they are
    # days of zero sales, not days before it was listed.
    tabs = wb.starter_tabs()
    tabs[wb.INVENTORY] += [["SLOW", None, "Slow mover", 10]]
    book = tmp_path / "book.xlsx"
    write_new_workbook(book, tabs)
    sold = [(90, "DROPPED"), (20, "SLOW"), (6, "SLOW")]
    assert import_files(str(book), [orders_file(tmp_path / "o.txt", sold)]).exit_code == 0
    row = refresh(str(book), as_of=AS_OF).plan.skus.set_index("sku").loc["SLOW"]
    assert row["basis"].endswith("30d 0.1 (30) · 90d 0.0 (90)")
    assert row["daily_sales"] == 0.5 / 7 + 0.3 * 2 / 30 + 0.2 * 2 / 90
    # The same two sales typed into the Sales tab: no import says what was covered before
    # the first one, so the history starts there.
    tabs[wb.SALES] += [[dt.datetime.combine(AS_OF - dt.timedelta(days=b), dt.time()), "SLOW", 1]
                       for b in (20, 6)]  # fmt: skip
    write_new_workbook(tmp_path / "tab.xlsx", tabs)
    row = refresh(str(tmp_path / "tab.xlsx"), as_of=AS_OF).plan.skus.set_index("sku").loc["SLOW"]
    assert row["basis"].endswith("90d 0.1 (20)")


def test_a_stock_snapshot_before_the_first_sale_makes_the_days_after_it_zero_sales(
    tmp_path: Path,
) -> None:
    # A stock snapshot said 30 units 50 days ago; the first sale came 10 days ago and one a
    # day since. In stock and unsold: 40 days of zero sales, not a launch 10 days old.
    tabs = wb.starter_tabs()
    tabs[wb.INVENTORY] += [["NEW", None, "Listed early", 20]]
    book = tmp_path / "book.xlsx"
    write_new_workbook(book, tabs)
    sold = [(back, "NEW") for back in range(10, 0, -1)]
    assert import_files(str(book), [orders_file(tmp_path / "o.txt", sold)]).exit_code == 0
    with HistoryStore.for_target(parse_target(str(book))) as store:
        store.put_stock([(str(AS_OF - dt.timedelta(days=50)), "NEW", 30)], "snapshot")
    row = refresh(str(book), as_of=AS_OF).plan.skus.set_index("sku").loc["NEW"]
    assert row["basis"].endswith("30d 0.3 (30) · 90d 0.2 (50)")
