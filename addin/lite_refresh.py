"""Refresh for xlwings Lite (Excel on the web and Mac): plan the open workbook inside Excel.

xlwings Lite runs Python in the browser (Pyodide), where stockout-kit's sync half (pandas, the
history store, the backends) is not available. This module plans the workbook's own tabs with
the standard library and the addin math only, the way the Google Sheets in-sheet refresh does
(addin/google/Refresh.gs and InputTabs.gs, of which this is the Python twin): the same tab
contract (passed in as `schema`, generated from sheets_sync.workbook like Schema.gs), the same
Problems rows, every number from `formulas.plan_sku`. A test refreshes the demo workbook here
under Pyodide and with `stockout refresh`, and compares the Alerts, Incidents and Problems cell
for cell. Drafts, the history store and the Timeline chart need `stockout refresh` or the server.

`stockout_refresh(book)` is the xlwings Lite script (the Run button, or a sheet button).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any

from addin import decisions, demand_history, formulas, supply
from addin.cells import blank, counted
from addin.lite_tabs import Grid, Problems, Refusal, normalize, read_inputs, read_table
from addin.references import Moves, follow_text
from addin.season import ProfileError, category_profiles, parse_profile, sku_profile

OUTPUTS = ("Alerts", "Incidents", "Problems")


# --- the plan (sheets_sync.plan.compute_plan) ----------------------------------------------


def _items(
    inputs: Mapping[str, Any], as_of: dt.date, known: list[dict]
) -> list[decisions.SkuInput]:
    s = inputs["settings"]
    recent = max(max(s.velocity_windows), 90)
    span = max(recent, 7 * demand_history.WEEKS)  # the forecast reads last year's weeks
    history = {
        r["sku"]: {"units": [0.0] * span, "flags": [None] * span, "start": span}
        for r in inputs["inventory"]
    }
    for row in inputs["sales"]:
        h = history[row["sku"]]
        d = (row["date"] - as_of).days + span
        if d < 0:
            h["start"] = 0
        elif d < span:
            h["units"][d] += row["units"]
            h["start"] = min(h["start"], d)
            if row["in_stock"] is not None:
                h["flags"][d] = row["in_stock"]
    inbound: dict[str, list[supply.Inbound]] = {}
    for row in inputs["inbound"]:
        ready = row.get("ready_date")
        batch = supply.Inbound(
            day=(row["eta"] - as_of).days,
            qty=row["qty"],
            status=row.get("status") or "",
            ready_day=None if ready is None else (ready - as_of).days,
            mode=(row.get("mode") or "").strip().lower(),
            shipment_id=row.get("shipment_id") or "",
        )
        inbound.setdefault(row["sku"], []).append(batch)
    elsewhere: dict[str, list[supply.Elsewhere]] = {}
    for row in inputs["elsewhere"]:
        place = supply.Elsewhere(
            location=str(row["location"]),
            qty=row["qty"],
            transfer_days=row.get("transfer_days"),
            ships_fbm=row.get("ships_fbm") is True,
            cost_per_unit=row.get("cost_per_unit"),
        )
        elsewhere.setdefault(row["sku"], []).append(place)
    promos: dict[str, list[tuple[int, int, float]]] = {}
    for row in inputs["promotions"]:
        span_days = ((row["start"] - as_of).days, (row["end"] - as_of).days, row["uplift"])
        promos.setdefault(row["sku"], []).append(span_days)
    restocked: dict[str, int] = {}
    for rec in known:
        if rec.get("ended") and rec["ended"] <= as_of:
            days = (as_of - rec["ended"]).days
            restocked[rec["sku"]] = min(days, restocked.get(rec["sku"], days))
    groups, bad = category_profiles(inputs["raw"])
    for _key, value, why in bad:
        inputs["problems"].add("Settings", None, "Value", value, why)
    items = []
    for row in inputs["inventory"]:
        h = history[row["sku"]]
        start = max(h["start"], span - recent)
        flags = h["flags"] if any(f is not None for f in h["flags"]) else None
        try:
            season = parse_profile(row.get("season"))
        except ProfileError as exc:
            inputs["problems"].add("Inventory", row["_row"], "Season", row.get("season"), str(exc))
            season = None
        season = sku_profile(season, row.get("category"), groups)
        out = [f is False for f in h["flags"]]
        items.append(decisions.SkuInput(
            available=row["available"] or 0.0, units=h["units"][start:],
            in_stock=flags[start:] if flags else None, inbound=inbound.get(row["sku"], []),
            promotions=decisions.promotions_of(row["sku"], promos),
            fbm_stock=row.get("fbm_stock") or 0.0, price=row.get("price"),
            unit_cost=row.get("unit_cost"), unit_weight=row.get("unit_weight"),
            elsewhere=elsewhere.get(row["sku"], []),
            case_pack=row.get("case_pack"), moq=row.get("moq"),
            production_days=row.get("production_days"), sea_days=row.get("sea_days"),
            air_days=row.get("air_days"), express_days=row.get("express_days"),
            receiving_days=row.get("receiving_days"), days_since_restock=restocked.get(row["sku"]),
            fee_exempt=row.get("fee_exempt"),
            season=season, weeks=demand_history.weekly(h["units"][h["start"]:], out[h["start"]:]),
        ))  # fmt: skip
    return items


#: The action of a SKU whose stock cannot be read: fix the cell first, then it gets a plan.
FIX_INPUT = "FIX INPUT"
#: What a plan says that depends on the stock on hand: blank when Available is unreadable.
STOCK_COLUMNS = (
    "available", "days_of_cover", "cover_incl_inbound", "stockout_date", "days_to_stockout",
    "next_inbound_eta", "next_inbound_qty", "next_inbound_id", "next_inbound_mode",
    "back_in_stock", "gap_days", "lost_units", "lost_revenue", "reorder_by", "reorder_qty",
    "air_arrival", "air_units", "last_out_day", "stockout_risk", "option_cost", "margin_saved",
    "options", "alternatives",
)  # fmt: skip


def fix_input_text(row: int) -> str:
    """The action of a SKU whose Available (Inventory row ROW) cannot be read."""
    return (
        f"{FIX_INPUT}: Inventory row {row}, Available cannot be read (see Problems); "
        "fix it and refresh"
    )


#: Plan fields shown under another name, and those that are days from as_of shown as dates.
_RENAMED = {"stockout_day": "days_to_stockout", "lead_time": "lead_time_days",
            "last_out_of_stock_day": "last_out_day"}  # fmt: skip
_DATES = {"stockout_day": "stockout_date", "next_inbound_day": "next_inbound_eta",
          "back_in_stock_day": "back_in_stock", "reorder_by_day": "reorder_by",
          "air_arrival_day": "air_arrival"}  # fmt: skip


def plan(
    schema: Mapping[str, Any], inputs: Mapping[str, Any], as_of: dt.date, known: list[dict]
) -> dict[str, Any]:
    """Every SKU planned and sorted most urgent first, and the incident log."""
    items = _items(inputs, as_of, known)
    shipments: dict[tuple[str, int], list[Any]] = {}
    for row in inputs["inbound"]:
        key = (row["sku"], max(0, (row["eta"] - as_of).days))
        before = shipments.get(key, [0.0, None, None])
        shipments[key] = [
            before[0] + row["qty"],
            before[1] or row.get("shipment_id"),
            before[2] or (row.get("mode") or "").strip().lower(),
        ]
    skus = []
    for row, item in zip(inputs["inventory"], items, strict=True):
        p = decisions.plan_sku(item, inputs["settings"], as_of)
        rec = {name: getattr(p, name) for name in p.__dataclass_fields__}
        rec["action_text"] = decisions.delay_notes(p.action_text, False)  # Lite writes no Drafts
        for name, shown in _RENAMED.items():
            rec[shown] = rec[name]
        for name, shown in _DATES.items():
            rec[shown] = None if rec[name] is None else formulas.add_days(as_of, rec[name])
        day = p.next_inbound_day
        ship = [None] * 3 if day is None else shipments.get((row["sku"], day), [None] * 3)
        rec.update(
            sku=row["sku"], title=row.get("title"), asin=row.get("asin"),
            supplier=row.get("supplier"),
            available=item.available, fbm_stock=item.fbm_stock, price=item.price,
            next_inbound_qty=ship[0], next_inbound_id=ship[1], next_inbound_mode=ship[2],
            _item=item,
        )  # fmt: skip
        rec["flags"] = [*rec["flags"], *inputs.get("checks", {}).get(row["sku"], [])]
        if row["available"] is None:  # unreadable: a row that says which cell to fix
            rec.update(dict.fromkeys(STOCK_COLUMNS), alert=formulas.NO_DATA, action=FIX_INPUT,
                       action_text=fix_input_text(row["_row"]))  # fmt: skip
        skus.append(rec)
    severity = schema["severity"]
    skus.sort(key=lambda r: (-1 if r["available"] is None else severity.index(r["alert"]),
                             r["days_to_stockout"] is None, r["days_to_stockout"] or 0,
                             r["sku"]))  # fmt: skip
    incidents = _incidents(schema, skus, known, as_of)
    since = decisions.out_since(incidents)
    for rec in skus:
        if rec["alert"] == formulas.OUT and rec["sku"] in since:
            rec["stockout_date"] = since[rec["sku"]]
            rec["days_to_stockout"] = (since[rec["sku"]] - as_of).days
    return {"as_of": as_of, "skus": skus, "incidents": incidents}


def _incidents(
    schema: Mapping[str, Any], skus: list[dict], known: list[dict], as_of: dt.date
) -> list[dict]:
    """The post-mortem log: stockouts in the history and the one now (incidents.incident_log)."""
    log: dict[str, dict[dt.date, dict]] = {}
    for rec in known:
        if rec.get("started"):
            log.setdefault(rec["sku"], {})[rec["started"]] = dict(rec)
    for row in skus:
        item = row["_item"]
        if row["available"] is None:  # stock unknown: no incident on a guess
            continue
        if not (row["last_out_day"] is not None or row["available"] <= 0 or row["sku"] in log):
            continue
        runs = decisions.out_runs(item, as_of) if row["last_out_day"] is not None else []
        if item.available <= 0 and not any(end is None for _, end in runs):
            runs.append((as_of, None))
        if not runs and row["sku"] not in log:
            continue
        rows = log.setdefault(row["sku"], {})
        open_rows = [r for r in rows.values() if not r.get("ended")]
        for started, ended in runs:
            rec = rows.setdefault(started, {"sku": row["sku"], "started": started, "ended": None})
            if not rec.get("ended"):
                rec["ended"] = ended
        if item.available > 0:
            for rec in open_rows:
                if not rec.get("ended"):
                    rec["ended"] = as_of
        for rec in rows.values():
            rec["days_out"] = ((rec.get("ended") or as_of) - rec["started"]).days
            if row["daily_sales"] is not None:
                rec["lost_units"], rec["lost_revenue"] = decisions.incident_losses(
                    row["daily_sales"], rec["days_out"], row["price"]
                )
    keys = [c["key"] for c in schema["tabs"]["Incidents"]]
    records = [{k: rec.get(k) for k in keys} for rows in log.values() for rec in rows.values()]
    return sorted(records, key=lambda r: (r["started"], r["sku"]))


def _incident_rows(schema: Mapping[str, Any], grid: Grid | None) -> list[dict]:
    """The Incidents tab as the last refresh left it (one the user broke reads as empty)."""
    try:
        return read_table(schema, "Incidents", grid, Problems())
    except Refusal:
        return []


# --- writing -------------------------------------------------------------------------------


def alert_row(rec: dict[str, Any], stamp: dt.datetime, translate: Callable[[Any], Any]) -> dict:
    """`rec`, one SKU's plan, as an Alerts row: the best action apart from the other options,
    whole units, words in the sheet's language. Shared with sheets_sync.outputs so the Lite
    refresh and the full one write the same row."""
    rec["updated"] = stamp
    others = (rec.get("action_text") or "").partition(decisions.ALSO)[2]
    rec["action_text"], rec["other_options"] = (
        decisions.chosen_action(rec.get("action_text")),
        others or None,
    )
    for key in ("available", "inbound"):
        if rec.get(key) is not None:
            rec[key] = formulas.round_to(rec[key], 0)
    for key in ("alert", "flags", "action_text", "other_options"):
        rec[key] = translate(rec.get(key))
    return rec


def words(schema: Mapping[str, Any], value: Any, language: str) -> Any:
    """Alert levels, actions and flags in the sheet's language."""
    return translated(value, schema["zhWords"]) if language == "zh" else value


