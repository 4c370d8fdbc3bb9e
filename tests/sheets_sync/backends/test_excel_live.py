"""The live-Excel backend against an in-memory stand-in for an xlwings Book.

Honest scope: there is no Excel on Linux, so `FakeBook` below imitates the part of xlwings'
Book/Sheet/Range API the backend uses, under the names xlwings gives them, and the parts of
Excel's behaviour that matter here: `.value` shapes (scalar, 1-D, 2-D, `ndim=2`), numbers read
back as floats, a used range that starts at the first used cell (not A1), and typed-in text being
parsed (a leading "=" makes a formula, "00123" a number, an apostrophe keeps text). What it
cannot show is COM timing, Excel's own error dialogs or Mac AppleScript quirks.

The Refresh button's code path (`refresh_book`) runs the real refresh on the demo workbook held
in such a fake, so what the button writes is checked end to end except for Excel itself.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from sheets_sync import workbook as wb
from sheets_sync.backends import open_backend
from sheets_sync.backends.excel_live import LiveExcelBackend
from sheets_sync.demo import demo_tabs
from sheets_sync.excel_button import refresh_book
from sheets_sync.exits import log_path
from sheets_sync.types import Formula as SheetFormula
from sheets_sync.types import Tab, TargetError

NUMBER = re.compile(r"^[+-]?\d+(\.\d*)?$")


class Formula(str):
    """A cell Excel would evaluate: what happens to an unprotected "=..." string. Its value
    (`.value` of the cell) is `result`: this stand-in does not calculate; tests set it."""

    result: Any = None


def _parse_typed(value: Any) -> Any:
    """What Excel stores when Range.Value is set to `value` (as typing it into the cell)."""
    if isinstance(value, str):
        if value.startswith("'"):
            return value[1:]
        if value.startswith("="):
            return Formula(value)
        if NUMBER.match(value):
            return float(value)
        return value or None
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


def _shown(cell: Any) -> Any:
    """What Range.Value gives for a stored cell: a formula's result, anything else as is."""
    return cell.result if isinstance(cell, Formula) else cell


def _as_formula_text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def _address(cell: Any) -> tuple[int, int]:
    if isinstance(cell, tuple):
        return cell
    letters, digits = re.fullmatch(r"([A-Z]+)(\d+)", cell).groups()
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(digits), col


class FakeApp:
    """xlwings.App: `screen_updating`, `status_bar`, and `alert()` (Excel's MsgBox), recorded."""

    def __init__(self) -> None:
        self.screen_updating = True
        self.status_bar: str | bool = False
        self.alerts: list[dict[str, Any]] = []

    def alert(
        self, prompt: str, title: str | None = None, buttons: str = "ok", mode: str | None = None
    ) -> str:
        self.alerts.append({"prompt": prompt, "title": title, "mode": mode})
        return "ok"


