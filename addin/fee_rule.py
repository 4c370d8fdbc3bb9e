"""Amazon's low-inventory-level fee, computed the way Amazon says it charges it (US, FBA).

Rule followed: Amazon's Seller Central post "Low-inventory-level fee further explained" (with
the US fee changes announced December 2023, in effect from 1 April 2024; the exemption for
products shipping fewer than 20 units a week added 15 May 2024; measured per FNSKU rather than
per parent product, and extended to bulky tiers, from 15 January 2026). Historical days of
supply is the product's average inventory over its average daily units shipped, in a short
window (last 30 days) and a long window (last 90 days); the fee is charged only when **both**
are under 28 days. Exempt: products shipping fewer than 20 units a week, and what the seller
marks exempt (new to FBA, AWD auto-replenishment). This reads the SKU's own daily FBA stock and
daily units sold (units shipped for FBA orders), which is Amazon's FNSKU level.

The fee per unit shipped (`FEE_TABLE`) is Amazon's US rate card for standard sizes, by how far
under 28 days the historical days of supply is (under 14, 14 to 21, 21 to 28), as published with
the 2024 fee changes and kept by the 2025 and 2026 ones. Bulky tiers' rates are not in the table:
the rule still says charged or clear, the fee at stake stays unknown.

This is the historical rule, looking back. The forward-looking warning (the FEE RISK flag:
Cover incl. inbound under `fee_line_days`, for a SKU Amazon does not exempt) says where it is
heading; the two can disagree for a while, and `ahead_words` says why in the same cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy is imported where the many-SKU rule runs: the Lite bundle has none
    import numpy as np

FEE_LINE_DAYS = 28
SHORT_DAYS, LONG_DAYS = 30, 90
EXEMPT_BELOW_UNITS_PER_WEEK = 20

#: US fee per unit shipped by size tier, for days of supply under 14, 14 to 21, 21 to 28.
FEE_TABLE: dict[str, tuple[float, float, float]] = {
    "small standard": (0.89, 0.63, 0.32),
    "large standard": (0.97, 0.70, 0.36),  # up to 3 lb
    "large standard over 3 lb": (1.11, 0.87, 0.47),  # 3 to 20 lb
}
#: Size tiers the rule knows (bulky ones are charged too, at rates not in FEE_TABLE).
SIZE_TIERS = ("small standard", "large standard", "small bulky", "large bulky", "extra-large")
POUND_KG = 0.45359237

CHARGED, EXEMPT, CLEAR, UNKNOWN = "charged", "exempt", "clear", "unknown"


@dataclass
class FeeCheck:
    """One SKU against the rule: both windows' days of supply, the verdict and the way out."""

    short_days: float | None  # None: nothing shipped in the window (no days of supply)
    long_days: float | None
    charged: bool
    exempt: str  # why it is exempt, or ""
    units_to_clear: int  # more average units on hand that lift one window to 28 days
    stock_days: int = LONG_DAYS  # days of the long window whose stock is known

    def days(self, window: int) -> float | None:
        return self.short_days if window == SHORT_DAYS else self.long_days

    @property
    def verdict(self) -> str:
        if self.stock_days == 0:
            return UNKNOWN
        return CHARGED if self.charged else EXEMPT if self.exempt else CLEAR


def historical_days_of_supply(
    stock: Sequence[float | None], units: Sequence[float], days: int
) -> float | None:
    """Average inventory over average daily units shipped in the last `days` days.

    Days whose stock is unknown (None) are left out of the inventory average only.
    """
    return low_inventory_fee(stock, units).days(days)


def low_inventory_fee(
    stock: Sequence[float | None], units: Sequence[float], exempt: str = ""
) -> FeeCheck:
    """The rule on daily FBA stock (None: not known that day) and daily units shipped, both
    oldest first, ending yesterday. `exempt` is the seller's reason, if any (new to FBA, …)."""
    import numpy as np

    width = max(len(stock), len(units), 1)
    held = np.full((1, width), np.nan)
    sold = np.full((1, width), np.nan)
    held[0, width - len(stock) :] = [np.nan if x is None else x for x in stock]
    sold[0, width - len(units) :] = units
    return low_inventory_fees(held, sold, [exempt])[0]


