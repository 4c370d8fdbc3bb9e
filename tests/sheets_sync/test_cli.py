"""The `stockout` command as a user runs it: a real process, real files, exit codes."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from sheets_sync import workbook as wb

#: The tree these tests belong to: the command runs from it, not from an installed copy, whatever
#: the folder it runs in (PYTHONPATH=. means another folder there).
ROOT = Path(__file__).resolve().parents[2]


def stockout(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sheets_sync", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess]:
    folder = tmp_path_factory.mktemp("demo")
    (folder / "demo.xlsx").write_text("an earlier demo")  # --force replaces it
    return folder / "demo.xlsx", stockout(
        "demo", "--out", "demo.xlsx", "--as-of", "2026-11-25", "--force", cwd=folder
    )


def test_demo_builds_refreshes_and_summarises(demo) -> None:
    path, proc = demo
    assert proc.returncode == 0, proc.stderr
    assert "48 SKUs planned as of 2026-11-25" in proc.stdout
    assert "Most urgent" in proc.stdout and "OUT" in proc.stdout
    # the Action's amounts in Settings currency (USD): `$3,256.32`, never a bare `3,256.32`
    assert re.search(r"\$\d[\d,]*\.\d\d", proc.stdout)
    assert not re.search(r"(?<![$\d,.])\d{1,3}(,\d{3})*\.\d\d\b", proc.stdout)
    assert "Traceback" not in proc.stdout + proc.stderr
    book = openpyxl.load_workbook(path)
    for tab in (*wb.INPUT_TABS, *wb.OUTPUT_TABS):
        assert tab in book.sheetnames
    assert book.active.title == "Alerts"


def test_demo_and_new_refuse_to_replace_a_file_unless_forced(tmp_path: Path) -> None:
    """A seller's edits to an earlier demo or workbook are never overwritten silently."""
    mine = tmp_path / "my shop.xlsx"
    mine.write_text("my own work")
    for args in (("demo", "--out", str(mine)), ("new", str(mine))):
        proc = stockout(*args, cwd=tmp_path)
        assert proc.returncode == 2
        assert proc.stderr.strip() == (
            f"error: {mine} exists: pass --force to replace it, or "
            + ("--out another file" if args[0] == "demo" else "choose another name")
        )
        assert mine.read_text() == "my own work"


