"""Demand forecast f_t: the season, the trend, the launch and the slow mover, day by day.

The playbook's velocity v (a weighted average of recent in-stock days) is the starting point;
this module decides, from the SKU's own history, whether that history shows something v cannot
see, and only then moves the forecast away from v:

- **season** and **profile** (`addin/season.py`): last year's weeks, weighed by their
  evidence, or the seller's seasonal profile for SKUs without a year of history;
- **trend**: the last 4 weeks against the 8 before, used only when the difference is clearly
  beyond noise and then damped, so a short spike cannot run away;
- **slow mover**: a SKU that sells on fewer than half of its in-stock days gets a
  Teunter-Syntetos-Babai (TSB) rate over its in-stock weeks instead of a few noisy windows;
- **launch**: a SKU with less history than the longest window, still ramping up;
- **spikes and suppressed days** are taken out of the history first
  (`addin/demand_history.py`), and v is taken again without them.

When none of these shows, f_t = v exactly (the projection multiplies promotions in), so flat
SKUs keep their numbers. The result is a rate and a few multiplier blocks (start day, last day,
factor) in the same shape as promotions, which the projection already multiplies in.

Pure Python and mirrored by `addin/google/Forecast.gs`; plain float arithmetic in a fixed
order, no exp/log, so the shared vectors agree to the last digit.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from addin.cells import fmt_number
from addin.demand_history import Weekly
from addin.season import YEAR_WEEKS, last_year, profile_blocks

#: A trend must be this many standard errors and this share of the level to be used.
TREND_SIGMAS = 3.0
TREND_SHARE = 0.2
#: Daily damping of the trend: it adds at most 1 / (1 − φ) − 1 days' worth of slope.
TREND_DAMPING = 0.97
#: Slow mover: sells on fewer in-stock days than this share; TSB smoothing constant.
SLOW_SHARE = 0.5
TSB_ALPHA = 0.1

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass
class Forecast:
    """f_t = rate × (product of the blocks covering t); blocks are (first day, last day, factor)."""

    rate: float
    blocks: list[tuple[int, int, float]] = field(default_factory=list)
    model: str = "velocity"
    basis: str = ""
    sigma: float = 0.0  # standard deviation of a day's demand around the forecast

    def daily(self, days: int) -> list[float]:
        """f_0 … f_(days−1), before promotions (rate × product of factors, as promotions)."""
        factors = [1.0] * days
        for start, end, factor in self.blocks:
            for t in range(max(0, start), min(days, end + 1)):
                factors[t] *= factor
        return [self.rate * x for x in factors]


def mean_rate(fc: Forecast, days: int) -> float:
    """Average f_t (before promotions) over the first `days` days."""
    if days <= 0 or not fc.blocks:
        return fc.rate
    total = 0.0
    for x in fc.daily(days):
        total += x
    return total / days


def normal_cdf(x: float) -> float:
    """Φ(x) from the complementary error function (Numerical Recipes' erfcc, |error| < 1.2e-7),
    written out so the Apps Script port runs the same arithmetic."""
    z = abs(x) / math.sqrt(2.0)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = 0.17087277
    for c in (-0.82215223, 1.48851587, -1.13520398, 0.27886807, -0.18628806, 0.09678418,
              0.37409196, 1.00002368, -1.26551223):  # fmt: skip
        poly = poly * t + c
    erfc = t * math.exp(-z * z + poly)
    return 1.0 - 0.5 * erfc if x >= 0 else 0.5 * erfc


def stockout_risk(stock: float, demand: float, sigma: float, days: int, lead_sd: float) -> float:
    """Chance that demand over the `days` until the next landing outruns `stock`, to 0.1 %.

    Demand over those days is taken as normal with mean `demand` (the forecast's sum) and
    variance days · σ² (the forecast's own daily error) + lead_sd² (lead-time variation, in
    units); half a unit of continuity correction because units are whole.
    """
    if stock <= 0:
        return 1.0
    spread = math.sqrt(days * sigma * sigma + lead_sd * lead_sd)
    if spread <= 0:
        return 1.0 if demand > stock else 0.0
    risk = 1.0 - normal_cdf((stock + 0.5 - demand) / spread)
    return math.floor(risk * 1000 + 0.5) / 1000


def forecast(
    rate: float,
    history: Weekly,
    *,
    share: float | None = None,
    daily_sd: float = 0.0,
    horizon: int = 365,
    profile: Sequence[float] | None = None,
    as_of: dt.date | None = None,
    windows: Sequence[int] = (7, 30, 90),
    weights: Sequence[float] = (0.5, 0.3, 0.2),
    history_days: int | None = None,
    note: str = "",
) -> Forecast:
    """The forecast of one SKU from its velocity `rate` (v, over the cleaned history) and its
    weekly history. `share`: see `sale_share`. `profile` (12 monthly indexes) needs `as_of`
    for the calendar. `history_days`: how many days the history covers (a launch has fewer
    than the longest velocity window). `note`: what `clean` did, for the Basis.
    """
    notes = [note] if note else []
    level = rate
    model = "velocity"
    # A launch still ramping up: its last two weeks beat every longer window, so they are the
    # level (v averages in the first, slower weeks and lags the ramp).
    launch = history_days is not None and history_days < max(windows)
    if launch and len(history.units) >= 3:
        u = history.units[0] + history.units[1]
        n = history.days[0] + history.days[1]
        if n >= 7 and u / n > level:
            level = u / n
            model = "launch"
            notes.insert(0, f"launch ramping: last 2 weeks {fmt_number(level, 1)}/day")
    slow = _slow_rate(history, share)
    if slow is not None:
        level = slow[0]
        model = "slow mover"
        notes.insert(0, f"slow mover: TSB {fmt_number(level, 2)}/day over {slow[1]} in-stock days")
    blocks: list[tuple[int, int, float]] = []
    season = None
    if len(history.units) >= YEAR_WEEKS + 4 and level > 0 and history.maybe_seasonal:
        season = last_year(history, horizon, windows, weights, profile, as_of)
    if season is not None:
        blocks, peak, peak_day, evidence = season
        model = "season" if model == "velocity" else model + " + season"
        when = _day_text(as_of, peak_day)
        seen = f"(last year, {evidence} in-stock days)"
        notes.insert(0, f"season ×{fmt_number(peak, 1)} {when}{seen}")
    elif profile is not None and as_of is not None and level > 0:
        blocks = profile_blocks(tuple(profile), as_of, horizon, tuple(windows), tuple(weights))
        if blocks:
            peak, peak_day = _peak(blocks)
            model = "profile" if model == "velocity" else model + " + profile"
            notes.insert(0, f"profile ×{fmt_number(peak, 1)} {_day_text(as_of, peak_day)}".rstrip())
    if season is None and slow is None and not blocks:  # a profile explains the movement
        trend = _trend(history, daily_sd, horizon)
        if trend is not None:
            level, trend_blocks, slope = trend
            blocks = blocks + trend_blocks  # factors multiply, as promotions do
            if trend_blocks:
                model = "trend" if model == "velocity" else model + " + trend"
                sign = "+" if slope >= 0 else ""
                notes.insert(0, f"trend {sign}{fmt_number(slope * 7, 2)}/day a week, damped")
            else:
                model = "new level" if model == "velocity" else model + " + new level"
                notes.insert(0, f"new level {fmt_number(level, 1)}/day in the last weeks")
    if model != "velocity" and launch:
        notes.append(f"{history_days} days of history")
    return Forecast(level, blocks, model, " · ".join(notes), daily_sd)


def _slow_rate(history: Weekly, sale_share: float | None) -> tuple[float, int] | None:
    """TSB rate (units/day) and the in-stock days it read, for a SKU with intermittent sales.

    Teunter-Syntetos-Babai over in-stock weeks, oldest first: the chance of a week with sales
    and the size of such a week are smoothed apart, so the rate neither chases the last sale
    nor lets a run of empty weeks cut the rate to zero at once.
    """
    if sale_share is None or sale_share >= SLOW_SHARE:
        return None
    wu, wd = history.units, history.days
    demands = []
    days = 0
    for k in range(min(len(wu), YEAR_WEEKS) - 1, -1, -1):
        if wd[k] >= 4:
            demands.append(wu[k] * 7.0 / wd[k])
            days += wd[k]
    sizes = [d for d in demands if d > 0]
    if len(demands) < 8 or len(sizes) < 2:
        return None
    total = 0.0
    for d in sizes:
        total += d
    size = total / len(sizes)
    chance = len(sizes) / len(demands)
    for d in demands:
        if d > 0:
            chance += TSB_ALPHA * (1.0 - chance)
            size += TSB_ALPHA * (d - size)
        else:
            chance += TSB_ALPHA * (0.0 - chance)
    return chance * size / 7.0, days


def _trend(
    history: Weekly, daily_sd: float, horizon: int
) -> tuple[float, list[tuple[int, int, float]], float] | None:
    """Level, damped-trend blocks and slope (units/day per day) from the last 4 weeks against
    the 8 before (2 against up to 4 for a launch); None when the change is within noise."""
    wu, wd = history.units, history.days
    nweeks = len(wu)
    if nweeks >= 12:
        recent, prior = 4, 8
    elif nweeks >= 4:
        recent, prior = 2, min(4, nweeks - 2)
    else:
        return None
    ur = 0.0
    nr = 0
    for k in range(recent):
        ur += wu[k]
        nr += wd[k]
    up = 0.0
    np_ = 0
    for k in range(recent, recent + prior):
        up += wu[k]
        np_ += wd[k]
    if nr < 3 * recent or np_ < 3 * prior:
        return None
    mr = ur / nr
    mp = up / np_
    mean = (ur + up) / (nr + np_)
    if mean <= 0:
        return None
    dispersion = max(1.0, daily_sd * daily_sd / mean)
    se = math.sqrt(dispersion * (mr / nr + mp / np_)) if mr + mp > 0 else 0.0
    change = mr - mp
    if abs(change) <= TREND_SIGMAS * se or abs(change) <= TREND_SHARE * max(mr, mp) or mr <= 0:
        return None
    # Still moving? The newer half of the recent weeks must be further along than the older
    # half; if not, sales stepped to a new level and stay there: that level, no slope.
    half = recent // 2
    newer = 0.0
    newer_days = 0
    for k in range(half):
        newer += wu[k]
        newer_days += wd[k]
    older = ur - newer
    older_days = nr - newer_days
    if (
        newer_days == 0
        or older_days == 0
        or (newer / newer_days - older / older_days) * change <= 0
    ):
        return mr, [], 0.0
    slope = change / (3.5 * (recent + prior))  # between the two windows' middles
    # level(t) = mr + slope · (days from the recent weeks' middle to today + D(t)), with
    # D(t) = φ + φ² + … + φ^t: the trend is damped from today on, so it levels off.
    power = 1.0
    damped = 3.5 * recent
    for _ in range(3):  # to the middle of the first week
        power *= TREND_DAMPING
        damped += power
    blocks = []
    for b in range((horizon + 6) // 7):
        level = mr + slope * damped
        if level < 0.3 * mr:
            level = 0.3 * mr
        factor = level / mr
        blocks.append((7 * b, min(horizon - 1, 7 * b + 6), factor))
        for _ in range(7):
            power *= TREND_DAMPING
            damped += power
    return mr, blocks, slope


def _peak(blocks: list[tuple[int, int, float]]) -> tuple[float, int]:
    peak, day = 1.0, 0
    for start, _, factor in blocks:
        if factor > peak:
            peak, day = factor, start
    return peak, day


def _day_text(as_of: dt.date | None, day: int) -> str:
    if as_of is None:
        return f"from day {day} "
    when = as_of + dt.timedelta(days=day)
    return f"from {MONTHS[when.month - 1]} {when.day} "
