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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from addin import formulas, lite_tabs, supply
from addin.lite_tabs import (
    NOT_NEGATIVE,
    SKIPPED_ROWS,
    checks,
    unknown_sku,
)
from addin.names import missing_tab, nearest, sku_key
from addin.reading import (
    Reader,
    read_date,
)
from sheets_sync.locales import parse_locale
from sheets_sync.matching import canonical_skus
from sheets_sync.settings import DEFAULTS, Settings
from sheets_sync.tables import cell_value, locate, read_as, read_table
from sheets_sync.types import Grid, TargetError
from sheets_sync.vocab import FINISHED_ORDERS
from sheets_sync.workbook import (
    DATA_TABS,
    INBOUND,
    INPUT_TABS,
    INVENTORY,
    ORDERS,
    OUTPUT_TABS,
    PROMOTIONS,
    REQUIRED_TABS,
    SALES,
    SCHEMA,
    SETTINGS,
    STOCK_ELSEWHERE,
    MissingTabError,
    Problems,
    normalize_header,
)  # fmt: skip

# --- settings ----------------------------------------------------------------------------


def read_settings(grid: Grid | None, problems: Problems) -> tuple[Settings, dict[str, Any]]:
    """Settings tab -> the typed Settings, and the tab's cells as read (`_rows`: where each key
    is) for the refresh's notes on them.

    `addin.lite_tabs.read_settings` reads it, as for every refresh (a bad value falls back to
    its default and is reported); the words' settings come as typed, trimmed. `as_of` waits for
    the workbook's date rule (`settings_date`).
    """
    math, raw = lite_tabs.read_settings(DEFAULTS, grid, problems)
    words: dict[str, Any] = {}
    for f in dataclasses.fields(Settings):
        value = raw.get(f.name)
        if f.name in _MATH or f.name == "as_of" or value is None or value == "":
            continue
        words[f.name] = str(value).strip() if isinstance(f.default, str) else value
    return Settings(**dataclasses.asdict(math), **words), raw


_MATH = frozenset(f.name for f in dataclasses.fields(formulas.Settings))


def settings_date(raw: dict, reader: Reader, problems: Problems) -> dt.date | None:
    """`Settings!as_of` read by the workbook's date rule (see `sheets_sync.locales`)."""
    value = cell_value(raw.get("as_of"))
    row = raw.get("_rows", {}).get("asof")
    day: Any = value
    if isinstance(value, str) and value.strip():
        reading = reader.date_column([value])
        if reading.note:
            problems.add(SETTINGS, row, "Value", value, f"as_of: {reading.note}")
        day = read_date(value, bool(reading.key)) or value
    try:
        return plan_date(day, "as_of")
    except formulas.InputError as exc:
        problems.add(SETTINGS, row, "Value", value, f"{exc}; using today")
        return None


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


@dataclass
class Inputs:
    """Everything a refresh reads, as tables."""

    settings: Settings
    inventory: pd.DataFrame
    sales: pd.DataFrame
    inbound: pd.DataFrame
    promotions: pd.DataFrame
    orders: pd.DataFrame
    problems: Problems = field(default_factory=Problems)
    elsewhere: pd.DataFrame = field(
        default_factory=lambda: read_table(STOCK_ELSEWHERE, None, Problems())
    )
    #: SKU -> the inputs to fix (`Inventory Available`): a flag on its Alerts row.
    checks: dict[str, list[str]] = field(default_factory=dict)
    #: The Settings tab's cells as read, keys beyond the typed settings included (a group's
    #: `season_<category>` row) and `_rows` (where each key is).
    settings_cells: dict[str, Any] = field(default_factory=dict)


def check_tabs(grids: Mapping[str, Grid | None], tab_names: Iterable[str] = ()) -> None:
    """Refuse a workbook whose Inventory or Sales tab is missing, or whose input tab looks
    renamed (`Inventry`), naming the tab and the nearest existing one."""
    others = [
        str(n) for n in tab_names if normalize_header(n) not in _KNOWN_TABS and str(n).strip()
    ]
    for tab in INPUT_TABS:
        refusal = (
            None if grids.get(tab) is not None else missing_tab(tab, others, tab in REQUIRED_TABS)
        )
        if refusal:
            raise MissingTabError(refusal)


_KNOWN_TABS = {normalize_header(t) for t in (*INPUT_TABS, *OUTPUT_TABS)}


