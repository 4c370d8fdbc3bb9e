"""Seasonality: last year's weeks, weighed by their evidence, and the seller's profiles.

- **last year**: last year's in-stock weeks around each coming week, over last year's level at
  this time of year. Each week's index is shrunk towards 1 (or towards the seller's profile)
  by its evidence, so a shape seen once on a few units does not swing the plan, and the whole
  season is used only when last year's weeks differ by more than noise could explain;
- **profile**: a seasonal profile the seller names (`q4`, `summer`, `winter`) or gives as
  12 monthly indexes, for SKUs without a year of history: per SKU (Inventory `Season`) or per
  group (Inventory `Category`, with a Settings row `season_<category>`).

Both give multiplier blocks (first day, last day, factor) over the horizon, one per week, that
the forecast multiplies into its rate. Mirrored by `addin/google/Season.gs`; `season_possible`
is the plan's numpy shortcut over 10,000 SKUs.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from addin.demand_history import Weekly

YEAR_WEEKS = 52
#: Units of evidence that count as much as the prior (1, or the profile) in a week's index.
SEASON_EVIDENCE = 60.0
#: Last year's 13 four-week months must differ by more than this (chi-square, 12 degrees of
#: freedom, p = 0.001) for the season to be used at all.
SEASON_GATE = 32.9

#: Built-in seasonal profiles: monthly indexes, January first.
PROFILES = {
    "q4": (0.8, 0.75, 0.8, 0.85, 0.9, 0.9, 1.0, 0.95, 0.95, 1.1, 1.8, 2.2),
    "summer": (0.6, 0.6, 0.8, 1.0, 1.3, 1.6, 1.7, 1.4, 1.0, 0.7, 0.6, 0.7),
    "winter": (1.6, 1.3, 1.0, 0.7, 0.6, 0.5, 0.5, 0.6, 0.8, 1.1, 1.5, 1.8),
}


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


#: A Settings key `season_<category>` (any case, `_`, `-` or spaces) gives a Category its profile.
CATEGORY_PREFIX = "season"


def category_key(text: object) -> str:
    """`Garden tools`, `garden_tools` and ` GARDEN-TOOLS ` are the same category."""
    return "" if text is None else re.sub(r"[\s\-_*.]+", "", str(text)).casefold()


def category_profiles(
    settings: Mapping[str, object],
) -> tuple[dict[str, tuple[float, ...]], list[tuple[str, object, str]]]:
    """The profiles of groups of SKUs: Settings rows `season_<category>` (`season_toys` = `q4`,
    or 12 monthly indexes), keyed by `category_key`; and (key, value, reason) of each row
    that is not a profile, for Problems (a bad row moves no SKU)."""
    profiles: dict[str, tuple[float, ...]] = {}
    bad: list[tuple[str, object, str]] = []
    for key, value in settings.items():
        name = category_key(key)
        if not name.startswith(CATEGORY_PREFIX) or name == CATEGORY_PREFIX:
            continue
        try:
            profile = parse_profile(value)
        except ProfileError as exc:
            bad.append((str(key), value, f"{key}: {exc}"))
            continue
        if profile is not None:
            profiles[name[len(CATEGORY_PREFIX) :]] = profile
    return profiles, bad


def sku_profile(
    own: tuple[float, ...] | None,
    category: object,
    profiles: Mapping[str, tuple[float, ...]],
) -> tuple[float, ...] | None:
    """A SKU's profile: its own Season cell, else its Category's (None: neither)."""
    if own is not None or category is None:
        return own
    return profiles.get(category_key(category))


def season_possible(week_units: Any, week_days: Any) -> Any:
    """For many SKUs at once (numpy arrays, SKU × week, newest first): False where last year's
    months are too even for `last_year`'s gate to pass, with a 10 % margin for the order of
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


def last_year(
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
        prior = profile_factors(tuple(profile), as_of, horizon, tuple(windows), tuple(weights))
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


@functools.lru_cache(maxsize=64)  # one profile and as_of for many SKUs
def profile_factors(
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
def profile_blocks(
    profile: tuple[float, ...],
    as_of: dt.date,
    horizon: int,
    windows: tuple[int, ...],
    weights: tuple[float, ...],
) -> list[tuple[int, int, float]]:
    factors = profile_factors(profile, as_of, horizon, windows, weights)
    return [(7 * b, min(horizon - 1, 7 * b + 6), f) for b, f in enumerate(factors) if f != 1.0]
