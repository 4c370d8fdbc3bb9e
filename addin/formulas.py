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
- Comparisons at integer boundaries allow 1e-9 of float noise (`_floor`, `_ceil`), so 0.1 * 30
  still counts as 3 days, in Python and JavaScript alike.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from addin import forecast

EXCEL_EPOCH = dt.date(1899, 12, 30)
EPS = 1e-9

OUT, CRITICAL, WARNING, WATCH, OK, NO_DATA = "OUT", "CRITICAL", "WARNING", "WATCH", "OK", "NO DATA"
ALERT_LEVELS = (OUT, CRITICAL, WARNING, WATCH, OK, NO_DATA)

SWITCH_TO_FBM = "SWITCH TO FBM"
EXPEDITE_BY_AIR = "EXPEDITE BY AIR"
EXPEDITE_BY_EXPRESS = "EXPEDITE BY EXPRESS"
SLOW_SALES = "SLOW SALES"
PAUSE_AND_NOTIFY = "PAUSE AND NOTIFY"
REORDER_NOW = "REORDER NOW"
REORDER_SOON = "REORDER SOON"
RELAUNCH = "RELAUNCH"

LEAD_TIME_RISK = "LEAD TIME RISK"
FEE_RISK = "FEE RISK"
OVERSTOCK = "OVERSTOCK"
INBOUND_OVERDUE = "INBOUND OVERDUE"
TREND_UP = "TREND UP"

MAX_SLOW_DOWN = 0.3  # SLOW SALES only when cutting demand by at most 30 % bridges the gap


class InputError(ValueError):
    """A bad argument. The message is what a cell shows after `#STOCKOUT: `."""


# --- coercion: what cells send ------------------------------------------------------------

_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})([T ].*)?$")
_LOCAL_DATE = re.compile(r"^(\d{1,2})([./])(\d{1,2})\2(\d{4})$")
_YMD_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")


def _quote(value: object) -> str:
    text = str(value)
    return f'"{text[:40]}…"' if len(text) > 40 else f'"{text}"'


def to_number(value: object, name: str) -> float | None:
    """Read a number from a cell: numbers, numeric text ("1,234", "12.5"), blank -> None."""
    if value is None or isinstance(value, bool):
        if value is None:
            return None
        raise InputError(f"{name} must be a number, got {_quote(value)}")
    if isinstance(value, int | float):
        number = float(value)
        if math.isnan(number):
            return None
        if math.isinf(number):
            raise InputError(f"{name} must be a finite number")
        return number
    if isinstance(value, str):
        text = value.strip()
        if text == "":
            return None
        if _THOUSANDS.match(text):
            text = text.replace(",", "")
        if _NUMBER.match(text):
            return float(text)
    raise InputError(f"{name} must be a number, got {_quote(value)}")


