"""The `spreadsheets.values` endpoints: get, batchGet, update, batchUpdate, append, clear.

Each takes the spreadsheet, the range text from the URL where there is one, the query
parameters and the JSON body, and returns the answer body. They follow the API reference:
ranges come back normalised, `majorDimension` transposes both ways, reads drop trailing empty
rows and cells, and writes report the rows, columns and cells that were given a value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .a1 import a1, parse_cells, split_range
from .dimensions import shift
from .errors import ApiError, enum, invalid_value
from .model import Area, Sheet, Spreadsheet
from .values import DATE_OPTIONS, INPUT_OPTIONS, RENDER_OPTIONS

Params = Mapping[str, list[str]]
_LIST_VALUE = "type.googleapis.com/google.protobuf.ListValue"


def one(params: Params, name: str) -> str | None:
    """A query parameter given once (the last one wins when repeated)."""
    values = params.get(name)
    return values[-1] if values else None


def value_range(area: Area, params: Params) -> dict[str, Any]:
    """A ValueRange read under the request's majorDimension and render options."""
    major = enum(one(params, "majorDimension"), ("ROWS", "COLUMNS"), "major_dimension", "ROWS")
    render = enum(
        one(params, "valueRenderOption"), RENDER_OPTIONS, "value_render_option", "FORMATTED_VALUE"
    )
    date_render = enum(
        one(params, "dateTimeRenderOption"),
        DATE_OPTIONS,
        "date_time_render_option",
        "SERIAL_NUMBER",
    )
    answer: dict[str, Any] = {"range": str(area), "majorDimension": major}
    values = area.sheet.read(area, major, render, date_render)
    if values:
        answer["values"] = values
    return answer


def get(book: Spreadsheet, text: str, params: Params, body: Any) -> dict[str, Any]:
    return value_range(book.area(text), params)


def batch_get(book: Spreadsheet, params: Params, body: Any) -> dict[str, Any]:
    areas = [book.area(text) for text in params.get("ranges", [])]
    return {"spreadsheetId": book.id, "valueRanges": [value_range(a, params) for a in areas]}


def _check_values(data: Mapping[str, Any], field: str) -> list[Any]:
    """The body's `values`, checked before anything else as Google does (a list of lists)."""
    values = data.get("values")
    if values is None:
        return []
    if not isinstance(values, list):
        raise invalid_value(field, _LIST_VALUE, values)
    for line in values:
        if not isinstance(line, list):
            raise invalid_value(field, _LIST_VALUE, line)
    return values


def _update(
    book: Spreadsheet, text: str, data: Mapping[str, Any], input_option: str, field: str
) -> tuple[Sheet, dict[str, Any], set[tuple[int, int]]]:
    values = _check_values(data, field)
    area = book.area(text, writing=True)
    if data.get("range") and data.get("range") != text and text:
        other = book.area(str(data["range"]), writing=True)
        if str(other) != str(area):
            raise ApiError(
                400,
                f"Requested writing within range [{text}], but the body's range is "
                f"[{data['range']}]",
            )
    _, cells = split_range(text)
    single = cells is not None and ":" not in cells and parse_cells(cells) is not None
    box = None if single else area
    major = data.get("majorDimension") or "ROWS"
    result, written = area.sheet.write(area.r1, area.c1, values, input_option, box, major)
    return area.sheet, {"spreadsheetId": book.id, **result}, written


def update(book: Spreadsheet, text: str, params: Params, body: Any) -> dict[str, Any]:
    option = enum(one(params, "valueInputOption"), INPUT_OPTIONS, "valueInputOption", None)
    _, answer, _ = _update(book, text, body, option, "data.values")
    book.touch()
    return answer


def batch_update(book: Spreadsheet, params: Params, body: Any) -> dict[str, Any]:
    option = enum(body.get("valueInputOption"), INPUT_OPTIONS, "valueInputOption", None)
    data = body.get("data") or []
    for number, item in enumerate(data):  # everything must parse before anything is written
        _check_values(item, f"data[{number}].values")
        book.area(str(item.get("range", "")), writing=True)
    responses, cells = [], set()
    for number, item in enumerate(data):
        sheet, answer, written = _update(
            book, str(item["range"]), item, option, f"data[{number}].values"
        )
        responses.append(answer)
        cells |= {(sheet.sheet_id, r, c) for r, c in written}
    book.touch()
    answer = {"spreadsheetId": book.id}
    if cells:
        answer |= {
            "totalUpdatedRows": len({(s, r) for s, r, _ in cells}),
            "totalUpdatedColumns": len({(s, c) for s, _, c in cells}),
            "totalUpdatedCells": len(cells),
            "totalUpdatedSheets": len({s for s, _, _ in cells}),
        }
    answer["responses"] = responses
    return answer


def append(book: Spreadsheet, text: str, params: Params, body: Any) -> dict[str, Any]:
    """Append after the "table" found in the range.

    The table is the block of filled cells connected to the last filled cell of the range
    (that is what reproduces Google's `tableRange` in the recordings); new rows start in the
    table's first column on the row after it.
    """
    option = enum(one(params, "valueInputOption"), INPUT_OPTIONS, "valueInputOption", None)
    insert = enum(
        one(params, "insertDataOption"),
        ("OVERWRITE", "INSERT_ROWS"),
        "insertDataOption",
        "OVERWRITE",
    )
    values = _check_values(body, "data.values")
    area = book.area(text)
    sheet = area.sheet
    filled = {k for k in sheet.cells if area.contains(*k)}
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
    if body.get("majorDimension") == "COLUMNS":
        width = max((len(r) for r in values), default=0)
        values = [[col[i] if i < len(col) else None for col in values] for i in range(width)]
    if insert == "INSERT_ROWS" and values:
        # New rows for the data: what was below moves down with its notes and formats.
        shift(sheet, "ROWS", row0, len(values))
    elif row0 + len(values) > sheet.rows:
        shift(sheet, "ROWS", sheet.rows, row0 + len(values) - sheet.rows)
    result, _ = sheet.write(row0, col0, values, option, None, None)
    answer["updates"] = {"spreadsheetId": book.id, **result}
    book.touch()
    return answer


def clear(book: Spreadsheet, text: str, params: Params, body: Any) -> dict[str, Any]:
    area = book.area(text)
    area.sheet.clear(area)
    book.touch()
    return {"spreadsheetId": book.id, "clearedRange": str(area)}


def batch_clear(book: Spreadsheet, params: Params, body: Any) -> dict[str, Any]:
    areas = [book.area(str(text)) for text in body.get("ranges") or []]
    for area in areas:
        area.sheet.clear(area)
    book.touch()
    return {"spreadsheetId": book.id, "clearedRanges": [str(a) for a in areas]}
