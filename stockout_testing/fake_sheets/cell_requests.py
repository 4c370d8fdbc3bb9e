"""batchUpdate requests on cells: formats and styles, notes, data validation, conditional
formats, merges, sorting, copy and cut."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from .errors import ApiError, enum
from .fields import clean_color, mask_paths, parse_mask
from .model import Sheet, Spreadsheet, grid_error
from .values import Cell

#: userEnteredFormat fields the fake keeps besides number formats, with their documented enums.
_STYLE_ENUMS = {
    "wrapStrategy": ("OVERFLOW_CELL", "LEGACY_WRAP", "CLIP", "WRAP"),
    "verticalAlignment": ("TOP", "MIDDLE", "BOTTOM"),
    "horizontalAlignment": ("LEFT", "CENTER", "RIGHT"),
}
_MERGE_TYPES = ("MERGE_ALL", "MERGE_COLUMNS", "MERGE_ROWS")
_ORDERS = ("ASCENDING", "DESCENDING")
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


def repeat_cell(book: Spreadsheet, args: Any, where: str) -> dict[str, Any]:
    """Keeps number formats (rendering needs them), wrapping, alignment and notes."""
    grid = args.get("range") or {}
    sheet = book.sheet_by_id(grid.get("sheetId", 0), where)
    fields = args.get("fields") or ""
    if not fields:
        raise ApiError(400, f"Invalid requests[{where}: At least one field must be updated.")
    user = (args.get("cell") or {}).get("userEnteredFormat") or {}
    style = {}
    for name, allowed in _STYLE_ENUMS.items():
        if name in user and name in fields:
            style[name] = enum(user[name], allowed, f"{where}.cell.userEnteredFormat.{name}", None)
    if style:
        r1, c1, r2, c2 = sheet.bounds(grid)
        sheet.styles.append((r1, c1, r2, c2, style))
    tree = parse_mask(fields)
    if "*" in tree:
        tree = {"userEnteredFormat": True}
    if "userEnteredFormat" in tree:
        sub = tree["userEnteredFormat"]
        paths = [("*",)] if sub is True else mask_paths(sub)
        r1, c1, r2, c2 = sheet.bounds(grid)
        sheet.user_formats.append((r1, c1, r2, c2, (paths, copy.deepcopy(user))))
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


def add_conditional_format_rule(book: Spreadsheet, args: Any, where: str) -> dict[str, Any]:
    """Stored and shown in the metadata as Google shows them (colours at 8 bits per
    channel, zero channels left out); the fake does not apply them."""
    rule = copy.deepcopy(args.get("rule") or {})
    fmt = (rule.get("booleanRule") or {}).get("format") or {}
    for key in ("backgroundColor", "backgroundColorStyle"):
        if key in fmt:
            fmt[key] = clean_color(fmt[key])
    for grid in rule.get("ranges") or [{}]:
        book.sheet_by_id(grid.get("sheetId", 0), where)
    sheet = book.sheet_by_id((rule.get("ranges") or [{}])[0].get("sheetId", 0), where)
    index = min(int(args.get("index", 0)), len(sheet.conditional_formats))
    sheet.conditional_formats.insert(index, rule)
    return {}


def update_cells(book: Spreadsheet, args: Any, where: str) -> dict[str, Any]:
    """Cell notes (the `note` field of CellData), from `start` or over `range`."""
    fields = args.get("fields") or ""
    if not fields:
        raise ApiError(400, f"Invalid requests[{where}: At least one field must be updated.")
    if ("start" in args) == ("range" in args):
        raise ApiError(400, f"Invalid requests[{where}: exactly one of start or range")
    place = args.get("start") or args.get("range") or {}
    sheet = book.sheet_by_id(place.get("sheetId", 0), where)
    top = place.get("rowIndex", place.get("startRowIndex", 0))
    left = place.get("columnIndex", place.get("startColumnIndex", 0))
    for i, row in enumerate(args.get("rows") or []):
        for j, cell in enumerate(row.get("values") or []):
            if top + i >= sheet.rows or left + j >= sheet.columns:
                raise grid_error(sheet.title, sheet)
            if "note" in fields.split(","):
                note = (cell or {}).get("note")
                if note:
                    sheet.notes[(top + i, left + j)] = str(note)
                else:
                    sheet.notes.pop((top + i, left + j), None)
    return {}


def set_data_validation(book: Spreadsheet, args: Any, where: str) -> dict[str, Any]:
    """Stores the rule for its range (no rule clears it), checked as Google checks it."""
    grid = args.get("range") or {}
    sheet = book.sheet_by_id(grid.get("sheetId", 0), where)
    r1, c1, r2, c2 = sheet.bounds(grid)
    rule = args.get("rule")
    if rule is not None:
        condition = rule.get("condition") or {}
        kind = enum(condition.get("type"), list(_VALIDATION_VALUES), f"{where}.rule", None)
        count = len(condition.get("values") or [])
        low, high = _VALIDATION_VALUES[kind]
        if not low <= count <= high:
            raise ApiError(
                400,
                f"Invalid requests[{where}: {kind} takes {low}-{high} values, got {count}.",
            )
    sheet.validations.append((r1, c1, r2, c2, rule or {}))
    return {}


def _rectangle(book: Spreadsheet, grid: Any, where: str) -> tuple[Sheet, int, int, int, int]:
    """A GridRange as (sheet, first row, first col, end row, end col), open ends closed."""
    sheet = book.sheet_by_id(grid.get("sheetId", 0), where)
    echoed = sheet.echo_grid(grid)
    return (
        sheet,
        echoed["startRowIndex"],
        echoed["startColumnIndex"],
        echoed["endRowIndex"],
        echoed["endColumnIndex"],
    )


def _overlaps(a: Mapping[str, int], b: Mapping[str, int]) -> bool:
    return (
        a["startRowIndex"] < b["endRowIndex"]
        and b["startRowIndex"] < a["endRowIndex"]
        and a["startColumnIndex"] < b["endColumnIndex"]
        and b["startColumnIndex"] < a["endColumnIndex"]
    )


def merge_cells(book: Spreadsheet, args: Any, where: str) -> dict[str, Any]:
    """MERGE_ALL makes one merge, MERGE_ROWS one per row, MERGE_COLUMNS one per column.

    Merges it overlaps are replaced, and only the top-left value of each merge is kept (the
    Sheets UI warns about exactly that).
    """
    sheet, r1, c1, r2, c2 = _rectangle(book, args.get("range") or {}, where)
    kind = enum(args.get("mergeType"), _MERGE_TYPES, f"{where}.mergeType", "MERGE_ALL")
    if kind == "MERGE_ROWS":
        boxes = [(r, c1, r + 1, c2) for r in range(r1, r2)]
    elif kind == "MERGE_COLUMNS":
        boxes = [(r1, c, r2, c + 1) for c in range(c1, c2)]
    else:
        boxes = [(r1, c1, r2, c2)]
    merges = sheet.extras.setdefault("merges", [])
    for top, left, bottom, right in boxes:
        if (bottom - top) * (right - left) < 2:
            continue  # one cell is not a merge
        merge = sheet.echo_grid(
            {
                "startRowIndex": top,
                "endRowIndex": bottom,
                "startColumnIndex": left,
                "endColumnIndex": right,
            }
        )
        merges[:] = [m for m in merges if not _overlaps(m, merge)]
        merges.append(merge)
        for key in [k for k in sheet.cells if top <= k[0] < bottom and left <= k[1] < right]:
            if key != (top, left):
                del sheet.cells[key]
    return {}


def unmerge_cells(book: Spreadsheet, args: Any, where: str) -> dict[str, Any]:
    """Every merge the range touches is undone; values stay where they are."""
    sheet, r1, c1, r2, c2 = _rectangle(book, args.get("range") or {}, where)
    area = {"startRowIndex": r1, "endRowIndex": r2, "startColumnIndex": c1, "endColumnIndex": c2}
    merges = sheet.extras.setdefault("merges", [])
    merges[:] = [m for m in merges if not _overlaps(m, area)]
    return {}


def _sort_key(cell: Cell) -> tuple[int, Any]:
    """Numbers before text (without regard to case) before booleans, as Sheets sorts."""
    value = cell.value
    if isinstance(value, bool):
        return (2, value)
    if isinstance(value, str):
        return (1, value.casefold())
    return (0, value)


def sort_range(book: Spreadsheet, args: Any, where: str) -> dict[str, Any]:
    """Rows of the range reordered by the sort specs (stable, first spec first); a descending
    sort reverses the ascending order, and rows blank in the sorted column stay last."""
    sheet, r1, c1, r2, c2 = _rectangle(book, args.get("range") or {}, where)
    rows = [{c: sheet.cells.get((r, c)) for c in range(c1, c2)} for r in range(r1, r2)]
    for spec in reversed(args.get("sortSpecs") or []):
        column = c1 + int(spec.get("dimensionIndex", 0))
        order = enum(spec.get("sortOrder"), _ORDERS, f"{where}.sortOrder", "ASCENDING")
        filled = [(cell, row) for row in rows if (cell := row.get(column)) is not None]
        filled.sort(key=lambda pair: _sort_key(pair[0]), reverse=order == "DESCENDING")
        rows = [row for _, row in filled] + [row for row in rows if row.get(column) is None]
    for offset, row in enumerate(rows):
        for column, cell in row.items():
            if cell is None:
                sheet.cells.pop((r1 + offset, column), None)
            else:
                sheet.cells[(r1 + offset, column)] = cell
    return {}


def _paste(
    book: Spreadsheet, source: Any, target: Sheet, top: int, left: int, where: str, cut: bool
) -> None:
    sheet, r1, c1, r2, c2 = _rectangle(book, source, where)
    if top + (r2 - r1) > target.rows or left + (c2 - c1) > target.columns:
        raise grid_error(target.title, target)
    block = {
        (r - r1, c - c1): sheet.cells.get((r, c)) for r in range(r1, r2) for c in range(c1, c2)
    }
    if cut:
        for r, c in list(block):
            sheet.cells.pop((r1 + r, c1 + c), None)
    for (r, c), cell in block.items():
        if cell is None:
            target.cells.pop((top + r, left + c), None)
        else:
            target.cells[(top + r, left + c)] = copy.copy(cell)


def copy_paste(book: Spreadsheet, args: Any, where: str) -> dict[str, Any]:
    """The source's values copied to the destination's top-left corner (PASTE_NORMAL)."""
    destination = args.get("destination") or {}
    target, top, left, _, _ = _rectangle(book, destination, where)
    _paste(book, args.get("source") or {}, target, top, left, where, cut=False)
    return {}


def cut_paste(book: Spreadsheet, args: Any, where: str) -> dict[str, Any]:
    """The source's values moved to the destination coordinate; the source is left empty."""
    destination = args.get("destination") or {}
    target = book.sheet_by_id(destination.get("sheetId", 0), where)
    top, left = destination.get("rowIndex", 0), destination.get("columnIndex", 0)
    _paste(book, args.get("source") or {}, target, top, left, where, cut=True)
    return {}


REQUESTS = {
    "mergeCells": merge_cells,
    "unmergeCells": unmerge_cells,
    "sortRange": sort_range,
    "copyPaste": copy_paste,
    "cutPaste": cut_paste,
    "repeatCell": repeat_cell,
    "addConditionalFormatRule": add_conditional_format_rule,
    "updateCells": update_cells,
    "setDataValidation": set_data_validation,
}
