"""FBA capacity: who gets the room when the recommended orders do not fit (hand-worked)."""

from __future__ import annotations

import pytest

from addin.capacity import (
    CapacityError,
    Request,
    allocate,
    parse_capacity,
    storage_type,
)


def req(sku: str, units: int, land: int, margin: float | None, daily: float = 10.0,
        size: float | None = 1.0, pack: int = 1, storage: str = "standard") -> Request:  # fmt: skip
    return Request(sku, units, storage, size, land, margin, daily, pack)


def test_the_setting_reads_amazons_storage_types_and_refuses_the_rest() -> None:
    assert parse_capacity("standard 1,200, Oversize: 300; apparel=50") == {
        "standard": 1200.0, "oversize": 300.0, "apparel": 50.0,
    }  # fmt: skip
    assert parse_capacity(None) == {} and parse_capacity(" ") == {}
    assert parse_capacity(800) == {"standard": 800.0}
    assert storage_type("Standard-size") == "standard" and storage_type(None) == "standard"
    with pytest.raises(CapacityError, match="cannot read 'garage 40'"):
        parse_capacity("standard 100, garage 40")


def test_orders_that_fit_are_left_alone() -> None:
    got = allocate([req("A", 300, 80, 5.0), req("B", 200, 90, 2.0)], {"standard": 500})
    assert {k: (a.granted, a.why) for k, a in got.items()} == {"A": (300, ""), "B": (200, "")}


def test_urgency_first_a_month_each_then_margin_per_cubic_foot() -> None:
    # 700 cu ft free; asked: A 600 units (1 cu ft, margin 2), B 600 (0.5 cu ft, margin 4 = 8
    # a cu ft), both selling 10 a day. Pass 1 (urgency, A lands first): A 300 (300 cu ft),
    # B 300 (150). Left 250: B's margin per cu ft is higher, so B tops up to 600 (150 more),
    # A gets the last 100 cu ft: 400 units.
    a = req("A", 600, 75, 2.0, size=1.0)
    b = req("B", 600, 90, 4.0, size=0.5)
    got = allocate([a, b], {"standard": 700})
    assert (got["A"].granted, got["B"].granted) == (400, 600)
    assert got["A"].cut == 200 and got["B"].cut == 0
    assert got["A"].why == (
        "700 cu ft of standard capacity free when the orders land, 900 asked: more urgent SKUs "
        "first, then the best margin per cubic foot"
    )


def test_case_packs_stay_whole_and_no_room_means_nothing() -> None:
    got = allocate([req("A", 480, 75, 3.0, daily=5.0, pack=48)], {"standard": 100})
    assert got["A"].granted == 96  # two cartons of 48 fit in 100 cu ft, a third does not
    none = allocate([req("A", 480, 75, 3.0)], {"standard": -20})  # already over the limit
    assert none["A"].granted == 0 and none["A"].cut == 480


def test_unknown_volume_and_unlimited_types_pass_and_say_so() -> None:
    got = allocate(
        [req("A", 100, 75, 1.0, size=None), req("B", 100, 75, 1.0, storage="oversize")],
        {"standard": 10},
    )
    assert got["A"].granted == 100 and got["A"].why.startswith("no unit volume")
    assert got["B"].granted == 100 and got["B"].why == ""
