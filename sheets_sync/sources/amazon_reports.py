"""Amazon flat-file reports: recognise a file by its headers, decode it, stream its rows.

Amazon adds, renames and reorders report columns without notice, files arrive with a BOM, in
cp1252 or Shift_JIS, with empty trailing header cells, ragged rows and `--` for zero. So:

* a report is recognised by a few *distinctive* headers (a signature), never by all of them
  and never by position: the real All Orders sample's first header is damaged (`mazon-order-id`);
* headers are compared by a key (lower case, without spaces, `-`, `_`, quotes or BOM), and a
  small alias table maps known variants to one name; an unknown file raises `ReportError` with
  the headers it saw;
* each line is decoded on its own: strict UTF-8, and at the first line that is not UTF-8 the
  file's fallback is chosen once (cp932 when that line reads as Japanese, else cp1252);
* rows are streamed: sales are summed per day, SKU and marketplace in bounded chunks, so a file
  of millions of lines never sits in memory.

Each `read_*` function turns one kind of report into plain records; `sheets_sync.sources.importer`
decides where they go. Bad values become `Problem`s (line, column, value, message), never crashes.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sheets_sync.history import SalesChunk
from sheets_sync.sources.report_cells import (
    CHANNEL_OF_COUNTRY,
    LineDecoder,
    iso_day,
    local_day,
    locale_date,
    snapshot_day,
    to_int,
    to_money,
    unquote,
)


class ReportError(Exception):
    """The file cannot be used (unknown report, unreadable file): a message for the user."""


@dataclass(frozen=True)
class Kind:
    """One report type: how to recognise it and what to call it in messages."""

    name: str
    label: str
    signature: frozenset[str]
    unsupported: str = ""


def _sig(*keys: str) -> frozenset[str]:
    return frozenset(keys)


#: Checked in order; the first kind whose signature is all present wins.
KINDS: tuple[Kind, ...] = (
    Kind(
        "all_orders",
        "All Orders",
        _sig("purchasedate", "orderstatus", "itemstatus", "sku", "quantity"),
    ),
    Kind(
        "shipments",
        "Amazon Fulfilled Shipments",
        _sig("shipmentid", "shipmentdate", "sku", "quantityshipped"),
    ),
    Kind("myi", "Manage FBA Inventory", _sig("sku", "afnfulfillablequantity")),
    Kind(
        "fba_daily",
        "FBA daily inventory",
        _sig("snapshotdate", "sku", "quantity", "detaileddisposition"),
    ),
    Kind("restock", "Restock Inventory", _sig("sku", "recommendedreplenishmentqty")),
    Kind(
        "unshipped", "Unshipped orders", _sig("orderid", "orderitemid", "sku", "quantitypurchased")
    ),
    Kind(
        "planning",
        "FBA Inventory (planning)",
        _sig("snapshotdate", "sku", "available", "unitsshippedt30"),
        unsupported="it leaves out most out-of-stock SKUs and drops rows, so it cannot tell when a"
        " SKU ran out. Import Manage FBA Inventory and FBA daily inventory instead",
    ),
)

#: Header variants (by key) that mean the same column. Only names seen in real files belong
#: here; a header in another report language is reported as unknown rather than guessed.
ALIASES: dict[str, str] = {
    "merchantsku": "sku",
    "sellersku": "sku",
    "msku": "sku",
    "countryregioncode": "country",
    "countryregion": "country",
    "marketplace": "country",
    "recommendedreplenishmentquantity": "recommendedreplenishmentqty",
    "recommendedshipmentdate": "recommendedshipdate",
    "productname": "title",
    "itemname": "title",
}


CHUNK_KEYS = 100_000
_KEY_DROP = re.compile(r"[\s\-_\"'\ufeff]+")


def header_key(text: str) -> str:
    """Compare headers loosely: `Merchant SKU`, `merchant-sku` and `"merchant_sku"` agree."""
    key = _KEY_DROP.sub("", text).lower()
    return ALIASES.get(key, key)


@dataclass
class Problem:
    """A value the import skipped: where it was and why, for the user to fix or ignore."""

    line: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.column} {self.value!r}: {self.message}"


@dataclass
class Report:
    """An identified report file. `lines()` streams its data rows; `problems` collects skips."""

    path: Path
    kind: Kind
    header: list[str]
    columns: dict[str, int]
    encoding: str | None = None
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    rows_read: int = 0

    def cells(
        self, progress: Callable[[int], None] | None = None
    ) -> Iterator[tuple[int, list[str]]]:
        """Yield (line number, cells) for every non-blank data line; report bytes read.

        Cells are split on tabs; a line with a double quote is unquoted cell by cell.
        Rows are padded to one cell past the header, so `index()` of a missing column (the
        header width) reads as an empty cell, whatever the row's length.
        """
        decode = LineDecoder(self.encoding)
        width = len(self.header) + 1
        done = 0
        with self.path.open("rb") as stream:
            for number, raw in enumerate(stream, start=1):
                done += len(raw)
                if number == 1:
                    continue
                if progress and number % 50_000 == 0:
                    progress(done)
                text = decode(raw.rstrip(b"\r\n"))
                if not text or text.isspace():
                    continue
                self.rows_read += 1
                cells = text.split("\t")
                if '"' in text:
                    cells = [unquote(cell) for cell in cells]
                if len(cells) < width:
                    cells.extend([""] * (width - len(cells)))
                yield number, cells
        self.encoding = decode.encoding
        if progress:
            progress(done)

    def index(self, key: str) -> int:
        """The cell index of column KEY; the padding cell (always empty) when it is missing."""
        return self.columns.get(key, len(self.header))

    def lines(self) -> Iterator[tuple[int, Fields]]:
        """Yield (line number, cells readable by column key) for every non-blank data line."""
        for number, cells in self.cells():
            yield number, Fields(cells, self)

    def problem(self, line: int, column: str, value: str, message: str) -> None:
        """Count a skipped value; keep the first few for the user to see."""
        self.problem_count += 1
        if len(self.problems) < 20:
            self.problems.append(Problem(line, column, value, message))


class Fields:
    """One row's cells, read by column key: missing columns and short rows read as ''."""

    __slots__ = ("_cells", "_report")

    def __init__(self, cells: list[str], report: Report) -> None:
        self._cells = cells
        self._report = report

    def __getitem__(self, key: str) -> str:
        return self._cells[self._report.index(key)].strip()


