"""End to end on the local default: a real .xlsx written, refreshed, and opened back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from sheets_sync import workbook as wb
from sheets_sync.cli import write_new_workbook
from sheets_sync.refresh import refresh

AS_OF = dt.date(2026, 11, 25)


def day(n: int) -> dt.datetime:
    return dt.datetime.combine(AS_OF + dt.timedelta(days=n), dt.time())


def sales_rows(sku: str, units: float, days: int = 90, out_last: int = 0) -> list[list]:
    rows = []
    for back in range(days, 0, -1):
        out = back <= out_last
        rows.append([day(-back), sku, 0 if out else units, not out])
    return rows


def make_book(path: Path, **extra: list[list]) -> Path:
    tabs = wb.starter_tabs()
    tabs[wb.INVENTORY] += [
        ["A-1", "B0A", "Steady seller", 50, 0, 30, 20, None, 12],
        ["B-2", "B0B", '=HYPERLINK("http://x") not a formula', 600, 0, 0, 10, None, 6],
        ["C-3", "B0C", "Out now", 0, 0, 0, 25],
    ]
    tabs[wb.SALES] += sales_rows("A-1", 5) + sales_rows("B-2", 5) + sales_rows("C-3", 8, out_last=5)
    tabs[wb.INBOUND] += [["A-1", 500, day(40), "sea", "FBA1", "shipped"]]
    for tab, rows in extra.items():
        tabs[tab] += rows
    write_new_workbook(path, tabs)
    return path


def sheet_rows(path: Path, tab: str) -> list[list]:
    book = openpyxl.load_workbook(path)
    return [list(r) for r in book[tab].iter_rows(values_only=True)]


def by_sku(rows: list[list]) -> dict[str, dict]:
    header = rows[0]
    return {r[0]: dict(zip(header, r, strict=False)) for r in rows[1:]}


def refreshed_with_user_column(path: Path, header: str, fill) -> tuple[openpyxl.Workbook, int]:
    """Refresh, then add a user column to Alerts as a person would: `fill(row, sku)` per row."""
    refresh(str(path), as_of=AS_OF)
    book = openpyxl.load_workbook(path)
    alerts = book["Alerts"]
    col = alerts.max_column + 1
    alerts.cell(1, col, header)
    for row in range(2, alerts.max_row + 1):
        alerts.cell(row, col, fill(row, alerts.cell(row, 1).value))
    return book, col


def test_refresh_writes_the_numbers_users_see(tmp_path: Path) -> None:
    book = make_book(tmp_path / "book.xlsx")
    result = refresh(str(book), as_of=AS_OF)
    assert result.exit_code == 0
    alerts = by_sku(sheet_rows(book, "Alerts"))
    a = alerts["A-1"]
    assert a["Daily sales"] == 5
    assert a["Days of cover"] == 10
    assert a["Stockout date"] == day(10)
    assert a["Next inbound ETA"] == day(40)
    assert a["Gap days"] == 30 and a["Lost units"] == 150 and a["Lost revenue"] == 3000
    assert a["Alert"] == "WARNING"
    assert a["Action"].startswith("SWITCH TO FBM")
    assert alerts["C-3"]["Alert"] == "OUT"
    # Most urgent first.
    assert list(alerts)[:2] == ["C-3", "A-1"]
    # A title that looks like a formula stays text.
    book_obj = openpyxl.load_workbook(book)
    title = [c for c in book_obj["Alerts"]["B"] if c.value and str(c.value).startswith("=")]
    assert title and all(c.data_type == "s" for c in title)


def test_user_columns_and_rows_survive_a_refresh(tmp_path: Path) -> None:
    book = make_book(tmp_path / "book.xlsx")
    wbk, _ = refreshed_with_user_column(book, "My note", lambda _row, sku: f"note for {sku}")
    wbk["Alerts"].append([None, "Reviewed by Anna on Monday"])  # a row of her own, no SKU
    wbk["Inventory"].cell(1, 20, "Buyer")
    wbk["Inventory"].cell(2, 20, "Anna")
    wbk.save(book)
    # Stock changes so the order of SKUs changes: notes must follow their SKU.
    wbk = openpyxl.load_workbook(book)
    wbk["Inventory"]["D4"] = 3000
    wbk.save(book)
    refresh(str(book), as_of=AS_OF)
    rows = sheet_rows(book, "Alerts")
    assert rows[-1][:2] == [None, "Reviewed by Anna on Monday"]
    alerts = by_sku(rows[:-1])
    assert {sku: r["My note"] for sku, r in alerts.items()} == {
        sku: f"note for {sku}" for sku in alerts
    }
    inventory = sheet_rows(book, "Inventory")
    assert inventory[0][19] == "Buyer" and inventory[1][19] == "Anna"
    # The previous versions are kept as backups.
    assert len(list((tmp_path / "book.backups").glob("book *.xlsx"))) >= 2


def test_bad_input_goes_to_problems_and_the_rest_refreshes(tmp_path: Path) -> None:
    book = make_book(
        tmp_path / "book.xlsx",
        Inventory=[
            ["D-4", None, "Bad stock", "lots"],
            ["A-1", None, "dup", 5],
            ["E-5", None, "neg", -4],
        ],
        Sales=[
            ["yesterday", "A-1", 3, None],
            [day(-1), "ZZ-9", 4, None],
            ["2026-11-20", "B-2", "x", None],
        ],
        Inbound=[["A-1", -5, day(3), "sea", None, None], ["ZZ-8", 10, day(3), "air", None, None]],
    )
    result = refresh(str(book), as_of=AS_OF)
    assert result.exit_code == 1
    problems = sheet_rows(book, "Problems")
    assert problems[0] == ["Tab", "Row", "Column", "Value", "Problem"]
    found = {(r[0], r[2], str(r[3])): r[4] for r in problems[1:]}
    assert 'Available must be a number, got "lots"' in found[("Inventory", "Available", "lots")]
    assert "duplicate SKU" in found[("Inventory", "SKU", "A-1")]
    assert "negative stock" in found[("Inventory", "Available", "-4")]
    assert "must be a date" in found[("Sales", "Date", "yesterday")]
    assert "not on the Inventory tab" in found[("Sales", "SKU", "ZZ-9")]
    assert 'Units must be a number, got "x"' in found[("Sales", "Units", "x")]
    assert "positive" in found[("Inbound", "Qty", "-5")]
    assert "not on the Inventory tab" in found[("Inbound", "SKU", "ZZ-8")]
    alerts = by_sku(sheet_rows(book, "Alerts"))
    assert {"A-1", "B-2", "C-3", "E-5"} <= set(alerts)
    assert alerts["E-5"]["Alert"] == "OUT"


def test_missing_required_column_names_tab_and_column(tmp_path: Path) -> None:
    from sheets_sync.types import TargetError

    tabs = wb.starter_tabs()
    tabs[wb.INVENTORY] = [["SKU", "Title"], ["A", "x"]]
    write_new_workbook(tmp_path / "b.xlsx", tabs)
    with pytest.raises(TargetError, match="Inventory: required column 'Available' not found"):
        refresh(str(tmp_path / "b.xlsx"), as_of=AS_OF)


def test_dates_as_serials_iso_text_and_local_formats(tmp_path: Path) -> None:
    serial = (AS_OF - dt.timedelta(days=3) - dt.date(1899, 12, 30)).days
    tabs = wb.starter_tabs()
    tabs[wb.SETTINGS] = [["Key", "Value"], ["currency", "EUR"]]
    tabs[wb.INVENTORY] += [["S", None, None, 100]]
    tabs[wb.SALES] += [
        [serial, "S", 4, True],
        ["2026-11-21", "S", 4, True],
        ["23.11.2026", "S", 4, True],
        ["24/11/2026", "S", 4, True],
    ]
    write_new_workbook(tmp_path / "b.xlsx", tabs)
    result = refresh(str(tmp_path / "b.xlsx"), as_of=AS_OF)
    assert result.exit_code == 0, result.problems
    row = result.plan.skus.iloc[0]
    assert row["daily_sales"] == 4  # all four days read, all in stock
    assert row["basis"].startswith("7d 4.0 (4 in stock)")


def test_incident_opens_and_closes(tmp_path: Path) -> None:
    book = make_book(tmp_path / "book.xlsx")
    refresh(str(book), as_of=AS_OF)
    incidents = sheet_rows(book, "Incidents")
    open_row = [r for r in incidents[1:] if r[0] == "C-3"]
    assert open_row and open_row[0][1] == day(-5) and open_row[0][2] is None
    wbk = openpyxl.load_workbook(book)
    for r in range(2, wbk["Incidents"].max_row + 1):
        if wbk["Incidents"].cell(r, 1).value == "C-3":
            wbk["Incidents"].cell(r, 7, "Supplier late")
    wbk["Inventory"]["D4"] = 400  # stock is back, and selling again since as-of day
    wbk["Sales"].append([day(0), "C-3", 8, True])
    wbk["Sales"].append([day(1), "C-3", 8, True])
    wbk.save(book)
    refresh(str(book), as_of=AS_OF + dt.timedelta(days=2))
    closed = [r for r in sheet_rows(book, "Incidents")[1:] if r[0] == "C-3"]
    assert len(closed) == 1
    assert closed[0][2] == day(0) and closed[0][3] == 5
    assert closed[0][4] == 40  # 5 days x 8/day
    assert closed[0][6] == "Supplier late"
    # Back in stock two days after the incident: time to relaunch the listing.
    assert "RELAUNCH" in by_sku(sheet_rows(book, "Alerts"))["C-3"]["Flags"]


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    book = make_book(tmp_path / "book.xlsx")
    before = book.read_bytes()
    result = refresh(str(book), as_of=AS_OF, dry_run=True)
    assert result.dry_run and book.read_bytes() == before


def test_excel_lock_file_gets_a_clear_message(tmp_path: Path) -> None:
    from sheets_sync.types import TargetError

    book = make_book(tmp_path / "book.xlsx")
    (tmp_path / "~$book.xlsx").write_bytes(b"lock")
    before = book.read_bytes()
    with pytest.raises(TargetError, match="open in Excel"):
        refresh(str(book), as_of=AS_OF)
    assert book.read_bytes() == before


def test_timeline_tab_has_a_native_chart(tmp_path: Path) -> None:
    book = make_book(tmp_path / "book.xlsx")
    refresh(str(book), as_of=AS_OF)
    wbk = openpyxl.load_workbook(book)
    rows = sheet_rows(book, "Timeline")
    assert rows[0][0] == "Date" and "A-1" in rows[0] and len(rows) == 91
    a = rows[0].index("A-1")
    assert [r[a] for r in rows[1:4]] == [50, 45, 40]
    assert rows[41][a] == 500  # the shipment lands on day 40 and refills the shelf
    # openpyxl does not load charts back; the chart part is in the file.
    import zipfile

    names = zipfile.ZipFile(book).namelist()
    assert any(n.startswith("xl/charts/chart") for n in names)
    assert wbk["Alerts"].freeze_panes == "C2"


def test_each_timeline_sku_has_a_chart_with_its_safety_stock_and_reorder_point_lines(
    tmp_path: Path,
) -> None:
    import re
    import zipfile

    book = make_book(tmp_path / "book.xlsx")
    for _ in range(2):  # a second refresh replaces its charts, it does not add more
        refresh(str(book), as_of=AS_OF)
    rows = sheet_rows(book, "Timeline")
    alerts = {r[0]: dict(zip(sheet_rows(book, "Alerts")[0], r, strict=False))
              for r in sheet_rows(book, "Alerts")[1:]}  # fmt: skip
    skus = rows[0][1 : rows[0].index(None)]  # the level cells are far right, hidden
    with zipfile.ZipFile(book) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    titles = sorted(re.findall(r"<a:t>([^<]*)</a:t>", c)[0] for c in charts)
    assert titles == sorted(f"Projected stock: {sku}" for sku in skus)
    sheet = openpyxl.load_workbook(book)["Timeline"]
    for chart in charts:
        sku = re.search(r"Projected stock: ([^<]*)<", chart)[1]  # type: ignore[index]
        refs = re.findall(r"<val><numRef><f>'Timeline'!\$(\w+)\$2", chart)
        assert len(refs) == 3 and '<plotVisOnly val="0"' in chart, sku
        stock, safety, point = (openpyxl.utils.column_index_from_string(c) for c in refs)
        assert sheet.cell(1, stock).value == sku
        # The flat lines: every day at the SKU's safety stock and reorder point, from hidden
        # cells (shown in the chart, not in the sheet).
        assert {sheet.cell(r, safety).value for r in range(2, 92)} == {alerts[sku]["Safety stock"]}
        assert {sheet.cell(r, point).value for r in range(2, 92)} == {alerts[sku]["Reorder point"]}
        assert sheet.column_dimensions[openpyxl.utils.get_column_letter(safety)].hidden


def test_chinese_sheet_language_keeps_user_columns(tmp_path: Path) -> None:
    book = make_book(tmp_path / "book.xlsx", Settings=[["sheet_language", "zh"]])
    plan = refresh(str(book), as_of=AS_OF).plan
    # The plan's settings carry the words' keys beside the math's, for drafts and alerts.
    assert plan.settings.sheet_language == "zh" and plan.settings.warn_days == (30, 15, 7)
    wbk = openpyxl.load_workbook(book)
    alerts = wbk["Alerts"]
    assert [c.value for c in alerts[1]][:4] == ["SKU", "标题", "预警", "建议"]
    alerts.cell(1, alerts.max_column + 1, "备注")
    alerts.cell(2, alerts.max_column, "催货")
    wbk.save(book)
    refresh(str(book), as_of=AS_OF)
    rows = by_sku(sheet_rows(book, "Alerts"))
    assert rows["C-3"]["预警"] == "断货" and rows["C-3"]["备注"] == "催货"
    assert rows["A-1"]["预警"] == "警告" and rows["A-1"]["建议"].startswith("切换自发货")


def test_a_slipped_eta_becomes_the_suggested_cause_and_user_columns_stay(tmp_path: Path) -> None:
    from sheets_sync.history import HistoryStore

    book = make_book(
        tmp_path / "book.xlsx",
        Inbound=[["C-3", 300, day(3), "sea", "FBA9", "shipped", None, "Acme"]],
    )
    with HistoryStore(tmp_path / "book.stockout.sqlite") as store:
        # Thirty days ago FBA9 was due three days before C-3 ran out (day -5).
        store.remember_inbound_etas([("FBA9", "C-3", day(-8).date(), 300, "Acme", "shipped")],
                                    AS_OF - dt.timedelta(days=30))  # fmt: skip
    refresh(str(book), as_of=AS_OF)
    with HistoryStore(tmp_path / "book.stockout.sqlite") as store:
        etas = store.inbound_etas()
    fba9 = etas[etas["shipment_id"] == "FBA9"]
    assert [(r.seen.date(), r.eta.date()) for r in fba9.itertuples()] == [
        (AS_OF - dt.timedelta(days=30), day(-8).date()), (AS_OF, day(3).date()),
    ]  # fmt: skip
    wbk = openpyxl.load_workbook(book)
    tab = wbk["Incidents"]
    header = [c.value for c in tab[1]]
    assert header[6:] == ["Cause", "Lessons", "Actions", "Suggested cause"]
    row = next(r for r in range(2, tab.max_row + 1) if tab.cell(r, 1).value == "C-3")
    suggested = tab.cell(row, 10).value
    assert suggested.startswith(
        "Inbound slipped: shipment FBA9 from Acme was first due 2026-11-17, then 2026-11-28"
        " (+11 days). Lesson: raise lead_time_sd_days"
    )
    for col, text in ((7, "Forwarder missed the vessel"), (8, "Book earlier"), (9, "Call Acme")):
        tab.cell(row, col, text)
    wbk.save(book)
    refresh(str(book), as_of=AS_OF)
    again = next(r for r in sheet_rows(book, "Incidents")[1:] if r[0] == "C-3")
    assert again[6:] == ["Forwarder missed the vessel", "Book earlier", "Call Acme", suggested]
