"""batchUpdate requests on sheets and their rows and columns: add, delete, rename, resize,
insert and delete rows or columns (cells, notes and formats move with them), sizes."""

from __future__ import annotations

import copy
from typing import Any

from .dimensions import shift
from .errors import ApiError, enum
from .fields import clean_color, set_fields
from .model import DEFAULT_COLUMNS, DEFAULT_ROWS, Sheet, Spreadsheet, grid_error


def add_sheet(book: Spreadsheet, args: Any, where: str) -> dict[str, Any]:
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
    sheet = book.new_sheet(
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
            sheet.props[key] = clean_color(props[key])
    for other in book.sheets:
        if other.props["index"] >= index:
            other.props["index"] += 1
    book.sheets.append(sheet)
    return {"addSheet": {"properties": copy.deepcopy(sheet.props)}}


def delete_sheet(book: Spreadsheet, args: Any, where: str) -> dict[str, Any]:
    sheet = book.sheet_by_id(args.get("sheetId"), where)
    if len(book.sheets) == 1:
        raise ApiError(
            400, f"Invalid requests[{where}: You can't remove all the sheets in a document."
        )
    book.sheets.remove(sheet)
    for index, other in enumerate(book.ordered()):
        other.props["index"] = index
    return {}


def update_sheet_properties(book: Spreadsheet, args: Any, where: str) -> dict[str, Any]:
    props = args.get("properties") or {}
    sheet = book.sheet_by_id(props.get("sheetId"), where)
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
    set_fields(sheet.props, props, fields)
    grid = sheet.props["gridProperties"]
    if grid.get("rowCount", 0) < 1 or grid.get("columnCount", 0) < 1:
        raise ApiError(400, f"Invalid requests[{where}: the grid must keep one cell.")
    if all(s.props.get("hidden") for s in book.sheets):
        raise ApiError(
            400, f"Invalid requests[{where}: You can't hide all the sheets in a document."
        )
    for key in [k for k in sheet.cells if k[0] >= sheet.rows or k[1] >= sheet.columns]:
        del sheet.cells[key]
    new_index = sheet.props.setdefault("index", old_index)
    if new_index != old_index:
        others = [s for s in book.ordered() if s is not sheet]
        others.insert(min(new_index, len(others)), sheet)
        for index, other in enumerate(others):
            other.props["index"] = index
    rgb = sheet.props.get("tabColorStyle", {}).get("rgbColor")
    if rgb is not None:
        sheet.props["tabColor"] = rgb
    else:
        sheet.props.pop("tabColor", None)
    return {}


def update_spreadsheet_properties(book: Spreadsheet, args: Any, where: str) -> dict[str, Any]:
    if not args.get("fields"):
        raise ApiError(400, f"Invalid requests[{where}: At least one field must be updated.")
    set_fields(book.props, args.get("properties") or {}, args["fields"])
    return {}


def update_dimension_properties(book: Spreadsheet, args: Any, where: str) -> dict[str, Any]:
    span = args.get("range") or {}
    sheet = book.sheet_by_id(span.get("sheetId", 0), where)
    dimension = enum(span.get("dimension"), ("ROWS", "COLUMNS"), f"{where}.range", None)
    if "pixelSize" in (args.get("fields") or ""):
        size = int((args.get("properties") or {}).get("pixelSize", 0))
        for index in range(span.get("startIndex", 0), span.get("endIndex", 0)):
            sheet.pixel_sizes[(dimension, index)] = size
    return {}


def _dimension_range(book: Spreadsheet, span: Any, where: str) -> tuple[Sheet, str, int, int]:
    """A DimensionRange as (sheet, ROWS/COLUMNS, start, end), checked against the grid."""
    sheet = book.sheet_by_id(span.get("sheetId", 0), where)
    dimension = enum(span.get("dimension"), ("ROWS", "COLUMNS"), f"{where}.range.dimension", None)
    size = sheet.rows if dimension == "ROWS" else sheet.columns
    start, end = span.get("startIndex", 0), span.get("endIndex", size)
    if not 0 <= start < end:
        raise ApiError(400, f"Invalid requests[{where}: startIndex must be less than endIndex.")
    return sheet, dimension, start, end


def insert_dimension(book: Spreadsheet, args: Any, where: str) -> dict[str, Any]:
    """New empty rows or columns before `startIndex`; what was there moves down or right."""
    sheet, dimension, start, end = _dimension_range(book, args.get("range") or {}, where)
    size = sheet.rows if dimension == "ROWS" else sheet.columns
    if start > size:
        raise grid_error(sheet.title, sheet)
    shift(sheet, dimension, start, end - start)
    return {}


def append_dimension(book: Spreadsheet, args: Any, where: str) -> dict[str, Any]:
    sheet = book.sheet_by_id(args.get("sheetId", 0), where)
    dimension = enum(args.get("dimension"), ("ROWS", "COLUMNS"), f"{where}.dimension", None)
    length = int(args.get("length", 0))
    if length < 1:
        raise ApiError(400, f"Invalid requests[{where}: length must be at least 1.")
    shift(sheet, dimension, sheet.rows if dimension == "ROWS" else sheet.columns, length)
    return {}


def delete_dimension(book: Spreadsheet, args: Any, where: str) -> dict[str, Any]:
    """Rows or columns removed with their cells; what follows moves up or left."""
    sheet, dimension, start, end = _dimension_range(book, args.get("range") or {}, where)
    size = sheet.rows if dimension == "ROWS" else sheet.columns
    end = min(end, size)
    if start == 0 and end >= size:
        kind = "rows" if dimension == "ROWS" else "columns"
        raise ApiError(
            400,
            f"Invalid requests[{where}: You can't delete all the {kind} on the sheet.",
        )
    shift(sheet, dimension, start, start - end)
    return {}


def _groups(sheet: Sheet, dimension: str) -> list[dict[str, Any]]:
    return sheet.extras.setdefault("rowGroups" if dimension == "ROWS" else "columnGroups", [])


def _group_answer(sheet: Sheet, dimension: str) -> list[dict[str, Any]]:
    """A sheet's groups of one dimension as Google lists them: by start, then depth."""
    groups = _groups(sheet, dimension)
    groups.sort(key=lambda g: (g["range"]["startIndex"], g["depth"]))
    return copy.deepcopy(groups)


def _group_range(sheet: Sheet, dimension: str, start: int, end: int) -> dict[str, Any]:
    echoed = {"sheetId": sheet.sheet_id} if sheet.sheet_id else {}
    return echoed | {"dimension": dimension, "startIndex": start, "endIndex": end}


def add_dimension_group(book: Spreadsheet, args: Any, where: str) -> dict[str, Any]:
    """A row or column group; groups nest by depth as the reference describes.

    A group over a superset of an existing one takes its depth and pushes it one deeper; a
    subset goes one deeper than the group holding it. The sheet then shows its group toggles
    after the group (`rowGroupControlAfter`), as Google reports from the first group on.
    """
    sheet, dimension, start, end = _dimension_range(book, args.get("range") or {}, where)
    groups = _groups(sheet, dimension)
    spans = [(g, g["range"]["startIndex"], g["range"]["endIndex"]) for g in groups]
    if any((first, stop) == (start, end) for _, first, stop in spans):
        raise ApiError(400, f"Invalid requests[{where}: A group with this range already exists.")
    inner = [g for g, first, stop in spans if start <= first and stop <= end]
    outer = [g for g, first, stop in spans if first <= start and end <= stop]
    depth = max([g["depth"] + 1 for g in outer], default=1)
    if inner:
        depth = max(depth, min(g["depth"] for g in inner))
        for group in inner:
            group["depth"] += 1
    groups.append({"range": _group_range(sheet, dimension, start, end), "depth": depth})
    key = "rowGroupControlAfter" if dimension == "ROWS" else "columnGroupControlAfter"
    sheet.props["gridProperties"][key] = True
    return {"addDimensionGroup": {"dimensionGroups": _group_answer(sheet, dimension)}}


def delete_dimension_group(book: Spreadsheet, args: Any, where: str) -> dict[str, Any]:
    """The deepest group over exactly this range goes; the groups it held rise one level."""
    sheet, dimension, start, end = _dimension_range(book, args.get("range") or {}, where)
    groups = _groups(sheet, dimension)
    same = [g for g in groups if (g["range"]["startIndex"], g["range"]["endIndex"]) == (start, end)]
    if not same:
        raise ApiError(400, f"Invalid requests[{where}: No group with this range exists.")
    gone = max(same, key=lambda g: g["depth"])
    groups.remove(gone)
    for group in groups:
        first, stop = group["range"]["startIndex"], group["range"]["endIndex"]
        if start <= first and stop <= end and group["depth"] > gone["depth"]:
            group["depth"] -= 1
    answer = _group_answer(sheet, dimension)
    return {"deleteDimensionGroup": {"dimensionGroups": answer} if answer else {}}


def auto_resize_dimensions(book: Spreadsheet, args: Any, where: str) -> dict[str, Any]:
    """Columns sized to their longest text, rows to their lines.

    Google measures the rendered text; the fake has no fonts, so it estimates 7 pixels a
    character (Arial 10) plus the cell padding, and 21 pixels a line: close, not exact.
    """
    span = args.get("dimensions") or args.get("dataSourceSheetDimensions") or {}
    sheet, dimension, start, end = _dimension_range(book, span, where)
    end = min(end, sheet.rows if dimension == "ROWS" else sheet.columns)
    lines: dict[int, list[str]] = {}
    for (row, col), cell in sheet.cells.items():
        index = row if dimension == "ROWS" else col
        if start <= index < end:
            lines.setdefault(index, []).extend(str(cell.value).split("\n"))
    for index in range(start, end):
        texts = lines.get(index, [])
        if dimension == "ROWS":
            size = 21 * max(1, max((t.count("\n") + 1 for t in texts), default=1))
        else:
            size = max(100 if not texts else 0, 7 * max((len(t) for t in texts), default=0) + 7)
        sheet.pixel_sizes[(dimension, index)] = size
    return {}


REQUESTS = {
    "autoResizeDimensions": auto_resize_dimensions,
    "addDimensionGroup": add_dimension_group,
    "deleteDimensionGroup": delete_dimension_group,
    "addSheet": add_sheet,
    "deleteSheet": delete_sheet,
    "updateSheetProperties": update_sheet_properties,
    "updateSpreadsheetProperties": update_spreadsheet_properties,
    "updateDimensionProperties": update_dimension_properties,
    "insertDimension": insert_dimension,
    "appendDimension": append_dimension,
    "deleteDimension": delete_dimension,
}