def translated(value: Any, table: Mapping[str, str]) -> Any:
    """Text with each word of `table` replaced, longest first (so a phrase beats its parts)."""
    if not isinstance(value, str):
        return value
    for word in sorted(table, key=len, reverse=True):
        value = value.replace(word, table[word])
    return value


def headers(schema: Mapping[str, Any], tab: str, language: str) -> list[str]:
    return [
        (c["zh"] or c["header"]) if language == "zh" else c["header"] for c in schema["tabs"][tab]
    ]


def _key_part(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, int | float) and not isinstance(value, bool) and 20000 < value < 80000:
        return formulas.add_days(formulas.EXCEL_EPOCH, int(value))
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value.strip() if isinstance(value, str) else value


def output_grid(
    schema: Mapping[str, Any],
    tab: str,
    records: list[dict],
    existing: Grid | None,
    key: tuple[str, ...],
    language: str,
) -> Grid:
    """Owned columns from RECORDS, the user's columns (and formulas) carried over by KEY."""
    spec = schema["tabs"][tab]
    own = headers(schema, tab, language)
    known = {normalize(n) for c in spec for n in (c["header"], c["zh"], c["key"]) if n}
    old_header = existing[0] if existing else []
    positions = {normalize(h): i for i, h in enumerate(old_header) if not blank(h)}
    user_cols = [
        (i, str(h)) for i, h in enumerate(old_header) if not blank(h) and normalize(h) not in known
    ]

    def at(col: Mapping[str, Any]) -> int | None:
        return positions.get(normalize(col["header"]), positions.get(normalize(col["zh"])))

    found_at = [at(next(c for c in spec if c["key"] == k)) for k in key]
    key_pos = [p for p in found_at if p is not None]
    carried: dict[tuple, tuple[int, list]] = {}
    keyless: list[tuple[int, list]] = []
    produced = {tuple(_key_part(rec.get(p)) for p in key) for rec in records}
    if existing and len(key_pos) == len(found_at):
        owned_at = [at(c) for c in spec]
        for n, row in enumerate(existing[1:], start=2):
            cells = list(row) + [None] * (len(old_header) - len(row))
            k = tuple(_key_part(cells[p]) for p in key_pos)
            user = [cells[i] for i, _ in user_cols]
            # A row labelled in the key column (TOTAL) whose other own cells are blank or
            # formulas is the user's, not a removed SKU's: kept below like a row with no key.
            users = all(
                i is None or i in key_pos or blank(cells[i]) or str(cells[i]).startswith("=")
                for i in owned_at
            )
            if all(blank(part) for part in k) or (k not in produced and users):
                if not all(blank(c) for c in cells):
                    keyless.append(
                        (n, [cells[i] if i is not None else None for i in owned_at] + user)
                    )
            else:
                carried[k] = (n, user)
    rows: Grid = []
    from_rows: list[int | None] = []
    for rec in records:
        old_row, values = carried.get(
            tuple(_key_part(rec.get(p)) for p in key), (None, [None] * len(user_cols))
        )
        rows.append([rec.get(c["key"]) for c in spec] + values)
        from_rows.append(old_row)
    for old_row, values in keyless:
        rows.append(values)
        from_rows.append(old_row)
    # The user's formulas follow what they pointed at, by stockout refresh's rule: a TOTAL
    # over the whole table keeps covering it (addin.references).
    from_columns = [None if i is None else i + 1 for i in (at(c) for c in spec)]
    from_columns += [i + 1 for i, _ in user_cols]
    width = max((len(r) for r in existing), default=0) if existing else 0
    moves = Moves.between(from_rows, from_columns, (len(existing or [[]]), width), len(records))
    rows = [
        [follow_text(v, moves, tab) if isinstance(v, str) and v.startswith("=") else v for v in r]
        for r in rows
    ]
    return [own + [h for _, h in user_cols], *rows]


