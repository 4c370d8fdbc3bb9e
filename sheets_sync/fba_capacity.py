"""FBA capacity applied to the plan: the recommended orders cut to what Amazon lets in.

Settings `fba_capacity` (e.g. `standard 1200, oversize 300`, in `capacity_unit`: cu ft as
Amazon states the limits, or units) and the Inventory columns `Storage type` (blank =
standard) and `Unit volume` (cubic feet a unit, Amazon's `per-unit-volume`) feed
`addin.capacity`. Emergency new orders (by air or express) bridge a stockout: they take their
room first and are not cut. A regular order cut by the allotment shows its new Reorder qty, the
CAPACITY flag, `(of N: FBA capacity)` in the Action and the reason in the Basis; the drafts ask
the supplier for the allotted units.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from addin import capacity, decisions, supply
from addin.decisions import REORDER_SOON_DAYS
from sheets_sync import workbook as wb
from sheets_sync.settings import Settings


def apply_capacity(
    frame: pd.DataFrame,
    inventory: pd.DataFrame,
    items: list[decisions.SkuInput],
    settings: Settings,
    problems: wb.Problems,
    as_of: dt.date,
) -> None:
    """Cut the recommended orders of `frame` (one row per Inventory SKU, same order as
    `inventory` and `items`) to fit.

    The room of a storage type is its limit minus the busiest day among the days the orders
    land: every SKU's projected stock that day (inbound included, sales taken off) plus the
    emergency new orders landed by then, in its storage measure.
    """
    text = settings.fba_capacity
    try:
        limits = capacity.parse_capacity(text)
    except capacity.CapacityError as exc:
        problems.add(wb.SETTINGS, None, "Value", text, f"fba_capacity: {exc}; ignored")
        return
    if not limits:
        return
    unit = str(settings.capacity_unit or capacity.CUBIC_FEET).strip().lower()
    by_units = unit in (capacity.UNITS, "unit")
    kinds = [capacity.storage_type(t) if isinstance(t, str) else "standard"
             for t in inventory["storage_type"]]  # fmt: skip
    sizes = [1.0 if by_units else (0.0 if v != v else float(v))
             for v in inventory["unit_volume"].astype(float).tolist()]  # fmt: skip
    requests = []
    rows = list(frame.itertuples(index=False))
    for i, row in enumerate(rows):
        qty = int(_n(row.reorder_qty))
        if kinds[i] not in limits or qty <= 0 or not isinstance(row.reorder_by, dt.date):
            continue
        by_day = (row.reorder_by - as_of).days
        if by_day > REORDER_SOON_DAYS:
            continue
        pack = inventory["case_pack"].iloc[i]
        known = _known(row.price) and _known(row.unit_cost)
        requests.append(
            capacity.Request(
                sku=row.sku,
                units=qty,
                storage=kinds[i],
                room_per_unit=sizes[i] or None,
                must_land=max(by_day, 0) + int(_n(row.lead_time_days)),
                margin=row.price - row.unit_cost if known else None,
                daily_units=_n(row.daily_sales),
                case_pack=int(pack) if _known(pack) and pack >= 1 else 1,
            )
        )
    if not requests:
        return
    room = {}
    for kind, limit in limits.items():
        days = sorted({r.must_land for r in requests if r.storage == kind})
        if not days:
            continue
        used = [0.0] * len(days)
        for i, row in enumerate(rows):
            if kinds[i] != kind or not sizes[i] or not _known(row.available):
                continue
            rate = row.forecast if row.forecast is not None else _n(row.daily_sales)
            proj = decisions.projection_of(items[i], rate, settings)
            land, extra = _new_order(row)
            for j, day in enumerate(days):
                on_hand = proj.stock_at(day) + (extra if land is not None and land <= day else 0)
                used[j] += sizes[i] * (on_hand + _n(inventory["reserved"].iloc[i]))
        room[kind] = limit - max(used)
    label = capacity.UNITS if by_units else capacity.CUBIC_FEET
    _write(frame, capacity.allocate(requests, room, label))


def _write(frame: pd.DataFrame, allotted: dict[str, capacity.Allotment]) -> None:
    for i, sku in enumerate(frame["sku"]):
        got = allotted.get(sku)
        if got is None or not got.why:
            continue
        at = frame.index[i]
        note = f"CAPACITY: {got.why}"
        frame.at[at, "basis"] = f"{frame.at[at, 'basis']} · {note}"
        if not got.cut:
            continue
        frame.at[at, "reorder_qty"] = got.granted
        frame.at[at, "flags"] = [*(frame.at[at, "flags"] or []), capacity.CAPACITY]
        cut = f"order {got.granted:,} units (of {got.asked:,}: FBA capacity)"
        if not got.granted:
            cut = f"order 0 units (of {got.asked:,}: no room in FBA capacity)"
        text = str(frame.at[at, "action_text"])
        frame.at[at, "action_text"] = text.replace(f"order {got.asked:,} units", cut, 1)


def _new_order(row: Any) -> tuple[int | None, float]:
    """(landing day, units) of the chosen emergency option when it is a new order."""
    options = row.options if isinstance(row.options, list) else []
    first = options[0] if options else None
    if first is None or first.source != supply.NEW_ORDER or first.day is None:
        return None, 0.0
    return first.day, float(first.units)


def _n(value: Any) -> float:
    return float(value) if _known(value) else 0.0


def _known(value: Any) -> bool:
    return isinstance(value, int | float | np.number) and not pd.isna(value)
