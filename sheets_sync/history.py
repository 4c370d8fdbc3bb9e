"""The local history store: what Amazon told us, remembered in one SQLite file per workbook.

Velocity wants a year of daily sales and the days a SKU was out of stock; nobody wants that in a
tab. Imports (`stockout import`) and pulls (`stockout pull`) land here, and the plan reads it back
as DataFrames. The file sits beside the workbook (`book.xlsx` -> `book.stockout.sqlite`) or, for a
Google Sheet, under the user data folder (`$STOCKOUT_HOME`, else the platform's), one file per
spreadsheet id, so moving the workbook with its store keeps the history.

What is stored, and how overlapping imports stay correct:

* **daily_sales** (day, sku, marketplace, source, units, revenue). Each sales report file is
  aggregated to one row per day, SKU and marketplace. A later file of the same source replaces
  the earlier one's days strictly inside its own date range (its first and last day may be partial
  days, so there the larger of the two figures is kept). Re-importing an overlapping file thus
  never counts a day twice.
* Sources: `all_orders` (sales by purchase date) wins over `shipments` (sales by shipment
  date) on every day an All Orders import covered; `daily_units` applies that rule.
* **daily_stock** (day, sku, source, qty): sellable FBA units that day. The FBA daily inventory
  report (`fba_daily`) wins over snapshots (`snapshot`: a Manage FBA Inventory file or SP-API
  inventory summaries, dated the day they were taken).
* **inbound_etas**: the ETA of each Inbound shipment (by Shipment ID) on each refresh day, so
  a post-mortem can see an ETA that slipped and when a shipment first appeared.
* **traffic** (sku, first_day, last_day, sessions, page views, units ordered, unit session
  percentage): the Business Report "Detail Page Sales and Traffic by Child Item" or the SP-API
  Sales and Traffic report, one row per SKU and file. A row covers one day or the range the file
  was downloaded for; the same SKU and span imported again replaces the row.
* **imports**: the sha256 of every file loaded, so loading it again is a no-op.
* **restock**: Amazon's own recommendation, per SKU and marketplace (shown beside ours).
* **fba_inbound**: units Amazon sees inbound (working + shipped + receiving), per SKU. They stay
  here rather than in the Inbound tab: they have no ETA, and the seller's own Inbound rows
  usually describe the same shipments, so copying them would count the stock twice. The Alerts
  tab can show them as Amazon's inbound figure.

The Sales tab and the store are merged by `merge_daily`: per SKU and day, a row the user keeps in
the tab wins, and the store fills every other day.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sheets_sync.types import Target, TargetError

SALES_SOURCES = ("all_orders", "shipments")
STOCK_SOURCES = ("fba_daily", "snapshot")


@dataclass(frozen=True)
class TrafficRow:
    """One SKU's detail-page traffic over the days first_day..last_day (ISO, inclusive)."""

    sku: str
    first_day: str
    last_day: str
    sessions: int
    units: int
    page_views: int | None = None
    unit_session_pct: float | None = None
    asin: str = ""
    source: str = "business_report"


#: (day ISO, sku, marketplace) -> (units, revenue), the shape a sales parser yields per chunk.
SalesChunk = Mapping[tuple[str, str, str], tuple[int, float]]