class FakeRange:
    """xlwings.Range: `.value`, `.options(ndim=...)`, `.last_cell`, `.row`, `.column`, ..."""

    def __init__(self, sheet: FakeSheet, top: tuple[int, int], bottom: tuple[int, int]) -> None:
        self.sheet, self.top, self.bottom = sheet, top, bottom
        self._ndim: int | None = None

    @property
    def row(self) -> int:
        return self.top[0]

    @property
    def column(self) -> int:
        return self.top[1]

    @property
    def last_cell(self) -> FakeRange:
        return FakeRange(self.sheet, self.bottom, self.bottom)

    def options(self, ndim: int | None = None) -> FakeRange:
        view = FakeRange(self.sheet, self.top, self.bottom)
        view._ndim = ndim
        return view

    @property
    def value(self) -> Any:
        self.sheet.book.calls.append(("read", self.sheet.name))
        grid = [
            [_shown(self.sheet.cells.get((r, c))) for c in range(self.top[1], self.bottom[1] + 1)]
            for r in range(self.top[0], self.bottom[0] + 1)
        ]
        if self._ndim == 2:
            return grid
        if len(grid) == 1 and len(grid[0]) == 1:
            return grid[0][0]
        if len(grid) == 1:
            return grid[0]
        if len(grid[0]) == 1:
            return [row[0] for row in grid]
        return grid

    @value.setter
    def value(self, data: Any) -> None:
        book = self.sheet.book
        book.calls.append(("write", self.sheet.name, book.app.screen_updating))
        rows = data if isinstance(data, list) and data and isinstance(data[0], list) else [[data]]
        for i, row in enumerate(rows):
            for j, cell in enumerate(row):
                self.sheet.set((self.top[0] + i, self.top[1] + j), _parse_typed(cell))

    @property
    def formula(self) -> Any:
        """Range.Formula: the formula of each cell, else its constant as text ("" if empty);
        a 2-D tuple for a block, a string for one cell."""
        self.sheet.book.calls.append(("read", self.sheet.name))
        texts = tuple(
            tuple(_as_formula_text(self.sheet.cells.get((r, c)))
                  for c in range(self.top[1], self.bottom[1] + 1))
            for r in range(self.top[0], self.bottom[0] + 1)
        )  # fmt: skip
        return texts[0][0] if len(texts) == 1 and len(texts[0]) == 1 else texts

    @formula.setter
    def formula(self, text: str) -> None:
        """Range.Formula = "=...": the cell takes it as typed."""
        book = self.sheet.book
        book.calls.append(("write", self.sheet.name, book.app.screen_updating))
        self.sheet.set(self.top, _parse_typed(text))

    @property
    def number_format(self) -> str:
        return self.sheet.formats.get(self.top, "General")

    @number_format.setter
    def number_format(self, fmt: str) -> None:
        for r in range(self.top[0], self.bottom[0] + 1):
            for c in range(self.top[1], self.bottom[1] + 1):
                self.sheet.formats[(r, c)] = fmt

    def clear_contents(self) -> None:
        self.sheet.book.calls.append(("clear", self.sheet.name))
        for r in range(self.top[0], self.bottom[0] + 1):
            for c in range(self.top[1], self.bottom[1] + 1):
                self.sheet.cells.pop((r, c), None)


class FakeSheet:
    """xlwings.Sheet: `.name`, `.range(cell1, cell2)`, `.used_range`."""

    def __init__(self, book: FakeBook, name: str) -> None:
        self.book, self.name = book, name
        self.cells: dict[tuple[int, int], Any] = {}
        self.formats: dict[tuple[int, int], str] = {}

    def set(self, address: tuple[int, int], value: Any) -> None:
        if value is None:
            self.cells.pop(address, None)
        else:
            self.cells[address] = value

    def range(self, cell1: Any, cell2: Any = None) -> FakeRange:
        top = _address(cell1)
        return FakeRange(self, top, _address(cell2) if cell2 is not None else top)

    @property
    def used_range(self) -> FakeRange:
        if not self.cells:
            return FakeRange(self, (1, 1), (1, 1))
        rows = [r for r, _ in self.cells]
        cols = [c for _, c in self.cells]
        return FakeRange(self, (min(rows), min(cols)), (max(rows), max(cols)))


class FakeSheets:
    """xlwings.Sheets: iteration, `len`, `[index or name]` (Excel ignores case), `.add()`."""

    def __init__(self, book: FakeBook) -> None:
        self.book = book
        self._sheets: list[FakeSheet] = []

    def __iter__(self):
        return iter(list(self._sheets))

    def __len__(self) -> int:
        return len(self._sheets)

    def __getitem__(self, key: int | str) -> FakeSheet:
        if isinstance(key, int):
            return self._sheets[key]
        for sheet in self._sheets:
            if sheet.name.lower() == key.lower():
                return sheet
        raise KeyError(key)

    def add(self, name: str | None = None, before: Any = None, after: Any = None) -> FakeSheet:
        sheet = FakeSheet(self.book, name or f"Sheet{len(self._sheets) + 1}")
        index = len(self._sheets) if after is None else self._sheets.index(after) + 1
        if before is not None:
            index = self._sheets.index(before)
        self._sheets.insert(index, sheet)
        return sheet


