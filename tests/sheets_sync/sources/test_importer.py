"""`stockout import`: real .xlsx workbooks, the shared Amazon samples, the history store."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time

import openpyxl
import pytest
from click.testing import CliRunner

from sheets_sync.backends import parse_target
from sheets_sync.history import HistoryStore
from sheets_sync.source_commands import import_command
from sheets_sync.sources.amazon_reports import ReportError
from sheets_sync.sources.importer import import_files

UNSHIPPED = (
    "order-id\torder-item-id\tpurchase-date\tbuyer-email\tbuyer-name\tsku\tquantity-purchased\t"
    "promise-date\tsales-channel\tproduct-name\n"
    "302-1\t11\t2024-05-01T10:00:00+00:00\tx@marketplace.amazon.de\tJana\tAcne_Serum\t2\t"
    "2024-05-06T23:59:59+00:00\tAmazon.de\tSerum gegen Unreinheiten\n"
    "302-2\t12\t2024-05-02T10:00:00+00:00\tp7@marketplace.amazon.de\tPaul\tNew_SKU\t1\t"
    "2024-05-08\tAmazon.de\tNeues Produkt\n"
)


@pytest.fixture
def samples(shared_dir, tmp_path):
    """Copies of the shared samples (so their mtime, the MYI snapshot day, is today)."""
    folder = tmp_path / "reports"
    folder.mkdir()
    for name in (
        "_GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_.txt",
        "_GET_FBA_MYI_ALL_INVENTORY_DATA_.txt",
    ):
        shutil.copy(shared_dir / "amazon-samples" / name, folder / name)
    (folder / "unshipped.txt").write_text(UNSHIPPED, encoding="utf-8")
    return {
        "orders": folder / "_GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_.txt",
        "myi": folder / "_GET_FBA_MYI_ALL_INVENTORY_DATA_.txt",
        "unshipped": folder / "unshipped.txt",
    }


@pytest.fixture
def book(tmp_path):
    """A seller's workbook: their own columns and values the import must leave alone."""
    path = tmp_path / "book.xlsx"
    wb = openpyxl.Workbook()
    inventory = wb.active
    inventory.title = "Inventory"
    inventory.append(["SKU*", "Available", "Case pack", "Supplier", "My notes"])
    inventory.append(["Acne_Moisturizer", 5, 12, "Guangzhou Co", "hero product"])
    inventory.append(["Not_On_Amazon", 40, 6, "Local", None])
    orders = wb.create_sheet("Orders")
    orders.append(
        ["Order ID", "SKU", "Qty", "Purchase date", "Promised date", "Buyer name", "Follow-up"]
    )
    orders.append(["302-1", "Acne_Serum", 1, dt.datetime(2024, 5, 1), None, "J.", "called her"])
    wb.save(path)
    return path


def rows_of(path, tab):
    sheet = openpyxl.load_workbook(path)[tab]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = values[0]
    return [dict(zip(header, r, strict=False)) for r in values[1:]]


