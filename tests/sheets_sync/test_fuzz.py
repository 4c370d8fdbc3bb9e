"""Fuzz and fault tests for issue 16's invariants.

Random workbooks (a small shop, then a few dozen random edits: nasty values in any cell of any
input tab, headers included, odd settings, duplicated rows and SKUs named like headers or
formulas) are refreshed in memory, and a smaller number as real .xlsx files through the
`stockout` command. Faults (a full disk, an unwritable log, an interrupt, a bug) are injected at
the edges. Whatever happens:

* no traceback reaches the user, and exit codes mean what the README says
  (0 nothing listed, 1 problems listed, 2 refused with a sentence, 3 a bug, logged);
* every SKU on the Inventory tab is planned or has a Problems row;
* nothing the user wrote is lost: input tabs are never written, user columns survive;
* text is never a formula in any written cell.

`STOCKOUT_FUZZ_CASES` raises the number of in-memory cases (default 120) for a longer hunt;
every failure names its seed.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from sheets_sync import workbook as wb
from sheets_sync.backends import parse_target
from sheets_sync.cli import main, write_new_workbook
from sheets_sync.exits import ExitCode
from sheets_sync.refresh import refresh
from sheets_sync.settings import DEFAULTS
from sheets_sync.types import Formula, Grid, Tab, TargetError

AS_OF = dt.date(2026, 3, 1)
CASES = int(os.environ.get("STOCKOUT_FUZZ_CASES", "120"))
XLSX_CASES = 8
NASTY: list[Any] = [
    None, "", "   ", "abc", "1e400", "-1e400", 1e308, -1e308, 1e12 + 1, 10**30, -5, 0, 0.5,
    float("nan"), float("inf"), True, False, "yes", "n/a", "#N/A", "#REF!", "12,5", "1,234",
    "9999-12-31", "0001-01-01", "2026-02-30", "31/12/2026", "12/11/2026", "2300-01-01",
    dt.datetime(2300, 1, 1), dt.datetime(1600, 1, 1), dt.date(2026, 2, 1), 2958465, 1, -1,
    "=1+1", "=HYPERLINK(\"http://evil\",\"x\")", "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3",
    "Date", "SKU", "*", "Alerts", "\u200b", "ＳＫＵ", "🙂" * 50, "x" * 5000, "\x00\x07",
    "Available", "7,30", "0", "1,1,1", "sea", "air", "zh", "de", "%", "0.9999999",
]  # fmt: skip


class MemoryBook:
    """A workbook held as grids: what a backend reads and what a refresh writes."""

    def __init__(self, grids: dict[str, Grid], path: Path) -> None:
        self.grids = grids
        self.label = str(path)
        self.target = parse_target(path)
        self.written: dict[str, Tab] = {}

    def read(self, tabs: Sequence[str]) -> dict[str, Grid | None]:
        return {name: self.grids.get(name) for name in tabs}

    def tab_names(self) -> list[str]:
        return list(self.grids)

    def write(self, tabs: Mapping[str, Tab]) -> None:
        self.written.update(tabs)


def day(n: int) -> dt.datetime:
    return dt.datetime.combine(AS_OF + dt.timedelta(days=n), dt.time())


def shop() -> dict[str, Grid]:
    """A small, valid shop: five SKUs, sales, inbound, a promotion, orders, a user's Alerts."""
    grids = {name: [list(row) for row in grid] for name, grid in wb.starter_tabs().items()}
    skus = ["A-1", "B-2", "C-3", "D-4", "E-5"]
    grids[wb.INVENTORY] += [[s, "", f"Product {s}", 40 + 10 * i, 0, 5, 20] for i, s in
                            enumerate(skus)]  # fmt: skip
    grids[wb.SALES] += [[day(-b), s, (b + i) % 7, b % 11 != 0] for i, s in enumerate(skus)
                        for b in range(45, 0, -1)]  # fmt: skip
    grids[wb.INBOUND] += [["A-1", 200, day(30), "sea", "FBA1", "shipped"]]
    grids[wb.PROMOTIONS] += [["B-2", day(5), day(9), 1.5]]
    grids[wb.ORDERS] += [["111-1", "C-3", 1, day(-2), day(3), "Ann", "Amazon.com", "en"]]
    grids[wb.ALERTS] = [[*wb.headers(wb.ALERTS), "My note"], *[
        ["A-1"] + [None] * (len(wb.headers(wb.ALERTS)) - 1) + ["call the factory"]
    ]]  # fmt: skip
    return grids


