"""Reading one tab into a typed table: columns found by header, cells parsed by kind.

Parsing is vectorised: a year of daily sales for thousands of SKUs goes through pandas, and
only the odd cells fall back to the per-cell readers of `addin.reading` and `addin.formulas`.
Every cell that cannot be read becomes a Problems row (`bad_message` says why, in the words the
Lite and in-sheet readers use) and its row is flagged, never dropped silently;
`sheets_sync.inputs` decides what a refresh does with it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from addin import formulas
from addin.lite_tabs import KEPT, MAX_DAYS, MAX_NUMBER, ROW_KEYS
from addin.lite_tabs import bad_message as cell_problem
from addin.reading import FIRST_DATE, LAST_DATE, ColumnReading, Reader, read_date, read_number
from sheets_sync.types import Formula, Grid
from sheets_sync.workbook import (
    COLUMNS_BY_NAME,
    SCHEMA,
    Column,
    MissingColumnError,
    Problems,
    normalize_header,
)


@dataclass
class Sheet:
    """One input tab located: its header, cells by column, and each cell's Python type."""

    tab: str
    header: list[Any]
    positions: dict[str, int]  # column key -> index
    frame: pd.DataFrame
    types: dict[int, pd.Series]
    blanks: dict[int, pd.Series]

    def texts(self, key: str) -> tuple[list[str], list[int]]:
        """A column's text cells (a formula's saved text included) and their sheet rows."""
        pos = self.positions.get(key)
        if pos is None or self.frame.empty:
            return [], []
        odd = ~self.types[pos].isin([int, float, bool, *_DATE_TYPES]) & ~self.blanks[pos]
        cells = self.frame[pos][odd].map(cell_value)
        found = [(v, int(i) + 2) for i, v in cells.items() if isinstance(v, str)]
        return [v for v, _ in found], [row for _, row in found]


def locate(tab: str, grid: Grid | None) -> Sheet | None:
    """Find a tab's columns by name; None for a missing or empty tab.

    Raises MissingColumnError (a refusal) naming a missing required column and the nearest
    header the tab has, e.g. `Qty available` for `Available`.
    """
    if not grid or not any(v not in (None, "") for v in grid[0]):
        if grid and any(v not in (None, "") for row in grid[1:] for v in row):
            raise MissingColumnError(tab, [c.header for c in SCHEMA[tab] if c.required], [])
        return None
    lookup = COLUMNS_BY_NAME[tab]
    positions: dict[str, int] = {}
    for i, name in enumerate(grid[0]):
        col = lookup.get(normalize_header(name))
        if col is not None and col.key not in positions:
            positions[col.key] = i
    missing = [c.header for c in SCHEMA[tab] if c.required and c.key not in positions]
    if missing:
        raise MissingColumnError(tab, missing, list(grid[0]))
    rows = grid[1:]
    width = max(map(len, rows), default=0)
    if any(len(row) != width for row in rows):  # pandas will stop padding ragged rows itself
        rows = [list(row) + [None] * (width - len(row)) for row in rows]
    frame = pd.DataFrame(rows, dtype=object)
    frame = frame.reindex(columns=range(max(positions.values()) + 1))
    types = {c: frame[c].map(type) for c in frame.columns}
    blanks = {c: _blank_cells(frame[c], types[c]) for c in frame.columns}
    return Sheet(tab, list(grid[0]), positions, frame, types, blanks)


