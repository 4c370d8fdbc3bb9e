"""The stockout math: the one source of truth for every number stockout-kit shows.

Pure Python and standard library only, so the same file runs in a worksheet cell (xlwings,
xlwings Lite under Pyodide), in the sync (pandas hands it one SKU at a time) and is mirrored
line by line by the Apps Script port in `addin/google/Formulas.gs`. Shared test vectors in
`tests/vectors/` keep the two in step to the last digit, so every formula here is written with
plain IEEE arithmetic in a fixed order: no `math.fsum`, no `round()` (banker's rounding differs
from JavaScript), no `statistics` (its exact fractions have no JS twin).

Conventions
- Day 0 is `as_of`; sales history runs up to day -1 and is given oldest first.
- Unmet demand is lost, not back-ordered: projected stock never goes below zero, so an inbound
  shipment that lands after a stockout refills the shelf instead of paying back phantom demand.
  (This is how Amazon behaves; it changes nothing before the first stockout, which is where
  the stockout date, reorder-by date and alert are decided.)
- Comparisons at integer boundaries allow 1e-9 of float noise (`cells.floor_eps`,
  `cells.ceil_eps`), so 0.1 * 30 still counts as 3 days, in Python and JavaScript alike.

The math is split by idea: `addin.cells` reads cells and rounds, `addin.projection` walks stock
over the horizon and holds the replenishment rules, `addin.decisions` turns one SKU's numbers
into the alert and the priced actions. This module holds velocity, safety stock, alert levels,
the settings and the SPEC §4 cell functions, and re-exports the shared basics.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from addin import demand_history, forecast

# The shared basics, defined once in cells/projection and reached by every caller through here.
from addin.cells import EPS as EPS
from addin.cells import EXCEL_EPOCH as EXCEL_EPOCH
from addin.cells import FLAG_WORDS as FLAG_WORDS
from addin.cells import InputError as InputError
from addin.cells import add_days as add_days
from addin.cells import blank, ceil_eps, quote
from addin.cells import round_to as round_to
from addin.cells import to_date as to_date
from addin.cells import to_flag as to_flag
from addin.cells import to_number as to_number
from addin.projection import Projection, find_gap, find_reorder
from addin.projection import demand_sequence as demand_sequence
from addin.projection import lead_time as lead_time
from addin.projection import order_quantity as order_quantity
from addin.projection import project as project
from addin.projection import round_up_to_pack as round_up_to_pack
from addin.season import ProfileError, parse_profile
from addin.velocity import MAX_WINDOW_DAYS as MAX_WINDOW_DAYS
from addin.velocity import InStockTotals as InStockTotals
from addin.velocity import Velocity as Velocity
from addin.velocity import WindowAverage as WindowAverage
from addin.velocity import check_windows as check_windows
from addin.velocity import out_of_stock_days as out_of_stock_days
from addin.velocity import sku_history
from addin.velocity import velocity as velocity

OUT, CRITICAL, WARNING, WATCH, OK, NO_DATA = "OUT", "CRITICAL", "WARNING", "WATCH", "OK", "NO DATA"
ALERT_LEVELS = (OUT, CRITICAL, WARNING, WATCH, OK, NO_DATA)
#: An order due within this many days is REORDER SOON, and its row at least WATCH.
REORDER_SOON_DAYS = 7

SWITCH_TO_FBM = "SWITCH TO FBM"
EXPEDITE_BY_AIR = "EXPEDITE BY AIR"
EXPEDITE_BY_EXPRESS = "EXPEDITE BY EXPRESS"
SLOW_SALES = "SLOW SALES"
PAUSE_AND_NOTIFY = "PAUSE AND NOTIFY"
TRANSFER = "TRANSFER"
REORDER_NOW = "REORDER NOW"
REORDER_SOON = "REORDER SOON"
RELAUNCH = "RELAUNCH"
CHASE_INBOUND = "CHASE INBOUND"

LEAD_TIME_RISK = "LEAD TIME RISK"
FEE_RISK = "FEE RISK"
OVERSTOCK = "OVERSTOCK"
INBOUND_OVERDUE = "INBOUND OVERDUE"
TREND_UP = "TREND UP"
#: A flag and an action: stock on hand, none of it sold on the in-stock days of any window.
NO_SALES = "NO SALES"
#: A flag and an action: fewer days of sales history than an order can be sized on.
SHORT_HISTORY = "SHORT HISTORY"

MAX_SLOW_DOWN = 0.3  # SLOW SALES only when cutting demand by at most 30 % bridges the gap


def demand_forecast_of(
    units: Sequence[float],
    vel: Velocity,
    windows: Sequence[int] = (7, 30, 90),
    weights: Sequence[float] = (0.5, 0.3, 0.2),
    horizon: int = 365,
    as_of: dt.date | None = None,
    profile: Sequence[float] | None = None,
    weeks: demand_history.Weekly | None = None,
) -> forecast.Forecast | None:
    """f_t for a SKU whose velocity is `vel` (see `addin/forecast.py`); None without a rate.

    Suppressed days and spikes are taken out of the history first; if there were any, v is
    taken again over what is left. `weeks`: the weekly history when the caller has it already
    (the plan builds it for every SKU at once), else it is built from `units`.
    """
    cleaned, out, note = demand_history.clean(units, vel.out_of_stock)
    rate, sd = vel.rate, vel.daily_sd
    if note:
        again = velocity(cleaned, [not x for x in out], windows, weights)
        rate, sd = again.rate, again.daily_sd
    if rate is None:
        return None
    if weeks is None or note or any(out):
        weeks = demand_history.weekly(cleaned, out, older=weeks)
    return forecast.forecast(
        rate,
        weeks,
        share=demand_history.sale_share(cleaned, out),
        daily_sd=sd,
        horizon=horizon,
        profile=profile,
        as_of=as_of,
        windows=windows,
        weights=weights,
        history_days=len(units),
        note=note,
    )


# --- lead time, safety stock, reorder ----------------------------------------------------


@functools.lru_cache(maxsize=64)  # one service level for thousands of SKUs
def inverse_normal_cdf(p: float) -> float:
    """z for a service level p (Wichura's AS241, accurate to about 1e-16).

    Written out rather than taken from `statistics.NormalDist` so the JavaScript port can run
    the very same arithmetic and agree to the last digit.
    """
    if not 0 < p < 1:
        raise InputError(f"service_level must be between 0 and 1, got {quote(p)}")
    q = p - 0.5
    if abs(q) <= 0.425:
        r = 0.180625 - q * q
        return q * _horner(_AS241_CENTRAL_NUM, r) / _horner(_AS241_CENTRAL_DEN, r)
    r = math.sqrt(-math.log(p if q <= 0 else 1.0 - p))
    if r <= 5.0:
        r -= 1.6
        x = _horner(_AS241_NEAR_NUM, r) / _horner(_AS241_NEAR_DEN, r)
    else:
        r -= 5.0
        x = _horner(_AS241_TAIL_NUM, r) / _horner(_AS241_TAIL_DEN, r)
    return -x if q < 0 else x


def _horner(coefficients: Sequence[float], x: float) -> float:
    """Evaluate a polynomial given highest coefficient first, as (((a·x + b)·x + c)…)."""
    acc = coefficients[0]
    for c in coefficients[1:]:
        acc = acc * x + c
    return acc


# Wichura (1988), Algorithm AS241 PPND16: highest power first.
_AS241_CENTRAL_NUM = (
    2509.0809287301226727,
    33430.575583588128105,
    67265.770927008700853,
    45921.953931549871457,
    13731.693765509461125,
    1971.5909503065514427,
    133.14166789178437745,
    3.387132872796366608,
)
_AS241_CENTRAL_DEN = (
    5226.495278852854561,
    28729.085735721942674,
    39307.89580009271061,
    21213.794301586595867,
    5394.1960214247511077,
    687.1870074920579083,
    42.313330701600911252,
    1.0,
)
_AS241_NEAR_NUM = (
    7.7454501427834140764e-4,
    0.0227238449892691845833,
    0.24178072517745061177,
    1.27045825245236838258,
    3.64784832476320460504,
    5.7694972214606914055,
    4.6303378461565452959,
    1.42343711074968357734,
)
_AS241_NEAR_DEN = (
    1.05075007164441684324e-9,
    5.475938084995344946e-4,
    0.0151986665636164571966,
    0.14810397642748007459,
    0.68976733498510000455,
    1.6763848301838038494,
    2.05319162663775882187,
    1.0,
)
_AS241_TAIL_NUM = (
    2.01033439929228813265e-7,
    2.71155556874348757815e-5,
    0.0012426609473880784386,
    0.026532189526576123093,
    0.29656057182850489123,
    1.7848265399172913358,
    5.4637849111641143699,
    6.6579046435011037772,
)
_AS241_TAIL_DEN = (
    2.04426310338993978564e-15,
    1.4215117583164458887e-7,
    1.8463183175100546818e-5,
    7.868691311456132591e-4,
    0.0148753612908506148525,
    0.13692988092273580531,
    0.59983220655588793769,
    1.0,
)


def safety_stock_units(
    rate: float,
    daily_sd: float,
    lead_time_days: float,
    service_level: float = 0.95,
    lead_time_sd: float = 0.0,
    safety_days: float = 7.0,
) -> int:
    """SS = ceil(max(z·sqrt(L·σ² + v²·σ_L²), v·safety_days)).

    The statistical term covers demand and lead-time noise; the floor of `safety_days` of
    sales keeps hero products from running lean when their history happens to be smooth.
    """
    z = inverse_normal_cdf(service_level)
    noise = z * math.sqrt(
        lead_time_days * daily_sd * daily_sd + rate * rate * lead_time_sd * lead_time_sd
    )
    return max(0, ceil_eps(max(noise, rate * safety_days)))


def alert_for(
    days_to_stockout: float | None,
    available: float | None,
    warn_days: Sequence[float] = (30, 15, 7),
    has_rate: bool = True,
    lead_time: float | None = None,
    reorder_day: float | None = None,
    overdue: bool = False,
) -> str:
    """OUT · CRITICAL · WARNING · WATCH · OK · NO DATA from the projected days to stockout.

    A row that needs action now is never green (SPEC v2 §3): with `lead_time`, a stockout
    before a regular order could land is at least WATCH; with `reorder_day` (days until the
    reorder-by date, 0 or less: order today), so is an order due within REORDER_SOON_DAYS;
    and so is a SKU with an `overdue` inbound (the plan counts on stock nobody has seen)."""
    if available is not None and available <= 0:
        return OUT
    if not has_rate:
        return NO_DATA
    level = OK
    if days_to_stockout is not None:
        if len(warn_days) != 3:
            raise InputError("warn_days needs three lines, e.g. 30,15,7")
        watch, warning, critical = sorted(warn_days, reverse=True)
        if days_to_stockout < critical:
            return CRITICAL
        if days_to_stockout < warning:
            return WARNING
        if days_to_stockout < watch:
            return WATCH
        if lead_time is not None and days_to_stockout < lead_time:
            level = WATCH
    if overdue or (reorder_day is not None and reorder_day <= REORDER_SOON_DAYS):
        level = WATCH
    return level


# --- settings --------------------------------------------------------------------------


@dataclass
class Settings:
    """Planning settings (the Settings tab); defaults as in SPEC §2."""

    warn_days: tuple[float, ...] = (30, 15, 7)
    velocity_windows: tuple[int, ...] = (7, 30, 90)
    velocity_weights: tuple[float, ...] = (0.5, 0.3, 0.2)
    service_level: float = 0.95
    safety_days: float = 7
    cover_target_days: float = 60
    lead_time_sd_days: float = 0
    production_days: float = 30
    sea_days: float = 35
    air_days: float = 10
    express_days: float = 6
    receiving_days: float = 10
    default_mode: str = "sea"
    horizon_days: int = 365
    fee_line_days: float = 28
    overstock_days: float = 180
    fbm_enabled: bool = True
    coupon_pct: float = 20
    ad_boost_pct: float = 30
    relaunch_days: float = 14
    sea_cost_per_kg: float = 1.2
    air_cost_per_kg: float = 6.5
    express_cost_per_kg: float = 9.0
    rush_production_days: float | None = None  # blank: the factory cannot rush
    fbm_cost_per_unit: float | None = None  # blank: an FBM shipment costs what FBA does


# --- the custom functions (SPEC §4): one value in, one value out --------------------------


def days_of_cover(available: object, daily_sales: object) -> float | None:
    """Days the stock lasts at the current rate: Available / daily sales."""
    stock = _required_stock(available)
    rate = to_number(daily_sales, "daily_sales")
    if rate is None or rate <= 0:
        return None
    return stock / rate


def sales_velocity(
    units: Sequence[object],
    in_stock: Sequence[object] | None = None,
    windows: Sequence[object] | None = None,
    weights: Sequence[object] | None = None,
    sku: object = None,
    as_of: object = None,
) -> float | None:
    """Weighted in-stock units/day from a daily series (oldest first), or, given a `sku`, from
    the long Sales table (Date, SKU, Units[, In stock] rows) up to the day before `as_of`."""
    series, flags = _daily_series(units, in_stock, sku, as_of)
    win = tuple(int(_required(x, "windows")) for x in windows) if windows else (7, 30, 90)
    wts = tuple(_required(x, "weights") for x in weights) if weights else (0.5, 0.3, 0.2)
    return velocity(series, flags, win, wts).rate


def _daily_series(
    units: Sequence[object], in_stock: Sequence[object] | None, sku: object, as_of: object
) -> tuple[list[float], list[bool | None] | None]:
    if sku is not None:
        if in_stock is not None:
            raise InputError("with sku, In stock is the table's fourth column, not in_stock")
        return sku_history(units, sku, as_of)  # type: ignore[arg-type]
    series = [to_number(u, "units") or 0.0 for u in units]
    if in_stock is None:
        return series, None
    if len(in_stock) != len(series):
        raise InputError("in_stock must have one value per day of units")
    return series, [to_flag(x) for x in in_stock]


def demand_forecast(
    units: Sequence[object],
    as_of: object,
    days: object = None,
    in_stock: object = None,
    season: object = None,
    sku: object = None,
) -> float | None:
    """Forecast units per day over the next `days` days (30 by default) from a daily series
    (oldest first, ending the day before as_of) or, given a `sku`, from the long Sales table:
    season, trend, slow mover and spikes as the refresh sees them (`addin/forecast.py`),
    promotions left out."""
    day0 = _required_date(as_of, "as_of")
    series, flags = _daily_series(units, in_stock, sku, day0)  # type: ignore[arg-type]
    span = max(1, ceil_eps(_optional(days, "days", 30.0, minimum=0)))
    try:
        profile = parse_profile(season)
    except ProfileError as exc:
        raise InputError(str(exc)) from None
    vel = velocity(series, flags)
    fc = demand_forecast_of(series, vel, horizon=span, as_of=day0, profile=profile)
    return None if fc is None else forecast.mean_rate(fc, span)


def stockout_date(
    available: object,
    daily_sales: object,
    as_of: object,
    inbound_qty: object = None,
    inbound_eta: object = None,
    history: object = None,
) -> dt.date | None:
    """First day stock cannot cover that day's demand; blank when sales are zero.

    `history`: daily units sold (oldest first, ending the day before as_of); the days ahead
    then follow its forecast (season, trend, slow mover: see `cell_demand`)."""
    stock = _required_stock(available)
    day0 = _required_date(as_of, "as_of")
    rate, shape = cell_demand(daily_sales, history, day0)
    if rate <= 0:
        return None
    proj = _cell_projection(stock, rate, _one_inbound(inbound_qty, inbound_eta, day0), 0, shape)
    t = proj.first_day_below(0.0)
    return add_days(day0, t) if t is not None else None


def stockout_gap(
    available: object,
    daily_sales: object,
    as_of: object,
    next_eta: object = None,
    lead_time_days: object = None,
) -> int:
    """Days out of stock before the shelf is refilled (SPEC §3 v2, Gap days).

    The gap ends at the next ETA or, when a lead time is given, on the day a regular order
    placed today would land, whichever is earlier; 0 when stock lasts until then.
    """
    stock = _required_stock(available)
    rate = _required(daily_sales, "daily_sales")
    day0 = _required_date(as_of, "as_of")
    eta = to_date(next_eta, "next_eta")
    lead = _optional(lead_time_days, "lead_time_days", -1.0, minimum=0)
    if eta is None and lead < 0:
        raise InputError("next_eta or lead_time_days is required")
    if rate <= 0:
        return 0
    if eta is None:
        end = ceil_eps(lead)  # lead >= 0: checked above
    else:
        end = (eta - day0).days if lead < 0 else min((eta - day0).days, ceil_eps(lead))
    return find_gap(_cell_projection(stock, rate, []), max(end, 0)).days


def safety_stock(
    daily_sales: object,
    daily_sd: object,
    lead_time_days: object,
    service_level: object = None,
    lead_time_sd: object = None,
    safety_days: object = None,
) -> int:
    """Safety stock in units (SPEC §3)."""
    rate = _required(daily_sales, "daily_sales", minimum=0)
    sd = _required(daily_sd, "daily_sd", minimum=0)
    lead = _required(lead_time_days, "lead_time_days", minimum=0)
    level = _optional(service_level, "service_level", 0.95)
    lt_sd = _optional(lead_time_sd, "lead_time_sd", 0.0, minimum=0)
    days = _optional(safety_days, "safety_days", 7.0, minimum=0)
    return safety_stock_units(rate, sd, lead, level, lt_sd, days)


def reorder_date(
    available: object,
    daily_sales: object,
    lead_time_days: object,
    as_of: object,
    safety_stock: object = None,
    inbound_qty: object = None,
    inbound_eta: object = None,
    history: object = None,
) -> dt.date | None:
    """Last day to order (SPEC §3 v2): the order lands at the first dip below safety stock
    that an order placed today can still prevent; as_of itself means order today.
    `history`: as in `stockout_date`."""
    stock = _required_stock(available)
    lead = ceil_eps(_required(lead_time_days, "lead_time_days", minimum=0))
    day0 = _required_date(as_of, "as_of")
    ss = _optional(safety_stock, "safety_stock", 0.0, minimum=0)
    rate, shape = cell_demand(daily_sales, history, day0)
    if rate <= 0:
        return None
    inbound = _one_inbound(inbound_qty, inbound_eta, day0)
    proj = _cell_projection(stock, rate, inbound, lead, shape)
    order = find_reorder(proj, lead, ss, 0)
    return add_days(day0, order.by_day) if order.by_day is not None else None


def reorder_qty(
    available: object,
    inbound: object,
    daily_sales: object,
    lead_time_days: object,
    cover_days: object = None,
    safety_stock: object = None,
    case_pack: object = None,
    moq: object = None,
    inbound_eta: object = None,
    as_of: object = None,
) -> int:
    """Units to order on the reorder-by date (SPEC §3 v2): up to cover_days of demand plus
    safety stock on the day the order lands, net of what will be on the shelf then.

    Inbound with no ETA counts as landing today; an ETA needs the as_of it counts from.
    """
    stock = _required_stock(available)
    coming = _optional(inbound, "inbound", 0.0, minimum=0)
    rate = _required(daily_sales, "daily_sales", minimum=0)
    lead = ceil_eps(_required(lead_time_days, "lead_time_days", minimum=0))
    cover = _optional(cover_days, "cover_days", 60.0, minimum=0)
    ss = _optional(safety_stock, "safety_stock", 0.0, minimum=0)
    pack = _optional(case_pack, "case_pack", 1.0, minimum=0)
    minimum = _optional(moq, "moq", 0.0, minimum=0)
    if rate <= 0:
        return 0
    landing = [(0, coming)] if coming > 0 else []
    if to_date(inbound_eta, "inbound_eta") is not None:
        landing = _one_inbound(coming, inbound_eta, _required_date(as_of, "as_of"))
    proj = _cell_projection(stock, rate, landing, lead + ceil_eps(cover))
    return find_reorder(proj, lead, ss, cover, pack, minimum).qty


def alert_level(
    days_to_stockout: object,
    available: object = None,
    warn_days: Sequence[object] | None = None,
    lead_time_days: object = None,
    days_to_reorder: object = None,
    overdue_inbound: object = None,
) -> str:
    """OUT / CRITICAL / WARNING / WATCH / OK for a number of days to stockout; with the lead
    time, the days to the reorder-by date or the units of inbound past their ETA, at least
    WATCH where the refresh's Alerts are (`alert_for`): a stockout before a regular order could
    land, an order due within 7 days, an overdue shipment."""
    days = to_number(days_to_stockout, "days_to_stockout")
    stock = to_number(available, "available")
    lines = tuple(_required(x, "warn_days") for x in warn_days) if warn_days else (30, 15, 7)
    lead = to_number(lead_time_days, "lead_time_days")
    reorder = to_number(days_to_reorder, "days_to_reorder")
    late = (to_number(overdue_inbound, "overdue_inbound") or 0) > 0
    return alert_for(days, stock, lines, lead_time=lead, reorder_day=reorder, overdue=late)


def _required(value: object, name: str, minimum: float | None = None) -> float:
    number = to_number(value, name)
    if number is None:
        raise InputError(f"{name} is required")
    if minimum is not None and number < minimum:
        raise InputError(f"{name} must not be negative, got {quote(value)}")
    return number


def _optional(value: object, name: str, default: float, minimum: float | None = None) -> float:
    if to_number(value, name) is None:
        return default
    return _required(value, name, minimum)


def _required_stock(value: object) -> float:
    return _required(value, "available", minimum=0)


def _required_date(value: object, name: str) -> dt.date:
    day = to_date(value, name)
    if day is None:
        raise InputError(f"{name} is required")
    return day


def cell_demand(
    daily_sales: object, history: object, as_of: dt.date
) -> tuple[float, list[tuple[int, int, float]]]:
    """The demand a date cell walks: (rate, forecast blocks). Without `history`, daily_sales
    flat. With it, its forecast f_t (`demand_forecast_of`, as the refresh plans): at
    daily_sales' level when that is given, else at the forecast's own (a blank daily_sales)."""
    if history is None or (isinstance(history, Sequence) and not isinstance(history, str)
                           and all(blank(x) for x in history)):  # fmt: skip
        return _required(daily_sales, "daily_sales"), []
    if isinstance(history, str) or not isinstance(history, Sequence):
        raise InputError("history must be a range of daily units")
    series = [to_number(u, "history") or 0.0 for u in history]
    fc = demand_forecast_of(series, velocity(series), as_of=as_of)
    if blank(daily_sales):
        return (fc.rate, fc.blocks) if fc is not None else (0.0, [])
    return _required(daily_sales, "daily_sales"), fc.blocks if fc is not None else []


def _cell_horizon(
    stock: float,
    rate: float,
    inbound: Sequence[tuple[int, float]],
    extra: int = 0,
    shape: Sequence[tuple[int, int, float]] = (),
) -> int:
    """Days a cell's projection needs: past the last landing, the stock it brings and `extra`
    (at the lowest factor of the forecast's `shape`, which stretches the stock furthest)."""
    landed = stock
    last = 0
    for day, qty in inbound:
        landed += qty
        last = max(last, day)
    low = 1.0
    for _, _, factor in shape:
        if factor < low:
            low = factor
    return min(100_000, last + ceil_eps(landed / (rate * low)) + extra + 2)


def _cell_projection(
    stock: float,
    rate: float,
    inbound: Sequence[tuple[int, float]],
    extra: int = 0,
    shape: Sequence[tuple[int, int, float]] = (),
) -> Projection:
    """A cell's projection: the rate (times the forecast's `shape`), long enough for every
    rule to find its day."""
    horizon = _cell_horizon(stock, rate, inbound, extra, shape)
    return project(stock, demand_sequence(rate, horizon, shape), inbound)


def _one_inbound(qty: object, eta: object, as_of: dt.date) -> list[tuple[int, float]]:
    units = to_number(qty, "inbound_qty")
    day = to_date(eta, "inbound_eta")
    if units is None or units <= 0:
        return []
    if day is None:
        raise InputError("inbound_eta is required when inbound_qty is given")
    return [((day - as_of).days, units)]
