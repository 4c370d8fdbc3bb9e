"""Where a user's references go when a refresh rewrites a tab (`sheets_sync.references`).

Pure text rules, shared by stockout refresh (which finds references with openpyxl's formula
tokenizer) and xlwings Lite (which finds them in the formula text, `follow_text`): a cell
follows its row, a range covering the whole refreshed table grows and shrinks with it, other
ranges keep their ends (an end whose row is gone moves inward), a reference to a row or column
that is gone is `#REF!`, references below the content shift with it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

_CELL = re.compile(r"(\$?)([A-Za-z]{1,3})(\$?)(\d+)")
_COLUMN = re.compile(r"(\$?)([A-Za-z]{1,3})")
_ROW = re.compile(r"(\$?)(\d+)")


class Rewritten(Protocol):
    """A rewritten tab that says where its rows and columns came from (`sheets_sync.types.Tab`)."""

    @property
    def rows(self) -> Sequence[object]: ...
    @property
    def from_rows(self) -> Sequence[int | None] | None: ...
    @property
    def from_columns(self) -> Sequence[int | None] | None: ...
    @property
    def body_rows(self) -> int | None: ...


@dataclass(frozen=True)
class Moves:
    """Where each old row and column of a tab went (1-based sheet numbers; absent: gone).

    Rows 2..`old_body` were the refreshed rows before, 2..`new_body` are now; `old_last` and
    `new_last` are the last rows used before and after (for references below the content).
    """

    rows: dict[int, int]
    columns: dict[int, int]
    old_body: int
    new_body: int
    old_last: int
    new_last: int
    old_width: int
    new_width: int

    @classmethod
    def between(
        cls,
        from_rows: Sequence[int | None],
        from_columns: Sequence[int | None],
        old_size: tuple[int, int],
        body_rows: int,
    ) -> Moves:
        """Moves from the source row and column of each new row and column (None: new), the
        old tab's (rows, columns) and how many leading rows are the refreshed table."""
        rows = {old: new for new, old in enumerate(from_rows, start=2) if old is not None}
        rows[1] = 1
        columns = {old: new for new, old in enumerate(from_columns, start=1) if old is not None}
        old_body = max((old for old in from_rows[:body_rows] if old is not None), default=1)
        return cls(
            rows, columns, old_body, body_rows + 1, old_size[0], len(from_rows) + 1,
            old_size[1], len(from_columns),
        )  # fmt: skip

    @classmethod
    def of(cls, tab: Rewritten, old_size: tuple[int, int]) -> Moves | None:
        """The moves of TAB, rewritten over a tab of OLD_SIZE (rows, columns); None when TAB
        does not say where its rows came from (it is written whole, like the Timeline)."""
        if tab.from_rows is None or tab.from_columns is None:
            return None
        body = len(tab.rows) if tab.body_rows is None else tab.body_rows
        return cls.between(tab.from_rows, tab.from_columns, old_size, body)

    @property
    def identity(self) -> bool:
        return (
            all(k == v for k, v in self.rows.items())
            and all(k == v for k, v in self.columns.items())
            and (self.old_body, self.old_last, self.old_width)
            == (self.new_body, self.new_last, self.new_width)
        )


