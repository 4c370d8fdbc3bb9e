"""The decisions of SPEC §3 v2 on hand-worked cases: gaps, reorder, where the goods are, priced
options, and Alert and Action agreeing. Defaults: L = 30 production + 35 sea + 10 receiving = 75
days; a new order by air 30 + 10 + 10 = 50; smooth history, so safety stock = 7 days of sales."""

from __future__ import annotations

import datetime as dt

import pytest

from addin import decisions as d
from addin import formulas as f

AS_OF = dt.date(2026, 11, 25)


def plan(**fields: object) -> d.SkuPlan:
    settings = fields.pop("settings", f.Settings())
    return d.plan_sku(d.SkuInput(**fields), settings, AS_OF)


def day(n: int) -> dt.date:
    return AS_OF + dt.timedelta(days=n)


def test_kt_1004_inbound_before_the_lead_time_is_not_ordered_again() -> None:
    # 0 available, 4/day, 360 units land on day 73; a sea order placed today lands on day 75.
    p = plan(available=0, units=[4.0] * 90, inbound=[(73, 360)], price=30)
    assert (p.stockout_day, p.next_inbound_day, p.gap_days) == (0, 73, 73)
    assert p.lost_units == 73 * 4 and p.lost_revenue == 292 * 30
    # The 360 units last 90 days from day 73; end-of-day stock first falls below SS = 28 when
    # 360 − 4·(t − 72) < 28, t = 156: order by day 156 − 75 = 81, not today.
    assert p.reorder_by_day == 81
    assert f.REORDER_NOW not in p.flags and f.REORDER_NOW not in p.alternatives
    # Up to 60 days of demand + SS on the day it lands, net of the 28 left then: 240.
    assert p.reorder_qty == 240
    assert p.alert == f.OUT and p.action == f.EXPEDITE_BY_EXPRESS


def test_no_inbound_gap_ends_when_a_regular_order_placed_today_lands() -> None:
    p = plan(available=50, units=[5.0] * 90, price=20)
    assert p.stockout_day == 10
    assert p.gap_days == 65  # day 10 to day 75, not the rest of the year
    assert p.lost_units == 325 and p.lost_revenue == 6500
    assert p.reorder_by_day == 0 and f.REORDER_NOW in p.flags
    assert p.reorder_qty == 5 * 60 + 35  # nothing left on day 75
    assert "65 days out from 2026-12-05, 325 units lost, 6,500.00 revenue" in p.action_text


def test_a_batch_ready_at_the_factory_flies_only_the_units_the_gap_needs() -> None:
    batch = d.Inbound(day=80, qty=400, status="ready", ready_day=2, mode="sea", shipment_id="SH-7")
    p = plan(available=40, units=[4.0] * 90, inbound=[batch], price=25, unit_cost=10,
             unit_weight=0.5, case_pack=10)  # fmt: skip
    assert (p.stockout_day, p.gap_days, p.lost_units) == (10, 65, 260)
    air = next(o for o in p.options if o.action == f.EXPEDITE_BY_AIR)
    # Ready day 2, + 10 air + 10 receiving: lands day 22; days 22-74 lack 53 × 4 = 212 units,
    # 220 in whole cartons of 10, out of the 400 of the batch.
    assert (air.day, air.units, air.source, air.batch_qty) == (22, 220, "SH-7", 400)
    assert air.cost == pytest.approx(220 * 0.5 * (6.5 - 1.2))
    assert air.margin == 212 * 15
    express = next(o for o in p.options if o.action == f.EXPEDITE_BY_EXPRESS)
    assert (express.day, express.units) == (18, 230)  # 2 + 6 + 10; 57 days × 4 = 228
    # Best net first: air saves 3,180 − 583 = 2,597, express 3,420 − 897 = 2,523.
    assert p.action == f.EXPEDITE_BY_AIR and p.alternatives[0] == f.EXPEDITE_BY_EXPRESS
    assert p.action_text.startswith(
        "EXPEDITE BY AIR: 220 of the 400 units of batch SH-7 (ready) by air, land 2026-12-17, "
        "extra cost 583.00, margin saved 3,180.00"
    )
    assert p.option_cost == pytest.approx(583) and p.margin_saved == 3180
    assert p.air_arrival_day == 22 and p.air_units == 220


