"""The forecast f_t (addin/forecast.py): what it sees in a history, and what it leaves alone."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from addin import decisions, demand_history, season
from addin import forecast as fc
from addin import formulas as f

AS_OF = dt.date(2026, 10, 1)


def plan_forecast(units: list[float], **kwargs) -> fc.Forecast:
    vel = f.velocity(units, kwargs.pop("in_stock", None))
    out = f.demand_forecast_of(units, vel, as_of=kwargs.pop("as_of", AS_OF), **kwargs)
    assert out is not None
    return out


def poisson(rng: random.Random, rate: float) -> float:
    """A Poisson draw (Knuth), so the histories below are the same on every machine."""
    limit, k, p = pow(2.718281828459045, -rate), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return float(k)
        k += 1


def by_month(seed: int, peak: float, rest: float, months: tuple[int, ...]) -> list[float]:
    """455 days up to yesterday selling `peak` a day in `months` and `rest` otherwise."""
    rng = random.Random(seed)
    start = AS_OF - dt.timedelta(days=455)
    days = (start + dt.timedelta(days=d) for d in range(455))
    return [poisson(rng, peak if day.month in months else rest) for day in days]


def test_a_flat_history_keeps_v_exactly() -> None:
    rng = random.Random(7)
    units = [poisson(rng, 6.0) for _ in range(455)]
    out = plan_forecast(units)
    assert out.model == "velocity" and out.blocks == [] and out.basis == ""
    assert out.rate == f.velocity(units).rate
    item = decisions.SkuInput(available=200, units=units)
    plan = decisions.plan_sku(item, f.Settings(), AS_OF)
    assert plan.basis == f.velocity(units).basis
    assert plan.forecast_rate == plan.daily_sales


def test_last_years_q4_lifts_the_coming_weeks() -> None:
    out = plan_forecast(by_month(3, 15.0, 5.0, (11, 12)))
    assert out.model == "season"
    factors = out.daily(120)
    nov = (dt.date(2026, 11, 20) - AS_OF).days
    assert factors[0] == pytest.approx(out.rate, rel=0.2)  # October is like September
    assert 2.2 < factors[nov] / out.rate < 3.2  # last November sold three times as much
    assert out.basis.startswith("season ×")
    assert "(last year, 364 in-stock days)" in out.basis


def test_a_season_seen_on_a_few_units_is_shrunk() -> None:
    out = plan_forecast(by_month(5, 0.9, 0.3, (11,)))
    peak = max(out.daily(120)) / out.rate
    assert peak < 2.5  # three times as much on 0.3 a day is not trusted in full


def test_a_slow_mover_gets_a_tsb_rate() -> None:
    rng = random.Random(11)
    units = [poisson(rng, 0.25) for _ in range(455)]
    out = plan_forecast(units)
    assert out.model == "slow mover"
    assert out.rate == pytest.approx(0.25, rel=0.3)
    assert out.basis.startswith("slow mover: TSB ")


def test_a_rising_seller_gets_a_damped_trend() -> None:
    units = [4.0 + 0.05 * d for d in range(91)]  # + 0.35 a day every week
    out = plan_forecast(units, as_of=None)
    assert out.model == "trend"
    assert out.basis == "trend +0.35/day a week, damped"
    recent = sum(units[-28:]) / 28
    assert out.rate == pytest.approx(recent)
    daily = out.daily(365)
    assert daily[0] > units[-1]
    # Damped: the slope adds at most 1 / (1 − 0.97) days' worth, not a year's worth.
    assert daily[-1] < recent + 0.05 * (14 + 1 / (1 - fc.TREND_DAMPING))


def test_a_step_to_a_new_level_is_not_extrapolated() -> None:
    out = plan_forecast([9.0] * 63 + [4.0] * 28, as_of=None)
    assert (out.model, out.rate, out.blocks) == ("new level", 4.0, [])
    assert out.basis == "new level 4.0/day in the last weeks"


def test_one_spike_day_is_capped_and_said() -> None:
    units = [5.0] * 85 + [60.0] + [5.0] * 4
    vel = f.velocity(units)
    out = plan_forecast(units)
    assert out.rate < vel.rate
    assert "1 day of spikes capped at" in out.basis


def test_days_before_a_stockout_with_collapsed_sales_are_suppressed() -> None:
    units = [10.0] * 80 + [2.0, 1.0] + [0.0] * 8
    flags = [True] * 82 + [False] * 8
    out = plan_forecast(units, in_stock=flags)
    assert out.rate == 10.0  # the two days of 2 and 1 were an empty shelf, not demand
    assert out.basis == "2 days of suppressed sales before stockouts"


def test_a_profile_moves_a_launch_without_a_year_of_history() -> None:
    units = [5.0] * 30
    out = plan_forecast(units, profile=season.parse_profile("q4"))
    assert out.model == "profile"
    dec = (dt.date(2026, 12, 10) - AS_OF).days
    assert out.daily(90)[dec] > 1.8 * out.rate
    assert out.basis.endswith("· 30 days of history")


def test_profiles_are_names_or_twelve_numbers() -> None:
    assert season.parse_profile(" Q4 ") == season.PROFILES["q4"]
    assert season.parse_profile("1,1,1,1,1,1,1,1,1,1,2,3")[-1] == 3.0
    assert season.parse_profile("") is None
    with pytest.raises(season.ProfileError, match="12 monthly indexes"):
        season.parse_profile("christmas")


def test_stockout_risk_is_a_probability_from_the_forecast_error() -> None:
    # 100 units, 10 days of 9 ± 3 a day: mean 90, sd 3·√10 ≈ 9.5: about 15 % to run out.
    assert fc.stockout_risk(100, 90, 3, 10, 0) == pytest.approx(0.135, abs=0.01)
    assert fc.stockout_risk(0, 90, 3, 10, 0) == 1.0
    assert fc.stockout_risk(100, 50, 0, 10, 0) == 0.0
    assert fc.normal_cdf(1.959963984540054) == pytest.approx(0.975, abs=1e-7)


def test_the_numpy_season_screen_never_hides_a_season_the_gate_would_see() -> None:
    np = pytest.importorskip("numpy")
    rng = np.random.default_rng(3)
    rates = rng.uniform(0.1, 30, 400)
    amp = np.where(rng.random(400) < 0.5, rng.uniform(0, 1.5, 400), 0.0)
    lam = rates[:, None] * (1 + amp[:, None] * np.exp(-0.5 * ((np.arange(455) - 120) / 20) ** 2))
    units = rng.poisson(lam).astype(float)
    out = rng.random((400, 455)) < 0.03
    units[out] = 0
    weeks = [demand_history.weekly(u.tolist(), o.tolist()) for u, o in zip(units, out, strict=True)]
    possible = season.season_possible([w.units for w in weeks], [w.days for w in weeks])
    seen = [season.last_year(w, 365, (7, 30, 90), (0.5, 0.3, 0.2), None, None) for w in weeks]
    assert sum(s is not None for s in seen) > 50  # there are seasons to find
    assert all(p for p, s in zip(possible, seen, strict=True) if s is not None)
    assert possible.sum() < 0.8 * len(weeks)  # and the screen does skip the flat ones