def mutate(grids: dict[str, Grid], rng: random.Random) -> list[str]:
    """A few dozen random edits; returns what was done (for the failure message)."""
    done = []
    for _ in range(rng.randint(1, 40)):
        tab = rng.choice([t for t in wb.INPUT_TABS if t in grids] or [wb.INVENTORY])
        grid = grids.setdefault(tab, [wb.headers(tab)] if tab in wb.SCHEMA else [["x"]])
        kind = rng.random()
        if kind < 0.75 or not grid:
            row = rng.randrange(0, len(grid) + 2)
            col = rng.randrange(0, max(len(grid[0]) if grid else 1, 1) + 1)
            while len(grid) <= row:
                grid.append([])
            while len(grid[row]) <= col:
                grid[row].append(None)
            value = rng.choice(NASTY)
            grid[row][col] = value
            done.append(f"{tab}!r{row + 1}c{col + 1}={value!r:.40}")
        elif kind < 0.82 and len(grid) > 1:
            grid.append(list(rng.choice(grid[1:])))
            done.append(f"{tab}: duplicated a row")
        elif kind < 0.88:
            settings = grids.setdefault(wb.SETTINGS, [wb.headers(wb.SETTINGS)])
            settings.append([rng.choice(list(DEFAULTS)), rng.choice(NASTY)])
            done.append(f"Settings: {settings[-1]!r:.60}")
        elif kind < 0.93:
            inventory = grids.setdefault(wb.INVENTORY, [wb.headers(wb.INVENTORY)])
            inventory.append([rng.choice(NASTY), "", "t", rng.choice(NASTY)])
            done.append(f"Inventory: new row {inventory[-1]!r:.60}")
        elif kind < 0.97 and grid and grid[0]:
            col = rng.randrange(len(grid[0]))
            for line in grid:
                if col < len(line):
                    del line[col]
            done.append(f"{tab}: column {col + 1} deleted")
        else:
            grids.pop(tab, None)
            done.append(f"{tab}: tab deleted")
    return done


