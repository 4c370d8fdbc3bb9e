"""Backtest: how far off is the projected stockout day, and the quantity to reorder?

    python benchmarks/bench_forecast.py [--seeds 1 2 3] [--skus 40] [--markdown]

A simulated catalogue, several seeds: each SKU has three years of expected daily demand of its
kind, sold with overdispersed (gamma-Poisson) noise, and is planned from five dates across the
last year (March, June, September, mid-October, mid-November). Kinds:

- flat: a steady seller, nothing to see;
- trend: growing or shrinking by 40-200 % a year;
- q4 / summer: a season peaking in Nov-Dec or in July, ×1.8-3.5, its size varying by year;
- launch: listed 20-80 days before the plan date and ramping up; half are Q4 products whose
  seller set the `q4` profile;
- slow: a unit or two every few days (intermittent);
- spiky: one-off 4-10× days, sometimes in the last two weeks;
- censored: several stockouts in the history (known out-of-stock days) and suppressed sales
  in the days before each (the listing nearly empty).

Every kind's level also wanders slowly (a mean-reverting random walk, about ±8 % a month), as
a listing's rank and its competitors do. Each plan date gets an Available of 10-120 days of
expected demand. Scores, per method:
- days-to-stockout error: |projected − actual| first day the realised demand outruns
  Available (capped at 365), mean in days;
- reorder quantity error: |forecast − realised demand| over lead time + cover target
  (75 + 60 days), as a share of the realised demand (capped at 200 % per SKU), mean.
Safety stock, case packs and inbound are left out: they shift every method alike.

Methods: plain 30-day average (Amazon's), 30-day in-stock average (Inventory Planner style),
90-day sales ÷ in-stock days, last year's same days × recent ratio, the old SPEC velocity,
the forecast (addin/forecast.py), and an oracle that knows the expected demand (the floor).
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections import defaultdict

import numpy as np

from addin import demand_history, formulas, season

START = dt.date(2023, 1, 1)
ORIGINS = [dt.date(2025, 3, 1), dt.date(2025, 6, 1), dt.date(2025, 9, 1),
           dt.date(2025, 10, 15), dt.date(2025, 11, 15)]  # fmt: skip
DAYS = (dt.date(2026, 9, 1) - START).days
LEAD, COVER = 75, 60
CAP = 365
KINDS = ["flat", "trend", "q4", "summer", "launch", "slow", "spiky", "censored"]
METHODS = ["plain 30d", "in-stock 30d", "90d ÷ in-stock", "last year × ratio", "old velocity",
           "forecast", "oracle"]  # fmt: skip
HISTORY = 7 * demand_history.WEEKS
DRIFT = 0.015  # daily step of the log level


def _bump(doy: np.ndarray, peak: float, width: float) -> np.ndarray:
    d = np.minimum(np.abs(doy - peak), 365 - np.abs(doy - peak))
    return np.exp(-0.5 * (d / width) ** 2)


def _drift(rng: np.random.Generator) -> np.ndarray:
    """A slow wander of the level (rank, competitors, ads): a random walk of the log level,
    about ±8 % a month, pulled back to the SKU's own level over a few months."""
    steps = rng.normal(0, DRIFT, DAYS)
    level = np.zeros(DAYS)
    for i in range(1, DAYS):
        level[i] = level[i - 1] * (1 - 1 / 120) + steps[i]
    return np.exp(level)


