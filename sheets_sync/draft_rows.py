"""The Drafts tab as the seller left it: its rows keyed, owned columns found by header in
either language, the user's own columns (headed or not) kept beside them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from addin.cells import blank
from sheets_sync import workbook

#: Owned columns by internal key, in sheet order (headers per language live in `workbook`).
KEYS = [c.key for c in workbook.SCHEMA[workbook.DRAFTS]]
_OWN_NAMES = {
    workbook.normalize_header(name): c.key
    for c in workbook.SCHEMA[workbook.DRAFTS]
    for name in (c.header, c.zh, c.key)
    if name
}


@dataclass
class OldRow:
    """A row of the Drafts tab as the user left it."""

    owned: dict[str, Any]
    user: list[Any]
    row: int  # its sheet row

    @property
    def key(self) -> str:
        return self._cell("key")

    @property
    def kind(self) -> str:
        return self._cell("kind")

    @property
    def sku(self) -> str:
        return self._cell("sku")

    @property
    def to(self) -> str:
        return self._cell("to")

    @property
    def status(self) -> str:
        return self._cell("status").lower()

    def _cell(self, key: str) -> str:
        return str(self.owned.get(key) or "").strip()

    def names(self, sku: str, known: Collection[str]) -> bool:
        """Whether this row's SKU cell (SKUs joined by ", ") lists SKU. A SKU may hold ", "
        itself (`Box, blue`), so the cell is split into KNOWN SKUs where it can be: then SKU
        `Box` is not taken for part of `Box, blue`."""
        parts = _split_known(self.sku, known)
        return sku in (parts if parts is not None else [s.strip() for s in self.sku.split(",")])

    def key_date(self) -> dt.date | None:
        try:
            return dt.date.fromisoformat(self.key.rsplit(":", 1)[-1])
        except ValueError:
            return None

    def values(self) -> list[Any]:
        return [self.owned.get(k) for k in KEYS] + self.user


def read_existing(
    grid: Sequence[Sequence[Any]] | None,
) -> tuple[list[str | None], list[int | None], list[OldRow]]:
    """Split the current tab into owned columns (by header name) and the user's columns
    (headed or not). Also returns each column's sheet column (1-based) in the new layout's
    order, owned ones first: where a user's formula references went."""
    if not grid:
        return [], [None] * len(KEYS), []
    width = max(len(r) for r in grid)
    head_row = list(grid[0]) + [None] * (width - len(grid[0]))
    owned_at: dict[int, str] = {}
    for i, head in enumerate(head_row):
        key = _OWN_NAMES.get(workbook.normalize_header(head))
        if key and key not in owned_at.values():
            owned_at[i] = key
    used = [i for i in range(width) if i not in owned_at and any(
        i < len(r) and not blank(r[i]) for r in grid)]  # fmt: skip
    user_at = [i for i in range(used[-1] + 1) if i not in owned_at] if used else []
    user_header = [None if blank(head_row[i]) else str(head_row[i]).strip() for i in user_at]
    where = {name: i + 1 for i, name in owned_at.items()}
    columns = [where.get(k) for k in KEYS] + [i + 1 for i in user_at]
    rows = []
    for n, raw in enumerate(grid[1:], start=2):
        cells = list(raw) + [None] * (width - len(raw))
        if all(blank(c) for c in cells):
            continue
        owned = {name: cells[i] for i, name in owned_at.items()}
        rows.append(OldRow(owned, [cells[i] for i in user_at], n))
    return user_header, columns, rows


def _split_known(text: str, known: Collection[str]) -> list[str] | None:
    """TEXT as KNOWN names joined by ", " (the longest name first at each step), or None."""
    names = sorted(set(known), key=len, reverse=True)
    tried: dict[int, list[str] | None] = {}  # start -> its split: each start is split once

    def split(start: int) -> list[str] | None:
        if start not in tried:
            tried[start] = _from(start)
        return tried[start]

    def _from(start: int) -> list[str] | None:
        for name in names:
            end = start + len(name)
            if name and text.startswith(name, start):
                if end == len(text):
                    return [name]
                if text.startswith(", ", end):
                    rest = split(end + 2)
                    if rest is not None:
                        return [name, *rest]
        return None

    return split(0) if text else None
