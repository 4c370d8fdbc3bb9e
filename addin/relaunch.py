"""The relaunch after a stockout, watched by its conversion rate (PLAYBOOK step 4).

After a long stockout a listing has lost rank: the playbook relaunches it like a new product (a
coupon, a higher ad budget) and watches conversion until it is back. This module turns a SKU's
detail-page traffic (sessions and units ordered per day, from the Business Report or the SP-API
Sales and Traffic report) into that watch:

* the **baseline**: conversion (units ordered / sessions) over the BASELINE_DAYS before the
  stockout (a range file that ends in them and starts up to BASELINE_DAYS earlier, a calendar
  month, counts whole);
* the **target**: the category's conversion (a per-SKU Inventory column or a Settings key),
  but never above the SKU's own baseline (a listing that converted below its category before
  the stockout is back when it converts as before); without a category, the baseline;
* **each day since the stock came back**: sessions, units, conversion;
* the **plan**: the coupon from the day stock came back for RELAUNCH_COUPON_DAYS, extended to
  the end of the relaunch window while conversion is still low; the ad boost until conversion
  is back, at the latest the end of the window;
* the **verdict**: back (the last RECENT_DAYS' conversion reached the target: end the coupon
  and the boost, the relaunch is closed), working (conversion rising), not working yet, or too
  few sessions to tell.

Conversion over a span is units over sessions summed, not an average of daily percentages: a
day with 3 sessions must not weigh as much as a day with 300. A Business Report row gives a
SKU's own units over its ASIN's sessions, as Amazon's Unit Session Percentage does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol

from addin.cells import fmt_number
from addin.decisions import RELAUNCH_COUPON_DAYS

#: Days before the stockout whose conversion is the SKU's normal.
BASELINE_DAYS = 28
#: Days whose conversion decides whether the relaunch is working or done.
RECENT_DAYS = 3
#: Fewer sessions than this in a window: its conversion is noise, not a verdict.
MIN_SESSIONS = 30
#: Conversion must rise by this share over the first days after the restock to be "rising".
RISING = 1.1

BACK, WORKING, NOT_WORKING, TOO_FEW, NO_DATA = (
    "back", "working", "not working", "too few sessions", "no data",
)  # fmt: skip


class Plan(Protocol):
    """The Settings a relaunch reads (`addin.formulas.Settings` has them)."""

    coupon_pct: float
    ad_boost_pct: float
    relaunch_days: float


@dataclass(frozen=True)
class Span:
    """A SKU's sessions and units ordered over the days first..last (inclusive)."""

    first: dt.date
    last: dt.date
    sessions: float
    units: float


@dataclass(frozen=True)
class Day:
    """One day since the restock, as the Draft lists it."""

    day: dt.date
    sessions: float
    units: float

    @property
    def cvr(self) -> float | None:
        return conversion(self.sessions, self.units)


@dataclass
class Relaunch:
    """A relaunch in progress, with its numbers and what to do now."""

    stockout_started: dt.date
    back_on: dt.date
    state: str
    text: str
    baseline_cvr: float | None = None
    baseline_sessions: float | None = None  # a day, before the stockout
    category_cvr: float | None = None
    target_cvr: float | None = None
    cvr: float | None = None  # the last RECENT_DAYS with data
    sessions: float | None = None  # a day, the same days
    first_cvr: float | None = None  # the first RECENT_DAYS after the restock
    days: list[Day] = field(default_factory=list)
    coupon_start: dt.date | None = None
    coupon_end: dt.date | None = None
    ads_start: dt.date | None = None
    ads_end: dt.date | None = None
    closed_on: dt.date | None = None

    @property
    def closed(self) -> bool:
        return self.state == BACK


def conversion(sessions: float, units: float) -> float | None:
    """Units ordered per 100 sessions (Amazon's Unit Session Percentage); None without sessions."""
    return 100.0 * units / sessions if sessions > 0 else None


def window(
    spans: list[Span], first: dt.date, last: dt.date, slack: int = 0
) -> tuple[float, float, int]:
    """(sessions, units, days covered) of the spans lying inside first..last.

    Daily rows are used where they exist; a several-day row (a Business Report downloaded for a
    range) counts only when no daily row falls inside it, so no day is counted twice. A span
    ending after LAST is left out (its days cannot be split); one may start up to SLACK days
    before FIRST (a calendar month downloaded for the baseline still counts).
    """
    start = first - dt.timedelta(days=slack)
    inside = [s for s in spans if s.first >= start and s.last <= last]
    daily = {s.first for s in inside if s.first == s.last}
    sessions = units = 0.0
    days = 0
    for s in inside:
        if s.first != s.last and any(s.first <= d <= s.last for d in daily):
            continue
        sessions += s.sessions
        units += s.units
        days += (s.last - s.first).days + 1
    return sessions, units, days


def pct(value: float | None) -> str:
    """`6.1 %`, `10 %`: one decimal, none when it is zero."""
    if value is None:
        return "?"
    text = fmt_number(value, 1)
    return (text[:-2] if text.endswith(".0") else text) + " %"