def to_date(value: object, name: str, day_first: bool | None = None) -> dt.date | None:
    """Read a date from a cell: date/datetime, an Excel serial, ISO text or a local format.

    Local formats: `25.11.2026` is always day first; `11/25/2026` or `25/11/2026` is decided by
    whichever part is over 12, else by `day_first` (None: refuse to guess).
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise InputError(f"{name} must be a date, got {_quote(value)}")
    if isinstance(value, int | float):
        if math.isnan(value):
            return None
        if not 1 <= value < 2958466:
            raise InputError(f"{name} must be a date, got {_quote(value)}")
        return EXCEL_EPOCH + dt.timedelta(days=math.floor(value))
    if isinstance(value, str):
        text = value.strip()
        if text == "":
            return None
        if _NUMBER.match(text):
            return to_date(float(text), name, day_first)
        found = _ISO_DATE.match(text) or _YMD_SLASH.match(text)
        if found:
            return _make_date(int(found[1]), int(found[2]), int(found[3]), name, value)
        found = _LOCAL_DATE.match(text)
        if found:
            first, second, year = int(found[1]), int(found[3]), int(found[4])
            if found[2] == "." or first > 12:
                return _make_date(year, second, first, name, value)
            if second > 12:
                return _make_date(year, first, second, name, value)
            if day_first is None:
                raise InputError(
                    f"{name}: {_quote(value)} could be day/month or month/day; "
                    "use YYYY-MM-DD or a date cell"
                )
            if day_first:
                return _make_date(year, second, first, name, value)
            return _make_date(year, first, second, name, value)
    raise InputError(f"{name} must be a date, got {_quote(value)}")


def _make_date(year: int, month: int, day: int, name: str, raw: object) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise InputError(f"{name} must be a date, got {_quote(raw)}") from None


def _floor(x: float) -> int:
    return math.floor(x + EPS)


def _ceil(x: float) -> int:
    return math.ceil(x - EPS)


def round_to(x: float, digits: int) -> float:
    """Round half up at `digits` decimals, the same way in Python and JavaScript."""
    scale = 10**digits
    return math.floor(x * scale + 0.5) / scale


def _fmt(x: float, digits: int = 1) -> str:
    return f"{round_to(x, digits):.{digits}f}"


def _fmt_int(x: float) -> str:
    return f"{_ceil(x):,}"


def add_days(day: dt.date, days: int) -> dt.date:
    return day + dt.timedelta(days=days)


# --- sales velocity ----------------------------------------------------------------------


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
            avg = "–" if w.average is None else _fmt(w.average)
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
    _check_windows(tuple(windows), tuple(weights))
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
def _check_windows(windows: tuple, weights: tuple) -> None:
    if len(windows) != len(weights) or not windows:
        raise InputError("windows and weights must have the same, non-zero length")
    for k in windows:
        if k < 1 or k != int(k):
            raise InputError(f"window lengths must be whole days ≥ 1, got {_quote(k)}")
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


def demand_forecast_of(
    units: Sequence[float],
    vel: Velocity,
    windows: Sequence[int] = (7, 30, 90),
    weights: Sequence[float] = (0.5, 0.3, 0.2),
    horizon: int = 365,
    as_of: dt.date | None = None,
    profile: Sequence[float] | None = None,
    weeks: forecast.Weekly | None = None,
) -> forecast.Forecast | None:
    """f_t for a SKU whose velocity is `vel` (see `addin/forecast.py`); None without a rate.

    Suppressed days and spikes are taken out of the history first; if there were any, v is
    taken again over what is left. `weeks`: the weekly history when the caller has it already
    (the plan builds it for every SKU at once), else it is built from `units`.
    """
    cleaned, out, note = forecast.clean(units, vel.out_of_stock)
    rate, sd = vel.rate, vel.daily_sd
    if note:
        again = velocity(cleaned, [not x for x in out], windows, weights)
        rate, sd = again.rate, again.daily_sd
    if rate is None:
        return None
    if weeks is None or note or any(out):
        weeks = forecast.weekly(cleaned, out, older=weeks)
    return forecast.forecast(
        rate,
        weeks,
        share=forecast.sale_share(cleaned, out),
        daily_sd=sd,
        horizon=horizon,
        profile=profile,
        as_of=as_of,
        windows=windows,
        weights=weights,
        history_days=len(units),
        note=note,
    )


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

    def __post_init__(self) -> None:
        self.totals = [0.0, *itertools.accumulate(self.daily)]
        self.landings = sorted(self.arrivals)

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

    def _segments(self) -> Iterator[tuple[int, int, float]]:
        """(first day, end day exclusive, start-of-day stock on the first day) between landings."""
        stock = self.available
        start = 0
        for d in [*self.landings, self.horizon]:
            if d > start:
                yield start, d, stock
                stock = max(0.0, stock - (self.totals[d] - self.totals[start]))
                start = d
            stock += self.arrivals.get(d, 0.0)

    def stock_at(self, day: int) -> float:
        """S(day): start-of-day stock, after that day's landing."""
        for s, e, stock in self._segments():
            if day < e:
                return max(0.0, stock - (self.totals[max(day, s)] - self.totals[s]))
        return 0.0

    def first_day_below(self, threshold: float, start: int = 0) -> int | None:
        """First day t ≥ `start` whose end-of-day stock S(t) − f_t falls below `threshold`.

        With threshold 0 that is the stockout day: the first t with S(t) < f_t.
        """
        for s, e, stock in self._segments():
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


