"""Cell data in `spreadsheets.get`: `ranges`, `includeGridData` and `fields=sheets.data...`.

With `ranges`, only the sheets those ranges fall on are answered, each with one GridData per
range; grid data is included when `includeGridData=true` or the field mask asks for
`sheets.data`. A GridData carries `startRow`/`startColumn` (left out when 0), `rowData` (one
entry per row, each with CellData `values`: userEnteredValue, effectiveValue, formattedValue,
userEnteredFormat, note) and row/column metadata (pixel sizes: 21 for rows, 100 for columns by
default). After the field mask, trailing empty cells and rows are dropped, as Google does.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from .fields import apply_mask, clean_color, parse_mask, set_path
from .formulas import FormulaError
from .model import Area, Sheet, Spreadsheet, inside
from .values import Cell, render

DEFAULT_PIXELS = {"ROWS": 21, "COLUMNS": 100}
#: ErrorValue.type of each error a formula shows.
ERROR_TYPES = {
    "#DIV/0!": "DIVIDE_BY_ZERO",
    "#VALUE!": "VALUE",
    "#NAME?": "NAME",
    "#REF!": "REF",
    "#NUM!": "NUM",
    "#ERROR!": "ERROR",
}


def _with_styles(fmt: Any) -> Any:
    """Colours as Google stores them, each mirrored by its `...Style` (`rgbColor`) twin."""
    if not isinstance(fmt, dict):
        return fmt
    shown: dict[str, Any] = {}
    for key, value in fmt.items():
        if key.endswith("Color") and isinstance(value, dict):
            shown[key] = clean_color(value)
            shown[key + "Style"] = {"rgbColor": clean_color(value)}
        elif not key.endswith("ColorStyle"):
            shown[key] = _with_styles(value)
    return shown


def user_entered_format(sheet: Sheet, row: int, col: int) -> dict[str, Any]:
    """The cell's userEnteredFormat: every repeatCell over it applied in order."""
    merged: dict[str, Any] = {}
    for r1, c1, r2, c2, (paths, given) in sheet.user_formats:
        if not inside(row, col, r1, c1, r2, c2):
            continue
        for path in paths:
            if path == ("*",):
                merged = copy.deepcopy(given)
            else:
                set_path(merged, path, given)
    number_format = sheet.number_format(row, col)
    if number_format:
        merged["numberFormat"] = number_format
    return _with_styles(merged)


def _value(cell: Cell) -> dict[str, Any]:
    value = cell.value
    if isinstance(value, FormulaError):
        return {"errorValue": {"type": ERROR_TYPES.get(value, "ERROR")}}
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, str):
        return {"stringValue": value}
    return {"numberValue": value}


def cell_data(sheet: Sheet, row: int, col: int) -> dict[str, Any]:
    """One CellData, with only the parts this cell has."""
    data: dict[str, Any] = {}
    cell = sheet.cells.get((row, col))
    if cell is not None:
        fmt = sheet.number_format(row, col)
        if cell.formula is not None:
            data["userEnteredValue"] = {"formulaValue": cell.formula}
        else:
            data["userEnteredValue"] = _value(cell)
        data["effectiveValue"] = _value(cell)
        data["formattedValue"] = render(cell, fmt, "FORMATTED_VALUE", "FORMATTED_STRING")
    fmt = user_entered_format(sheet, row, col)
    if fmt:
        data["userEnteredFormat"] = fmt
    if (row, col) in sheet.notes:
        data["note"] = sheet.notes[(row, col)]
    return data


def grid_data(area: Area) -> dict[str, Any]:
    """The GridData of one area (rows past the last one with anything in them left out)."""
    sheet = area.sheet
    used = [r for r, c in [*sheet.cells, *sheet.notes, *sheet.cell_formats] if area.contains(r, c)]
    if sheet.user_formats or sheet.formats:
        used.append(area.r2)
    last = max(used, default=area.r1 - 1)
    data: dict[str, Any] = {}
    if area.r1:
        data["startRow"] = area.r1
    if area.c1:
        data["startColumn"] = area.c1
    data["rowData"] = [
        {"values": [cell_data(sheet, r, c) for c in range(area.c1, area.c2 + 1)]}
        for r in range(area.r1, last + 1)
    ]
    for dimension, first, stop, key in (
        ("ROWS", area.r1, area.r2, "rowMetadata"),
        ("COLUMNS", area.c1, area.c2, "columnMetadata"),
    ):
        data[key] = [
            {"pixelSize": sheet.pixel_sizes.get((dimension, i), DEFAULT_PIXELS[dimension])}
            for i in range(first, stop + 1)
        ]
    return data


def _trim(grid: dict[str, Any]) -> dict[str, Any]:
    """Trailing empty cells and rows dropped (after the field mask), as Google answers."""
    rows = grid.get("rowData")
    if rows is None:
        return grid
    for row in rows:
        values = row.get("values", [])
        while values and not values[-1]:
            values.pop()
        if not values:
            row.pop("values", None)
    while rows and not rows[-1]:
        rows.pop()
    if not rows:
        del grid["rowData"]
    return grid


def spreadsheet(book: Spreadsheet, params: Mapping[str, list[str]]) -> dict[str, Any]:
    """What `spreadsheets.get` answers for these query parameters."""
    answer = book.metadata()
    fields = (params.get("fields") or [""])[-1]
    with_data = (params.get("includeGridData") or ["false"])[-1].lower() == "true"
    with_data = with_data or "data" in fields
    ranges = params.get("ranges")
    if ranges or with_data:
        areas = [book.area(text) for text in ranges or []] or [
            Area(s, 0, 0, s.rows - 1, s.columns - 1) for s in book.ordered()
        ]
        wanted = {area.sheet.sheet_id for area in areas}
        answer["sheets"] = [s for s in answer["sheets"] if s["properties"]["sheetId"] in wanted]
        if with_data:
            for entry in answer["sheets"]:
                sheet_id = entry["properties"]["sheetId"]
                entry["data"] = [grid_data(a) for a in areas if a.sheet.sheet_id == sheet_id]
    if fields:
        answer = apply_mask(answer, parse_mask(fields))
    for entry in answer.get("sheets", []):
        for grid in entry.get("data", []):
            _trim(grid)
    return answer
