"""Sales velocity v over in-stock days (SPEC §3), with the trend and the daily deviation.

Averaging only in-stock days keeps a stockout from dragging the forecast down, which would plan
too little and cause the next stockout. Mirrored in `addin/google/Formulas.gs`.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from addin.cells import InputError, add_days, fmt_number, quote, to_date, to_flag, to_number

#: The longest velocity window: two years of daily history per SKU is all a plan keeps in memory.
MAX_WINDOW_DAYS = 730
#: Days of a long Sales table one SKU's series keeps: the longest window, or the forecast's
#: 65 weeks (last year's weeks around the next 13), whichever is longer.
TABLE_DAYS = max(MAX_WINDOW_DAYS, 7 * 65)


def out_of_stock_days(
    units: Sequence[float], in_stock: Sequence[bool | None] | None, available: float | None
) -> list[bool]:
    """Which history days were out of stock.

    Known stock history wins. With none at all, the run of zero-unit days that ends yesterday
    counts as out of stock when the SKU has nothing available now: those zeros are a stockout,
    not a lack of demand.
    """
    n = len(units)
    if in_stock is not None and any(flag is not None for flag in in_stock):
        return [flag is False for flag in in_stock]
    out = [False] * n
    if available is not None and available <= 0:
        i = n - 1
        while i >= 0 and units[i] == 0:
            out[i] = True
            i -= 1
    return out


@dataclass(slots=True)
class WindowAverage:
    days: int  # window length k
    in_stock: int  # n_k
    average: float | None  # avg_k, None when n_k = 0


class InStockTotals:
    """Running totals of in-stock units and days, oldest first.

    Every window (7, 30, 90 days, the trend's, the deviation's mean) is then one subtraction
    instead of another pass over the history: the plan runs this for every SKU.
    """

    def __init__(self, units: Sequence[float], out: Sequence[bool]) -> None:
        # accumulate() adds left to right exactly like `total += x`; a day out of stock adds 0.
        if any(out):
            units = [0.0 if is_out else x for x, is_out in zip(units, out, strict=True)]
            self.counts = [0, *itertools.accumulate(0 if is_out else 1 for is_out in out)]
        else:
            self.counts = list(range(len(units) + 1))
        self.totals = [0.0, *itertools.accumulate(units)]

    def window(self, days: int) -> WindowAverage:
        """avg_k: units sold on the in-stock days of the last `days` days / number of such days."""
        n = len(self.totals) - 1
        start = max(0, n - days)
        count = self.counts[n] - self.counts[start]
        total = self.totals[n] - self.totals[start]
        return WindowAverage(days, count, total / count if count else None)


@dataclass
class Velocity:
    """Sales velocity v with the window figures that justify it."""

    rate: float | None
    windows: list[WindowAverage]
    trend: float | None
    daily_sd: float
    out_of_stock: list[bool]

    @property
    def basis(self) -> str:
        """`7d 6.0 (6 in stock) · 30d 5.1 (28) · 90d 4.2 (85)`: how v was found."""
        parts = []
        for i, w in enumerate(self.windows):
            avg = "–" if w.average is None else fmt_number(w.average)
            label = " in stock" if i == 0 else ""
            parts.append(f"{w.days}d {avg} ({w.in_stock}{label})")
        return " · ".join(parts) if parts else "no sales history"


def velocity(
    units: Sequence[float],
    in_stock: Sequence[bool | None] | None = None,
    windows: Sequence[int] = (7, 30, 90),
    weights: Sequence[float] = (0.5, 0.3, 0.2),
    available: float | None = None,
) -> Velocity:
    """Weighted in-stock velocity over several windows, plus trend and daily deviation.

    Averaging only in-stock days keeps a stockout from dragging the forecast down, which would
    plan too little and cause the next stockout. Windows with no in-stock day are skipped and
    the remaining weights renormalised.
    """
    check_windows(tuple(windows), tuple(weights))
    out = out_of_stock_days(units, in_stock, available)
    sums = InStockTotals(units, out)
    seen = {k: sums.window(k) for k in {*(int(k) for k in windows), 7, 30, 90}}
    averages = [seen[int(k)] for k in windows]
    weighted = 0.0
    weight_sum = 0.0
    for w, avg in zip(weights, averages, strict=True):
        if avg.average is not None:
            weighted += w * avg.average
            weight_sum += w
    rate = weighted / weight_sum if weight_sum > 0 else None
    short, long = seen[7], seen[30]
    trend = None
    if short.average is not None and long.average is not None and long.average > 0:
        trend = short.average / long.average
    return Velocity(rate, averages, trend, _in_stock_sd(units, out, seen[90]), out)


@functools.lru_cache(maxsize=16)  # the same settings for every SKU of a refresh
def check_windows(windows: tuple, weights: tuple) -> None:
    """Velocity windows and weights that SALES_VELOCITY and the plan can use, else InputError."""
    if len(windows) != len(weights) or not windows:
        raise InputError("windows and weights must have the same, non-zero length")
    for k in windows:
        if k < 1 or k != int(k) or k > MAX_WINDOW_DAYS:
            raise InputError(
                f"window lengths must be whole days from 1 to {MAX_WINDOW_DAYS}, got {quote(k)}"
            )
    for w in weights:
        if w < 0:
            raise InputError("weights must not be negative")


def _in_stock_sd(units: Sequence[float], out: Sequence[bool], window: WindowAverage) -> float:
    """Sample standard deviation of daily units over the in-stock days of a window."""
    if window.in_stock < 2 or window.average is None:
        return 0.0
    mean = window.average
    squares = 0.0
    start = max(0, len(units) - window.days)
    if window.in_stock == len(units) - start:  # no day out of stock: the plain loop
        for x in units[start:]:
            deviation = x - mean
            squares += deviation * deviation
    else:
        for x, is_out in zip(units[start:], out[start:], strict=True):
            if not is_out:
                deviation = x - mean
                squares += deviation * deviation
    return math.sqrt(squares / (window.in_stock - 1))


# --- the long Sales table ------------------------------------------------------------------


def _sku_text(value: object) -> str:
    """A SKU cell as it compares: 1004.0 and "1004 " are "1004", case folded."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip().casefold()


