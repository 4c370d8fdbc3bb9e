"""A1 notation: column letters, sheet titles as Google quotes them, and cell ranges.

Google accepts `A1`, `A1:B2`, whole columns `A:C`, whole rows `2:5`, half-open `A2:2` (to the
last column) and `A1:A` (to the last row), each with or without a sheet title (`Sheet1!A1`,
`'My sheet'!A:A`, `'It''s'!1:1`), and answers with the normalised form (`Sheet1!A1:D4`).
"""

from __future__ import annotations

import re
import string

#: (first row, first column, last row, last column), 0-based and inclusive; None = open end.
Bounds = tuple[int | None, int | None, int | None, int | None]

_CELL_REF = re.compile(r"([A-Za-z]{0,3})(\d*)")
_PLAIN_TITLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LOOKS_LIKE_CELL = re.compile(r"[A-Za-z]{1,3}\d+|[Rr]\d*[Cc]\d*")


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = string.ascii_uppercase[rest] + letters
    return letters


def column_index(letters: str) -> int:
    """A -> 0, AA -> 26."""
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - 64
    return index - 1


def quote_title(title: str) -> str:
    """A sheet title as Google writes it in a range: bare when unambiguous, else quoted."""
    if _PLAIN_TITLE.fullmatch(title) and not _LOOKS_LIKE_CELL.fullmatch(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def a1(title: str, r1: int, c1: int, r2: int, c2: int) -> str:
    """`Sheet1!A1:D4` from 0-based inclusive bounds (`Sheet1!B1` for one cell)."""
    start = f"{column_letters(c1)}{r1 + 1}"
    end = f"{column_letters(c2)}{r2 + 1}"
    return f"{quote_title(title)}!{start}" + ("" if start == end else f":{end}")


def split_range(text: str) -> tuple[str | None, str | None]:
    """Split `'Sheet 1'!A1:B2` into its title and cell part (either may be None)."""
    if text.startswith("'"):
        match = re.fullmatch(r"'((?:[^']|'')*)'(?:!(.*))?", text, re.S)
        if not match:
            return None, None
        return match.group(1).replace("''", "'"), match.group(2)
    if "!" in text:
        title, _, cells = text.rpartition("!")
        return title, cells
    return None, text


def parse_cells(cells: str) -> Bounds | None:
    """`A1:B2` -> (r1, c1, r2, c2), 0-based, None for open ends; None when not A1 notation.

    A lone `A` or `1` is not a range, nor are `A:1` and `1:A`.
    """
    refs = []
    for part in cells.split(":"):
        match = _CELL_REF.fullmatch(part)
        if not match or not (match.group(1) or match.group(2)):
            return None
        letters, digits = match.groups()
        if digits and int(digits) == 0:
            return None
        refs.append(
            (int(digits) - 1 if digits else None, column_index(letters) if letters else None)
        )
    if len(refs) == 1:
        row, col = refs[0]
        return None if row is None or col is None else (row, col, row, col)
    if len(refs) != 2:
        return None
    (r1, c1), (r2, c2) = refs
    if (r1 is None and c1 is not None and c2 is None) or (
        c1 is None and r1 is not None and r2 is None
    ):
        return None
    return r1, c1, r2, c2


def cell_position(cell: str) -> tuple[int, int]:
    """`B2` -> (1, 1): one cell's 0-based row and column (for the fake's assertion helpers)."""
    bounds = parse_cells(cell)
    if bounds is None or bounds[0] is None or bounds[1] is None:
        raise ValueError(f"not a cell: {cell}")
    return bounds[0], bounds[1]
