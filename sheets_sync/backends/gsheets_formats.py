"""The requests that give a tab its structure and look in Google Sheets.

A new or enlarged tab, its number formats (every `FormatKind`, as the xlsx backend maps them),
bold header, alert colours and colour bands, header notes, wrapped columns, dropdowns and a
filter: all `spreadsheets:batchUpdate` requests, sent in the one structure call
`sheets_sync.backends.gsheets` makes when a tab is missing or has outgrown its grid.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sheets_sync.types import FormatKind, Tab, Validation, frozen_columns, number_pattern

#: Rows a new or enlarged tab gets beyond what is written, so it does not need resizing soon.
HEADROOM_ROWS = 200

#: Google's number-format type of each `FormatKind` (the pattern is `number_pattern`'s).
NUMBER_TYPES: dict[FormatKind, str] = {
    FormatKind.DATE: "DATE",
    FormatKind.DATETIME: "DATE_TIME",
    FormatKind.INT: "NUMBER",
    FormatKind.NUMBER: "NUMBER",
    FormatKind.MONEY: "NUMBER",
    FormatKind.PCT: "PERCENT",
    FormatKind.TEXT: "TEXT",
}


def add_sheet(tab: Tab, sheet_id: int, height: int, width: int) -> dict[str, Any]:
    grid = {
        "rowCount": max(1000, height + HEADROOM_ROWS),
        "columnCount": max(26, width),
        "frozenRowCount": 1,
        "frozenColumnCount": frozen_columns(tab.header),
    }
    properties = {"sheetId": sheet_id, "title": tab.name, "gridProperties": grid}
    return {"addSheet": {"properties": properties}}


def resize(existing: Mapping[str, Any], height: int, width: int) -> dict[str, Any]:
    grid = existing["gridProperties"]
    new_grid = {
        "rowCount": max(grid["rowCount"], height + HEADROOM_ROWS),
        "columnCount": max(grid["columnCount"], width),
    }
    return {
        "updateSheetProperties": {
            "properties": {"sheetId": existing["sheetId"], "gridProperties": new_grid},
            "fields": "gridProperties.rowCount,gridProperties.columnCount",
        }
    }


def number_formats(tab: Tab, sheet_id: int, start_row: int = 1) -> list[dict[str, Any]]:
    """Column number formats from `start_row` (0-based) down: the whole column of a new
    tab, the added rows of a grown one (sent with the structure call either way)."""
    requests_ = []
    for column, header in enumerate(tab.header):
        kind = tab.formats.get(header or "", "")
        pattern = number_pattern(kind, tab.currency)
        if pattern:
            number_format = {"type": NUMBER_TYPES[FormatKind(kind)], "pattern": pattern}
            requests_.append(
                {
                    "repeatCell": {
                        "range": {
                            "sheetId": sheet_id,
                            "startRowIndex": start_row,
                            "startColumnIndex": column,
                            "endColumnIndex": column + 1,
                        },
                        "cell": {"userEnteredFormat": {"numberFormat": number_format}},
                        "fields": "userEnteredFormat.numberFormat",
                    }
                }
            )
    return requests_


def fixed_styles(tab: Tab, sheet_id: int) -> list[dict[str, Any]]:
    """Bold header and alert colours, set once when the tab is created."""
    styles: list[dict[str, Any]] = [
        {
            "repeatCell": {
                "range": {"sheetId": sheet_id, "startRowIndex": 0, "endRowIndex": 1},
                "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
                "fields": "userEnteredFormat.textFormat.bold",
            }
        }
    ]
    for header, colours in tab.fills.items():
        if header not in tab.header:
            continue
        column = tab.header.index(header)
        for value, colour in colours.items():
            rule = {
                "ranges": [
                    {
                        "sheetId": sheet_id,
                        "startRowIndex": 1,
                        "startColumnIndex": column,
                        "endColumnIndex": column + 1,
                    }
                ],
                "booleanRule": {
                    "condition": {"type": "TEXT_EQ", "values": [{"userEnteredValue": value}]},
                    "format": {"backgroundColor": _rgb(colour)},
                },
            }
            styles.append({"addConditionalFormatRule": {"rule": rule, "index": 0}})
    for index, below in enumerate(tab.below):
        if below.header not in tab.header:
            continue
        column = tab.header.index(below.header)
        kind = "NUMBER_LESS_THAN_EQ" if below.or_equal else "NUMBER_LESS"
        limit = [{"userEnteredValue": f"{below.limit:g}"}]
        rule = {
            "ranges": [{"sheetId": sheet_id, "startRowIndex": 1, "startColumnIndex": column,
                        "endColumnIndex": column + 1}],
            "booleanRule": {
                "condition": {"type": kind, "values": limit},
                "format": {"backgroundColor": _rgb(below.colour)},
            },
        }  # fmt: skip
        # Listed in order: the first rule a cell meets is the one Google applies.
        styles.append({"addConditionalFormatRule": {"rule": rule, "index": index}})
    return styles


def presentation(tab: Tab, sheet_id: int) -> list[dict[str, Any]]:
    """Header notes, wrapped columns and their widths, dropdowns, a filter: set when the
    tab is created (they then stay, like the user's own formatting)."""
    out: list[dict[str, Any]] = []
    if tab.notes:
        notes = [{"note": tab.notes.get(h or "", "")} for h in tab.header]
        out.append(
            {
                "updateCells": {
                    "start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 0},
                    "rows": [{"values": notes}],
                    "fields": "note",
                }
            }
        )
    out.append(_wrap(sheet_id, {"startRowIndex": 0, "endRowIndex": 1}))
    for header, width in tab.wrap.items():
        if header not in tab.header:
            continue
        column = tab.header.index(header)
        span = {"startRowIndex": 1, "startColumnIndex": column, "endColumnIndex": column + 1}
        out.append(_wrap(sheet_id, span))
        out.append(
            {
                "updateDimensionProperties": {
                    "range": {
                        "sheetId": sheet_id,
                        "dimension": "COLUMNS",
                        "startIndex": column,
                        "endIndex": column + 1,
                    },
                    "properties": {"pixelSize": 7 * width + 5},
                    "fields": "pixelSize",
                }
            }
        )
    for rule in tab.validations:
        if rule.header in tab.header:
            out += _validation(rule, sheet_id, tab.header.index(rule.header))
    if tab.table:
        span = {"sheetId": sheet_id, "startRowIndex": 0, "startColumnIndex": 0,
                "endColumnIndex": len(tab.header)}  # fmt: skip
        out.append({"setBasicFilter": {"filter": {"range": span}}})
    return out


def _wrap(sheet_id: int, span: dict[str, int]) -> dict[str, Any]:
    cell = {"userEnteredFormat": {"wrapStrategy": "WRAP", "verticalAlignment": "TOP"}}
    return {
        "repeatCell": {
            "range": {"sheetId": sheet_id, **span},
            "cell": cell,
            "fields": "userEnteredFormat.wrapStrategy,userEnteredFormat.verticalAlignment",
        }
    }


def _validation(rule: Validation, sheet_id: int, column: int) -> list[dict[str, Any]]:
    """Google's data validation for a rule: a dropdown (list), a valid date, a number ≥ 0.

    `strict: false` shows a warning on a bad entry instead of refusing it, as in Excel.
    """
    if rule.kind == "list":
        condition = {
            "type": "ONE_OF_LIST",
            "values": [{"userEnteredValue": v} for v in rule.values],
        }
    elif rule.kind == "date":
        condition = {"type": "DATE_IS_VALID"}
    else:
        condition = {"type": "NUMBER_GREATER_THAN_EQ", "values": [{"userEnteredValue": "0"}]}
    body = {"condition": condition, "inputMessage": rule.message, "strict": False,
            "showCustomUi": rule.kind == "list"}  # fmt: skip
    spans: list[tuple[int, int | None]] = [(r + 1, r + 2) for r in rule.rows] or [(1, None)]
    out = []
    for top, bottom in spans:
        span = {"sheetId": sheet_id, "startRowIndex": top, "startColumnIndex": column,
                "endColumnIndex": column + 1}  # fmt: skip
        if bottom is not None:
            span["endRowIndex"] = bottom
        out.append({"setDataValidation": {"range": span, "rule": body}})
    return out


def _rgb(colour: str) -> dict[str, float]:
    """`#F4CCCC` -> {"red": 0.96, ...}; a bad colour gives white rather than failing a write."""
    digits = colour.lstrip("#")
    if not re.fullmatch(r"[0-9A-Fa-f]{6}", digits):
        digits = "FFFFFF"
    red, green, blue = (int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return {"red": red, "green": green, "blue": blue}
