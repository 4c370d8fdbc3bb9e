"""A workbook file on disk (`.xlsx` or `.xlsm`): the default backend, no credentials needed.

The file is loaded once, read tab by tab, and saved once, through `sheets_sync.atomic_file`:
to a temporary file beside it, flushed, given the old file's permissions and owner, then moved
over the original (a symlink's target is updated; a hard-linked file in place, journalled). The
last five versions are kept in `<stem>.backups/`. A crash, a kill or a full disk therefore never
leaves a half-written workbook, and a bad refresh can be undone.

A workbook open in Excel or LibreOffice (their `~$book.xlsx` / `.~lock.book.xlsx#` lock files)
is refused with a plain message: writing then would be lost when its user saves. So is a file
that another program saved between this backend's read and its write.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from copy import copy
from functools import partial
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.pagebreak import Break, RowBreak
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from sheets_sync.atomic_file import backup_folder, finish_pending, replace_file
from sheets_sync.backends.xlsx_charts import (
    CHART_COLUMNS,
    CHART_ROWS,
    CHART_ROWS_PER_PAGE,
    chart_title,
    draw_charts,
)
from sheets_sync.backends.xlsx_parts import has_images, save_with_values, unkept
from sheets_sync.references import Moves, carry_elsewhere
from sheets_sync.types import (
    FormatKind,
    Formula,
    Grid,
    Place,
    Tab,
    Target,
    TargetError,
    Validation,
    frozen_columns,
    number_pattern,
    wrapped_lines,
)
from sheets_sync.writer_lock import refuse_if_open

HEADER_FILL = PatternFill("solid", fgColor="1F3864")
USER_HEADER_FILL = PatternFill("solid", fgColor="595959")
HEADER_FONT = Font(bold=True, color="FFFFFF")
MAX_WIDTH = 60
#: Width of a column never sized (Excel's default), in characters.
DEFAULT_WIDTH = 8.43
#: Characters of column width a portrait page holds at 100 %: anything wider prints landscape.
PORTRAIT_CHARACTERS = 100
#: Rows below the data that dropdowns and input checks still cover, for rows a user adds.
INPUT_ROWS = 1000
NOTE_AUTHOR = "stockout-kit"
#: Height of one line of 11-point text, in points.
LINE_POINTS = 15
#: Versions of the workbook kept in `<stem>.backups/` beside it.
BACKUPS = 5


class XlsxBackend:
    """Read and write a workbook file. `create=True` starts a new, empty workbook."""

    def __init__(self, path: str | os.PathLike, *, create: bool = False) -> None:
        self.path = Path(path).expanduser()
        self.label = str(self.path)
        self.target = Target(PLACE, str(self.path))
        self._create = create
        self._book: Workbook | None = None
        self._computed: Workbook | None = None  # loaded only if a tab holds formulas
        self._formulas: dict[tuple[str, int, int], Formula] = {}  # every formula read
        self._written: list[Worksheet] = []
        self._loaded: tuple[int, int, int] | None = None  # the file as read: (inode, size, mtime)
        #: What the file holds that saving it will lose (see `xlsx_parts.unkept`), in words.
        self.warnings: list[str] = []
        if self.path.suffix.lower() not in {".xlsx", ".xlsm"}:
            raise TargetError(f"{self.path}: expected an .xlsx or .xlsm workbook")
        if not create and not self.path.is_file():
            raise TargetError(
                f"{self.path}: no such workbook (create one with `stockout new {self.path}`)"
            )

    @property
    def book(self) -> Workbook:
        if self._book is None:
            if self._create:
                self._book = Workbook()
                self._book.remove(self._book.active)
            else:
                try:
                    finish_pending(self.path)
                    self._loaded = _identity(self.path)
                    vba = self.path.suffix.lower() == ".xlsm"
                    _refuse_without_pillow(self.path)
                    self._book = load_workbook(self.path, keep_vba=vba)
                    lost = unkept(self.path, keep_vba=vba)
                except TargetError:
                    raise
                except Exception as exc:  # zip, XML, zlib, openpyxl: any way a file is broken
                    raise TargetError(
                        f"{self.path}: not a readable Excel workbook ({exc})"
                    ) from exc
                if lost:
                    self.warnings.append(
                        f"this workbook has {', '.join(lost)}, which stockout cannot keep when "
                        f"it saves the file: they are gone from {self.path.name} after this "
                        f"save; the version before is in {backup_folder(self.path).name}/. Keep "
                        "them in another workbook that refers to this one."
                    )
        return self._book

    def _sheet(self, name: str) -> Worksheet | None:
        for title in self.book.sheetnames:
            if title.casefold() == name.casefold():
                return self.book[title]
        return None

    def tab_names(self) -> list[str]:
        return list(self.book.sheetnames)

    def read(self, tabs: Sequence[str]) -> dict[str, Grid | None]:
        out: dict[str, Grid | None] = {}
        for name in tabs:
            sheet = self._sheet(name)
            if sheet is None:
                out[name] = None
                continue
            rows = [list(r) for r in sheet.iter_rows(values_only=True)]
            while rows and all(v is None for v in rows[-1]):
                rows.pop()
            for r, row in enumerate(rows, start=1):
                for c, value in enumerate(row, start=1):
                    formula = isinstance(value, str) and value.startswith("=")
                    if formula and sheet.cell(r, c).data_type == "f":
                        row[c - 1] = self._formula(sheet.title, r, c, value)
            out[name] = rows
        return out

    def _formula(self, title: str, row: int, col: int, text: str) -> Formula:
        """The formula, with the value Excel or LibreOffice last saved for it."""
        if self._computed is None:
            try:
                self._computed = load_workbook(self.path, data_only=True, keep_links=False)
            except Exception as exc:  # as in `book`: the file changed or broke since
                raise TargetError(f"{self.path}: not a readable Excel workbook ({exc})") from exc
        formula = Formula(text)
        formula.cached = self._computed[title].cell(row, col).value
        self._formulas[(title, row, col)] = formula
        return formula

    def write(self, tabs: Mapping[str, Tab]) -> None:
        refuse_if_open(self.path)
        elsewhere: list[tuple[Any, Any]] = []  # formulas on other tabs, found once if needed
        for tab in tabs.values():
            sheet = self._sheet(tab.name) or self.book.create_sheet(tab.name)
            old_size = (sheet.max_row, sheet.max_column)
            fill_sheet(sheet, tab)
            self._written.append(sheet)
            moves = Moves.of(tab, old_size)
            if moves is not None and not moves.identity:
                elsewhere = elsewhere or self._formulas_elsewhere(tabs)
                carry_elsewhere(elsewhere, moves, sheet.title)
        if tabs:
            # Open on the first tab written (Alerts, after a refresh), not on whatever was last.
            first = self._sheet(next(iter(tabs.values())).name)
            assert first is not None  # just written
            self.book.active = self.book.sheetnames.index(first.title)
            for sheet in self.book.worksheets:
                sheet.sheet_view.tabSelected = sheet is first
        self._save()

    def _formulas_elsewhere(self, tabs: Mapping[str, Tab]) -> list[tuple[Any, Any]]:
        """(getter, setter) of every formula on a tab not being written, and of every
        defined name: references into the tabs being rewritten follow their rows there too."""
        written = {tab.name.casefold() for tab in tabs.values()}
        found: list[tuple[Any, Any]] = []
        for sheet in self.book.worksheets:
            if sheet.title.casefold() in written:
                continue
            for cell in sheet._cells.values():  # the cells that exist, not the whole grid
                if cell.data_type == "f" and isinstance(cell.value, str):
                    found.append((partial(getattr, cell, "value"), partial(setattr, cell, "value")))
        for name in self.book.defined_names.values():
            if name.attr_text and "!" in name.attr_text:
                found.append((partial(_get_name, name), partial(_set_name, name)))
        return found

    def _save(self) -> None:
        if self._loaded is not None and _identity(self.path) != self._loaded:
            raise TargetError(
                f"{self.path.name} was changed by another program while this ran; nothing was "
                "written, so its changes are safe. Run this again."
            )
        written = {sheet.title for sheet in self._written}
        values = {
            (title, f"{get_column_letter(c)}{r}"): formula.cached
            for (title, r, c), formula in self._formulas.items()
            if title not in written
            and formula.cached is not None
            and self.book[title].cell(r, c).value == formula  # not translated since
        }
        try:
            replace_file(self.path, lambda tmp: save_with_values(self.book, tmp, values),
                         backups=BACKUPS)  # fmt: skip
        except OSError as exc:
            raise TargetError(f"{self.path}: could not save ({exc})") from exc
        self._loaded = _identity(self.path)


def _file(key: str) -> Path:
    return Path(key).expanduser()


#: Any TARGET no other place claims is a workbook file (`book.xlsx`), read and saved here.
PLACE = Place(kind="xlsx", backend=XlsxBackend, bare=True, book=_file, writes_file=True)


def _get_name(name: Any) -> str:
    return "=" + name.attr_text


def _set_name(name: Any, formula: str) -> None:
    name.attr_text = formula.removeprefix("=")


def _refuse_without_pillow(path: Path) -> None:
    """openpyxl drops every image of a workbook it saves without Pillow, and says nothing."""
    try:
        import PIL  # noqa: F401
    except ImportError:
        if has_images(path):
            raise TargetError(
                f"{path.name} has pictures, and saving it without Pillow would delete them: "
                "install it (`pip install pillow`), then run this again"
            ) from None


def _identity(path: Path) -> tuple[int, int, int] | None:
    """What tells one saved version of a file from another, without reading it."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def fill_sheet(sheet: Worksheet, tab: Tab) -> None:
    """Replace the sheet's values with the tab, styled for a person to read."""
    old_rows, old_cols = sheet.max_row, sheet.max_column
    user_formats = _user_formats(sheet, tab)
    sheet.delete_rows(1, old_rows + 1)
    for chart in list(sheet._charts):
        title = chart_title(chart) or ""
        ours = tab.chart and (title == tab.chart.title or title.startswith(tab.chart.title + ": "))
        if ours:  # a user's chart stays
            sheet._charts.remove(chart)
    width = len(tab.header)
    owned = tab.owned if tab.owned is not None else width
    kinds = [tab.formats.get(h or "", "text") for h in tab.header]
    sheet.append(list(tab.header))
    for row in tab.rows:
        sheet.append([_safe(v) for v in row])
    for col in range(1, width + 1):
        head = sheet.cell(1, col)
        head.font = HEADER_FONT
        head.fill = HEADER_FILL if col <= owned else USER_HEADER_FILL
        head.alignment = Alignment(vertical="top", wrap_text=True)
        note = tab.notes.get(str(head.value))
        head.comment = _comment(note) if note else None
    for j, kind in enumerate(kinds, start=1):
        # Text cells stay General: a "@" column would keep what the user types later as text.
        fmt = None if kind == FormatKind.TEXT else number_pattern(kind, tab.currency)
        if fmt:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=j, max_col=j):
                cell.number_format = fmt
            if j <= owned:  # the column's own format: a row typed below the table gets it too
                sheet.column_dimensions[get_column_letter(j)].number_format = fmt
    if tab.wrap:
        wrapped = {tab.header.index(h) + 1: w for h, w in tab.wrap.items() if h in tab.header}
        for row in sheet.iter_rows(min_row=2, max_col=width):
            lines = 1
            for cell in row:
                cell.alignment = Alignment(vertical="top", wrap_text=cell.column in wrapped)
                if cell.column in wrapped:
                    lines = max(lines, wrapped_lines(cell.value, wrapped[cell.column]))
            sheet.row_dimensions[row[0].row].height = LINE_POINTS * min(lines, tab.max_lines)
    sheet.row_dimensions[1].height = LINE_POINTS * max(
        wrapped_lines(h, _width(tab, h)) for h in tab.header
    )
    _conditional_fills(sheet, tab)
    _validations(sheet, tab)
    _text_cells_stay_text(sheet, tab)
    sheet.freeze_panes = f"{get_column_letter(frozen_columns(tab.header) + 1)}2"
    _filter(sheet, tab, width)
    for j, header in enumerate(tab.header, start=1):
        sheet.column_dimensions[get_column_letter(j)].width = _width(tab, header)
    for j in range(width + 1, old_cols + 1):
        sheet.column_dimensions[get_column_letter(j)].width = 9
    _restore(sheet, user_formats)
    charted = bool(tab.chart and tab.rows and width > 1)
    if charted:
        draw_charts(sheet, tab, width)
    _print_setup(sheet, tab, charted)