def test_new_ends_with_the_next_command_to_copy_and_paste(tmp_path: Path) -> None:
    """On its own line, no backticks, quoted for the shell where the name needs it; a long
    path is never wrapped into two lines."""
    proc = stockout("new", "my shop.xlsx", "--example", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["Created my shop.xlsx. Refresh it:",
                                        "  stockout refresh 'my shop.xlsx'"]  # fmt: skip
    deep = tmp_path / ("a-rather-long-folder-name-" * 4) / "shop.xlsx"
    deep.parent.mkdir()
    proc = stockout("new", str(deep), cwd=tmp_path)
    assert proc.stdout.splitlines()[-1] == f"  stockout refresh {deep}"
    assert "`" not in proc.stdout


def test_demo_workbook_is_a_realistic_business(demo) -> None:
    path, _ = demo
    book = openpyxl.load_workbook(path)
    alerts = list(book["Alerts"].iter_rows(values_only=True))
    header = alerts[0]
    rows = [dict(zip(header, r, strict=False)) for r in alerts[1:]]
    assert len(rows) >= 40
    levels = {r["Alert"] for r in rows}
    assert {"OUT", "CRITICAL", "WARNING", "OK"} <= levels
    flags = " ".join(r["Flags"] or "" for r in rows)
    for flag in ("INBOUND OVERDUE", "TREND UP", "OVERSTOCK", "REORDER NOW"):
        assert flag in flags
    sales = list(book["Sales"].iter_rows(min_row=2, values_only=True))
    assert len({r[0] for r in sales}) == 180  # half a year of days
    assert any(r[3] is False for r in sales)  # past stockouts in the stock history
    incidents = list(book["Incidents"].iter_rows(min_row=2, values_only=True))
    assert any(r[2] is not None for r in incidents) and any(r[2] is None for r in incidents)
    assert book["Promotions"].max_row > 1 and book["Orders"].max_row > 1
    drafts = list(book["Drafts"].iter_rows(min_row=2, values_only=True))
    assert {"buyer_delay", "supplier_expedite"} <= {r[1] for r in drafts}


def test_demo_shows_the_fee_rule_and_suggested_causes_from_its_history_store(demo) -> None:
    path, _ = demo
    assert path.with_name("demo.stockout.sqlite").is_file()
    book = openpyxl.load_workbook(path)
    alerts = list(book["Alerts"].iter_rows(values_only=True))
    fees = {r[0]: r[alerts[0].index("Low-inventory fee")] for r in alerts[1:]}
    verdicts = {sku: text.split(":")[0].split(" (")[0] for sku, text in fees.items()}
    assert {"charged", "exempt", "clear"} <= set(verdicts.values())
    assert fees["KT-1001"].startswith("charged: days of supply 12.9 (30 d), 12.0 (90 d)")
    assert "a unit (large standard, US rate), about" in fees["KT-1001"]
    assert fees["KT-1041"].startswith("exempt (ships 0.0 units a week")  # the dead SKU
    incidents = {r[0]: r for r in book["Incidents"].iter_rows(min_row=2, values_only=True)}
    assert incidents["KT-1010"][9].startswith(
        "Inbound slipped: shipment FBA18Q4ZK7M from Ningbo Homeware Co. was first due"
    )
    assert incidents["KT-1002"][9].startswith("Order placed late: shipment FBA18R2WX5N")


def test_demo_shows_a_relaunch_watched_with_traffic_and_one_without(demo) -> None:
    path, _ = demo
    book = openpyxl.load_workbook(path)
    alerts = list(book["Alerts"].iter_rows(values_only=True))
    action = {r[0]: r[alerts[0].index("Action")] for r in alerts[1:]}
    assert action["KT-1025"] == (
        "RELAUNCH: CVR 7.2 % vs 12.4 % before, category 10 %, 88 sessions a day vs 42 before:"
        " working, up from 5.9 %; keep the 20 % coupon 2 more days (to 2026-11-26), ads +30 %"
        " until conversion is back, at the latest 2026-12-04"
    )
    assert action["KT-1002"].endswith("watch conversion (import the Business Report to have it"
                                      " tracked)")  # fmt: skip
    drafts = {r[0]: r for r in book["Drafts"].iter_rows(min_row=2, values_only=True)}
    body = drafts["relaunch_plan:KT-1025:2026-11-01"][7]
    assert "- each day since November 20, 2026:\n  November 20, 2026: " in body
    assert "It is working: 7.2 % over the last 3 days, up from 5.9 % in the first 3." in body


def test_demo_actions_read_as_an_operator_would_act(demo) -> None:
    """The review of the demo's decisions: each finding stays fixed."""
    path, proc = demo
    book = openpyxl.load_workbook(path)
    alerts = list(book["Alerts"].iter_rows(values_only=True))
    rows = {r[0]: dict(zip(alerts[0], r, strict=False)) for r in alerts[1:]}
    as_of = dt.datetime(2026, 11, 25)
    # KT-1019: an order due today is never of 0 units.
    assert not [s for s, r in rows.items() if r["Reorder by"] and r["Reorder by"] <= as_of
                and not r["Reorder qty"]]  # fmt: skip
    # KT-1013: OK but its shipment is 4 days overdue: chase it.
    assert rows["KT-1013"]["Action"].startswith("CHASE INBOUND: shipment FBA17XK2PQ9 (240 units,")
    # An OUT SKU ran out on the day its incident started, as the drafts say.
    open_since = {r[0]: r[1] for r in book["Incidents"].iter_rows(min_row=2, values_only=True)
                  if r[2] is None}  # fmt: skip
    for sku, r in rows.items():
        if r["Alert"] == "OUT":
            assert r["Stockout date"] == open_since[sku] < as_of, sku
    every = list(book["Drafts"].iter_rows(min_row=2, values_only=True))
    drafts = {r[1]: r for r in every}
    # The forwarder's subject is short: a count and the first SKUs.
    subject = drafts["forwarder_air"][6]
    assert "个 SKU 空运或快递（" in subject and len(subject) < 60, subject
    # The digest and the console keep the chosen action; the alternatives stay in the workbook.
    assert " · also " not in drafts["alert_digest"][7]
    assert " · also " not in proc.stdout.replace("\n", " ")
    # One word for a batch's state in the Alerts and the supplier request.
    supplier = " ".join(str(r[7]) for r in every if r[1] == "supplier_expedite")
    assert "(planned)" not in " ".join(str(r["Other options"]) for r in rows.values())
    # ... in the supplier's language (the demo's factories read Chinese), never in English.
    assert "（生产中）" in supplier and "in production" not in supplier
    # The listing change is drafted when the shelf is empty or nearly, not weeks ahead.
    offers = {r[2] for r in every if r[1] == "offer_restock"}
    assert offers and {rows[sku]["Alert"] for sku in offers} <= {"OUT", "CRITICAL"}


def test_refresh_json_and_exit_codes(tmp_path: Path) -> None:
    new = stockout("new", "book.xlsx", cwd=tmp_path)
    assert new.returncode == 0 and (tmp_path / "book.xlsx").is_file()
    again = stockout("new", "book.xlsx", cwd=tmp_path)
    assert again.returncode == 2 and "exists" in again.stderr
    empty = stockout("refresh", "book.xlsx", "--json", cwd=tmp_path)
    assert empty.returncode == 2  # nothing to plan is a refusal that says what to fill first
    assert "fill the Inventory tab" in " ".join((empty.stderr + empty.stdout).split())
    book = openpyxl.load_workbook(tmp_path / "book.xlsx")
    book["Inventory"].append(["X-1", None, None, "many"])
    book.save(tmp_path / "book.xlsx")
    problems = stockout("refresh", "book.xlsx", "--dry-run", cwd=tmp_path)
    assert problems.returncode == 1 and "1 problem listed" in problems.stdout
    listed = stockout("refresh", "book.xlsx", "--dry-run", "--json", cwd=tmp_path)
    summary = json.loads(listed.stdout)
    assert summary["version"] == 1 and summary["problems"] == 1
    (problem,) = summary["problem_list"]
    assert (problem["tab"], problem["row"], problem["column"], problem["value"]) == (
        "Inventory", 2, "Available", "many",
    )  # fmt: skip
    missing = stockout("refresh", "nope.xlsx", cwd=tmp_path)
    assert missing.returncode == 2
    assert "no such workbook" in missing.stderr and "Traceback" not in missing.stderr
    bad_date = stockout("refresh", "book.xlsx", "--as-of", "soon", cwd=tmp_path)
    assert bad_date.returncode == 2 and "--as-of must be a date" in bad_date.stderr


def test_help_lists_every_command(tmp_path: Path) -> None:
    proc = stockout("--help", cwd=tmp_path)
    for command in ("demo", "new", "refresh", "import", "pull", "serve", "apps-script",
                    "excel-init"):  # fmt: skip
        assert command in proc.stdout


def test_a_google_sheet_address_pasted_without_gsheet_is_understood() -> None:
    from sheets_sync.backends import parse_target

    url = "https://docs.google.com/spreadsheets/d/1AbCdEfGhIjKlMnOpQrStUvWxYz012345/edit#gid=0"
    assert str(parse_target(url)) == "gsheet:1AbCdEfGhIjKlMnOpQrStUvWxYz012345"
    assert parse_target("docs.google.com/spreadsheets/d/1AbCdEfGhIjKlMn/edit").kind == "gsheet"
    assert (parse_target("book.xlsx").kind, parse_target("book.xlsx").key) == ("xlsx", "book.xlsx")


def _first_sku(tmp_path: Path, sales: list[tuple[dt.date, int]], available: int = 120) -> Path:
    """`stockout new` filled as a new seller fills it: one SKU, its stock, a few Sales rows."""
    assert stockout("new", "first.xlsx", cwd=tmp_path).returncode == 0
    book = openpyxl.load_workbook(tmp_path / "first.xlsx")
    book["Inventory"]["A2"], book["Inventory"]["D2"] = "MY-MUG-01", available
    for row, (day, units) in enumerate(sales, start=2):
        book["Sales"].cell(row, 1, dt.datetime.combine(day, dt.time()))
        book["Sales"].cell(row, 2, "MY-MUG-01")
        book["Sales"].cell(row, 3, units)
    book.save(tmp_path / "first.xlsx")
    return tmp_path / "first.xlsx"


def _tab(path: Path, name: str) -> list[dict]:
    rows = list(openpyxl.load_workbook(path)[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=False)) for r in rows[1:] if any(r)]


