"""Demand forecast f_t: the season, the trend, the launch and the slow mover, day by day.

The playbook's velocity v (a weighted average of recent in-stock days) is the starting point;
this module decides, from the SKU's own history, whether that history shows something v cannot
see, and only then moves the forecast away from v:

- **season**: last year's in-stock weeks around each coming week, over last year's level at
  this time of year. Each week's index is shrunk towards 1 (or towards the seller's profile)
  by its evidence, so a shape seen once on a few units does not swing the plan, and the whole
  season is used only when last year's weeks differ by more than noise could explain;
- **profile**: a seasonal profile the seller names (`q4`, `summer`, `winter`) or gives as
  12 monthly indexes, for SKUs without a year of history;
- **trend**: the last 4 weeks against the 8 before, used only when the difference is clearly
  beyond noise and then damped, so a short spike cannot run away;
- **slow mover**: a SKU that sells on fewer than half of its in-stock days gets a
  Syntetos-Boylan (SBA) rate over its in-stock weeks instead of a few noisy recent windows;
- **spike**: a single recent day far above the SKU's level is capped before v is taken;
- **suppressed days**: days just before a known stockout whose sales collapsed (the listing
  was nearly empty) are treated as out of stock, like the stockout itself.

When none of these shows, f_t = v exactly (the projection multiplies promotions in), so flat
SKUs keep their numbers. The result is a rate and a few multiplier blocks (start day, last day,
factor) in the same shape as promotions, which the projection already multiplies in.

Weeks here are 7-day buckets counted back from yesterday (week 0 = days −7…−1), so the same
weekday lines up with last year's (52 weeks = 364 days back). Pure Python and mirrored by
`addin/google/Forecast.gs`; plain float arithmetic in a fixed order, no exp/log, so the shared
vectors agree to the last digit. `weekly` has a numpy twin in the plan for 10,000 SKUs.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

WEEKS = 65  # history the forecast reads: last year's weeks around the next 13, and 13 more
YEAR_WEEKS = 52
#: Units of evidence that count as much as the prior (1, or the profile) in a week's index.
SEASON_EVIDENCE = 60.0
#: Last year's 13 four-week months must differ by more than this (chi-square, 12 degrees of
#: freedom, p = 0.001) for the season to be used at all.
SEASON_GATE = 32.9
#: A trend must be this many standard errors and this share of the level to be used.
TREND_SIGMAS = 3.0
TREND_SHARE = 0.2
#: Daily damping of the trend: it adds at most 1 / (1 − φ) − 1 days' worth of slope.
TREND_DAMPING = 0.97
#: Slow mover: sells on fewer in-stock days than this share; TSB smoothing constant.
SLOW_SHARE = 0.5
TSB_ALPHA = 0.1
#: A spike day: above both multiples of the level of the 76 days before the last two weeks.
SPIKE_TIMES = 2.0
SPIKE_SIGMAS = 3.0
SPIKE_DAYS = 3  # at most this many such days in the two weeks

#: Expected units over the silent days before a SKU's first row above which those days are
#: taken as not listed yet (a launch): at its later rate, a 1 % chance (e^−4.6) of no sale.
LISTED_UNITS = 4.6

#: Built-in seasonal profiles: monthly indexes, January first.
PROFILES = {
    "q4": (0.8, 0.75, 0.8, 0.85, 0.9, 0.9, 1.0, 0.95, 0.95, 1.1, 1.8, 2.2),
    "summer": (0.6, 0.6, 0.8, 1.0, 1.3, 1.6, 1.7, 1.4, 1.0, 0.7, 0.6, 0.7),
    "winter": (1.6, 1.3, 1.0, 0.7, 0.6, 0.5, 0.5, 0.6, 0.8, 1.1, 1.5, 1.8),
}

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class ProfileError(ValueError):
    """A seasonal profile that is neither a known name nor 12 positive numbers."""


def parse_profile(value: object) -> tuple[float, ...] | None:
    """`q4` / `summer` / `winter`, or 12 monthly indexes `0.8, 0.8, …, 2.2`; blank -> None."""
    if value is None:
        return None
    text = str(value).strip().lower()
    if text == "":
        return None
    if text in PROFILES:
        return PROFILES[text]
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p]
    try:
        numbers = tuple(float(p) for p in parts)
    except ValueError:
        numbers = ()
    if len(numbers) != 12 or any(not x > 0 or math.isinf(x) for x in numbers):
        names = ", ".join(PROFILES)
        raise ProfileError(f"season must be {names} or 12 monthly indexes, got {text[:40]!r}")
    return numbers


def listed_before(rate: float, silent_days: float) -> bool:
    """When does history start? Days a source covered before a SKU's first row are zero-sales
    days of a listed SKU when, at the SKU's rate since then, so long a silence is unremarkable
    (a slow mover whose first sale fell late in a report); otherwise the SKU was not listed yet.
    Works on numbers and on numpy arrays alike."""
    return rate * silent_days <= LISTED_UNITS


@dataclass(slots=True)
class Weekly:
    """A SKU's history in weeks, newest first: units sold and in-stock days of each week."""

    units: list[float]
    days: list[int]
    #: False when `season_possible` found last year flat beyond doubt (a shortcut for speed)
    maybe_seasonal: bool = True