def open_report(path: str | Path, encoding: str | None = None) -> Report:
    """Identify the report at PATH from its header line; `encoding` when the source knows it."""
    path = Path(path)
    try:
        with path.open("rb") as stream:
            first = stream.readline()
    except OSError as error:
        raise ReportError(f"{path}: cannot read the file ({error.strerror or error})") from None
    if first.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReportError(
            f"{path.name}: UTF-16 text; download the report again as a tab-delimited .txt file"
        )
    decoder = LineDecoder(encoding)
    header = [
        unquote(h) for h in decoder(first.removeprefix(b"\xef\xbb\xbf").rstrip(b"\r\n")).split("\t")
    ]
    keys = [header_key(h) for h in header]
    present = set(keys)
    for kind in KINDS:
        if kind.signature <= present:
            if kind.unsupported:
                raise ReportError(
                    f"{path.name} is Amazon's {kind.label} report: {kind.unsupported}."
                )
            columns: dict[str, int] = {}
            for index, key in enumerate(keys):
                if key:
                    columns.setdefault(key, index)
            return Report(path, kind, header, columns, encoding or decoder.chosen)
    seen = ", ".join(repr(h) for h in header if h.strip()) or "none"
    supported = ", ".join(k.label for k in KINDS if not k.unsupported)
    raise ReportError(
        f"{path.name}: not a report stockout knows. Headers seen: {seen}. Supported: {supported}"
        " (tab-delimited .txt as Amazon delivers it, headers in English: switch the report"
        " language in Seller Central if your headers are in another language)."
    )


# -- record readers ---------------------------------------------------------------------------


def read_sales(
    report: Report, progress: Callable[[int], None] | None = None
) -> Iterator[SalesChunk]:
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


@dataclass
class InventoryRecord:
    """One SKU of a Manage FBA Inventory file. None = the report left the cell blank."""

    sku: str
    asin: str
    title: str
    price: float | None
    available: int | None
    reserved: int | None
    fbm_stock: int | None
    inbound_working: int = 0
    inbound_shipped: int = 0
    inbound_receiving: int = 0


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


@dataclass
class OpenOrder:
    """One line of an unshipped seller-fulfilled order, as the Orders tab wants it."""

    order_id: str
    sku: str
    qty: int
    purchase_date: dt.date | None
    promised_date: dt.date | None
    buyer_name: str
    marketplace: str


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
            )
        )
    return orders
