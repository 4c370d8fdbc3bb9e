"""The suggested cause of a stockout, on hand-worked cases."""

from __future__ import annotations

import datetime as dt

from addin.incident_causes import ShipmentSeen, suggest_cause

START = dt.date(2026, 6, 1)


def d(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


def test_a_surge_is_sales_in_the_four_weeks_before_above_the_rate_before() -> None:
    units = [10.0] * 91 + [14.0] * 28  # 14 a day against 10: +40 %
    text = suggest_cause(START, None, units, [], 75)
    assert text.startswith("Demand surge: 14.0 a day in the 4 weeks before 2026-06-01 vs 10.0")
    assert "(+40 %)" in text and "safety_days" in text
    assert suggest_cause(START, None, [10.0] * 91 + [12.0] * 28, [], 75) == ""  # +20 %: no
    assert suggest_cause(START, None, [14.0] * 20, [], 75) == ""  # too short to say


def test_a_slipped_eta_names_the_shipment_the_supplier_and_the_setting() -> None:
    ship = ShipmentSeen("FBA9", d(-60), first_eta=d(-5), last_eta=d(6), supplier="Acme")
    text = suggest_cause(START, d(7), [], [ship], 75)
    assert text == (
        "Inbound slipped: shipment FBA9 from Acme was first due 2026-05-27, then 2026-06-07"
        " (+11 days). Lesson: raise lead_time_sd_days (about 5 days or more) for Acme's SKUs,"
        " whose ETAs slip."
    )
    on_time = ShipmentSeen("FBA9", d(-60), first_eta=d(-5), last_eta=d(-3))
    assert suggest_cause(START, d(7), [], [on_time], 75) == ""  # moved 2 days: not a slip
    later = ShipmentSeen("FBA8", d(-90), first_eta=d(20), last_eta=d(40))
    assert suggest_cause(START, d(7), [], [later], 75) == ""  # due after the stockout ended


def test_an_order_first_seen_after_its_reorder_by_date_was_late() -> None:
    ship = ShipmentSeen("PO-7", first_seen=d(-30), first_eta=d(10), last_eta=d(10))
    text = suggest_cause(START, d(10), [], [ship], 75)
    assert text.startswith(
        "Order placed late: shipment PO-7 first appeared in Inbound on 2026-05-02, after its"
        " reorder-by date 2026-03-18 (75 days before the stockout)."
    )
    in_time = ShipmentSeen("PO-7", first_seen=d(-80), first_eta=d(10), last_eta=d(10))
    assert suggest_cause(START, d(10), [], [in_time], 75) == ""
    # First seen on the store's first day: it may have been ordered long before, so no verdict.
    unknown = ShipmentSeen("PO-7", d(-30), d(10), d(10), seen_from_start=True)
    assert suggest_cause(START, d(10), [], [unknown], 75) == ""
    # First seen after stock was back: the next cycle's order, not this stockout's.
    next_cycle = ShipmentSeen("PO-8", first_seen=d(25), first_eta=d(90), last_eta=d(90))
    assert suggest_cause(START, d(10), [], [next_cycle], 75) == ""


def test_stock_back_long_after_a_shipment_reached_receiving_is_a_receiving_delay() -> None:
    ship = ShipmentSeen("FBA5", d(-90), d(2), d(2), reached_receiving=True)
    assert suggest_cause(START, d(12), [], [ship], 75) == (
        "Receiving delay: shipment FBA5 reached receiving and was due sellable 2026-06-03, but"
        " stock was back only 2026-06-13 (+10 days). Lesson: raise receiving_days by about 10"
        " days."
    )
    assert suggest_cause(START, None, [], [ship], 75) == ""  # still out: not known yet
    assert suggest_cause(START, d(4), [], [ship], 75) == ""  # back 2 days after: normal


def test_several_causes_are_all_said_slipped_first() -> None:
    units = [10.0] * 91 + [20.0] * 28
    ship = ShipmentSeen("FBA9", d(-60), first_eta=d(-5), last_eta=d(6))
    text = suggest_cause(START, d(7), units, [ship], 75)
    assert text.split(" | ")[0].startswith("Inbound slipped")
    assert text.split(" | ")[1].startswith("Demand surge")