def weekly(
    units: Sequence[float], out: Sequence[bool], weeks: int = WEEKS, older: Weekly | None = None
) -> Weekly:
    """Bucket daily units (oldest first, ending yesterday) into weeks, in-stock days only.

    `older`: weekly history reaching further back (the plan's); the weeks that `units` covers
    whole are taken from `units` (cleaned of suppressed days and spikes), the rest from it.
    """
    n = len(units)
    week_units: list[float] = []
    week_days: list[int] = []
    end = n
    while end > 0 and len(week_units) < weeks:
        start = max(0, end - 7)
        total, count = _in_stock(units, out, start, end)
        week_units.append(total)
        week_days.append(count)
        end = start
    if older is not None and n >= 7:  # the weeks `units` covers whole come from `units`
        whole = n // 7
        return Weekly(
            week_units[:whole] + older.units[whole:], week_days[:whole] + older.days[whole:]
        )
    return Weekly(week_units, week_days)


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


def clean(units: Sequence[float], out: Sequence[bool]) -> tuple[list[float], list[bool], str]:
    """The history as demand: suppressed days out of stock, recent spikes capped, and a note.

    Suppressed: up to 3 days right before a stockout whose sales fell below half the 90-day
    level (the listing was nearly empty: the demand was there, the units were not). Spike: one
    to three days of the last two weeks far above the level of the weeks before (a one-off
    deal or a viral day), counted at the cap so they do not lift the rate for months.
    """
    n = len(units)
    lo = max(0, n - 90)
    marked = list(out)
    suppressed = 0
    if any(out[lo:]):
        total, count = _in_stock(units, out, lo, n)
        level = total / count if count else 0.0
        for i in range(max(1, lo), n):
            if out[i] and not out[i - 1]:
                j = i - 1
                while j >= 0 and j >= i - 3 and not out[j] and units[j] < 0.5 * level:
                    marked[j] = True
                    suppressed += 1
                    j -= 1
    cleaned: Sequence[float] = units
    spikes = 0
    cap = 0.0
    if n - 14 - lo >= 28 and not _no_spike(units, marked, lo, n):
        before, days = _in_stock(units, marked, lo, n - 14)
        if days >= 28:
            mean = before / days
            squares = 0.0
            for i in range(lo, n - 14):
                if not marked[i]:
                    squares += (units[i] - mean) * (units[i] - mean)
            sd = math.sqrt(squares / (days - 1))
            cap = SPIKE_TIMES * mean
            other = mean + SPIKE_SIGMAS * max(sd, math.sqrt(mean)) + 1.0
            if other > cap:
                cap = other
            above = [i for i in range(n - 14, n) if not marked[i] and units[i] > cap]
            if 0 < len(above) <= SPIKE_DAYS:  # more is a new level, which the trend reads
                cleaned = list(units)
                for i in above:
                    cleaned[i] = cap
                spikes = len(above)
    notes = []
    if suppressed:
        notes.append(f"{_days(suppressed)} of suppressed sales before stockouts")
    if spikes:
        notes.append(f"{_days(spikes)} of spikes capped at {_fmt(cap, 1)}")
    return list(cleaned), marked, " · ".join(notes)


