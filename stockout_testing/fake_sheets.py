"""A local Google Sheets v4 API (plus the Drive v3 calls gspread makes) on a loopback port.

Google offers no emulator, and the sync must be testable without credentials or network, so
this module answers the endpoints the sync and gspread use the way Google does, as checked
against the recorded real traffic in ../shared/sheets-api-recordings: ranges come back
normalised (`Sheet1!A1:D4`, quoted titles when needed), trailing empty cells and rows are
dropped, RAW input never parses text, USER_ENTERED turns numbers, booleans, dates and simple
arithmetic formulas into values, and errors carry Google's JSON error bodies.

It also counts API calls per method (to hold a refresh to its call budget) and can be told to
fail the next requests (429, 5xx, 403) so retry logic can be tested without waiting for Google.

    with serve_fake() as (url, fake):
        sid = fake.create_spreadsheet("Shop", {"Inventory": [["SKU", "Available"], ["A", 3]]})
        ... point the client at `url` ...
        assert fake.calls["values.batchGet"] == 1

`python -m stockout_testing.fake_sheets CASSETTE...` replays recorded exchanges against a fresh fake
and exits non-zero when any answer differs (see `replay` for what is ignored).
"""

from __future__ import annotations

import ast
import collections
import contextlib
import datetime as dt
import http.client
import itertools
import json
import math
import operator
import random
import re
import string
import struct
import sys
import threading
import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple

import requests
from google.auth.transport.requests import AuthorizedSession

from sheets_sync.backends.gsheets import EPOCH, to_serial

DEFAULT_ROWS, DEFAULT_COLUMNS = 1000, 26
MAX_COLUMNS = 18278  # ZZZ: no A1 column has more than three letters

# What Google answers for a new spreadsheet (identical in every recording).
_SPREADSHEET_DEFAULTS: dict[str, Any] = {
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

_STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}
_INJECTED_MESSAGES = {
    403: "The caller does not have permission",
    429: "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute "
    "per user' of service 'sheets.googleapis.com' for consumer 'project_number:0'.",
    500: "Internal error encountered.",
    503: "The service is currently unavailable.",
}


