"""Stock over the horizon, and the replenishment rules read from it (SPEC §3 v2).

Day 0 is `as_of`. The projection walks a per-day demand f_t (today v × uplift_t; a day-by-day
forecast can replace it without touching a rule here) with unmet demand lost, as on Amazon:
an inbound that lands after a stockout refills the shelf instead of paying back phantom demand.
Mirrored line by line in `addin/google/Projection.gs`.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

from addin.cells import EPS, ceil_eps

# --- projection --------------------------------------------------------------------------


def demand_sequence(
    rate: float, horizon: int, promotions: Sequence[tuple[int, int, float]] = ()
) -> list[float]:
    """f_t = v × uplift_t for t in [0, horizon): the forecast demand the projection walks.

    Promotions are (first day, last day inclusive, uplift); overlapping ones multiply. The
    projection takes any per-day sequence, so a day-by-day forecast can replace this one
    without touching the rules that read the projection.
    """
    if not promotions:
        return [rate] * horizon
    uplift = [1.0] * horizon
    for start, end, factor in promotions:
        for t in range(max(0, start), min(end + 1, horizon)):
            uplift[t] *= factor
    return [rate * u for u in uplift]


@dataclass
class Projection:
    """Stock over the horizon, day by day, for a per-day demand f_t (SPEC §3 v2).

    Unmet demand is lost: start-of-day stock S(t) = E(t−1) + a_t, end-of-day stock
    E(t) = max(0, S(t) − f_t). Running totals of demand make every question a subtraction and
    every "first day below" a binary search between two landings, fast enough for 10,000 SKUs
    and exact at integer boundaries (1e-9 of float noise allowed, as everywhere).
    """

    available: float
    daily: list[float]  # f_t for t in [0, horizon)
    arrivals: dict[int, float]  # landing day -> units
    totals: list[float] = field(init=False)  # F(t) = f_0 + … + f_(t−1)
    landings: list[int] = field(init=False)  # landing days, in order
    segments: list[tuple[int, int, float]] = field(init=False)  # see _segments

    def __post_init__(self) -> None:
        self.totals = list(itertools.accumulate(self.daily, initial=0.0))
        self.landings = sorted(self.arrivals)
        self.segments = self._segments()

    @property
    def horizon(self) -> int:
        return len(self.daily)

    def demand(self, start: int, end: int) -> float:
        """Forecast demand f_start + … + f_(end−1); past the horizon the last day repeats."""
        h = self.horizon
        total = self.totals[min(max(end, 0), h)] - self.totals[min(max(start, 0), h)]
        if end > h and h:
            total += self.daily[-1] * (end - max(start, h))
        return total

    def forecast(self, day: int) -> float:
        if day < self.horizon:
            return self.daily[day]
        return self.daily[-1] if self.daily else 0.0

    def arrived(self, day: int) -> float:
        """A(t): inbound units landed on or before `day`."""
        total = 0.0
        for d in self.landings:
            if d <= day:
                total += self.arrivals[d]
        return total

    def _segments(self) -> list[tuple[int, int, float]]:
        """(first day, end day exclusive, start-of-day stock on the first day) between landings."""
        out = []
        stock = self.available
        start = 0
        for d in [*self.landings, self.horizon]:
            if d > start:
                out.append((start, d, stock))
                stock = max(0.0, stock - (self.totals[d] - self.totals[start]))
                start = d
            stock += self.arrivals.get(d, 0.0)
        return out

    def stock_at(self, day: int) -> float:
        """S(day): start-of-day stock, after that day's landing."""
        for s, e, stock in self.segments:
            if day < e:
                return max(0.0, stock - (self.totals[max(day, s)] - self.totals[s]))
        return 0.0

    def first_day_below(self, threshold: float, start: int = 0) -> int | None:
        """First day t ≥ `start` whose end-of-day stock S(t) − f_t falls below `threshold`.

        With threshold 0 that is the stockout day: the first t with S(t) < f_t.
        """
        for s, e, stock in self.segments:
            if e <= start:
                continue
            lo = max(s, start)
            # S(s) − (F(t+1) − F(s)) < threshold  ⟺  F(t+1) > S(s) + F(s) − threshold
            target = stock + self.totals[s] - threshold + EPS
            i = bisect.bisect_right(self.totals, target, lo + 1, e + 1)
            if i <= e:
                return i - 1
        return None

    def daily_stock(self, days: int) -> list[float]:
        """Start-of-day stock for days 0 … days−1, never below zero (lost sales)."""
        stock = self.available
        out = []
        for t in range(days):
            stock += self.arrivals.get(t, 0.0)
            out.append(stock)
            stock = max(0.0, stock - self.forecast(t))
        return out


