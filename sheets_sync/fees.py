"""The Alerts column `Low-inventory fee`: Amazon's historical rule (`addin.fee_rule`) per SKU.

The rule needs each SKU's daily FBA stock over the last 90 days, which only the history store
keeps (FBA daily inventory reports, inventory snapshots): a workbook without one, or a SKU the
store has no stock for, reads `unknown`, never `clear`. Units shipped are the plan's daily units
(Sales tab and store merged), from the SKU's first day of data.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from addin import fee_rule


def stock_matrix(
    store_stock: pd.DataFrame | None, skus: list[str], as_of: dt.date, days: int
) -> np.ndarray:
    """(SKU × last `days` days, ending yesterday) sellable FBA units; NaN where not known."""
    out = np.full((len(skus), days), np.nan)
    if store_stock is None or not len(store_stock):
        return out
    first = np.datetime64(as_of, "D") - np.timedelta64(days, "D")
    day = (store_stock["date"].to_numpy(dtype="datetime64[D]") - first).astype(np.int64)
    recent = (day >= 0) & (day < days)
    row = pd.Index(skus).get_indexer(store_stock["sku"].to_numpy()[recent])
    keep = row >= 0
    qty = store_stock["qty"].to_numpy(dtype=float)[recent]
    out[row[keep], day[recent][keep]] = qty[keep]
    return out


def fee_column(
    inventory: pd.DataFrame,
    units: np.ndarray,
    starts: np.ndarray,
    store_stock: pd.DataFrame | None,
    default_tier: object,
    daily_sales: list[float | None],
    as_of: dt.date,
) -> list[str]:
    """Each Inventory SKU's `Low-inventory fee` cell, in Inventory order.

    `units` is the plan's SKU × day matrix ending yesterday, `starts` where each SKU's data
    begins in it; a SKU's own `Size tier` beats Settings `size_tier`.
    """
    days = fee_rule.LONG_DAYS
    skus = inventory["sku"].tolist()
    unknown = fee_rule.fee_words(None)
    stock = stock_matrix(store_stock, skus, as_of, days)
    width = units.shape[1]
    before = np.arange(width - days, width)[None, :] < np.asarray(starts)[:, None]
    # Only SKUs with stock known on a day of their data go through the rule; the rest (every
    # SKU of a workbook without a store) are unknown.
    rows = np.flatnonzero((~np.isnan(stock) & ~before).any(axis=1))
    out = [unknown] * len(skus)
    if not len(rows):
        return out
    sold = units[rows, -days:].astype(float)
    sold[before[rows]] = np.nan  # before the SKU's data began: not in its windows
    exempt = [_text(x) for x in _column(inventory, "fee_exempt")[rows]]
    checks = fee_rule.low_inventory_fees(stock[rows], sold, exempt)
    tiers = _column(inventory, "size_tier")[rows]
    weights = _column(inventory, "unit_weight").astype(float)[rows].tolist()
    names: dict[tuple[str, bool], str] = {}  # a few tiers among thousands of SKUs
    for i, check, tier, weight in zip(rows.tolist(), checks, tiers, weights, strict=True):
        name = _text(tier) or _text(default_tier)
        heavy = bool(weight == weight and weight > 3 * fee_rule.POUND_KG)
        if (name, heavy) not in names:
            names[name, heavy] = fee_rule.tier_of(name, weight if heavy else None)
        out[i] = fee_rule.fee_words(check, names[name, heavy], daily_sales[i])
    return out


def with_reasons(
    cells: list[str], cover: list[float | None], risk: list[bool], line: float
) -> list[str]:
    """The fee cells, each ending with why the FEE RISK flag (looking ahead: Cover incl.
    inbound, `risk`) and Amazon's verdict (looking back) differ, where they do."""
    return [
        cell + fee_rule.ahead_words(cell.partition(":")[0], days, flagged, line)
        for cell, days, flagged in zip(cells, cover, risk, strict=True)
    ]


def _column(inventory: pd.DataFrame, key: str) -> np.ndarray:
    """An optional Inventory column as an array (blank when the table has none)."""
    if key in inventory:
        return inventory[key].to_numpy()
    return np.full(len(inventory), None, dtype=object)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""