class ApiError(Exception):
    """An answer with Google's error body; raised anywhere in a handler."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def body(self) -> dict[str, Any]:
        status = _STATUS_NAMES.get(self.code, "UNKNOWN")
        return {"error": {"code": self.code, "message": self.message, "status": status}}


# ---------------------------------------------------------------------------------------------
# A1 notation


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = string.ascii_uppercase[rest] + letters
    return letters


def column_index(letters: str) -> int:
    """A -> 0, AA -> 26."""
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - 64
    return index - 1


_CELL_REF = re.compile(r"([A-Za-z]{0,3})(\d*)")
_PLAIN_TITLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LOOKS_LIKE_CELL = re.compile(r"[A-Za-z]{1,3}\d+|[Rr]\d*[Cc]\d*")


def quote_title(title: str) -> str:
    """A sheet title as Google writes it in a range: bare when unambiguous, else quoted."""
    if _PLAIN_TITLE.fullmatch(title) and not _LOOKS_LIKE_CELL.fullmatch(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def a1(title: str, r1: int, c1: int, r2: int, c2: int) -> str:
    """`Sheet1!A1:D4` from 0-based inclusive bounds (`Sheet1!B1` for one cell)."""
    start = f"{column_letters(c1)}{r1 + 1}"
    end = f"{column_letters(c2)}{r2 + 1}"
    return f"{quote_title(title)}!{start}" + ("" if start == end else f":{end}")


@dataclass
class Cell:
    """One non-empty cell: its value and, when it was entered as one, its formula."""

    value: str | float | bool
    formula: str | None = None


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
    pixel_sizes: dict[tuple[str, int], int] = field(default_factory=dict)
    basic_filter: dict[str, Any] | None = None

    @property
    def title(self) -> str:
        return self.props["title"]

    @property
    def rows(self) -> int:
        return self.props["gridProperties"]["rowCount"]

    @property
    def columns(self) -> int:
        return self.props["gridProperties"]["columnCount"]

    def number_format(self, row: int, col: int) -> dict[str, str] | None:
        """The format set last on this cell, by a range rule or for the cell alone."""
        order, found = self.cell_formats.get((row, col), (-1, None))
        for rule_order, r1, c1, r2, c2, fmt in reversed(self.formats):
            if r1 <= row and c1 <= col and (r2 is None or row < r2) and (c2 is None or col < c2):
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


_FORMAT_ORDER = itertools.count()


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


def _grid_error(text: str, sheet: Sheet) -> ApiError:
    return ApiError(
        400,
        f"Range ({text}) exceeds grid limits. Max rows: {sheet.rows}, max columns: {sheet.columns}",
    )


def _split_range(text: str) -> tuple[str | None, str | None]:
    """Split `'Sheet 1'!A1:B2` into its title and cell part (either may be None)."""
    if text.startswith("'"):
        match = re.fullmatch(r"'((?:[^']|'')*)'(?:!(.*))?", text, re.S)
        if not match:
            return None, None
        return match.group(1).replace("''", "'"), match.group(2)
    if "!" in text:
        title, _, cells = text.rpartition("!")
        return title, cells
    return None, text


def _parse_cells(cells: str) -> tuple[int | None, int | None, int | None, int | None] | None:
    """`A1:B2` -> (r1, c1, r2, c2), 0-based, None for open ends; None when not A1 notation.

    Accepts what Google accepts: `A1`, `A1:B2`, `A:C`, `2:5`, `A2:2` (to the last column),
    `A1:A` (to the last row). A lone `A` or `1` is not a range.
    """
    refs = []
    for part in cells.split(":"):
        match = _CELL_REF.fullmatch(part)
        if not match or not (match.group(1) or match.group(2)):
            return None
        letters, digits = match.groups()
        if digits and int(digits) == 0:
            return None
        refs.append(
            (int(digits) - 1 if digits else None, column_index(letters) if letters else None)
        )
    if len(refs) == 1:
        row, col = refs[0]
        return None if row is None or col is None else (row, col, row, col)
    if len(refs) != 2:
        return None
    (r1, c1), (r2, c2) = refs
    if (r1 is None and c1 is not None and c2 is None) or (
        c1 is None and r1 is not None and r2 is None
    ):
        return None  # A:1 and 1:A are not ranges
    return r1, c1, r2, c2


# ---------------------------------------------------------------------------------------------
# Values: input parsing and rendering


def _json_number(value: float) -> int | float:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def from_serial(serial: float) -> dt.datetime:
    return EPOCH + dt.timedelta(days=serial)


_NUMBER_TEXT = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][+-]?\d+)?")
_DATE_FORMS = [
    (re.compile(r"\d{4}-\d{1,2}-\d{1,2}"), "%Y-%m-%d", "DATE", "yyyy-mm-dd"),
    (re.compile(r"\d{1,2}/\d{1,2}/\d{4}"), "%m/%d/%Y", "DATE", "M/d/yyyy"),
    (
        re.compile(r"\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{2}:\d{2}"),
        "%Y-%m-%d %H:%M:%S",
        "DATE_TIME",
        "yyyy-mm-dd H:mm:ss",
    ),
]
_ARITHMETIC = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}


def _evaluate(formula: str) -> str | float:
    """The value of an arithmetic formula on literals (`=3/2`); other formulas give #NAME?."""

    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return float(node.value)
        if isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
            return _ARITHMETIC[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _ARITHMETIC:
            return _ARITHMETIC[type(node.op)](walk(node.operand))
        raise ValueError(formula)

    try:
        return walk(ast.parse(formula[1:].replace("^", "**"), mode="eval").body)
    except ZeroDivisionError:
        return "#DIV/0!"
    except (SyntaxError, ValueError, TypeError, OverflowError):
        return "#NAME?"


def _user_entered(text: str) -> tuple[Cell | None, dict[str, str] | None]:
    """Parse typed text the way the Sheets UI does (as far as the recordings show)."""
    stripped = text.strip()
    if text.startswith("="):
        return Cell(_evaluate(text), formula=text), None
    if text.startswith("'"):
        return Cell(text[1:]), None
    if stripped.upper() in ("TRUE", "FALSE"):
        return Cell(stripped.upper() == "TRUE"), None
    if stripped and _NUMBER_TEXT.fullmatch(stripped) and any(ch.isdigit() for ch in stripped):
        return Cell(float(stripped.replace(",", ""))), None
    if stripped.endswith("%") and _NUMBER_TEXT.fullmatch(stripped[:-1].strip() or "x"):
        decimals = len(stripped[:-1].partition(".")[2])
        pattern = "0." + "0" * decimals + "%" if decimals else "0%"
        value = float(stripped[:-1].replace(",", "")) / 100
        return Cell(value), {"type": "PERCENT", "pattern": pattern}
    for regex, parse, kind, pattern in _DATE_FORMS:
        if regex.fullmatch(stripped):
            try:
                when = dt.datetime.strptime(stripped, parse)
            except ValueError:
                break
            return Cell(to_serial(when)), {"type": kind, "pattern": pattern}
    return Cell(text), None


def _format_number(value: float, fmt: dict[str, str] | None) -> str:
    """FORMATTED_VALUE of a number: its number format, or Google's automatic format."""
    if fmt and fmt.get("type") in ("DATE", "DATE_TIME", "TIME"):
        return _format_date(value, fmt.get("pattern") or "M/d/yyyy")
    pattern = (fmt or {}).get("pattern", "")
    if fmt and (match := re.search(r"[#0,]*0(?:\.(0+))?", pattern)):
        decimals = len(match.group(1) or "")
        shown = value * 100 if "%" in pattern else value
        number = f"{shown:,.{decimals}f}" if "," in match.group(0) else f"{shown:.{decimals}f}"
        return pattern[: match.start()].replace('"', "") + number + pattern[match.end() :]
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    if 1e-10 <= abs(value) < 1e15:
        return f"{value:.10f}".rstrip("0").rstrip(".")
    return f"{value:.2E}".replace("E+0", "E+").replace("E-0", "E-")


def _format_date(serial: float, pattern: str) -> str:
    when = from_serial(serial)
    tokens = re.findall(r"yyyy|yy|mmmm|mmm|mm|m|dd|d|hh|h|HH|H|ss|s|am/pm|.", pattern, re.I)
    out: list[str] = []
    after_hour = False
    for token in tokens:
        low = token.lower()
        if low in ("yyyy", "yy"):
            out.append(f"{when.year:04d}"[-len(low) :])
        elif low in ("mm", "m") and after_hour:
            out.append(f"{when.minute:0{len(low)}d}")
        elif low in ("mmmm", "mmm"):
            out.append(when.strftime("%B" if low == "mmmm" else "%b"))
        elif low in ("mm", "m"):
            out.append(f"{when.month:0{len(low)}d}")
        elif low in ("dd", "d"):
            out.append(f"{when.day:0{len(low)}d}")
        elif low in ("hh", "h"):
            out.append(f"{when.hour:0{len(low)}d}")
            after_hour = True
            continue
        elif low in ("ss", "s"):
            out.append(f"{when.second:0{len(low)}d}")
        else:
            out.append(token)
        after_hour = after_hour and token == ":"
    return "".join(out)


def _render(sheet: Sheet, row: int, col: int, render: str, date_render: str) -> Any:
    cell = sheet.cells.get((row, col))
    if cell is None:
        return ""
    if render == "FORMULA" and cell.formula is not None:
        return cell.formula
    value = cell.value
    if isinstance(value, bool):
        return value if render != "FORMATTED_VALUE" else ("TRUE" if value else "FALSE")
    if isinstance(value, str):
        return value
    fmt = sheet.number_format(row, col)
    is_date = bool(fmt) and fmt.get("type") in ("DATE", "DATE_TIME", "TIME")  # type: ignore[union-attr]
    if render == "FORMATTED_VALUE" or (is_date and date_render == "FORMATTED_STRING"):
        return _format_number(value, fmt)
    return _json_number(value)


_RENDER_OPTIONS = ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA")
_DATE_OPTIONS = ("SERIAL_NUMBER", "FORMATTED_STRING")
_INPUT_OPTIONS = ("RAW", "USER_ENTERED")


def _enum(value: str | None, allowed: Sequence[str], name: str, default: str | None) -> str:
    if value is None:
        if default is None:
            raise ApiError(400, f"'{name}' is required but not specified")
        return default
    if value not in allowed:
        raise ApiError(400, f"Invalid value at '{name}' (TYPE_ENUM), \"{value}\"")
    return value


# ---------------------------------------------------------------------------------------------
# Field masks (`fields=sheets.properties.tabColorStyle`, `sheets(properties(title))`)


def parse_mask(text: str) -> dict[str, Any]:
    """A partial-response mask as a tree: {name: True (whole) or {sub-mask}}."""
    pos = 0

    def names(tree: dict[str, Any]) -> None:
        nonlocal pos
        while True:
            path(tree)
            if pos < len(text) and text[pos] == ",":
                pos += 1
                continue
            return

    def path(tree: dict[str, Any]) -> None:
        nonlocal pos
        match = re.compile(r"[A-Za-z0-9_*]+").match(text, pos)
        if not match:
            raise ApiError(400, f"Invalid field selection {text}")
        name, pos = match.group(0), match.end()
        sub = tree.get(name)
        target = sub if isinstance(sub, dict) else {}
        if pos < len(text) and text[pos] in "./":
            pos += 1
            path(target)
        elif pos < len(text) and text[pos] == "(":
            pos += 1
            names(target)
            if pos >= len(text) or text[pos] != ")":
                raise ApiError(400, f"Invalid field selection {text}")
            pos += 1
        else:
            tree[name] = True
            return
        if sub is not True:
            tree[name] = target

    tree: dict[str, Any] = {}
    names(tree)
    if pos != len(text):
        raise ApiError(400, f"Invalid field selection {text}")
    return tree


def apply_mask(obj: Any, mask: Any) -> Any:
    if mask is True or "*" in mask:
        return obj
    if isinstance(obj, list):
        return [apply_mask(item, mask) for item in obj]
    if isinstance(obj, dict):
        return {key: apply_mask(obj[key], sub) for key, sub in mask.items() if key in obj}
    return obj


def _float32(value: float) -> float | int:
    """Colours come back from Google at float32 precision (0.4980392156862745 -> 0.49803922)."""
    packed = struct.unpack("f", struct.pack("f", value))[0]
    for digits in range(1, 10):
        shorter = float(f"{packed:.{digits}g}")
        if struct.unpack("f", struct.pack("f", shorter))[0] == packed:
            return _json_number(shorter)
    return packed


def _clean_color(color: Any) -> Any:
    """Store a colour as Google shows it: float32 components, zero components left out."""
    if isinstance(color, dict):
        cleaned = {k: _clean_color(v) for k, v in color.items() if v not in (None, 0, 0.0)}
        return {k: v for k, v in cleaned.items() if v != {} or k == "rgbColor"}
    if isinstance(color, float | int) and not isinstance(color, bool):
        # Google keeps 8 bits per channel: 0.5 comes back as 127/255 = 0.49803922.
        return _float32(math.floor(float(color) * 255 + 1e-6) / 255)
    return color


def _set_fields(target: dict[str, Any], source: Mapping[str, Any], fields: str) -> None:
    """Copy the masked fields of an update request (`gridProperties/rowCount,title`)."""
    paths = [p.strip() for p in fields.split(",") if p.strip()]
    if paths == ["*"]:
        paths = list(source)
    for dotted in paths:
        keys = re.split(r"[./]", dotted)
        src: Any = source
        dst = target
        for key in keys[:-1]:
            src = src.get(key, {}) if isinstance(src, Mapping) else {}
            dst = dst.setdefault(key, {})
        last = keys[-1]
        value = src.get(last) if isinstance(src, Mapping) else None
        if last in ("tabColorStyle", "tabColor"):
            value = _clean_color(value) or None  # {"rgbColor": null} removes the colour
        if value is None or value is False or (value == 0 and last.startswith("frozen")):
            dst.pop(last, None)
        else:
            dst[last] = value


# ---------------------------------------------------------------------------------------------
# The fake itself


#: userEnteredFormat fields the fake keeps besides number formats, with their documented enums.
_STYLE_ENUMS = {
    "wrapStrategy": ("OVERFLOW_CELL", "LEGACY_WRAP", "CLIP", "WRAP"),
    "verticalAlignment": ("TOP", "MIDDLE", "BOTTOM"),
    "horizontalAlignment": ("LEFT", "CENTER", "RIGHT"),
}
#: Data validation condition types used here -> (fewest, most) condition values Google takes.
_VALIDATION_VALUES = {
    "ONE_OF_LIST": (1, 500),
    "ONE_OF_RANGE": (1, 1),
    "DATE_IS_VALID": (0, 0),
    "NUMBER_GREATER_THAN_EQ": (1, 1),
    "NUMBER_BETWEEN": (2, 2),
    "BOOLEAN": (0, 2),
    "TEXT_IS_EMAIL": (0, 0),
    "TEXT_IS_URL": (0, 0),
    "CUSTOM_FORMULA": (1, 1),
}


def _grid_bounds(sheet: Sheet, grid: Mapping[str, Any]) -> tuple[int, int, int | None, int | None]:
    """A GridRange as (first row, first col, end row, end col); open ends stay None."""
    r1, c1 = grid.get("startRowIndex", 0), grid.get("startColumnIndex", 0)
    r2, c2 = grid.get("endRowIndex"), grid.get("endColumnIndex")
    if (r2 is not None and r2 > sheet.rows) or (c2 is not None and c2 > sheet.columns):
        raise _grid_error(sheet.title, sheet)
    return r1, c1, r2, c2


def _inside(row: int, col: int, r1: int, c1: int, r2: int | None, c2: int | None) -> bool:
    return r1 <= row and c1 <= col and (r2 is None or row < r2) and (c2 is None or col < c2)


@dataclass
class Spreadsheet:
    """One spreadsheet (and its Drive file)."""

    id: str
    props: dict[str, Any]
    sheets: list[Sheet]
    created: str
    modified: str


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _new_id() -> str:
    alphabet = string.ascii_letters + string.digits + "-_"
    return "1" + "".join(random.choice(alphabet) for _ in range(43))


class FakeSheets:
    """In-memory spreadsheets behind the Sheets v4 / Drive v3 endpoints gspread calls.

    Thread-safe: every request runs under one lock. `calls` counts requests per API method
    (failed and injected ones included, as Google's quota would); `fail_next` queues failures.
    """

    def __init__(self) -> None:
        self.spreadsheets: dict[str, Spreadsheet] = {}
        self.private: set[str] = set()
        self.calls: collections.Counter[str] = collections.Counter()
        self.log: list[tuple[str, str]] = []
        self._failures: collections.deque[int] = collections.deque()
        #: When set, API calls need a bearer token issued by this fake's `/token` endpoint.
        self.require_auth = False
        self.tokens: set[str] = set()
        self._lock = threading.RLock()

    # -- helpers for tests and demos ----------------------------------------------------------

    def create_spreadsheet(
        self,
        title: str = "Untitled spreadsheet",
        tabs: Mapping[str, Sequence[Sequence[Any]]] | None = None,
        spreadsheet_id: str | None = None,
    ) -> str:
        """Make a spreadsheet with the given tabs and values (RAW; dates become dated serials).

        Without tabs it has one empty `Sheet1`, as a new Google spreadsheet does.
        """
        with self._lock:
            book = self._create(title, spreadsheet_id)
            if tabs:
                book.sheets.clear()
                for index, (name, rows) in enumerate(tabs.items()):
                    needed_rows = max(DEFAULT_ROWS, len(rows))
                    needed_cols = max([DEFAULT_COLUMNS, *(len(r) for r in rows)])
                    sheet = self._new_sheet(book, name, index, needed_rows, needed_cols)
                    sheet.props["sheetId"] = 0 if index == 0 else sheet.props["sheetId"]
                    book.sheets.append(sheet)
                    values = [
                        [self._plain(sheet, i, j, v) for j, v in enumerate(r)]
                        for i, r in enumerate(rows)
                    ]
                    self._write(sheet, 0, 0, values, "RAW", None, None)
            return book.id

    @staticmethod
    def _plain(sheet: Sheet, row: int, col: int, value: Any) -> Any:
        """A Python value as the API carries it: dates as serials in a date-formatted cell."""
        if isinstance(value, dt.date):
            kind = "DATE_TIME" if isinstance(value, dt.datetime) else "DATE"
            pattern = "yyyy-mm-dd H:mm:ss" if kind == "DATE_TIME" else "yyyy-mm-dd"
            sheet.set_format(row, col, row + 1, col + 1, {"type": kind, "pattern": pattern})
            return to_serial(value)
        return value

    def values(self, spreadsheet_id: str, tab: str) -> list[list[Any]]:
        """A tab's values as the API would return them UNFORMATTED (for assertions)."""
        with self._lock:
            sheet = self._sheet_by_title(self.spreadsheets[spreadsheet_id], tab)
            area = Area(sheet, 0, 0, sheet.rows - 1, sheet.columns - 1)
            return self._read(area, "ROWS", "UNFORMATTED_VALUE", "SERIAL_NUMBER")

    def titles(self, spreadsheet_id: str) -> list[str]:
        with self._lock:
            return [s.title for s in self._ordered(self.spreadsheets[spreadsheet_id])]

    def number_format(self, spreadsheet_id: str, tab: str, cell: str) -> dict[str, str] | None:
        """The number format of one cell (`B2`), to check that dates got a date format."""
        with self._lock:
            sheet = self._sheet_by_title(self.spreadsheets[spreadsheet_id], tab)
            r1, c1, _, _ = _parse_cells(cell) or (0, 0, 0, 0)
            return sheet.number_format(r1 or 0, c1 or 0)

    def fail_next(self, status: int, times: int = 1) -> None:
        """Answer the next `times` requests with `status` and Google's error body for it."""
        with self._lock:
            self._failures.extend([status] * times)

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    def reset_calls(self) -> None:
        with self._lock:
            self.calls.clear()
            self.log.clear()

    # -- HTTP entry point ---------------------------------------------------------------------

    def handle(
        self, method: str, target: str, body: bytes, authorization: str | None = None
    ) -> tuple[int, Any]:
        """Answer one request: (status, JSON-able body or None for an empty 204)."""
        raw_path, _, query = target.partition("?")
        params = urllib.parse.parse_qs(query, keep_blank_values=True)
        with self._lock:
            if method == "POST" and raw_path == "/token":
                return 200, self._issue_token()
            try:
                route, args = self._route(method, raw_path)
            except ApiError as error:
                return error.code, error.body()
            if (
                self.require_auth
                and (authorization or "").removeprefix("Bearer ") not in self.tokens
            ):
                return 401, ApiError(
                    401,
                    "Request is missing required authentication "
                    "credential. Expected OAuth 2 access token.",
                ).body()
            self.calls[route] += 1
            self.log.append((route, urllib.parse.unquote(target)))
            if self._failures:
                code = self._failures.popleft()
                return code, ApiError(code, _INJECTED_MESSAGES.get(code, "Error")).body()
            try:
                payload = json.loads(body) if body.strip() else {}
                if not isinstance(payload, dict):
                    raise ApiError(400, "Invalid JSON payload received. Expected an object.")
            except json.JSONDecodeError as error:
                return 400, ApiError(400, f"Invalid JSON payload received. {error}").body()
            try:
                handler = getattr(self, "_" + route.replace(".", "_"))
                return handler(*args, params=params, body=payload)
            except ApiError as error:
                return error.code, error.body()
            except Exception as error:  # a bug in the fake: answer like Google's 500, say why
                return 500, ApiError(500, f"Internal error in the fake: {error!r}").body()

    def _issue_token(self) -> dict[str, Any]:
        """OAuth token endpoint, so service-account and user credentials work end to end."""
        token = f"fake-token-{len(self.tokens) + 1}"
        self.tokens.add(token)
        return {"access_token": token, "expires_in": 3600, "token_type": "Bearer"}

    _ROUTES: Sequence[tuple[str, re.Pattern[str], str]] = [
        ("POST", re.compile(r"/v4/spreadsheets"), "spreadsheets.create"),
        ("GET", re.compile(r"/v4/spreadsheets/([^/:]+)"), "spreadsheets.get"),
        ("POST", re.compile(r"/v4/spreadsheets/([^/:]+):batchUpdate"), "spreadsheets.batchUpdate"),
        ("GET", re.compile(r"/v4/spreadsheets/([^/:]+)/values:batchGet"), "values.batchGet"),
        ("POST", re.compile(r"/v4/spreadsheets/([^/:]+)/values:batchUpdate"), "values.batchUpdate"),
        ("POST", re.compile(r"/v4/spreadsheets/([^/:]+)/values:batchClear"), "values.batchClear"),
        ("POST", re.compile(r"/v4/spreadsheets/([^/:]+)/values/(.+):append"), "values.append"),
        ("POST", re.compile(r"/v4/spreadsheets/([^/:]+)/values/(.+):clear"), "values.clear"),
        ("GET", re.compile(r"/v4/spreadsheets/([^/:]+)/values/(.+)"), "values.get"),
        ("PUT", re.compile(r"/v4/spreadsheets/([^/:]+)/values/(.+)"), "values.update"),
        ("POST", re.compile(r"/drive/v3/files"), "drive.files.create"),
        ("GET", re.compile(r"/drive/v3/files/([^/]+)"), "drive.files.get"),
        ("DELETE", re.compile(r"/drive/v3/files/([^/]+)"), "drive.files.delete"),
    ]

    def _route(self, method: str, raw_path: str) -> tuple[str, list[str]]:
        for verb, pattern, name in self._ROUTES:
            match = pattern.fullmatch(raw_path)
            if verb == method and match:
                return name, [urllib.parse.unquote(g) for g in match.groups()]
        raise ApiError(404, f"Method not found: {method} {raw_path}")

    # -- lookups ------------------------------------------------------------------------------

    def _book(self, spreadsheet_id: str) -> Spreadsheet:
        if spreadsheet_id in self.private:
            raise ApiError(403, "The caller does not have permission")
        book = self.spreadsheets.get(spreadsheet_id)
        if book is None:
            raise ApiError(404, "Requested entity was not found.")
        return book

    @staticmethod
    def _ordered(book: Spreadsheet) -> list[Sheet]:
        return sorted(book.sheets, key=lambda s: s.props["index"])

    def _sheet_by_title(self, book: Spreadsheet, title: str) -> Sheet:
        for sheet in book.sheets:
            if sheet.title.lower() == title.lower():
                return sheet
        raise KeyError(title)

    def _sheet_by_id(self, book: Spreadsheet, sheet_id: Any, where: str) -> Sheet:
        for sheet in book.sheets:
            if sheet.props["sheetId"] == sheet_id:
                return sheet
        raise ApiError(400, f"Invalid requests[{where}: No grid with id: {sheet_id}")

    def _area(self, book: Spreadsheet, text: str, *, writing: bool = False) -> Area:
        """Resolve an A1 range; reads must stay inside the grid, writes may grow it later."""
        title, cells = _split_range(text)
        sheet = None
        if title is not None:
            with contextlib.suppress(KeyError):
                sheet = self._sheet_by_title(book, title)
        elif cells is not None and _parse_cells(cells) is None:
            with contextlib.suppress(KeyError):
                sheet, cells = self._sheet_by_title(book, cells), None
        else:
            sheet = self._ordered(book)[0]
        if sheet is None:
            raise ApiError(400, f"Unable to parse range: {text}")
        if cells is None:
            return Area(sheet, 0, 0, sheet.rows - 1, sheet.columns - 1)
        bounds = _parse_cells(cells)
        if bounds is None:
            raise ApiError(400, f"Unable to parse range: {text}")
        r1, c1, r2, c2 = bounds
        r1, r2 = (r1 or 0, sheet.rows - 1 if r2 is None else r2)
        c1, c2 = (c1 or 0, sheet.columns - 1 if c2 is None else c2)
        r1, r2 = min(r1, r2), max(r1, r2)
        c1, c2 = min(c1, c2), max(c1, c2)
        if not writing and (r2 >= sheet.rows or c2 >= sheet.columns):
            raise _grid_error(text, sheet)
        return Area(sheet, r1, c1, r2, c2)

    # -- reading and writing cells -----------------------------------------------------------

    def _read(self, area: Area, major: str, render: str, date_render: str) -> list[list[Any]]:
        sheet = area.sheet
        used = [
            (r, c) for (r, c) in sheet.cells if area.r1 <= r <= area.r2 and area.c1 <= c <= area.c2
        ]
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
                line.append(_render(sheet, r, c, render, date_render))
            grid.append(line)
        return grid

    def _write(
        self,
        sheet: Sheet,
        row0: int,
        col0: int,
        values: Any,
        input_option: str,
        box: Area | None,
        major: str | None,
    ) -> dict[str, Any]:
        """Write a 2-D array at (row0, col0); returns the UpdateValuesResponse fields."""
        if not isinstance(values, list) or not all(isinstance(r, list) for r in values):
            raise ApiError(400, "Invalid values: expected a list of lists")
        if major == "COLUMNS":
            width = max((len(r) for r in values), default=0)
            values = [[col[i] if i < len(col) else None for col in values] for i in range(width)]
        n_rows = len(values)
        n_cols = max((len(r) for r in values), default=0)
        if not n_rows or not n_cols:
            return {}
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
        if row0 + n_rows > sheet.rows or col0 + n_cols > sheet.columns:
            target = a1(sheet.title, row0, col0, row0 + n_rows - 1, col0 + n_cols - 1)
            raise _grid_error(target, sheet)
        written = 0
        for i, line in enumerate(values):
            for j, value in enumerate(line):
                if value is None:
                    continue
                written += 1
                self._set_cell(sheet, row0 + i, col0 + j, value, input_option)
        return {
            "updatedRange": a1(sheet.title, row0, col0, row0 + n_rows - 1, col0 + n_cols - 1),
            "updatedRows": n_rows,
            "updatedColumns": n_cols,
            "updatedCells": written,
        }

    def _set_cell(self, sheet: Sheet, row: int, col: int, value: Any, input_option: str) -> None:
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
                cell, fmt = _user_entered(value)
        else:
            raise ApiError(400, f"Invalid values[{row}][{col}]: {json.dumps(value)}")
        if cell is None:
            sheet.cells.pop(key, None)
        else:
            sheet.cells[key] = cell
        if fmt and sheet.number_format(row, col) is None:
            sheet.set_format(row, col, row + 1, col + 1, fmt)

    def _clear(self, area: Area) -> None:
        sheet = area.sheet
        for key in [
            k for k in sheet.cells if area.r1 <= k[0] <= area.r2 and area.c1 <= k[1] <= area.c2
        ]:
            del sheet.cells[key]

    def _touch(self, book: Spreadsheet) -> None:
        book.modified = _now()

    # -- spreadsheets -------------------------------------------------------------------------

    def _create(self, title: str, spreadsheet_id: str | None = None) -> Spreadsheet:
        now = _now()
        book = Spreadsheet(
            id=spreadsheet_id or _new_id(),
            props={"title": title, **json.loads(json.dumps(_SPREADSHEET_DEFAULTS))},
            sheets=[],
            created=now,
            modified=now,
        )
        first = self._new_sheet(book, "Sheet1", 0, DEFAULT_ROWS, DEFAULT_COLUMNS)
        first.props["sheetId"] = 0
        book.sheets.append(first)
        self.spreadsheets[book.id] = book
        return book

    def _new_sheet(self, book: Spreadsheet, title: str, index: int, rows: int, cols: int) -> Sheet:
        taken = {s.props["sheetId"] for s in book.sheets}
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

    def _metadata(self, book: Spreadsheet) -> dict[str, Any]:
        return {
            "spreadsheetId": book.id,
            "properties": book.props,
            "sheets": [
                {"properties": s.props}
                | ({"conditionalFormats": s.conditional_formats} if s.conditional_formats else {})
                | ({"basicFilter": s.basic_filter} if s.basic_filter else {})
                for s in self._ordered(book)
            ],
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{book.id}/edit",
        }

    def _spreadsheets_create(self, *, params: Any, body: dict[str, Any]) -> tuple[int, Any]:
        title = (body.get("properties") or {}).get("title") or "Untitled spreadsheet"
        book = self._create(title)
        return 200, json.loads(json.dumps(self._metadata(book)))

    def _spreadsheets_get(self, sid: str, *, params: Any, body: Any) -> tuple[int, Any]:
        book = self._book(sid)
        answer = json.loads(json.dumps(self._metadata(book)))
        if "fields" in params:
            answer = apply_mask(answer, parse_mask(params["fields"][0]))
        return 200, answer

    def _spreadsheets_batchUpdate(
        self, sid: str, *, params: Any, body: dict[str, Any]
    ) -> tuple[int, Any]:
        book = self._book(sid)
        requests = body.get("requests") or []
        # Google applies a batch atomically: work on a copy, keep it only if all succeed.
        snapshot = (
            [
                Sheet(
                    json.loads(json.dumps(s.props)),
                    dict(s.cells),
                    list(s.formats),
                    dict(s.cell_formats),
                    list(s.conditional_formats),
                    dict(s.notes),
                    list(s.validations),
                    list(s.styles),
                    dict(s.pixel_sizes),
                    s.basic_filter,
                )
                for s in book.sheets
            ],
            json.loads(json.dumps(book.props)),
        )
        replies = []
        try:
            for number, request in enumerate(requests):
                if not isinstance(request, dict) or len(request) != 1:
                    raise ApiError(400, f"Invalid requests[{number}]: exactly one kind expected")
                ((kind, args),) = request.items()
                apply = getattr(self, f"_request_{kind}", None)
                if apply is None:
                    raise ApiError(400, f"Invalid requests[{number}]: the fake has no {kind}")
                replies.append(apply(book, args, f"{number}].{kind}"))
        except ApiError:
            book.sheets, book.props = snapshot
            raise
        self._touch(book)
        return 200, {"spreadsheetId": book.id, "replies": replies}

    def _request_addSheet(self, book: Spreadsheet, args: Any, where: str) -> dict[str, Any]:
        props = dict(args.get("properties") or {})
        title = props.get("title") or f"Sheet{len(book.sheets) + 1}"
        if any(s.title.lower() == title.lower() for s in book.sheets):
            raise ApiError(
                400,
                f'Invalid requests[{where}: A sheet with the name "{title}" already exists. '
                "Please enter another name.",
            )
        grid = dict(props.get("gridProperties") or {})
        index = min(props.get("index", len(book.sheets)), len(book.sheets))
        sheet = self._new_sheet(
            book,
            title,
            index,
            grid.pop("rowCount", DEFAULT_ROWS),
            grid.pop("columnCount", DEFAULT_COLUMNS),
        )
        if "sheetId" in props:
            if any(s.props["sheetId"] == props["sheetId"] for s in book.sheets):
                raise ApiError(
                    400,
                    f"Invalid requests[{where}: Sheet with id {props['sheetId']} already exists.",
                )
            sheet.props["sheetId"] = props["sheetId"]
        sheet.props["gridProperties"].update({k: v for k, v in grid.items() if v})
        for key in ("hidden", "tabColorStyle", "rightToLeft"):
            if props.get(key):
                sheet.props[key] = _clean_color(props[key])
        for other in book.sheets:
            if other.props["index"] >= index:
                other.props["index"] += 1
        book.sheets.append(sheet)
        return {"addSheet": {"properties": json.loads(json.dumps(sheet.props))}}

    def _request_deleteSheet(self, book: Spreadsheet, args: Any, where: str) -> dict[str, Any]:
        sheet = self._sheet_by_id(book, args.get("sheetId"), where)
        if len(book.sheets) == 1:
            raise ApiError(
                400, f"Invalid requests[{where}: You can't remove all the sheets in a document."
            )
        book.sheets.remove(sheet)
        for index, other in enumerate(self._ordered(book)):
            other.props["index"] = index
        return {}

    def _request_updateSheetProperties(
        self, book: Spreadsheet, args: Any, where: str
    ) -> dict[str, Any]:
        props = args.get("properties") or {}
        sheet = self._sheet_by_id(book, props.get("sheetId"), where)
        fields = args.get("fields")
        if not fields:
            raise ApiError(400, f"Invalid requests[{where}: At least one field must be updated.")
        title = props.get("title")
        if (
            title is not None
            and "title" in fields
            and any(s is not sheet and s.title.lower() == title.lower() for s in book.sheets)
        ):
            raise ApiError(
                400,
                f'Invalid requests[{where}: A sheet with the name "{title}" already '
                "exists. Please enter another name.",
            )
        old_index = sheet.props["index"]
        _set_fields(sheet.props, props, fields)
        grid = sheet.props["gridProperties"]
        if grid.get("rowCount", 0) < 1 or grid.get("columnCount", 0) < 1:
            raise ApiError(400, f"Invalid requests[{where}: the grid must keep one cell.")
        for key in [k for k in sheet.cells if k[0] >= sheet.rows or k[1] >= sheet.columns]:
            del sheet.cells[key]
        new_index = sheet.props.setdefault("index", old_index)
        if new_index != old_index:
            others = [s for s in self._ordered(book) if s is not sheet]
            others.insert(min(new_index, len(others)), sheet)
            for index, other in enumerate(others):
                other.props["index"] = index
        rgb = sheet.props.get("tabColorStyle", {}).get("rgbColor")
        if rgb is not None:
            sheet.props["tabColor"] = rgb
        else:
            sheet.props.pop("tabColor", None)
        return {}

    def _request_updateSpreadsheetProperties(
        self, book: Spreadsheet, args: Any, where: str
    ) -> dict[str, Any]:
        if not args.get("fields"):
            raise ApiError(400, f"Invalid requests[{where}: At least one field must be updated.")
        _set_fields(book.props, args.get("properties") or {}, args["fields"])
        return {}

    def _request_repeatCell(self, book: Spreadsheet, args: Any, where: str) -> dict[str, Any]:
        """Keeps number formats (rendering needs them), wrapping, alignment and notes."""
        grid = args.get("range") or {}
        sheet = self._sheet_by_id(book, grid.get("sheetId", 0), where)
        fields = args.get("fields") or ""
        if not fields:
            raise ApiError(400, f"Invalid requests[{where}: At least one field must be updated.")
        user = (args.get("cell") or {}).get("userEnteredFormat") or {}
        style = {}
        for name, allowed in _STYLE_ENUMS.items():
            if name in user and name in fields:
                style[name] = _enum(
                    user[name], allowed, f"{where}.cell.userEnteredFormat.{name}", None
                )
        if style:
            r1, c1, r2, c2 = _grid_bounds(sheet, grid)
            sheet.styles.append((r1, c1, r2, c2, style))
        cell_format = user.get("numberFormat")
        if cell_format and "numberFormat" in (args.get("fields") or ""):
            sheet.set_format(
                grid.get("startRowIndex", 0),
                grid.get("startColumnIndex", 0),
                grid.get("endRowIndex"),
                grid.get("endColumnIndex"),
                dict(cell_format),
            )
        return {}

    def _request_addConditionalFormatRule(
        self, book: Spreadsheet, args: Any, where: str
    ) -> dict[str, Any]:
        """Stored and shown in the metadata as Google shows them (colours at 8 bits per
        channel, zero channels left out); the fake does not apply them."""
        rule = json.loads(json.dumps(args.get("rule") or {}))
        fmt = (rule.get("booleanRule") or {}).get("format") or {}
        for key in ("backgroundColor", "backgroundColorStyle"):
            if key in fmt:
                fmt[key] = _clean_color(fmt[key])
        for grid in rule.get("ranges") or [{}]:
            self._sheet_by_id(book, grid.get("sheetId", 0), where)
        sheet = self._sheet_by_id(book, (rule.get("ranges") or [{}])[0].get("sheetId", 0), where)
        index = min(int(args.get("index", 0)), len(sheet.conditional_formats))
        sheet.conditional_formats.insert(index, rule)
        return {}

    def _request_updateCells(self, book: Spreadsheet, args: Any, where: str) -> dict[str, Any]:
        """Cell notes (the `note` field of CellData), from `start` or over `range`."""
        fields = args.get("fields") or ""
        if not fields:
            raise ApiError(400, f"Invalid requests[{where}: At least one field must be updated.")
        if ("start" in args) == ("range" in args):
            raise ApiError(400, f"Invalid requests[{where}: exactly one of start or range")
        place = args.get("start") or args.get("range") or {}
        sheet = self._sheet_by_id(book, place.get("sheetId", 0), where)
        top = place.get("rowIndex", place.get("startRowIndex", 0))
        left = place.get("columnIndex", place.get("startColumnIndex", 0))
        for i, row in enumerate(args.get("rows") or []):
            for j, cell in enumerate(row.get("values") or []):
                if top + i >= sheet.rows or left + j >= sheet.columns:
                    raise _grid_error(sheet.title, sheet)
                if "note" in fields.split(","):
                    note = (cell or {}).get("note")
                    if note:
                        sheet.notes[(top + i, left + j)] = str(note)
                    else:
                        sheet.notes.pop((top + i, left + j), None)
        return {}

    def _request_setDataValidation(
        self, book: Spreadsheet, args: Any, where: str
    ) -> dict[str, Any]:
        """Stores the rule for its range (no rule clears it), checked as Google checks it."""
        grid = args.get("range") or {}
        sheet = self._sheet_by_id(book, grid.get("sheetId", 0), where)
        r1, c1, r2, c2 = _grid_bounds(sheet, grid)
        rule = args.get("rule")
        if rule is not None:
            condition = rule.get("condition") or {}
            kind = _enum(condition.get("type"), list(_VALIDATION_VALUES), f"{where}.rule", None)
            count = len(condition.get("values") or [])
            low, high = _VALIDATION_VALUES[kind]
            if not low <= count <= high:
                raise ApiError(
                    400,
                    f"Invalid requests[{where}: {kind} takes {low}-{high} values, got {count}.",
                )
        sheet.validations.append((r1, c1, r2, c2, rule or {}))
        return {}

    def _request_setBasicFilter(self, book: Spreadsheet, args: Any, where: str) -> dict[str, Any]:
        flt = dict(args.get("filter") or {})
        grid = flt.get("range") or {}
        sheet = self._sheet_by_id(book, grid.get("sheetId", 0), where)
        _grid_bounds(sheet, grid)
        sheet.basic_filter = json.loads(json.dumps(flt))
        return {}

    def _request_clearBasicFilter(self, book: Spreadsheet, args: Any, where: str) -> dict[str, Any]:
        self._sheet_by_id(book, args.get("sheetId", 0), where).basic_filter = None
        return {}

    def _request_updateDimensionProperties(
        self, book: Spreadsheet, args: Any, where: str
    ) -> dict[str, Any]:
        span = args.get("range") or {}
        sheet = self._sheet_by_id(book, span.get("sheetId", 0), where)
        dimension = _enum(span.get("dimension"), ("ROWS", "COLUMNS"), f"{where}.range", None)
        if "pixelSize" in (args.get("fields") or ""):
            size = int((args.get("properties") or {}).get("pixelSize", 0))
            for index in range(span.get("startIndex", 0), span.get("endIndex", 0)):
                sheet.pixel_sizes[(dimension, index)] = size
        return {}

    # -- what a person sees (for assertions) ----------------------------------------------------

    def metadata(self, spreadsheet_id: str) -> dict[str, Any]:
        """What `spreadsheets.get` answers (properties, conditional formats, filters)."""
        with self._lock:
            return json.loads(json.dumps(self._metadata(self.spreadsheets[spreadsheet_id])))

    def notes(self, spreadsheet_id: str, tab: str) -> dict[str, str]:
        """A1 cell -> note."""
        with self._lock:
            sheet = self._sheet_by_title(self.spreadsheets[spreadsheet_id], tab)
            return {f"{column_letters(c)}{r + 1}": n for (r, c), n in sorted(sheet.notes.items())}

    def validation(self, spreadsheet_id: str, tab: str, cell: str) -> dict[str, Any] | None:
        """The data validation rule of one cell (the last one set over it), or None."""
        return self._last(spreadsheet_id, tab, cell, "validations") or None

    def style(self, spreadsheet_id: str, tab: str, cell: str) -> dict[str, Any]:
        """Wrapping and alignment set on one cell, merged in the order they were set."""
        with self._lock:
            sheet = self._sheet_by_title(self.spreadsheets[spreadsheet_id], tab)
            row, col, _, _ = _parse_cells(cell) or (0, 0, 0, 0)
            merged: dict[str, Any] = {}
            for r1, c1, r2, c2, style in sheet.styles:
                if _inside(row or 0, col or 0, r1, c1, r2, c2):
                    merged.update(style)
            return merged

    def pixel_size(self, spreadsheet_id: str, tab: str, dimension: str, index: int) -> int | None:
        with self._lock:
            sheet = self._sheet_by_title(self.spreadsheets[spreadsheet_id], tab)
            return sheet.pixel_sizes.get((dimension, index))

    def _last(self, spreadsheet_id: str, tab: str, cell: str, kind: str) -> Any:
        with self._lock:
            sheet = self._sheet_by_title(self.spreadsheets[spreadsheet_id], tab)
            row, col, _, _ = _parse_cells(cell) or (0, 0, 0, 0)
            found = None
            for r1, c1, r2, c2, value in getattr(sheet, kind):
                if _inside(row or 0, col or 0, r1, c1, r2, c2):
                    found = value
            return found

    # -- values -------------------------------------------------------------------------------

    def _value_range(self, area: Area, params: Mapping[str, list[str]]) -> dict[str, Any]:
        major = _enum(
            _one(params, "majorDimension"), ("ROWS", "COLUMNS"), "major_dimension", "ROWS"
        )
        render = _enum(
            _one(params, "valueRenderOption"),
            _RENDER_OPTIONS,
            "value_render_option",
            "FORMATTED_VALUE",
        )
        date_render = _enum(
            _one(params, "dateTimeRenderOption"),
            _DATE_OPTIONS,
            "date_time_render_option",
            "SERIAL_NUMBER",
        )
        answer: dict[str, Any] = {"range": str(area), "majorDimension": major}
        values = self._read(area, major, render, date_render)
        if values:
            answer["values"] = values
        return answer

    def _values_get(self, sid: str, text: str, *, params: Any, body: Any) -> tuple[int, Any]:
        book = self._book(sid)
        return 200, self._value_range(self._area(book, text), params)

    def _values_batchGet(self, sid: str, *, params: Any, body: Any) -> tuple[int, Any]:
        book = self._book(sid)
        areas = [self._area(book, text) for text in params.get("ranges", [])]
        ranges = [self._value_range(area, params) for area in areas]
        return 200, {"spreadsheetId": book.id, "valueRanges": ranges}

    def _update(
        self, book: Spreadsheet, text: str, data: Mapping[str, Any], input_option: str
    ) -> tuple[Sheet, dict[str, Any]]:
        area = self._area(book, text, writing=True)
        if data.get("range") and data.get("range") != text and text:
            other = self._area(book, str(data["range"]), writing=True)
            if str(other) != str(area):
                raise ApiError(
                    400,
                    f"Requested writing within range [{text}], but the body's range is "
                    f"[{data['range']}]",
                )
        _, cells = _split_range(text)
        single = cells is not None and ":" not in cells and _parse_cells(cells) is not None
        box = None if single else area
        major = data.get("majorDimension") or "ROWS"
        result = self._write(
            area.sheet, area.r1, area.c1, data.get("values") or [], input_option, box, major
        )
        return area.sheet, {"spreadsheetId": book.id, **result}

    def _values_update(self, sid: str, text: str, *, params: Any, body: Any) -> tuple[int, Any]:
        book = self._book(sid)
        option = _enum(_one(params, "valueInputOption"), _INPUT_OPTIONS, "valueInputOption", None)
        _, answer = self._update(book, text, body, option)
        self._touch(book)
        return 200, answer

    def _values_batchUpdate(self, sid: str, *, params: Any, body: Any) -> tuple[int, Any]:
        book = self._book(sid)
        option = _enum(body.get("valueInputOption"), _INPUT_OPTIONS, "valueInputOption", None)
        data = body.get("data") or []
        for item in data:  # all ranges must parse before anything is written
            self._area(book, str(item.get("range", "")), writing=True)
        responses, rows, cols, sheets, cells = [], set(), set(), set(), 0
        for item in data:
            sheet, answer = self._update(book, str(item["range"]), item, option)
            responses.append(answer)
            if "updatedRange" in answer:
                area = self._area(book, answer["updatedRange"], writing=True)
                rows.update((sheet.props["sheetId"], r) for r in range(area.r1, area.r2 + 1))
                cols.update((sheet.props["sheetId"], c) for c in range(area.c1, area.c2 + 1))
                sheets.add(sheet.props["sheetId"])
                cells += answer["updatedCells"]
        self._touch(book)
        answer = {"spreadsheetId": book.id}
        if cells:
            answer |= {
                "totalUpdatedRows": len(rows),
                "totalUpdatedColumns": len(cols),
                "totalUpdatedCells": cells,
                "totalUpdatedSheets": len(sheets),
            }
        answer["responses"] = responses
        return 200, answer

    def _values_append(self, sid: str, text: str, *, params: Any, body: Any) -> tuple[int, Any]:
        """Append after the "table" found in the range.

        The table is the block of filled cells connected to the last filled cell of the range
        (that is what reproduces Google's `tableRange` in the recordings); new rows start in the
        table's first column on the row after it.
        """
        book = self._book(sid)
        option = _enum(_one(params, "valueInputOption"), _INPUT_OPTIONS, "valueInputOption", None)
        insert = _enum(
            _one(params, "insertDataOption"),
            ("OVERWRITE", "INSERT_ROWS"),
            "insertDataOption",
            "OVERWRITE",
        )
        area = self._area(book, text)
        sheet = area.sheet
        filled = {
            k for k in sheet.cells if area.r1 <= k[0] <= area.r2 and area.c1 <= k[1] <= area.c2
        }
        answer: dict[str, Any] = {"spreadsheetId": book.id}
        if filled:
            seed = max(filled)
            table, todo = {seed}, [seed]
            while todo:
                r, c = todo.pop()
                for near in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
                    if near in filled and near not in table:
                        table.add(near)
                        todo.append(near)
            top, left = min(r for r, _ in table), min(c for _, c in table)
            bottom, right = max(r for r, _ in table), max(c for _, c in table)
            answer["tableRange"] = a1(sheet.title, top, left, bottom, right)
            row0, col0 = bottom + 1, left
        else:
            row0, col0 = area.r1, area.c1
        values = body.get("values") or []
        if body.get("majorDimension") == "COLUMNS":
            width = max((len(r) for r in values), default=0)
            values = [[col[i] if i < len(col) else None for col in values] for i in range(width)]
        grow = row0 + len(values) - sheet.rows
        if insert == "INSERT_ROWS" and values:
            moved = {
                (r + len(values) if r >= row0 else r, c): v for (r, c), v in sheet.cells.items()
            }
            sheet.cells = moved
            grow = len(values)
        if grow > 0:
            sheet.props["gridProperties"]["rowCount"] += grow
        answer["updates"] = {
            "spreadsheetId": book.id,
            **self._write(sheet, row0, col0, values, option, None, None),
        }
        self._touch(book)
        return 200, answer

    def _values_clear(self, sid: str, text: str, *, params: Any, body: Any) -> tuple[int, Any]:
        book = self._book(sid)
        area = self._area(book, text)
        self._clear(area)
        self._touch(book)
        return 200, {"spreadsheetId": book.id, "clearedRange": str(area)}

    def _values_batchClear(self, sid: str, *, params: Any, body: Any) -> tuple[int, Any]:
        book = self._book(sid)
        areas = [self._area(book, str(text)) for text in body.get("ranges") or []]
        for area in areas:
            self._clear(area)
        self._touch(book)
        return 200, {"spreadsheetId": book.id, "clearedRanges": [str(a) for a in areas]}

    # -- Drive --------------------------------------------------------------------------------

    def _drive_files_create(self, *, params: Any, body: Any) -> tuple[int, Any]:
        mime = body.get("mimeType", "")
        if mime != "application/vnd.google-apps.spreadsheet":
            raise ApiError(400, f"The fake only creates spreadsheets, not {mime or 'files'}.")
        book = self._create(body.get("name") or "Untitled spreadsheet")
        return 200, {
            "kind": "drive#file",
            "id": book.id,
            "name": book.props["title"],
            "mimeType": mime,
        }

    def _drive_file(self, file_id: str) -> Spreadsheet:
        if file_id in self.spreadsheets and file_id not in self.private:
            return self.spreadsheets[file_id]
        raise ApiError(404, f"File not found: {file_id}.")

    def _drive_files_get(self, file_id: str, *, params: Any, body: Any) -> tuple[int, Any]:
        book = self._drive_file(file_id)
        answer = {
            "kind": "drive#file",
            "id": book.id,
            "name": book.props["title"],
            "mimeType": "application/vnd.google-apps.spreadsheet",
            "createdTime": book.created,
            "modifiedTime": book.modified,
        }
        if "fields" in params:
            answer = apply_mask(answer, parse_mask(params["fields"][0]))
        else:
            answer = {k: answer[k] for k in ("kind", "id", "name", "mimeType")}
        return 200, answer

    def _drive_files_delete(self, file_id: str, *, params: Any, body: Any) -> tuple[int, Any]:
        del self.spreadsheets[self._drive_file(file_id).id]
        return 204, None


def _one(params: Mapping[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    return values[-1] if values else None


# ---------------------------------------------------------------------------------------------
# The HTTP server


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes
    server: _Server

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, payload = self.server.fake.handle(
            self.command, self.path, body, self.headers.get("Authorization")
        )
        data = b"" if payload is None else json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        if data:
            self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests and demos read the call log in `FakeSheets.log` instead."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeSheets, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.fake = fake


GOOGLE_HOSTS = ("https://sheets.googleapis.com", "https://www.googleapis.com")


def session_for(url: str, credentials: Any = None) -> requests.Session:
    """A requests session that sends gspread's calls for Google to the fake served at URL.

    Pass it as `GoogleSheetsBackend(..., session=...)`. With google-auth `credentials` it signs
    its requests like `AuthorizedSession` (whose token URL the credentials name).
    """
    base = url.rstrip("/")
    parent = requests.Session if credentials is None else AuthorizedSession

    class ToFake(parent):  # type: ignore[valid-type,misc]
        def request(self, method: Any, url: Any, *args: Any, **kwargs: Any) -> Any:
            url = url.decode() if isinstance(url, bytes) else url
            for host in GOOGLE_HOSTS:
                if url.startswith(host):
                    url = base + url[len(host) :]
            return super().request(method, url, *args, **kwargs)

    session = ToFake() if credentials is None else ToFake(credentials)
    session.trust_env = False  # environment proxies must not capture calls to this machine
    return session


class Running(NamedTuple):
    """A served fake: its base URL (`http://127.0.0.1:PORT`) and its state."""

    url: str
    fake: FakeSheets

    def session(self, credentials: Any = None) -> requests.Session:
        """A session reaching this fake (see `session_for`)."""
        return session_for(self.url, credentials)


@contextlib.contextmanager
def serve_fake(fake: FakeSheets | None = None, port: int = 0) -> Iterator[Running]:
    """Serve a fake on 127.0.0.1 (an ephemeral port by default) for the `with` block."""
    server = _Server(fake or FakeSheets(), port)
    thread = threading.Thread(
        target=server.serve_forever, args=(0.01,), name="fake-sheets", daemon=True
    )
    thread.start()
    try:
        yield Running(f"http://127.0.0.1:{server.server_address[1]}", server.fake)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# ---------------------------------------------------------------------------------------------
# Replaying recorded traffic

#: Answers that differ on every run, compared for presence only.
VOLATILE = frozenset({"createdTime", "modifiedTime"})


@dataclass
class _Ids:
    """Recorded ids (spreadsheets, sheets) and the ones the fake gave out in their place."""

    files: dict[str, str] = field(default_factory=dict)
    sheets: dict[int, int] = field(default_factory=dict)

    def request_text(self, text: str) -> str:
        for recorded, ours in self.files.items():
            text = text.replace(recorded, ours)
        return text

    def request_json(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: self.sheets.get(v, v) if k == "sheetId" else self.request_json(v)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [self.request_json(v) for v in value]
        return value

    def differences(self, recorded: Any, actual: Any, where: str = "") -> list[str]:
        """Where `actual` differs from `recorded`, learning id pairs on the way."""
        if isinstance(recorded, dict) and isinstance(actual, dict):
            problems = []
            if recorded.keys() != actual.keys():
                problems.append(f"{where or '/'}: keys {sorted(recorded)} != {sorted(actual)}")
            for key in recorded.keys() & actual.keys():
                if key in VOLATILE:
                    continue
                problems += self.differences(recorded[key], actual[key], f"{where}/{key}")
            return problems
        if isinstance(recorded, list) and isinstance(actual, list):
            if len(recorded) != len(actual):
                return [f"{where}: {len(actual)} items, recorded {len(recorded)}"]
            return [
                p
                for i, (r, a) in enumerate(zip(recorded, actual, strict=True))
                for p in self.differences(r, a, f"{where}/{i}")
            ]
        key = where.rpartition("/")[2]
        if key in ("id", "spreadsheetId") and isinstance(recorded, str) and isinstance(actual, str):
            recorded = self.files.setdefault(recorded, actual)
        elif key == "sheetId" and type(recorded) is int and type(actual) is int:
            recorded = self.sheets.setdefault(recorded, actual)
        elif isinstance(recorded, str):
            recorded = self.request_text(recorded)
        if (recorded == actual and type(recorded) is type(actual)) or (
            isinstance(recorded, int | float)
            and isinstance(actual, int | float)
            and not isinstance(recorded, bool)
            and recorded == actual
        ):
            return []
        return [f"{where}: {actual!r}, recorded {recorded!r}"]


def _cassette_private_ids(interactions: Sequence[Mapping[str, Any]]) -> set[str]:
    """Spreadsheets a cassette opens without creating: someone else's, not shared with us."""
    created = set()
    used = set()
    for item in interactions:
        uri = item["request"]["uri"]
        if uri.startswith("https://www.googleapis.com/drive/v3/files?"):
            with contextlib.suppress(ValueError, KeyError, TypeError):
                created.add(json.loads(item["response"]["body"]["string"])["id"])
        match = re.match(r"https://sheets\.googleapis\.com/v4/spreadsheets/([^/:?]+)", uri)
        if match:
            used.add(match.group(1))
    return used - created


def _body_text(body: Any) -> str:
    """A recorded body as text (vcrpy stores plain strings, or bytes/base64 for binary ones)."""
    if isinstance(body, dict):
        body = body.get("string", "")
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    return body or ""


def replay(cassette: Path) -> tuple[int, int, list[str]]:
    """Replay one vcrpy cassette against a fresh fake: (matched, total, what differed).

    Each recorded request is sent as recorded, with Google's hosts replaced by the fake's URL and
    recorded ids by the ones the fake handed out (learnt from its answers). An answer matches when
    the status is the same and the JSON bodies are equal, except `createdTime`/`modifiedTime`
    (compared for presence only) and ids, which must map one-to-one to the recorded ones.
    """
    interactions = json.loads(cassette.read_text(encoding="utf-8"))["interactions"]
    fake = FakeSheets()
    fake.private.update(_cassette_private_ids(interactions))
    ids = _Ids()
    matched, problems = 0, []
    with serve_fake(fake) as (url, _):
        connection = http.client.HTTPConnection(urllib.parse.urlsplit(url).netloc, timeout=10)
        for number, item in enumerate(interactions):
            request, response = item["request"], item["response"]
            uri = request["uri"]
            for host in GOOGLE_HOSTS:
                uri = uri.replace(host, "")
            body = _body_text(request.get("body"))
            if body:
                body = json.dumps(ids.request_json(json.loads(ids.request_text(body))))
            connection.request(
                request["method"],
                ids.request_text(uri),
                body=body.encode() if body else None,
                headers={"Content-Type": "application/json"} if body else {},
            )
            answer = connection.getresponse()
            content = answer.read()
            expected_text = _body_text(response.get("body"))
            expected = json.loads(expected_text) if expected_text.strip() else None
            actual = json.loads(content) if content else None
            found = ids.differences(expected, actual)
            if answer.status != response["status"]["code"]:
                found.insert(0, f"status {answer.status}, recorded {response['status']['code']}")
            if found:
                where = f"#{number} {request['method']} {urllib.parse.unquote(request['uri'])}"
                problems.append(f"{where}: " + "; ".join(found[:3]))
            else:
                matched += 1
        connection.close()
    return matched, len(interactions), problems


def serve_forever(port: int) -> None:
    """Serve a fake holding the demo workbook until Ctrl-C, for trying the tool without Google."""
    from sheets_sync.demo import demo_tabs

    with serve_fake(port=port) as (url, fake):
        sid = fake.create_spreadsheet("Stockout demo", demo_tabs(dt.date.today()))
        print(f"Fake Google Sheets API at {url}, spreadsheet id {sid}", flush=True)
        print(f"  python -m stockout_testing.fake_sheets --stockout {url} refresh gsheet:{sid}",
              flush=True)  # fmt: skip
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


def run_stockout(url: str, args: Sequence[str]) -> int:
    """Run the `stockout` command with every Google Sheet reached at the fake served at URL."""
    from sheets_sync import cli
    from sheets_sync.backends import gsheets

    opened = gsheets.GoogleSheetsBackend.__init__

    def to_fake(self: gsheets.GoogleSheetsBackend, spreadsheet: str, **options: Any) -> None:
        options.setdefault("session", session_for(url))
        opened(self, spreadsheet, **options)

    gsheets.GoogleSheetsBackend.__init__ = to_fake  # type: ignore[method-assign]
    try:
        return cli.main(list(args), standalone_mode=False) or 0
    except SystemExit as exit_:
        return int(exit_.code or 0)
    finally:
        gsheets.GoogleSheetsBackend.__init__ = opened  # type: ignore[method-assign]


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m stockout_testing.fake_sheets CASSETTE...`: replay, print matched/total per file.

    `python -m stockout_testing.fake_sheets --serve [PORT]` serves a fake instead (default 8765);
    `... --stockout URL ARGS...` runs `stockout ARGS...` against the fake served at URL.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--serve"]:
        serve_forever(int(args[1]) if len(args) > 1 and args[1].isdigit() else 8765)
        return 0
    if args[:1] == ["--stockout"] and len(args) > 2:
        return run_stockout(args[1], args[2:])
    paths = [Path(p) for p in args]
    if not paths:
        print(
            "usage: python -m stockout_testing.fake_sheets CASSETTE.json...\n"
            "       python -m stockout_testing.fake_sheets --serve [PORT]\n"
            "       python -m stockout_testing.fake_sheets --stockout URL STOCKOUT-ARGS...",
            file=sys.stderr,
        )
        return 2
    all_matched = all_total = 0
    failed = False
    for path in paths:
        try:
            matched, total, problems = replay(path)
        except (OSError, ValueError, KeyError, TypeError) as error:
            print(f"{path.name}: cannot replay ({error})")
            failed = True
            continue
        all_matched += matched
        all_total += total
        failed = failed or matched != total
        print(f"{path.name}: {matched}/{total}")
        for problem in problems:
            print(f"  {problem}")
    print(f"total: {all_matched}/{all_total} answers match in {len(paths)} recordings")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