def test_a_batch_in_production_is_ready_eta_minus_transit_and_receiving() -> None:
    batch = d.Inbound(day=60, qty=300, status="In production")
    p = plan(available=40, units=[4.0] * 90, inbound=[batch])
    assert p.air_arrival_day == 60 - 45 + 20  # ready day 15, then air 10 + receiving 10


def test_a_shipped_batch_cannot_fly_and_a_new_order_counts_production() -> None:
    p = plan(available=40, units=[4.0] * 90, inbound=[d.Inbound(80, 400, "in transit")])
    air = next(o for o in p.options if o.action == f.EXPEDITE_BY_AIR)
    assert (air.source, air.day) == ("new order", 50)
    rush = f.Settings(rush_production_days=5)
    p = plan(available=40, units=[4.0] * 90, inbound=[(80, 400)], settings=rush)
    assert p.air_lead_time == 25
    assert next(o for o in p.options if o.action == f.EXPEDITE_BY_AIR).day == 25


def test_stock_at_a_3pl_is_transferred() -> None:
    at_3pl = d.Elsewhere("3PL NJ", 300, transfer_days=7, cost_per_unit=0.8)
    p = plan(available=20, units=[5.0] * 90, inbound=[(40, 500)], price=20, unit_cost=8,
             elsewhere=[at_3pl])  # fmt: skip
    assert (p.stockout_day, p.gap_days, p.lost_units) == (4, 36, 180)
    # Sellable on day 7; days 7-39 need 33 × 5 = 165 units; 0.80 each; margin 12 a unit.
    assert p.action == f.TRANSFER
    assert p.action_text.startswith(
        "TRANSFER: move 165 units from 3PL NJ, sellable 2026-12-02, extra cost 132.00, "
        "margin saved 1,980.00"
    )
    assert p.option_cost == pytest.approx(132) and p.margin_saved == 1980


def test_fbm_ships_from_own_stock_first_then_the_cheapest_place_worth_it() -> None:
    # Switching the listing to FBM is one move: own FBM stock (free) ships first, then the
    # places that ship FBM, cheapest per unit first; a unit dearer than its margin (12) stays
    # out, and a place whose cost is unknown cannot be priced into the sum: an option apart.
    places = [
        d.Elsewhere("DE warehouse", 50, ships_fbm=True, cost_per_unit=2),
        d.Elsewhere("Courier 3PL", 40, ships_fbm=True, cost_per_unit=15),
        d.Elsewhere("Garage", 20, ships_fbm=True),
        d.Elsewhere("PL warehouse", 25, ships_fbm=True, cost_per_unit=1.5),
    ]
    p = plan(available=20, units=[5.0] * 90, inbound=[(40, 500)], price=20, unit_cost=8,
             fbm_stock=30, elsewhere=places)  # fmt: skip
    fbm = [o for o in p.options if o.action == f.SWITCH_TO_FBM]
    assert [(o.source, o.units, o.cost) for o in fbm] == [
        ("FBM stock, PL warehouse, DE warehouse", 105, 25 * 1.5 + 50 * 2),
        ("Garage", 20, None),
    ]
    assert p.action == f.SWITCH_TO_FBM and fbm[0].margin == 105 * 12
    assert p.action_text.startswith(
        "SWITCH TO FBM: 105 units (30 from FBM stock, then 25 from PL warehouse, then 50 from "
        "DE warehouse) ship to buyers from 2026-11-29, cover 21 of 36 gap days, extra cost "
        "137.50, margin saved 1,260.00"
    )
    # The gap needs 180 units: with them all the places worth it ship only what it lacks.
    p = plan(available=20, units=[5.0] * 90, inbound=[(40, 500)], price=20, unit_cost=8,
             fbm_stock=150, elsewhere=places[:1])  # fmt: skip
    assert [(o.source, o.units) for o in p.options if o.action == f.SWITCH_TO_FBM] == [
        ("FBM stock, DE warehouse", 180)
    ]


def test_with_no_cost_data_the_earliest_landing_comes_first() -> None:
    p = plan(available=40, units=[4.0] * 90, inbound=[(80, 400, "ready", 2)])
    landings = [o.day for o in p.options[:-1]]
    assert landings == sorted(landings) and p.options[-1].action == f.PAUSE_AND_NOTIFY