class FakeName:
    """xlwings.Name: a defined name and what it `refers_to` (`=Alerts!$I$2:$I$9`)."""

    def __init__(self, name: str, refers_to: str) -> None:
        self.name, self.refers_to = name, refers_to


class FakeBook:
    """xlwings.Book: `.name`, `.app`, `.sheets`, `.names`; records every value read and write.

    Like a workbook in Excel it always has a sheet: "Sheet1" when no tabs are given.
    """

    def __init__(
        self,
        name: str = "stock.xlsm",
        tabs: dict[str, list[list[Any]]] | None = None,
        folder: str = "C:\\Users\\seller",
    ) -> None:
        self.name = name
        self.fullname = f"{folder}\\{name}"
        self.app = FakeApp()
        self.sheets = FakeSheets(self)
        self.names: list[FakeName] = []
        self.calls: list[tuple] = []
        for tab, rows in (tabs or {"Sheet1": []}).items():
            sheet = self.sheets.add(tab)
            for i, row in enumerate(rows, start=1):
                for j, cell in enumerate(row, start=1):
                    sheet.set((i, j), cell)

    def grid(self, tab: str) -> list[list[Any]]:
        sheet = self.sheets[tab]
        last = sheet.used_range.last_cell
        return [
            [sheet.cells.get((r, c)) for c in range(1, last.column + 1)]
            for r in range(1, last.row + 1)
        ]


def test_read_returns_rows_from_a1_with_missing_tabs_as_none() -> None:
    book = FakeBook(
        tabs={
            "Inventory": [["SKU", "Available"], ["A-1", 12.0], ["B-2", 0.0]],
            "Settings": [["Key", "Value"], ["as_of", dt.datetime(2026, 11, 25)]],
        }
    )
    got = LiveExcelBackend(book=book).read(["inventory", "Settings", "Sales"])
    assert got == {
        "inventory": [["SKU", "Available"], ["A-1", 12.0], ["B-2", 0.0]],
        "Settings": [["Key", "Value"], ["as_of", dt.datetime(2026, 11, 25)]],
        "Sales": None,
    }
    assert [c for c in book.calls if c[0] == "read"] == [  # values, then formulas
        ("read", "Inventory"),
        ("read", "Inventory"),
        ("read", "Settings"),
        ("read", "Settings"),
    ]


def test_formulas_are_read_as_formulas_and_written_back_as_formulas() -> None:
    """A user's formula column in Alerts stays formulas (it used to come back as constants)."""
    double = Formula("=B2*2")
    double.result = 24.0
    book = FakeBook(tabs={"Alerts": [["SKU", "Available", "Double", "Note"],
                                     ["A-1", 12.0, double, "=text, typed with '"]]})  # fmt: skip
    excel = LiveExcelBackend(book=book)
    grid = excel.read(["Alerts"])["Alerts"]
    cell = grid[1][2]
    assert isinstance(cell, SheetFormula) and cell == "=B2*2" and cell.cached == 24.0
    assert grid[1][3] == "=text, typed with '" and not isinstance(grid[1][3], SheetFormula)
    excel.write({"Alerts": Tab("Alerts", grid[0], [[*grid[1][:2], SheetFormula("=B2*3"),
                                                   grid[1][3]]])})  # fmt: skip
    stored = book.sheets["Alerts"].cells
    assert isinstance(stored[(2, 3)], Formula) and stored[(2, 3)] == "=B2*3"
    assert stored[(2, 4)] == "=text, typed with '" and not isinstance(stored[(2, 4)], Formula)