def _in_stock(units: Sequence[float], out: Sequence[bool], lo: int, hi: int) -> tuple[float, int]:
    """Units sold and days counted over days lo … hi−1, leaving out the days out of stock."""
    total = 0.0
    count = 0
    for i in range(lo, hi):
        if not out[i]:
            total += units[i]
            count += 1
    return total, count


def _no_spike(units: Sequence[float], marked: Sequence[bool], lo: int, n: int) -> bool:
    """A quick sure "no": the top of the last two weeks is under the lowest cap there can be.

    Only a shortcut for speed (C-level sum and max); `clean` decides every other case.
    """
    if any(marked[lo : n - 14]):
        return False
    before = units[lo : n - 14]
    mean = sum(before) / len(before)
    lowest = max(SPIKE_TIMES * mean, mean + SPIKE_SIGMAS * math.sqrt(max(mean, 0.0)) + 1.0)
    return max(units[n - 14 : n]) <= 0.999 * lowest


def sale_share(units: Sequence[float], out: Sequence[bool], days: int = 90) -> float | None:
    """Share of the in-stock days of the last `days` with any sale (None with no such day)."""
    n = len(units)
    window = units[max(0, n - days) :]
    if window and not any(out[max(0, n - days) :]) and min(window) >= 0:
        return (len(window) - window.count(0.0)) / len(window)  # the same, at C speed
    sold = 0
    count = 0
    for i in range(max(0, n - days), n):
        if not out[i]:
            count += 1
            if units[i] > 0:
                sold += 1
    return sold / count if count else None


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
            notes.insert(0, f"launch ramping: last 2 weeks {_fmt(level, 1)}/day")
    slow = _slow_rate(history, share)
    if slow is not None:
        level = slow[0]
        model = "slow mover"
        notes.insert(0, f"slow mover: TSB {_fmt(level, 2)}/day over {slow[1]} in-stock days")
    blocks: list[tuple[int, int, float]] = []
    season = None
    if len(history.units) >= YEAR_WEEKS + 4 and level > 0 and history.maybe_seasonal:
        season = _season(history, horizon, windows, weights, profile, as_of)
    if season is not None:
        blocks, peak, peak_day, evidence = season
        model = "season" if model == "velocity" else model + " + season"
        when = _day_text(as_of, peak_day)
        notes.insert(0, f"season ×{_fmt(peak, 1)} {when}(last year, {evidence} in-stock days)")
    elif profile is not None and as_of is not None and level > 0:
        blocks = _profile_blocks(tuple(profile), as_of, horizon, tuple(windows), tuple(weights))
        if blocks:
            peak, peak_day = _peak(blocks)
            model = "profile" if model == "velocity" else model + " + profile"
            notes.insert(0, f"profile ×{_fmt(peak, 1)} {_day_text(as_of, peak_day)}".rstrip())
    if season is None and slow is None and not blocks:  # a profile explains the movement
        trend = _trend(history, daily_sd, horizon)
        if trend is not None:
            level, trend_blocks, slope = trend
            blocks = blocks + trend_blocks  # factors multiply, as promotions do
            if trend_blocks:
                model = "trend" if model == "velocity" else model + " + trend"
                sign = "+" if slope >= 0 else ""
                notes.insert(0, f"trend {sign}{_fmt(slope * 7, 2)}/day a week, damped")
            else:
                model = "new level" if model == "velocity" else model + " + new level"
                notes.insert(0, f"new level {_fmt(level, 1)}/day in the last weeks")
    if model != "velocity" and launch:
        notes.append(f"{history_days} days of history")
    return Forecast(level, blocks, model, " · ".join(notes), daily_sd)