def read_table(
    tab: str,
    grid: Grid | Sheet | None,
    problems: Problems,
    *,
    reader: Reader | None = None,
) -> pd.DataFrame:
    """Read a tab into a DataFrame keyed by column keys; bad cells become Problems.

    Rows with an unreadable required cell are marked `_ok` False (and reported; an Inventory
    row only for its SKU, see ROW_KEYS); other bad cells become blank. `_row` keeps the sheet
    row number for later messages. Text
    dates and numbers follow `reader` (see `sheets_sync.locales`). An empty or missing tab
    gives an empty table; a missing required column raises MissingColumnError.
    """
    spec = SCHEMA[tab]
    sheet = grid if isinstance(grid, Sheet) else locate(tab, grid)
    if sheet is None or sheet.frame.empty:
        empty = pd.DataFrame({c.key: pd.Series(dtype=_dtype(c.kind)) for c in spec})
        empty["_row"] = pd.Series(dtype="int64")
        empty["_ok"] = pd.Series(dtype="bool")
        return empty
    reader = reader or Reader()
    frame, positions = sheet.frame, sheet.positions
    out = pd.DataFrame(index=frame.index)
    out["_row"] = np.arange(2, len(frame) + 2)
    keep = pd.Series(True, index=frame.index)
    blank_rows = pd.Series(True, index=frame.index)
    for blank in sheet.blanks.values():
        blank_rows &= blank
    skus = frame[positions["sku"]] if "sku" in positions else None
    row_keys = ROW_KEYS.get(tab)

    def report(idx: Any, header: Any, value: Any, why: str) -> None:
        sku = _text(skus[idx]) if skus is not None else None
        problems.add(tab, int(out.at[idx, "_row"]), str(header), value, why, sku)

    for col in spec:
        if col.key not in positions:
            out[col.key] = pd.Series(dtype=_dtype(col.kind), index=frame.index)
            continue
        pos = positions[col.key]
        header = sheet.header[pos]
        raw = frame[pos]
        values, bad, reading = _parse(col, raw, sheet.types[pos], sheet.blanks[pos], reader)
        bad &= ~blank_rows
        if reading is not None and reading.note:
            problems.add(tab, reading.row, str(header), reading.example, reading.note)
        drops = col.required and (row_keys is None or col.key in row_keys)
        for idx in bad.index[bad]:
            why = bad_message(col, raw[idx])
            report(idx, header, raw[idx], why + ("; row skipped" if drops else ""))
        if col.required:
            missing_cell = values.isna() & ~blank_rows & ~bad
            for idx in missing_cell.index[missing_cell]:
                what = "row skipped" if drops else KEPT[tab]
                report(idx, header, None, f"{col.header} is required: {what}")
            if drops:
                keep &= ~values.isna()
        out[col.key] = values
    out["_ok"] = keep
    return out[~blank_rows].reset_index(drop=True)


def _blank_cells(raw: pd.Series, types: pd.Series) -> pd.Series:
    """Empty cells: nothing, NaN, or text of nothing but spaces."""
    blank = raw.isna()
    text = types.isin([str])
    if text.any():
        words = raw[text]
        blank[text] = (words == "") | words.map(str.isspace)
    return blank


def _dtype(kind: str) -> str:
    kind = _READ_AS.get(kind, kind)
    return {"number": "float64", "date": "datetime64[ns]"}.get(kind, "object")


_DATE_TYPES = (dt.datetime, dt.date, pd.Timestamp)
_FIRST_SERIAL = 1
_LAST_SERIAL = (LAST_DATE - formulas.EXCEL_EPOCH).days