def test_read_keeps_positions_when_the_first_rows_and_columns_are_empty() -> None:
    book = FakeBook(tabs={"Inbound": [[None, None], [None, "SKU"], [None, "A-1"]]})
    assert LiveExcelBackend(book=book).read(["Inbound"])["Inbound"] == [
        [None, None],
        [None, "SKU"],
        [None, "A-1"],
    ]


def test_read_of_a_one_cell_or_one_column_tab_is_still_rows() -> None:
    book = FakeBook(tabs={"Alerts": [["SKU"]], "Problems": [["Tab"], ["Sales"]]})
    got = LiveExcelBackend(book=book).read(["Alerts", "Problems"])
    assert got == {"Alerts": [["SKU"]], "Problems": [["Tab"], ["Sales"]]}


def test_read_of_an_empty_sheet_is_an_empty_grid() -> None:
    book = FakeBook()
    book.sheets.add("Orders")
    assert LiveExcelBackend(book=book).read(["Orders"]) == {"Orders": []}


def test_write_creates_tabs_in_one_write_each_with_screen_updating_off() -> None:
    book = FakeBook(tabs={"Inventory": [["SKU", "Available"], ["A-1", 3]]})
    tabs = {
        "Alerts": Tab(
            "Alerts",
            ["SKU", "Stockout date", "Alert"],
            [["A-1", dt.date(2026, 12, 1), "CRITICAL"], ["B-2", None, "OK"]],
            formats={"Stockout date": "date"},
        ),
        "Problems": Tab("Problems", ["Tab", "Row", "Column", "Value", "Problem"], []),
    }
    LiveExcelBackend(book=book).write(tabs)

    writes = [c for c in book.calls if c[0] == "write"]
    assert writes == [("write", "Alerts", False), ("write", "Problems", False)]
    assert book.app.screen_updating is True
    assert [s.name for s in book.sheets] == ["Inventory", "Alerts", "Problems"]
    assert book.grid("Alerts") == [
        ["SKU", "Stockout date", "Alert"],
        ["A-1", dt.datetime(2026, 12, 1), "CRITICAL"],
        ["B-2", None, "OK"],
    ]
    assert book.sheets["Alerts"].range((2, 2)).number_format == "yyyy-mm-dd"
    assert book.grid("Problems") == [["Tab", "Row", "Column", "Value", "Problem"]]
    assert book.grid("Inventory") == [["SKU", "Available"], ["A-1", 3]]


def test_text_is_written_as_text_never_as_a_formula_or_number() -> None:
    book = FakeBook()
    book.sheets.add("Drafts")
    hostile = ['=HYPERLINK("http://x")', "00123", "+1", "'quoted", "1e5", ""]
    LiveExcelBackend(book=book).write({"Drafts": Tab("Drafts", ["Body"], [[v] for v in hostile])})
    cells = [row[0] for row in book.grid("Drafts")[1:]]
    assert cells == ['=HYPERLINK("http://x")', "00123", "+1", "'quoted", "1e5"]
    assert not any(isinstance(c, Formula) for c in cells)


def test_numpy_and_pandas_values_become_plain_cells() -> None:
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    book = FakeBook()
    row = [np.int64(7), np.float64(2.5), float("nan"), pd.Timestamp("2026-12-01"), pd.NaT]
    LiveExcelBackend(book=book).write({"Alerts": Tab("Alerts", list("abcde"), [row])})
    assert book.grid("Alerts")[1] == [7.0, 2.5, None, dt.datetime(2026, 12, 1), None]


def test_rewrite_clears_what_the_old_content_had_beyond_the_new_block() -> None:
    old = [["SKU", "Alert", "Note"], ["A-1", "OUT", "x"], ["B-2", "OK", "y"], ["C-3", "OK", "z"]]
    book = FakeBook(tabs={"Alerts": old})
    LiveExcelBackend(book=book).write({"Alerts": Tab("Alerts", ["SKU", "Alert"], [["A-1", "OK"]])})
    assert book.grid("Alerts") == [["SKU", "Alert"], ["A-1", "OK"]]


