"""The shapes every layer exchanges: targets, cells, grids, tabs, charts, format kinds, backends,
errors.

This module sits at the bottom of `sheets_sync` (it imports nothing of the project), so the
workbook contract, the backends, the plan and the entry points can all share these names without
importing each other. What the grids *mean* lives in `sheets_sync.workbook`; where they are
stored lives in `sheets_sync.backends`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

import platformdirs

#: Version of the `--json` summaries of `stockout refresh` and `stockout import` (and of the
#: refresh server's answer): raised only when a key changes meaning or goes away.
JSON_VERSION = 1

#: A cell value as backends exchange it: text, number, boolean, date, datetime or empty.
Cell = str | int | float | bool | dt.date | dt.datetime | None
Grid = list[list[Any]]


class Formula(str):
    """A cell formula as a backend read it (`=C2*1.1`): written back as a formula.

    Any other text starting with `=` is written as text, so a product title can never run.
    Backends that read computed values instead of formulas simply never produce one.
    `cached` is the value the spreadsheet last computed for it (None if never computed).
    """

    cached: Cell = None


class TargetError(Exception):
    """The target cannot be opened or written (missing file, locked by Excel, no access, ...).

    The message is for the user, in plain words; the CLI prints it and exits with code 2.
    """


# --- targets -------------------------------------------------------------------------------
# What a TARGET argument names: `book.xlsx`, `gsheet:<id or URL>`, `excel:<book>`, ... Each
# backend module declares its `Place` once (`PLACE = Place(...)`); `sheets_sync.backends` finds
# them and parses a TARGET into a `Target` (a place and a key). The backend that opens it, the
# history store beside it, its writer lock, the alert memory and the user's message templates
# all ask that `Target`, so a display label ("Google Sheet 'Shop'") is never mistaken for a path
# and no module compares kinds.


def _no_book(key: str) -> Path | None:
    return None


def _claims_nothing(text: str) -> bool:
    return False


def _key_as_written(text: str) -> str:
    return text


@dataclass(frozen=True, repr=False)
class Place:
    """Where one kind of workbook lives, declared by the backend module that opens it.

    `kind` is the target syntax (`<kind>:<key>`); `backend(key, **options)` opens a key (keep
    its heavy imports inside: every place is loaded to parse a target). `key` reads the text
    after the prefix (raising `TargetError` in plain words); `claims` recognises a text given
    without the prefix (a pasted Google Sheets address); the one `bare` place takes any other
    text (a file path). `book` is a key's workbook file on this machine (None when there is
    none): its history store and writer lock go beside it; a key without one keeps them in
    the data folder under `home` ("" = not yet known: no store). `writes_file`: the backend
    saves the file itself, so a copy open in Excel or LibreOffice is refused and a daily
    schedule names the file by its absolute path.
    """

    kind: str
    backend: Callable[..., Backend]
    key: Callable[[str], str] = _key_as_written
    claims: Callable[[str], bool] = _claims_nothing
    bare: bool = False
    book: Callable[[str], Path | None] = _no_book
    home: str = ""
    writes_file: bool = False

    def __repr__(self) -> str:
        return f"Place({self.kind!r})"


def data_home() -> Path:
    """Where stores without a workbook file live: `$STOCKOUT_HOME`, else the user data dir."""
    home = os.environ.get("STOCKOUT_HOME")
    return Path(home) if home else platformdirs.user_data_path("stockout-kit", appauthor=False)


@dataclass(frozen=True)
class Target:
    """A workbook's place and its key there: the file path, the spreadsheet id, the Excel book
    (a name or path as Excel knows it, or "caller" for the book whose button ran Python).

    Parse a TARGET argument with `sheets_sync.backends.parse_target`."""

    place: Place
    key: str

    @property
    def kind(self) -> str:
        return self.place.kind

    def __str__(self) -> str:
        """The TARGET argument naming this workbook again (`book.xlsx`, `gsheet:<id>`)."""
        return self.key if self.place.bare else f"{self.kind}:{self.key}"

    @property
    def book(self) -> Path | None:
        """The workbook file, when there is one on this machine."""
        return self.place.book(self.key)

    @property
    def folder(self) -> Path | None:
        """The folder holding the workbook file (None for a Google Sheet)."""
        book = self.book
        return None if book is None else book.resolve().parent

    @property
    def store_path(self) -> Path:
        """The history store: beside the workbook file, else one per key in the data folder."""
        book = self.book
        if book is not None:
            return book.with_name(f"{book.stem}.stockout.sqlite")
        if self.place.home:
            return data_home() / self.place.home / f"{self.key}.stockout.sqlite"
        raise TargetError(
            f"The workbook {self} is not known yet (it has no file on this machine); open it "
            "before asking where its history store is."
        )

    @property
    def template_root(self) -> Path:
        """The folder a relative Settings `templates_path` starts from (else the current one)."""
        return self.folder or Path.cwd()


# --- cells and tabs ------------------------------------------------------------------------


class FormatKind(StrEnum):
    """How a column's cells are shown. Every backend maps every kind (tested), so a column
    looks the same in an .xlsx file, in Excel and in Google Sheets."""

    DATE = "date"
    DATETIME = "datetime"
    INT = "int"
    NUMBER = "number"
    MONEY = "money"
    PCT = "pct"
    TEXT = "text"


@dataclass
class Chart:
    """Line charts over a tab: the first column on the x axis, a chart titled
    `<title>: <header>` for each other column, with that column's `levels` (header ->
    (safety stock, reorder point)) drawn as flat lines."""

    title: str
    y_title: str = ""
    levels: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)


@dataclass(frozen=True)
class Validation:
    """What a column accepts: `list` (one of `values`), `date`, `number` (0 or more).

    Backends turn it into a dropdown or an input check showing `message`. It guides, never
    blocks: a refresh still reads whatever is typed and reports a bad cell on Problems.
    `rows` limits it to some data rows (0 = the first row under the header); empty = all.
    """

    header: str
    kind: str
    values: tuple[str, ...] = ()
    message: str = ""
    rows: tuple[int, ...] = ()


@dataclass(frozen=True)
class Below:
    """A colour for the cells of a column whose number is below `limit` (or equal, `or_equal`).

    Rules are conditional formats, listed most important first: a cell takes the colour of the
    first rule it meets, and an edited number takes its new colour at once.
    """

    header: str
    limit: float
    colour: str
    or_equal: bool = False


@dataclass
class Tab:
    """One tab as the refresh (or `stockout new`) wants it written.

    `header` names the columns; a user's column without a header carries over as None.
    `formats` maps a header to a `FormatKind`; backends that can format cells use it, the
    others ignore it; money is shown in `currency`.
    `owned` is how many leading columns the refresh owns (the rest are user columns it carries
    over); backends may style the two parts differently. `fills` maps a header to
    {cell value: hex colour}: conditional formats, so a colour follows the value if it is
    edited. `notes` explain headers; `wrap` gives wrapped columns their width (characters);
    `validations` are the dropdowns and input checks. `table` asks for a filterable table.
    Every tab prints fitted to a page's width, its header repeated on each page: `print_span`
    (first header, last header) prints only those columns (the at-a-glance part), else all;
    `print_from` skips that many leading rows on paper (a long history prints its latest
    weeks; the screen shows every row).
    `max_lines` caps the height of a row of wrapped text (the rest stays in the cell), so a
    long cell does not push every other row off the screen. `below` colours numbers under a
    limit (the Timeline's out-of-stock and under-safety-stock days).
    `from_rows` and `from_columns` give, for each row and column, the sheet row and column
    (1-based) it was carried over from, None for new ones: a backend moves the user's cell
    formats and column widths with them, and the references to the tab from elsewhere.
    `body_rows` is how many leading rows are the refreshed table (the rest are the user's).
    """

    name: str
    header: list[str | None]
    rows: Grid
    formats: dict[str, str] = field(default_factory=dict)
    owned: int | None = None
    fills: dict[str, dict[str, str]] = field(default_factory=dict)
    chart: Chart | None = None
    notes: dict[str, str] = field(default_factory=dict)
    wrap: dict[str, int] = field(default_factory=dict)
    validations: list[Validation] = field(default_factory=list)
    currency: str | None = None
    table: bool = False
    print_span: tuple[str, str] | None = None
    print_from: int = 0
    max_lines: int = 30
    below: list[Below] = field(default_factory=list)
    from_rows: list[int | None] | None = None
    from_columns: list[int | None] | None = None
    body_rows: int | None = None


def frozen_columns(header: Sequence[str | None]) -> int:
    """Columns kept in view while scrolling right: the SKU, with its Title when next to it."""
    if list(header[:1]) not in (["SKU"], ["Date"]):
        return 0
    return 2 if list(header[1:2]) in (["Title"], ["标题"]) else 1


def wrapped_lines(text: object, width: int) -> int:
    """How many lines `text` takes in a wrapped column `width` characters wide (an estimate:
    spreadsheets do not size rows on their own when a file is opened)."""
    if text is None or text == "":
        return 1
    per_line = max(1, int(width * 1.15))
    return sum(max(1, -(-len(line) // per_line)) for line in str(text).split("\n"))


#: Each kind's number format, in the pattern language Excel, LibreOffice and Google Sheets share
#: (money: `money_pattern`).
PATTERNS: dict[FormatKind, str] = {
    FormatKind.DATE: "yyyy-mm-dd",
    FormatKind.DATETIME: "yyyy-mm-dd hh:mm",
    FormatKind.INT: "#,##0",
    FormatKind.NUMBER: "#,##0.0",
    FormatKind.MONEY: "#,##0.00",
    FormatKind.PCT: "0%",
    FormatKind.TEXT: "@",
}


_KIND_NAMES = frozenset(kind.value for kind in FormatKind)


def number_pattern(kind: str, currency: str | None = None) -> str | None:
    """The number format of a `FormatKind` (None for anything else): one answer per kind for
    every backend, so a column looks the same in an .xlsx file, in Excel and in Google Sheets."""
    if kind == FormatKind.MONEY:
        return money_pattern(currency)
    return PATTERNS.get(FormatKind(kind)) if kind in _KIND_NAMES else None


def money_pattern(currency: str | None) -> str:
    """A number format showing the currency: `"$"#,##0.00`, `"¥"#,##0` (JPY has no cents).

    A quoted symbol reads the same in Excel, LibreOffice and Google Sheets.
    """
    from babel.numbers import get_currency_precision, get_currency_symbol

    code = (currency or "").strip().upper()
    if not code:
        return "#,##0.00"
    try:
        symbol = get_currency_symbol(code, "en")
        digits = get_currency_precision(code)
    except (ValueError, KeyError):
        return "#,##0.00"
    decimals = "." + "0" * digits if digits else ""
    return f'"{symbol.replace(chr(34), "")}"#,##0{decimals}'


class Backend(Protocol):
    """A spreadsheet the refresh reads once and writes once."""

    #: What to call the target in messages: a file path, "Google Sheet <title>", ...
    label: str

    @property
    def target(self) -> Target:
        """Where the workbook is (for its history store, alert memory and templates)."""
        ...

    def read(self, tabs: Sequence[str]) -> dict[str, Grid | None]:
        """Return every requested tab as rows of cell values (header row first).

        A tab that does not exist maps to None. Tab names are matched case-insensitively. Dates
        may come back as `datetime` or as spreadsheet serial numbers: `sheets_sync.workbook`
        normalises both.
        """
        ...

    def tab_names(self) -> list[str]:
        """Every tab's name as the workbook spells it (to suggest one for a misspelled tab)."""
        ...

    def write(self, tabs: Mapping[str, Tab]) -> None:
        """Replace the content of each given tab (creating it if missing) and commit at once.

        Tabs not given are left untouched. Text is always written as text, never parsed as
        a formula. A file backend saves atomically here.
        """
        ...
