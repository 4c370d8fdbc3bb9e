"""`stockout import TARGET FILE...`: load Amazon report files into the store and the workbook.

What each report type stores and brings is described in `sheets_sync.sources.amazon_reports`
(`KINDS`); this module runs the import and writes the Inventory and Orders tabs:

* Manage FBA Inventory -> Inventory (Available, Reserved, FBM stock; ASIN, Title and Price only
  where the cell is blank; new SKUs as new rows).
* Unshipped orders -> Orders. Each report is a snapshot of what is still to ship:
  new lines are added (Status `unshipped`), known ones refreshed, and lines an earlier report
  listed that the new report no longer lists are marked `shipped or cancelled`, so no delay
  notice goes to a buyer whose parcel left. The history store remembers which lines reports
  listed: a line typed by hand is the user's, whatever its Status. A report is as old as its
  file (the download time): one older than the snapshot already applied changes nothing, so
  importing last week's file cannot reopen shipped lines. Reports given to one import are one
  snapshot together (one per marketplace region, say). A report without a promise date gets
  one from the purchase date plus `Settings!handling_time_days`, marked `Promise estimated`.

Every other column, and every column the user added, is left as it was. The workbook is read
once and written once, and only when a file touches it, so a sales import works on a Google
Sheet without Google credentials. A file whose sha256 is in the import log is skipped; a file
that touches the workbook is logged only after the workbook write succeeded, so a failed write
(workbook open in Excel, say) can simply be retried.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from addin.cells import blank
from sheets_sync import vocab, workbook
from sheets_sync.backends import open_backend, parse_target
from sheets_sync.history import HistoryStore
from sheets_sync.inputs import read_settings
from sheets_sync.sources import business_report
from sheets_sync.sources.amazon_reports import open_report
from sheets_sync.sources.records import InventoryRecord, Loaded, OpenOrder
from sheets_sync.sources.report_file import ByteProgress, Problem, Report
from sheets_sync.terminal import ProgressFn
from sheets_sync.types import JSON_VERSION, Backend, Grid, Tab, Target
from sheets_sync.writer_lock import one_writer


@dataclass
class FileResult:
    """What happened to one file."""

    path: Path
    kind: str
    rows: int = 0
    skipped: bool = False
    note: str = ""
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0


@dataclass
class ImportResult:
    """What an import did, for the CLI summary and for callers (the refresh server, tests)."""

    store: Path
    files: list[FileResult] = field(default_factory=list)
    inventory_updated: int = 0
    inventory_added: int = 0
    orders_updated: int = 0
    orders_added: int = 0
    orders_closed: int = 0
    promises_estimated: int = 0
    #: What saving the workbook dropped (shapes, slicers... `XlsxBackend.warnings`), in words.
    warnings: list[str] = field(default_factory=list)

    @property
    def problem_count(self) -> int:
        return sum(f.problem_count for f in self.files)

    @property
    def exit_code(self) -> int:
        """SPEC §6: 0 all good, 1 finished but some lines were skipped or content was lost."""
        return 1 if self.problem_count or self.warnings else 0

    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary (`stockout import --json`); `version` changes only when a key
        changes meaning. Each file lists its first skipped lines, `problems` counts them all."""
        return {
            "version": JSON_VERSION,
            "store": str(self.store),
            "files": [
                {
                    "file": str(f.path), "report": f.kind, "lines": f.rows,
                    "skipped": f.skipped, "note": f.note, "problems": f.problem_count,
                    "problem_list": [
                        {"line": p.line, "column": p.column, "value": p.value,
                         "problem": p.message}
                        for p in f.problems
                    ],
                }
                for f in self.files
            ],
            "inventory": {"updated": self.inventory_updated, "added": self.inventory_added},
            "orders": {"updated": self.orders_updated, "added": self.orders_added},
            "problems": self.problem_count,
            "warnings": self.warnings,
        }  # fmt: skip


