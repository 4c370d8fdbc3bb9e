"""Amazon's low-inventory-level fee, computed the way Amazon says it charges it (US, FBA).

Rule followed: Amazon's Seller Central post "Low-inventory-level fee further explained" (with
the US fee changes announced December 2023, in effect from 1 April 2024; the exemption for
products shipping fewer than 20 units a week added 15 May 2024). Historical days of supply is
the product's average inventory over its average daily units shipped, in a short window (last 30
days) and a long window (last 90 days); the fee is charged only when **both** are under 28 days.
Exempt: products new to FBA (the seller says so), and products shipping fewer than 20 units a
week. Amazon measures at its own product level; this reads the SKU's own daily stock and sales.

This is the historical rule, looking back. Today's forward-looking warning (FEE RISK: cover
ahead under `fee_line_days`) stays separate: it says where the rule is heading.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

FEE_LINE_DAYS = 28
SHORT_DAYS, LONG_DAYS = 30, 90
EXEMPT_BELOW_UNITS_PER_WEEK = 20


@dataclass
class FeeCheck:
    """One SKU against the rule: both windows' days of supply, the verdict and the way out."""

    short_days: float | None  # None: nothing shipped in the window (no days of supply)
    long_days: float | None
    charged: bool
    exempt: str  # why it is exempt, or ""
    units_to_clear: int  # more average units on hand that lift one window to 28 days


def historical_days_of_supply(stock: list[float], units: list[float], days: int) -> float | None:
    """Average inventory over average daily units shipped in the last `days` days."""
    stock, units = stock[-days:], units[-days:]
    sold = sum(units) / len(units) if units else 0.0
    if sold <= 0 or not stock:
        return None
    return (sum(stock) / len(stock)) / sold


def low_inventory_fee(stock: list[float], units: list[float], new_to_fba: bool = False) -> FeeCheck:
    """The rule on daily FBA stock and daily units shipped, both oldest first, ending yesterday."""
    short = historical_days_of_supply(stock, units, SHORT_DAYS)
    long = historical_days_of_supply(stock, units, LONG_DAYS)
    recent = units[-LONG_DAYS:]
    per_week = 7 * sum(recent) / len(recent) if recent else 0.0
    exempt = ""
    if new_to_fba:
        exempt = "new to FBA"
    elif per_week < EXEMPT_BELOW_UNITS_PER_WEEK:
        exempt = f"ships {per_week:.1f} units a week, under {EXEMPT_BELOW_UNITS_PER_WEEK}"
    below = [(d, w) for d, w in ((short, SHORT_DAYS), (long, LONG_DAYS)) if d is not None]
    charged = not exempt and len(below) == 2 and all(d < FEE_LINE_DAYS for d, _ in below)
    need = 0
    if charged:
        need = min(
            math.ceil(FEE_LINE_DAYS * sum(units[-w:]) / w - sum(stock[-w:]) / w) for _, w in below
        )
    return FeeCheck(short, long, charged, exempt, max(need, 0))
