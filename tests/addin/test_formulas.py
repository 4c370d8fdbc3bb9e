"""The math of SPEC §3: shared vectors (also run by the Apps Script port), hand-worked
examples, and a cross-check against an independent textbook implementation (stockpyl)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import statistics
from pathlib import Path

import pytest

from addin import decisions, names, reading
from addin import formulas as f

VECTORS = Path(__file__).resolve().parent.parent / "vectors"
AS_OF = dt.date(2026, 11, 25)


def plan_sku_vector(item: dict, settings: dict, as_of: str) -> decisions.SkuPlan:
    """The vector form of `decisions.plan_sku`: plain dicts in, as a JS port receives them."""
    tuples = {k: tuple(v) if isinstance(v, list) else v for k, v in settings.items()}
    return decisions.plan_sku(
        decisions.SkuInput(**item), f.Settings(**tuples), f.to_date(as_of, "as_of")
    )


def _plain(value: object) -> object:
    """Results as JSON shows them: dates as ISO text, dataclasses as dicts."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if dataclasses.is_dataclass(value):
        return {k: _plain(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _cases():
    for path in sorted(VECTORS.glob("*.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        for case in spec["cases"]:
            yield pytest.param(spec["function"], case, id=f"{path.stem}:{case['name']}")


@pytest.mark.parametrize(("function", "case"), list(_cases()))
def test_shared_vector(function: str, case: dict) -> None:
    homes = (f, reading, names)  # the cells' math; how typed text and names are read
    fn = plan_sku_vector if function == "plan_sku_vector" else _found(function, homes)
    try:
        got = _plain(fn(*case["args"], **case.get("kwargs", {})))
    except f.InputError as exc:
        got = {"error": str(exc)}
    assert got == case["expected"]


def _found(function: str, homes: tuple) -> object:
    return next(getattr(m, function) for m in homes if hasattr(m, function))


def test_vectors_cover_every_cell_function() -> None:
    functions = {json.loads(p.read_text())["function"] for p in VECTORS.glob("*.json")}
    assert {
        "days_of_cover",
        "sales_velocity",
        "stockout_date",
        "stockout_gap",
        "safety_stock",
        "reorder_date",
        "reorder_qty",
        "alert_level",
        "to_number",
        "to_date",
        "plan_sku_vector",
        "read_column",
        "nearest",
    } <= functions


# --- hand-worked examples: the numbers a seller can check on paper ------------------------


def test_days_of_cover_is_stock_over_sales() -> None:
    assert f.days_of_cover(120, 8) == 15
    assert f.days_of_cover(120, 0) is None


def test_velocity_ignores_out_of_stock_days() -> None:
    # 80 in-stock days at 6/day, then 10 days out of stock (0 sold).
    units = [6.0] * 80 + [0.0] * 10
    flags = [True] * 80 + [False] * 10
    vel = f.velocity(units, flags)
    # 7-day window is all out of stock: skipped; 30d = 6 on 20 days, 90d = 6 on 80 days.
    assert [w.in_stock for w in vel.windows] == [0, 20, 80]
    assert vel.rate == 6.0
    # Counting the zeros would say 30d = 4.0: the under-forecast the playbook warns about.
    assert f.velocity(units).rate < 6.0


def test_zero_run_counts_as_stockout_only_when_nothing_is_available() -> None:
    units = [4.0] * 60 + [0.0] * 5
    assert f.velocity(units, available=0).rate == 4.0
    assert f.velocity(units, available=50).rate < 4.0


def test_weighted_velocity_and_basis() -> None:
    units = [2.0] * 60 + [4.0] * 23 + [8.0] * 7
    vel = f.velocity(units)
    avg7, avg30, avg90 = 8.0, (23 * 4 + 7 * 8) / 30, (60 * 2 + 23 * 4 + 7 * 8) / 90
    assert vel.rate == pytest.approx(0.5 * avg7 + 0.3 * avg30 + 0.2 * avg90)
    assert vel.trend == pytest.approx(avg7 / avg30)
    assert vel.basis == "7d 8.0 (7 in stock) · 30d 4.9 (30) · 90d 3.0 (90)"


def test_stockout_date_without_inbound_is_floor_of_cover() -> None:
    for available, rate in [(10, 3), (9, 3), (1, 0.1), (100, 7), (0, 5)]:
        expected = AS_OF + dt.timedelta(days=math.floor(available / rate + 1e-9))
        assert f.stockout_date(available, rate, AS_OF) == expected


def test_inbound_before_stockout_pushes_it_back() -> None:
    # 10 units at 2/day; 20 land on day 3 -> 30 units over 2/day -> out on day 15.
    assert f.stockout_date(10, 2, AS_OF, 20, AS_OF + dt.timedelta(days=3)) == AS_OF + dt.timedelta(
        days=15
    )


def test_lost_sales_do_not_eat_the_next_inbound() -> None:
    proj = f.project(10, f.demand_sequence(2, 60), [(10, 100)])
    stock = proj.daily_stock(12)
    assert stock[5] == 0  # sold out on day 5
    assert stock[10] == 100  # the shipment refills the shelf, no phantom backlog


def test_promotions_multiply_and_move_the_stockout() -> None:
    proj = f.project(300, f.demand_sequence(5, 365, [(10, 19, 2.0), (15, 24, 1.5)]))
    assert proj.forecast(9) == 5 and proj.forecast(10) == 10
    assert proj.forecast(15) == 15 and proj.forecast(22) == 7.5 and proj.forecast(25) == 5
    # 10x5 + 5x10 + 5x15 + 5x7.5 = 212.5 by day 25; 87.5 left at 5/day -> day 25 + 17.
    assert proj.first_day_below(0) == 42


def test_alert_levels_at_the_warning_lines() -> None:
    assert [f.alert_level(d) for d in (0, 6.9, 7, 14, 15, 29, 30, None)] == [
        "CRITICAL",
        "CRITICAL",
        "WARNING",
        "WARNING",
        "WATCH",
        "WATCH",
        "OK",
        "OK",
    ]
    assert f.alert_level(50, 0) == "OUT"


def test_reorder_qty_rounds_to_case_pack_and_moq() -> None:
    assert f.reorder_qty(100, 50, 5, 30, 60, 20, 12) == 324  # 320 -> 27 cases
    assert f.reorder_qty(100, 50, 5, 30, 60, 20, 12, 500) == 504
    # Plenty of stock: the order due on the (far) reorder-by date, 60 days + no SS, none left.
    assert f.reorder_qty(5000, 0, 5, 30) == 300


def test_a_batch_landing_just_after_the_dip_does_not_make_the_order_needless() -> None:
    from addin.projection import find_reorder, project

    # 40 on hand, 10 a day: out on day 4. A regular order placed today lands on day 75, three
    # days before a batch of 960. Over the 60-day cover window the batch is plenty, but the
    # shelf is empty (under the 95 of safety stock) until it lands: order 30 + 95 = 125 now.
    proj = project(40, [10.0] * 200, [(78, 960)])
    order = find_reorder(proj, 75, 95, 60)
    assert (order.dip_day, order.by_day, order.qty) == (75, 0, 125)
    # A batch landing before the dip: the window's total decides, as before. 960 on day 70,
    # 100 left on day 156, which ends under 95: 60 days (600) + 95 - 100 = 595.
    later = find_reorder(project(40, [10.0] * 200, [(70, 960)]), 75, 95, 60)
    assert (later.dip_day, later.by_day, later.qty) == (156, 81, 595)


def test_bad_arguments_read_like_a_cell_error() -> None:
    with pytest.raises(f.InputError, match='available must be a number, got "abc"'):
        f.days_of_cover("abc", 3)
    with pytest.raises(f.InputError, match="day/month or month/day"):
        f.to_date("04/07/2026", "eta")


def test_inverse_normal_matches_the_standard_library() -> None:
    dist = statistics.NormalDist()
    for p in [1e-12, 0.01, 0.075, 0.5, 0.9, 0.95, 0.975, 0.99, 0.999999]:
        assert f.inverse_normal_cdf(p) == dist.inv_cdf(p)


# --- cross-check with stockpyl, an independent implementation ----------------------------


@pytest.mark.parametrize("lead", [5, 30, 75])
@pytest.mark.parametrize(("rate", "sd"), [(5.0, 2.0), (40.0, 15.0), (0.5, 1.2)])
@pytest.mark.parametrize("level", [0.8, 0.95, 0.99])
def test_safety_stock_and_reorder_point_agree_with_stockpyl(lead, rate, sd, level) -> None:
    newsvendor = pytest.importorskip("stockpyl.newsvendor")
    # stockpyl's newsvendor with lead time L-1 covers L periods of normal demand; with the
    # critical ratio p / (p + h) = service level its base stock is v·L + z·σ·sqrt(L): the
    # textbook reorder point that SPEC §3 rounds up (safety_days 0, no lead-time noise).
    base_stock, _ = newsvendor.newsvendor_normal(
        holding_cost=1 - level,
        stockout_cost=level,
        demand_mean=rate,
        demand_sd=sd,
        lead_time=lead - 1,
    )
    ss = f.safety_stock(rate, sd, lead, level, 0, 0)
    assert ss == math.ceil(base_stock - rate * lead - 1e-6)
    # The whole plan: velocity and σ come from the history, the rest must still agree.
    plan = decisions.plan_sku(
        decisions.SkuInput(available=1e6, units=[rate + sd, rate - sd] * 45),
        f.Settings(
            service_level=level,
            safety_days=0,
            velocity_windows=(30, 90),
            velocity_weights=(0.5, 0.5),
            production_days=lead - 10,
            sea_days=5,
            receiving_days=5,
        ),
        AS_OF,
    )
    assert plan.daily_sales == pytest.approx(rate)
    base_stock, _ = newsvendor.newsvendor_normal(
        holding_cost=1 - level,
        stockout_cost=level,
        demand_mean=plan.daily_sales,
        demand_sd=plan.daily_sd,
        lead_time=lead - 1,
    )
    assert plan.reorder_point >= base_stock - 1e-6
    assert plan.reorder_point < base_stock + 2
