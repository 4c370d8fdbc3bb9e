"""The Amazon report types stockout reads, each described once: how its file is recognised
(signature headers), how its rows are read (`read_*`) and what it stores (`load_*`).

Where each report goes:

* All Orders, Amazon Fulfilled Shipments -> daily sales in the history store.
* FBA daily inventory -> daily sellable stock (the in-stock history velocity needs).
* Restock Inventory -> Amazon's recommendation in the store (shown beside ours in Alerts).
* Manage FBA Inventory -> in the store, the day's sellable stock and Amazon's inbound units
  (see `sheets_sync.history` for why inbound does not go to the Inbound tab); for the
  Inventory tab, Available, Reserved, FBM stock, ASIN, Title and Price.
* Unshipped orders -> the Orders tab (a snapshot of what is still to ship).
* Business Report "Detail Page Sales and Traffic by Child Item" (CSV) -> sessions and units
  per SKU over the days the file covers (`sheets_sync.sources.business_report`).

To add a report type: a `read_*` function, a `load_*` function and a `Kind` in `KINDS`, with a
test in `tests/sheets_sync/sources/test_amazon_reports.py`; importing, pulling (`spapi_type`)
and the import log follow from `KINDS`. Decoding and recognising files is
`sheets_sync.sources.report_file`'s job; writing the Inventory and Orders tabs the importer's.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sheets_sync.history import HistoryStore, SalesChunk
from sheets_sync.sources import business_report
from sheets_sync.sources.records import InventoryRecord, Loaded, OpenOrder
from sheets_sync.sources.report_cells import (
    CHANNEL_OF_COUNTRY,
    iso_day,
    local_day,
    locale_date,
    snapshot_day,
    to_int,
    to_money,
)
from sheets_sync.sources.report_file import (
    ByteProgress,
    Kind,
    Refusal,
    Report,
    ReportError,
    identify,
)

__all__ = ["KINDS", "Kind", "Report", "ReportError", "open_report"]

#: Sales are summed per (day, SKU, marketplace) in chunks of at most this many keys.
CHUNK_KEYS = 100_000


def open_report(path: str | Path, encoding: str | None = None) -> Report:
    """Identify the report at PATH as one of `KINDS`; `encoding` when the source knows it."""
    return identify(path, KINDS, REFUSED, encoding)


# -- record readers ---------------------------------------------------------------------------


def read_sales(report: Report, progress: ByteProgress | None = None) -> Iterator[SalesChunk]:
    """Units and revenue per (day, SKU, marketplace), yielded in chunks of bounded size.

    All Orders counts a line on its purchase day, Amazon Fulfilled Shipments on its shipment
    day, both in the marketplace's own time zone (as Seller Central's business reports do).
    Cancelled lines (order or item status `Cancelled`, or quantity 0) are left out.
    """
    if report.kind.name == "all_orders":
        date_col, qty_col = "purchasedate", "quantity"
    else:
        date_col, qty_col = "shipmentdate", "quantityshipped"
    columns = (qty_col, "orderstatus", "itemstatus", "sku", "saleschannel", date_col, "itemprice")
    pick = operator.itemgetter(*(report.index(c) for c in columns))
    chunk: dict[tuple[str, str, str], tuple[int, float]] = {}
    for line, cells in report.cells(progress):
        # The hot loop of a multi-million-line import: plain cells, cheap checks first.
        qty_text, status, item_status, sku, channel, when, price = pick(cells)
        qty = to_int(qty_text)
        sku = sku.strip()
        if qty == 0 or "cancel" in status.lower() or "cancel" in item_status.lower():
            continue
        if qty is None or not sku:
            column, value = (qty_col, qty_text) if qty is None else ("sku", sku)
            report.problem(line, column, value, "not a whole number" if qty is None else "missing")
            continue
        channel = channel.strip().lower()
        day = local_day(when.strip(), channel)
        if day is None:
            report.problem(line, date_col, when, "not a date")
            continue
        key = (day, sku, channel)
        units, total = chunk.get(key, (0, 0.0))
        chunk[key] = (units + qty, total + (to_money(price) or 0.0))
        if len(chunk) >= CHUNK_KEYS:
            yield chunk
            chunk = {}
    if chunk:
        yield chunk


def read_stock(report: Report) -> list[tuple[str, str, int]]:
    """Sellable units per (day, SKU) from the FBA daily inventory report.

    Rows are per fulfilment centre and disposition: SELLABLE rows are summed. A SKU the file
    knows but lists on no sellable row for one of the file's days had 0 sellable units that day.
    """
    sellable: dict[tuple[str, str], int] = {}
    days: set[str] = set()
    skus: set[str] = set()
    for line, row in report.lines():
        day = snapshot_day(row["snapshotdate"], row["country"])
        qty = to_int(row["quantity"])
        sku = row["sku"]
        if day is None or qty is None or not sku:
            column = "snapshotdate" if day is None else "quantity" if qty is None else "sku"
            report.problem(line, column, row[column], "missing or unreadable")
            continue
        days.add(day)
        skus.add(sku)
        if row["detaileddisposition"].strip().upper() == "SELLABLE":
            sellable[day, sku] = sellable.get((day, sku), 0) + qty
    return [(day, sku, sellable.get((day, sku), 0)) for day in sorted(days) for sku in sorted(skus)]


_MYI_QTY = {
    "available": "afnfulfillablequantity",
    "reserved": "afnreservedquantity",
    "fbm_stock": "mfnfulfillablequantity",
    "inbound_working": "afninboundworkingquantity",
    "inbound_shipped": "afninboundshippedquantity",
    "inbound_receiving": "afninboundreceivingquantity",
}


def read_inventory(report: Report) -> list[InventoryRecord]:
    """Available, Reserved, FBM stock and inbound per SKU (duplicate SKU rows are summed)."""
    records: dict[str, InventoryRecord] = {}
    for line, row in report.lines():
        sku = row["sku"]
        if not sku:
            report.problem(line, "sku", "", "missing")
            continue
        qty: dict[str, int | None] = {}
        for name, column in _MYI_QTY.items():
            value = to_int(row[column])
            if value is None and row[column]:
                report.problem(line, column, row[column], "not a whole number")
            qty[name] = value
        found = records.get(sku)
        if found is None:
            records[sku] = InventoryRecord(
                sku,
                row["asin"],
                row["title"],
                to_money(row["yourprice"]),
                qty["available"],
                qty["reserved"],
                qty["fbm_stock"],
                qty["inbound_working"] or 0,
                qty["inbound_shipped"] or 0,
                qty["inbound_receiving"] or 0,
                to_money(row["perunitvolume"]),
            )
            continue
        for name, value in qty.items():
            if value is not None:
                setattr(found, name, (getattr(found, name) or 0) + value)
    return list(records.values())


@dataclass
class RestockRecord:
    sku: str
    marketplace: str
    qty: int | None
    ship_date: dt.date | None


def read_restock(report: Report) -> list[RestockRecord]:
    """Amazon's recommended replenishment quantity and ship date per SKU and marketplace.

    The ship date is a locale date (`4/11/2021`): month first for the countries in
    MONTH_FIRST, day first elsewhere, year first when it starts with four digits.
    """
    records = []
    for line, row in report.lines():
        sku = row["sku"]
        country = row["country"].upper()
        qty = to_int(row["recommendedreplenishmentqty"])
        when = row["recommendedshipdate"]
        ship = locale_date(when, country)
        if not sku:
            report.problem(line, "Merchant SKU", "", "missing")
            continue
        if qty is None and row["recommendedreplenishmentqty"]:
            report.problem(
                line,
                "Recommended replenishment qty",
                row["recommendedreplenishmentqty"],
                "not a number",
            )
        if ship is None and when and when != "--":
            report.problem(line, "Recommended ship date", when, "not a date")
        records.append(
            RestockRecord(sku, CHANNEL_OF_COUNTRY.get(country, country.lower()), qty, ship)
        )
    return records


def read_open_orders(report: Report) -> list[OpenOrder]:
    """Unshipped FBM order lines; the promised date is the latest Amazon promised the buyer.

    A report without one (some exports leave the promise columns out) gives None: the import
    estimates it from the purchase date and the seller's handling time.
    """
    orders = []
    for line, row in report.lines():
        qty = (
            to_int(row["quantitytoship"])
            if row["quantitytoship"]
            else to_int(row["quantitypurchased"])
        )
        if not row["orderid"] or not row["sku"] or qty is None:
            report.problem(line, "order-id/sku/quantity", row["orderid"], "missing or unreadable")
            continue
        if qty <= 0:
            continue
        promised_raw = next(
            (
                row[c]
                for c in ("promisedate", "latestdeliverydate", "deliveryenddate", "latestshipdate")
                if row[c]
            ),
            "",
        )
        promised = iso_day(promised_raw)
        purchased = iso_day(row["purchasedate"])
        if promised is None and purchased is None:  # nothing to estimate it from
            report.problem(
                line, "promise-date", promised_raw, "no promised date: added, type it by hand"
            )
        orders.append(
            OpenOrder(
                row["orderid"],
                row["sku"],
                qty,
                purchased,
                promised,
                row["buyername"],
                row["saleschannel"].lower(),
                row["title"],
                row["buyeremail"],
            )
        )
    return orders


# -- what each report stores ------------------------------------------------------------------


def load_sales(store: HistoryStore, report: Report, progress: ByteProgress | None) -> Loaded:
    """Daily sales, replacing what an earlier file of the same report said for its days."""
    span = store.add_sales(read_sales(report, progress), report.kind.name)
    return Loaded(*span) if span else Loaded()


def load_stock(store: HistoryStore, report: Report, progress: ByteProgress | None) -> Loaded:
    """Daily sellable units, the in-stock history."""
    rows = read_stock(report)
    store.put_stock(rows, report.kind.name)
    days = [row[0] for row in rows]
    return Loaded(min(days), max(days)) if days else Loaded()


def load_restock(store: HistoryStore, report: Report, progress: ByteProgress | None) -> Loaded:
    """Amazon's recommendation as of the file's day (it has no date column)."""
    records = read_restock(report)
    store.put_restock(
        (
            (r.sku, r.marketplace, r.qty, r.ship_date.isoformat() if r.ship_date else None)
            for r in records
        ),
        file_day(report.path),
    )
    return Loaded()


def load_inventory(store: HistoryStore, report: Report, progress: ByteProgress | None) -> Loaded:
    """A stock snapshot as of the file's day for the store; the records for Inventory."""
    records = read_inventory(report)
    save_inventory(store, records, file_day(report.path))
    return Loaded(inventory=records)