# --- lead time, safety stock, reorder ----------------------------------------------------


def lead_time(production_days: float, transit_days: float, receiving_days: float) -> int:
    """L_m = production + transit_m + receiving, in whole days."""
    return _ceil(production_days + transit_days + receiving_days)


@functools.lru_cache(maxsize=64)  # one service level for thousands of SKUs
def inverse_normal_cdf(p: float) -> float:
    """z for a service level p (Wichura's AS241, accurate to about 1e-16).

    Written out rather than taken from `statistics.NormalDist` so the JavaScript port can run
    the very same arithmetic and agree to the last digit.
    """
    if not 0 < p < 1:
        raise InputError(f"service_level must be between 0 and 1, got {_quote(p)}")
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
    return max(0, _ceil(max(noise, rate * safety_days)))


def round_up_to_pack(units: float, case_pack: float | None) -> int:
    """Whole units, rounded up to a multiple of the case pack (1 when blank or below 1)."""
    pack = case_pack if case_pack and case_pack >= 1 else 1
    return _ceil(_ceil(units) / pack) * int(pack) if units > 0 else 0


def order_quantity(
    demand_over_cover: float,
    safety_stock: float,
    on_hand_and_inbound: float,
    case_pack: float | None = None,
    moq: float | None = None,
) -> int:
    """Q = D(L + cover) + SS − (Available + inbound), to case pack, 0 if not positive, ≥ MOQ."""
    need = demand_over_cover + safety_stock - on_hand_and_inbound
    qty = round_up_to_pack(need, case_pack) if need > EPS else 0
    if qty > 0 and moq and qty < moq:
        qty = round_up_to_pack(moq, case_pack)
    return qty


def alert_for(
    days_to_stockout: float | None,
    available: float | None,
    warn_days: Sequence[float] = (30, 15, 7),
    has_rate: bool = True,
) -> str:
    """OUT · CRITICAL · WARNING · WATCH · OK · NO DATA from the projected days to stockout."""
    if available is not None and available <= 0:
        return OUT
    if not has_rate:
        return NO_DATA
    if days_to_stockout is None:
        return OK
    if len(warn_days) != 3:
        raise InputError("warn_days needs three lines, e.g. 30,15,7")
    watch, warning, critical = sorted(warn_days, reverse=True)
    if days_to_stockout < critical:
        return CRITICAL
    if days_to_stockout < warning:
        return WARNING
    if days_to_stockout < watch:
        return WATCH
    return OK


# --- the whole plan of one SKU -----------------------------------------------------------


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


@dataclass
class SkuInput:
    """Everything the plan of one SKU depends on. Days are offsets from as_of."""

    available: float
    units: list[float]  # daily units, oldest first, ending yesterday
    in_stock: list[bool | None] | None = None
    inbound: list[tuple[int, float]] = field(default_factory=list)
    promotions: list[tuple[int, int, float]] = field(default_factory=list)
    fbm_stock: float = 0
    price: float | None = None
    case_pack: float | None = None
    moq: float | None = None
    production_days: float | None = None
    sea_days: float | None = None
    air_days: float | None = None
    express_days: float | None = None
    receiving_days: float | None = None
    days_since_restock: int | None = None  # days since stock came back after an incident
    season: tuple[float, ...] | None = None  # the seller's seasonal profile, 12 monthly indexes
    weeks: forecast.Weekly | None = None  # weekly history past `units`, when the plan has it


@dataclass
class SkuPlan:
    """One SKU's numbers, as the Alerts tab shows them. Days are offsets from as_of."""

    daily_sales: float | None
    trend: float | None
    basis: str
    daily_sd: float
    inbound: float
    days_of_cover: float | None
    cover_incl_inbound: float | None
    stockout_day: int | None
    next_inbound_day: int | None
    back_in_stock_day: int | None
    gap_days: int | None
    lost_units: int
    lost_revenue: float | None
    lead_time: int
    air_lead_time: int
    express_lead_time: int
    safety_stock: int | None
    reorder_point: int | None
    reorder_by_day: int | None
    reorder_qty: int
    air_units: int
    alert: str
    flags: list[str]
    action: str
    alternatives: list[str]
    action_text: str
    last_out_of_stock_day: int | None
    forecast: forecast.Forecast | None = None  # f_t before promotions
    forecast_rate: float | None = None  # average f_t per day over the lead time
    stockout_risk: float | None = None  # chance of running out before the next landing