def import_files(
    target: str | Target,
    paths: Sequence[str | Path],
    progress: ProgressFn | None = None,
    dates: tuple[dt.date, dt.date] | None = None,
) -> ImportResult:
    """Import report files into TARGET's store and workbook.

    Every file is recognised before anything is loaded: one unknown file, or a file without
    dates whose days are neither given (DATES: first and last day) nor in its name, raises
    `ReportError` and nothing changes. An unreadable workbook raises `TargetError`.
    """
    reports = [open_report(path) for path in paths]
    for report in reports:
        if report.kind.dated:
            report.span = dates
            business_report.span_of(report)  # refuses now, before anything is loaded
    target = parse_target(target)
    with HistoryStore.for_target(target) as store:
        result = ImportResult(store.path)
        inventory: list[InventoryRecord] = []
        orders: list[OpenOrder] = []
        last = store.last_unshipped()
        taken: list[str] = []  # the unshipped reports applied: they supersede the previous one
        pending_logs: list[tuple[Report, str, FileResult]] = []
        for report in reports:
            outcome = FileResult(report.path, report.kind.label)
            result.files.append(outcome)
            digest = file_sha256(report.path)
            if store.is_imported(digest):
                outcome.skipped = True
                outcome.note = "already imported"
                continue
            with store.transaction():
                loaded = report.kind.load(store, report, _bar(progress, report))
                if loaded.orders is not None:  # a snapshot of the open orders
                    when = file_time(report.path)
                    if last is None or when >= last:
                        orders.extend(loaded.orders)
                        taken.append(when)
                    else:
                        outcome.skipped = True
                if loaded.for_workbook:  # logged once the workbook is written
                    inventory.extend(loaded.inventory)
                    pending_logs.append((report, digest, outcome))
                else:
                    store.log_import(
                        digest, report.kind.name, report.path.name, report.rows_read,
                        loaded.first_day, loaded.last_day,
                    )  # fmt: skip
            outcome.rows = report.rows_read
            outcome.problems = report.problems
            outcome.problem_count = report.problem_count
            outcome.note = span_note(loaded)
            if outcome.skipped:
                outcome.note = (
                    f"not applied: older than the unshipped orders of {_shown(last)} already "
                    "in Orders (a report is as old as its file); Orders left as they were"
                )
        snapshot = max(taken) if taken else None
        if inventory or snapshot:
            listed = store.unshipped_lines()
            update_workbook(target, inventory, orders if snapshot else None, result, listed)
        with store.transaction():
            for report, digest, _outcome in pending_logs:
                store.log_import(digest, report.kind.name, report.path.name, report.rows_read)
            if snapshot:
                store.remember_unshipped(snapshot, "import", order_keys(orders))
    return result


def file_time(path: Path) -> str:
    """When a report was downloaded: its file's modification time, ISO in UTC."""
    stamp = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    return stamp.isoformat(timespec="seconds")


def _shown(stamp: str | None) -> str:
    return "" if stamp is None else stamp.replace("T", " ").replace("+00:00", " UTC")


def order_keys(orders: Iterable[OpenOrder]) -> list[tuple[str, str]]:
    """The keys Orders lines are matched by (see `_TabMerge`)."""
    return [(str(o.order_id).strip(), str(o.sku).strip()) for o in orders]


def update_workbook(
    target: str | Target,
    inventory: Sequence[InventoryRecord],
    orders: Sequence[OpenOrder] | None,
    result: ImportResult,
    listed: set[tuple[str, str]] | None = None,
) -> None:
    """Write what the reports know into Inventory and Orders: one read, one write.

    `orders` is the complete unshipped snapshot (None: no unshipped report was imported);
    `listed` the (order id, SKU) lines earlier snapshots listed, the only ones it may close
    (None: a store older than that record, where every `unshipped` line counts as listed).
    Both under the workbook's writer lock: a refresh running meanwhile would otherwise save
    its own, older copy of these tabs over the new rows.
    """
    target = parse_target(target)
    with one_writer(target, "import"):
        _update_workbook(open_backend(target), inventory, orders, result, listed)


def _update_workbook(
    backend: Backend,
    inventory: Sequence[InventoryRecord],
    orders: Sequence[OpenOrder] | None,
    result: ImportResult,
    listed: set[tuple[str, str]] | None,
) -> None:
    grids = backend.read([workbook.SETTINGS, workbook.INVENTORY, workbook.ORDERS])
    settings, _ = read_settings(grids.get(workbook.SETTINGS), workbook.Problems())
    tabs: dict[str, Tab] = {}
    if inventory:
        merged = _TabMerge(workbook.INVENTORY, grids.get(workbook.INVENTORY), ("sku",))
        for r in inventory:
            merged.put(
                {"sku": r.sku, "available": r.available, "reserved": r.reserved,
                 "fbm_stock": r.fbm_stock},
                blanks={"asin": r.asin or None, "title": r.title or None, "price": r.price,
                        "unit_volume": r.unit_volume},
            )  # fmt: skip
        tabs[workbook.INVENTORY] = merged.tab(settings.currency)
        result.inventory_updated, result.inventory_added = merged.updated, merged.added
    if orders is not None:
        handling = dt.timedelta(days=settings.handling_time_days)
        merged = _TabMerge(workbook.ORDERS, grids.get(workbook.ORDERS), ("order_id", "sku"))
        for o in orders:
            place = vocab.BY_CHANNEL.get(o.marketplace)
            row = merged.put(
                {"order_id": o.order_id, "sku": o.sku, "qty": o.qty,
                 "purchase_date": o.purchase_date, "promised_date": o.promised_date},
                blanks={"buyer_name": o.buyer_name or None, "marketplace": o.marketplace or None,
                        "language": place.language if place else None, "status": vocab.UNSHIPPED,
                        "title": o.title or None, "buyer_email": o.buyer_email or None},
            )  # fmt: skip
            if o.promised_date is None and o.purchase_date is not None:
                if blank(merged.get(row, "promised_date")):
                    merged.set(row, "promised_date", o.purchase_date + handling)
                    merged.set(row, "promise_estimated", "yes")
                    result.promises_estimated += 1
            elif o.promised_date is not None and not blank(merged.get(row, "promise_estimated")):
                merged.set(row, "promise_estimated", "no")
        result.orders_closed = merged.close_missing(
            "status", vocab.UNSHIPPED, vocab.SHIPPED, listed
        )
        tabs[workbook.ORDERS] = merged.tab(settings.currency)
        result.orders_updated, result.orders_added = merged.updated, merged.added
    backend.write(tabs)
    result.warnings += getattr(backend, "warnings", ())  # only a file backend can lose content


