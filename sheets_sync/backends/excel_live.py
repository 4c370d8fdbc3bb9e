"""The workbook open in Excel right now, through xlwings' Book API (the BSD core only).

This is what the Refresh button of an `excel-init` workbook uses: RunPython starts Python, the
refresh reads the input tabs from the live workbook and writes the output tabs back into it, and
the user sees the result without closing or reopening anything. It also works from a terminal
against a workbook open in Excel (`stockout refresh excel:Book1.xlsm`).

Excel is slow per call, not per cell, so the backend does one read per tab and one write per
tab, with screen updating off while it writes. The workbook is not saved: it is the user's open
document, and saving is theirs to decide. Number formats are applied per column; alert colours
(`Tab.fills`) and charts are left to the .xlsx backend, since here they would cost Excel calls
per cell.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import numbers
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from sheets_sync.references import Moves, carry_grids
from sheets_sync.types import (
    FormatKind,
    Formula,
    Grid,
    Place,
    Tab,
    Target,
    TargetError,
    number_pattern,
)


class LiveExcelBackend:
    """Read and write a workbook open in Excel.

    `book_spec` says which: "caller" (the workbook whose button ran Python) or a workbook name
    or path as Excel knows it. `book` skips the lookup and uses that xlwings Book (or anything
    with the same API), which is how `main()` in an `excel-init` module passes
    `xw.Book.caller()` and how the tests pass a fake.
    """

    def __init__(self, book_spec: str = "caller", book: Any = None) -> None:
        self._spec = book_spec or "caller"
        self._book = book
        self.label = self._spec if book is None else _book_label(book)

    @property
    def target(self) -> Target:
        """The workbook as Excel named it: its full path once found, else what was asked for."""
        return Target(PLACE, self.label)

    @property
    def book(self) -> Any:
        """The xlwings Book, looked up on first use so that opening the backend is free."""
        if self._book is None:
            self._book = _find_book(self._spec)
            self.label = _book_label(self._book)
        return self._book

    def read(self, tabs: Sequence[str]) -> dict[str, Grid | None]:
        """Each requested tab as rows of values from A1 to its last used cell (one read each)."""
        with self._excel_errors("read"):
            sheets = self._sheets_by_name()
            found = {name: sheets.get(name.lower()) for name in tabs}
            return {
                name: None if sheet is None else _read_sheet(sheet) for name, sheet in found.items()
            }

    def write(self, tabs: Mapping[str, Tab]) -> None:
        """Replace each tab's content with its header and rows (one write each).

        Every text value gets Excel's apostrophe prefix, so "=HYPERLINK(...)" stays text and
        "00123" or "1-2" are not turned into a number or a date. Cells the old content used
        beyond the new block are cleared; formats outside the block are left alone.
        """
        book = self.book
        with self._excel_errors("write"):
            app = book.app
            updating = app.screen_updating
            app.screen_updating = False
            try:
                sheets = self._sheets_by_name()
                moved: dict[str, Moves] = {}
                for tab in tabs.values():
                    sheet = sheets.get(tab.name.lower())
                    if sheet is None:
                        sheet = book.sheets.add(tab.name, after=book.sheets[-1])
                        sheets[tab.name.lower()] = sheet
                    else:
                        last = sheet.used_range.last_cell
                        moves = Moves.of(tab, (last.row, last.column))
                        if moves is not None and not moves.identity:
                            moved[sheet.name] = moves
                    _write_sheet(sheet, tab)
                written = {tab.name.lower() for tab in tabs.values()}
                _carry_elsewhere(book, [s for s in book.sheets if s.name.lower() not in written],
                                 moved)  # fmt: skip
            finally:
                app.screen_updating = updating

    def tab_names(self) -> list[str]:
        with self._excel_errors("read"):
            return [sheet.name for sheet in self.book.sheets]

    def _sheets_by_name(self) -> dict[str, Any]:
        return {sheet.name.lower(): sheet for sheet in self.book.sheets}

    @contextlib.contextmanager
    def _excel_errors(self, action: str) -> Iterator[None]:
        """Excel's own refusals (a protected sheet, a cell being edited) in plain words."""
        try:
            yield
        except TargetError:
            raise
        except Exception as exc:  # COM or AppleScript errors have no common base class
            raise TargetError(f"Excel refused the {action} of {self.label}: {exc}") from exc


def _book_file(key: str) -> Path | None:
    return None if key == "caller" else Path(key).expanduser()