def test_import_fills_inventory_orders_and_the_store(book, samples):
    result = import_files(str(book), [samples["orders"], samples["myi"], samples["unshipped"]])
    assert result.exit_code == 0
    assert (result.inventory_updated, result.inventory_added) == (1, 12)
    assert (result.orders_updated, result.orders_added) == (1, 1)

    inventory = {r["SKU*"]: r for r in rows_of(book, "Inventory")}
    hero = inventory["Acne_Moisturizer"]
    assert (hero["Available"], hero["Reserved"], hero["ASIN"]) == (99, 1, "B01H63526U")
    assert (hero["Case pack"], hero["Supplier"], hero["My notes"]) == (
        12,
        "Guangzhou Co",
        "hero product",
    )
    assert inventory["Not_On_Amazon"]["Available"] == 40  # not in the report: untouched
    assert inventory["Vitamin C Serum"]["Available"] == 219
    assert inventory["Vitamin C Serum"]["Price"] == 19.99
    assert len(inventory) == 14
    sheet = openpyxl.load_workbook(book)["Inventory"]
    header = [c.value for c in sheet[1]]
    shown = {h: sheet.cell(2, header.index(h) + 1).number_format for h in header}
    # Shown as the starter shows them, wherever the seller's header put them: whole units,
    # money (no Settings tab: the default currency); the seller's own column as it was.
    assert shown["Available"] == shown["Case pack"] == "#,##0"
    assert shown["Price"] == '"$"#,##0.00' and shown["My notes"] == "General"

    orders = {r["Order ID"]: r for r in rows_of(book, "Orders")}
    assert orders["302-1"]["Qty"] == 2 and orders["302-1"]["Follow-up"] == "called her"
    assert orders["302-1"]["Buyer name"] == "J."  # typed by the user: kept
    assert orders["302-2"]["SKU"] == "New_SKU" and orders["302-2"]["Language"] == "de"
    # what the delay notice needs: the address, and the item as the German buyer saw it
    assert (orders["302-2"]["Buyer e-mail"], orders["302-2"]["Title"]) == (
        "p7@marketplace.amazon.de",
        "Neues Produkt",
    )
    assert orders["302-1"]["Title"] == "Serum gegen Unreinheiten"
    assert _day(orders["302-2"]["Promised date"]) == dt.date(2024, 5, 8)

    with HistoryStore.for_target(parse_target(book)) as store:
        assert store.daily_units()["units"].sum() == 23
        today = dt.date.today()
        stock = store.daily_stock()
        assert stock.loc[stock["sku"] == "Acne_Moisturizer", "qty"].tolist() == [99]
        assert stock["date"].dt.date.unique().tolist() == [today]
        assert len(store.imports()) == 3


def test_importing_the_same_files_again_changes_nothing(book, samples):
    files = [samples["orders"], samples["myi"]]
    import_files(str(book), files)
    before = book.read_bytes()
    again = import_files(str(book), files)
    assert [f.skipped for f in again.files] == [True, True]
    assert book.read_bytes() == before
    with HistoryStore.for_target(parse_target(book)) as store:
        assert store.daily_units()["units"].sum() == 23


def test_an_unknown_file_stops_the_import_before_anything_changes(book, samples, tmp_path):
    stray = tmp_path / "bank.txt"
    stray.write_text("Datum\tBetrag\n1\t2\n", encoding="utf-8")
    before = book.read_bytes()
    with pytest.raises(ReportError, match="Headers seen: 'Datum', 'Betrag'"):
        import_files(str(book), [samples["orders"], stray])
    assert book.read_bytes() == before
    with HistoryStore.for_target(parse_target(book)) as store:
        assert store.daily_units().empty


def test_sales_import_for_a_google_sheet_needs_no_google_access(samples, tmp_path, monkeypatch):
    monkeypatch.setenv("STOCKOUT_HOME", str(tmp_path / "home"))
    result = import_files("gsheet:1AbCdEfGhIj", [samples["orders"]])
    assert result.store == tmp_path / "home" / "gsheets" / "1AbCdEfGhIj.stockout.sqlite"
    assert result.files[0].note == "2018-07-04 to 2018-07-30"