def season_possible(week_units: Any, week_days: Any) -> Any:
    """For many SKUs at once (numpy arrays, SKU × week, newest first): False where last year's
    months are too even for `_season`'s gate to pass, with a 10 % margin for the order of
    float sums. Only a shortcut: a True still goes through the gate itself."""
    import numpy as np

    u = np.asarray(week_units, dtype=float)[:, :YEAR_WEEKS]
    d = np.asarray(week_days, dtype=float)[:, :YEAR_WEEKS]
    if u.shape[1] < YEAR_WEEKS:
        return np.ones(len(u), dtype=bool)
    total, days = u.sum(axis=1), d.sum(axis=1)
    mean = np.divide(total, days, out=np.zeros_like(total), where=days > 0)
    mu = u.reshape(len(u), 13, 4).sum(axis=2)
    md = d.reshape(len(d), 13, 4).sum(axis=2)
    expected = mean[:, None] * md
    used = (md >= 7) & (expected > 0)
    chi = np.where(used, (mu - expected) ** 2 / np.where(used, expected, 1.0), 0.0).sum(axis=1)
    months = used.sum(axis=1)
    a, b = u[:, 0::2], u[:, 1::2]
    da, db = d[:, 0::2], d[:, 1::2]
    pair = (da >= 5) & (db >= 5)
    diff = np.where(pair, a / np.where(pair, da, 1) - b / np.where(pair, db, 1), 0.0)
    within = (diff * diff * (da + db) / 2.0 * pair).sum(axis=1)
    count = 2 * pair.sum(axis=1)
    ratio = np.divide(
        within, count * mean, out=np.ones_like(within), where=(count > 0) & (mean > 0)
    )
    dispersion = np.maximum(1.0, ratio)
    flat = (days >= 180) & (total > 0) & (months >= 6)
    flat &= chi / dispersion < 0.9 * SEASON_GATE * months / 13.0
    return ~flat


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