def sku_history(
    table: Sequence[Sequence[object]], sku: object, as_of: object = None
) -> tuple[list[float], list[bool | None] | None]:
    """One SKU's daily units and in-stock flags (oldest first) from the long Sales table.

    The table is the Sales tab as the workbook keeps it: one row per SKU and day with Date, SKU,
    Units and optionally In stock, in that order; a header row and blank rows are skipped.
    The series runs from the SKU's first row to the day before `as_of` (by default the day
    after the table's last date), at most `TABLE_DAYS` days: a day with no row sold nothing,
    rows of one day add up, and a day is out of stock when its row says In stock FALSE. Rows
    of other SKUs are not read beyond their Date, so a bad cell there does not matter here.
    """
    key = _sku_text(sku)
    if not key:
        raise InputError("sku is required")
    day0 = to_date(as_of, "as_of")
    mine: list[tuple[dt.date, float, bool | None]] = []
    last: dt.date | None = None
    for i, row in enumerate(table):
        cells = list(row) + [None] * (4 - len(row))
        if _sku_text(cells[1]) != key:
            if day0 is None:
                try:
                    day = to_date(cells[0], "Date")
                except InputError:
                    day = None  # a header or another SKU's bad date: not this SKU's problem
                if day is not None and (last is None or day > last):
                    last = day
            continue
        try:
            day = to_date(cells[0], "Date")
            units = to_number(cells[2], "Units") or 0.0
            flag = to_flag(cells[3]) if len(row) > 3 else None
        except InputError as exc:
            raise InputError(f"row {i + 1} of the table: {exc}") from None
        if day is None:
            raise InputError(f"row {i + 1} of the table has no Date")
        mine.append((day, units, flag))
        if last is None or day > last:
            last = day
    end = day0 or (add_days(last, 1) if last is not None else None)
    kept = [r for r in mine if end is not None and 0 < (end - r[0]).days <= TABLE_DAYS]
    if end is None or not kept:
        return [], None
    first = min(day for day, _, _ in kept)
    n = (end - first).days
    units_by_day = [0.0] * n
    flags: list[bool | None] = [None] * n
    for day, units, flag in kept:
        d = (day - first).days
        units_by_day[d] += units
        if flag is not None:
            flags[d] = flag
    return units_by_day, flags if any(f is not None for f in flags) else None