def test_a_first_sku_with_one_day_of_sales_orders_nothing_and_says_what_to_fill(
    tmp_path: Path,
) -> None:
    """One Sales row is no basis for a 384-unit order or an express quote: the SKU stays in
    the plan with its risk, flagged SHORT HISTORY, the Action and the command say what to fill,
    and no supplier or forwarder draft is written."""
    as_of = dt.date(2026, 11, 30)
    path = _first_sku(tmp_path, [(as_of - dt.timedelta(days=1), 4)])
    proc = stockout("refresh", "first.xlsx", "--as-of", as_of.isoformat(), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    shown = " ".join(proc.stdout.split())
    assert "first.xlsx: 1 SKU planned as of 2026-11-30" in shown
    assert (
        "1 SKU with under 14 days of sales (MY-MUG-01): add the earlier days to Sales or "
        "import Amazon's reports (stockout import); no order is drafted for them until then"
    ) in shown
    (alert,) = _tab(path, "Alerts")
    assert alert["Alert"] == "WATCH"  # it may run out before an order lands: visible, not green
    assert alert["Flags"] == "SHORT HISTORY, LEAD TIME RISK"
    assert alert["Action"] == (
        "SHORT HISTORY: 1 day of sales, too few to size an order (14 needed): add the earlier "
        "days to Sales or import Amazon's reports; at 4.0 a day it runs out 2026-12-30, before "
        "a sea order placed today lands 2027-02-13; no order drafted until then"
    )
    assert alert["Reorder qty"] == 0 and alert["Reorder by"] is None
    kinds = [d["Kind"] for d in _tab(path, "Drafts")]
    assert kinds == ["alert_digest"]  # no supplier order, no forwarder quote
    assert _tab(path, "Problems") == []


def test_a_first_sku_out_of_stock_stays_out_and_two_weeks_of_sales_draft_cleanly(
    tmp_path: Path,
) -> None:
    as_of = dt.date(2026, 11, 30)
    days = [(as_of - dt.timedelta(days=k), 4) for k in range(3, 0, -1)]
    path = _first_sku(tmp_path, days, available=0)
    proc = stockout("refresh", "first.xlsx", "--as-of", as_of.isoformat(), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    (alert,) = _tab(path, "Alerts")
    assert alert["Alert"] == "OUT"  # real risk is never hidden behind too little history
    assert alert["Action"].startswith("SHORT HISTORY: 3 days of sales, too few to size an ")
    assert "out of stock now: restock" in alert["Action"]
    days = [(as_of - dt.timedelta(days=k), 4) for k in range(14, 0, -1)]
    (tmp_path / "first.xlsx").unlink()
    path = _first_sku(tmp_path, days)
    proc = stockout("refresh", "first.xlsx", "--as-of", as_of.isoformat(), cwd=tmp_path)
    (alert,) = _tab(path, "Alerts")
    assert "SHORT HISTORY" not in alert["Flags"] and "under 14 days" not in proc.stdout
    assert alert["Reorder qty"] > 0
    drafts = {d["Kind"]: d for d in _tab(path, "Drafts")}
    assert set(drafts) == {"alert_digest", "supplier_expedite", "forwarder_air"}
    # Blank Title, Price, Supplier e-mail and forwarder_email: nothing blank leaks into a
    # draft, and each draft whose To is a placeholder says what to fill.
    supplier, forwarder = drafts["supplier_expedite"], drafts["forwarder_air"]
    assert "MY-MUG-01（MY-MUG-01）" in supplier["Body"] and "None" not in supplier["Body"]
    assert "- MY-MUG-01（MY-MUG-01）共 116 件" in forwarder["Body"]
    assert supplier["To"] == "[supplier] <[add Supplier e-mail in Inventory]>"
    assert supplier["Warnings"] == (
        "no Supplier in Inventory: add it to address the request; no e-mail address: add "
        "Supplier e-mail in Inventory (or type one in To) before sending; no Title in "
        "Inventory for MY-MUG-01: add it so they know the product"
    )
    assert forwarder["Warnings"] == (
        "no e-mail address: add forwarder_email in Settings (or type one in To) before "
        "sending; no Title in Inventory for MY-MUG-01: add it so they know the product"
    )
    digest = drafts["alert_digest"]["Body"]
    assert "1 of 1 SKU needs attention:" in digest
    assert "sells out December 30, 2026, 180 units at risk" in digest and "()" not in digest
    # No open order, so no delay note: PAUSE AND NOTIFY (an alternative here) says none.
    assert "PAUSE AND NOTIFY: 45 days out" in alert["Other options"]
    assert "pause its ads till then" in alert["Other options"]
    assert "delay notes" not in alert["Other options"]


def test_every_demo_action_shows_whole_in_its_row(demo) -> None:
    """A row is as tall as its wrapped Action needs (the longest, an order and a chase, take
    six lines): no action is cut off on screen or runs into the next row on paper."""
    from sheets_sync.types import wrapped_lines

    alerts = openpyxl.load_workbook(demo[0])["Alerts"]
    header = [c.value for c in alerts[1]]
    column = header.index("Action") + 1
    width = alerts.column_dimensions[openpyxl.utils.get_column_letter(column)].width
    needed = {r: wrapped_lines(alerts.cell(r, column).value, width)
              for r in range(2, alerts.max_row + 1)}  # fmt: skip
    assert max(needed.values()) > 4  # the demo has long ones
    for r, lines in needed.items():
        assert alerts.row_dimensions[r].height >= 15 * lines, (r, lines)


def test_demo_drafts_subject_and_body_begin_on_a_laptop_screen(demo) -> None:
    """Key, the SKU list and To wrap narrow, so Subject and part of Body sit within the ~180
    characters of column width a 1366-pixel screen shows."""
    drafts = openpyxl.load_workbook(demo[0])["Drafts"]
    widths = {c.value: drafts.column_dimensions[c.column_letter].width for c in drafts[1]}
    before_body = sum(widths[h] for h in ("Key", "Kind", "SKU", "Order ID", "Language", "To",
                                          "Subject"))  # fmt: skip
    assert before_body < 160, widths
    assert drafts.cell(2, 1).alignment.wrap_text
