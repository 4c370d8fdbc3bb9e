"""Issue 15's slips in one workbook, refreshed three ways: `stockout refresh` (an .xlsx), the
xlwings Lite refresh and the Google in-sheet refresh (Apps Script, run by Node). What a seller
typed must read the same in all three: the same Problems rows word for word, the same SKUs in
the same order with the same alerts, actions, flags and sales rates, and the same refusals.
Then the input fuzz's workbooks (wrong types, locales, huge numbers, unicode, duplicates) go
through all three, and their Problems must agree too.

The per-cell rules have shared vectors (tests/vectors/read_column.json, nearest.json); this is
the whole path: tabs, Settings, the workbook's evidence, SKU keys, the plan's FIX INPUT rows.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import re
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings

from addin import lite_refresh, lite_tabs
from sheets_sync.backends import parse_target
from sheets_sync.cli import write_new_workbook
from sheets_sync.refresh import refresh
from sheets_sync.sheet_contract import schema_data
from sheets_sync.types import Formula, TargetError
from tests.addin.google.test_in_sheet_refresh import encode, run_in_sheet
from tests.sheets_sync.test_inputs_fuzz import AS_OF as FUZZ_AS_OF
from tests.sheets_sync.test_inputs_fuzz import MemoryBook, apply, base, mutations

SCHEMA = json.loads(json.dumps(schema_data(), default=str))
GOOGLE = Path(__file__).resolve().parent / "google"
AS_OF = dt.date(2026, 11, 5)
COMPARED = ("SKU", "Alert", "Action", "Flags", "Daily sales", "Available", "Stockout date")


def slips(locale: str | None = None) -> dict[str, list[list[Any]]]:
    """A USD workbook typed the way UK and German exports and hurried hands type."""
    sales = [["Date", "SKU", "Units"]]
    for back in range(60, 0, -1):
        day = AS_OF - dt.timedelta(days=back)
        sales += [
            [f"{day:%d/%m/%Y}", "case-sku ", 5],  # day first: 28/10 settles the column
            [f"{day:%d/%m/%Y}", "S-3", "2"],
            [f"{day:%d/%m/%Y}", "bad-avail", 1],
        ]
    sales += [["04/11/2026", "CASE-SKUU", 3], ["05/01/2300", "S-3", 1], ["soon", "S-3", 1]]
    settings = [
        ["Key", "Value"], ["currency", "USD"], ["as_of", "05/11/2026"], ["horizon_days", 0],
        ["warn_days", "30,15"], ["handling_time_days", -1], ["velocity_weights", "0.5,0.5"],
    ]  # fmt: skip
    if locale:
        settings.append(["locale", locale])
    return {
        "Settings": settings,
        "Inventory": [
            ["SKU", "Title", "Available", "Price", "Case pack"],
            ["CASE-SKU", "Mug", "1.200", "12,50", 12],  # a decimal comma elsewhere: 1200
            ["BAD-AVAIL", "Cup", "12 units", -8, None],  # stays on Alerts: NO DATA, FIX INPUT
            ["S-3", "Plate", 90, "9,99", 0],
            [" case-sku", "Dup", -7, 1, None],  # the same SKU, case and spaces aside
        ],
        "Sales": sales,
        "Inbound": [
            ["SKU", "Qty", "ETA"],
            ["S-3", "1 200", "20/11/2026"],
            ["S-3", 50, "2300-01-01"],  # a year-2300 typo: a Problems row, not a crash
        ],
    }


def python_refresh(tmp: Path, tabs: dict) -> dict[str, list[list[Any]]]:
    path = tmp / "book.xlsx"
    write_new_workbook(path, tabs)
    refresh(str(path))
    book = openpyxl.load_workbook(path)
    return {
        name: [list(r) for r in book[name].iter_rows(values_only=True)] for name in book.sheetnames
    }


def lite(tabs: dict) -> dict[str, list[list[Any]]]:
    out, _ = lite_refresh.refresh_grids(SCHEMA, tabs, dt.date(2030, 1, 1), names=list(tabs))
    return out


def shown(value: Any) -> Any:
    """A cell as compared: text without the apostrophe that keeps it text, dates as ISO."""
    if isinstance(value, dict) and "$date" in value:
        return value["$date"]
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, str):
        value = value.removeprefix("'")
    if value in ("", None):
        return None
    if isinstance(value, float):
        return round(value, 6)
    return value


def table(grid: list[list[Any]], columns: tuple[str, ...]) -> list[tuple]:
    at = [grid[0].index(c) for c in columns]
    return [
        tuple(shown(row[i]) for i in at)
        for row in grid[1:]
        if any(c not in (None, "") for c in row)
    ]


@pytest.fixture(scope="module", params=[None, "de-DE"], ids=["no locale", "de-DE"])
def three(request, node: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict, dict]:
    tmp = tmp_path_factory.mktemp("slips")
    tabs = slips(request.param)
    return python_refresh(tmp, tabs), lite(tabs), run_in_sheet(node, tmp, tabs)["tabs"]


def test_problems_are_the_same_rows_word_for_word(three) -> None:
    python, lite_tabs_out, js = three
    columns = ("Tab", "Row", "Column", "Problem")
    ours = table(python["Problems"], columns)
    assert table(lite_tabs_out["Problems"], columns) == ours
    assert table(js["Problems"], columns) == ours
    problems = "\n".join(p[3] for p in ours)
    for expected in (
        'Available must be a number, got "12 units"',  # kept: no "row skipped"
        "duplicate SKU (same as 'CASE-SKU', case and spaces aside)",
        "did you mean 'CASE-SKU'?",
        "2300-01-05 is outside the dates a plan can use (1678 to 2261); row skipped",
        "2300-01-01 is outside the dates a plan can use (1678 to 2261); row skipped",
        "numbers like '1.200' could use ',' as a decimal mark or not: read '1.200' as 1200",
        "Price cannot be negative: ignored",
        "Case pack must be above 0: ignored",
        "horizon_days: expected a whole number of days ≥ 1; using the default",
        "warn_days needs three numbers",
        "handling_time_days: expected a number ≥ 0; using the default",
        "velocity_windows and velocity_weights:",
    ):
        assert expected in problems
    # as_of alone could be either; the Sales dates settle it, and Problems says so once
    assert problems.count("as_of: dates like '05/11/2026'") == 1
    assert "read day first (as Sales Date " in problems


def test_alerts_are_the_same_skus_in_the_same_order_saying_the_same(three) -> None:
    python, lite_out, js = three
    ours = table(python["Alerts"], COMPARED)
    assert [row[0] for row in ours] == ["BAD-AVAIL", "CASE-SKU", "S-3"]  # the fix first
    assert table(lite_out["Alerts"], COMPARED) == ours
    assert table(js["Alerts"], COMPARED) == ours
    by_sku = {row[0]: dict(zip(COMPARED, row, strict=True)) for row in ours}
    assert by_sku["CASE-SKU"]["Daily sales"] == 5  # day-first dates: not 2.88 a day
    assert by_sku["CASE-SKU"]["Available"] == 1200  # `1.200` read by the workbook's comma
    assert by_sku["BAD-AVAIL"]["Alert"] == "NO DATA" and by_sku["BAD-AVAIL"]["Available"] is None
    assert by_sku["BAD-AVAIL"]["Action"].startswith("FIX INPUT: Inventory row 3, Available")
    assert "CHECK Sales SKU" in by_sku["CASE-SKU"]["Flags"]  # the typo's nearest SKU
    assert "CHECK Inbound ETA" in by_sku["S-3"]["Flags"]


@pytest.mark.parametrize(
    ("broken", "said"),
    [
        (lambda t: {**{k: v for k, v in t.items() if k != "Inventory"}, "Inventry": t["Inventory"]},
         "no 'Inventory' tab (is 'Inventry' it? rename it to 'Inventory')"),
        (lambda t: {**t, "Inventory": [["SKU", "Qty available"], *t["Inventory"][1:]]},
         "required column 'Available' not found (is 'Qty available' it? rename it to "
         "'Available')"),
        (lambda t: {**t, "Inventory": t["Inventory"][:1]}, "Nothing to plan yet"),
    ],
    ids=["renamed tab", "renamed header", "no SKU"],
)  # fmt: skip
def test_a_missing_tab_or_header_is_the_same_refusal_and_touches_nothing(
    broken, said: str, node: str, tmp_path: Path
) -> None:
    tabs = broken(slips())
    alerts = [["SKU", "Alert", "My note"], ["CASE-SKU", "CRITICAL", "call Li"]]
    path = tmp_path / "book.xlsx"
    write_new_workbook(path, {**tabs, "Alerts": alerts})
    with pytest.raises(TargetError, match=re.escape(said)):
        refresh(str(path))
    with pytest.raises(lite_tabs.Refusal) as refusal:
        lite(tabs)
    assert said in str(refusal.value)
    run = run_in_sheet(node, tmp_path, {**tabs, "Alerts": alerts})
    assert said in run["messages"][0] and run["messages"][0].startswith("Not refreshed: ")
    assert run["tabs"]["Alerts"] == alerts and "Problems" not in run["tabs"]
    kept = openpyxl.load_workbook(path)["Alerts"]
    assert [list(r) for r in kept.iter_rows(values_only=True)][1][2] == "call Li"


#: Workbooks of the input fuzz (tests/sheets_sync/test_inputs_fuzz.py) refreshed three ways.
FUZZED = 40


def _fuzzed_books() -> list[dict[str, list[list[Any]]]]:
    """The input fuzz's first FUZZED workbooks, as cells all three refreshes can hold: a
    formula as its value, a date cell as a date; NaN blank and ±inf as text (a sheet holds
    neither)."""

    def cell(value: Any) -> Any:
        if isinstance(value, Formula):
            value = value.cached
        if isinstance(value, float) and not math.isfinite(value):
            return None if math.isnan(value) else str(value)
        return value.date() if isinstance(value, dt.datetime) else value

    books = []

    @settings(max_examples=FUZZED, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(edits=mutations())
    def collect(edits: list) -> None:
        grids = base()
        apply(grids, edits)
        books.append({t: [[cell(c) for c in row] for row in g] for t, g in grids.items()})

    collect()
    return books


def _numbers_by_value(rows: list[tuple]) -> list[tuple]:
    """Python writes the float 0.0 where JavaScript, with one kind of number, writes 0."""

    def value(found: re.Match) -> str:
        return repr(float(found[0]))

    number = r"-?\d+(?:\.\d+)?(?:e[+-]\d+)?(?![\d-])"
    return [(*row[:3], re.sub(number, value, row[3])) for row in rows]


def test_fuzzed_workbooks_give_the_same_problems_three_ways(node: str, tmp_path: Path) -> None:
    """Lite gives Python's Problems to the letter; the in-sheet refresh too, numbers in the
    messages compared by value."""
    books = _fuzzed_books()
    python, in_lite = [], []
    for grids in books:
        memory = MemoryBook(copy.deepcopy(grids), parse_target(str(tmp_path / "fuzz.xlsx")))
        result = refresh(memory, as_of=FUZZ_AS_OF)
        python.append(sorted((p.tab, p.row, str(p.column), p.problem) for p in result.problems))
        out, _ = lite_refresh.refresh_grids(SCHEMA, copy.deepcopy(grids), FUZZ_AS_OF)
        in_lite.append(sorted((t, r, str(c), p) for t, r, c, _v, p in out["Problems"][1:]))
    assert in_lite == python
    path = tmp_path / "books.json"
    path.write_text(
        json.dumps([{t: [[encode(c) for c in r] for r in g] for t, g in b.items()} for b in books]),
        encoding="utf-8",
    )
    done = subprocess.run(
        [node, str(GOOGLE / "run_many.js"), str(path)],
        capture_output=True, text=True, timeout=600, cwd=GOOGLE,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    in_sheet = [
        sorted((t, r, str(c), p) for t, r, c, _v, p in (run["problems"] or [[]])[1:])
        for run in json.loads(done.stdout)
    ]
    assert [_numbers_by_value(p) for p in in_sheet] == [_numbers_by_value(p) for p in python]
    assert sum(len(p) for p in python) > 2 * FUZZED  # the fuzz found plenty to report