def _text(value: Any) -> str:
    """A SKU as the plan names it: a whole number without its `.0`."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def check_invariants(book: MemoryBook, original: dict[str, Grid], result: Any, note: str) -> None:
    problems = result.problems
    assert result.exit_code == (ExitCode.PROBLEMS if problems else ExitCode.OK), note
    assert not set(book.written) & set(wb.INPUT_TABS), note  # input tabs are never written
    planned = {str(s) for s in result.plan.skus["sku"]}
    listed_rows = {p.row for p in problems if p.tab == wb.INVENTORY}
    inventory = original.get(wb.INVENTORY) or [[]]
    header = [wb.normalize_header(h) for h in inventory[0]]
    if "sku" in header and 1 not in listed_rows:
        at = header.index("sku")
        for n, row in enumerate(inventory[1:], start=2):
            sku = row[at] if at < len(row) else None
            if sku is not None and str(sku).strip() and n not in listed_rows:
                assert str(sku).strip() in planned or _text(sku) in planned, (
                    f"{note}\nInventory row {n} ({sku!r:.40}) neither planned nor listed"
                )
    alerts = book.written[wb.ALERTS]
    assert "My note" in alerts.header, note
    if "A-1" in planned:
        at = alerts.header.index("My note")
        mine = [r for r in alerts.rows if r and r[0] == "A-1"]
        assert mine and mine[0][at] == "call the factory", note
    for tab in book.written.values():
        for value in [*tab.header, *(v for r in tab.rows for v in r)]:
            assert not isinstance(value, Formula), f"{note}\n{tab.name}: {value!r} as a formula"


@pytest.mark.parametrize("chunk", range(4))
def test_random_workbooks_keep_every_invariant(tmp_path: Path, chunk: int) -> None:
    for seed in range(chunk, CASES, 4):
        rng = random.Random(seed)
        grids = shop()
        done = mutate(grids, rng)
        original = {k: [list(r) for r in v] for k, v in grids.items()}
        book = MemoryBook(grids, tmp_path / f"fuzz{seed}.xlsx")
        note = f"seed {seed}: " + "; ".join(done)
        try:
            result = refresh(book, as_of=AS_OF)
        except TargetError as exc:  # a refusal (exit 2): one sentence, nothing written
            assert str(exc) and "\n" not in str(exc) and not book.written, note
            continue
        except Exception as exc:  # any other escape is what the fuzz is looking for
            raise AssertionError(f"{note}\n{type(exc).__name__}: {exc}") from exc
        check_invariants(book, original, result, note)


def test_random_xlsx_workbooks_through_the_command(tmp_path: Path) -> None:
    """The same through `stockout refresh` on real files: the exit code and no formula cells."""
    for seed in range(1000, 1000 + XLSX_CASES):
        rng = random.Random(seed)
        grids = shop()
        done = mutate(grids, rng)
        for grid in grids.values():  # what a file can hold
            for row in grid:
                row[:] = [v if not isinstance(v, float) or (v == v and abs(v) != float("inf"))
                          else None for v in row]  # fmt: skip
                row[:] = [v.replace("\x00", "").replace("\x07", "") if isinstance(v, str) else v
                          for v in row]  # fmt: skip
        path = tmp_path / f"x{seed}.xlsx"
        write_new_workbook(path, {k: v for k, v in grids.items() if v and v[0]})
        result = CliRunner().invoke(main, ["refresh", str(path), "--as-of", AS_OF.isoformat()])
        note = f"seed {seed}: " + "; ".join(done) + "\n" + result.output + result.stderr
        assert result.exit_code in (ExitCode.OK, ExitCode.PROBLEMS, ExitCode.REFUSED), note
        if result.exit_code == ExitCode.REFUSED:
            assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, note
        assert "Traceback" not in result.output + result.stderr, note
        saved = openpyxl.load_workbook(path)
        for name in wb.OUTPUT_TABS:
            if name in saved.sheetnames:
                formulas = [c.coordinate for r in saved[name].iter_rows() for c in r
                            if c.data_type == "f"]  # fmt: skip
                assert formulas == [], f"{note}\n{name}: formulas at {formulas[:5]}"


# --- faults at the edges ----------------------------------------------------------------------


def small_book(path: Path) -> Path:
    grids = shop()
    write_new_workbook(path, {k: v for k, v in grids.items() if k in wb.INPUT_TABS})
    return path


def run(*args: str, env: dict[str, str] | None = None):
    result = CliRunner().invoke(main, list(args), env=env)
    assert "Traceback" not in result.output + result.stderr
    return result


def test_a_full_disk_while_saving_is_a_refusal_and_keeps_the_file(tmp_path, monkeypatch):
    path = small_book(tmp_path / "full.xlsx")
    before = path.read_bytes()

    def full(*_args: Any, **_kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(openpyxl.Workbook, "save", full)
    result = run("refresh", str(path), "--as-of", AS_OF.isoformat())
    assert result.exit_code == ExitCode.REFUSED
    assert "No space left on device" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert path.read_bytes() == before


def test_a_bug_with_nowhere_to_log_still_ends_in_one_sentence(tmp_path, monkeypatch):
    path = small_book(tmp_path / "bug.xlsx")
    monkeypatch.setenv("STOCKOUT_HOME", str(tmp_path / "home"))
    monkeypatch.setattr("sheets_sync.refresh.compute_plan", lambda *a, **k: 1 / 0)
    real_open = Path.open

    def no_log_here(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self.name.endswith(".log") and str(tmp_path) in str(self):
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", no_log_here)
    result = run("refresh", str(path), "--as-of", AS_OF.isoformat())
    assert result.exit_code == ExitCode.CRASHED
    assert "ZeroDivisionError" in result.stderr and "stockout.log" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_interrupt_is_not_a_crash(tmp_path, monkeypatch):
    path = small_book(tmp_path / "int.xlsx")

    def interrupted(*_args: Any, **_kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("sheets_sync.refresh.compute_plan", interrupted)
    result = run("refresh", str(path), "--as-of", AS_OF.isoformat())
    assert result.exit_code == 130
    assert not (tmp_path / "int.stockout.log").exists()


@pytest.mark.parametrize("command", ["import", "pull"])
def test_a_bug_in_import_or_pull_is_logged_beside_the_workbook(tmp_path, monkeypatch, command):
    path = small_book(tmp_path / "ip.xlsx")
    report = tmp_path / "r.txt"
    report.write_text("x")

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise LookupError("bug")

    work = {"import": "import_files", "pull": "pull"}[command]
    monkeypatch.setattr(f"sheets_sync.source_commands.{work}", broken)
    args = [command, str(path), str(report)] if command == "import" else [command, str(path)]
    result = run(*args)
    assert result.exit_code == ExitCode.CRASHED
    assert str(tmp_path / "ip.stockout.log") in result.stderr
    assert "LookupError: bug" in (tmp_path / "ip.stockout.log").read_text()
