"""Reading a workbook's input tabs inside xlwings Lite, with the standard library only.

The Python twin of addin/google/SheetTabs.gs (and of what sheets_sync.inputs does with pandas):
headers matched case-insensitively ignoring spaces, `-` and `_`, with the aliases of the tab
contract (`schema`, generated from sheets_sync.workbook); every unreadable cell becomes a Problems
row and the rest still refreshes. Used by addin/lite_refresh.py.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any

from addin import cells, formulas, supply
from addin.cells import blank

Grid = list[list[Any]]
READ_AS = {"int": "number", "money": "number", "pct": "number", "datetime": "date"}
#: Rows a refresh skips, each with a Problems row: (tab, column, key, skip test, why). Shared
#: with sheets_sync.inputs: the test reads one row here and a whole pandas table there alike.
SKIPPED_ROWS: tuple[tuple[str, str, str, Callable[[Any], Any], str], ...] = (
    ("Inbound", "Qty", "qty", lambda r: r["qty"] <= 0,
     "inbound quantity must be positive: row skipped"),
    ("Promotions", "Uplift", "uplift", lambda r: r["uplift"] <= 0,
     "uplift must be above 0 (1.8 means 80 % more sales): row skipped"),
    ("Promotions", "End", "end", lambda r: r["end"] < r["start"],
     "promotion ends before it starts: row skipped"),
    ("Stock elsewhere", "Qty", "qty", lambda r: r["qty"] <= 0,
     "quantity must be positive: row skipped"),
)  # fmt: skip


def normalize(text: object) -> str:
    """`Days of cover`, `days-of-cover` and ` DAYS_OF_COVER* ` are the same header."""
    return "" if text is None else re.sub(r"[\s\-_*\ufeff.]+", "", str(text)).casefold()


def _day(value: object) -> object:
    return value.date() if isinstance(value, dt.datetime) else value


class Problems(list[list[Any]]):
    """Rows of the Problems tab: tab, row, column, value, problem."""

    def add(self, tab: str, row: int | None, column: object, value: object, problem: str) -> None:
        self.append([tab, row, column, value, problem])


# --- reading -------------------------------------------------------------------------------


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _parse(kind: str, col: Mapping[str, Any], raw: object, day_first: bool | None) -> Any:
    if kind == "number":
        return (
            float(raw)
            if isinstance(raw, int | float) and not isinstance(raw, bool)
            else (formulas.to_number(raw, col["header"]))
        )
    if kind == "date":
        number = isinstance(raw, int | float) and not isinstance(raw, bool)
        if number and not 1 <= raw < 2958466:  # type: ignore[operator]
            raise formulas.InputError(f"{col['header']} must be a date, got {raw!r}")
        return formulas.to_date(_day(raw), col["header"], day_first)
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, int | float):
            return raw != 0
        return formulas.to_flag(raw)
    return _text(raw)


def _bad_message(col: Mapping[str, Any], raw: object, day_first: bool | None) -> str:
    try:
        if col["kind"] == "number":
            formulas.to_number(raw, col["header"])
        elif col["kind"] == "date":
            formulas.to_date(_day(raw), col["header"], day_first)
        elif col["kind"] == "bool":
            formulas.to_flag(raw)
    except formulas.InputError as exc:
        return str(exc)
    return f"{col['header']} could not be read"


def read_table(
    schema: Mapping[str, Any],
    tab: str,
    grid: Grid | None,
    problems: Problems,
    day_first: bool | None,
) -> list[dict[str, Any]]:
    """An input tab as dicts keyed by column key, with `_row` and `_ok`; bad cells reported."""
    spec = schema["tabs"][tab]
    if not grid or all(blank(h) for h in grid[0]):
        if grid and len(grid) > 1:
            problems.add(
                tab, 1, "", None, f"{tab}: the first row must hold the headers: the tab was skipped"
            )
        return []
    lookup: dict[str, Mapping[str, Any]] = {}
    for col in spec:
        for name in (col["header"], col["zh"], col["key"], *col["aliases"]):
            if name:
                lookup.setdefault(normalize(name), col)
    positions: dict[str, int] = {}
    for i, name in enumerate(grid[0]):
        col = lookup.get(normalize(name))
        if col is not None and col["key"] not in positions:
            positions[col["key"]] = i
    missing = [c["header"] for c in spec if c["required"] and c["key"] not in positions]
    if missing:
        seen = ", ".join(str(h) for h in grid[0] if not blank(h))
        names = ", ".join(repr(m) for m in missing)
        problems.add(
            tab,
            1,
            "",
            None,
            f"{tab}: required column {names} not found (headers seen: {seen}): the tab was skipped",
        )
        return []
    width = len(grid[0])
    rows = []
    for r, raw_row in enumerate(grid[1:], start=2):
        row_cells = list(raw_row) + [None] * (width - len(raw_row))
        if not all(blank(c) for c in row_cells):
            rows.append({"_row": r, "_ok": True, "_raw": row_cells})
    for col in spec:
        pos = positions.get(col["key"])
        if pos is None:
            for row in rows:
                row[col["key"]] = None
            continue
        kind = READ_AS.get(col["kind"], col["kind"])
        order = day_first
        if kind == "date" and order is None:
            order = cells.infer_day_first(
                [
                    r["_raw"][pos]
                    for r in rows
                    if isinstance(r["_raw"][pos], str) and r["_raw"][pos].strip()
                ]
            )
        header = grid[0][pos]
        missing_rows = []
        seen_values: dict[Any, Any] = {}
        for row in rows:
            raw = row["_raw"][pos]
            value = None
            if not blank(raw):
                memo = (type(raw), raw)
                if memo not in seen_values:
                    try:
                        seen_values[memo] = (True, _parse(kind, col, raw, order))
                    except formulas.InputError:
                        seen_values[memo] = (False, None)
                ok, value = seen_values[memo]
                if not ok:
                    row[col["key"]] = None
                    problems.add(tab, row["_row"], header, raw, _bad_message(col, raw, order))
                    if col["required"]:
                        row["_ok"] = False
                    continue
            row[col["key"]] = value
            if col["required"] and value is None:
                row["_ok"] = False
                missing_rows.append(row)
        for row in missing_rows:
            problems.add(
                tab, row["_row"], header, None, f"{col['header']} is required: row skipped"
            )
    for row in rows:
        del row["_raw"]
    return rows


def read_settings(
    schema: Mapping[str, Any], grid: Grid | None, problems: Problems
) -> tuple[formulas.Settings, dict[str, Any]]:
    """Settings tab -> the math's Settings and every raw key (a bad value: the default)."""
    raw: dict[str, Any] = dict(schema["settingDefaults"])
    known = {normalize(k): k for k in schema["settingDefaults"]}
    rows: dict[str, int] = {}
    for i, row in enumerate(grid[1:] if grid else [], start=2):
        if not row or row[0] in (None, ""):
            continue
        key = normalize(row[0])
        value = _day(row[1]) if len(row) > 1 else None
        rows[key] = i
        if value not in (None, ""):
            raw[known.get(key, str(row[0]).strip())] = value
    values: dict[str, Any] = {}
    for field in schema["settings"]:
        name, value = field["name"], raw.get(field["name"])
        if value is None:
            continue
        try:
            values[name] = _setting_value(field, value)
        except formulas.InputError as exc:
            problems.add(
                "Settings",
                rows.get(normalize(name)),
                "Value",
                value,
                f"{name}: {exc}; using the default",
            )
    settings = formulas.Settings(**values)
    if raw.get("as_of") is not None:
        try:
            raw["as_of"] = formulas.to_date(raw["as_of"], "as_of", day_first=True)
        except formulas.InputError as exc:
            problems.add("Settings", rows.get("asof"), "Value", raw["as_of"], f"{exc}; using today")
            raw["as_of"] = None
    raw["fbm_enabled"] = settings.fbm_enabled
    return settings, raw


