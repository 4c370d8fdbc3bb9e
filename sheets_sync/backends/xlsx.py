"""A workbook file on disk (`.xlsx` or `.xlsm`): the default backend, no credentials needed.

The file is loaded once, read tab by tab, and saved once: to a temporary file beside it, then
moved over the original, with the previous version kept as `<name>.backup.xlsx`. A crash or a
full disk therefore never leaves a half-written workbook, and a bad refresh can be undone.
Excel locks a workbook it has open (the `~$<name>` file): writing then would either fail or be
lost when Excel saves, so the backend refuses with a plain message instead.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from sheets_sync.types import Formula, Grid, Tab, Target, TargetError

FORMATS = {
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
    "int": "#,##0",
    "number": "#,##0.0",
    "money": "#,##0.00",
    "pct": "0%",
}
HEADER_FILL = PatternFill("solid", fgColor="1F3864")
USER_HEADER_FILL = PatternFill("solid", fgColor="595959")
HEADER_FONT = Font(bold=True, color="FFFFFF")
MAX_WIDTH = 60


class XlsxBackend:
    """Read and write a workbook file. `create=True` starts a new, empty workbook."""

    def __init__(self, path: str | os.PathLike, *, create: bool = False) -> None:
        self.path = Path(path).expanduser()
        self.label = str(self.path)
        self.target = Target("xlsx", str(self.path))
        self._create = create
        self._book: Workbook | None = None
        self._computed: Workbook | None = None  # loaded only if a tab holds formulas
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
                    self._book = load_workbook(
                        self.path, keep_vba=self.path.suffix.lower() == ".xlsm"
                    )
                except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
                    raise TargetError(
                        f"{self.path}: not a readable Excel workbook ({exc})"
                    ) from exc
        return self._book

    def _sheet(self, name: str) -> Worksheet | None:
        for title in self.book.sheetnames:
            if title.casefold() == name.casefold():
                return self.book[title]
        return None

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
            self._computed = load_workbook(self.path, data_only=True, keep_links=False)
        formula = Formula(text)
        formula.cached = self._computed[title].cell(row, col).value
        return formula

    def write(self, tabs: Mapping[str, Tab]) -> None:
        lock = self.path.with_name(f"~${self.path.name}")
        if lock.exists():
            raise TargetError(
                f"{self.path.name} is open in Excel (lock file {lock.name}): close it and run "
                "the refresh again, or use the Refresh button inside Excel"
            )
        for tab in tabs.values():
            sheet = self._sheet(tab.name) or self.book.create_sheet(tab.name)
            _fill(sheet, tab)
        if tabs:
            # Open on the first tab written (Alerts, after a refresh), not on whatever was last.
            first = self._sheet(next(iter(tabs.values())).name)
            self.book.active = self.book.sheetnames.index(first.title)
            for sheet in self.book.worksheets:
                sheet.sheet_view.tabSelected = sheet is first
        self._save()

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            prefix=f".{self.path.stem}.", suffix=self.path.suffix, dir=self.path.parent
        )
        os.close(fd)
        try:
            self.book.save(tmp)
            if self.path.exists():
                shutil.copy2(
                    self.path, self.path.with_name(f"{self.path.stem}.backup{self.path.suffix}")
                )
            os.replace(tmp, self.path)
        except OSError as exc:
            raise TargetError(f"{self.path}: could not save ({exc})") from exc
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)


def _fill(sheet: Worksheet, tab: Tab) -> None:
    """Replace the sheet's values with the tab, styled for a person to read."""
    old_rows, old_cols = sheet.max_row, sheet.max_column
    sheet.delete_rows(1, old_rows + 1)
    for chart in list(sheet._charts):
        sheet._charts.remove(chart)
    width = len(tab.header)
    owned = tab.owned if tab.owned is not None else width
    kinds = [tab.formats.get(h, "text") for h in tab.header]
    sheet.append(list(tab.header))
    for row in tab.rows:
        sheet.append([_safe(v) for v in row])
    for col in range(1, width + 1):
        head = sheet.cell(1, col)
        head.font = HEADER_FONT
        head.fill = HEADER_FILL if col <= owned else USER_HEADER_FILL
        head.alignment = Alignment(vertical="center", wrap_text=True)
    for j, kind in enumerate(kinds, start=1):
        fmt = FORMATS.get(kind)
        if fmt:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=j, max_col=j):
                cell.number_format = fmt
    for header, colours in tab.fills.items():
        if header not in tab.header:
            continue
        j = tab.header.index(header) + 1
        for (cell,) in sheet.iter_rows(min_row=2, min_col=j, max_col=j):
            colour = colours.get(cell.value)
            if colour:
                cell.fill = PatternFill("solid", fgColor=colour)
                cell.font = Font(bold=True)
    _text_cells_stay_text(sheet, tab)
    sheet.freeze_panes = "B2" if tab.header and tab.header[0] in ("SKU", "Date") else "A2"
    if tab.rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(width)}{len(tab.rows) + 1}"
    for j, header in enumerate(tab.header, start=1):
        sample = [header] + [r[j - 1] for r in tab.rows[:200] if j - 1 < len(r)]
        longest = max(len(_shown(v)) for v in sample)
        sheet.column_dimensions[get_column_letter(j)].width = min(MAX_WIDTH, max(9, longest + 2))
    for j in range(width + 1, old_cols + 1):
        sheet.column_dimensions[get_column_letter(j)].width = 9
    if tab.chart and tab.rows and width > 1:
        _chart(sheet, tab, width)


def _safe(value: object) -> object:
    """What openpyxl should store. Timestamps become plain datetimes."""
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime()
    return value


def _text_cells_stay_text(sheet: Worksheet, tab: Tab) -> None:
    """A title like `=cheap!` must stay text (openpyxl would store it as a formula); only
    cells that were formulas when read (`Formula`) are written as formulas."""
    for row, values in zip(sheet.iter_rows(min_row=2, max_col=len(tab.header)), tab.rows,
                           strict=False):  # fmt: skip
        for cell, value in zip(row, values, strict=False):
            if cell.data_type == "f" and not isinstance(value, Formula):
                cell.data_type = "s"


def _shown(value: object) -> str:
    if isinstance(value, dt.datetime):
        return "2026-01-01 00:00"
    if isinstance(value, dt.date):
        return "2026-01-01"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return "" if value is None else str(value)


def _chart(sheet: Worksheet, tab: Tab, width: int) -> None:
    chart = LineChart()
    chart.title = tab.chart.title
    chart.y_axis.title = tab.chart.y_title
    chart.x_axis.number_format = "mmm d"
    chart.x_axis.majorTimeUnit = "days"
    chart.height, chart.width = 12, 26
    rows = len(tab.rows) + 1
    chart.add_data(
        Reference(sheet, min_col=2, max_col=width, min_row=1, max_row=rows), titles_from_data=True
    )
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=rows))
    for series in chart.series:
        series.smooth = False
        series.graphicalProperties.line.width = 22000
    sheet.add_chart(chart, f"{get_column_letter(width + 2)}2")