def test_alert_and_action_agree() -> None:
    # Out on day 43, before a regular order could land on day 75: at least WATCH, never green.
    p = plan(available=215, units=[5.0] * 90)
    assert p.stockout_day == 43 and p.alert == f.WATCH
    assert p.action in (f.EXPEDITE_BY_AIR, f.EXPEDITE_BY_EXPRESS)
    # Plenty of stock: OK, and nothing but OK to do.
    p = plan(available=2000, units=[5.0] * 90)
    assert p.alert == f.OK and p.action == f.OK and not p.options


def test_an_inbound_that_refills_before_the_lead_time_answers_the_dip() -> None:
    # Stock dips under SS on day 3, but 500 units land on day 40: no order today.
    p = plan(available=50, units=[5.0] * 90, inbound=[(40, 500)])
    assert p.reorder_by_day == 58 and f.REORDER_NOW not in p.flags


def test_delayed_orders_only_promise_a_date_a_shipped_batch_backs() -> None:
    coming = [d.Inbound(20, 5, "planned"), d.Inbound(30, 1, "shipped")]
    item = d.SkuInput(available=0, units=[1.0] * 90, inbound=coming)
    proj = d.projection_of(item, 1.0, f.Settings())
    # Two orders of 1 promised on day 2: the planned batch backs nothing, the shipped batch of
    # 1 unit backs the first order only.
    assert d.delayed_orders(item, proj, [(1, 2), (1, 2)], True) == [30 + d.SHIP_DAYS, None]


def test_incident_losses_and_coupon_price() -> None:
    assert d.incident_losses(2.5, 3, 10.0) == (8, 80.0)
    assert d.incident_losses(None, 3, 10.0) == (None, None)
    assert d.coupon_price(19.99, 20) == 15.99  # 15.992
    assert d.coupon_price(2.5, 10) == 2.25  # half up: 2.25 exactly, not banker's 2.2


def test_plan_numbers_for_a_gap() -> None:
    p = plan(available=50, units=[5.0] * 90, inbound=[(40, 500)], price=20, fbm_stock=30)
    assert p.daily_sales == 5.0
    assert p.stockout_day == 10  # 50 / 5
    assert p.next_inbound_day == 40
    assert p.gap_days == 30 and p.lost_units == 150 and p.lost_revenue == 3000
    assert p.lead_time == 75  # 30 production + 35 sea + 10 receiving
    assert p.air_lead_time == 50
    assert p.safety_stock == 35  # smooth history: 7 safety days x 5
    assert p.reorder_point == 5 * 75 + 35
    assert p.alert == f.WARNING  # 10 days: under 15, not under 7
    assert p.flags == [f.LEAD_TIME_RISK]
    assert p.action == f.SWITCH_TO_FBM
    assert p.action_text.startswith(
        "SWITCH TO FBM: 30 units from FBM stock ship to buyers from 2026-12-05, cover 6 of 30 "
        "gap days, extra cost 0.00"
    )


def test_kt_1019_an_order_due_today_is_never_zero_units() -> None:
    # 40 on hand, 10 a day; 960 land on day 78, three days after a sea order placed today
    # would (day 75). Reorder by today with 0 units read as nonsense: the shelf is empty from
    # day 4 to day 78, so the gap ends when today's order lands (day 75) and it asks for the
    # 3 days before the batch plus safety stock.
    p = plan(available=40, units=[10.0] * 90, inbound=[(78, 960)], price=20)
    assert p.stockout_day == 4 and p.gap_days == 71  # day 4 to day 75
    assert p.reorder_by_day == 0 and f.REORDER_NOW in p.flags
    assert p.reorder_qty == 3 * 10 + p.safety_stock


def test_kt_1013_an_overdue_shipment_is_chased_even_when_all_is_well() -> None:
    p = plan(available=26, units=[4.0] * 90, inbound=[d.Inbound(-4, 600, "shipped", None, "sea",
                                                               "FBA17XK2PQ9")])  # fmt: skip
    assert f.INBOUND_OVERDUE in p.flags
    assert p.action == f.CHASE_INBOUND
    assert p.action_text == (
        "CHASE INBOUND: shipment FBA17XK2PQ9 (600 units, shipped) was due 2026-11-21, 4 days "
        "ago: ask the carrier where it is, or Seller Support if it was delivered; the plan "
        "counts it as sellable today"
    )