def translate(text: str, moves: Moves, sheet: str) -> str:
    prefix, _, ref = text.rpartition("!")
    if prefix:
        name = prefix.strip("'").replace("''", "'")
        if name.casefold() != sheet.casefold():
            return text
        prefix += "!"
    start, colon, end = ref.partition(":")
    if not colon:
        cell = _CELL.fullmatch(start)
        if not cell:
            return text  # a defined name, a table's column, an error value
        row, col = _one_row(int(cell[4]), moves), _one_column(cell[2], moves)
        if row is None or col is None:
            return "#REF!"
        return f"{prefix}{cell[1]}{col}{cell[3]}{row}"
    first, last = _CELL.fullmatch(start), _CELL.fullmatch(end)
    if first and last:
        rows = _span(int(first[4]), int(last[4]), moves)
        cols = _column_span(first[2], last[2], moves)
        if rows is None or cols is None:
            return "#REF!"
        return (f"{prefix}{first[1]}{cols[0]}{first[3]}{rows[0]}:"
                f"{last[1]}{cols[1]}{last[3]}{rows[1]}")  # fmt: skip
    first_col, last_col = _COLUMN.fullmatch(start), _COLUMN.fullmatch(end)
    if first_col and last_col:  # C:E, whole columns
        cols = _column_span(first_col[2], last_col[2], moves)
        if cols is None:
            return "#REF!"
        return f"{prefix}{first_col[1]}{cols[0]}:{last_col[1]}{cols[1]}"
    first_row, last_row = _ROW.fullmatch(start), _ROW.fullmatch(end)
    if first_row and last_row:  # 3:5, whole rows
        rows = _span(int(first_row[2]), int(last_row[2]), moves)
        if rows is None:
            return "#REF!"
        return f"{prefix}{first_row[1]}{rows[0]}:{last_row[1]}{rows[1]}"
    return text


def _one_row(row: int, moves: Moves) -> int | None:
    if row in moves.rows:
        return moves.rows[row]
    if row > moves.old_last:
        return row + moves.new_last - moves.old_last
    return None


def _span(first: int, last: int, moves: Moves) -> tuple[int, int] | None:
    first, last = min(first, last), max(first, last)
    if first <= 2 and last >= moves.old_body >= 2:  # the whole table: it grows and shrinks
        end = max(moves.new_body, 2) if last == moves.old_body else _inward(last, first, moves)
        if end is None:
            return None
        return (first if first < 2 else 2), max(end, 2)
    low, high = _inward(first, last, moves), _inward(last, first, moves)
    if low is None or high is None:
        return None
    return min(low, high), max(low, high)


def _inward(row: int, towards: int, moves: Moves) -> int | None:
    """Row's new number; if it is gone, that of the nearest surviving row towards TOWARDS."""
    step = 1 if towards >= row else -1
    for candidate in range(row, towards + step, step):
        found = _one_row(candidate, moves)
        if found is not None:
            return found
    return None


def _one_column(letters: str, moves: Moves) -> str | None:
    col = _number(letters.upper())
    if col in moves.columns:
        return _letters(moves.columns[col])
    if col > moves.old_width:
        return _letters(col + moves.new_width - moves.old_width)
    return None


def _column_span(first: str, last: str, moves: Moves) -> tuple[str, str] | None:
    a, b = _number(first.upper()), _number(last.upper())
    a, b = min(a, b), max(a, b)
    found = []
    for start, stop, step in ((a, b, 1), (b, a, -1)):
        for col in range(start, stop + step, step):
            letter = _one_column(_letters(col), moves)
            if letter is not None:
                found.append(letter)
                break
        else:
            return None
    low, high = sorted(found, key=_number)
    return low, high


def _number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _letters(number: int) -> str:
    out = ""
    while number:
        number, rest = divmod(number - 1, 26)
        out = chr(65 + rest) + out
    return out


# A cell or range, with its tab, outside a string: what `follow_text` translates.
_REFERENCE = re.compile(
    r"(?<![\w.$'!])((?:'(?:[^']|'')+'|[A-Za-z_][\w.]*)!)?"
    r"(\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?)(?![\w(!])"
)


def follow_text(formula: str, moves: Moves, sheet: str) -> str:
    """FORMULA (text starting `=`) with its references to SHEET, or to no tab, translated by
    MOVES; text in double quotes is left alone. Where openpyxl is not at hand (xlwings Lite)."""
    if moves.identity:
        return formula
    parts = formula.split('"')
    for i in range(0, len(parts), 2):
        parts[i] = _REFERENCE.sub(lambda m: translate((m[1] or "") + m[2], moves, sheet), parts[i])
    return '"'.join(parts)
