"""The history store: where it lives, how imports overlap, what the plan reads back."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pandas as pd
import pytest

from sheets_sync.history import MIGRATIONS, HistoryStore, merge_daily
from sheets_sync.types import TargetError


@pytest.fixture
def store(tmp_path):
    with HistoryStore(tmp_path / "book.stockout.sqlite") as opened:
        yield opened


def sales(store, rows, source="all_orders"):
    """Load {(day, sku, marketplace): units} as one file, in two chunks to exercise summing."""
    items = [((d, s, m), (u, u * 10.0)) for (d, s, m), u in rows.items()]
    half = len(items) // 2
    with store.transaction():
        span = store.add_sales([dict(items[:half]), dict(items[half:])], source)
        store.log_import(f"sha-{source}-{sorted(rows)}", source, "file.txt", len(rows), *span)
    return span


def units(store, since=None):
    frame = store.daily_units(since)
    return {(d.date().isoformat(), s): u for d, s, u in frame.itertuples(index=False)}


def test_new_store_runs_every_migration_and_refuses_a_newer_schema(tmp_path):
    path = tmp_path / "s.sqlite"
    with HistoryStore(path) as store:
        assert store.schema_version == len(MIGRATIONS)
        assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    db.close()
    with pytest.raises(TargetError, match="newer stockout-kit"):
        HistoryStore(path)


def test_daily_units_sum_marketplaces_and_chunks(store):
    span = sales(store, {("2024-03-01", "A", "amazon.com"): 2, ("2024-03-01", "A", "amazon.ca"): 1,
                         ("2024-03-02", "B", "amazon.com"): 4})  # fmt: skip
    assert span == ("2024-03-01", "2024-03-02")
    assert units(store) == {("2024-03-01", "A"): 3, ("2024-03-02", "B"): 4}
    frame = store.daily_units(dt.date(2024, 3, 2))
    assert list(frame.columns) == ["date", "sku", "units"]
    assert frame["date"].dtype == "datetime64[ns]" and len(frame) == 1


def test_overlapping_files_never_count_a_day_twice(store):
    # January 1-10, then a file covering Jan 5-15 whose first day (5th) is partial.
    sales(store, {(f"2024-01-{d:02}", "A", "amazon.com"): 5 for d in range(1, 11)})
    second = {(f"2024-01-{d:02}", "A", "amazon.com"): 7 for d in range(6, 16)}
    second[("2024-01-05", "A", "amazon.com")] = 1  # partial edge day: the full 5 is kept
    sales(store, second)
    got = units(store)
    assert got[("2024-01-04", "A")] == 5
    assert got[("2024-01-05", "A")] == 5
    assert got[("2024-01-08", "A")] == 7  # inside the newer file: replaced, not added
    assert got[("2024-01-15", "A")] == 7
    assert sum(got.values()) == 4 * 5 + 5 + 10 * 7


def test_a_later_file_removes_sales_that_were_cancelled_since(store):
    sales(store, {("2024-01-01", "A", "amazon.com"): 1, ("2024-01-02", "A", "amazon.com"): 3,
                  ("2024-01-03", "A", "amazon.com"): 1})  # fmt: skip
    sales(store, {("2024-01-01", "B", "amazon.com"): 1, ("2024-01-03", "B", "amazon.com"): 1})
    assert ("2024-01-02", "A") not in units(store)


def test_other_marketplaces_survive_an_overlapping_file(store):
    sales(store, {(f"2024-01-0{d}", "A", "amazon.de"): 2 for d in range(1, 6)})
    sales(store, {(f"2024-01-0{d}", "A", "amazon.com"): 1 for d in range(1, 6)})
    assert units(store)[("2024-01-03", "A")] == 3


def test_all_orders_days_win_over_shipments(store):
    sales(store, {("2024-02-01", "A", "amazon.com"): 2, ("2024-02-03", "A", "amazon.com"): 2},
          "all_orders")  # fmt: skip
    sales(store, {("2024-02-02", "A", "amazon.com"): 9, ("2024-02-10", "A", "amazon.com"): 4},
          "shipments")  # fmt: skip
    # Feb 2 is inside the All Orders file (no sale that day); Feb 10 only shipments know.
    assert units(store) == {("2024-02-01", "A"): 2, ("2024-02-03", "A"): 2, ("2024-02-10", "A"): 4}


def test_daily_stock_prefers_the_daily_report_over_snapshots(store):
    with store.transaction():
        store.put_stock([("2024-05-01", "A", 4), ("2024-05-02", "A", 9)], "snapshot")
        store.put_stock([("2024-05-01", "A", 0)], "fba_daily")
    frame = store.daily_stock()
    assert list(frame.columns) == ["date", "sku", "qty"]
    assert frame["qty"].tolist() == [0, 9]


def test_restock_sums_marketplaces_and_a_new_report_replaces_its_marketplace(store):
    with store.transaction():
        store.put_restock([("A", "amazon.com", 100, "2024-06-10"), ("B", "amazon.com", 5, None),
                           ("A", "amazon.ca", 20, "2024-06-01")], dt.date(2024, 6, 1))  # fmt: skip
        store.put_restock([("A", "amazon.com", 60, "2024-06-20")], dt.date(2024, 6, 2))
    frame = store.restock()
    assert frame["sku"].tolist() == ["A"]
    assert frame["amazon_qty"].tolist() == [80]
    assert frame["amazon_date"].tolist() == [pd.Timestamp("2024-06-01")]


def test_fba_inbound_adds_the_three_stages(store):
    with store.transaction():
        store.put_inbound([("A", 10, 20, 3)], dt.date(2024, 6, 1))
    frame = store.fba_inbound()
    assert frame.to_dict("records") == [
        {"sku": "A", "inbound": 33, "as_of": pd.Timestamp("2024-06-01")}
    ]


def test_a_failed_import_leaves_no_trace(store):
    def broken():
        yield {("2024-01-01", "A", "amazon.com"): (1, 1.0)}
        raise OSError("disk gone")

    with pytest.raises(OSError), store.transaction():
        store.add_sales(broken(), "all_orders")
        store.log_import("sha", "all_orders", "f", 1)
    assert units(store) == {} and not store.is_imported("sha")


def test_merge_daily_takes_the_tab_row_when_there_is_one():
    tab = pd.DataFrame({"date": ["2024-01-02", "2024-01-03"], "sku": ["A", "A"],
                        "units": [10, 0], "in_stock": [True, False]})  # fmt: skip
    store = pd.DataFrame({"date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-02"]),
                          "sku": ["A", "A", "B"], "units": [3, 4, 5]})  # fmt: skip
    merged = merge_daily(tab, store)
    got = [
        (d.date().isoformat(), s, u)
        for d, s, u in merged[["date", "sku", "units"]].itertuples(index=False)
    ]
    assert got == [("2024-01-01", "A", 3), ("2024-01-02", "A", 10), ("2024-01-03", "A", 0),
                   ("2024-01-02", "B", 5)]  # fmt: skip
    assert merged["units"].sum() == 18


def test_merge_daily_with_an_empty_side():
    store = pd.DataFrame({"date": pd.to_datetime(["2024-01-01"]), "sku": ["A"], "units": [3]})
    empty = pd.DataFrame({"date": pd.Series([], dtype="datetime64[ns]"), "sku": [], "units": []})
    assert merge_daily(empty, store)["units"].tolist() == [3]
    assert merge_daily(store, empty)["units"].tolist() == [3]


def test_traffic_rows_keep_their_span_and_a_reimport_replaces_the_same_span(store):
    from sheets_sync.history import TrafficRow

    with store.transaction():
        store.put_traffic([
            TrafficRow("A", "2026-10-04", "2026-10-31", 2000, 236, 2600, 11.8, "B0A"),
            TrafficRow("A", "2026-11-20", "2026-11-20", 49, 3, 60, 6.12, "B0A"),
            TrafficRow("B", "2026-11-20", "2026-11-20", 10, 1, source="sales_and_traffic"),
        ])  # fmt: skip
    with store.transaction():
        store.put_traffic([TrafficRow("A", "2026-11-20", "2026-11-20", 50, 4, 61, 8.0, "B0A")])
    frame = store.traffic()
    assert list(frame.columns) == ["sku", "first_day", "last_day", "sessions", "page_views",
                                   "units", "unit_session_pct"]  # fmt: skip
    rows = [(r.sku, r.first_day.date().isoformat(), r.last_day.date().isoformat(), r.sessions,
             r.units) for r in frame.itertuples()]  # fmt: skip
    assert rows == [("A", "2026-10-04", "2026-10-31", 2000, 236),
                    ("A", "2026-11-20", "2026-11-20", 50, 4),
                    ("B", "2026-11-20", "2026-11-20", 10, 1)]  # fmt: skip
    assert len(store.traffic(dt.date(2026, 11, 1))) == 2  # the October range ended before