#: `excel:<book>` (`excel:` alone is the caller): a workbook open in Excel, which saves it.
PLACE = Place(
    kind="excel", backend=LiveExcelBackend, key=lambda text: text or "caller", book=_book_file
)


def _find_book(spec: str) -> Any:
    """Find the workbook in a running Excel; plain words when there is none."""
    try:
        import xlwings as xw

        return xw.Book.caller() if spec == "caller" else xw.Book(spec)
    except Exception as exc:  # no Excel on this machine, not started from Excel, not open
        where = (
            "the workbook that called Python (run this from the workbook's Refresh button)"
            if spec == "caller"
            else f"the workbook {spec!r} in a running Excel"
        )
        raise TargetError(f"Cannot reach {where}: {exc}") from exc


def _book_label(book: Any) -> str:
    """The workbook's full path, like the .xlsx backend's label: the history store sits beside."""
    return book.fullname


def _read_sheet(sheet: Any) -> Grid:
    """From A1, not from the used range's own corner: row and column numbers must stay put.

    Values and formulas are two reads of the same block; a cell whose formula text differs
    from its value is a `Formula` (holding that value), so the user's formulas in output tabs
    are written back as formulas, and input formulas keep their computed value.
    """
    last = sheet.used_range.last_cell
    block = sheet.range((1, 1), (last.row, last.column))
    grid = block.options(ndim=2).value
    texts = block.formula
    if isinstance(texts, str):
        texts = ((texts,),)
    for row, formulas in zip(grid, texts, strict=False):
        for c, text in enumerate(formulas):
            if isinstance(text, str) and text.startswith("=") and text != row[c]:
                formula = Formula(text)
                formula.cached = row[c]
                row[c] = formula
    while grid and all(cell is None for cell in grid[-1]):
        grid.pop()
    return grid


def _carry_elsewhere(book: Any, sheets: list[Any], moved: Mapping[str, Moves]) -> None:
    """Formulas on SHEETS (those not rewritten) and the book's defined names that refer to a
    MOVED tab keep pointing at what they pointed at (`sheets_sync.references`): read only when
    rows moved, written back one cell each."""
    if not moved:
        return
    grids = {sheet.name: _read_sheet(sheet) for sheet in sheets}
    by_name = {sheet.name: sheet for sheet in sheets}
    for (name, r, c), formula in carry_grids(grids, moved).items():
        by_name[name].range((r, c)).formula = str(formula)
    for defined in getattr(book, "names", ()):
        refers = str(defined.refers_to)
        found = carry_grids({"": [[Formula(refers)]]}, moved)
        if found:
            defined.refers_to = str(found["", 1, 1])


def _write_sheet(sheet: Any, tab: Tab) -> None:
    width = max([len(tab.header), *(len(row) for row in tab.rows)])
    block = [_row(tab.header, width)] + [_row(row, width) for row in tab.rows]
    last = sheet.used_range.last_cell
    old_rows, old_cols = last.row, last.column
    sheet.range((1, 1), (len(block), width)).value = block
    if old_rows > len(block):
        sheet.range((len(block) + 1, 1), (old_rows, max(old_cols, width))).clear_contents()
    if old_cols > width:
        sheet.range((1, width + 1), (len(block), old_cols)).clear_contents()
    if tab.rows:
        for col, name in enumerate(tab.header, start=1):
            kind = tab.formats.get(name or "", "")
            # Text is kept text by the apostrophe (`_excel_value`), not by a "@" format.
            number_format = None if kind == FormatKind.TEXT else number_pattern(kind, tab.currency)
            if number_format:
                sheet.range((2, col), (len(block), col)).number_format = number_format


def _row(values: Sequence[Any], width: int) -> list[Any]:
    return [_excel_value(v) for v in values] + [None] * (width - len(values))


def _excel_value(value: Any) -> Any:
    """A value Excel stores as given: text stays text, dates stay dates, NaN/NaT are blank."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, Formula):
        return str(value)  # the user's own formula: Excel takes it as typed
    if isinstance(value, str):
        return "'" + value if value else None
    if isinstance(value, numbers.Number | dt.date):
        if value != value:  # NaN, NaT
            return None
        if isinstance(value, numbers.Integral):
            return int(value)
        return value if isinstance(value, dt.date) else float(value)  # type: ignore[arg-type]
    return "'" + str(value)