def _user_formats(sheet: Worksheet, tab: Tab) -> dict[str, Any]:
    """The formats of the user's columns (cell styles, width), keyed by where they go.

    Read before the sheet is cleared; `Tab.from_rows` and `from_columns` say where each row
    and column of the user's went, so a yellow notes column stays yellow beside its SKU.
    """
    if tab.from_columns is None:
        return {}
    owned = tab.owned if tab.owned is not None else len(tab.header)
    from_rows = tab.from_rows or []
    cells: dict[tuple[int, int], Any] = {}
    widths: dict[int, Any] = {}
    for j, old_col in enumerate(tab.from_columns[owned:], start=owned + 1):
        if old_col is None:
            continue
        dimension = sheet.column_dimensions.get(get_column_letter(old_col))
        if dimension is not None and dimension.customWidth:
            widths[j] = dimension.width
        for r, old_row in enumerate(from_rows, start=2):
            cell = sheet._cells.get((old_row, old_col)) if old_row else None
            if cell is not None and cell.has_style:
                cells[(r, j)] = copy(cell._style)
    return {"cells": cells, "widths": widths}


def _restore(sheet: Worksheet, formats: dict[str, Any]) -> None:
    for (r, j), style in formats.get("cells", {}).items():
        sheet.cell(r, j)._style = copy(style)
    for j, width in formats.get("widths", {}).items():
        sheet.column_dimensions[get_column_letter(j)].width = width


