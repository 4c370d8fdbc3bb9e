"""Amazon's low-inventory-level fee rule on hand-worked cases."""

from __future__ import annotations

import pytest

from addin.fee_rule import historical_days_of_supply, low_inventory_fee


def test_both_windows_under_28_days_is_charged_with_the_units_to_clear() -> None:
    # 10 sold a day for 90 days; 200 on hand every day: 20 days of supply in both windows.
    check = low_inventory_fee([200.0] * 90, [10.0] * 90)
    assert check.short_days == pytest.approx(20.0) and check.long_days == pytest.approx(20.0)
    assert check.charged and check.exempt == ""
    assert check.units_to_clear == 80  # 28 days x 10 a day = 280 on average, 80 more


def test_a_long_window_over_28_days_keeps_the_fee_off() -> None:
    # 60 days with 600 on hand, then 30 days with 150: short 15 days, long 45 days.
    stock = [600.0] * 60 + [150.0] * 30
    check = low_inventory_fee(stock, [10.0] * 90)
    assert check.short_days == pytest.approx(15.0)
    assert check.long_days == pytest.approx(45.0)
    assert not check.charged and check.units_to_clear == 0


def test_exemptions_slow_sellers_and_new_to_fba() -> None:
    slow = low_inventory_fee([20.0] * 90, [2.0] * 90)  # 14 units a week, 10 days of supply
    assert not slow.charged and slow.exempt == "ships 14.0 units a week, under 20"
    new = low_inventory_fee([200.0] * 90, [10.0] * 90, new_to_fba=True)
    assert not new.charged and new.exempt == "new to FBA"


def test_nothing_shipped_has_no_days_of_supply() -> None:
    assert historical_days_of_supply([50.0] * 30, [0.0] * 30, 30) is None
    assert not low_inventory_fee([50.0] * 90, [0.0] * 90).charged