def _as_text(value: Any) -> Any:
    """Owned text is written as text: Excel would run `=…` and turn `0012` into 12."""
    if isinstance(value, str) and re.match(
        r"^(?:[=+\-@'\s\d.,:/(%$€£¥]|true$|false$)", value, re.I
    ):
        return "'" + value
    return value


def refresh_grids(
    schema: Mapping[str, Any],
    grids: Mapping[str, Grid | None],
    today: dt.date,
    now: dt.datetime | None = None,
    names: list[str] | None = None,
) -> tuple[dict[str, Grid], dict[str, Any]]:
    """The whole refresh on grids: {tab: new grid} for Alerts, Incidents, Problems; a summary.
    NAMES: every tab the workbook has (default: those of GRIDS). Raises lite_tabs.Refusal."""
    inputs = read_inputs(schema, grids, list(names or grids))
    as_of = inputs["raw"].get("as_of") or today
    language = str(inputs["raw"].get("sheet_language") or "en")
    known = [r for r in _incident_rows(schema, grids.get("Incidents")) if r["sku"]]
    result = plan(schema, inputs, as_of, known)
    stamp = now or dt.datetime.now().replace(microsecond=0)
    alerts = []
    for s in result["skus"]:
        rec = dict(s)
        rec["flags"] = ", ".join(s["flags"]) or None
        alerts.append(alert_row(rec, stamp, lambda v: words(schema, v, language)))
    problems = [[t, r, c, v if v is None or isinstance(v, int | float | dt.date) else str(v), p]
                for t, r, c, v, p in inputs["problems"]]  # fmt: skip
    out = {
        "Alerts": output_grid(schema, "Alerts", alerts, grids.get("Alerts"), ("sku",), language),
        "Incidents": output_grid(
            schema,
            "Incidents",
            result["incidents"],
            grids.get("Incidents"),
            ("sku", "started"),
            language,
        ),
        "Problems": [headers(schema, "Problems", language), *problems],
    }
    # The refresh's own cells are text where they could be read as more; the user's rows
    # below the table (a TOTAL) keep their formulas.
    body = {"Alerts": len(alerts), "Incidents": len(result["incidents"]), "Problems": len(problems)}
    for name, grid in out.items():
        owned = len(schema["tabs"][name])
        out[name] = [grid[0]] + [
            [_as_text(v) if i < owned and n < body[name] else v for i, v in enumerate(r)]
            for n, r in enumerate(grid[1:])
        ]
    counts: dict[str, int] = {}
    for s in result["skus"]:
        counts[s["alert"]] = counts.get(s["alert"], 0) + 1
    summary = {
        "skus": len(result["skus"]),
        "as_of": as_of.isoformat(),
        "alerts": counts,
        "problems": len(problems),
    }
    return out, summary