def test_a_refused_write_is_a_target_error_and_screen_updating_comes_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def protected(self: FakeRange, data: Any) -> None:
        raise RuntimeError("The cell or chart you're trying to change is on a protected sheet.")

    monkeypatch.setattr(FakeRange, "value", property(FakeRange.value.fget, protected))
    book = FakeBook(tabs={"Alerts": [["SKU"]]})
    with pytest.raises(TargetError, match="protected sheet"):
        LiveExcelBackend(book=book).write({"Alerts": Tab("Alerts", ["SKU"], [["A-1"]])})
    assert book.app.screen_updating is True


def test_read_then_write_round_trip_keeps_values() -> None:
    rows = [["SKU", "Qty", "ETA"], ["A-1", 40.0, dt.datetime(2026, 12, 3)], ["0042", 5.0, None]]
    book = FakeBook()
    backend = LiveExcelBackend(book=book)
    backend.write({"Inbound": Tab("Inbound", rows[0], rows[1:])})
    assert backend.read(["Inbound"])["Inbound"] == rows


def test_label_is_the_workbook_path_like_the_xlsx_backend() -> None:
    backend = LiveExcelBackend(book=FakeBook("Plan 2026.xlsm"))
    assert backend.label == "C:\\Users\\seller\\Plan 2026.xlsm"


def test_without_excel_the_caller_lookup_fails_in_plain_words() -> None:
    backend = open_backend("excel:caller")
    assert isinstance(backend, LiveExcelBackend)
    with pytest.raises(TargetError, match="Refresh button") as info:
        backend.read(["Inventory"])
    assert "Traceback" not in str(info.value)


def test_without_excel_a_named_workbook_fails_in_plain_words() -> None:
    with pytest.raises(TargetError, match=r"'Plan\.xlsm' in a running Excel"):
        LiveExcelBackend("Plan.xlsm").read(["Inventory"])


def _book_from(tabs: dict[str, list[list[Any]]], folder: str) -> FakeBook:
    """A workbook as Excel would hold these grids: numbers as floats, dates as datetimes."""
    stored = {name: [[_parse_typed(c) for c in row] for row in grid] for name, grid in tabs.items()}
    return FakeBook("demo.xlsm", stored, folder)


def test_the_refresh_button_refreshes_the_open_workbook_and_says_so(tmp_path: Path) -> None:

    today = dt.date.today()  # the demo leaves Settings!as_of blank: the button plans as of today
    book = _book_from(demo_tabs(today), str(tmp_path))
    inputs_before = {tab: book.grid(tab) for tab in wb.INPUT_TABS if tab in book.sheets}
    book.calls.clear()

    code = refresh_book(book)

    assert code in (0, 1)
    [shown] = book.app.alerts
    assert shown["title"] == "Stockout refresh" and shown["mode"] == "info"
    assert f"SKUs planned as of {today.isoformat()}" in shown["prompt"]
    assert book.app.status_bar is False and book.app.screen_updating is True
    writes = [c for c in book.calls if c[0] == "write"]
    assert sorted(c[1] for c in writes) == sorted({c[1] for c in writes})
    assert all(updating is False for _, _, updating in writes)
    assert book.grid(wb.ALERTS)[0][: len(wb.headers(wb.ALERTS))] == wb.headers(wb.ALERTS)
    assert len(book.grid(wb.ALERTS)) > 10
    assert {tab: book.grid(tab) for tab in inputs_before} == inputs_before


def test_the_refresh_button_shows_a_failure_as_a_sentence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:

    def protected(self: FakeRange, data: Any) -> None:
        raise RuntimeError("The cell or chart you're trying to change is on a protected sheet.")

    monkeypatch.setattr(FakeRange, "value", property(FakeRange.value.fget, protected))
    book = FakeBook(
        tabs={
            "Inventory": [["SKU", "Available"], ["A-1", 5.0]],
            "Sales": [["Date", "SKU", "Units"]],
        }
    )
    assert refresh_book(book) == 2
    [shown] = book.app.alerts
    assert shown["mode"] == "critical"
    assert shown["prompt"] == (
        "The refresh stopped: Excel refused the write of C:\\Users\\seller\\stock.xlsm: "
        "The cell or chart you're trying to change is on a protected sheet."
    )
    assert book.app.status_bar is False


