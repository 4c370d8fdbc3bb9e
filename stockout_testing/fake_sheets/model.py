"""The spreadsheet model: spreadsheets, their sheets (tabs) and the cells and formats in them.

State only; the API's requests act on it (`values_api`, `batch_update`). A sheet keeps what a
person sees besides values too (number formats, notes, validation, styles, merges, filters),
because Google echoes them back and the sync's tests check them.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
import math
import random
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .a1 import a1, column_letters, parse_cells, split_range
from .errors import ApiError
from .formulas import Evaluator
from .values import Cell, render, user_entered

DEFAULT_ROWS, DEFAULT_COLUMNS = 1000, 26

# What Google answers for a new spreadsheet (identical in every recording).
SPREADSHEET_DEFAULTS: dict[str, Any] = {
    "locale": "en_US",
    "autoRecalc": "ON_CHANGE",
    "timeZone": "Etc/GMT",
    "defaultFormat": {
        "backgroundColor": {"red": 1, "green": 1, "blue": 1},
        "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
        "verticalAlignment": "BOTTOM",
        "wrapStrategy": "OVERFLOW_CELL",
        "textFormat": {
            "foregroundColor": {},
            "fontFamily": "arial,sans,sans-serif",
            "fontSize": 10,
            "bold": False,
            "italic": False,
            "strikethrough": False,
            "underline": False,
            "foregroundColorStyle": {"rgbColor": {}},
        },
        "backgroundColorStyle": {"rgbColor": {"red": 1, "green": 1, "blue": 1}},
    },
    "spreadsheetTheme": {
        "primaryFontFamily": "Arial",
        "themeColors": [
            {"colorType": kind, "color": {"rgbColor": rgb}}
            for kind, rgb in [
                ("TEXT", {}),
                ("BACKGROUND", {"red": 1, "green": 1, "blue": 1}),
                ("ACCENT1", {"red": 0.25882354, "green": 0.52156866, "blue": 0.95686275}),
                ("ACCENT2", {"red": 0.91764706, "green": 0.2627451, "blue": 0.20784314}),
                ("ACCENT3", {"red": 0.9843137, "green": 0.7372549, "blue": 0.015686275}),
                ("ACCENT4", {"red": 0.20392157, "green": 0.65882355, "blue": 0.3254902}),
                ("ACCENT5", {"red": 1, "green": 0.42745098, "blue": 0.003921569}),
                ("ACCENT6", {"red": 0.27450982, "green": 0.7411765, "blue": 0.7764706}),
                ("LINK", {"red": 0.06666667, "green": 0.33333334, "blue": 0.8}),
            ]
        ],
    },
}

_FORMAT_ORDER = itertools.count()
#: A rectangle as (first row, first col, end row, end col), ends exclusive, None = open.
Span = tuple[int, int, int | None, int | None]


def inside(row: int, col: int, r1: int, c1: int, r2: int | None, c2: int | None) -> bool:
    return r1 <= row and c1 <= col and (r2 is None or row < r2) and (c2 is None or col < c2)


@dataclass
class Sheet:
    """A tab: properties as the API shows them, sparse cells, and number-format rules."""

    props: dict[str, Any]
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    # (order, first row, first col, end row, end col (exclusive, None = open), numberFormat)
    formats: list[tuple[int, int, int, int | None, int | None, dict[str, str]]] = field(
        default_factory=list
    )
    # One-cell formats (dates typed or given to `create_spreadsheet`), kept apart for speed.
    cell_formats: dict[tuple[int, int], tuple[int, dict[str, str]]] = field(default_factory=dict)
    conditional_formats: list[dict[str, Any]] = field(default_factory=list)
    # What a person sees besides values: notes by cell, data validation rules and cell styles
    # (wrap, alignment) as (first row, first col, end row, end col, value), last one wins.
    notes: dict[tuple[int, int], str] = field(default_factory=dict)
    validations: list[tuple[int, int, int | None, int | None, dict[str, Any]]] = field(
        default_factory=list
    )
    styles: list[tuple[int, int, int | None, int | None, dict[str, Any]]] = field(
        default_factory=list
    )
    #: repeatCell's userEnteredFormat updates in order: (span..., (field paths, format given)).
    user_formats: list[tuple[int, int, int | None, int | None, Any]] = field(default_factory=list)
    pixel_sizes: dict[tuple[str, int], int] = field(default_factory=dict)
    basic_filter: dict[str, Any] | None = None
    #: Everything else `spreadsheets.get` shows per sheet (merges, protectedRanges, rowGroups...).
    extras: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.props["title"]

    @property
    def sheet_id(self) -> int:
        return self.props["sheetId"]

    @property
    def rows(self) -> int:
        return self.props["gridProperties"]["rowCount"]

    @property
    def columns(self) -> int:
        return self.props["gridProperties"]["columnCount"]

    def copy(self) -> Sheet:
        """A copy deep enough that a failed batchUpdate can put the sheet back."""
        return Sheet(
            copy.deepcopy(self.props),
            dict(self.cells),
            list(self.formats),
            dict(self.cell_formats),
            copy.deepcopy(self.conditional_formats),
            dict(self.notes),
            list(self.validations),
            list(self.styles),
            list(self.user_formats),
            dict(self.pixel_sizes),
            copy.deepcopy(self.basic_filter),
            copy.deepcopy(self.extras),
        )

    def number_format(self, row: int, col: int) -> dict[str, str] | None:
        """The format set last on this cell, by a range rule or for the cell alone."""
        order, found = self.cell_formats.get((row, col), (-1, None))
        for rule_order, r1, c1, r2, c2, fmt in reversed(self.formats):
            if inside(row, col, r1, c1, r2, c2):
                return fmt if rule_order > order else found
        return found

    def set_format(
        self, r1: int, c1: int, r2: int | None, c2: int | None, fmt: dict[str, str]
    ) -> None:
        order = next(_FORMAT_ORDER)
        if r2 == r1 + 1 and c2 == c1 + 1:
            self.cell_formats[(r1, c1)] = (order, fmt)
        else:
            self.formats.append((order, r1, c1, r2, c2, fmt))

    def bounds(self, grid: Mapping[str, Any]) -> Span:
        """A GridRange as (first row, first col, end row, end col); open ends stay None."""
        r1, c1 = grid.get("startRowIndex", 0), grid.get("startColumnIndex", 0)
        r2, c2 = grid.get("endRowIndex"), grid.get("endColumnIndex")
        if (r2 is not None and r2 > self.rows) or (c2 is not None and c2 > self.columns):
            raise grid_error(self.title, self)
        return r1, c1, r2, c2

    def echo_grid(self, grid: Mapping[str, Any]) -> dict[str, Any]:
        """A GridRange as Google echoes it: open ends closed at the grid's edge, all four
        indexes written out, and `sheetId` left out when it is 0 (proto3's default value)."""
        r1, c1, r2, c2 = self.bounds(grid)
        echoed = {"sheetId": self.sheet_id} if self.sheet_id else {}
        return echoed | {
            "startRowIndex": r1,
            "endRowIndex": self.rows if r2 is None else r2,
            "startColumnIndex": c1,
            "endColumnIndex": self.columns if c2 is None else c2,
        }

    # -- values ---------------------------------------------------------------------------------

    def read(self, area: Area, major: str, render_option: str, date_render: str) -> list[list[Any]]:
        """The values of an area, trailing empty rows and cells left out as Google does."""
        used = [(r, c) for (r, c) in self.cells if area.contains(r, c)]
        if major == "COLUMNS":
            used = [(c, r) for r, c in used]
            first_outer, first_inner = area.c1, area.r1
        else:
            first_outer, first_inner = area.r1, area.c1
        last_inner: dict[int, int] = {}
        for outer, inner in used:
            last_inner[outer] = max(last_inner.get(outer, -1), inner)
        if not last_inner:
            return []
        grid = []
        for outer in range(first_outer, max(last_inner) + 1):
            line = []
            for inner in range(first_inner, last_inner.get(outer, first_inner - 1) + 1):
                r, c = (inner, outer) if major == "COLUMNS" else (outer, inner)
                fmt = self.number_format(r, c) if (r, c) in self.cells else None
                line.append(render(self.cells.get((r, c)), fmt, render_option, date_render))
            grid.append(line)
        return grid

    def write(
        self,
        row0: int,
        col0: int,
        values: Any,
        input_option: str,
        box: Area | None,
        major: str | None,
    ) -> tuple[dict[str, Any], set[tuple[int, int]]]:
        """Write a 2-D array at (row0, col0): the UpdateValuesResponse fields, the cells written.

        `None` leaves a cell as it is and "" empties it; the counts cover the rows, columns and
        cells that were given a value (Google's `updatedRows` etc.), the range the whole box.
        """
        if major == "COLUMNS":
            width = max((len(r) for r in values), default=0)
            values = [[col[i] if i < len(col) else None for col in values] for i in range(width)]
        n_rows = len(values)
        n_cols = max((len(r) for r in values), default=0)
        if not n_rows or not n_cols:
            return {}, set()
        if box is not None:
            if row0 + n_rows - 1 > box.r2:
                raise ApiError(
                    400,
                    f"Requested writing within range [{box}], but tried writing to row "
                    f"[{row0 + n_rows}]",
                )
            if col0 + n_cols - 1 > box.c2:
                raise ApiError(
                    400,
                    f"Requested writing within range [{box}], but tried writing to column "
                    f"[{column_letters(col0 + n_cols - 1)}]",
                )
        if row0 + n_rows > self.rows or col0 + n_cols > self.columns:
            target = a1(self.title, row0, col0, row0 + n_rows - 1, col0 + n_cols - 1)
            raise grid_error(target, self)
        written: set[tuple[int, int]] = set()
        for i, line in enumerate(values):
            for j, value in enumerate(line):
                if value is None:
                    continue
                written.add((row0 + i, col0 + j))
                self.set_cell(row0 + i, col0 + j, value, input_option)
        answer = {
            "updatedRange": a1(self.title, row0, col0, row0 + n_rows - 1, col0 + n_cols - 1),
            "updatedRows": len({i for i, _ in written}),
            "updatedColumns": len({j for _, j in written}),
            "updatedCells": len(written),
        }
        return answer, written

    def set_cell(self, row: int, col: int, value: Any, input_option: str) -> None:
        key = (row, col)
        fmt = None
        if isinstance(value, bool) or (isinstance(value, int | float) and math.isfinite(value)):
            cell: Cell | None = Cell(float(value) if not isinstance(value, bool) else value)
        elif isinstance(value, str):
            if value == "":
                cell = None
            elif input_option == "RAW":
                cell = Cell(value)
            else:
                cell, fmt = user_entered(value)
        else:
            raise ApiError(400, f"Invalid values[{row}][{col}]: {json.dumps(value)}")
        if cell is None:
            self.cells.pop(key, None)
        else:
            self.cells[key] = cell
        if fmt and self.number_format(row, col) is None:
            self.set_format(row, col, row + 1, col + 1, fmt)

    def clear(self, area: Area) -> None:
        for key in [k for k in self.cells if area.contains(*k)]:
            del self.cells[key]


@dataclass(frozen=True)
class Area:
    """A rectangle of one sheet, 0-based and inclusive, already clipped to the grid."""

    sheet: Sheet
    r1: int
    c1: int
    r2: int
    c2: int

    def __str__(self) -> str:
        return a1(self.sheet.title, self.r1, self.c1, self.r2, self.c2)

    def contains(self, row: int, col: int) -> bool:
        return self.r1 <= row <= self.r2 and self.c1 <= col <= self.c2


def grid_error(text: str, sheet: Sheet) -> ApiError:
    return ApiError(
        400,
        f"Range ({text}) exceeds grid limits. Max rows: {sheet.rows}, max columns: {sheet.columns}",
    )


def now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _new_id() -> str:
    alphabet = string.ascii_letters + string.digits + "-_"
    return "1" + "".join(random.choice(alphabet) for _ in range(43))


@dataclass
class Spreadsheet:
    """One spreadsheet (and its Drive file)."""

    id: str
    props: dict[str, Any]
    sheets: list[Sheet]
    created: str
    modified: str
    #: Spreadsheet-level lists `spreadsheets.get` shows (namedRanges).
    extras: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: The account that made it (listed as the editor of its protected ranges).
    owner: str = ""

    @classmethod
    def new(cls, title: str, spreadsheet_id: str | None = None, owner: str = "") -> Spreadsheet:
        """A spreadsheet as Google makes one: default properties and one empty `Sheet1`."""
        stamp = now()
        book = cls(
            id=spreadsheet_id or _new_id(),
            props={"title": title, **copy.deepcopy(SPREADSHEET_DEFAULTS)},
            sheets=[],
            created=stamp,
            modified=stamp,
            owner=owner,
        )
        first = book.new_sheet("Sheet1", 0, DEFAULT_ROWS, DEFAULT_COLUMNS)
        first.props["sheetId"] = 0
        book.sheets.append(first)
        return book

    def touch(self) -> None:
        """After a change: the file's modified time, and every formula recalculated."""
        self.modified = now()
        Evaluator(self).recalculate()

    def new_sheet(self, title: str, index: int, rows: int, cols: int) -> Sheet:
        """A sheet with a fresh random id (not yet added)."""
        taken = {s.sheet_id for s in self.sheets}
        sheet_id = random.randrange(1, 2**31 - 1)
        while sheet_id in taken:
            sheet_id = random.randrange(1, 2**31 - 1)
        props = {
            "sheetId": sheet_id,
            "title": title,
            "index": index,
            "sheetType": "GRID",
            "gridProperties": {"rowCount": rows, "columnCount": cols},
        }
        return Sheet(props)

    def ordered(self) -> list[Sheet]:
        return sorted(self.sheets, key=lambda s: s.props["index"])

    def sheet_by_title(self, title: str) -> Sheet:
        """Titles match without regard to case, as in Google's ranges; KeyError when absent."""
        for sheet in self.sheets:
            if sheet.title.lower() == title.lower():
                return sheet
        raise KeyError(title)

    def sheet_by_id(self, sheet_id: Any, where: str) -> Sheet:
        for sheet in self.sheets:
            if sheet.sheet_id == sheet_id:
                return sheet
        raise ApiError(400, f"Invalid requests[{where}: No grid with id: {sheet_id}")

    def area(self, text: str, *, writing: bool = False) -> Area:
        """Resolve an A1 range; reads must stay inside the grid, writes may grow it later."""
        title, cells = split_range(text)
        named = self._named_range(cells or "")
        if named is not None and (title is None or named.sheet.title.lower() == title.lower()):
            return named
        sheet = None
        if title is not None:
            try:
                sheet = self.sheet_by_title(title)
            except KeyError:
                sheet = None
        elif cells is not None and parse_cells(cells) is None:
            try:
                sheet, cells = self.sheet_by_title(cells), None
            except KeyError:
                sheet = None
        else:
            sheet = self.ordered()[0]
        if sheet is None:
            raise ApiError(400, f"Unable to parse range: {text}")
        if cells is None:
            return Area(sheet, 0, 0, sheet.rows - 1, sheet.columns - 1)
        bounds = parse_cells(cells)
        if bounds is None:
            raise ApiError(400, f"Unable to parse range: {text}")
        r1, c1, r2, c2 = bounds
        r1, r2 = (r1 or 0, sheet.rows - 1 if r2 is None else r2)
        c1, c2 = (c1 or 0, sheet.columns - 1 if c2 is None else c2)
        r1, r2 = min(r1, r2), max(r1, r2)
        c1, c2 = min(c1, c2), max(c1, c2)
        if not writing and (r2 >= sheet.rows or c2 >= sheet.columns):
            raise grid_error(text, sheet)
        return Area(sheet, r1, c1, r2, c2)

    def _named_range(self, name: str) -> Area | None:
        """The area of a named range (`Totals`, or `Sheet1!Totals`), if one has this name."""
        for named in self.extras.get("namedRanges", []):
            if named["name"].lower() == name.lower():
                grid = named["range"]
                sheet = self.sheet_by_id(grid.get("sheetId", 0), "namedRange")
                return Area(
                    sheet,
                    grid["startRowIndex"],
                    grid["startColumnIndex"],
                    grid["endRowIndex"] - 1,
                    grid["endColumnIndex"] - 1,
                )
        return None

    def metadata(self) -> dict[str, Any]:
        """The Spreadsheet resource as `spreadsheets.get` answers it (a fresh copy)."""
        sheets = []
        for s in self.ordered():
            entry: dict[str, Any] = {"properties": s.props}
            if s.conditional_formats:
                entry["conditionalFormats"] = s.conditional_formats
            if s.basic_filter:
                entry["basicFilter"] = s.basic_filter
            entry |= {k: v for k, v in s.extras.items() if v}
            sheets.append(entry)
        answer = {
            "spreadsheetId": self.id,
            "properties": self.props,
            "sheets": sheets,
            **{k: v for k, v in self.extras.items() if v},
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{self.id}/edit",
        }
        return copy.deepcopy(answer)