# --- the open workbook (xlwings Lite's Book) ----------------------------------------------

_NUMBER_FORMATS = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm", "int": "0",
                   "number": "0.0", "money": "#,##0.00"}  # fmt: skip


def _read(sheet: Any, with_formulas: bool) -> Grid:
    """A sheet's used range as rows; formulas instead of their values where WITH_FORMULAS."""
    used = sheet.used_range
    values = used.options(ndim=2).value or []
    grid = [list(row) for row in values]
    if with_formulas:
        found = used.formula
        found = found if isinstance(found, list | tuple) else [[found]]
        for r, row in enumerate(found):
            cells = row if isinstance(row, list | tuple) else [row]
            for c, text in enumerate(cells):
                if isinstance(text, str) and text.startswith("=") and r < len(grid):
                    grid[r][c] = text
    return grid


def summary_text(summary: Mapping[str, Any]) -> str:
    """`Refreshed 48 SKUs as of 2026-11-25: 3 OUT, 3 CRITICAL, … 31 OK.`"""
    order = ["OUT", "CRITICAL", "WARNING", "WATCH", "NO DATA", "OK"]
    counts = ", ".join(f"{summary['alerts'][a]} {a}" for a in order if summary["alerts"].get(a))
    text = f"Refreshed {counted(summary['skus'], 'SKU')} as of {summary['as_of']}: "
    text += f"{counts or 'none'}."
    if summary["problems"]:
        text += f" {counted(summary['problems'], 'problem')} listed on the Problems tab."
    return text