def test_command_exit_codes_and_summary(book, samples, tmp_path):
    runner = CliRunner()
    ok = runner.invoke(import_command, [str(book), str(samples["orders"]), str(samples["myi"])])
    assert ok.exit_code == 0, ok.output
    assert "All Orders" in ok.output and "Inventory: 1 SKUs updated, 12 added" in ok.output

    bad = tmp_path / "bad.txt"
    bad.write_text(
        "amazon-order-id\tpurchase-date\torder-status\titem-status\tsku\tquantity\n"
        "1\t2024-01-01T10:00:00+00:00\tShipped\tShipped\tA\tlots\n",
        encoding="utf-8",
    )
    partial = runner.invoke(import_command, [str(book), str(bad)])
    assert partial.exit_code == 1
    assert "line 2, quantity 'lots': not a whole number" in partial.output
    worse = tmp_path / "worse.txt"
    worse.write_text(bad.read_text(encoding="utf-8").replace("\n1\t", "\n7\t"), encoding="utf-8")
    as_json = runner.invoke(import_command, [str(book), str(worse), "--json"])
    summary = json.loads(as_json.stdout)
    assert summary["version"] == 1 and summary["problems"] == 1
    (file,) = summary["files"]
    assert file["problem_list"] == [
        {"line": 2, "column": "quantity", "value": "lots", "problem": "not a whole number"}
    ]

    unknown = tmp_path / "unknown.txt"
    unknown.write_text("a\tb\n", encoding="utf-8")
    refused = runner.invoke(import_command, [str(book), str(unknown)])
    assert refused.exit_code == 2 and "Headers seen: 'a', 'b'" in refused.output
    assert "Traceback" not in refused.output

    missing = runner.invoke(import_command, [str(book), str(tmp_path / "nope.txt")])
    assert missing.exit_code == 2


def _day(value):
    return value.date() if isinstance(value, dt.datetime) else value


