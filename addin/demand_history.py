"""A SKU's sales history read as demand: weekly buckets, suppressed days, spikes, sale share.

The forecast (`addin/forecast.py`) and the season (`addin/season.py`) read demand, not sales:
days out of stock say nothing about demand, nor do the days just before a stockout whose
sales collapsed because the listing was nearly empty, nor a one-off spike that would lift the
rate for months. This module turns the daily history into that demand, in weeks counted back
from yesterday (week 0 = days −7…−1), so the same weekday lines up with last year's (52 weeks =
364 days back). It also says when a history starts: silent days before a SKU's first row are a
slow mover's zero-sales days, or days before it was listed (`listed_before`).

Mirrored by `addin/google/DemandHistory.gs`; plain float arithmetic in a fixed order, so the
shared vectors agree to the last digit. `weekly` has a numpy twin in the plan for 10,000 SKUs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from addin.cells import fmt_number

#: Weeks of history the forecast reads: last year's weeks around the next 13, and 13 more.
WEEKS = 65
#: A spike day: above both multiples of the level of the 76 days before the last two weeks.
SPIKE_TIMES = 2.0
SPIKE_SIGMAS = 3.0
SPIKE_DAYS = 3  # at most this many such days in the two weeks

#: Expected units over the silent days before a SKU's first row above which those days are
#: taken as not listed yet (a launch): at its later rate, a 1 % chance (e^−4.6) of no sale.
LISTED_UNITS = 4.6


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
        notes.append(f"{_days(spikes)} of spikes capped at {fmt_number(cap, 1)}")
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


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"