def test_a_batch_the_gap_needs_whole_flies_all_of_it_in_the_batchs_own_words() -> None:
    # As above with a batch of 200 "In production" ready on day 2: the gap lacks 212 by air,
    # so all 200 fly; its status is named as the seller wrote it, as the supplier draft does.
    batch = d.Inbound(day=80, qty=200, status="In production", ready_day=2, mode="sea",
                      shipment_id="SH-8")  # fmt: skip
    p = plan(available=40, units=[4.0] * 90, inbound=[batch], price=25, unit_cost=10,
             unit_weight=0.5, case_pack=10)  # fmt: skip
    air = next(o for o in p.options if o.action == f.EXPEDITE_BY_AIR)
    assert air.units == 200 and air.status == "In production"
    assert air.why.startswith("all 200 units of batch SH-8 (In production) by air")


def test_an_order_due_this_week_is_never_green() -> None:
    # 5 a day, plenty for the lead time, but the order that keeps safety stock is due in days:
    # OK by days to stockout, WATCH because something must be done this week.
    p = plan(available=430, units=[5.0] * 90)
    assert p.stockout_day == 86 and p.stockout_day >= p.lead_time
    assert 0 < p.reorder_by_day <= d.REORDER_SOON_DAYS and p.action == f.REORDER_SOON
    assert f.alert_for(p.stockout_day, 430) == f.OK and p.alert == f.WATCH
    p = plan(available=470, units=[5.0] * 90)
    assert p.reorder_by_day > d.REORDER_SOON_DAYS and p.alert == f.OK and p.action == f.OK
    # Nor is a shipment past its ETA that the plan counts as sellable today: find it.
    p = plan(available=470, units=[5.0] * 90, inbound=[(-3, 100)])
    assert p.action == f.CHASE_INBOUND and p.alert == f.WATCH


def test_stock_that_does_not_sell_says_no_sales_and_what_to_do() -> None:
    p = plan(available=300, units=[0.0] * 90, inbound=[(20, 120)], price=9)
    assert p.daily_sales == 0 and p.alert == f.OK  # nothing runs out: the level stays OK
    assert f.NO_SALES in p.flags and p.action == f.NO_SALES
    assert p.action_text == (
        "NO SALES: none sold in the last 90 days, 300 units at FBA and 120 inbound: check the "
        "listing is buyable (suppressed? Buy Box? price?); if it is, cut the price, or remove "
        "or liquidate it before Amazon's aged-inventory surcharge (181+ days)"
    )
    # A sale 40 days ago on a day flagged out of stock is no sale on an in-stock day.
    units = [0.0] * 90
    units[50] = 3.0
    flags: list[bool | None] = [True] * 90
    flags[50] = False
    p = plan(available=300, units=units, in_stock=flags)
    assert "none sold in the last 90 days" in p.action_text
    flags[50] = None
    assert f.NO_SALES not in plan(available=300, units=units, in_stock=flags).flags


def test_pausing_an_fba_listing_says_what_the_seller_does() -> None:
    p = plan(
        available=50,
        units=[5.0] * 90,
        inbound=[(40, 500)],
        price=20,
        settings=f.Settings(fbm_enabled=False),
    )
    assert p.action == f.PAUSE_AND_NOTIFY
    assert p.action_text == (
        "PAUSE AND NOTIFY: 30 days out from 2026-12-05, 150 units lost, 3,000.00 revenue: let "
        "FBA sell out, keep the listing (inactive until the stock is back on 2027-01-04), pause "
        "its ads till then, send the delay notes in Drafts"
    )
    p = plan(available=0, units=[8.0] * 90, inbound=[(12, 400)], price=25)
    assert "revenue: FBA is out: keep the listing" in p.action_text


def test_fee_risk_only_where_amazon_would_charge() -> None:
    # 10 days of cover, 35 units a week: FEE RISK. Amazon exempts a SKU the seller says is
    # exempt (new to FBA) and one shipping under 20 units a week: no FEE RISK for them.
    assert f.FEE_RISK in plan(available=50, units=[5.0] * 90).flags
    assert f.FEE_RISK not in plan(available=50, units=[5.0] * 90, fee_exempt="new to FBA").flags
    assert f.FEE_RISK in plan(available=50, units=[5.0] * 90, fee_exempt="  ").flags
    assert f.FEE_RISK not in plan(available=20, units=[2.8] * 90).flags  # 19.6 a week
    assert f.FEE_RISK in plan(available=20, units=[2.9] * 90).flags  # 20.3 a week