def test_a_bug_behind_the_refresh_button_is_logged_beside_the_workbook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr("sheets_sync.excel_button.refresh", broken)
    book = _book_from(demo_tabs(dt.date(2026, 3, 1)), str(tmp_path))
    assert refresh_book(book) == 3
    [shown] = book.app.alerts
    log = log_path(f"excel:{book.fullname}")
    assert log.name.endswith("demo.stockout.log")
    assert shown["mode"] == "critical"
    assert shown["prompt"] == (
        f"stockout stopped on an unexpected error (ZeroDivisionError); the details are in "
        f"{log}: please attach that file to a bug report."
    )
    assert "ZeroDivisionError: a bug" in log.read_text() and "Traceback" in log.read_text()


def test_formulas_that_read_moved_rows_follow_them_on_every_tab_and_name(tmp_path: Path) -> None:
    """B-2 runs out and moves up the Alerts tab: formulas reading its row follow it on the
    user's own sheet, on an input tab, on another output tab (Drafts), in a defined name and
    in Alerts itself (a TOTAL keeps covering the table); all stay formulas."""
    from sheets_sync.refresh import refresh
    from tests.sheets_sync.test_refresh import AS_OF, make_book

    source = openpyxl.load_workbook(make_book(tmp_path / "book.xlsx"))
    book = FakeBook(tabs={ws.title: [list(r) for r in ws.iter_rows(values_only=True)]
                          for ws in source})  # fmt: skip
    refresh(LiveExcelBackend(book=book), as_of=AS_OF)
    alerts = book.grid("Alerts")
    column = alerts[0].index("Available") + 1
    letter = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[column - 1]
    b2 = [row[0] for row in alerts].index("B-2") + 1
    last, width = len(alerts), len(alerts[0])
    reads_b2 = f"=Alerts!{letter}{b2}"
    sheets = book.sheets
    sheets["Alerts"].set((1, width + 1), "Mine")
    sheets["Alerts"].set((last + 1, width + 1), Formula(f"=SUM({letter}2:{letter}{last})"))
    drafts = sheets["Drafts"]
    drafts_width = len(book.grid("Drafts")[0])
    drafts.set((1, drafts_width + 1), "B-2 stock")
    drafts.set((2, drafts_width + 1), Formula(reads_b2))
    inventory = sheets["Inventory"]
    inventory_width = len(book.grid("Inventory")[0])
    inventory.set((3, inventory_width + 1), Formula(reads_b2))  # B-2's row
    inventory.set((3, book.grid("Inventory")[0].index("Available") + 1), 0.0)  # B-2 runs out
    sheets.add("Summary").set((1, 1), Formula(reads_b2))
    book.names.append(FakeName("B2Stock", f"=Alerts!${letter}${b2}"))

    refresh(LiveExcelBackend(book=book), as_of=AS_OF)
    moved = [row[0] for row in book.grid("Alerts")].index("B-2") + 1
    assert moved < b2
    follows = f"=Alerts!{letter}{moved}"
    for cell in (sheets["Summary"].cells[(1, 1)], inventory.cells[(3, inventory_width + 1)],
                 drafts.cells[(2, drafts_width + 1)]):  # fmt: skip
        assert isinstance(cell, Formula) and cell == follows
    assert book.names[0].refers_to == f"=Alerts!${letter}${moved}"
    after = book.grid("Alerts")
    totals = [row[width] for row in after[1:] if row[width]]
    assert totals == [f"=SUM({letter}2:{letter}{len(after) - 1})"]
