"""Reading a workbook's input tabs inside xlwings Lite, with the standard library only.

The Python twin of addin/google/InputTabs.gs (and of what sheets_sync.inputs does with pandas),
by the same rules (README "How what you type is read"): headers matched case-insensitively
ignoring spaces, `-` and `_`, with the aliases of the tab contract (`schema`, generated from
sheets_sync.workbook); text dates and numbers read per column by `addin.reading`; SKUs matched by
`addin.names`; every unreadable cell a Problems row, and a SKU with one still planned and
flagged. A missing tab or required column is a `Refusal`: nothing is written. Used by
addin/lite_refresh.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol, TypeGuard

from addin import formulas, supply
from addin.cells import blank
from addin.names import missing_columns, missing_tab, nearest, sku_key
from addin.reading import (
    FIRST_DATE,
    LAST_DATE,
    Reader,
    out_of_range,
    parse_locale,
    read_date,
    read_number,
)

Grid = list[list[Any]]
READ_AS = {"int": "number", "money": "number", "pct": "number", "days": "number",
           "datetime": "date", "list": "text"}  # fmt: skip
#: A count of days (lead-time legs, day settings) over ten years is a typo, and no date fits it.
MAX_DAYS = 3660
#: A quantity or price over a trillion is a typo or a pasted code, and would overflow the math.
MAX_NUMBER = 1e12
#: The cells that drop their row when unreadable. Everywhere else a bad required cell drops the
#: row (a sale with no date says nothing), but an Inventory row is a SKU: it is planned with
#: what is readable and flagged, never dropped for a bad Available or Price.
ROW_KEYS = {"Inventory": ("sku",), "Orders": ("order_id", "sku")}
KEPT = {
    "Inventory": "the SKU is planned without it",
    "Orders": "estimated from Purchase date + Settings handling_time_days, when there is one",
}
_LAST_SERIAL = (LAST_DATE - formulas.EXCEL_EPOCH).days
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


class Refusal(ValueError):
    """The workbook cannot be planned as it is (a missing tab or column, no SKU): the message
    says what to fix, and nothing is written."""


class ProblemList(Protocol):
    """Where readers put what they could not read (this Problems, sheets_sync's Problems)."""

    def add(self, tab: str, row: int | None, column: str, value: Any, problem: str) -> None: ...


class Problems(list[list[Any]]):
    """Rows of the Problems tab: tab, row, column, value, problem; `skus` the SKU of each."""

    def __init__(self) -> None:
        super().__init__()
        self.skus: list[str | None] = []

    def add(
        self,
        tab: str,
        row: int | None,
        column: object,
        value: object,
        problem: str,
        sku: str | None = None,
    ) -> None:
        self.append([tab, row, column, value, problem])
        self.skus.append(sku)


# --- reading -------------------------------------------------------------------------------


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def bad_message(kind: str, header: str, shown: object) -> str:
    """The reason a cell could not be read, in the words of the cell functions (every refresh
    writes these: sheets_sync.inputs too, and InputTabs.gs mirrors them)."""
    read_as = READ_AS.get(kind, kind)
    try:
        if read_as == "number":
            number = formulas.to_number(shown, header)
            if kind == "days" and number is not None and number > MAX_DAYS:
                return f"{header}: {number:g} days is more than ten years ({MAX_DAYS})"
            if number is not None and abs(number) > MAX_NUMBER:
                return f"{header}: {number:g} is too big to be a real figure (over 10^12)"
        elif read_as == "date":
            day = formulas.to_date(_day(shown), header, day_first=True)
            if day is not None and out_of_range(day, header):
                return str(out_of_range(day, header))
        elif read_as == "bool":
            formulas.to_flag(shown)
    except formulas.InputError as exc:
        return str(exc)
    return f"{header} could not be read"


def _cell(read_as: str, kind: str, raw: object) -> tuple[bool, Any]:
    """A cell that is not text: (readable, value)."""
    try:
        if read_as == "number":
            if isinstance(raw, bool) or not _number(raw):
                return False, None
            value = float(raw)
            limit = MAX_DAYS if kind == "days" else MAX_NUMBER
            return abs(value) <= limit, value if abs(value) <= limit else None
        if read_as == "date":
            if _number(raw):
                if not 1 <= raw < _LAST_SERIAL + 1:
                    return False, None
                return True, formulas.add_days(formulas.EXCEL_EPOCH, int(raw // 1))
            day = formulas.to_date(_day(raw), "date")
            return (True, day) if day is None or FIRST_DATE <= day <= LAST_DATE else (False, None)
        if read_as == "bool":
            if isinstance(raw, bool):
                return True, raw
            if _number(raw):
                return True, raw != 0
            return True, formulas.to_flag(raw)
    except formulas.InputError:
        return False, None
    return True, _text(raw)


def _in_range(day: dt.date | None) -> dt.date | None:
    return day if day is not None and FIRST_DATE <= day <= LAST_DATE else None


def locate(schema: Mapping[str, Any], tab: str, grid: Grid | None) -> dict[str, int] | None:
    """Column key -> index of a tab's header; None for a missing or empty tab. A Refusal for a
    required column the header lacks (naming the nearest header it has)."""
    spec = schema["tabs"][tab]
    if not grid or all(blank(h) for h in grid[0]):
        if grid and any(not blank(c) for row in grid[1:] for c in row):
            raise Refusal(missing_columns(tab, [c["header"] for c in spec if c["required"]], []))
        return None
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
        raise Refusal(missing_columns(tab, missing, list(grid[0])))
    return positions


def text_cells(grid: Grid, pos: int) -> list[str]:
    """A column's text cells (what the workbook's reading rules learn from)."""
    return [
        r[pos] for r in grid[1:] if pos < len(r) and isinstance(r[pos], str) and not blank(r[pos])
    ]


def read_table(
    schema: Mapping[str, Any],
    tab: str,
    grid: Grid | None,
    problems: Problems,
    reader: Reader | None = None,
) -> list[dict[str, Any]]:
    """An input tab as dicts keyed by column key, with `_row` and `_ok`; bad cells reported
    (sheets_sync.inputs.read_table, in the same order). A Refusal for a missing column."""
    spec = schema["tabs"][tab]
    positions = locate(schema, tab, grid)
    if positions is None or grid is None:
        return []
    reader = reader or Reader()
    width = max(len(grid[0]), max(positions.values()) + 1)
    rows: list[dict[str, Any]] = []
    for r, raw_row in enumerate(grid[1:], start=2):
        row_cells = list(raw_row) + [None] * (width - len(raw_row))
        if not all(blank(c) for c in row_cells):
            rows.append({"_row": r, "_ok": True, "_raw": row_cells})
    keys = ROW_KEYS.get(tab)
    sku_at = positions.get("sku")

    def report(row: dict, header: object, value: object, why: str) -> None:
        sku = None if sku_at is None or blank(row["_raw"][sku_at]) else _text(row["_raw"][sku_at])
        problems.add(tab, row["_row"], header, value, why, sku)

    for col in spec:
        pos = positions.get(col["key"])
        if pos is None:
            for row in rows:
                row[col["key"]] = None
            continue
        kind = col["kind"]
        read_as = READ_AS.get(kind, kind)
        header = grid[0][pos]
        bad: list[dict] = []
        texts: list[dict] = []
        seen_values: dict[Any, tuple[bool, Any]] = {}
        for row in rows:
            raw = row["_raw"][pos]
            row[col["key"]] = None
            if blank(raw):
                continue
            if isinstance(raw, str) and read_as in ("number", "date"):
                texts.append(row)
                continue
            memo = (type(raw), raw)
            if memo not in seen_values:
                seen_values[memo] = _cell(read_as, kind, raw)
            ok, value = seen_values[memo]
            if ok:
                row[col["key"]] = value
            else:
                bad.append(row)
        if texts:
            column = [row["_raw"][pos] for row in texts]
            rule = reader.date_column if read_as == "date" else reader.number_column
            reading = rule(column, [row["_row"] for row in texts])
            if reading.note:
                problems.add(tab, reading.row, str(header), reading.example, reading.note)
            for row in texts:
                text = row["_raw"][pos]
                if read_as == "date":
                    value = _in_range(read_date(text, bool(reading.key)))
                else:
                    value = read_number(text, str(reading.key))
                    limit = MAX_DAYS if kind == "days" else MAX_NUMBER
                    value = value if value is None or abs(value) <= limit else None
                if value is None:
                    bad.append(row)
                row[col["key"]] = value
            bad.sort(key=lambda row: row["_row"])
        drops = col["required"] and (keys is None or col["key"] in keys)
        for row in bad:
            why = bad_message(kind, col["header"], row["_raw"][pos])
            report(row, header, row["_raw"][pos], why + ("; row skipped" if drops else ""))
        if col["required"]:
            unreadable = {row["_row"] for row in bad}
            for row in rows:
                if row[col["key"]] is None and row["_row"] not in unreadable:
                    what = "row skipped" if drops else KEPT[tab]
                    report(row, header, None, f"{col['header']} is required: {what}")
            if drops:
                for row in rows:
                    if row[col["key"]] is None:
                        row["_ok"] = False
    for row in rows:
        del row["_raw"]
    return rows


def read_settings(
    defaults: Mapping[str, Any], grid: Grid | None, problems: ProblemList
) -> tuple[formulas.Settings, dict[str, Any]]:
    """Settings tab -> the math's Settings plus every raw key (language, currency, e-mail, …),
    from the tab contract's DEFAULTS (`settingDefaults`); `_rows` says where each key is.

    A bad value falls back to its default and is reported: a typo in one setting must not stop
    the refresh. Every refresh reads Settings here (sheets_sync.inputs too).
    """
    raw: dict[str, Any] = dict(defaults)
    known = {normalize(k): k for k in defaults}
    rows: dict[str, int] = {}
    for i, row in enumerate(grid[1:] if grid else [], start=2):
        if not row or row[0] in (None, ""):
            continue
        key = normalize(row[0])
        value = _day(row[1]) if len(row) > 1 else None
        rows[key] = i
        if value not in (None, ""):
            raw[known.get(key, str(row[0]).strip())] = value
    fields = {f.name: f.default for f in dataclasses.fields(formulas.Settings)}
    values: dict[str, Any] = {}
    for name, default in fields.items():
        value = raw.get(name)
        if value is None:
            continue
        try:
            values[name] = setting_value(name, value, default)
        except formulas.InputError as exc:
            at = rows.get(normalize(name))
            problems.add("Settings", at, "Value", value, f"{name}: {exc}; using the default")
    windows = values.get("velocity_windows", formulas.Settings.velocity_windows)
    weights = values.get("velocity_weights", formulas.Settings.velocity_weights)
    try:
        formulas.check_windows(windows, weights)
    except formulas.InputError as exc:
        at = rows.get("velocitywindows", rows.get("velocityweights"))
        why = f"velocity_windows and velocity_weights: {exc}; using the defaults"
        problems.add("Settings", at, "Value", raw.get("velocity_windows"), why)
        values.pop("velocity_windows", None)
        values.pop("velocity_weights", None)
    if len(values.get("warn_days", formulas.Settings.warn_days)) != 3:
        why = "warn_days needs three numbers, e.g. 30,15,7; using the default"
        problems.add("Settings", rows.get("warndays"), "Value", raw.get("warn_days"), why)
        values.pop("warn_days")
    settings = formulas.Settings(**values)
    for name, default in defaults.items():  # the words' numbers (handling_time_days)
        if name in fields or not _number(default) or raw[name] == default:
            continue
        try:
            raw[name] = setting_value(name, raw[name], default)
        except formulas.InputError as exc:
            at = rows.get(normalize(name))
            problems.add("Settings", at, "Value", raw[name], f"{name}: {exc}; using the default")
            raw[name] = default
    raw["fbm_enabled"] = settings.fbm_enabled
    raw["_rows"] = rows
    return settings, raw


#: The days a plan can be made as of (sheets_sync.inputs.plan_date).
FIRST_PLAN_DATE, LAST_PLAN_DATE = dt.date(1900, 1, 1), dt.date(2199, 12, 31)


def _settings_date(raw: dict, reader: Reader, problems: Problems) -> None:
    """`Settings!as_of` read by the workbook's date rule (sheets_sync.inputs.settings_date)."""
    value = raw.get("as_of")
    row = raw["_rows"].get("asof")
    day: Any = value
    if isinstance(value, str) and value.strip():
        reading = reader.date_column([value])
        if reading.note:
            problems.add("Settings", row, "Value", value, f"as_of: {reading.note}")
        day = read_date(value, bool(reading.key)) or value
    try:
        day = formulas.to_date(day, "as_of")
        if day is not None and not FIRST_PLAN_DATE <= day <= LAST_PLAN_DATE:
            raise formulas.InputError(
                f"as_of must be between {FIRST_PLAN_DATE} and {LAST_PLAN_DATE}, got {day}"
            )
        raw["as_of"] = day
    except formulas.InputError as exc:
        problems.add("Settings", row, "Value", value, f"{exc}; using today")
        raw["as_of"] = None


#: Settings a zero makes meaningless (a zero horizon turns every SKU OK).
_AT_LEAST_ONE = {"horizon_days"}


def setting_value(name: str, value: Any, default: Any) -> Any:
    """One Settings value read like its DEFAULT (a list of numbers, yes/no, a word, a number),
    or InputError saying what was expected."""
    if isinstance(default, tuple | list):
        parts = value if isinstance(value, list | tuple) else re.split(r"[,;\s]+", str(value))
        read = tuple(formulas.to_number(p, name) for p in parts if str(p).strip())
        numbers = tuple(n for n in read if n is not None)
        if not numbers or len(numbers) < len(read):
            raise formulas.InputError(f"expected a list of numbers like {value!r}")
        if any(n < 0 or n > MAX_NUMBER for n in numbers):
            raise formulas.InputError(f"expected numbers ≥ 0 like {tuple(default)!r}")
        if name == "velocity_windows":
            return tuple(int(n) for n in numbers)
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
    if number > MAX_NUMBER:
        raise formulas.InputError("expected a number up to 10^12")
    if name in _AT_LEAST_ONE and number < 1:
        raise formulas.InputError("expected a whole number of days ≥ 1")
    if name == "service_level" and not 0 < number < 1:
        raise formulas.InputError("expected a fraction between 0 and 1, e.g. 0.95")
    return int(number) if isinstance(default, int) else number


DATA_TABS = ("Inventory", "Sales", "Inbound", "Promotions", "Orders", "Stock elsewhere")


def check_tabs(schema: Mapping[str, Any], grids: Mapping[str, Grid | None], names: list) -> None:
    """A Refusal for a missing Inventory or Sales tab, or an input tab that looks renamed."""
    known = {normalize(t) for t in schema["tabs"]}
    others = [str(n) for n in names if normalize(n) not in known and str(n).strip()]
    for tab in schema["inputTabs"]:
        if grids.get(tab) is None:
            refusal = missing_tab(tab, others, tab in schema["requiredTabs"])
            if refusal:
                raise Refusal(refusal)


def read_inputs(
    schema: Mapping[str, Any], grids: Mapping[str, Grid | None], names: list | None = None
) -> dict[str, Any]:
    """Every input tab, read and checked against the others (sheets_sync.inputs.read_inputs).
    NAMES: every tab the workbook has (to spot a renamed one). Raises Refusal."""
    check_tabs(schema, grids, names or [])
    problems = Problems()
    settings, raw = read_settings(schema["settingDefaults"], grids.get("Settings"), problems)
    try:
        locale = parse_locale(raw.get("locale"), schema["locales"])
    except ValueError as exc:
        problems.add("Settings", raw["_rows"].get("locale"), "Value", raw.get("locale"), str(exc))
        locale = parse_locale(None, schema["locales"])
    reader = Reader(locale)
    for tab in DATA_TABS:
        grid = grids.get(tab)
        positions = locate(schema, tab, grid) or {}
        for col in schema["tabs"][tab]:
            read_as = READ_AS.get(col["kind"], col["kind"])
            if grid and read_as in ("date", "number") and col["key"] in positions:
                pos = positions[col["key"]]
                learn = reader.learn_dates if read_as == "date" else reader.learn_numbers
                learn(f"{tab} {grid[0][pos]}", text_cells(grid, pos))
    _settings_date(raw, reader, problems)
    tables = {tab: read_table(schema, tab, grids.get(tab), problems, reader) for tab in DATA_TABS}
    tables = {tab: [r for r in rows if r["_ok"]] for tab, rows in tables.items()}
    if not tables["Inventory"]:
        raise Refusal(
            "Nothing to plan yet: fill the Inventory tab (SKU and Available, one row per SKU), "
            "then Sales (Date, SKU, Units), and refresh again. Nothing was changed."
        )
    spelling: dict[str, str] = {}
    inventory = []
    for row in tables["Inventory"]:
        key = sku_key(row["sku"])
        if key in spelling:
            first = spelling[key]
            problems.add(
                "Inventory", row["_row"], "SKU", row["sku"],
                f"duplicate SKU (same as {first!r}, case and spaces aside): only its first row "
                "is used", first,
            )  # fmt: skip
            continue
        spelling[key] = row["sku"]
        inventory.append(row)
    _not_negative(inventory, problems)
    known = [row["sku"] for row in inventory]
    for tab in ("Sales", "Inbound", "Promotions", "Orders", "Stock elsewhere"):
        unknown: dict[str, list[int]] = {}
        kept = []
        for row in tables[tab]:
            found = spelling.get(sku_key(row["sku"]))
            if found is not None or (tab == "Promotions" and row["sku"] == "*"):
                row["sku"] = found or row["sku"]
                kept.append(row)
            else:
                unknown.setdefault(row["sku"], []).append(row["_row"])
        for sku in sorted(unknown):
            at = unknown[sku]
            near = nearest(sku, known)
            problems.add(tab, at[0], "SKU", sku, unknown_sku(len(at), near), near)
        tables[tab] = kept
    negative = 0
    for row in tables["Sales"]:
        if row["units"] < 0:
            if negative < 50:
                problems.add(
                    "Sales", row["_row"], "Units", row["units"], "negative units count as 0",
                    row["sku"],
                )  # fmt: skip
            negative += 1
            row["units"] = 0.0
    for tab, column, key, bad, why in SKIPPED_ROWS:
        tables[tab] = _drop(tables[tab], bad, tab, column, key, why, problems)
    inbound = [r for r in tables["Inbound"] if supply.stage_of(r.get("status")) != supply.CLOSED]
    promos, elsewhere = tables["Promotions"], tables["Stock elsewhere"]
    raw.pop("_rows", None)
    flagged = [(p[0], p[2], sku) for p, sku in zip(problems, problems.skus, strict=True)]
    return {"settings": settings, "raw": raw, "inventory": inventory, "sales": tables["Sales"],
            "inbound": inbound, "promotions": promos, "problems": problems,
            "elsewhere": elsewhere, "checks": checks(flagged, known)}  # fmt: skip


#: Inventory numbers that cannot be negative (or, for Case pack, zero): reported and ignored,
#: so the plan falls back to the Settings default instead of showing Lost revenue −1,200.
NOT_NEGATIVE = {
    "reserved": "Reserved", "fbm_stock": "FBM stock", "price": "Price", "unit_cost": "Unit cost",
    "case_pack": "Case pack", "moq": "MOQ", "unit_weight": "Unit weight kg",
    "production_days": "Production days", "sea_days": "Sea days", "air_days": "Air days",
    "express_days": "Express days", "receiving_days": "Receiving days",
}  # fmt: skip


def _not_negative(inventory: list[dict], problems: Problems) -> None:
    """Negative stock counts as none; other negative numbers are reported and left blank."""
    for row in inventory:
        if row["available"] is not None and row["available"] < 0:
            problems.add(
                "Inventory", row["_row"], "Available", row["available"],
                "negative stock counts as 0", row["sku"],
            )  # fmt: skip
            row["available"] = 0.0
    for key, header in NOT_NEGATIVE.items():
        for row in inventory:
            value = row.get(key)
            if value is not None and (value <= 0 if key == "case_pack" else value < 0):
                why = "must be above 0" if key == "case_pack" else "cannot be negative"
                problems.add("Inventory", row["_row"], header, value, f"{header} {why}: ignored",
                             row["sku"])  # fmt: skip
                row[key] = None


def unknown_sku(rows: int, near: str | None) -> str:
    """The Problems text for rows of a SKU Inventory does not have."""
    hint = f" (did you mean {near!r}?)" if near else ""
    return f"SKU is not on the Inventory tab{hint}: its {rows} row(s) are ignored"


def checks(found: Iterable[tuple[str, Any, str | None]], known: list[str]) -> dict[str, list[str]]:
    """SKU -> the inputs to fix (`CHECK Inventory Available`), a flag on its Alerts row, from
    each problem's (tab, column, SKU)."""
    spelling = {sku_key(s): s for s in known}
    out: dict[str, list[str]] = {}
    for tab, column, sku in found:
        spelt = spelling.get(sku_key(sku)) if sku is not None else None
        if spelt is not None:
            check = f"CHECK {tab} {column}".strip()
            if check not in out.setdefault(spelt, []):
                out[spelt].append(check)
    return out


def _drop(
    rows: list[dict], bad: Any, tab: str, column: str, key: str, why: str, problems: Problems
) -> list[dict]:
    kept = []
    for row in rows:
        if bad(row):
            problems.add(tab, row["_row"], column, row[key], why, row["sku"])
        else:
            kept.append(row)
    return kept