def simulate(kind: str, rng: np.random.Generator) -> dict:
    """Expected demand, realised units and in-stock flags of one SKU over the whole timeline."""
    t = np.arange(DAYS, dtype=float)
    dates = np.array([START + dt.timedelta(days=int(i)) for i in range(DAYS)])
    doy = np.array([d.timetuple().tm_yday for d in dates], dtype=float)
    year = np.array([d.year for d in dates])
    base = float(np.exp(rng.uniform(np.log(0.8), np.log(40))))
    lam = np.full(DAYS, base)
    profile = None
    listed = 0
    if kind == "trend":
        growth = rng.choice([-1, 1]) * rng.uniform(0.4, 2.0)
        rate = np.log1p(growth) if growth > -1 else np.log(0.3)
        lam = base * np.exp(rate * (t - t[-1] + 365) / 365)
    elif kind in ("q4", "summer"):
        peak, width = (335, 22) if kind == "q4" else (195, 35)
        amp = {y: rng.uniform(0.8, 2.5) for y in range(2023, 2027)}
        size = np.array([amp[y] for y in year])
        lam = base * (1 + size * _bump(doy, peak + rng.uniform(-10, 10), width))
    elif kind == "launch":
        seasonal = rng.random() < 0.5
        origin = ORIGINS[int(rng.integers(len(ORIGINS)))]
        listed = (origin - START).days - int(rng.integers(20, 81))
        age = np.maximum(0, t - listed)
        lam = base * (1 - np.exp(-age / rng.uniform(7, 30)))
        lam[t < listed] = 0
        if seasonal:
            lam = lam * (1 + rng.uniform(1, 2) * _bump(doy, 335, 22))
            profile = season.PROFILES["q4"]
        lam = lam * _drift(rng)
        return _sell(lam, rng, kind, profile, listed, origin)
    elif kind == "slow":
        lam = np.full(DAYS, float(rng.uniform(0.05, 0.5)))
    lam = lam * _drift(rng)
    units_lam = lam
    sim = _sell(units_lam, rng, kind, profile, listed, None)
    if kind == "spiky":
        for _ in range(int(rng.integers(4, 10))):
            day = int(rng.integers(0, DAYS))
            span = int(rng.integers(1, 4))
            sim["units"][day : day + span] *= rng.uniform(4, 10)
            sim["demand"][day : day + span] = sim["units"][day : day + span]
        for origin in ORIGINS:  # half the plan dates see a spike in their last two weeks
            if rng.random() < 0.5:
                day = (origin - START).days - int(rng.integers(1, 14))
                sim["units"][day] = np.round(sim["units"][day] + lam[day] * rng.uniform(4, 10))
                sim["demand"][day] = sim["units"][day]
    if kind == "censored":
        for _ in range(int(rng.integers(6, 14))):
            day = int(rng.integers(30, DAYS))
            span = int(rng.integers(5, 31))
            sim["in_stock"][day : day + span] = False
            sim["units"][day : day + span] = 0
            before = slice(max(0, day - 2), day)
            sim["units"][before] = np.floor(sim["units"][before] * 0.3)
        for origin in ORIGINS:  # and some are out right before the plan date
            if rng.random() < 0.3:
                day = (origin - START).days
                span = int(rng.integers(3, 15))
                sim["in_stock"][day - span : day] = False
                sim["units"][day - span : day] = 0
    return sim


def _sell(lam, rng, kind, profile, listed, origin) -> dict:
    noisy = lam * rng.gamma(5.0, 1 / 5.0, len(lam))
    if kind == "slow":  # lumpy: orders of 1-3 units
        units = rng.poisson(noisy / 1.6) * 1.0
        units = np.where(units > 0, units + rng.poisson(0.6 * units), 0.0)
    else:
        units = rng.poisson(noisy) * 1.0
    flags = np.ones(len(lam), dtype=bool)
    return {"lam": lam, "units": units, "demand": units.copy(), "in_stock": flags,
            "profile": profile, "listed": listed, "origin": origin}  # fmt: skip


def methods(sim: dict, origin: dt.date, horizon: int) -> dict[str, np.ndarray]:
    """Each method's daily forecast f_0 … f_(horizon−1) from the history before `origin`."""
    day0 = (origin - START).days
    first = max(sim["listed"], day0 - 2 * 365 - 60)
    units = sim["units"][first:day0]
    flags = sim["in_stock"][first:day0]

    def instock_mean(days: int) -> float:
        u, f = units[-days:], flags[-days:]
        return float(u[f].mean()) if f.any() else 0.0

    flat = {
        "plain 30d": float(units[-30:].mean()),
        "in-stock 30d": instock_mean(30),
        "90d ÷ in-stock": float(units[-90:].sum() / max(1, flags[-90:].sum())),
    }
    out_list = {k: np.full(horizon, v) for k, v in flat.items()}
    # Last year's same days × recent ratio (in-stock 30 days now over the same days last year).
    if len(units) >= 365 + 30:
        ly_u = sim["units"][day0 - 364 : day0 - 364 + horizon].copy()
        ly_f = sim["in_stock"][day0 - 364 : day0 - 364 + horizon]
        ly_mean = ly_u[ly_f].mean() if ly_f.any() else 0.0
        ly_u[~ly_f] = ly_mean
        ly_u = np.convolve(np.r_[ly_u, np.full(6, ly_mean)], np.ones(7) / 7, "full")[
            3 : 3 + horizon
        ]
        then = sim["units"][day0 - 364 - 30 : day0 - 364]
        then_f = sim["in_stock"][day0 - 364 - 30 : day0 - 364]
        ref = then[then_f].mean() if then_f.any() else 0.0
        ratio = flat["in-stock 30d"] / ref if ref > 0 else 1.0
        out_list["last year × ratio"] = ly_u * ratio
    else:
        out_list["last year × ratio"] = np.full(horizon, flat["in-stock 30d"])
    hist = units[-HISTORY:].tolist()
    known = flags[-HISTORY:].tolist()
    vel = formulas.velocity(hist, known)
    out_list["old velocity"] = np.full(horizon, vel.rate or 0.0)
    f = formulas.demand_forecast_of(
        hist, vel, horizon=horizon, as_of=origin, profile=sim["profile"]
    )
    out_list["forecast"] = np.array(f.daily(horizon)) if f else np.zeros(horizon)
    out_list["oracle"] = sim["lam"][day0 : day0 + horizon].copy()
    return out_list, (f.model if f else "none")


