"""batchUpdate requests that name or guard ranges: the basic filter, named ranges and
protected ranges (each echoed in `spreadsheets.get` as Google does)."""

from __future__ import annotations

import copy
import random
import re
from typing import Any

from .a1 import parse_cells
from .errors import ApiError
from .model import Spreadsheet

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")


def set_basic_filter(book: Spreadsheet, args: Any, where: str) -> dict[str, Any]:
    flt = dict(args.get("filter") or {})
    grid = flt.get("range") or {}
    sheet = book.sheet_by_id(grid.get("sheetId", 0), where)
    sheet.basic_filter = copy.deepcopy(flt) | {"range": sheet.echo_grid(grid)}
    return {}


def clear_basic_filter(book: Spreadsheet, args: Any, where: str) -> dict[str, Any]:
    book.sheet_by_id(args.get("sheetId", 0), where).basic_filter = None
    return {}


def _new_id(taken: set[Any]) -> int:
    number = random.randrange(1, 2**31 - 1)
    while number in taken or str(number) in taken:
        number = random.randrange(1, 2**31 - 1)
    return number


def _named(book: Spreadsheet, named_id: Any, where: str) -> dict[str, Any]:
    for named in book.extras.get("namedRanges", []):
        if named["namedRangeId"] == named_id:
            return named
    raise ApiError(400, f"Invalid requests[{where}: No named range with id: {named_id}")


def _check_name(book: Spreadsheet, name: Any, where: str, keep: Any = None) -> str:
    """Named range names are letters, digits and underscores, not a cell reference."""
    if not isinstance(name, str) or not _NAME.fullmatch(name) or parse_cells(name) is not None:
        raise ApiError(400, f"Invalid requests[{where}: Invalid name: {name}")
    for named in book.extras.get("namedRanges", []):
        if named["name"].lower() == name.lower() and named is not keep:
            raise ApiError(
                400, f"Invalid requests[{where}: A named range with the name {name} already exists."
            )
    return name


def add_named_range(book: Spreadsheet, args: Any, where: str) -> dict[str, Any]:
    """The reply carries the new range with the id Google gives it (a string of digits)."""
    given = args.get("namedRange") or {}
    grid = given.get("range") or {}
    named_ranges = book.extras.setdefault("namedRanges", [])
    named_id = given.get("namedRangeId") or str(_new_id({n["namedRangeId"] for n in named_ranges}))
    named = {
        "namedRangeId": named_id,
        "name": _check_name(book, given.get("name"), where),
        "range": book.sheet_by_id(grid.get("sheetId", 0), where).echo_grid(grid),
    }
    named_ranges.append(named)
    return {"addNamedRange": {"namedRange": copy.deepcopy(named)}}


def update_named_range(book: Spreadsheet, args: Any, where: str) -> dict[str, Any]:
    given = args.get("namedRange") or {}
    named = _named(book, given.get("namedRangeId"), where)
    fields = [f.strip() for f in (args.get("fields") or "").split(",") if f.strip()]
    if not fields:
        raise ApiError(400, f"Invalid requests[{where}: At least one field must be updated.")
    if "name" in fields or "*" in fields:
        named["name"] = _check_name(book, given.get("name"), where, keep=named)
    if "range" in fields or "*" in fields:
        grid = given.get("range") or {}
        named["range"] = book.sheet_by_id(grid.get("sheetId", 0), where).echo_grid(grid)
    return {}


def delete_named_range(book: Spreadsheet, args: Any, where: str) -> dict[str, Any]:
    named = _named(book, args.get("namedRangeId"), where)
    book.extras["namedRanges"].remove(named)
    return {}


def add_protected_range(book: Spreadsheet, args: Any, where: str) -> dict[str, Any]:
    """Protected as Google shows it: the caller may edit and is listed as the editor (the
    reply itself lists no editors); false and null fields are left out."""
    given = args.get("protectedRange") or {}
    grid = given.get("range") or {}
    sheet = book.sheet_by_id(grid.get("sheetId", 0), where)
    taken = {
        p["protectedRangeId"] for s in book.sheets for p in s.extras.get("protectedRanges", [])
    }
    protected: dict[str, Any] = {
        "protectedRangeId": given.get("protectedRangeId") or _new_id(taken),
        "range": sheet.echo_grid(grid),
    }
    for key in ("description", "warningOnly"):
        if given.get(key):
            protected[key] = given[key]
    protected["requestingUserCanEdit"] = True
    protected["editors"] = {}
    sheet.extras.setdefault("protectedRanges", []).append(protected)
    reply = copy.deepcopy(protected)
    protected["editors"] = {"users": [book.owner]}
    return {"addProtectedRange": {"protectedRange": reply}}


def delete_protected_range(book: Spreadsheet, args: Any, where: str) -> dict[str, Any]:
    wanted = args.get("protectedRangeId")
    for sheet in book.sheets:
        for protected in sheet.extras.get("protectedRanges", []):
            if protected["protectedRangeId"] == wanted:
                sheet.extras["protectedRanges"].remove(protected)
                return {}
    raise ApiError(400, f"Invalid requests[{where}: No protected range with id: {wanted}")


REQUESTS = {
    "addNamedRange": add_named_range,
    "updateNamedRange": update_named_range,
    "deleteNamedRange": delete_named_range,
    "addProtectedRange": add_protected_range,
    "deleteProtectedRange": delete_protected_range,
    "setBasicFilter": set_basic_filter,
    "clearBasicFilter": clear_basic_filter,
}
