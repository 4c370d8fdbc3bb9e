"""A workbook that teaches: the tabs `stockout new` (and the demo) write before any refresh.

Every tab gets its header notes and input checks from `guide`, Settings gets a Description
column and dropdowns, and a Start tab says what to fill in what order and how to refresh.
`--example` fills a few realistic rows (a slice of the demo business), so the first refresh
shows every kind of alert without a seller typing anything.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping

from sheets_sync import guide, planner
from sheets_sync import workbook as wb
from sheets_sync.settings import CHOICES
from sheets_sync.types import Grid, Tab, Validation

START = "Start"
#: Days of Sales a printout shows, the latest (the screen shows the whole history).
PRINTED_SALES_DAYS = 7
#: SKUs of the demo business that `stockout new --example` writes.
EXAMPLE_SKUS = 6


def _settings_validations(grid: Grid) -> list[Validation]:
    """A dropdown on the Value of each setting that takes one of a few words."""
    value = str(grid[0][1])
    rows: dict[tuple[str, ...], list[int]] = {}
    for i, row in enumerate(grid[1:]):
        if row and row[0] in CHOICES:
            rows.setdefault(CHOICES[row[0]], []).append(i)
    return [
        Validation(value, "list", choices, "one of: " + ", ".join(choices), tuple(where))
        for choices, where in rows.items()
    ]


def tab_for(name: str, grid: Grid, currency: str | None = None) -> Tab:
    """A tab of a new workbook: its rows, formats, header notes and input checks."""
    header = [str(h) for h in grid[0]]
    rows = [list(r) for r in grid[1:]]
    if name == START:
        return Tab(name, [*header], rows, wrap={header[1]: 100}, max_lines=6)
    if name == planner.PLANNER:
        formats = planner.planner_formats(header)
        return Tab(name, [*header], rows, formats, notes=planner.planner_notes(header))
    formats = wb.formats(name) if name in wb.SCHEMA else {}
    tab = Tab(
        name,
        [*header],
        rows,
        formats,
        notes=guide.header_notes(name, header),
        currency=currency,
    )
    if name == wb.SETTINGS:
        tab.wrap = {header[2]: 90} if len(header) > 2 else {}
        tab.max_lines = 3
        tab.validations = _settings_validations(grid)
    elif name in wb.INPUT_TABS:
        tab.validations = guide.input_validations(name)
    if name == wb.SALES:
        tab.print_from = _older_than_a_week(header, rows)
        if tab.print_from:
            date = wb.header_of(wb.SALES, "date")
            tab.notes[date] = (
                tab.notes.get(date, "") + f" A printout shows the latest {PRINTED_SALES_DAYS} "
                "days (Page Layout > Print Area to print more)."
            ).strip()
    return tab


def _older_than_a_week(header: list[str], rows: Grid) -> int:
    """How many leading Sales rows come before the latest week, when the rows run by date
    (0 otherwise: every row prints)."""
    date = wb.header_of(wb.SALES, "date")
    if date not in header:  # a Sales tab missing its Date column: the refresh says so
        return 0
    j = header.index(date)
    cells = [r[j] if j < len(r) else None for r in rows]
    if not cells or not all(isinstance(d, dt.date) for d in cells):
        return 0
    days = [d.toordinal() for d in cells if isinstance(d, dt.date)]
    if any(b < a for a, b in itertools.pairwise(days)):
        return 0
    return next(n for n, d in enumerate(days) if d > days[-1] - PRINTED_SALES_DAYS)


def starter_grids(
    as_of: dt.date | None = None, *, example: bool = False, book: str = "BOOK.xlsx"
) -> dict[str, Grid]:
    """Start, then every input tab (example rows if asked), the live Planner and every output
    tab's header."""
    from sheets_sync.demo import demo_tabs

    grids: dict[str, Grid] = {START: guide.start_grid(book)}
    if example:
        grids.update(demo_tabs(as_of or dt.date.today(), count=EXAMPLE_SKUS))
    else:
        grids.update({tab: [wb.headers(tab)] for tab in wb.INPUT_TABS})
        grids[wb.SETTINGS] = guide.settings_grid()
    grids[planner.PLANNER] = planner.planner_grid(grids)
    grids.update({tab: [wb.headers(tab)] for tab in wb.OUTPUT_TABS if tab in wb.SCHEMA})
    return grids


def starter_tabs(grids: Mapping[str, Grid], currency: str | None = None) -> dict[str, Tab]:
    """The grids as decorated tabs, in order, for a backend to write."""
    return {name: tab_for(name, grid, currency) for name, grid in grids.items()}
