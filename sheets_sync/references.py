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

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from openpyxl.formula.tokenizer import Token, Tokenizer

from addin.references import Moves, translate
from sheets_sync.types import Formula, Grid, Tab


def grid_size(grid: Sequence[Sequence[Any]] | None) -> tuple[int, int]:
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
            new = translate(token.value, moves, sheet)
            if new != token.value:
                token.value, changed = new, True
    if not changed:
        return formula
    moved = Formula("=" + "".join(t.value for t in tokens))
    moved.cached = formula.cached
    return moved
