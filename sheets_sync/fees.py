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
    first = pd.Timestamp(as_of) - pd.Timedelta(days=days)
    day = (pd.to_datetime(store_stock["date"]) - first).dt.days.to_numpy()
    row = pd.Index(skus).get_indexer(store_stock["sku"])
    keep = (row >= 0) & (day >= 0) & (day < days)
    out[row[keep], day[keep]] = store_stock["qty"].to_numpy(dtype=float)[keep]
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
    stock = stock_matrix(store_stock, skus, as_of, days)
    width = units.shape[1]
    blank = [None] * len(skus)
    columns = zip(  # whole columns, not one pandas row per SKU (10,000 of them)
        *(inventory[c].tolist() if c in inventory else blank
          for c in ("fee_exempt", "unit_weight", "size_tier")),
        strict=True,
    )  # fmt: skip
    out = []
    for i, (exempt, weight, size_tier) in enumerate(columns):
        first = max(int(starts[i]), width - days)
        sold = units[i, first:].tolist()
        known = stock[i, days - len(sold) :] if sold else stock[i, :0]
        held = [None if x != x else float(x) for x in known.tolist()]
        check = fee_rule.low_inventory_fee(held, sold, _text(exempt)) if sold else None
        tier = fee_rule.tier_of(
            _text(size_tier) or _text(default_tier),
            None if weight is None or pd.isna(weight) else float(weight),
        )
        out.append(fee_rule.fee_words(check, tier, daily_sales[i]))
    return out


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""
