"""Reading the input tabs (SPEC §2): Settings, Inventory, Sales, Inbound, Promotions, Orders.

Users type, paste and import into these tabs, so reading is forgiving and loud: headers match
through `sheets_sync.workbook`'s aliases; every cell that cannot be read becomes a row on the
Problems tab and the rest of the workbook still refreshes. Parsing is vectorised: a year of daily
sales for thousands of SKUs goes through pandas, and only the odd cells fall back to the per-cell
readers of `addin.formulas`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from addin import cells, decisions, formulas
from sheets_sync.types import Formula, Grid
from sheets_sync.workbook import (
    COLUMNS_BY_NAME,
    INBOUND,
    INVENTORY,
    ORDERS,
    PROMOTIONS,
    SALES,
    SCHEMA,
    SETTING_DEFAULTS,
    SETTINGS,
    STOCK_ELSEWHERE,
    Column,
    MissingColumnError,
    Problems,
    normalize_header,
)  # fmt: skip

# --- settings ----------------------------------------------------------------------------


def read_settings(grid: Grid | None, problems: Problems) -> tuple[formulas.Settings, dict]:
    """Settings tab -> the math's Settings plus every raw key (language, currency, e-mail, …).

    A bad value falls back to its default and is reported: a typo in one setting must not stop
    the refresh.
    """
    raw: dict[str, Any] = dict(SETTING_DEFAULTS)
    rows = {}
    for i, row in enumerate(grid[1:] if grid else [], start=2):
        if not row or row[0] in (None, ""):
            continue
        key = normalize_header(row[0])
        value = row[1] if len(row) > 1 else None
        rows[key] = (i, value)
        if value not in (None, ""):
            raw[_SETTING_KEYS.get(key, str(row[0]).strip())] = value
    fields = {f.name: f for f in dataclasses.fields(formulas.Settings)}
    values: dict[str, Any] = {}
    for name, fld in fields.items():
        value = raw.get(name)
        if value is None:
            continue
        try:
            values[name] = _setting_value(name, value, fld.default)
        except formulas.InputError as exc:
            at = rows.get(normalize_header(name), (None,))[0]
            problems.add(SETTINGS, at, "Value", value, f"{name}: {exc}; using the default")
    windows = values.get("velocity_windows", formulas.Settings.velocity_windows)
    weights = values.get("velocity_weights", formulas.Settings.velocity_weights)
    try:
        formulas.check_windows(windows, weights)
    except formulas.InputError as exc:
        at = rows.get("velocitywindows", rows.get("velocityweights", (None,)))[0]
        why = f"velocity_windows and velocity_weights: {exc}; using the defaults"
        problems.add(SETTINGS, at, "Value", raw.get("velocity_windows"), why)
        values.pop("velocity_windows", None)
        values.pop("velocity_weights", None)
    settings = formulas.Settings(**values)
    as_of = raw.get("as_of")
    if as_of is not None:
        try:
            raw["as_of"] = plan_date(as_of, "as_of", day_first=True)
        except formulas.InputError as exc:
            problems.add(
                SETTINGS, rows.get("asof", (None,))[0], "Value", as_of, f"{exc}; using today"
            )
            raw["as_of"] = None
    raw["fbm_enabled"] = settings.fbm_enabled
    return settings, raw


_SETTING_KEYS = {normalize_header(k): k for k in SETTING_DEFAULTS}
#: The days a plan can be made as of: its history and horizon must fit the calendar a plan holds.
FIRST_PLAN_DATE, LAST_PLAN_DATE = dt.date(1900, 1, 1), dt.date(2199, 12, 31)


def plan_date(value: Any, name: str, day_first: bool | None = None) -> dt.date | None:
    """An as-of date (`--as-of`, Settings `as_of`, the server's `as_of`) or InputError."""
    day = formulas.to_date(value, name, day_first)
    if day is not None and not FIRST_PLAN_DATE <= day <= LAST_PLAN_DATE:
        raise formulas.InputError(
            f"{name} must be between {FIRST_PLAN_DATE} and {LAST_PLAN_DATE}, got {day}"
        )
    return day


def _setting_value(name: str, value: Any, default: Any) -> Any:
    if isinstance(default, tuple):
        parts = value if isinstance(value, list | tuple) else re.split(r"[,;\s]+", str(value))
        numbers = tuple(formulas.to_number(p, name) for p in parts if str(p).strip())
        if not numbers or any(n is None for n in numbers):
            raise formulas.InputError(f"expected a list of numbers like {value!r}")
        if name == "velocity_windows":
            return tuple(int(n) for n in numbers if n is not None)
        return numbers
    if isinstance(default, bool):
        flag = formulas.to_flag(value)
        if flag is None:
            raise formulas.InputError("expected yes or no")
        return flag
    if isinstance(default, str):
        return str(value).strip().lower()
    number = formulas.to_number(value, name)
    if number is None or number < 0:
        raise formulas.InputError("expected a number ≥ 0")
    if name.endswith("_days") and number > MAX_DAYS:
        raise formulas.InputError(f"expected at most {MAX_DAYS} days (ten years)")
    if name == "service_level" and not 0 < number < 1:
        raise formulas.InputError("expected a fraction between 0 and 1, e.g. 0.95")
    return int(number) if isinstance(default, int) else number


# --- tables ------------------------------------------------------------------------------


def read_table(
    tab: str,
    grid: Grid | None,
    problems: Problems,
    *,
    day_first: bool | None = None,
) -> pd.DataFrame:
    """Read an input tab into a DataFrame keyed by column keys; bad cells become Problems.

    Rows with an unreadable required cell are marked `_ok` False (and reported); other bad
    cells become blank. `_row` keeps the sheet row number for later messages. An empty or
    missing tab gives an empty table; a missing required column raises MissingColumnError
    naming tab and column.
    """
    spec = SCHEMA[tab]
    empty = pd.DataFrame({c.key: pd.Series(dtype=_dtype(c.kind)) for c in spec})
    empty["_row"] = pd.Series(dtype="int64")
    empty["_ok"] = pd.Series(dtype="bool")
    if not grid or not any(grid[0] if grid else []):
        if grid and len(grid) > 1:
            raise MissingColumnError(f"{tab}: the first row must hold the headers")
        return empty
    lookup = COLUMNS_BY_NAME[tab]
    positions: dict[str, int] = {}
    for i, name in enumerate(grid[0]):
        col = lookup.get(normalize_header(name))
        if col is not None and col.key not in positions:
            positions[col.key] = i
    missing = [c.header for c in spec if c.required and c.key not in positions]
    if missing:
        raise MissingColumnError(
            f"{tab}: required column {', '.join(repr(m) for m in missing)} not found "
            f"(headers seen: {', '.join(str(h) for h in grid[0] if h not in (None, ''))})"
        )
    if len(grid) < 2:
        return empty
    frame = pd.DataFrame(grid[1:], dtype=object)  # pads ragged rows with None
    frame = frame.reindex(columns=range(max(positions.values()) + 1))
    out = pd.DataFrame(index=frame.index)
    out["_row"] = np.arange(2, len(frame) + 2)
    keep = pd.Series(True, index=frame.index)
    types = {c: frame[c].map(type) for c in frame.columns}
    blanks = {c: _blank_cells(frame[c], types[c]) for c in frame.columns}
    blank_rows = pd.Series(True, index=frame.index)
    for blank in blanks.values():
        blank_rows &= blank
    for col in spec:
        if col.key not in positions:
            out[col.key] = pd.Series(dtype=_dtype(col.kind), index=frame.index)
            continue
        pos = positions[col.key]
        raw = frame[pos]
        values, bad = _parse(col, raw, types[pos], blanks[pos], day_first)
        bad &= ~blank_rows
        for idx in bad.index[bad]:
            problems.add(
                tab,
                int(out.at[idx, "_row"]),
                grid[0][positions[col.key]],
                raw[idx],
                bad_message(col, raw[idx], day_first),
            )
        if col.required:
            missing_cell = values.isna() & ~blank_rows
            for idx in missing_cell.index[missing_cell & ~bad]:
                problems.add(
                    tab,
                    int(out.at[idx, "_row"]),
                    grid[0][positions[col.key]],
                    None,
                    f"{col.header} is required: row skipped",
                )
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
#: The dates a plan can hold (pandas' nanosecond calendar, whole years): a `9999-12-31` "unknown"
#: ETA or a year-2300 typo is a Problems row, not a crash.
FIRST_DATE, LAST_DATE = dt.date(1678, 1, 1), dt.date(2261, 12, 31)
_FIRST_SERIAL = 1
_LAST_SERIAL = (LAST_DATE - formulas.EXCEL_EPOCH).days


def _parse(
    col: Column, raw: pd.Series, types: pd.Series, blank: pd.Series, day_first: bool | None
) -> tuple[pd.Series, pd.Series]:
    """Vectorised parse of one column; returns (values, bad-cell mask).

    Cells are sorted by Python type once (`types`), so the common case (a column of numbers,
    dates or plain text) is handled by pandas in bulk and only odd cells (text in a number
    column, a formula, a local date format) go through the per-cell readers of `formulas`.
    """
    none = pd.Series(False, index=raw.index)
    kind = _READ_AS.get(col.kind, col.kind)
    if kind == "text":
        if bool(types[~blank].isin([str]).all()):
            return raw.where(~blank, None).map(str.strip, na_action="ignore"), none
        return raw.where(~blank, None).map(lambda v: v if v is None else _text(v)), none
    if kind == "number":
        plain = types.isin([int, float])
        values = pd.to_numeric(raw.where(plain), errors="coerce").astype("float64")
        odd = ~plain & ~blank
        for idx in odd.index[odd]:
            try:
                values[idx] = formulas.to_number(cell_value(raw[idx]), col.header)
                odd[idx] = False
            except formulas.InputError:
                pass
        limit = MAX_DAYS if col.kind == "days" else MAX_NUMBER
        too_big = values.abs() > limit
        if too_big.any():
            values[too_big] = np.nan
            odd |= too_big
        return values, odd
    if kind == "date":
        values = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
        bad = pd.Series(False, index=raw.index)
        is_dt = types.isin(_DATE_TYPES)
        if is_dt.any():
            stamps = pd.to_datetime(raw[is_dt])
            ok = (stamps >= pd.Timestamp(FIRST_DATE)) & (stamps <= pd.Timestamp(LAST_DATE))
            values[stamps.index[ok]] = stamps[ok].dt.normalize().astype("datetime64[ns]")
            bad[stamps.index[~ok]] = True
        is_num = types.isin([int, float]) & ~blank
        if is_num.any():
            serial = raw[is_num].astype("float64")
            ok = (serial >= _FIRST_SERIAL) & (serial < _LAST_SERIAL + 1)
            values[serial.index[ok]] = pd.Timestamp("1899-12-30") + pd.to_timedelta(
                np.floor(serial[ok]), unit="D"
            )
            bad[is_num] = values[is_num].isna()
        rest = ~(is_dt | is_num | blank)
        if rest.any():
            order = day_first if day_first is not None else cells.infer_day_first(raw[rest])
            for idx in rest.index[rest]:
                try:
                    day = formulas.to_date(cell_value(raw[idx]), col.header, order)
                except formulas.InputError:
                    bad[idx] = True
                    continue
                if day is not None and not FIRST_DATE <= day <= LAST_DATE:
                    bad[idx] = True
                elif day is not None:
                    values[idx] = pd.Timestamp(day)
        return values, bad
    if kind == "bool":
        values = pd.Series(None, index=raw.index, dtype=object)
        is_bool = types.isin([bool])
        values[is_bool] = raw[is_bool]
        is_num = types.isin([int, float]) & ~blank
        values[is_num] = raw[is_num].astype(float) != 0
        words = (types.isin([str])) & ~blank
        values[words] = raw[words].str.strip().str.lower().map(formulas.FLAG_WORDS)
        odd = ~(is_bool | is_num | blank) & values.isna()
        bad = pd.Series(False, index=raw.index)
        for idx in odd.index[odd]:
            try:
                values[idx] = formulas.to_flag(cell_value(raw[idx]))
            except formulas.InputError:
                bad[idx] = True
        return values.where(values.notna(), None), bad
    raise ValueError(col.kind)


_READ_AS = {
    "int": "number", "money": "number", "pct": "number", "days": "number", "datetime": "date",
    "list": "text",
}  # fmt: skip
#: A count of days (lead-time legs, day settings) over ten years is a typo, and no date fits it.
MAX_DAYS = 3660
#: A quantity or price over a trillion is a typo or a pasted code, and would overflow the math.
MAX_NUMBER = 1e12


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


def bad_message(col: Column, value: Any, day_first: bool | None = None) -> str:
    """The reason a cell could not be read, in the words of the cell functions."""
    try:
        if col.kind in ("number", "days"):
            number = formulas.to_number(cell_value(value), col.header)
            if col.kind == "days" and number is not None and number > MAX_DAYS:
                return f"{col.header}: {number:g} days is more than ten years ({MAX_DAYS})"
            if number is not None and abs(number) > MAX_NUMBER:
                return f"{col.header}: {number:g} is too big to be a real figure (over 10^12)"
        elif col.kind in ("date", "datetime"):
            day = formulas.to_date(cell_value(value), col.header, day_first)
            if day is not None and not FIRST_DATE <= day <= LAST_DATE:
                return (
                    f"{col.header}: {day.isoformat()} is outside the dates a plan can use "
                    f"({FIRST_DATE.year} to {LAST_DATE.year})"
                )
        elif col.kind == "bool":
            formulas.to_flag(value)
    except formulas.InputError as exc:
        return str(exc)
    return f"{col.header} could not be read"


@dataclass
class Inputs:
    """Everything a refresh reads, as tables."""

    settings: formulas.Settings
    raw_settings: dict[str, Any]
    inventory: pd.DataFrame
    sales: pd.DataFrame
    inbound: pd.DataFrame
    promotions: pd.DataFrame
    orders: pd.DataFrame
    problems: Problems = field(default_factory=Problems)
    elsewhere: pd.DataFrame = field(
        default_factory=lambda: read_table(STOCK_ELSEWHERE, None, Problems())
    )


def read_inputs(grids: Mapping[str, Grid | None]) -> Inputs:
    """Read every input tab and check them against each other.

    What cannot be used is reported and left out (a duplicate SKU keeps its first row, negative
    stock counts as none, sales of SKUs not in Inventory are ignored); nothing here raises for
    bad data, so one bad tab or cell never stops the other SKUs from refreshing.
    """
    problems = Problems()
    settings, raw = read_settings(grids.get(SETTINGS), problems)
    day_first = raw.get("currency", "USD") != "USD" if raw.get("currency") else None
    tables = {}
    for tab in (INVENTORY, SALES, INBOUND, PROMOTIONS, ORDERS, STOCK_ELSEWHERE):
        try:
            tables[tab] = read_table(tab, grids.get(tab), problems, day_first=day_first)
        except MissingColumnError as exc:
            problems.add(tab, 1, "", None, f"{exc}: the tab was skipped")
            tables[tab] = read_table(tab, None, problems)
    listed = set(tables[INVENTORY]["sku"])
    for tab, table in tables.items():
        tables[tab] = table[table["_ok"]].reset_index(drop=True)
    known = set(tables[INVENTORY]["sku"])  # a SKU whose Inventory row was skipped is not
    inv = tables[INVENTORY]
    dup = inv["sku"].duplicated(keep="first")
    for _, row in inv[dup].iterrows():
        problems.add(
            INVENTORY,
            int(row["_row"]),
            "SKU",
            row["sku"],
            "duplicate SKU: only its first row is used",
        )
    inv = inv[~dup].reset_index(drop=True)
    negative = inv["available"] < 0
    for _, row in inv[negative].iterrows():
        problems.add(
            INVENTORY, int(row["_row"]), "Available", row["available"], "negative stock counts as 0"
        )
    inv.loc[negative, "available"] = 0.0
    for tab in (SALES, INBOUND, PROMOTIONS, ORDERS, STOCK_ELSEWHERE):
        table = tables[tab]
        unknown = ~table["sku"].isin(known)
        if tab == PROMOTIONS:
            unknown &= table["sku"] != "*"
        for sku, rows in table[unknown].groupby("sku")["_row"]:
            why = "SKU is not on the Inventory tab"
            if sku in listed:
                why = "its Inventory row was skipped"
            problems.add(
                tab, int(rows.iloc[0]), "SKU", sku, f"{why}: its {len(rows)} row(s) are ignored"
            )
        tables[tab] = table[~unknown].reset_index(drop=True)
    sales = tables[SALES]
    negative = sales["units"] < 0
    for _, row in sales[negative].head(50).iterrows():
        problems.add(SALES, int(row["_row"]), "Units", row["units"], "negative units count as 0")
    sales.loc[negative, "units"] = 0.0
    inbound = _drop(
        tables[INBOUND],
        tables[INBOUND]["qty"] <= 0,
        INBOUND,
        "Qty",
        "qty",
        "inbound quantity must be positive: row skipped",
        problems,
    )
    done = inbound["status"].map(decisions.stage_of) == decisions.CLOSED
    inbound = inbound[~done].reset_index(drop=True)
    promos = tables[PROMOTIONS]
    promos = _drop(
        promos,
        promos["uplift"] <= 0,
        PROMOTIONS,
        "Uplift",
        "uplift",
        "uplift must be above 0 (1.8 means 80 % more sales): row skipped",
        problems,
    )
    promos = _drop(
        promos,
        promos["end"] < promos["start"],
        PROMOTIONS,
        "End",
        "end",
        "promotion ends before it starts: row skipped",
        problems,
    )
    elsewhere = _drop(
        tables[STOCK_ELSEWHERE],
        tables[STOCK_ELSEWHERE]["qty"] <= 0,
        STOCK_ELSEWHERE,
        "Qty",
        "qty",
        "quantity must be positive: row skipped",
        problems,
    )
    return Inputs(settings, raw, inv, sales, inbound, promos, tables[ORDERS], problems, elsewhere)


def _drop(
    table: pd.DataFrame,
    mask: pd.Series,
    tab: str,
    column: str,
    key: str,
    why: str,
    problems: Problems,
) -> pd.DataFrame:
    for _, row in table[mask].iterrows():
        problems.add(tab, int(row["_row"]), column, row[key], why)
    return table[~mask].reset_index(drop=True)
