"""Rows and columns inserted or deleted: everything keyed by position moves with the cells.

insertDimension, appendDimension and deleteDimension shift values, notes, number formats,
validation and style spans, pixel sizes, merges, the filter, protected ranges and conditional
format rules, as Google does; what sat in deleted rows or columns goes with them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from .model import Sheet


def shift(sheet: Sheet, dimension: str, start: int, count: int) -> None:
    """Insert `count` rows or columns before `start` (count < 0: delete from `start`).

    Everything keyed by position moves with its cells, as in Google: values, notes, number
    formats, validation and style spans, merges and other grid ranges; deleted ones go.
    """
    axis = 0 if dimension == "ROWS" else 1
    end = start - count if count < 0 else start  # first index kept after a deletion

    def moved(index: int) -> int | None:
        if index < start:
            return index
        if count < 0 and index < end:
            return None
        return index + count

    def move_key(key: tuple[int, int]) -> tuple[int, int] | None:
        new = moved(key[axis])
        if new is None:
            return None
        return (new, key[1]) if axis == 0 else (key[0], new)

    def move_span(first: int, stop: int | None) -> tuple[int, int | None] | None:
        """A half-open span [first, stop) after the shift; None when it is gone."""
        if count > 0:
            return (
                first + count if first >= start else first,
                None if stop is None else stop + count if stop > start else stop,
            )
        new_first = first if first < start else max(start, first + count)
        new_stop = None if stop is None else stop if stop <= start else max(start, stop + count)
        if new_stop is not None and new_stop <= new_first:
            return None
        return new_first, new_stop

    sheet.cells = _moved(sheet.cells, move_key)
    sheet.notes = _moved(sheet.notes, move_key)
    sheet.cell_formats = _moved(sheet.cell_formats, move_key)
    sheet.formats = [
        rule
        for rule in (_move_rule(rule, axis, move_span) for rule in sheet.formats)
        if rule is not None
    ]
    for name in ("validations", "styles", "user_formats"):
        spans = []
        for r1, c1, r2, c2, value in getattr(sheet, name):
            first, stop = (r1, r2) if axis == 0 else (c1, c2)
            span = move_span(first, stop)
            if span is not None:
                spans.append(
                    (span[0], c1, span[1], c2, value)
                    if axis == 0
                    else (r1, span[0], r2, span[1], value)
                )
        setattr(sheet, name, spans)
    sheet.pixel_sizes = {
        (dim, new): size
        for (dim, index), size in sheet.pixel_sizes.items()
        if (new := moved(index) if dim == dimension else index) is not None
    }
    low, high = (
        ("startRowIndex", "endRowIndex") if axis == 0 else ("startColumnIndex", "endColumnIndex")
    )
    for grids in _grid_ranges(sheet):
        for grid in list(grids):
            span = move_span(grid.get(low, 0), grid.get(high))
            if span is None:
                grids.remove(grid)
                continue
            grid[low] = span[0]
            if span[1] is not None:
                grid[high] = span[1]
    key = "rowCount" if axis == 0 else "columnCount"
    sheet.props["gridProperties"][key] += count


Key = tuple[int, int]
Value = TypeVar("Value")
SpanMover = Callable[[int, "int | None"], "tuple[int, int | None] | None"]


def _moved(table: dict[Key, Value], move_key: Callable[[Key], Key | None]) -> dict[Key, Value]:
    return {new: value for key, value in table.items() if (new := move_key(key)) is not None}


def _move_rule(rule: Any, axis: int, move_span: SpanMover) -> Any:
    order, r1, c1, r2, c2, fmt = rule
    span = move_span(r1, r2) if axis == 0 else move_span(c1, c2)
    if span is None:
        return None
    if axis == 0:
        return (order, span[0], c1, span[1], c2, fmt)
    return (order, r1, span[0], r2, span[1], fmt)


def _grid_ranges(sheet: Sheet) -> list[list[dict[str, Any]]]:
    """The lists of GridRanges that move with the cells (merges, the filter, protected ranges,
    conditional format rules)."""
    found = [sheet.extras.setdefault("merges", [])]
    if sheet.basic_filter and "range" in sheet.basic_filter:
        found.append([sheet.basic_filter["range"]])
    for protected in sheet.extras.get("protectedRanges", []):
        if "range" in protected:
            found.append([protected["range"]])
    found += [rule.setdefault("ranges", []) for rule in sheet.conditional_formats]
    return found
