"""The plan on data the history store holds: imported Amazon reports beside the Sales tab."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sheets_sync import workbook as wb
from sheets_sync.cli import write_new_workbook
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
    lines = ["\t".join(ORDERS_HEADER)]
    for back in range(days, 0, -1):
        day = AS_OF - dt.timedelta(days=back)
        for n in range(per_day):
            fields = {
                "amazon-order-id": f"111-{back:04d}-{n}", "purchase-date": f"{day}T18:00:00+00:00",
                "order-status": "Shipped", "fulfillment-channel": "Amazon",
                "sales-channel": "Amazon.com", "sku": "S-1", "item-status": "Shipped",
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
