"""The relaunch tracker end to end: a real .xlsx, its history store with traffic, a refresh."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from addin.decisions import TRAFFIC_HINT
from sheets_sync.backends import parse_target
from sheets_sync.history import HistoryStore, TrafficRow
from sheets_sync.refresh import refresh
from tests.sheets_sync.test_refresh import AS_OF, by_sku, day, make_book, sheet_rows

BACK = AS_OF  # C-3 is out for the five days before AS_OF and sells again from AS_OF on
LATER = AS_OF + dt.timedelta(days=4)


def iso(n: int) -> str:
    return (AS_OF + dt.timedelta(days=n)).isoformat()


def back_in_stock(book: Path) -> None:
    """Refresh once (the Incidents log opens C-3's stockout), then stock and sales return."""
    refresh(str(book), as_of=AS_OF)
    wbk = openpyxl.load_workbook(book)
    wbk["Inventory"]["D4"] = 400
    for n in range(4):
        wbk["Sales"].append([day(n), "C-3", 6, True])
    wbk.save(book)


def relaunch_words(book: Path, sku: str = "C-3") -> str:
    """The SKU's Action and Other options cells: RELAUNCH is often an option after the best."""
    row = by_sku(sheet_rows(book, "Alerts"))[sku]
    return f"{row['Action']} · {row['Other options'] or ''}"


def put_traffic(book: Path, *rows: TrafficRow) -> None:
    with HistoryStore.for_target(parse_target(str(book))) as store, store.transaction():
        store.put_traffic(rows)


def test_with_traffic_the_relaunch_action_watches_conversion(tmp_path: Path) -> None:
    book = make_book(tmp_path / "book.xlsx")
    back_in_stock(book)
    wbk = openpyxl.load_workbook(book)
    wbk["Settings"].append(["category_cvr_pct", "10%"])  # typed as a percentage
    wbk.save(book)
    put_traffic(
        book,
        # 28 days before the stockout as one range download: 11.8 %.
        TrafficRow("C-3", iso(-33), iso(-6), 2000, 236),
        # Since the restock, day by day: 4 %, 5 %, 6 %, 7 %.
        *(TrafficRow("C-3", iso(n), iso(n), 100, 4 + n) for n in range(4)),
        TrafficRow("A-1", iso(0), iso(0), 50, 5),  # not relaunching: ignored
    )
    result = refresh(str(book), as_of=LATER)
    assert result.exit_code == 0, result.problems
    action = relaunch_words(book)
    assert (
        "RELAUNCH: CVR 6 % vs 11.8 % before, category 10 %, 100 sessions a day vs 71 before:"
        " working, up from 5 %; keep the 20 % coupon 3 more days (to 2026-12-01), ads +30 %"
        " until conversion is back, at the latest 2026-12-09"
    ) in action
    assert TRAFFIC_HINT not in action
    assert "CVR" not in relaunch_words(book, "A-1")
    drafts = {r[0]: r for r in sheet_rows(book, "Drafts")[1:]}
    body = drafts["relaunch_plan:C-3:2026-11-20"][7]
    assert "  November 28, 2026: 100 sessions, 7 units, 7 %" in body
    assert "It is working: 6 % over the last 3 days, up from 5 % in the first 3." in body


def test_conversion_back_closes_the_relaunch_and_without_traffic_it_says_what_would_help(
    tmp_path: Path,
) -> None:
    book = make_book(tmp_path / "book.xlsx")
    back_in_stock(book)
    refresh(str(book), as_of=LATER)
    action = relaunch_words(book)
    assert f"RELAUNCH: back in stock 4 days: 20 % coupon for 7 days, ad budget +30 %, watch " \
        f"conversion ({TRAFFIC_HINT})" in action  # fmt: skip
    wbk = openpyxl.load_workbook(book)
    header = [c.value for c in wbk["Inventory"][1]]
    column = header.index("Category CVR %") + 1
    wbk["Inventory"].cell(4, column, 0.05)  # 5 %, in a cell formatted as a percentage
    wbk.save(book)
    put_traffic(book, *(TrafficRow("C-3", iso(n), iso(n), 100, 5 + n) for n in range(4)))
    refresh(str(book), as_of=LATER)
    action = relaunch_words(book)
    assert (
        "RELAUNCH: CVR 7 %, category 5 %: conversion is back since 2026-11-26, end the coupon"
        " and the ad boost: relaunch closed"
    ) in action
