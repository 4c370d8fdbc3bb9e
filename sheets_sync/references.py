"""A user's formulas keep pointing at what they pointed at when a refresh rewrites a tab.

A refresh rewrites an output tab whole: SKUs are re-ranked, new ones appear, dropped drafts
go, and a column may be added to the refresh's own. Formulas the user wrote in their own
columns and rows are carried over, and their references are translated the way Excel
translates them when rows are moved, inserted or deleted:

* A cell reference follows its row and column: `=C7*2` on the row of SKU `A-1` reads `=C3*2`
  once `A-1` moves to row 3; a reference to a column of the refresh's own follows its header.
* A range that covers every refreshed row (`=SUM(C2:C49)` under a 48-SKU table) grows and
  shrinks with the table: after one new SKU it reads `=SUM(C2:C50)`.
* Any other range keeps its two ends on the rows they were on; an end whose row is gone
  moves inward to the nearest row still there.
* A reference to a row or column that is gone (a draft dropped, a SKU removed) becomes
  `#REF!`, as in Excel. References below the tab's content shift with it; the header row
  stays. References to other tabs, names and whole columns' rows are left as they were.
* Formulas on other tabs that refer to the tab are translated the same way: on the other
  output tabs written with it (`carry_grids`, by the refresh), and on every other tab and in
  defined names by the backend that writes it (the .xlsx file, a Google Sheet, a workbook open
  in Excel), so a total on a Summary tab that reads `=Alerts!I7` still reads the same SKU's cell.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.utils import column_index_from_string, get_column_letter

from sheets_sync.types import Formula, Grid, Tab

_CELL = re.compile(r"(\$?)([A-Za-z]{1,3})(\$?)(\d+)")
_COLUMN = re.compile(r"(\$?)([A-Za-z]{1,3})")
_ROW = re.compile(r"(\$?)(\d+)")


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
    def of(cls, tab: Tab, old_size: tuple[int, int]) -> Moves | None:
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


def grid_size(grid: Grid | None) -> tuple[int, int]:
    """(rows, columns) a tab used, header included."""
    if not grid:
        return 1, 0
    return len(grid), max(len(row) for row in grid)


def carry(grid: Grid, moves: Moves, sheet: str) -> Grid:
    """GRID with every `Formula` translated by MOVES (SHEET: the tab's own name)."""
    if moves.identity:
        return grid
    return [[follow(v, moves, sheet) if isinstance(v, Formula) else v for v in row] for row in grid]


def carry_elsewhere(
    formulas: Iterable[tuple[Callable[[], str], Callable[[str], None]]], moves: Moves, sheet: str
) -> None:
    """Translate each formula (a getter and a setter) on another tab that refers to SHEET."""
    needle = sheet.casefold()
    for get, put in formulas:
        text = get()
        if needle in text.casefold():
            moved = follow(Formula(text), moves, sheet, elsewhere=True)
            if moved != text:
                put(str(moved))


def carry_grids(
    grids: Mapping[str, Grid], moved: Mapping[str, Moves]
) -> dict[tuple[str, int, int], Formula]:
    """The formulas of GRIDS (tab -> rows from A1) that refer to a MOVED tab, translated:
    {(tab, row, column): new formula} (1-based), only those that changed. A tab's references
    to itself are not its business here (`carry` does them as the tab is rewritten)."""
    changed: dict[tuple[str, int, int], Formula] = {}
    needles = {name: name.casefold() for name, moves in moved.items() if not moves.identity}
    for tab, grid in grids.items():
        for r, row in enumerate(grid, start=1):
            for c, value in enumerate(row, start=1):
                if not isinstance(value, Formula):
                    continue
                formula = value
                for name, needle in needles.items():
                    if name.casefold() != tab.casefold() and needle in formula.casefold():
                        formula = follow(formula, moved[name], name, elsewhere=True)
                if formula != value:
                    changed[(tab, r, c)] = formula
    return changed


def carry_across(tabs: Mapping[str, Tab], sizes: Mapping[str, tuple[int, int]]) -> None:
    """Formulas on each of TABS that refer to another of them follow its moves (a Drafts
    column reading `=Alerts!I7`); SIZES: the (rows, columns) of each tab that existed."""
    moved = {t.name: m for t in tabs.values() if t.name in sizes
             for m in [Moves.of(t, sizes[t.name])] if m is not None}  # fmt: skip
    grids = {t.name: [t.header, *t.rows] for t in tabs.values()}
    for (name, r, c), formula in carry_grids(grids, moved).items():
        grids[name][r - 1][c - 1] = formula


def follow(formula: Formula, moves: Moves, sheet: str, *, elsewhere: bool = False) -> Formula:
    """One formula with its references to SHEET (or to no tab) translated by MOVES.

    ELSEWHERE: the formula is on another tab, where a reference without a tab is its own.
    """
    try:
        tokens = Tokenizer(formula).items
    except Exception:  # a formula openpyxl cannot parse is left exactly as the user wrote it
        return formula
    changed = False
    for token in tokens:
        if token.type == Token.OPERAND and token.subtype == Token.RANGE:
            if elsewhere and "!" not in token.value:
                continue
            new = _range(token.value, moves, sheet)
            if new != token.value:
                token.value, changed = new, True
    if not changed:
        return formula
    moved = Formula("=" + "".join(t.value for t in tokens))
    moved.cached = formula.cached
    return moved


def _range(text: str, moves: Moves, sheet: str) -> str:
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
    col = column_index_from_string(letters.upper())
    if col in moves.columns:
        return get_column_letter(moves.columns[col])
    if col > moves.old_width:
        return get_column_letter(col + moves.new_width - moves.old_width)
    return None


def _column_span(first: str, last: str, moves: Moves) -> tuple[str, str] | None:
    a, b = column_index_from_string(first.upper()), column_index_from_string(last.upper())
    a, b = min(a, b), max(a, b)
    found = []
    for start, stop, step in ((a, b, 1), (b, a, -1)):
        for col in range(start, stop + step, step):
            letter = _one_column(get_column_letter(col), moves)
            if letter is not None:
                found.append(letter)
                break
        else:
            return None
    low, high = sorted(found, key=column_index_from_string)
    return low, high
