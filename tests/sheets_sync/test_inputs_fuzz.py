"""Fuzz the input tabs (issue 15.7): whatever a seller types, the refresh keeps its promises.

Hypothesis writes bad values into every input tab (wrong types, local dates and numbers, huge,
negative and non-finite numbers, unicode, formulas, blanks, duplicated rows) and each refresh
must hold these invariants:

1. it finishes (no exception escapes, no refusal while Inventory has a SKU) with exit code 1
   when Problems has rows and 0 when it has none;
2. every SKU of the Inventory tab is on Alerts (a bad cell never hides a SKU);
3. every cell that no reading rule can read (`12 units`, `n/a`, `🙂`, ...) in a number, date or
   yes/no column is listed on Problems with its tab and row;
4. nothing the user wrote is lost: the input tabs are as they were, and a user's note on
   Alerts stays beside its SKU.

The workbook lives in memory (a four-method backend), so 60 refreshes take seconds; the cases
are derandomised, so CI runs the same ones every time.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from addin.names import sku_key
from sheets_sync import workbook as wb
from sheets_sync.backends import parse_target
from sheets_sync.refresh import refresh
from sheets_sync.settings import DEFAULTS
from sheets_sync.types import Formula, Tab, Target

AS_OF = dt.date(2026, 11, 25)
SKUS = ["A-1", "B-2", "C-3", "D-4"]
#: Text no rule reads as a number, a date or yes/no, in any locale.
JUNK = ["12 units", "n/a", "abc", "🙂", "1.2.3", "十二", "--5", "#N/A", "=1/0", "about 40"]
LOCAL = ["1.200", "1 200,50", "1,200.50", "12,5", "-1.200", "03/11/2026", "28/10/2026",
         "10/28/2026", "31/02/2026", "2026-13-01", "9999-12-31", "1e400", "0x1F"]  # fmt: skip
VALUES = st.one_of(
    st.sampled_from(JUNK),
    st.sampled_from(LOCAL),
    st.text(max_size=6),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.sampled_from([None, "", "  "]),
    st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)),
    st.sampled_from([Formula("=40+50"), Formula("=NOSUCHTAB!A1"), Formula('=GOOGLEFINANCE("X")')]),
)
#: Settings a fuzzed value goes into (numbers and lists the plan reads).
SETTING_KEYS = [
    "horizon_days", "safety_days", "service_level", "velocity_windows", "sea_days",
    "cover_target_days", "handling_time_days", "as_of", "locale",
]  # fmt: skip


def day(n: int) -> dt.datetime:
    return dt.datetime.combine(AS_OF + dt.timedelta(days=n), dt.time())


def base() -> dict[str, list[list[Any]]]:
    grids = wb.starter_tabs()
    grids[wb.SETTINGS] = [["Key", "Value"], *([k, DEFAULTS[k]] for k in SETTING_KEYS)]
    grids[wb.INVENTORY] += [[s, "B0", f"Title {s}", 40 + 10 * i, 0, 5, 20, 8, 12, 100]
                            for i, s in enumerate(SKUS)]  # fmt: skip
    grids[wb.SALES] += [[day(-n), s, 3, True] for s in SKUS for n in range(20, 0, -1)]
    grids[wb.INBOUND] += [[s, 100, day(30), "sea", f"FBA{i}", "shipped"]
                          for i, s in enumerate(SKUS)]  # fmt: skip
    grids[wb.PROMOTIONS] += [["A-1", day(5), day(9), 1.5]]
    grids[wb.ORDERS] += [["O-1", "B-2", 1, day(-1), day(2)], ["O-2", "C-3", 2, day(-2), day(3)]]
    grids[wb.ALERTS] = [["SKU", "My note"], ["A-1", "call the supplier"]]
    return grids


class MemoryBook:
    """A workbook in memory: what `sheets_sync.types.Backend` asks of a backend, nothing more."""

    def __init__(self, grids: dict[str, list[list[Any]]], target: Target) -> None:
        self.grids = grids
        self.label = "fuzz"
        self.target = target

    def read(self, tabs: Any) -> dict[str, Any]:
        return {t: copy.deepcopy(self.grids.get(t)) for t in tabs}

    def tab_names(self) -> list[str]:
        return list(self.grids)

    def write(self, tabs: dict[str, Tab]) -> None:
        for name, tab in tabs.items():
            self.grids[name] = [list(tab.header), *(list(r) for r in tab.rows)]


@st.composite
def mutations(draw: st.DrawFn) -> list[tuple[str, int, int, Any]]:
    """(tab, grid row, column, value) edits, and duplicated rows (column -1)."""
    grids = base()
    sizes = {t: (len(grids[t]) - 1, len(grids[t][0])) for t in wb.INPUT_TABS if len(grids[t]) > 1}
    edits = []
    for _ in range(draw(st.integers(min_value=1, max_value=12))):
        tab = draw(st.sampled_from(sorted(sizes)))
        rows, width = sizes[tab]
        row = draw(st.integers(min_value=1, max_value=rows))
        if draw(st.integers(min_value=0, max_value=9)) == 0:
            edits.append((tab, row, -1, None))  # a pasted duplicate of the row
            continue
        column = 1 if tab == wb.SETTINGS else draw(st.integers(min_value=0, max_value=width - 1))
        value = draw(VALUES)
        if tab == wb.INVENTORY and column == 0:  # SKU names are text; the first SKU stays
            if row == 1:
                continue
            value = draw(st.one_of(st.sampled_from(["", " ", "a-1 ", "B-2", "ÄÖ-1"]), st.text()))
        edits.append((tab, row, column, value))
    return edits


def apply(grids: dict[str, list[list[Any]]], edits: list) -> None:
    for tab, row, column, value in edits:
        if column < 0:
            grids[tab].append(list(grids[tab][row]))
        else:
            grids[tab][row] = list(grids[tab][row]) + [None] * (column + 1 - len(grids[tab][row]))
            grids[tab][row][column] = value


def unreadable(tab: str, column: int, value: Any) -> bool:
    """A JUNK text in a column read as a number, a date or yes/no: it must be on Problems."""
    if value not in JUNK:
        return False
    if tab == wb.SETTINGS:
        return True
    spec = {c.header: c for c in wb.SCHEMA[tab]}
    col = spec.get(wb.headers(tab)[column]) if column < len(wb.headers(tab)) else None
    return col is not None and col.kind not in ("text", "list")


def shown(grid: list[list[Any]]) -> list[list[Any]]:
    """A grid as the user sees it: formulas as their text, trailing blanks trimmed."""
    out = []
    for row in grid:
        cells = [str(v) if isinstance(v, Formula) else v for v in row]
        while cells and cells[-1] in (None, ""):
            cells.pop()
        out.append(cells)
    return out


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(edits=mutations())
def test_bad_input_never_crashes_hides_a_sku_goes_unlisted_or_loses_content(
    tmp_path: Path, edits: list
) -> None:
    grids = base()
    apply(grids, edits)
    inputs_before = {t: shown(grids[t]) for t in wb.INPUT_TABS if t in grids}
    book = MemoryBook(grids, parse_target(str(tmp_path / "fuzz.xlsx")))
    result = refresh(book, as_of=AS_OF)  # 1. any exception fails the test

    assert result.exit_code == (1 if result.problems else 0)
    alerts = book.grids[wb.ALERTS]
    header = alerts[0]
    on_alerts = {sku_key(r[0]) for r in alerts[1:] if r and r[0] not in (None, "")}
    names = [r[0] for r in grids[wb.INVENTORY][1:]]
    skus = {sku_key(n) for n in names if isinstance(n, str) and n.strip()}
    assert skus <= on_alerts, skus - on_alerts  # 2.

    listed = {(p.tab, p.row) for p in result.problems}
    for tab, row, column, value in edits:  # 3.
        if column >= 0 and unreadable(tab, column, value) and grids[tab][row][column] == value:
            assert (tab, row + 1) in listed, (tab, row + 1, column, value, result.problems)

    for tab, before in inputs_before.items():  # 4.
        assert shown(book.grids[tab]) == before, tab
    note = header.index("My note")
    notes = {r[0]: r[note] for r in alerts[1:] if len(r) > note}
    if "A-1" in notes:
        assert notes["A-1"] == "call the supplier"


@pytest.mark.parametrize("value", JUNK)
def test_every_junk_value_is_unreadable_as_a_number_and_a_date(value: str) -> None:
    """The oracle of invariant 3 is honest: none of JUNK reads as a number or a date."""
    from addin.reading import date_readings, number_readings

    assert number_readings(value) == {} and date_readings(value) == {}