def track(
    started: dt.date,
    back_on: dt.date,
    spans: list[Span],
    category_cvr: float | None,
    settings: Plan,
    as_of: dt.date,
) -> Relaunch:
    """The relaunch of a SKU out of stock from STARTED and back on sale on BACK_ON.

    `spans` are the SKU's traffic rows; `category_cvr` the category's conversion in percent
    (None: not given). The relaunch runs `relaunch_days` after BACK_ON, as the RELAUNCH flag
    does. Figures reach up to yesterday: today's are in no report yet.
    """
    last_day = back_on + dt.timedelta(days=max(int(settings.relaunch_days), 0))
    coupon_end = min(back_on + dt.timedelta(days=RELAUNCH_COUPON_DAYS - 1), last_day)
    base_s, base_u, base_days = window(
        spans,
        started - dt.timedelta(days=BASELINE_DAYS),
        started - dt.timedelta(days=1),
        slack=BASELINE_DAYS,
    )
    baseline = conversion(base_s, base_u) if base_s >= MIN_SESSIONS else None
    targets = [x for x in (category_cvr, baseline) if x is not None]
    yesterday = as_of - dt.timedelta(days=1)
    daily = {s.first: s for s in spans if s.first == s.last and back_on <= s.first <= yesterday}
    days = [Day(d, daily[d].sessions, daily[d].units) for d in sorted(daily)]
    found = Relaunch(
        stockout_started=started,
        back_on=back_on,
        state=NO_DATA,
        text="",
        baseline_cvr=baseline,
        baseline_sessions=base_s / base_days if baseline is not None else None,
        category_cvr=category_cvr,
        target_cvr=min(targets) if targets else None,
        days=days,
        coupon_start=back_on,
        coupon_end=coupon_end,
        ads_start=back_on,
        ads_end=last_day,
    )
    if days:
        recent, first = days[-RECENT_DAYS:], days[:RECENT_DAYS]
        recent_sessions = sum(d.sessions for d in recent)
        found.cvr = conversion(recent_sessions, sum(d.units for d in recent))
        found.sessions = recent_sessions / len(recent)
        if len(days) > RECENT_DAYS:
            found.first_cvr = conversion(
                sum(d.sessions for d in first), sum(d.units for d in first)
            )
    else:  # a range file since the restock still tells how conversion is doing
        recent_sessions, units, covered = window(spans, back_on, yesterday)
        if covered:
            found.cvr, found.sessions = (
                conversion(recent_sessions, units),
                recent_sessions / covered,
            )
    found.closed_on = _closed_on(days, found.target_cvr)
    found.state = _state(found, recent_sessions)
    if found.state == BACK:
        found.coupon_end = min(coupon_end, found.closed_on or as_of)
        found.ads_end = found.closed_on
    elif found.state != NO_DATA and as_of >= coupon_end:
        found.coupon_end = last_day  # conversion still low as the first coupon ends: extend it
    found.text = _words(found, settings, as_of, last_day)
    return found


def _closed_on(days: list[Day], target: float | None) -> dt.date | None:
    """The first day whose last RECENT_DAYS reached the target with enough sessions."""
    if target is None:
        return None
    for i in range(len(days)):
        recent = days[max(0, i - RECENT_DAYS + 1) : i + 1]
        sessions = sum(d.sessions for d in recent)
        cvr = conversion(sessions, sum(d.units for d in recent))
        if sessions >= MIN_SESSIONS and cvr is not None and cvr >= target:
            return days[i].day + dt.timedelta(days=1)  # the morning after: the report is in
    return None


def _state(found: Relaunch, recent_sessions: float) -> str:
    if found.cvr is None and not found.days:
        return NO_DATA
    if found.closed_on is not None:
        return BACK
    if recent_sessions < MIN_SESSIONS or found.cvr is None:
        return TOO_FEW
    if found.first_cvr is None or found.cvr >= RISING * found.first_cvr:
        return WORKING  # in the first days the coupon has not had its chance yet
    return NOT_WORKING


def _words(found: Relaunch, settings: Plan, as_of: dt.date, last_day: dt.date) -> str:
    """The Action's text: the numbers, then what to do and until when."""
    if found.state == NO_DATA:
        return (
            f"back in stock since {found.back_on.isoformat()}, no traffic figures since: import "
            "the Business Report (Detail Page Sales and Traffic by Child Item) for those days, "
            "or pull them, to watch conversion"
        )
    numbers = f"CVR {pct(found.cvr)}"
    if found.baseline_cvr is not None:
        numbers += f" vs {pct(found.baseline_cvr)} before"
    if found.category_cvr is not None:
        numbers += f", category {pct(found.category_cvr)}"
    if found.sessions is not None and found.baseline_sessions:
        numbers += (
            f", {fmt_number(found.sessions, 0)} sessions a day vs "
            f"{fmt_number(found.baseline_sessions, 0)} before"
        )
    if found.state == BACK:
        return (
            f"{numbers}: conversion is back since {_iso(found.closed_on or as_of)}, end the "
            "coupon and the ad boost: relaunch closed"
        )
    if found.target_cvr is None:
        numbers += " (no conversion before the stockout or category figure to aim for)"
    if found.state == TOO_FEW:
        verdict = "too few sessions to judge yet"
    elif found.state == WORKING:
        verdict = (
            "working" if found.first_cvr is None else f"working, up from {pct(found.first_cvr)}"
        )
    else:
        verdict = (
            f"not working yet ({pct(found.first_cvr)} after the restock): check price, reviews "
            "and the Buy Box"
        )
    coupon = fmt_number(settings.coupon_pct, 0)
    left = (found.coupon_end - as_of).days + 1 if found.coupon_end else 0
    if left > 0:
        plan = f"keep the {coupon} % coupon {left} more days (to {_iso(found.coupon_end)})"
    else:
        plan = "end the coupon"
    if as_of <= last_day:
        plan += (
            f", ads +{fmt_number(settings.ad_boost_pct, 0)} % until conversion is back, "
            f"at the latest {last_day.isoformat()}"
        )
    return f"{numbers}: {verdict}; {plan}"


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""