def project(
    available: float, demand: Sequence[float], inbound: Sequence[tuple[int, float]] = ()
) -> Projection:
    """Build the projection for a per-day demand f_0 … f_(horizon−1).

    Inbound: (ETA day, units); an ETA in the past lands on day 0, one past the horizon never.
    """
    horizon = len(demand)
    arrivals: dict[int, float] = {}
    for day, qty in inbound:
        d = max(0, day)
        if d < horizon and qty > 0:
            arrivals[d] = arrivals.get(d, 0.0) + qty
    return Projection(max(0.0, available), list(demand), arrivals)


def lead_time(production_days: float, transit_days: float, receiving_days: float) -> int:
    """L_m = production + transit_m + receiving, in whole days."""
    return ceil_eps(production_days + transit_days + receiving_days)


def round_up_to_pack(units: float, case_pack: float | None) -> int:
    """Whole units, rounded up to a multiple of the case pack (1 when blank or below 1)."""
    pack = case_pack if case_pack and case_pack >= 1 else 1
    return ceil_eps(ceil_eps(units) / pack) * int(pack) if units > 0 else 0


def order_quantity(need: float, case_pack: float | None = None, moq: float | None = None) -> int:
    """Units to order for a need: up to the case pack, 0 if not positive, raised to the MOQ."""
    qty = round_up_to_pack(need, case_pack) if need > EPS else 0
    if qty > 0 and moq and qty < moq:
        qty = round_up_to_pack(moq, case_pack)
    return qty


# --- the rules read from the projection --------------------------------------------------


@dataclass
class Gap:
    """The first stockout and how long the shelf stays empty (SPEC §3 v2, Gap).

    The gap ends at the next landing or, when that is later, on the day a regular order placed
    today would land: nothing is ever projected as out for the rest of the year.
    """

    stockout_day: int | None = None
    next_landing: int | None = None
    end: int | None = None
    days: int = 0
    lost_units: int = 0


def find_gap(proj: Projection, lead: int) -> Gap:
    """Stockout day, next landing after it, gap days and lost units up to the gap's end."""
    out = proj.first_day_below(0.0)
    if out is None:
        return Gap()
    later = next((d for d in proj.landings if d > out), None)
    end = lead if later is None else min(later, lead)
    if end <= out:
        return Gap(out, later, out)
    lost = ceil_eps(max(0.0, proj.demand(out, end) - proj.stock_at(out)))
    return Gap(out, later, end, end - out, lost)


def shortfall(proj: Projection, gap: Gap, from_day: int) -> float:
    """Units the gap lacks from `from_day` on: what an emergency option landing then can save."""
    if gap.stockout_day is None or gap.end is None or from_day >= gap.end:
        return 0.0
    start = max(from_day, gap.stockout_day)
    need = proj.demand(start, gap.end)
    if start == gap.stockout_day:
        need -= proj.stock_at(start)
    return max(0.0, need)


@dataclass
class Reorder:
    """When to order and how much (SPEC §3 v2, Reorder by / Reorder qty).

    Only a dip an order placed today can still prevent (the first day t* ≥ L below safety
    stock) calls for an order; it is ordered up to the target on the day it lands, net of what
    will be on the shelf then and of batches landing within the cover window, and at least
    what keeps safety stock on the shelf until each of those batches lands.
    """

    dip_day: int | None = None  # t*
    by_day: int | None = None  # t* − L: 0 means order today
    qty: int = 0


def find_reorder(
    proj: Projection,
    lead: int,
    safety_stock: float,
    cover_days: float,
    case_pack: float | None = None,
    moq: float | None = None,
) -> Reorder:
    dip = proj.first_day_below(safety_stock, lead)
    if dip is None:
        return Reorder()
    end = dip + ceil_eps(cover_days)
    stock = proj.stock_at(dip)
    # Never under safety stock until the end of the cover window, nor on the eve of a batch
    # landing inside it: a batch a few days after the dip does not make the order needless.
    coming = 0.0
    need = 0.0
    for d in proj.landings:
        if dip < d < end:
            need = max(need, proj.demand(dip, d) + safety_stock - stock - coming)
            coming += proj.arrivals[d]
    need = max(need, proj.demand(dip, end) + safety_stock - stock - coming)
    return Reorder(dip, dip - lead, order_quantity(need, case_pack, moq))