# One script per schema version; PRAGMA user_version says how many have run. Append, never edit.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE daily_sales (
        day TEXT NOT NULL, sku TEXT NOT NULL, marketplace TEXT NOT NULL, source TEXT NOT NULL,
        units INTEGER NOT NULL, revenue REAL NOT NULL DEFAULT 0,
        PRIMARY KEY (day, sku, marketplace, source)
    ) WITHOUT ROWID;
    CREATE TABLE daily_stock (
        day TEXT NOT NULL, sku TEXT NOT NULL, source TEXT NOT NULL, qty INTEGER NOT NULL,
        PRIMARY KEY (day, sku, source)
    ) WITHOUT ROWID;
    CREATE TABLE imports (
        sha256 TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, rows INTEGER NOT NULL,
        first_day TEXT, last_day TEXT, imported_at TEXT NOT NULL
    );
    CREATE TABLE restock (
        sku TEXT NOT NULL, marketplace TEXT NOT NULL, amazon_qty INTEGER, amazon_date TEXT,
        as_of TEXT NOT NULL, PRIMARY KEY (sku, marketplace)
    );
    CREATE TABLE fba_inbound (
        sku TEXT PRIMARY KEY, working INTEGER NOT NULL, shipped INTEGER NOT NULL,
        receiving INTEGER NOT NULL, as_of TEXT NOT NULL
    );
    """,
    # The last value each input formula had, for a file saved without formula values
    # (`sheets_sync.formula_values`). JSON, so text, numbers and booleans keep their type.
    """
    CREATE TABLE formula_values (
        tab TEXT NOT NULL, cell TEXT NOT NULL, formula TEXT NOT NULL, value TEXT NOT NULL,
        seen TEXT NOT NULL, PRIMARY KEY (tab, cell)
    ) WITHOUT ROWID;
    """,
    # Each refresh's Inbound ETAs, so a post-mortem can tell a shipment that slipped
    # (`addin.incident_causes`). One row per shipment, SKU and refresh day.
    """
    CREATE TABLE inbound_etas (
        shipment_id TEXT NOT NULL, sku TEXT NOT NULL, seen TEXT NOT NULL, eta TEXT NOT NULL,
        qty REAL NOT NULL, supplier TEXT NOT NULL DEFAULT '', status TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (shipment_id, sku, seen)
    ) WITHOUT ROWID;
    """,
    # Unshipped-order snapshots (`stockout import`, `stockout pull`): when each was taken, so an
    # older report imported late cannot reopen lines, and which Orders lines a report listed,
    # so a line the seller typed by hand is never closed by one.
    """
    CREATE TABLE unshipped_snapshots (
        taken TEXT NOT NULL, source TEXT NOT NULL, lines INTEGER NOT NULL,
        PRIMARY KEY (taken, source)
    ) WITHOUT ROWID;
    CREATE TABLE unshipped_lines (
        order_id TEXT NOT NULL, sku TEXT NOT NULL, taken TEXT NOT NULL,
        PRIMARY KEY (order_id, sku)
    ) WITHOUT ROWID;
    """,
    # Sessions, page views and units ordered per SKU (Business Report, SP-API Sales and
    # Traffic) for the relaunch tracker (`addin.relaunch`). A row covers the days first_day to
    # last_day: one day, or the range of a Business Report downloaded for several days.
    """
    CREATE TABLE traffic (
        sku TEXT NOT NULL, first_day TEXT NOT NULL, last_day TEXT NOT NULL,
        asin TEXT NOT NULL DEFAULT '', sessions INTEGER NOT NULL, page_views INTEGER,
        units INTEGER NOT NULL, unit_session_pct REAL, source TEXT NOT NULL,
        PRIMARY KEY (sku, first_day, last_day)
    ) WITHOUT ROWID;
    """,
)


class HistoryStore:
    """One SQLite history file. Open with `for_target`, close with `close()` or `with`
    (which also turns SQLite's refusals into a `TargetError`, see `__exit__`)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        with self.errors("open"):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Autocommit mode: `transaction()` draws the boundaries explicitly.
            self._db = sqlite3.connect(self.path, isolation_level=None)
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
                self._migrate()
            except BaseException:
                self._db.close()
                raise

    @contextmanager
    def errors(self, action: str) -> Iterator[None]:
        """SQLite's and the disk's refusals (not a database, read-only, locked, disk full) as a
        TargetError naming the file: a refusal the user can act on, not a crash."""
        try:
            yield
        except (sqlite3.Error, OSError) as exc:
            raise self._refusal(action, exc) from exc

    def _refusal(self, action: str, exc: Exception) -> TargetError:
        damaged = isinstance(exc, sqlite3.DatabaseError | sqlite3.IntegrityError) and not (
            isinstance(exc, sqlite3.OperationalError)
        )
        if damaged:
            hint = "if the file is damaged, move it away (the next import starts a new one)"
        elif "locked" in str(exc):
            hint = "another import, pull or refresh is using it: try again in a minute"
        else:
            hint = "check that the file and its folder are writable and the disk not full"
        return TargetError(f"{self.path}: cannot {action} the history store ({exc}); {hint}")

    @classmethod
    def for_target(cls, target: Target) -> HistoryStore:
        return cls(target.store_path)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, kind: object, exc: BaseException | None, trace: object) -> None:
        """Close; SQLite's refusal inside the `with` block (a store damaged past its first
        page, locked, read-only) leaves it as a `TargetError` naming the file."""
        self.close()
        if isinstance(exc, sqlite3.Error):
            raise self._refusal("read", exc) from exc

    @property
    def schema_version(self) -> int:
        return self._db.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        version = self.schema_version
        if version > len(MIGRATIONS):
            raise TargetError(
                f"{self.path} was written by a newer stockout-kit (schema {version}); "
                "upgrade stockout-kit to read it"
            )
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            # executescript commits first; the version bump rides in the same script.
            self._db.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All-or-nothing: a file's rows and its import-log entry land together or not at all.

        SQLite's refusals inside (a locked, read-only or damaged store, a full disk) come out
        as a `TargetError` (see `errors`), so a command stopped by one refuses in one sentence.
        """
        with self.errors("write"):
            self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException as exc:
            with suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise self._refusal("write", exc) from exc
            raise
        with self.errors("write"):
            self._db.execute("COMMIT")

    # -- writing (inside `transaction()`) ---------------------------------------------------

    def is_imported(self, sha256: str) -> bool:
        found = self._db.execute("SELECT 1 FROM imports WHERE sha256 = ?", (sha256,)).fetchone()
        return found is not None

    def log_import(
        self,
        sha256: str,
        kind: str,
        name: str,
        rows: int,
        first_day: str | None = None,
        last_day: str | None = None,
    ) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO imports VALUES (?, ?, ?, ?, ?, ?, ?)",
            (sha256, kind, name, rows, first_day, last_day, _now()),
        )

    def add_sales(self, chunks: Iterable[SalesChunk], source: str) -> tuple[str, str] | None:
        """Load a sales file, chunk by chunk; return its (first day, last day), None if empty.

        Chunks are summed in a staging table, so a file of millions of lines never has to fit
        in memory; then the file's days replace the same source's days (see the module doc).
        """
        if source not in SALES_SOURCES:
            raise ValueError(f"unknown sales source {source!r}")
        db = self._db
        db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS stage_sales (day TEXT, sku TEXT, marketplace TEXT,"
            " units INTEGER, revenue REAL, PRIMARY KEY (day, sku, marketplace)) WITHOUT ROWID"
        )
        db.execute("DELETE FROM stage_sales")
        for chunk in chunks:
            db.executemany(
                "INSERT INTO stage_sales VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET"
                " units = units + excluded.units, revenue = revenue + excluded.revenue",
                ((*key, units, revenue) for key, (units, revenue) in chunk.items()),
            )
        first, last = db.execute("SELECT min(day), max(day) FROM stage_sales").fetchone()
        if first is None:
            return None
        db.execute(
            "DELETE FROM daily_sales WHERE source = ? AND day > ? AND day < ?"
            " AND marketplace IN (SELECT DISTINCT marketplace FROM stage_sales)",
            (source, first, last),
        )
        db.execute(
            "INSERT INTO daily_sales (day, sku, marketplace, source, units, revenue)"
            " SELECT day, sku, marketplace, ?, units, revenue FROM stage_sales WHERE true"
            " ON CONFLICT DO UPDATE SET units = max(units, excluded.units),"
            " revenue = max(revenue, excluded.revenue)",
            (source,),
        )
        db.execute("DELETE FROM stage_sales")
        return first, last

    def put_stock(self, rows: Iterable[tuple[str, str, int]], source: str) -> None:
        """Set sellable units per (day ISO, sku); a later figure for the same day replaces."""
        if source not in STOCK_SOURCES:
            raise ValueError(f"unknown stock source {source!r}")
        self._db.executemany(
            "INSERT INTO daily_stock VALUES (?, ?, ?, ?)"
            " ON CONFLICT DO UPDATE SET qty = excluded.qty",
            ((day, sku, source, qty) for day, sku, qty in rows),
        )

    def put_restock(
        self, rows: Iterable[tuple[str, str, int | None, str | None]], as_of: dt.date
    ) -> None:
        """Replace Amazon's recommendations (sku, marketplace, qty, date ISO) per marketplace."""
        rows = list(rows)
        for marketplace in {row[1] for row in rows}:
            self._db.execute("DELETE FROM restock WHERE marketplace = ?", (marketplace,))
        self._db.executemany(
            "INSERT OR REPLACE INTO restock VALUES (?, ?, ?, ?, ?)",
            ((*row, as_of.isoformat()) for row in rows),
        )

    def put_inbound(self, rows: Iterable[tuple[str, int, int, int]], as_of: dt.date) -> None:
        """Replace Amazon's inbound picture: (sku, working, shipped, receiving) per SKU."""
        self._db.execute("DELETE FROM fba_inbound")
        self._db.executemany(
            "INSERT OR REPLACE INTO fba_inbound VALUES (?, ?, ?, ?, ?)",
            ((*row, as_of.isoformat()) for row in rows),
        )

    def remember_inbound_etas(
        self, rows: Iterable[tuple[str, str, dt.date, float, str, str]], seen: dt.date
    ) -> None:
        """Keep today's ETA of each shipment: (shipment_id, sku, eta, qty, supplier, status)."""
        with self.transaction():
            self._db.executemany(
                "INSERT OR REPLACE INTO inbound_etas VALUES (?, ?, ?, ?, ?, ?, ?)",
                ((sid, sku, seen.isoformat(), eta.isoformat(), qty, supplier, status)
                 for sid, sku, eta, qty, supplier, status in rows),
            )  # fmt: skip

    def remember_unshipped(self, taken: str, source: str, lines: Iterable[tuple[str, str]]) -> None:
        """An unshipped-orders snapshot applied to Orders: its time (ISO, UTC) and its lines."""
        keys = set(lines)
        self._db.execute(
            "INSERT OR REPLACE INTO unshipped_snapshots VALUES (?, ?, ?)",
            (taken, source, len(keys)),
        )
        self._db.executemany(
            "INSERT OR REPLACE INTO unshipped_lines VALUES (?, ?, ?)",
            ((order_id, sku, taken) for order_id, sku in keys),
        )

    def put_traffic(self, rows: Iterable[TrafficRow]) -> None:
        """Set each SKU's traffic over a span of days; the same SKU and span replaces."""
        self._db.executemany(
            "INSERT OR REPLACE INTO traffic VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ((r.sku, r.first_day, r.last_day, r.asin, r.sessions, r.page_views, r.units,
              r.unit_session_pct, r.source) for r in rows),
        )  # fmt: skip

    # -- reading (for the plan) ---------------------------------------------------------------

    def daily_units(self, since: dt.date | None = None) -> pd.DataFrame:
        """Units sold per day and SKU, all marketplaces summed: columns date, sku, units.

        Days an All Orders import covered use only All Orders figures; shipment figures fill
        the other days (the two reports count the same sale on different days).
        """
        frame = self._query(
            "SELECT day AS date, sku, SUM(units) AS units FROM daily_sales AS s"
            " WHERE day >= ? AND (source = 'all_orders' OR NOT EXISTS ("
            "   SELECT 1 FROM imports AS i WHERE i.kind = 'all_orders'"
            "   AND s.day BETWEEN i.first_day AND i.last_day))"
            " GROUP BY day, sku ORDER BY sku, day",
            (_since(since),),
        )
        return _typed(frame, date="date", units="int64")

    def daily_stock(self, since: dt.date | None = None) -> pd.DataFrame:
        """Sellable FBA units per day and SKU (in stock when qty > 0): columns date, sku, qty."""
        frame = self._query(
            "SELECT day AS date, sku, qty FROM daily_stock AS s WHERE day >= ? AND ("
            " source = 'fba_daily' OR NOT EXISTS (SELECT 1 FROM daily_stock AS t"
            "   WHERE t.day = s.day AND t.sku = s.sku AND t.source = 'fba_daily'))"
            " ORDER BY sku, day",
            (_since(since),),
        )
        return _typed(frame, date="date", qty="int64")

    def traffic(self, since: dt.date | None = None) -> pd.DataFrame:
        """Traffic rows ending on or after SINCE: sku, first_day, last_day, sessions,
        page_views, units, unit_session_pct."""
        frame = self._query(
            "SELECT sku, first_day, last_day, sessions, page_views, units, unit_session_pct"
            " FROM traffic WHERE last_day >= ? ORDER BY sku, first_day, last_day",
            (_since(since),),
        )
        return _typed(frame, first_day="date", last_day="date")

    def formula_values(self) -> dict[tuple[str, str, str], Any]:
        """(tab, cell, formula) -> the value a refresh last saw for that formula there."""
        rows = self._db.execute("SELECT tab, cell, formula, value FROM formula_values")
        return {(tab, cell, formula): json.loads(value) for tab, cell, formula, value in rows}

    def remember_formula_values(self, seen: Iterable[tuple[str, str, str, Any]]) -> None:
        """Keep the value each input formula has now (dates as ISO text)."""
        now = dt.datetime.now().isoformat(timespec="seconds")
        rows = [(tab, cell, formula, json.dumps(value, default=str), now)
                for tab, cell, formula, value in seen]  # fmt: skip
        with self.transaction():
            self._db.executemany(
                "INSERT OR REPLACE INTO formula_values VALUES (?, ?, ?, ?, ?)", rows
            )

    def restock(self) -> pd.DataFrame:
        """Amazon's recommendation per SKU (marketplaces summed, earliest date): sku,
        amazon_qty, amazon_date."""
        frame = self._query(
            "SELECT sku, SUM(amazon_qty) AS amazon_qty, MIN(amazon_date) AS amazon_date"
            " FROM restock GROUP BY sku ORDER BY sku"
        )
        return _typed(frame, amazon_date="date", amazon_qty="Int64")

    def fba_inbound(self) -> pd.DataFrame:
        """Units Amazon sees inbound per SKU: sku, inbound (working + shipped + receiving),
        as_of (the day of the inventory snapshot)."""
        frame = self._query(
            "SELECT sku, working + shipped + receiving AS inbound, as_of FROM fba_inbound"
            " ORDER BY sku"
        )
        return _typed(frame, as_of="date", inbound="int64")

    def inbound_etas(self) -> pd.DataFrame:
        """Every ETA a refresh saw: shipment_id, sku, seen, eta, qty, supplier, status."""
        frame = self._query("SELECT * FROM inbound_etas ORDER BY sku, shipment_id, seen")
        return _typed(frame, seen="date", eta="date")

    def last_unshipped(self) -> str | None:
        """When the newest unshipped-orders snapshot applied to Orders was taken (ISO, UTC)."""
        return self._db.execute("SELECT MAX(taken) FROM unshipped_snapshots").fetchone()[0]

    def unshipped_lines(self) -> set[tuple[str, str]] | None:
        """(order id, SKU) of every Orders line a snapshot listed; None for a store whose
        unshipped imports predate this record (every `unshipped` line counts as a report's)."""
        found = {(o, s) for o, s in self._db.execute("SELECT order_id, sku FROM unshipped_lines")}
        if found or self.last_unshipped() is not None:
            return found
        legacy = self._db.execute("SELECT 1 FROM imports WHERE kind = 'unshipped'").fetchone()
        return None if legacy else found

    def sales_spans(self) -> pd.DataFrame:
        """The days each sales import covered (columns first_day, last_day), oldest first: a
        listed SKU with no row on such a day sold nothing that day (see `plan.compute_plan`)."""
        return self._query(
            "SELECT first_day, last_day FROM imports WHERE kind IN (?, ?)"
            " AND first_day IS NOT NULL AND last_day IS NOT NULL ORDER BY first_day",
            SALES_SOURCES,
        )

    def imports(self) -> pd.DataFrame:
        """The import log, newest first: sha256, kind, name, rows, first_day, last_day,
        imported_at."""
        return self._query("SELECT * FROM imports ORDER BY imported_at DESC")

    def _query(self, sql: str, params: tuple = ()) -> pd.DataFrame:
        cursor = self._db.execute(sql, params)
        columns = [c[0] for c in cursor.description]
        return pd.DataFrame(cursor.fetchall(), columns=columns)