def stockout_day(cum: np.ndarray, available: float) -> int:
    over = np.nonzero(cum > available + 1e-9)[0]
    return int(over[0]) if len(over) else CAP


def backtest(seeds: list[int], skus: int) -> tuple[dict, dict]:
    days_err: dict = defaultdict(lambda: defaultdict(list))
    qty_err: dict = defaultdict(lambda: defaultdict(list))
    models: dict = defaultdict(lambda: defaultdict(int))
    for seed in seeds:
        rng = np.random.default_rng(seed)
        for kind in KINDS:
            for _ in range(skus):
                sim = simulate(kind, rng)
                origins = [sim["origin"]] if sim["origin"] else ORIGINS
                for origin in origins:
                    day0 = (origin - START).days
                    future = sim["demand"][day0 : day0 + CAP].copy()
                    if kind == "spiky":  # spikes ahead are nobody's forecast: score the base
                        future = np.minimum(future, sim["lam"][day0 : day0 + CAP] * 3 + 5)
                    lam_cum = np.cumsum(sim["lam"][day0 : day0 + CAP])
                    target = rng.uniform(10, 120)
                    available = float(np.round(lam_cum[int(target)]))
                    if available <= 0:
                        continue
                    actual_day = stockout_day(np.cumsum(future), available)
                    actual_qty = float(future[: LEAD + COVER].sum())
                    forecasts, model = methods(sim, origin, CAP)
                    models[kind][model] += 1
                    for name, f in forecasts.items():
                        day = stockout_day(np.cumsum(f), available)
                        days_err[kind][name].append(abs(day - actual_day))
                        qty = float(f[: LEAD + COVER].sum())
                        err = abs(qty - actual_qty) / max(actual_qty, 1.0)
                        qty_err[kind][name].append(min(err, 2.0))
    return days_err, qty_err, models


def table(errors: dict, fmt: str) -> list[list[str]]:
    rows = []
    for kind in [*KINDS, "overall"]:
        cells = []
        for name in METHODS:
            if kind == "overall":
                values = [x for k in KINDS for x in errors[k][name]]
            else:
                values = errors[kind][name]
            cells.append(fmt.format(np.mean(values)) if values else "–")
        rows.append([kind, *cells])
    return rows


def show(title: str, rows: list[list[str]], markdown: bool) -> None:
    head = ["SKU kind", *METHODS]
    if markdown:
        print(f"\n{title}\n")
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for row in rows:
            print("| " + " | ".join(row) + " |")
        return
    print(f"\n{title}")
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    for row in [head, *rows]:
        print("  ".join(str(c).rjust(w) for c, w in zip(row, widths, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--skus", type=int, default=40, help="SKUs per kind and seed")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    start = time.perf_counter()
    per_seed = [backtest([seed], args.skus) for seed in args.seeds]
    days_err: dict = defaultdict(lambda: defaultdict(list))
    qty_err: dict = defaultdict(lambda: defaultdict(list))
    models: dict = defaultdict(lambda: defaultdict(int))
    for d, q, m in per_seed:
        for kind in KINDS:
            for name in METHODS:
                days_err[kind][name] += d[kind][name]
                qty_err[kind][name] += q[kind][name]
            for model, count in m[kind].items():
                models[kind][model] += count
    n = sum(len(days_err[k]["forecast"]) for k in KINDS)
    print(f"{n} plans ({args.skus} SKUs per kind × seeds {args.seeds} × plan dates) "
          f"in {time.perf_counter() - start:.0f} s")  # fmt: skip
    show("Days-to-stockout error (mean absolute, days)", table(days_err, "{:.1f}"), args.markdown)
    show("Reorder quantity error (mean absolute, % of actual)",
         table({k: {m: [100 * x for x in v] for m, v in d.items()} for k, d in qty_err.items()},
               "{:.0f} %"), args.markdown)  # fmt: skip
    rows = []
    for seed, (d, _, _) in zip(args.seeds, per_seed, strict=True):
        row = table(d, "{:.1f}")[-1]
        rows.append([f"seed {seed}", *row[1:]])
    show("Days-to-stockout error by seed (all kinds)", rows, args.markdown)
    print("\nModels the forecast chose, per kind:")
    for kind in KINDS:
        print(f"  {kind}: " + ", ".join(f"{m} {c}" for m, c in sorted(models[kind].items())))


if __name__ == "__main__":
    main()