def read_inputs(grids: Mapping[str, Grid | None], tab_names: Iterable[str] = ()) -> Inputs:
    """Read every input tab and check them against each other.

    Refuses (MissingTabError, MissingColumnError, TargetError; exit 2, nothing written) when a
    required tab or column is missing or Inventory has no SKU. Otherwise nothing raises for bad
    data: what cannot be used is reported and left out or left blank (a duplicate SKU keeps its
    first row, negative stock counts as none, sales of SKUs not in Inventory are ignored), and
    every SKU with a bad cell is planned with what is readable and flagged in `checks`.
    """
    check_tabs(grids, tab_names)
    problems = Problems()
    settings, raw = read_settings(grids.get(SETTINGS), problems)
    try:
        locale = parse_locale(settings.locale)
    except ValueError as exc:
        problems.add(SETTINGS, raw["_rows"].get("locale"), "Value", raw.get("locale"), str(exc))
        locale = parse_locale(None)
    reader = Reader(locale)
    sheets = {tab: locate(tab, grids.get(tab)) for tab in DATA_TABS}
    for tab, sheet in sheets.items():
        if sheet is None:
            continue
        for col in SCHEMA[tab]:
            kind = read_as(col.kind)
            if kind in ("date", "number") and col.key in sheet.positions:
                where = f"{tab} {sheet.header[sheet.positions[col.key]]}"
                learn = reader.learn_dates if kind == "date" else reader.learn_numbers
                learn(where, sheet.texts(col.key)[0])
    settings.as_of = settings_date(raw, reader, problems)
    tables = {tab: read_table(tab, sheet, problems, reader=reader) for tab, sheet in sheets.items()}
    for tab, table in tables.items():
        tables[tab] = table[table["_ok"]].reset_index(drop=True)
    # a SKU whose Inventory row was skipped is not
    known: set[Any] | list[Any] = set(tables[INVENTORY]["sku"])
    inv = tables[INVENTORY]
    if inv.empty:
        raise TargetError(
            "Nothing to plan yet: fill the Inventory tab (SKU and Available, one row per SKU), "
            "then Sales (Date, SKU, Units), and refresh again. Nothing was changed."
        )
    keys = inv["sku"].map(sku_key)
    dup = keys.duplicated(keep="first")
    for row, sku in zip(inv.loc[dup, "_row"], inv.loc[dup, "sku"], strict=True):
        first = inv.loc[keys == sku_key(sku), "sku"].iloc[0]
        problems.add(
            INVENTORY, int(row), "SKU", sku,
            f"duplicate SKU (same as {first!r}, case and spaces aside): only its first row is used",
            first,
        )  # fmt: skip
    inv = inv[~dup].reset_index(drop=True)
    _not_negative(inv, problems)
    known = list(inv["sku"])
    for tab in (SALES, INBOUND, PROMOTIONS, ORDERS, STOCK_ELSEWHERE):
        table = tables[tab]
        table["sku"] = canonical_skus(table["sku"], known)
        unknown = ~table["sku"].isin(known)
        if tab == PROMOTIONS:
            unknown &= table["sku"] != "*"
        for sku, rows in table[unknown].groupby("sku")["_row"]:
            near = nearest(sku, known)
            problems.add(tab, int(rows.iloc[0]), "SKU", sku, unknown_sku(len(rows), near), near)
        tables[tab] = table[~unknown].reset_index(drop=True)
    sales = tables[SALES]
    negative = sales["units"] < 0
    for _, row in sales[negative].head(50).iterrows():
        problems.add(
            SALES, int(row["_row"]), "Units", row["units"], "negative units count as 0", row["sku"]
        )
    sales.loc[negative, "units"] = 0.0
    for tab, column, key, bad, why in SKIPPED_ROWS:
        table = tables[tab]
        tables[tab] = _drop(table, bad(table), tab, column, key, why, problems)
    inbound = tables[INBOUND]
    done = inbound["status"].map(supply.stage_of) == supply.CLOSED
    inbound = inbound[~done].reset_index(drop=True)
    promos, elsewhere = tables[PROMOTIONS], tables[STOCK_ELSEWHERE]
    orders = _open_orders(tables[ORDERS], settings.handling_time_days, problems)
    inputs = Inputs(settings, inv, sales, inbound, promos, orders, problems, elsewhere)
    inputs.settings_cells = raw
    inputs.checks = checks([(p.tab, p.column, p.sku) for p in problems], known)
    return inputs


def _not_negative(inv: pd.DataFrame, problems: Problems) -> None:
    negative = inv["available"] < 0
    for row, value, sku in zip(
        inv.loc[negative, "_row"],
        inv.loc[negative, "available"],
        inv.loc[negative, "sku"],
        strict=True,
    ):
        problems.add(INVENTORY, int(row), "Available", value, "negative stock counts as 0", sku)
    inv.loc[negative, "available"] = 0.0
    for key, header in NOT_NEGATIVE.items():
        bad = (inv[key] <= 0) if key == "case_pack" else (inv[key] < 0)
        for row, value, sku in zip(
            inv.loc[bad, "_row"], inv.loc[bad, key], inv.loc[bad, "sku"], strict=True
        ):
            why = "must be above 0" if key == "case_pack" else "cannot be negative"
            problems.add(INVENTORY, int(row), header, value, f"{header} {why}: ignored", sku)
        inv.loc[bad, key] = np.nan


def _open_orders(orders: pd.DataFrame, days: int, problems: Problems) -> pd.DataFrame:
    """Orders still to ship: finished ones left out, a missing promised date estimated
    (purchase date + DAYS, the handling time)."""
    orders = orders[~orders["status"].map(is_word(FINISHED_ORDERS)).astype(bool)].copy()
    guess = orders["promised_date"].isna() & orders["purchase_date"].notna()
    orders.loc[guess, "promised_date"] = orders.loc[guess, "purchase_date"] + pd.Timedelta(
        days=days
    )
    orders["promise_estimated"] = (orders["promise_estimated"] == True) | guess  # noqa: E712
    missing = orders["promised_date"].isna()
    for row, sku in zip(orders.loc[missing, "_row"], orders.loc[missing, "sku"], strict=True):
        problems.add(
            ORDERS, int(row), "Promised date", None,
            "no Promised date and no Purchase date to estimate it from: order left out", sku,
        )  # fmt: skip
    return orders[~missing].reset_index(drop=True)


def is_word(words: frozenset[str]) -> Callable[[Any], bool]:
    """A test for status cells: is the (trimmed, any case) word one of `words`?"""
    return lambda value: isinstance(value, str) and value.strip().lower() in words


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
        problems.add(tab, int(row["_row"]), column, row[key], why, row["sku"])
    return table[~mask].reset_index(drop=True)
