"""The plan's bookkeeping around the forecast: when history starts, the Season column, and the
Alerts numbers the forecast adds."""

from __future__ import annotations

import datetime as dt

import pytest

from sheets_sync import workbook as wb
from sheets_sync.inputs import read_inputs
from sheets_sync.plan import compute_plan

AS_OF = dt.date(2026, 11, 25)


def plan_of(
    inventory: list[list], sales: list[list], settings: list[list] | None = None
) -> dict[str, dict]:
    grids = wb.starter_tabs()
    width = max((len(row) for row in inventory), default=3)
    grids[wb.INVENTORY] = [["SKU", "Available", "Season", "Category"][:width], *inventory]
    grids[wb.SALES] = [["Date", "SKU", "Units"], *sales]
    grids[wb.SETTINGS] = [*grids[wb.SETTINGS], *(settings or [])]
    inputs = read_inputs(grids)
    plan = compute_plan(inputs, AS_OF)
    rows = {row["sku"]: row for row in plan.skus.to_dict("records")}
    rows["_problems"] = {"list": [(p.tab, p.column, p.problem) for p in inputs.problems]}
    return rows


def day(back: int) -> dt.date:
    return AS_OF - dt.timedelta(days=back)


def test_history_starts_where_the_source_does_for_a_slow_mover_not_for_a_launch() -> None:
    # The Sales tab covers 90 days (a steady seller has a row every day). A slow mover's first
    # sale came 20 days ago and it sold once since; a launch sold 5 a day for 20 days.
    steady = [[day(b), "STEADY", 4] for b in range(90, 0, -1)]
    slow = [[day(20), "SLOW", 1], [day(6), "SLOW", 1]]
    launch = [[day(b), "LAUNCH", 5] for b in range(20, 0, -1)]
    rows = plan_of([["STEADY", 100, None], ["SLOW", 10, None], ["LAUNCH", 100, None]],
                   steady + slow + launch)  # fmt: skip
    # 1 unit in the 19 days after the first sale: 70 silent days before it are nothing odd at
    # that rate, so they were days of zero sales, not days before the listing.
    assert rows["SLOW"]["basis"].endswith("90d 0.0 (90)")
    assert rows["SLOW"]["daily_sales"] == pytest.approx(0.5 / 7 + 0.3 * 2 / 30 + 0.2 * 2 / 90)
    # 100 units over 20 days of silence would be unheard of: the launch was not listed yet.
    assert rows["LAUNCH"]["daily_sales"] == 5.0
    assert rows["LAUNCH"]["basis"].endswith("90d 5.0 (20)")


def test_a_season_profile_lifts_the_forecast_and_a_bad_one_is_a_problem() -> None:
    sales = [[day(b), sku, 5] for b in range(60, 0, -1) for sku in ("TOY", "BAD", "PLAIN")]
    rows = plan_of([["TOY", 150, "q4"], ["BAD", 150, "xmas"], ["PLAIN", 150, None]], sales)
    assert rows["PLAIN"]["forecast_rate"] == rows["PLAIN"]["daily_sales"] == 5.0
    assert rows["PLAIN"]["days_to_stockout"] == 30
    assert rows["TOY"]["daily_sales"] == 5.0
    assert rows["TOY"]["basis"].startswith("profile ×1.3 from Dec 2 · 60 days of history · 7d")
    assert rows["TOY"]["days_to_stockout"] < 26  # December sells more than October-November
    assert rows["BAD"]["forecast_rate"] == 5.0
    assert ("Inventory", "Season", "season must be q4, summer, winter or 12 monthly indexes, "
            "got 'xmas'") in rows["_problems"]["list"]  # fmt: skip


def test_a_category_takes_its_season_from_settings_and_a_skus_own_season_wins() -> None:
    sales = [[day(b), sku, 5] for b in range(60, 0, -1) for sku in ("TOY", "OWN", "MUG", "NONE")]
    settings = [["Season_Toys", "q4"], ["season garden", "spring"], ["season_kitchen", None]]
    inventory = [["TOY", 150, None, "toys"], ["OWN", 150, "summer", "Toys"],
                 ["MUG", 150, None, "kitchen"], ["NONE", 150, None, None]]  # fmt: skip
    rows = plan_of(inventory, sales, settings)
    # the group's q4 moves TOY exactly as q4 in its own Season cell would
    alone = plan_of([["TOY", 150, "q4"]], [row for row in sales if row[1] == "TOY"])
    assert rows["TOY"]["basis"] == alone["TOY"]["basis"]
    assert rows["TOY"]["basis"].startswith("profile ×1.3 from Dec 2")
    assert rows["TOY"]["days_to_stockout"] == alone["TOY"]["days_to_stockout"] < 26
    # a SKU's own Season wins over its group's; a group with no (or a blank) row moves nothing
    assert rows["OWN"]["basis"].startswith("profile ×2.6 from Jun 30")  # summer
    for plain in ("MUG", "NONE"):
        assert rows[plain]["forecast_rate"] == rows[plain]["daily_sales"] == 5.0
    assert ("Settings", "Value", "season garden: season must be q4, summer, winter or 12 "
            "monthly indexes, got 'spring'") in rows["_problems"]["list"]  # fmt: skip


def test_stockout_risk_is_high_when_stock_ends_before_the_next_landing() -> None:
    sales = [[day(b), sku, 10] for b in range(90, 0, -1) for sku in ("SHORT", "DEEP")]
    rows = plan_of([["SHORT", 100, None], ["DEEP", 5000, None]], sales)
    # No inbound: the next landing is a regular order placed today (75 days by sea).
    assert rows["SHORT"]["stockout_risk"] == 1.0
    assert rows["DEEP"]["stockout_risk"] == 0.0