def _width(tab: Tab, header: str | None) -> int:
    """A wrapped column's set width; else what its longest value (or header word) needs, as
    shown: a formula by its value (the Planner's are hundreds of characters long)."""
    if header in tab.wrap:
        return tab.wrap[header]
    j = tab.header.index(header)
    kind = tab.formats.get(header or "", FormatKind.TEXT)
    sample = [r[j] for r in tab.rows[:200] if j < len(r)]
    longest = max([len(_shown(v, kind)) for v in sample] + [len(w) for w in str(header).split()])
    extra = (1 if header in tab.fills else 0) + (2 if kind == FormatKind.MONEY else 0)
    return min(MAX_WIDTH, max(8, longest + 2 + extra))


def _comment(text: str) -> Comment:
    comment = Comment(text, NOTE_AUTHOR)
    comment.width, comment.height = 320, max(60, 20 * (len(text) // 45 + 1))
    return comment


def _column_range(sheet: Worksheet, header: str, tab: Tab, last_row: int) -> str | None:
    if header not in tab.header:
        return None
    letter = get_column_letter(tab.header.index(header) + 1)
    return f"{letter}2:{letter}{max(last_row, 2)}"


def _conditional_fills(sheet: Worksheet, tab: Tab) -> None:
    """Alert colours as conditional formats: an edited value takes its own colour.

    Rules this backend wrote on a column before (any earlier height) are replaced; other
    conditional formats on the sheet, a user's own, are kept.
    """
    coloured = [*tab.fills, *(rule.header for rule in tab.below)]
    ours = {get_column_letter(tab.header.index(h) + 1) for h in coloured if h in tab.header}
    kept = ConditionalFormattingList()
    for rng in sheet.conditional_formatting:
        first = str(rng.sqref).split(":")[0]
        if first.rstrip("0123456789") in ours and first[len(first.rstrip("0123456789")) :] == "2":
            continue
        for rule in rng.rules:
            kept.add(str(rng.sqref), rule)
    sheet.conditional_formatting = kept
    for header, colours in tab.fills.items():
        area = _column_range(sheet, header, tab, len(tab.rows) + 1)
        if area is None:
            continue
        for value, colour in colours.items():
            quoted = '"' + str(value).replace('"', '""') + '"'
            sheet.conditional_formatting.add(
                area,
                CellIsRule(
                    operator="equal",
                    formula=[quoted],
                    fill=PatternFill("solid", start_color=colour, end_color=colour),
                    font=Font(bold=True, color="FFFFFF" if _dark(colour) else "000000"),
                ),
            )
    for rule in tab.below:
        area = _column_range(sheet, rule.header, tab, len(tab.rows) + 1)
        if area is not None:
            sheet.conditional_formatting.add(
                area,
                CellIsRule(
                    operator="lessThanOrEqual" if rule.or_equal else "lessThan",
                    formula=[f"{rule.limit:g}"],
                    stopIfTrue=True,
                    fill=PatternFill("solid", start_color=rule.colour, end_color=rule.colour),
                    font=Font(color="FFFFFF" if _dark(rule.colour) else "000000"),
                ),
            )


def _dark(colour: str) -> bool:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    return 0.299 * red + 0.587 * green + 0.114 * blue < 140


def _validations(sheet: Worksheet, tab: Tab) -> None:
    """Dropdowns and input checks; a typo gets a warning, never a refusal."""
    rules = [rule for rule in tab.validations if rule.header in tab.header]
    if not rules:
        return
    letters = {get_column_letter(tab.header.index(rule.header) + 1) for rule in rules}
    sheet.data_validations.dataValidation = [
        dv
        for dv in sheet.data_validations.dataValidation
        if str(dv.sqref).split(":")[0].rstrip("0123456789") not in letters
    ]
    last = max(INPUT_ROWS, len(tab.rows) + 1)
    for rule in rules:
        letter = get_column_letter(tab.header.index(rule.header) + 1)
        dv = _data_validation(rule)
        if rule.rows:
            for r in rule.rows:
                dv.add(f"{letter}{r + 2}")
        else:
            dv.add(f"{letter}2:{letter}{last}")
        sheet.add_data_validation(dv)


def _data_validation(rule: Validation) -> DataValidation:
    common = {
        "allow_blank": True,
        "showErrorMessage": True,
        "errorStyle": "warning",
        "error": f"Expected {rule.message}." if rule.message else None,
        "errorTitle": "stockout-kit",
    }
    if rule.kind == "list":
        return DataValidation(type="list", formula1='"' + ",".join(rule.values) + '"', **common)
    if rule.kind == "date":
        return DataValidation(
            type="date", operator="between", formula1="36526", formula2="73415", **common
        )
    return DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", **common)


def _filter(sheet: Worksheet, tab: Tab, width: int) -> None:
    """A filter on the header row: an Excel table when asked (sortable, banded), else a filter."""
    name = "".join(ch for ch in tab.name if ch.isalnum()) or "Table"
    if name in sheet.tables:
        del sheet.tables[name]
    sheet.auto_filter.ref = None
    if not tab.rows:
        return
    ref = f"A1:{get_column_letter(width)}{len(tab.rows) + 1}"
    headers = [str(h) for h in tab.header]
    plain = all(headers) and len({h.casefold() for h in headers}) == len(headers)
    if tab.table and plain:
        table = Table(displayName=name, ref=ref)
        table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
        sheet.add_table(table)
    else:
        sheet.auto_filter.ref = ref


def _print_setup(sheet: Worksheet, tab: Tab, charted: bool) -> None:
    """Fitted to a page's width (landscape when wide), the header repeated on each page: the
    tab's `print_span` of columns (or all of them, the charts beside the table too), from its
    `print_from` row down. Pages break between rows of charts, never through one."""
    first, last = 1, len(tab.header)
    if tab.print_span and all(h in tab.header for h in tab.print_span):
        first, last = sorted(tab.header.index(h) + 1 for h in tab.print_span)
    top, bottom = 2 + tab.print_from if tab.print_from else 1, len(tab.rows) + 1
    sheet.row_breaks = RowBreak()
    if charted:
        count = len(tab.header) - 1
        last = len(tab.header) + 1 + 2 * CHART_COLUMNS  # the charts: two to a row
        bottom = max(bottom, 1 + CHART_ROWS * ((count + 1) // 2))
        page = CHART_ROWS * CHART_ROWS_PER_PAGE
        for row in range(1 + page, bottom, page):
            sheet.row_breaks.append(Break(id=row))
    corner = get_column_letter(last) + str(max(top, bottom))
    sheet.print_area = f"{get_column_letter(first)}{top}:{corner}"
    sheet.print_title_rows = "1:1"
    dimensions = [sheet.column_dimensions.get(get_column_letter(j)) for j in range(first, last + 1)]
    widths = sum(d.width if d is not None and d.customWidth else DEFAULT_WIDTH for d in dimensions)
    sheet.page_setup.orientation = "landscape" if widths > PORTRAIT_CHARACTERS else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    # A table prints its grid, so a number stays beside its label; a page of text (Start's
    # two columns) or of charts does not, nor rows of formulas waiting for SKUs (the Planner).
    waiting = bool(tab.rows) and any(isinstance(v, Formula) for v in tab.rows[-1])
    sheet.print_options.gridLines = not charted and not waiting and last - first >= 2
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.5


def _safe(value: object) -> object:
    """What openpyxl should store. Timestamps become plain datetimes."""
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime()
    return value


def _text_cells_stay_text(sheet: Worksheet, tab: Tab) -> None:
    """A title like `=cheap!` must stay text (openpyxl would store it as a formula); only
    cells that were formulas when read (`Formula`) are written as formulas. Headers too: the
    Timeline's are SKU names."""
    block = [tab.header, *tab.rows]
    for row, values in zip(sheet.iter_rows(min_row=1, max_col=len(tab.header)), block,
                           strict=False):  # fmt: skip
        for cell, value in zip(row, values, strict=False):
            if cell.data_type == "f" and not isinstance(value, Formula):
                cell.data_type = "s"


#: What a formula not computed yet shows, by its column's format kind, for sizing the column.
FORMULA_SAMPLES = {FormatKind.DATE: "2026-01-01", FormatKind.DATETIME: "2026-01-01 00:00",
                   FormatKind.INT: "12,345", FormatKind.NUMBER: "1,234.5",
                   FormatKind.MONEY: "12,345.00", FormatKind.PCT: "100%"}  # fmt: skip


def _shown(value: object, kind: str = FormatKind.TEXT) -> str:
    """Roughly the text a cell shows: what sizes its column."""
    if isinstance(value, Formula):
        if value.cached is None:
            return FORMULA_SAMPLES.get(FormatKind(kind), "") if kind in FORMULA_SAMPLES else ""
        value = value.cached
    if isinstance(value, dt.datetime):
        return "2026-01-01 00:00"
    if isinstance(value, dt.date):
        return "2026-01-01"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return "" if value is None else str(value)
