"""The sales history as one dense SKU × day matrix: the Sales tab merged with the history
store, each SKU's first day of history, and weekly totals, all with numpy indexing and no
per-row Python, so planning 10,000 SKUs stays fast."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from addin import demand_history


def daily_sales(
    tab: pd.DataFrame, store: pd.DataFrame | None, stock: pd.DataFrame | None
) -> pd.DataFrame:
    """One table of (sku, date, units, in_stock) from the tab, the store and stock history."""
    frame = tab[["date", "sku", "units", "in_stock"]]
    if store is not None and len(store):
        from sheets_sync.history import merge_daily

        frame = merge_daily(frame, store.assign(in_stock=None))
    if stock is not None and len(stock):
        flags = stock.assign(in_stock_hist=stock["qty"] > 0)[["date", "sku", "in_stock_hist"]]
        flags = flags.assign(date=pd.to_datetime(flags["date"]))
        frame = frame.merge(flags, on=["date", "sku"], how="outer")
        frame["units"] = frame["units"].fillna(0.0)
        frame["in_stock"] = frame["in_stock"].where(
            frame["in_stock"].notna(), frame["in_stock_hist"]
        )
        frame = frame.drop(columns="in_stock_hist")
    return frame


def spans(spans: pd.DataFrame | None, as_of: dt.date, days: int) -> list[tuple[int, int]]:
    """The store's sales import spans as (first, last) days of the plan's window, overlapping
    or touching spans joined: the stretches of days some import covered without a break."""
    if spans is None or not len(spans):
        return []
    first_day = pd.Timestamp(as_of) - pd.Timedelta(days=days)
    out: list[tuple[int, int]] = []
    for a, b in sorted(
        zip(
            (pd.to_datetime(spans["first_day"]) - first_day).dt.days,
            (pd.to_datetime(spans["last_day"]) - first_day).dt.days,
            strict=True,
        )
    ):
        if out and a <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], int(b)))
        else:
            out.append((int(a), int(b)))
    return out


def history_starts(
    units: np.ndarray, starts: np.ndarray, days: int, spans: Sequence[tuple[int, int]] = ()
) -> np.ndarray:
    """When does history start? At the first day a source covered (the earliest row of any
    SKU, or the first day of the store's import span that holds the SKU's first row, if
    earlier) when the silence before the SKU's first row is a slow mover's, not a launch's
    (`demand_history.listed_before`); else at its first row. A day the source covered and the
    SKU was in stock is a row already (the store's stock days join the sales)."""
    has_rows = starts < days
    if not has_rows.any():
        return starts
    covered = np.full(len(starts), int(starts[has_rows].min()))
    for a, b in spans:
        inside = has_rows & (starts >= a) & (starts <= b)
        covered[inside] = np.minimum(covered[inside], max(a, 0))
    # The rate after the first row: the first row itself is where the silence ended.
    first = units[np.arange(len(starts)), np.minimum(starts, days - 1)]
    rates = (units.sum(axis=1) - first) / np.maximum(days - starts - 1, 1)
    listed = has_rows & demand_history.listed_before(rates, starts - covered)
    return np.where(listed, covered, starts)


def weeks(
    units: np.ndarray, flags: np.ndarray, starts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per SKU, units sold and in-stock days of each week, newest first (`demand_history.weekly`
    for every SKU at once: days known out of stock or before the history starts count not)."""
    n, days = units.shape
    whole = days // 7 * 7
    in_stock = flags != 0.0  # NaN (unknown) counts as in stock
    in_stock &= np.arange(days)[None, :] >= starts[:, None]
    recent = (units * in_stock)[:, ::-1][:, :whole].reshape(n, whole // 7, 7)
    counts = in_stock[:, ::-1][:, :whole].reshape(n, whole // 7, 7)
    return recent.sum(axis=2), counts.sum(axis=2)


_CHUNK_ROWS = 1 << 20


def matrix(
    sales: pd.DataFrame, skus: list[str], as_of: dt.date, span: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dense (SKU × last `span` days) units and in-stock flags, and where each SKU's data starts.

    Days before a SKU's first row of data are not history (the product was not listed yet);
    days after it with no row count as 0 units, as SPEC §2 says.
    """
    n = len(skus)
    units = np.zeros(n * span)  # rows of several entries for one SKU and day add up, in order
    flags = np.full(n * span, np.nan)
    seen = np.zeros(n * span, dtype=bool)  # a row for that SKU and day, whatever its units
    early = np.zeros(n, dtype=bool)  # a row before the window: history starts before it
    if n and not sales.empty:
        first_day = np.datetime64(pd.Timestamp(as_of) - pd.Timedelta(days=span), "D")
        dates = pd.to_datetime(sales["date"]).to_numpy()
        names = sales["sku"].to_numpy(dtype=object)
        amounts = sales["units"].to_numpy(dtype=float)
        stated = sales["in_stock"].notna().to_numpy()  # one pass; most sources state none
        index = pd.Index(skus)
        for lo in range(0, len(sales), _CHUNK_ROWS):
            hi = lo + _CHUNK_ROWS
            day = (dates[lo:hi].astype("datetime64[D]") - first_day).astype(np.int64)
            r = _rows_of(index, names[lo:hi])
            known = r >= 0
            early[r[known & (day < 0)]] = True
            take = np.flatnonzero(known & (day >= 0) & (day < span))
            cell = r[take] * span + day[take]
            seen[cell] = True
            np.add.at(units, cell, amounts[lo:hi][take])
            has = stated[lo:hi][take]
            if has.any():
                stock = sales["in_stock"].to_numpy(dtype=object)[lo:hi][take[has]]
                flags[cell[has]] = stock.astype(bool).astype(float)
    grid = seen.reshape(n, span)
    starts = np.where(grid.any(axis=1), grid.argmax(axis=1), span)
    starts[early] = 0
    return units.reshape(n, span), flags.reshape(n, span), starts


def _rows_of(index: pd.Index, names: np.ndarray) -> np.ndarray:
    """index.get_indexer(names), hashing each run of one SKU once: rows usually come grouped."""
    if len(names) < 2:
        return index.get_indexer(names)
    heads = np.flatnonzero(np.r_[True, names[1:] != names[:-1]])
    if len(heads) > len(names) // 4:
        return index.get_indexer(names)
    return np.repeat(index.get_indexer(names[heads]), np.diff(np.r_[heads, len(names)]))