def forecast_demand(
    item: SkuInput, rate: float | forecast.Forecast, settings: Settings
) -> list[float]:
    """The SKU's demand f_t over the horizon, the one sequence every projection of it walks:
    the forecast (`addin/forecast.py`), or a flat rate, times the promotions' uplift."""
    horizon = int(settings.horizon_days)
    if isinstance(rate, float | int):
        return demand_sequence(rate, horizon, item.promotions)
    if not rate.blocks:
        return demand_sequence(rate.rate, horizon, item.promotions)
    return demand_sequence(rate.rate, horizon, [*rate.blocks, *item.promotions])


def _mode_days(item: SkuInput, settings: Settings, mode: str) -> float:
    own = getattr(item, f"{mode}_days", None)
    if mode == "transfer":
        return 0.0
    return own if own is not None else getattr(settings, f"{mode}_days")


def _leads(item: SkuInput, settings: Settings) -> tuple[int, int, int]:
    """Lead times by the default mode, by air and by express (per-SKU columns win)."""
    production = (
        item.production_days if item.production_days is not None else settings.production_days
    )
    receiving = item.receiving_days if item.receiving_days is not None else settings.receiving_days
    return (
        lead_time(production, _mode_days(item, settings, settings.default_mode), receiving),
        lead_time(production, _mode_days(item, settings, "air"), receiving),
        lead_time(production, _mode_days(item, settings, "express"), receiving),
    )