def _season(
    history: Weekly,
    horizon: int,
    windows: Sequence[int],
    weights: Sequence[float],
    profile: Sequence[float] | None,
    as_of: dt.date | None,
) -> tuple[list[tuple[int, int, float]], float, int, int] | None:
    """Weekly season multipliers from last year, shrunk by evidence; None when no season shows."""
    wu, wd = history.units, history.days
    nweeks = len(wu)
    # Gate: do last year's 13 four-week months differ by more than (overdispersed) noise?
    # One pass over the months; every sum adds in the order of a plain loop over the weeks.
    total = 0.0
    days = 0
    month_units = []
    month_days = []
    within = 0.0  # weekly overdispersion: neighbouring weeks' rates differ by more than Poisson
    count = 0
    for k in range(0, YEAR_WEEKS, 4):
        a, b, c, d = wu[k], wu[k + 1], wu[k + 2], wu[k + 3]
        da, db, dc, dd = wd[k], wd[k + 1], wd[k + 2], wd[k + 3]
        total = total + a + b + c + d
        days = days + da + db + dc + dd
        month_units.append(a + b + c + d)
        month_days.append(da + db + dc + dd)
        for x, dx, y, dy in ((a, da, b, db), (c, dc, d, dd)):  # week pairs (0,1), (2,3), …
            if dx >= 5 and dy >= 5:
                diff = x / dx - y / dy
                within += diff * diff * dx / 2.0
                within += diff * diff * dy / 2.0
                count += 2
    if days < 180 or total <= 0:
        return None
    mean = total / days
    chi = 0.0
    months = 0
    for u, n in zip(month_units, month_days, strict=True):
        if n >= 7:
            expected = mean * n
            chi += (u - expected) * (u - expected) / expected
            months += 1
    if months < 6:
        return None
    dispersion = max(1.0, within / count / mean) if count else 1.0
    if chi / dispersion < SEASON_GATE * months / 13.0:
        return None
    # Last year's level at this time of year, over the same windows and weights as v.
    ref = 0.0
    ref_weight = 0.0
    ref_units = 0.0
    for k_days, w in zip(windows, weights, strict=True):
        nw = max(1, (int(k_days) + 3) // 7)
        u = 0.0
        n = 0
        for k in range(YEAR_WEEKS, min(nweeks, YEAR_WEEKS + nw)):
            u += wu[k]
            n += wd[k]
        if n > 0:
            ref += w * (u / n)
            ref_weight += w
            ref_units = max(ref_units, u)
    if ref_weight <= 0 or ref <= 0:
        return None
    ref = ref / ref_weight
    prior = None
    if profile is not None and as_of is not None:
        prior = _profile_factors(tuple(profile), as_of, horizon, tuple(windows), tuple(weights))
    blocks: list[tuple[int, int, float]] = []
    peak = 1.0
    peak_day = 0
    evidence = days
    ref_weight_units = ref_units / (ref_units + SEASON_EVIDENCE)
    nblocks = (horizon + 6) // 7
    for b in range(nblocks):
        centre = YEAR_WEEKS - 1 - b % YEAR_WEEKS  # the same weeks of the year, a year back
        rates = []
        u = 0.0
        n = 0
        for k in (centre - 1, centre, centre + 1):
            if 0 <= k < nweeks and wd[k] >= 3:
                rates.append(wu[k] / wd[k])
                u += wu[k]
                n += wd[k]
        target = 1.0 if prior is None else prior[b]
        factor = target
        if len(rates) >= 2:
            rates.sort()
            typical = rates[len(rates) // 2] if len(rates) == 3 else (rates[0] + rates[1]) / 2.0
            raw = typical / ref
            w = u / (u + SEASON_EVIDENCE)
            if ref_weight_units < w:
                w = ref_weight_units
            factor = target + w * (raw - target)
        if factor != 1.0:
            last = min(horizon - 1, 7 * b + 6)
            blocks.append((7 * b, last, factor))
        if factor > peak:
            peak = factor
            peak_day = 7 * b
    return blocks, peak, peak_day, evidence


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


@functools.lru_cache(maxsize=64)  # one profile and as_of for many SKUs
def _profile_factors(
    profile: tuple[float, ...],
    as_of: dt.date,
    horizon: int,
    windows: tuple[int, ...],
    weights: tuple[float, ...],
) -> tuple[float, ...]:
    """Per horizon week: the profile at that week's middle over the profile across v's windows."""
    ref = 0.0
    ref_weight = 0.0
    for k_days, w in zip(windows, weights, strict=True):
        total = 0.0
        for d in range(1, int(k_days) + 1):
            total += profile[(as_of - dt.timedelta(days=d)).month - 1]
        ref += w * (total / int(k_days))
        ref_weight += w
    ref = ref / ref_weight
    return tuple(
        profile[(as_of + dt.timedelta(days=7 * b + 3)).month - 1] / ref
        for b in range((horizon + 6) // 7)
    )


@functools.lru_cache(maxsize=64)
def _profile_blocks(
    profile: tuple[float, ...],
    as_of: dt.date,
    horizon: int,
    windows: tuple[int, ...],
    weights: tuple[float, ...],
) -> list[tuple[int, int, float]]:
    factors = _profile_factors(profile, as_of, horizon, windows, weights)
    return [(7 * b, min(horizon - 1, 7 * b + 6), f) for b, f in enumerate(factors) if f != 1.0]


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


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def _fmt(x: float, digits: int) -> str:
    scale = 10**digits
    return f"{math.floor(x * scale + 0.5) / scale:.{digits}f}"