def test_a_newer_unshipped_report_supersedes_the_previous_one(book, tmp_path):
    """Lines a newer report no longer lists were left pending (delay notices to buyers whose
    parcel had left); a report without a promise date said "skipped" while adding its lines."""
    first = tmp_path / "unshipped-1.txt"
    first.write_text(UNSHIPPED, encoding="utf-8")
    import_files(str(book), [first])
    assert {r["Order ID"]: r["Status"] for r in rows_of(book, "Orders")} == {
        "302-1": "unshipped",
        "302-2": "unshipped",
    }
    wbk = openpyxl.load_workbook(book)
    wbk["Orders"].append(["900-1", "Not_On_Amazon", 1, dt.datetime(2024, 5, 2), None, "Pre-order"])
    wbk.save(book)
    second = tmp_path / "unshipped-2.txt"  # no promise-date column; 302-1 has shipped
    second.write_text(
        "order-id\torder-item-id\tpurchase-date\tbuyer-name\tsku\tquantity-purchased\t"
        "sales-channel\n"
        "302-2\t12\t2024-05-02T10:00:00+00:00\tPaul\tNew_SKU\t1\tAmazon.de\n"
        "302-3\t13\t2024-05-03T10:00:00+00:00\tLea\tAcne_Serum\t1\tAmazon.de\n",
        encoding="utf-8",
    )
    result = import_files(str(book), [second])
    assert result.exit_code == 0 and result.problem_count == 0  # nothing "skipped"
    assert (result.orders_added, result.orders_closed, result.promises_estimated) == (1, 1, 1)
    orders = {r["Order ID"]: r for r in rows_of(book, "Orders")}
    assert orders["302-1"]["Status"] == "shipped or cancelled"
    assert orders["302-1"]["Follow-up"] == "called her"  # the user's note stays
    assert orders["302-2"]["Status"] == "unshipped"
    assert _day(orders["302-2"]["Promised date"]) == dt.date(2024, 5, 8)  # real one kept
    assert _day(orders["302-3"]["Promised date"]) == dt.date(2024, 5, 5)  # 3 May + 2 days
    assert orders["302-3"]["Promise estimated"] == "yes"
    assert orders["900-1"]["Status"] is None  # typed by hand: the user's
    runner = CliRunner()
    third = tmp_path / "unshipped-3.txt"
    third.write_text(second.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    shown = runner.invoke(import_command, [str(book), str(third)])
    assert "skipped" not in shown.output


def _unshipped(path, lines, hours_ago):
    """An unshipped report of (order-id, SKU) LINES downloaded HOURS_AGO (its file's time)."""
    body = "order-id\torder-item-id\tpurchase-date\tbuyer-name\tsku\tquantity-purchased\n"
    for n, (order, sku) in enumerate(lines):
        body += f"{order}\t{n}\t2024-05-0{n + 1}T10:00:00+00:00\tB{n}\t{sku}\t1\n"
    path.write_text(body, encoding="utf-8")
    stamp = time.time() - hours_ago * 3600
    os.utime(path, (stamp, stamp))
    return path


def test_an_older_unshipped_report_imported_late_reopens_nothing(book, tmp_path):
    """Monday's report imported after Tuesday's would have put Tuesday's shipped line back to
    unshipped, and its buyer would get a delay notice for a parcel already on its way."""
    both = [("302-1", "Acne_Serum"), ("302-2", "New_SKU")]
    import_files(str(book), [_unshipped(tmp_path / "mon.txt", both, hours_ago=30)])
    tuesday = import_files(str(book), [_unshipped(tmp_path / "tue.txt", both[1:], hours_ago=6)])
    assert tuesday.orders_closed == 1
    sunday = _unshipped(tmp_path / "sun.txt", [*both, ("302-9", "New_SKU")], hours_ago=50)
    late = import_files(str(book), [sunday])
    status = {r["Order ID"]: r["Status"] for r in rows_of(book, "Orders")}
    assert status == {"302-1": "shipped or cancelled", "302-2": "unshipped"}  # 302-9 not added
    assert (late.orders_added, late.orders_updated, late.orders_closed) == (0, 0, 0)
    [outcome] = late.files
    assert outcome.skipped and outcome.note.startswith("not applied: older than the unshipped")
    saturday = _unshipped(tmp_path / "sat.txt", both[:1], hours_ago=70)
    shown = CliRunner().invoke(import_command, [str(book), str(saturday), "--json"])
    assert shown.exit_code == 0, shown.output
    [summary] = json.loads(shown.stdout)["files"]
    assert summary["skipped"] and "older than the unshipped orders of 20" in summary["note"]
    assert {r["Order ID"]: r["Status"] for r in rows_of(book, "Orders")} == status
    newer = import_files(str(book), [_unshipped(tmp_path / "wed.txt", [], hours_ago=1)])
    assert newer.orders_closed == 1  # a newer one still supersedes


def test_lines_typed_by_hand_are_never_closed_by_a_report(book, tmp_path):
    """The Status column's note says `unshipped` means still to ship, so a seller types it on
    an order taken by phone: no report lists that line, and none may close it."""
    wbk = openpyxl.load_workbook(book)
    wbk["Orders"].append(["T-7", "Not_On_Amazon", 3, dt.datetime(2024, 5, 2), None, "Phone", None])
    wbk["Orders"]["H1"] = "Status"
    wbk["Orders"]["H3"] = "unshipped"
    wbk.save(book)
    import_files(str(book), [_unshipped(tmp_path / "one.txt", [("302-2", "New_SKU")], 3)])
    second = import_files(str(book), [_unshipped(tmp_path / "two.txt", [], hours_ago=2)])
    status = {r["Order ID"]: r["Status"] for r in rows_of(book, "Orders")}
    assert status["T-7"] == "unshipped"  # the seller's line, untouched by both reports
    assert status["302-2"] == "shipped or cancelled" and second.orders_closed == 1
    assert status["302-1"] is None  # typed by hand with no Status: untouched too


def test_a_store_from_before_the_line_record_closes_by_status(tmp_path):
    with HistoryStore(tmp_path / "old.sqlite") as store:
        assert store.unshipped_lines() == set()  # new store: only lines a report listed close
        with store.transaction():
            store.log_import("abc", "unshipped", "old.txt", 3)
        assert store.unshipped_lines() is None  # imported before: every `unshipped` line
        with store.transaction():
            store.remember_unshipped("2026-11-29T10:00:00+00:00", "import", [("1", "A")])
        assert store.unshipped_lines() == {("1", "A")}
        assert store.last_unshipped() == "2026-11-29T10:00:00+00:00"
