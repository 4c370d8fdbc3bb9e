"""Every SKU's plan in one pass: pandas shapes the tables, `addin.formulas` does the math.

The only arithmetic here is bookkeeping (which days, which rows belong to which SKU); every
number a seller sees comes from `formulas.plan_sku`, so a cell function, the Apps Script port
and the sync can never disagree. Sales arrive as a long table and become one dense SKU × day
matrix (numpy indexing, no per-row Python), from which each SKU's history is a slice.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

import numpy as np
import pandas as pd

from addin import decisions, demand_history, formulas, relaunch, season, supply
from addin.lite_refresh import FIX_INPUT, STOCK_COLUMNS, fix_input_text
from sheets_sync import relaunches, sales_matrix
from sheets_sync import workbook as wb
from sheets_sync.fba_capacity import apply_capacity
from sheets_sync.fees import fee_column, with_reasons
from sheets_sync.incidents import (
    empty_incidents,
    incident_log,
    last_restocks,
    shipments_seen,
    suggest_causes,
)
from sheets_sync.inputs import Inputs
from sheets_sync.settings import Settings
from sheets_sync.vocab import SEVERITY

TIMELINE_DAYS = 90
TIMELINE_SKUS = 8
#: The Timeline's first column; a SKU of that name is shown as `Date (SKU)`, never over it.
TIMELINE_DATE = "Date"


@dataclass
class Plan:
    """The result of a refresh's computation, before anything is written."""

    as_of: dt.date
    settings: Settings
    skus: pd.DataFrame
    orders: pd.DataFrame
    incidents: pd.DataFrame
    timeline: pd.DataFrame
    previous_alerts: dict[str, str] = field(default_factory=dict)


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _no_cycle_collection(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Python's cyclic garbage collector paused while `func` runs.

    A plan builds hundreds of thousands of small objects that all live until the refresh ends
    and form no reference cycles; the collector would rescan them all several times as they
    pile up (a fifth of the plan's time at 10,000 SKUs) and free nothing. Reference counting
    still frees everything else as it goes.
    """

    @functools.wraps(func)
    def paused(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return func(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return paused


@_no_cycle_collection
def compute_plan(
    inputs: Inputs,
    as_of: dt.date,
    *,
    store_sales: pd.DataFrame | None = None,
    store_stock: pd.DataFrame | None = None,
    store_spans: pd.DataFrame | None = None,
    store_inbound: pd.DataFrame | None = None,
    restock: pd.DataFrame | None = None,
    inbound_etas: pd.DataFrame | None = None,
    incidents: pd.DataFrame | None = None,
    traffic: pd.DataFrame | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Plan:
    """Plan every SKU of the Inventory tab.

    `store_*` come from the local history store (sales and sellable stock per day, Amazon's
    inbound figures), as do `inbound_etas` (each refresh's Inbound ETAs, for the suggested
    causes) and `traffic` (sessions and units per SKU, for the relaunch tracker); the Sales tab
    wins on any SKU and day it covers. `incidents` are the Incidents tab as last written (see
    `read_incidents`), so closed stockouts keep their dates.
    """
    s = inputs.settings
    inv = inputs.inventory
    span = max(max(s.velocity_windows), 90)
    deep = max(span, 7 * demand_history.WEEKS)  # the forecast reads weeks of last year too
    sales = sales_matrix.daily_sales(inputs.sales, store_sales, store_stock)
    skus = list(inv["sku"])
    units, stock_flags, starts = sales_matrix.matrix(sales, skus, as_of, deep)
    covered = sales_matrix.spans(store_spans, as_of, deep)
    starts = sales_matrix.history_starts(units, starts, deep, covered)
    week_arrays = sales_matrix.weeks(units, stock_flags, starts)
    seasonal = season.season_possible(*week_arrays).tolist()
    week_units, week_days = (a.tolist() for a in week_arrays)
    seasons = _seasons(inv, inputs.settings_cells, inputs.problems)
    inbound, shipments = _by_sku(inputs.inbound, as_of, store_inbound, inv, s)
    elsewhere = _elsewhere(inputs.elsewhere)
    promotions = _promotions(inputs.promotions, as_of)
    known = incidents if incidents is not None else empty_incidents()
    closed = last_restocks(known, as_of)
    spans = relaunches.traffic_spans(traffic)
    categories = relaunches.category_cvrs(inv, s.category_cvr_pct, inputs.problems)
    watched: dict[str, relaunch.Relaunch] = {}
    total = len(inv)
    has_flags = ~np.isnan(stock_flags).all(axis=1)
    items: list[decisions.SkuInput] = []
    results: list[decisions.SkuPlan] = []
    columns = zip(skus, *(_column(inv, col) for col in _NUMBER_INPUTS), strict=True)
    exempt = inv["fee_exempt"].tolist() if "fee_exempt" in inv else [None] * total
    for i, (sku, available, fbm, *given) in enumerate(columns):
        start = max(starts[i], deep - span)
        flags = None
        if has_flags[i]:
            flags = [None if x != x else x == 1.0 for x in stock_flags[i, start:].tolist()]
        nweeks = -(-(deep - starts[i]) // 7)
        weeks = demand_history.Weekly(week_units[i][:nweeks], week_days[i][:nweeks], seasonal[i])
        item = decisions.SkuInput(
            available=available or 0.0,
            units=units[i, start:].tolist(),
            in_stock=flags,
            inbound=inbound.get(sku, []),
            promotions=decisions.promotions_of(sku, promotions),
            fbm_stock=fbm or 0.0,
            days_since_restock=(as_of - closed[sku][1]).days if sku in closed else None,
            elsewhere=elsewhere.get(sku, []),
            season=seasons[i],
            weeks=weeks,
            fee_exempt=exempt[i],
            **dict(zip(_NUMBER_INPUTS[2:], given, strict=True)),
        )
        if sku in spans:
            found = relaunches.watch(item, spans[sku], categories[i], closed.get(sku), s, as_of)
            if found is not None:
                item.relaunch_text = found.text
                watched[sku] = found
        items.append(item)
        results.append(decisions.plan_sku(item, s, as_of))
        if progress and (i % 500 == 0 or i == total - 1):
            progress(i + 1, total)
    frame = _frame(inv, items, results, shipments, as_of)
    fees = fee_column(
        inv, units, starts, store_stock, s.size_tier,
        frame["daily_sales"].tolist(), as_of,
    )  # fmt: skip
    risk = [formulas.FEE_RISK in flags for flags in frame["flags"]]
    cover = frame["cover_incl_inbound"].tolist()
    frame["low_inventory_fee"] = with_reasons(fees, cover, risk, s.fee_line_days)
    frame["relaunch"] = [watched.get(sku) for sku in skus]
    _mark_bad_inputs(frame, inputs, inv["available"].isna().to_numpy())
    apply_capacity(frame, inv, items, s, inputs.problems, as_of)
    if restock is not None and len(restock):
        amazon = restock.set_index("sku")
        frame["amazon_qty"] = frame["sku"].map(amazon["amazon_qty"])
        frame["amazon_date"] = frame["sku"].map(amazon["amazon_date"])
    frame["_severity"] = frame["alert"].map(SEVERITY).where(frame["available"].notna(), -1)
    frame = (
        frame.sort_values(
            ["_severity", "days_to_stockout", "sku"], na_position="last", kind="stable"
        )
        .drop(columns="_severity")
        .reset_index(drop=True)
    )
    by_sku = dict(zip(skus, items, strict=True))
    incident_frame = incident_log(frame, by_sku, known, as_of)
    suggest_causes(incident_frame, by_sku, shipments_seen(inbound_etas), s, as_of)
    since = decisions.out_since(incident_frame.to_dict("records"))
    out = (frame["alert"] == formulas.OUT) & frame["sku"].isin(list(since))
    if out.any():
        started = frame.loc[out, "sku"].map(since)
        frame.loc[out, "stockout_date"] = started
        frame.loc[out, "days_to_stockout"] = [(d - as_of).days for d in started]
    orders = _orders(inputs.orders, frame, by_sku, s, as_of)
    noted = set(orders.loc[orders["delayed"].astype(bool) & orders["order_id"].notna(), "sku"])
    frame["action_text"] = [
        decisions.delay_notes(text, sku in noted)
        for sku, text in zip(frame["sku"], frame["action_text"], strict=True)
    ]
    return Plan(
        as_of,
        s,
        frame,
        orders,
        incident_frame,
        _timeline(frame, by_sku, s, as_of),
    )


#: Stages of a batch a supplier can still hurry or split.
_AT_FACTORY = (supply.PLANNED, supply.READY)


def _mark_bad_inputs(frame: pd.DataFrame, inputs: Inputs, unknown_stock: np.ndarray) -> None:
    """Flag each SKU with a bad input cell (`CHECK Inventory Price`); a SKU whose Available
    cannot be read keeps its row, with the numbers that need stock left blank, `NO DATA` and
    the cell to fix as its action (it sorts first: the fix takes a second, the risk is unknown).
    """
    if inputs.checks:
        frame["flags"] = [
            [*(flags or []), *inputs.checks.get(sku, [])]
            for sku, flags in zip(frame["sku"], frame["flags"], strict=True)
        ]
    if not unknown_stock.any():
        return
    for col in STOCK_COLUMNS:
        frame[col] = frame[col].astype(object)
        frame.loc[unknown_stock, col] = None
    frame.loc[unknown_stock, "alert"] = formulas.NO_DATA
    frame.loc[unknown_stock, "action"] = FIX_INPUT
    where = inputs.inventory.loc[unknown_stock, "_row"].tolist()
    frame.loc[unknown_stock, "action_text"] = [fix_input_text(row) for row in where]


_NUMBER_INPUTS = (
    "available", "fbm_stock", "price", "unit_cost", "unit_weight", "case_pack", "moq",
    "production_days", "sea_days", "air_days", "express_days", "receiving_days",
)  # fmt: skip


def _column(table: pd.DataFrame, col: str) -> list[float | None]:
    """A numeric column as plain floats, blanks as None (one conversion, not one per cell)."""
    values = table[col].astype("float64")
    return values.astype(object).where(values.notna(), None).tolist()


def _frame(
    inventory: pd.DataFrame,
    items: list[decisions.SkuInput],
    results: list[decisions.SkuPlan],
    shipments: dict[tuple[str, int], tuple],
    as_of: dt.date,
) -> pd.DataFrame:
    """One row per SKU, built column by column."""
    calendar: dict[int, dt.date] = {}  # day offset -> date: a few hundred distinct offsets

    def take(name: str) -> list[Any]:
        return [getattr(p, name) for p in results]

    def dates(name: str) -> list[dt.date | None]:
        out = []
        for day in take(name):
            if day is not None and day not in calendar:
                calendar[day] = formulas.add_days(as_of, day)
            out.append(None if day is None else calendar[day])
        return out

    skus = inventory["sku"].tolist()
    no = (None, None, None)
    shipment = [no if p.next_inbound_day is None else shipments.get((sku, p.next_inbound_day), no)
                for sku, p in zip(skus, results, strict=True)]  # fmt: skip
    return pd.DataFrame({
        "sku": skus, "title": inventory["title"].tolist(), "asin": inventory["asin"].tolist(),
        "supplier": inventory["supplier"].tolist(),
        "supplier_email": inventory["supplier_email"].tolist(),
        "available": [i.available for i in items], "fbm_stock": [i.fbm_stock for i in items],
        "price": [i.price for i in items], "inbound": take("inbound"),
        "daily_sales": take("daily_sales"), "forecast_rate": take("forecast_rate"),
        "stockout_risk": take("stockout_risk"), "forecast": take("forecast"),
        "trend": take("trend"),
        "days_of_cover": take("days_of_cover"), "cover_incl_inbound": take("cover_incl_inbound"),
        "stockout_date": dates("stockout_day"), "days_to_stockout": take("stockout_day"),
        "alert": take("alert"), "flags": take("flags"),
        "next_inbound_eta": dates("next_inbound_day"),
        "next_inbound_qty": [x[0] for x in shipment], "next_inbound_id": [x[1] for x in shipment],
        "next_inbound_mode": [x[2] for x in shipment], "back_in_stock": dates("back_in_stock_day"),
        "gap_days": take("gap_days"), "lost_units": take("lost_units"),
        "lost_revenue": take("lost_revenue"), "safety_stock": take("safety_stock"),
        "reorder_point": take("reorder_point"), "reorder_by": dates("reorder_by_day"),
        "reorder_qty": take("reorder_qty"), "lead_time_days": take("lead_time"),
        "air_arrival": dates("air_arrival_day"), "air_units": take("air_units"),
        "option_cost": take("option_cost"), "margin_saved": take("margin_saved"),
        "options": take("options"), "combined": take("combined"),
        "unit_cost": [i.unit_cost for i in items],
        "unit_weight": [i.unit_weight for i in items],
        "batches": [[b for b in i.inbound if supply.stage_of(b.status) in _AT_FACTORY]
                    for i in items],
        "action": take("action"), "action_text": take("action_text"),
        "alternatives": take("alternatives"), "basis": take("basis"),
        "daily_sd": take("daily_sd"), "last_out_day": take("last_out_of_stock_day"),
        "amazon_qty": None, "amazon_date": None,
    })  # fmt: skip


def _seasons(
    inventory: pd.DataFrame, settings: dict[str, Any], problems: wb.Problems
) -> list[tuple[float, ...] | None]:
    """Each SKU's seasonal profile: its Season cell, else its Category's `season_<category>`
    Settings row (both blank: none)."""
    groups, bad = season.category_profiles(settings)
    rows = settings.get("_rows", {})
    for key, value, why in bad:
        problems.add(wb.SETTINGS, rows.get(wb.normalize_header(key)), "Value", value, why)
    blank: list[tuple[float, ...] | None] = [None] * len(inventory)
    if "season" not in inventory and not ("category" in inventory and groups):
        return blank
    own = inventory.get("season", blank)
    categories = inventory.get("category", blank)
    out: list[tuple[float, ...] | None] = []
    for value, category, row in zip(own, categories, inventory.get("_row", blank), strict=True):
        value = None if pd.isna(value) else value
        try:
            profile = season.parse_profile(value)
        except season.ProfileError as exc:
            problems.add(wb.INVENTORY, None if row is None else int(row), "Season", value, str(exc))
            profile = None
        out.append(season.sku_profile(profile, None if pd.isna(category) else category, groups))
    return out


#: Sales rows turned into matrix cells at a time: the temporaries stay a few tens of MB however
#: long the table (7 million rows at 10,000 SKUs × 2 years).
def _by_sku(
    inbound: pd.DataFrame,
    as_of: dt.date,
    store_inbound: pd.DataFrame | None,
    inventory: pd.DataFrame,
    settings: formulas.Settings,
) -> tuple[dict[str, list[supply.Inbound]], dict[tuple[str, int], tuple]]:
    """Inbound batches per SKU, and per (SKU, landing day) the shipment's (units, id, mode)
    for the messages.

    SKUs with no Inbound rows but units Amazon reports inbound (Manage FBA Inventory) get
    those units after the receiving time: better than planning as if nothing were coming.
    """
    out: dict[str, list[supply.Inbound]] = defaultdict(list)
    shipments: dict[tuple[str, int], tuple] = {}
    if len(inbound):
        start = pd.Timestamp(as_of)
        days = (pd.to_datetime(inbound["eta"]) - start).dt.days
        ready = (pd.to_datetime(inbound["ready_date"]) - start).dt.days
        for sku, day, qty, mode, sid, status, ready_day in zip(
            inbound["sku"], days, inbound["qty"], inbound["mode"], inbound["shipment_id"],
            inbound["status"], ready, strict=True,
        ):  # fmt: skip
            mode = str(mode).strip().lower() if isinstance(mode, str) else ""
            out[sku].append(
                supply.Inbound(
                    day=int(day),
                    qty=float(qty),
                    status=status if isinstance(status, str) else "",
                    ready_day=None if ready_day != ready_day else int(ready_day),
                    mode=mode,
                    shipment_id=sid if isinstance(sid, str) else "",
                )
            )
            key = (sku, max(0, int(day)))
            before = shipments.get(key, (0.0, None, None))
            shipments[key] = (before[0] + float(qty), before[1] or sid, before[2] or mode)
    if store_inbound is not None and len(store_inbound):
        # Units Amazon saw inbound on the snapshot day land after the receiving time.
        receiving = inventory.set_index("sku")["receiving_days"]
        for sku, qty, seen in zip(
            store_inbound["sku"], store_inbound["inbound"], store_inbound["as_of"], strict=True
        ):
            if sku in receiving.index and sku not in out and qty > 0:
                own = receiving.get(sku)
                wait = int(own) if pd.notna(own) else int(settings.receiving_days)
                day = max(0, (pd.Timestamp(seen).date() - as_of).days + wait)
                out[sku].append(supply.Inbound(day, float(qty), "receiving"))
                shipments[(sku, day)] = (float(qty), "Amazon inbound", None)
    return out, shipments


def _elsewhere(table: pd.DataFrame) -> dict[str, list[supply.Elsewhere]]:
    """Stock elsewhere rows per SKU."""
    out: dict[str, list[supply.Elsewhere]] = defaultdict(list)
    for row in table.itertuples(index=False):
        out[row.sku].append(
            supply.Elsewhere(
                location=str(row.location),
                qty=float(row.qty),
                transfer_days=None if pd.isna(row.transfer_days) else float(row.transfer_days),
                ships_fbm=row.ships_fbm is True,
                cost_per_unit=None if pd.isna(row.cost_per_unit) else float(row.cost_per_unit),
            )
        )
    return out


def _promotions(promos: pd.DataFrame, as_of: dt.date) -> dict[str, list[tuple[int, int, float]]]:
    out: dict[str, list[tuple[int, int, float]]] = defaultdict(list)
    if len(promos):
        start = (pd.to_datetime(promos["start"]) - pd.Timestamp(as_of)).dt.days
        end = (pd.to_datetime(promos["end"]) - pd.Timestamp(as_of)).dt.days
        for sku, a, b, up in zip(promos["sku"], start, end, promos["uplift"], strict=True):
            out[sku].append((int(a), int(b), float(up)))
    return out


# --- orders ------------------------------------------------------------------------------


def _orders(
    orders: pd.DataFrame,
    skus: pd.DataFrame,
    items: dict[str, decisions.SkuInput],
    settings: formulas.Settings,
    as_of: dt.date,
) -> pd.DataFrame:
    """Which open orders a stockout will delay, and when they can ship instead.

    Per SKU, orders are served in promised-date order from FBM stock first, then from FBA
    stock through multi-channel fulfilment, each net of earlier orders. An order is delayed
    when neither can serve it on its promised date and no shipment lands by then.
    """
    columns = ["order_id", "sku", "qty", "purchase_date", "promised_date", "buyer_name",
               "buyer_email", "title", "marketplace", "language", "delayed",
               "new_date"]  # fmt: skip
    if orders.empty:
        return pd.DataFrame(columns=columns)
    frame = orders.copy()
    frame["qty"] = frame["qty"].fillna(1.0)
    for col in ("purchase_date", "promised_date"):
        frame[col] = [v.date() if isinstance(v, pd.Timestamp) else None for v in frame[col]]
    frame = frame.sort_values(["sku", "promised_date", "purchase_date"], kind="stable")
    plans = skus.set_index("sku")
    delayed: list[bool] = []
    new_dates: list[dt.date | None] = []
    for sku, group in frame.groupby("sku", sort=False):
        item = items[sku]
        row = plans.loc[sku]
        if pd.isna(row["available"]):  # unreadable stock: no delay notice on a guess
            delayed += [False] * len(group)
            new_dates += [None] * len(group)
            continue
        demand = row["forecast"]
        if demand is None or pd.isna(demand):  # no sales yet: nothing to project
            demand = 0.0 if pd.isna(row["daily_sales"]) else row["daily_sales"]
        proj = decisions.projection_of(item, demand, settings)
        days = [(d - as_of).days for d in group["promised_date"]]
        lines = list(zip(group["qty"], days, strict=True))
        for result in decisions.delayed_orders(item, proj, lines, settings.fbm_enabled):
            delayed.append(result is not False)
            new_dates.append(None if result in (False, None) else formulas.add_days(as_of, result))
    frame["delayed"] = delayed
    frame["new_date"] = new_dates
    return frame[columns].reset_index(drop=True)


# --- timeline ----------------------------------------------------------------------------


def _timeline(
    skus: pd.DataFrame,
    items: dict[str, decisions.SkuInput],
    settings: formulas.Settings,
    as_of: dt.date,
) -> pd.DataFrame:
    """Projected start-of-day stock of the most urgent SKUs over the next 90 days."""
    urgent = skus[
        skus["daily_sales"].notna()
        & skus["alert"].isin([formulas.OUT, formulas.CRITICAL, formulas.WARNING, formulas.WATCH])
    ].head(TIMELINE_SKUS)
    data: dict[str, Any] = {
        TIMELINE_DATE: [formulas.add_days(as_of, d) for d in range(TIMELINE_DAYS)]
    }
    # A SKU named like the date column is shown as `Date (SKU)`, never over it; a suffix
    # again if another SKU has that very name. attrs["skus"]: each column's SKU.
    taken = {TIMELINE_DATE.casefold(), *(str(sku).casefold() for sku in urgent["sku"])}
    owners: dict[str, str] = {}
    for row in urgent.itertuples(index=False):
        item = items[row.sku]
        proj = decisions.projection_of(item, row.forecast or row.daily_sales, settings)
        label = str(row.sku)
        if label.casefold() == TIMELINE_DATE.casefold():
            while label.casefold() in taken:
                label += " (SKU)"
            taken.add(label.casefold())
        owners[label] = row.sku
        data[label] = [formulas.round_to(x, 0) for x in proj.daily_stock(TIMELINE_DAYS)]
    frame = pd.DataFrame(data)
    frame.attrs["skus"] = owners
    return frame