def refresh_book(book: Any, schema: Mapping[str, Any], today: dt.date | None = None) -> str:
    """Refresh the Alerts, Incidents and Problems tabs of BOOK in place; the summary line."""
    sheets = {normalize(s.name): s for s in book.sheets}
    grids = {}
    for tab in [*schema["inputTabs"], *OUTPUTS]:
        sheet = sheets.get(normalize(tab))
        grids[tab] = _read(sheet, tab in OUTPUTS) if sheet is not None else None
    try:
        out, summary = refresh_grids(
            schema, grids, today or dt.date.today(), names=[s.name for s in book.sheets]
        )
    except Refusal as refusal:  # every tab stays as it was
        return f"Not refreshed: {refusal}"
    for tab, grid in out.items():
        sheet = sheets.get(normalize(tab)) or book.sheets.add(tab)
        sheet.clear_contents()
        width = max(len(row) for row in grid)
        sheet["A1"].value = [row + [None] * (width - len(row)) for row in grid]
        if len(grid) > 1:
            for i, col in enumerate(schema["tabs"][tab]):
                if col["kind"] in _NUMBER_FORMATS:
                    cells = sheet.range((2, i + 1), (len(grid), i + 1))
                    cells.number_format = _NUMBER_FORMATS[col["kind"]]
    return summary_text(summary)
