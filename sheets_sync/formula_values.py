"""Values for input formulas that arrive without one.

A spreadsheet saves each formula with the value it last computed, and the refresh reads that
value. A file last saved by a program that does not compute (openpyxl, which the .xlsx backend
uses; many export scripts) has formulas without values, so `Available = =40+50` would read as
blank on the next run from cron. Those formulas are computed here, with `formulas` (a
maintained Excel formula engine, EUPL-licensed, used unmodified as a library), from the other
cells the refresh read; a reference to a tab it did not read, or a function the engine does not
know, cannot be computed, and then the value the history store saw last for that same formula in
that same cell is used, if the store has one. Every cell handled either way gets a row on
Problems saying which, so a number never appears silently.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from openpyxl.utils import column_index_from_string, get_column_letter

from sheets_sync.types import Cell, Formula, Grid

#: How a value was found: computed by the engine, or remembered from an earlier refresh.
COMPUTED, REMEMBERED = "computed", "remembered"
_EPOCH = dt.datetime(1899, 12, 30)
_REF = re.compile(r"^(?:(?P<sheet>'(?:[^']|'')+'|[^!]+)!)?(?P<a>[A-Z]+\d+)(?::(?P<b>[A-Z]+\d+))?$")


@dataclass
class Found:
    """A formula without a saved value, and what became of it (`how` None: nothing found)."""

    tab: str
    row: int  # sheet row
    column: int  # sheet column
    formula: str
    value: Cell
    how: str | None
    why: str = ""

    @property
    def cell(self) -> str:
        return f"{get_column_letter(self.column)}{self.row}"

    @property
    def problem(self) -> str:
        """What the Problems tab says about it."""
        if self.how == COMPUTED:
            return (
                f"this formula had no saved value (the file was last saved by a program that "
                f"does not calculate): computed by stockout's formula engine as {self.value}"
            )
        cause = f"this formula had no saved value and cannot be computed here ({self.why})"
        if self.how == REMEMBERED:
            return f"{cause}: using {self.value}, its value at an earlier refresh"
        return (f"{cause}: read as blank. Open and save the file in Excel or LibreOffice, or "
                "type the value")  # fmt: skip


def missing(grids: Mapping[str, Grid | None], tabs: tuple[str, ...]) -> Iterator[Found]:
    """Each formula in TABS whose saved value is missing, not yet resolved."""
    for tab in tabs:
        for r, row in enumerate(grids.get(tab) or [], start=1):
            for c, value in enumerate(row, start=1):
                if isinstance(value, Formula) and value.cached is None:
                    yield Found(tab, r, c, str(value), None, None)


def fill(
    grids: Mapping[str, Grid | None],
    tabs: tuple[str, ...],
    remembered: Mapping[tuple[str, str, str], Cell] | None = None,
) -> list[Found]:
    """Give every formula in TABS that has no saved value one (in place); say how for each.

    REMEMBERED maps (tab, cell, formula) to the value an earlier refresh saw for it.
    """
    todo = list(missing(grids, tabs))
    if not todo:
        return []
    engine = _Engine(grids)
    for found in todo:
        try:
            found.value, found.how = engine.value(found.tab, found.row, found.column), COMPUTED
        except _CannotCompute as exc:
            found.why = str(exc)
            old = (remembered or {}).get((found.tab, found.cell, found.formula))
            if old is not None:
                found.value, found.how = old, REMEMBERED
        grid = grids[found.tab]
        if found.how and grid is not None:  # (it is: the formula was found in it)
            grid[found.row - 1][found.column - 1].cached = found.value
    return todo


def saved_values(grids: Mapping[str, Grid | None], tabs: tuple[str, ...]) -> Iterator[tuple]:
    """(tab, cell, formula, value) of each formula in TABS that has a value: worth remembering."""
    for tab in tabs:
        for r, row in enumerate(grids.get(tab) or [], start=1):
            for c, value in enumerate(row, start=1):
                if isinstance(value, Formula) and value.cached is not None:
                    yield tab, f"{get_column_letter(c)}{r}", str(value), value.cached


class _CannotCompute(Exception):
    pass


class _Engine:
    """Excel formulas over the grids read, cell by cell, each formula compiled once."""

    def __init__(self, grids: Mapping[str, Grid | None]) -> None:
        import formulas  # loaded only when a formula has no value: it takes a second
        import numpy
        import schedula

        self.formulas, self.np, self.empty = formulas, numpy, schedula.EMPTY
        self.grids = {name.casefold(): grid for name, grid in grids.items() if grid is not None}
        self.done: dict[tuple[str, int, int], Any] = {}
        self.busy: set[tuple[str, int, int]] = set()

    def value(self, tab: str, row: int, col: int) -> Cell:
        result = self._cell(tab.casefold(), row, col)
        if result is self.empty:
            return None
        return _plain(result)

    def _cell(self, tab: str, row: int, col: int) -> Any:
        grid = self.grids.get(tab)
        if grid is None:
            raise _CannotCompute(f"it refers to the tab {tab!r}, which the refresh does not read")
        if row > len(grid) or col > len(grid[row - 1]):
            return self.empty
        value = grid[row - 1][col - 1]
        if not isinstance(value, Formula):
            return self.empty if value in (None, "") else _engine_value(value)
        if value.cached is not None:
            return _engine_value(value.cached)
        key = (tab, row, col)
        if key in self.done:
            return self.done[key]
        if key in self.busy:
            raise _CannotCompute("it refers to itself (a circular reference)")
        self.busy.add(key)
        try:
            self.done[key] = self._compute(tab, value)
        finally:
            self.busy.discard(key)
        return self.done[key]

    def _compute(self, tab: str, formula: str) -> Any:
        try:
            compiled = self.formulas.Parser().ast(formula)[1].compile()
        except Exception as exc:
            raise _CannotCompute(f"the formula engine cannot read it ({exc})") from None
        args = [self._range(tab, ref) for ref in compiled.inputs]
        try:
            with _quiet("schedula", "formulas"):
                result = compiled(*args)
        except Exception as exc:
            name = re.search(r"'([A-Z][A-Z0-9.]*)'", str(exc))
            what = f"the function {name[1]}" if name else type(exc).__name__
            raise _CannotCompute(f"the formula engine does not support {what}") from None
        value = result
        if hasattr(value, "shape"):  # the engine answers arrays; a cell holds their first value
            value = value.flat[0] if value.size else None
        if isinstance(value, self.formulas.tokens.operand.XlError):
            raise _CannotCompute(f"it computes to the error {value}")
        return value

    def _range(self, tab: str, ref: str) -> Any:
        found = _REF.match(ref.replace("$", ""))
        if not found:
            raise _CannotCompute(f"the formula engine cannot follow {ref}")
        sheet = found["sheet"]
        if sheet:
            tab = sheet.strip("'").replace("''", "'").casefold()
        a, b = found["a"], found["b"] or found["a"]
        (r1, c1), (r2, c2) = _rc(a), _rc(b)
        if (r1, c1) == (r2, c2):
            return self._cell(tab, r1, c1)
        rows = [[self._cell(tab, r, c) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
        return self.np.array(rows, dtype=object)


@contextlib.contextmanager
def _quiet(*loggers: str) -> Iterator[None]:
    """The engine logs a traceback for a function it lacks; the reason goes to Problems."""
    saved = [(logging.getLogger(name), logging.getLogger(name).disabled) for name in loggers]
    for logger, _ in saved:
        logger.disabled = True
    try:
        yield
    finally:
        for logger, disabled in saved:
            logger.disabled = disabled


def _rc(a1: str) -> tuple[int, int]:
    letters = a1.rstrip("0123456789")
    return int(a1[len(letters) :]), column_index_from_string(letters)


def _engine_value(value: Any) -> Any:
    """A cell as the engine takes it: dates as serial numbers, blanks as its EMPTY."""
    if isinstance(value, dt.datetime):
        return (value - _EPOCH).total_seconds() / 86400
    if isinstance(value, dt.date):
        return (dt.datetime(value.year, value.month, value.day) - _EPOCH).days
    return value


def _plain(value: Any) -> Cell:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