def _parse(
    col: Column, raw: pd.Series, types: pd.Series, blank: pd.Series, reader: Reader
) -> tuple[pd.Series, pd.Series, ColumnReading | None]:
    """Vectorised parse of one column: (values, bad-cell mask, how its text was read).

    Cells are sorted by Python type once (`types`), so the common case (a column of numbers,
    dates or plain text) is handled by pandas in bulk and only odd cells (text in a number
    column, a formula, a local date format) are read one by one.
    """
    none = pd.Series(False, index=raw.index)
    kind = _READ_AS.get(col.kind, col.kind)
    if kind == "text":
        if bool(types[~blank].isin([str]).all()):
            return raw.where(~blank, None).map(str.strip, na_action="ignore"), none, None
        return raw.where(~blank, None).map(lambda v: v if v is None else _text(v)), none, None
    texts: dict[Any, str] = {}
    if kind == "number":
        plain = types.isin([int, float])
        values = pd.to_numeric(raw.where(plain), errors="coerce").astype("float64")
        odd = ~plain & ~blank
        for idx in odd.index[odd]:
            value = cell_value(raw[idx])
            if isinstance(value, str):
                texts[idx] = value
                continue
            try:
                values[idx] = formulas.to_number(value, col.header)  # None: blank
                odd[idx] = False
            except formulas.InputError:
                pass
        reading = _read_texts(texts, reader.number_column, read_number, values, odd)
        limit = MAX_DAYS if col.kind == "days" else MAX_NUMBER
        too_big = values.abs() > limit
        if too_big.any():
            values[too_big] = np.nan
            odd |= too_big
        return values, odd, reading
    if kind == "date":
        values = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
        bad = pd.Series(False, index=raw.index)
        is_dt = types.isin(_DATE_TYPES)
        if is_dt.any():
            days = raw[is_dt].map(lambda v: v.date() if isinstance(v, dt.datetime) else v)
            fits = days.map(lambda d: FIRST_DATE <= d <= LAST_DATE).astype(bool)
            bad[fits.index[~fits]] = True
            if fits.any():
                values[fits.index[fits]] = pd.to_datetime(days[fits])
        is_num = types.isin([int, float]) & ~blank
        if is_num.any():
            serial = raw[is_num].astype("float64")
            ok = (serial >= _FIRST_SERIAL) & (serial < _LAST_SERIAL + 1)
            values[serial.index[ok]] = pd.Timestamp(formulas.EXCEL_EPOCH) + pd.to_timedelta(
                np.floor(serial[ok]), unit="D"
            )
            bad[serial.index[~ok]] = True
        for idx in raw.index[~(is_dt | is_num | blank)]:
            value = cell_value(raw[idx])
            if isinstance(value, str):
                texts[idx] = value
                bad[idx] = True
                continue
            try:
                day = formulas.to_date(value, col.header)
            except formulas.InputError:
                day = None
            if day is not None and FIRST_DATE <= day <= LAST_DATE:
                values[idx] = pd.Timestamp(day)
            else:
                bad[idx] = True
        reading = _read_texts(texts, reader.date_column, _read_date, values, bad)
        return values, bad, reading
    if kind == "bool":
        values = pd.Series(None, index=raw.index, dtype=object)
        is_bool = types.isin([bool])
        values[is_bool] = raw[is_bool]
        is_num = types.isin([int, float]) & ~blank
        values[is_num] = raw[is_num].astype(float) != 0
        words = (types.isin([str])) & ~blank
        if words.any():  # `.str` fails on a column that holds no text at all
            values[words] = raw[words].str.strip().str.lower().map(formulas.FLAG_WORDS)
        odd = ~(is_bool | is_num | blank) & values.isna()
        bad = pd.Series(False, index=raw.index)
        for idx in odd.index[odd]:
            try:
                values[idx] = formulas.to_flag(cell_value(raw[idx]))
            except formulas.InputError:
                bad[idx] = True
        return values.where(values.notna(), None), bad, None
    raise ValueError(col.kind)


def _read_texts(
    texts: dict[Any, str],
    rule: Callable[[list[str], list[int] | None], ColumnReading],
    read: Callable[[str, Any], Any],
    values: pd.Series,
    bad: pd.Series,
) -> ColumnReading | None:
    """Read a column's text cells by the column's rule; unreadable ones stay marked bad."""
    if not texts:
        return None
    reading = rule(list(texts.values()), [int(i) + 2 for i in texts])
    for idx, text in texts.items():
        value = read(text, reading.key)
        if value is not None:
            values[idx] = value
            bad[idx] = False
        else:
            bad[idx] = True
    return reading


def _read_date(text: str, day_first: Any) -> pd.Timestamp | None:
    day = read_date(text, bool(day_first))
    return pd.Timestamp(day) if day is not None and FIRST_DATE <= day <= LAST_DATE else None


_READ_AS = {
    "int": "number", "money": "number", "pct": "number", "days": "number", "datetime": "date",
    "list": "text",
}  # fmt: skip


def read_as(kind: str) -> str:
    """The reader a column kind goes through: number, date, bool or text."""
    return _READ_AS.get(kind, kind)


def cell_value(value: Any) -> Any:
    """What a cell shows: a formula's last computed value, anything else as it is."""
    return value.cached if isinstance(value, Formula) else value


def _text(value: Any) -> str | None:
    value = cell_value(value)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def bad_message(col: Column, value: Any) -> str:
    """The reason a cell could not be read, in the words of the cell functions."""
    return cell_problem(col.kind, col.header, cell_value(value))
