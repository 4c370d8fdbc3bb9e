"""`spreadsheets.batchUpdate`: the requests the fake models, one function per request kind.

Each takes the spreadsheet, the request's body and where it sits in the batch (for Google's
`Invalid requests[0].addSheet: ...` messages) and returns its reply (`{}` for the many kinds
whose reply is empty). A batch is atomic: `apply` undoes every request when one fails.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from .errors import ApiError, enum
from .fields import clean_color, set_fields
from .model import DEFAULT_COLUMNS, DEFAULT_ROWS, Spreadsheet, grid_error

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


Handler = Callable[[Spreadsheet, Any, str], dict[str, Any]]
#: Request kind (`addSheet`) -> what it does.
REQUESTS: dict[str, Handler] = {}


def request(kind: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        REQUESTS[kind] = handler
        return handler

    return register


def apply(book: Spreadsheet, requests: Any) -> list[dict[str, Any]]:
    """Run a batch; on any error the spreadsheet is left as it was and the error raised."""
    snapshot = (
        [s.copy() for s in book.sheets],
        copy.deepcopy(book.props),
        copy.deepcopy(book.extras),
    )
    replies = []
    try:
        for number, item in enumerate(requests or []):
            if not isinstance(item, dict) or len(item) != 1:
                raise ApiError(400, f"Invalid requests[{number}]: exactly one kind expected")
            ((kind, args),) = item.items()
            handler = REQUESTS.get(kind)
            if handler is None:
                raise ApiError(400, f"Invalid requests[{number}]: the fake has no {kind}")
            replies.append(handler(book, args, f"{number}].{kind}"))
    except ApiError:
        book.sheets, book.props, book.extras = snapshot
        raise
    book.touch()
    return replies


@request("addSheet")
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


@request("deleteSheet")
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


@request("updateSheetProperties")
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


@request("updateSpreadsheetProperties")
def update_spreadsheet_properties(book: Spreadsheet, args: Any, where: str) -> dict[str, Any]:
    if not args.get("fields"):
        raise ApiError(400, f"Invalid requests[{where}: At least one field must be updated.")
    set_fields(book.props, args.get("properties") or {}, args["fields"])
    return {}


@request("repeatCell")
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


@request("addConditionalFormatRule")
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


@request("updateCells")
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


@request("setDataValidation")
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


@request("setBasicFilter")
def set_basic_filter(book: Spreadsheet, args: Any, where: str) -> dict[str, Any]:
    flt = dict(args.get("filter") or {})
    grid = flt.get("range") or {}
    sheet = book.sheet_by_id(grid.get("sheetId", 0), where)
    sheet.bounds(grid)
    sheet.basic_filter = copy.deepcopy(flt)
    return {}


@request("clearBasicFilter")
def clear_basic_filter(book: Spreadsheet, args: Any, where: str) -> dict[str, Any]:
    book.sheet_by_id(args.get("sheetId", 0), where).basic_filter = None
    return {}


@request("updateDimensionProperties")
def update_dimension_properties(book: Spreadsheet, args: Any, where: str) -> dict[str, Any]:
    span = args.get("range") or {}
    sheet = book.sheet_by_id(span.get("sheetId", 0), where)
    dimension = enum(span.get("dimension"), ("ROWS", "COLUMNS"), f"{where}.range", None)
    if "pixelSize" in (args.get("fields") or ""):
        size = int((args.get("properties") or {}).get("pixelSize", 0))
        for index in range(span.get("startIndex", 0), span.get("endIndex", 0)):
            sheet.pixel_sizes[(dimension, index)] = size
    return {}