def merge_daily(tab_sales: pd.DataFrame, store_sales: pd.DataFrame) -> pd.DataFrame:
    """Combine the Sales tab with the store without counting a day twice.

    Rule: per SKU and day, the tab's rows win when the tab has any row for that SKU and day;
    otherwise the store's row is used. Both frames need columns `date` and `sku`; other columns
    (units, in_stock, ...) are carried through. The result is sorted by sku and date.
    """
    tab = tab_sales.assign(date=pd.to_datetime(tab_sales["date"]).dt.normalize())
    store = store_sales.assign(date=pd.to_datetime(store_sales["date"]).dt.normalize())
    keys = pd.MultiIndex.from_frame(tab[["date", "sku"]])
    from_store = store[~pd.MultiIndex.from_frame(store[["date", "sku"]]).isin(keys)]
    merged = pd.concat([tab, from_store], ignore_index=True)
    return merged.sort_values(["sku", "date"], kind="stable").reset_index(drop=True)


def _since(since: dt.date | None) -> str:
    return since.isoformat() if since else ""


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _typed(frame: pd.DataFrame, **types: str) -> pd.DataFrame:
    """Give store columns their pandas types (`date` means datetime64 day)."""
    for column, kind in types.items():
        if kind == "date":
            frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
        else:
            frame[column] = frame[column].astype(kind)
    return frame