def plan_sku(item: SkuInput, settings: Settings, as_of: dt.date) -> SkuPlan:
    """The whole plan of one SKU: SPEC §3 from velocity to the action and its reasons."""
    s = settings
    vel = velocity(
        item.units, item.in_stock, s.velocity_windows, s.velocity_weights, item.available
    )
    v = vel.rate
    available = max(0.0, item.available)
    inbound_total = 0.0
    for _, qty in item.inbound:
        inbound_total += max(0.0, qty)
    lead, air_lead, express_lead = _leads(item, s)
    flags: list[str] = []
    if any(day < 0 and qty > 0 for day, qty in item.inbound):
        flags.append(INBOUND_OVERDUE)
    last_out = None
    if any(vel.out_of_stock):
        for i in range(len(vel.out_of_stock) - 1, -1, -1):
            if vel.out_of_stock[i]:
                last_out = i - len(vel.out_of_stock)
                break
    # Back in stock after an incident: the log says since when, else the history does.
    restocked = item.days_since_restock
    if restocked is None and last_out is not None and available > 0:
        restocked = -last_out - 1
    relaunch = restocked is not None and available > 0 and restocked <= s.relaunch_days
    if v is None:
        alert = alert_for(None, item.available, s.warn_days, has_rate=False)
        action = PAUSE_AND_NOTIFY if alert == OUT else OK
        text = "No sales history to plan from: add Sales rows or import Amazon reports."
        if alert == OUT:
            text = "Out of stock with no sales history: restock or mark the SKU inactive."
        return SkuPlan(
            None,
            vel.trend,
            vel.basis,
            vel.daily_sd,
            inbound_total,
            None,
            None,
            None,
            None,
            None,
            None,
            0,
            None,
            lead,
            air_lead,
            express_lead,
            None,
            None,
            None,
            0,
            0,
            alert,
            flags,
            action,
            [],
            text,
            last_out,
        )

    fc = demand_forecast_of(
        item.units, vel, s.velocity_windows, s.velocity_weights, int(s.horizon_days), as_of,
        item.season, item.weeks,
    )  # fmt: skip
    if fc is None:  # v exists, so the cleaned history has a rate too; keep v if not
        fc = forecast.Forecast(v, daily_sd=vel.daily_sd)
    proj = project(available, forecast_demand(item, fc, s), item.inbound)
    cover = available / v if v > 0 else None
    cover_all = (available + inbound_total) / v if v > 0 else None
    stockout = proj.first_day_below(0.0)
    next_eta = None
    if stockout is not None:
        later = [d for d in proj.arrivals if d > stockout]
        next_eta = min(later) if later else None
    back_in_stock = next_eta
    gap = None
    lost = 0
    if stockout is not None:
        end = next_eta if next_eta is not None else proj.horizon
        gap = end - stockout
        left = available + proj.arrived(stockout) - proj.demand(0, stockout)
        lost = _ceil(proj.demand(stockout, end) - max(0.0, left))
    lost_revenue = lost * item.price if item.price is not None else None

    base = fc.rate if not fc.blocks else forecast.mean_rate(fc, lead)
    ss = safety_stock_units(
        base, fc.sigma, lead, s.service_level, s.lead_time_sd_days, s.safety_days
    )
    reorder_point = _ceil(base * lead + ss)
    landing = next((d for d in proj.landings if d > 0), lead)
    risk = forecast.stockout_risk(
        available + proj.arrivals.get(0, 0.0),
        proj.demand(0, landing),
        fc.sigma,
        landing,
        base * s.lead_time_sd_days,
    )
    reorder_day = proj.first_day_below(float(ss))
    reorder_by = reorder_day - lead if reorder_day is not None else None
    qty = order_quantity(
        proj.demand(0, lead + _ceil(s.cover_target_days)),
        ss,
        available + inbound_total,
        item.case_pack,
        item.moq,
    )

    alert = alert_for(stockout, item.available, s.warn_days)
    if reorder_by is not None and reorder_by <= 0:
        flags.append(REORDER_NOW)
    if stockout is not None and stockout < lead:
        flags.append(LEAD_TIME_RISK)
    if cover_all is not None and cover_all < s.fee_line_days:
        flags.append(FEE_RISK)
    if (cover_all is None and available + inbound_total > 0) or (
        cover_all is not None and cover_all > s.overstock_days
    ):
        flags.append(OVERSTOCK)
    if vel.trend is not None and vel.trend > 1.2:
        flags.append(TREND_UP)
    if relaunch:
        flags.append(RELAUNCH)
    flags.sort(key=_FLAG_ORDER.index)

    air_units = 0
    choices: list[tuple[str, str]] = []
    if stockout is not None and (alert == OUT or stockout < lead):
        # Expediting bridges the gap until the next inbound lands or, with nothing coming,
        # until a regular order placed today could land.
        bridge_end = max(back_in_stock if back_in_stock is not None else lead, stockout + 1)
        until = _describe_bridge(as_of, back_in_stock, bridge_end, s.default_mode)
        if s.fbm_enabled and item.fbm_stock > 0:
            covered = min(gap, _floor(item.fbm_stock / v)) if v > 0 else gap
            choices.append(
                (
                    SWITCH_TO_FBM,
                    f"{_fmt_int(item.fbm_stock)} FBM units cover {covered} of {gap} gap days",
                )
            )
        for mode, label, mode_lead in (
            ("air", EXPEDITE_BY_AIR, air_lead),
            ("express", EXPEDITE_BY_EXPRESS, express_lead),
        ):
            if mode_lead < bridge_end:
                units = round_up_to_pack(
                    proj.demand(max(mode_lead, stockout), bridge_end), item.case_pack
                )
                if mode == "air":
                    air_units = units
                if units > 0:
                    choices.append(
                        (
                            label,
                            f"{units:,} units by {mode} arrive "
                            f"{add_days(as_of, mode_lead)}, {until}",
                        )
                    )
                    break
        if next_eta is not None:
            need = proj.demand(0, next_eta)
            cut = 1 - (available + proj.arrived(stockout)) / need if need > 0 else 0.0
            if cut <= MAX_SLOW_DOWN:
                choices.append(
                    (
                        SLOW_SALES,
                        f"cut sales by {_fmt(max(cut, 0.0) * 100, 0)} % to last until "
                        f"{add_days(as_of, next_eta)}",
                    )
                )
        revenue = f", {_money(lost_revenue)} revenue" if lost_revenue is not None else ""
        choices.append(
            (
                PAUSE_AND_NOTIFY,
                f"{gap} days out from {add_days(as_of, stockout)}, {lost:,} units lost{revenue}",
            )
        )
    if reorder_by is not None and reorder_by <= 0 and qty > 0:
        choices.append(
            (
                REORDER_NOW,
                f"order {qty:,} units by {s.default_mode} today, arrive {add_days(as_of, lead)}",
            )
        )
    elif reorder_by is not None and reorder_by <= 7 and qty > 0:
        choices.append(
            (
                REORDER_SOON,
                f"order {qty:,} units by {add_days(as_of, reorder_by)}",
            )
        )
    if relaunch:
        choices.append(
            (
                RELAUNCH,
                f"back in stock {restocked} days: {_fmt(s.coupon_pct, 0)} % coupon "
                f"for 7 days, ad budget +{_fmt(s.ad_boost_pct, 0)} %, watch conversion",
            )
        )
    if not choices:
        choices.append((OK, "no action needed"))
    action = choices[0][0]
    text = f"{action}: {choices[0][1]}"
    if len(choices) > 1:
        text += " · also " + " · ".join(f"{c}: {why}" for c, why in choices[1:])
    return SkuPlan(
        v,
        vel.trend,
        f"{fc.basis} · {vel.basis}" if fc.basis else vel.basis,
        vel.daily_sd,
        inbound_total,
        cover,
        cover_all,
        stockout,
        next_eta,
        back_in_stock,
        gap,
        lost,
        lost_revenue,
        lead,
        air_lead,
        express_lead,
        ss,
        reorder_point,
        reorder_by,
        qty,
        air_units,
        alert,
        flags,
        action,
        [c for c, _ in choices[1:]],
        text,
        last_out,
        fc,
        proj.demand(0, lead) / lead if lead > 0 and (fc.blocks or item.promotions) else base,
        risk,
    )


