"""Amazon's low-inventory-level fee rule on hand-worked cases."""

from __future__ import annotations

import pytest

from addin.fee_rule import (
    ahead_words,
    fee_per_unit,
    fee_words,
    historical_days_of_supply,
    low_inventory_fee,
    ships_too_few,
    tier_of,
)


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
    new = low_inventory_fee([200.0] * 90, [10.0] * 90, exempt="new to FBA")
    assert not new.charged and new.exempt == "new to FBA"


def test_nothing_shipped_has_no_days_of_supply() -> None:
    assert historical_days_of_supply([50.0] * 30, [0.0] * 30, 30) is None
    assert not low_inventory_fee([50.0] * 90, [0.0] * 90).charged


def test_unknown_stock_days_leave_the_average_and_no_stock_at_all_is_unknown() -> None:
    # Stock known every third day only (a weekly-ish snapshot): the average is of those days.
    stock = [200.0 if d % 3 == 0 else None for d in range(90)]
    check = low_inventory_fee(stock, [10.0] * 90)
    assert check.short_days == pytest.approx(20.0) and check.stock_days == 30
    assert check.verdict == "charged"
    blind = low_inventory_fee([None] * 90, [10.0] * 90)
    assert blind.verdict == "unknown" and not blind.charged
    assert fee_words(blind).startswith("unknown: no FBA stock history")


def test_the_fee_per_unit_follows_amazons_us_table_by_tier_and_days() -> None:
    assert fee_per_unit("small standard", 10) == 0.89
    assert fee_per_unit("small standard", 14) == 0.63  # 14 to 21
    assert fee_per_unit("large standard", 27.9) == 0.36
    assert fee_per_unit("large standard over 3 lb", 5) == 1.11
    assert fee_per_unit("large standard", 28) is None  # not charged at 28
    assert fee_per_unit("large bulky", 5) is None  # rate not in the table
    assert tier_of("Large Standard-Size", 1.0) == "large standard"  # Amazon's spelling
    assert tier_of("large standard", 1.5) == "large standard over 3 lb"  # 3.3 lb
    assert tier_of(None, None) == ""


def test_the_alerts_words_say_verdict_days_units_to_clear_and_fee() -> None:
    charged = low_inventory_fee([200.0] * 90, [10.0] * 90)
    assert fee_words(charged, "large standard", 10.0) == (
        "charged: days of supply 20.0 (30 d), 20.0 (90 d), both under 28 · 80 more units on "
        "hand on average to clear · 0.70 a unit (large standard, US rate), about 210.00 a month"
    )
    assert fee_words(charged, "").endswith("fee per unit unknown for size tier 'blank'")
    clear = low_inventory_fee([600.0] * 60 + [150.0] * 30, [10.0] * 90)
    assert fee_words(clear) == (
        "clear: days of supply 15.0 (30 d), 45.0 (90 d), one window under 28"
    )
    slow = low_inventory_fee([20.0] * 90, [2.0] * 90)
    assert fee_words(slow).startswith("exempt (ships 14.0 units a week, under 20): days")


def test_the_cell_says_why_fee_risk_and_amazons_verdict_differ() -> None:
    # Charged now, but the inbound lifts cover to 57 days: no FEE RISK, and the cell says why.
    assert ahead_words("charged", 57.46, False, 28) == (
        " · no FEE RISK: with the inbound, cover is 57.5 days: the fee stops once it is "
        "sellable and the 30-day window is back over 28"
    )
    # Clear by Amazon's rule looking back, but 5.8 days of cover ahead: FEE RISK, and why.
    assert ahead_words("clear", 5.77, True, 28) == (
        " · FEE RISK: Cover incl. inbound 5.8 days, under 28: if stock stays this low, both "
        "windows fall under 28 and the fee starts"
    )
    assert ahead_words("charged", 5.4, True, 28).endswith(
        "until stock is back over 28 days of sales"
    )
    # Where they agree, or there is no cover to speak of, nothing is added.
    assert ahead_words("clear", 57.0, False, 28) == ""
    assert ahead_words("charged", float("nan"), False, 28) == ""
    assert ahead_words("exempt", None, False, 28) == ""


def test_one_skus_volume_exemption_reads_as_the_many_sku_rule() -> None:
    for rate in (2.8, 2.857, 2.86, 5.0, 0.0):
        units = [rate] * 120
        many = low_inventory_fee([10.0] * 120, units)
        assert ships_too_few(units) == bool(many.exempt)
    assert ships_too_few([]) and not ships_too_few([50.0] * 3 + [0.0] * 7)  # 105 a week