class _TabMerge:
    """An input tab with report values merged in by key; every other cell is kept as it was.

    Columns are found by the workbook contract's header names and aliases (English, Chinese,
    Amazon's), so a tab whose headers read `可售库存` or `afn-fulfillable-quantity` works too.
    """

    def __init__(self, name: str, grid: Grid | None, keys: tuple[str, ...]):
        self.name = name
        grid = [list(row) for row in grid or [] if row is not None]
        self.header: list[Any] = grid[0] if grid else workbook.headers(name)
        self.rows = grid[1:]
        self.spec = {col.key: col for col in workbook.SCHEMA[name]}
        self.columns = _locate(name, self.header)
        self.keys = keys
        self.index: dict[tuple[str, ...], list[Any]] = {}
        for key in keys:
            self._column(key)
        for row in self.rows:
            self.index.setdefault(self._key_of(row), row)
        self.updated = self.added = 0
        self.seen: set[tuple[str, ...]] = set()

    def put(self, values: dict[str, Any], blanks: dict[str, Any]) -> list[Any]:
        """Set `values` (skipping None: the report did not say) and fill `blanks` if empty."""
        key = tuple(str(values[k]).strip() for k in self.keys)
        self.seen.add(key)
        row = self.index.get(key)
        if row is None:
            row = [None] * len(self.header)
            self.rows.append(row)
            self.index[key] = row
            self.added += 1
        else:
            self.updated += 1
        for name, value in values.items():
            if value is not None:
                self.set(row, name, value)
        for name, value in blanks.items():
            if value is not None and blank(self.get(row, name)):
                self.set(row, name, value)
        return row

    def close_missing(
        self, key: str, open_word: str, closed_word: str, only: set[tuple[str, str]] | None
    ) -> int:
        """Rows not put since opening whose `key` cell reads `open_word` get `closed_word`;
        with `only`, just the rows whose key is in it."""
        closed = 0
        for row in self.rows:
            value = self.get(row, key)
            at = self._key_of(row)
            gone = at not in self.seen and (only is None or at in only)
            if gone and isinstance(value, str) and value.strip().lower() == open_word:
                self.set(row, key, closed_word)
                closed += 1
        return closed

    def tab(self, currency: str | None) -> Tab:
        """The tab to write, each contract column shown as the starter shows it (whole units,
        money in the Settings currency, dates), wherever the seller's header put it."""
        width = len(self.header)
        rows = [row + [None] * (width - len(row)) for row in self.rows]
        formats = {str(self.header[j]): kind for key, j in self.columns.items()
                   if (kind := workbook.column_format(self.spec[key]))}  # fmt: skip
        return Tab(self.name, self.header, rows, formats, currency=currency)

    def _column(self, key: str) -> int:
        """The column for KEY, appended to the header if the tab does not have it yet."""
        if key not in self.columns:
            self.header.append(self.spec[key].header)
            self.columns[key] = len(self.header) - 1
        return self.columns[key]

    def get(self, row: list[Any], key: str) -> Any:
        index = self.columns.get(key)
        return row[index] if index is not None and index < len(row) else None

    def set(self, row: list[Any], key: str, value: Any) -> None:
        index = self._column(key)
        if index >= len(row):
            row.extend([None] * (index + 1 - len(row)))
        row[index] = value

    def _key_of(self, row: list[Any]) -> tuple[str, ...]:
        return tuple("" if blank(v := self.get(row, k)) else str(v).strip() for k in self.keys)


def _locate(tab: str, header: list[Any]) -> dict[str, int]:
    """Column key -> index for a header row, by the workbook's names and aliases."""
    names: dict[str, str] = {}
    for col in workbook.SCHEMA[tab]:
        for name in (col.header, col.zh, col.key, *col.aliases):
            if name:
                names.setdefault(workbook.normalize_header(name), col.key)
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = names.get(workbook.normalize_header(cell))
        if key:
            found.setdefault(key, index)
    return found


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _bar(progress: ProgressFn | None, report: Report) -> ByteProgress | None:
    if progress is None:
        return None
    total = report.path.stat().st_size
    label = f"{report.path.name} ({report.kind.label})"
    return lambda done: progress(label, done, total)


def span_note(loaded: Loaded) -> str:
    """The days a file covered, for the summary ("" for a snapshot)."""
    return f"{loaded.first_day} to {loaded.last_day}" if loaded.first_day else ""