_FLAG_ORDER = [
    REORDER_NOW,
    LEAD_TIME_RISK,
    FEE_RISK,
    OVERSTOCK,
    INBOUND_OVERDUE,
    TREND_UP,
    RELAUNCH,
]


def _describe_bridge(as_of: dt.date, back: int | None, end: int, mode: str) -> str:
    if back is None:
        return f"bridging until a {mode} order placed today lands {add_days(as_of, end)}"
    return f"before the inbound of {add_days(as_of, back)}"


def _money(amount: float | None) -> str:
    return "" if amount is None else f"{round_to(amount, 2):,.2f}"


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
) -> float | None:
    """Weighted in-stock units/day from a daily series (oldest first)."""
    series = [to_number(u, "units") or 0.0 for u in units]
    flags = None
    if in_stock is not None:
        if len(in_stock) != len(series):
            raise InputError("in_stock must have one value per day of units")
        flags = [to_flag(x) for x in in_stock]
    win = tuple(int(_required(x, "windows")) for x in windows) if windows else (7, 30, 90)
    wts = tuple(_required(x, "weights") for x in weights) if weights else (0.5, 0.3, 0.2)
    return velocity(series, flags, win, wts).rate


def stockout_date(
    available: object,
    daily_sales: object,
    as_of: object,
    inbound_qty: object = None,
    inbound_eta: object = None,
) -> dt.date | None:
    """First day stock cannot cover that day's demand; blank when sales are zero."""
    stock = _required_stock(available)
    rate = _required(daily_sales, "daily_sales")
    day0 = _required_date(as_of, "as_of")
    if rate <= 0:
        return None
    inbound = _one_inbound(inbound_qty, inbound_eta, day0)
    proj = project(stock, demand_sequence(rate, _cell_horizon(stock, rate, inbound)), inbound)
    t = proj.first_day_below(0.0)
    return add_days(day0, t) if t is not None else None