def _setting_value(field: Mapping[str, Any], value: Any) -> Any:
    name, kind = field["name"], field["type"]
    if kind in ("tuple", "list"):
        parts = re.split(r"[,;\s]+", str(value))
        numbers = tuple(formulas.to_number(p, name) for p in parts if p.strip())
        if not numbers or any(n is None for n in numbers):
            raise formulas.InputError(f"expected a list of numbers like {value!r}")
        return tuple(int(n) for n in numbers) if name == "velocity_windows" else numbers
    if kind == "bool":
        flag = formulas.to_flag(value)
        if flag is None:
            raise formulas.InputError("expected yes or no")
        return flag
    if kind == "str":
        return str(value).strip().lower()
    number = formulas.to_number(value, name)
    if number is None or number < 0:
        raise formulas.InputError("expected a number ≥ 0")
    if name == "service_level" and not 0 < number < 1:
        raise formulas.InputError("expected a fraction between 0 and 1, e.g. 0.95")
    return int(number) if kind == "int" else number


def read_inputs(schema: Mapping[str, Any], grids: Mapping[str, Grid | None]) -> dict[str, Any]:
    """Every input tab, read and checked against the others (sheets_sync.inputs.read_inputs)."""
    problems = Problems()
    settings, raw = read_settings(schema, grids.get("Settings"), problems)
    day_first = raw.get("currency") != "USD" if raw.get("currency") else None
    tables = {
        tab: read_table(schema, tab, grids.get(tab), problems, day_first)
        for tab in ("Inventory", "Sales", "Inbound", "Promotions", "Orders", "Stock elsewhere")
    }
    tables = {tab: [r for r in rows if r["_ok"]] for tab, rows in tables.items()}
    seen: set[str] = set()
    inventory = []
    for row in tables["Inventory"]:
        if row["sku"] in seen:
            problems.add(
                "Inventory",
                row["_row"],
                "SKU",
                row["sku"],
                "duplicate SKU: only its first row is used",
            )
            continue
        seen.add(row["sku"])
        if row["available"] < 0:
            problems.add(
                "Inventory",
                row["_row"],
                "Available",
                row["available"],
                "negative stock counts as 0",
            )
            row["available"] = 0.0
        inventory.append(row)
    for tab in ("Sales", "Inbound", "Promotions", "Orders", "Stock elsewhere"):
        unknown: dict[str, list[int]] = {}
        kept = []
        for row in tables[tab]:
            if row["sku"] in seen or (tab == "Promotions" and row["sku"] == "*"):
                kept.append(row)
            else:
                unknown.setdefault(row["sku"], []).append(row["_row"])
        for sku in sorted(unknown):
            at = unknown[sku]
            problems.add(
                tab,
                at[0],
                "SKU",
                sku,
                f"SKU is not on the Inventory tab: its {len(at)} row(s) are ignored",
            )
        tables[tab] = kept
    negative = 0
    for row in tables["Sales"]:
        if row["units"] < 0:
            if negative < 50:
                problems.add(
                    "Sales", row["_row"], "Units", row["units"], "negative units count as 0"
                )
            negative += 1
            row["units"] = 0.0
    for tab, column, key, bad, why in SKIPPED_ROWS:
        tables[tab] = _drop(tables[tab], bad, tab, column, key, why, problems)
    inbound = [r for r in tables["Inbound"] if supply.stage_of(r.get("status")) != supply.CLOSED]
    promos, elsewhere = tables["Promotions"], tables["Stock elsewhere"]
    return {"settings": settings, "raw": raw, "inventory": inventory, "sales": tables["Sales"],
            "inbound": inbound, "promotions": promos, "problems": problems,
            "elsewhere": elsewhere}  # fmt: skip


def _drop(
    rows: list[dict], bad: Any, tab: str, column: str, key: str, why: str, problems: Problems
) -> list[dict]:
    kept = []
    for row in rows:
        if bad(row):
            problems.add(tab, row["_row"], column, row[key], why)
        else:
            kept.append(row)
    return kept