def load_open_orders(store: HistoryStore, report: Report, progress: ByteProgress | None) -> Loaded:
    """Nothing for the store: the lines go to Orders, superseding the previous snapshot."""
    return Loaded(orders=read_open_orders(report))


def save_inventory(store: HistoryStore, records: list[InventoryRecord], day: dt.date) -> None:
    """A stock snapshot: sellable units that day and Amazon's inbound units, per SKU."""
    store.put_stock(
        ((day.isoformat(), r.sku, r.available) for r in records if r.available is not None),
        "snapshot",
    )
    store.put_inbound(
        ((r.sku, r.inbound_working, r.inbound_shipped, r.inbound_receiving) for r in records), day
    )


def file_day(path: Path) -> dt.date:
    """A snapshot report has no date column: it is as old as the file (its download time)."""
    return dt.date.fromtimestamp(path.stat().st_mtime)


def _sig(*keys: str) -> frozenset[str]:
    return frozenset(keys)


#: Checked in order; the first kind whose signature is all present wins.
KINDS: tuple[Kind, ...] = (
    Kind(
        "all_orders",
        "All Orders",
        _sig("purchasedate", "orderstatus", "itemstatus", "sku", "quantity"),
        load_sales,
        spapi_type="GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL",
    ),
    Kind(
        "shipments",
        "Amazon Fulfilled Shipments",
        _sig("shipmentid", "shipmentdate", "sku", "quantityshipped"),
        load_sales,
    ),
    Kind("myi", "Manage FBA Inventory", _sig("sku", "afnfulfillablequantity"), load_inventory),
    Kind(
        "fba_daily",
        "FBA daily inventory",
        _sig("snapshotdate", "sku", "quantity", "detaileddisposition"),
        load_stock,
        spapi_type="GET_FBA_FULFILLMENT_CURRENT_INVENTORY_DATA",
    ),
    Kind(
        "restock",
        "Restock Inventory",
        _sig("sku", "recommendedreplenishmentqty"),
        load_restock,
    ),
    Kind(
        "unshipped",
        "Unshipped orders",
        _sig("orderid", "orderitemid", "sku", "quantitypurchased"),
        load_open_orders,
    ),
    # A CSV download with no date inside: `sources.business_report` reads it, and pulls its
    # SP-API twin (JSON, one report per day) itself.
    Kind(
        "business_report",
        business_report.LABEL,
        _sig("sku", "unitsordered", "unitsessionpercentage"),
        business_report.load_business_report,
        dated=True,
    ),
)

#: Reports recognised only to say why they cannot be used (checked after `KINDS`).
REFUSED: tuple[Refusal, ...] = (
    Refusal(
        "FBA Inventory (planning)",
        _sig("snapshotdate", "sku", "available", "unitsshippedt30"),
        "it leaves out most out-of-stock SKUs and drops rows, so it cannot tell when a SKU ran"
        " out. Import Manage FBA Inventory and FBA daily inventory instead",
    ),
    Refusal(
        "Business Report by parent item or by ASIN",
        _sig("unitsordered", "unitsessionpercentage"),
        "it has no SKU column. Download 'Detail Page Sales and Traffic by Child Item' instead",
    ),
)