def stockout_gap(available: object, daily_sales: object, as_of: object, next_eta: object) -> int:
    """Days out of stock before the next ETA (0 when stock lasts until it)."""
    day0 = _required_date(as_of, "as_of")
    eta = _required_date(next_eta, "next_eta")
    out = stockout_date(available, daily_sales, day0)
    if out is None:
        return 0
    return max(0, (eta - out).days)


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
) -> dt.date | None:
    """Last day to order so the shipment lands before stock falls below safety stock."""
    stock = _required_stock(available)
    rate = _required(daily_sales, "daily_sales")
    lead = _required(lead_time_days, "lead_time_days", minimum=0)
    day0 = _required_date(as_of, "as_of")
    ss = _optional(safety_stock, "safety_stock", 0.0, minimum=0)
    if rate <= 0:
        return None
    inbound = _one_inbound(inbound_qty, inbound_eta, day0)
    proj = project(stock, demand_sequence(rate, _cell_horizon(stock, rate, inbound)), inbound)
    t = proj.first_day_below(ss)
    return add_days(day0, t - _ceil(lead)) if t is not None else None


def reorder_qty(
    available: object,
    inbound: object,
    daily_sales: object,
    lead_time_days: object,
    cover_days: object = None,
    safety_stock: object = None,
    case_pack: object = None,
    moq: object = None,
) -> int:
    """Units to order now: demand over lead time + cover, plus safety stock, minus stock."""
    stock = _required_stock(available)
    coming = _optional(inbound, "inbound", 0.0, minimum=0)
    rate = _required(daily_sales, "daily_sales", minimum=0)
    lead = _required(lead_time_days, "lead_time_days", minimum=0)
    cover = _optional(cover_days, "cover_days", 60.0, minimum=0)
    ss = _optional(safety_stock, "safety_stock", 0.0, minimum=0)
    pack = _optional(case_pack, "case_pack", 1.0, minimum=0)
    minimum = _optional(moq, "moq", 0.0, minimum=0)
    return order_quantity(rate * _ceil(lead + cover), ss, stock + coming, pack, minimum)


def alert_level(
    days_to_stockout: object, available: object = None, warn_days: Sequence[object] | None = None
) -> str:
    """OUT / CRITICAL / WARNING / WATCH / OK for a number of days to stockout."""
    days = to_number(days_to_stockout, "days_to_stockout")
    stock = to_number(available, "available")
    lines = tuple(_required(x, "warn_days") for x in warn_days) if warn_days else (30, 15, 7)
    return alert_for(days, stock, lines)


def _required(value: object, name: str, minimum: float | None = None) -> float:
    number = to_number(value, name)
    if number is None:
        raise InputError(f"{name} is required")
    if minimum is not None and number < minimum:
        raise InputError(f"{name} must not be negative, got {_quote(value)}")
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


def _cell_horizon(stock: float, rate: float, inbound: Sequence[tuple[int, float]]) -> int:
    """Days a cell's projection needs: past the last landing and the stock it brings."""
    landed = stock
    last = 0
    for day, qty in inbound:
        landed += qty
        last = max(last, day)
    return min(100_000, last + _ceil(landed / rate) + 2)


def _one_inbound(qty: object, eta: object, as_of: dt.date) -> list[tuple[int, float]]:
    units = to_number(qty, "inbound_qty")
    day = to_date(eta, "inbound_eta")
    if units is None or units <= 0:
        return []
    if day is None:
        raise InputError("inbound_eta is required when inbound_qty is given")
    return [((day - as_of).days, units)]


#: Words a yes/no cell may hold (In stock, fbm_enabled), lower case.
FLAG_WORDS = {
    "true": True, "yes": True, "y": True, "1": True, "是": True, "有货": True,
    "false": False, "no": False, "n": False, "0": False, "否": False, "缺货": False,
}  # fmt: skip


def to_flag(value: object) -> bool | None:
    """Read a yes/no cell: TRUE/FALSE, yes/no, 1/0, 是/否; blank -> None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    flag = FLAG_WORDS.get(str(value).strip().lower())
    if flag is None:
        raise InputError(f"in_stock must be TRUE or FALSE, got {_quote(value)}")
    return flag