def low_inventory_fees(stock: np.ndarray, units: np.ndarray, exempt: list[str]) -> list[FeeCheck]:
    """The rule for many SKUs at once: (SKU × day) arrays, oldest first, ending yesterday.

    NaN stock: not known that day (left out of the inventory average); NaN units: before the
    SKU's data began (the day is not in its windows at all).
    """
    import numpy as np

    found: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for days in (SHORT_DAYS, LONG_DAYS):
        u, s = units[:, -days:], stock[:, -days:]
        listed = ~np.isnan(u)
        n = listed.sum(axis=1)
        rate = np.where(listed, u, 0.0).sum(axis=1) / np.maximum(n, 1)
        known = listed & ~np.isnan(s)
        k = known.sum(axis=1)
        avg = np.where(known, s, 0.0).sum(axis=1) / np.maximum(k, 1)
        supply = np.where((rate > 0) & (k > 0), avg / np.where(rate > 0, rate, 1.0), np.nan)
        found[days] = (supply, np.ceil(FEE_LINE_DAYS * rate - avg - 1e-9), k)
    (short, short_need, _), (long, long_need, seen) = found[SHORT_DAYS], found[LONG_DAYS]
    listed = ~np.isnan(units[:, -LONG_DAYS:])
    per_week = (
        7
        * np.where(listed, units[:, -LONG_DAYS:], 0.0).sum(axis=1)
        / np.maximum(listed.sum(axis=1), 1)
    )
    out = []
    for i, why in enumerate(exempt):
        if not why and per_week[i] < EXEMPT_BELOW_UNITS_PER_WEEK:
            why = f"ships {per_week[i]:.1f} units a week, under {EXEMPT_BELOW_UNITS_PER_WEEK}"
        a, b = _day(short[i]), _day(long[i])
        charged = bool(seen[i]) and not why and a is not None and b is not None
        charged = charged and a < FEE_LINE_DAYS and b < FEE_LINE_DAYS  # type: ignore[operator]
        need = int(max(0, min(short_need[i], long_need[i]))) if charged else 0
        out.append(FeeCheck(a, b, charged, why, need, int(seen[i])))
    return out


def ships_too_few(units: Sequence[float]) -> bool:
    """Amazon's volume exemption for one SKU: under 20 units a week shipped over the last 90
    days of its data (daily units, oldest first, ending yesterday), as `low_inventory_fees`
    reads it for many SKUs at once."""
    recent = units[-LONG_DAYS:]
    return 7 * sum(recent) / max(len(recent), 1) < EXEMPT_BELOW_UNITS_PER_WEEK


def _day(value: float) -> float | None:
    return None if value != value else float(value)


def tier_of(tier: str | None, weight_kg: float | None) -> str:
    """The FEE_TABLE row of a size tier: `large standard` over 3 lb by the unit weight."""
    name = " ".join(str(tier or "").lower().replace("-", " ").split()).removesuffix(" size")
    if name == "large standard" and weight_kg is not None and weight_kg > 3 * POUND_KG:
        return "large standard over 3 lb"
    return name


def fee_per_unit(tier: str, days_of_supply: float) -> float | None:
    """Amazon's fee per unit shipped at this days of supply (None: tier's rate not known)."""
    rates = FEE_TABLE.get(tier)
    if rates is None or days_of_supply >= FEE_LINE_DAYS:
        return None
    return rates[0] if days_of_supply < 14 else rates[1] if days_of_supply < 21 else rates[2]


def fee_words(check: FeeCheck | None, tier: str = "", daily_units: float | None = None) -> str:
    """The Alerts cell: verdict first (charged / exempt / clear / unknown), then the numbers."""
    if check is None or check.verdict == UNKNOWN:
        return (
            "unknown: no FBA stock history in the last 90 days (import the FBA daily inventory "
            "report or pull inventory)"
        )
    days = f"days of supply {_days(check.short_days)} (30 d), {_days(check.long_days)} (90 d)"
    if check.stock_days < LONG_DAYS:
        days += f", stock known {check.stock_days} of {LONG_DAYS} days"
    if check.verdict == EXEMPT:
        return f"exempt ({check.exempt}): {days}"
    if check.verdict == CLEAR:
        under = [d for d in (check.short_days, check.long_days) if d is not None and d < 28]
        return f"clear: {days}" + (", one window under 28" if under else "")
    text = f"charged: {days}, both under {FEE_LINE_DAYS}"
    text += f" · {check.units_to_clear:,} more units on hand on average to clear"
    # The bracket of the higher figure: both are under 28, the fee follows the better one.
    level = max(d for d in (check.short_days, check.long_days) if d is not None)
    rate = fee_per_unit(tier, level)
    if rate is None:
        return text + f" · fee per unit unknown for size tier '{tier or 'blank'}'"
    text += f" · {rate:.2f} a unit ({tier}, US rate)"
    if daily_units:
        text += f", about {rate * daily_units * 30:,.2f} a month"
    return text


def ahead_words(verdict: str, cover: float | None, risk: bool, line: float) -> str:
    """Why the FEE RISK flag and Amazon's verdict differ, when they do: the flag looks ahead
    (stock on hand and inbound over daily sales), Amazon's rule looks back 30 and 90 days."""
    cover = None if cover is None or cover != cover else cover  # NaN: no sales to cover
    if risk and cover is not None:
        now = f" · FEE RISK: Cover incl. inbound {cover:.1f} days, under {line:g}"
        if verdict == CHARGED:
            return now + ": the fee goes on until stock is back over 28 days of sales"
        return now + ": if stock stays this low, both windows fall under 28 and the fee starts"
    if verdict == CHARGED and cover is not None:
        return (
            f" · no FEE RISK: with the inbound, cover is {cover:.1f} days: the fee stops once "
            "it is sellable and the 30-day window is back over 28"
        )
    return ""


def _days(value: float | None) -> str:
    return "none sold" if value is None else f"{value:.1f}"
