"""How fast is a refresh, and how much memory does it take?

    python benchmarks/bench_refresh.py [--skus 2000] [--days 365] [--plan-skus 10000]

1. Generates a workbook of SKUS × DAYS daily sales rows (plus inventory and inbound).
2. Times openpyxl alone loading and saving that workbook: the floor any .xlsx refresh pays.
3. Times `stockout refresh` on it (target: at most 1.5 × the openpyxl floor).
4. Times the plan alone for PLAN_SKUS × DAYS (target: under 2 seconds).

Each phase runs in its own process so its peak memory (max RSS) is its own; the plan's peak
is taken from the moment its input tables exist (on Linux), not while generating them.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AS_OF = dt.date(2026, 11, 25)


def generate(path: Path, skus: int, days: int) -> None:
    from openpyxl import Workbook

    from sheets_sync import workbook as wb

    rng = random.Random(1)
    book = Workbook(write_only=True)
    for tab, grid in wb.starter_tabs().items():
        sheet = book.create_sheet(tab)
        for row in grid:
            sheet.append(row)
        if tab == wb.INVENTORY:
            for i in range(skus):
                sheet.append([f"SKU-{i:05d}", None, f"Product {i}", rng.randint(0, 900), 0,
                              rng.choice([0, 0, 50]), round(rng.uniform(5, 60), 2), None,
                              rng.choice([6, 12, 24])])  # fmt: skip
        elif tab == wb.SALES:
            first = dt.datetime.combine(AS_OF, dt.time()) - dt.timedelta(days=days)
            for i in range(skus):
                rate = rng.uniform(0.2, 30)
                for d in range(days):
                    sheet.append([first + dt.timedelta(days=d), f"SKU-{i:05d}",
                                  max(0, round(rng.gauss(rate, rate**0.5))), None])  # fmt: skip
        elif tab == wb.INBOUND:
            for i in range(0, skus, 3):
                eta = dt.datetime.combine(AS_OF, dt.time()) + dt.timedelta(days=rng.randint(-3, 80))
                sheet.append([f"SKU-{i:05d}", rng.randint(50, 2000), eta, "sea", f"FBA{i}", None])
    book.save(path)


def phase_openpyxl(path: Path) -> None:
    from openpyxl import load_workbook

    load_workbook(path).save(path.with_name("copy.xlsx"))


def phase_refresh(path: Path) -> None:
    from sheets_sync.refresh import refresh

    refresh(str(path), as_of=AS_OF)


def phase_plan(skus: int, days: int) -> None:
    import numpy as np
    import pandas as pd

    from sheets_sync import plan as planning
    from sheets_sync.inputs import Inputs
    from sheets_sync.settings import Settings
    from sheets_sync.workbook import Problems

    rng = np.random.default_rng(1)
    names = [f"SKU-{i:05d}" for i in range(skus)]
    dates = pd.date_range(end=pd.Timestamp(AS_OF) - pd.Timedelta(days=1), periods=days)
    rates = rng.uniform(0.2, 30, skus)
    sales = pd.DataFrame({
        "date": np.tile(dates, skus),
        "sku": np.repeat(names, days),
        "units": rng.poisson(np.repeat(rates, days)).astype(float),
        "in_stock": None,
    })  # fmt: skip
    inventory = pd.DataFrame({"sku": names, "available": rng.integers(0, 900, skus).astype(float)})
    for col in ("asin", "title", "supplier", "supplier_email"):
        inventory[col] = None
    for col in ("fbm_stock", "price", "unit_cost", "unit_weight", "case_pack", "moq",
                "production_days", "sea_days", "air_days", "express_days",
                "receiving_days"):  # fmt: skip
        inventory[col] = np.nan
    inbound = pd.DataFrame({
        "sku": names[::3], "qty": 500.0, "eta": pd.Timestamp(AS_OF) + pd.Timedelta(days=30),
        "mode": "sea", "shipment_id": None, "status": None, "ready_date": pd.NaT,
    })  # fmt: skip
    empty = pd.DataFrame(columns=["sku", "start", "end", "uplift"])
    orders = pd.DataFrame(columns=["order_id", "sku", "qty", "purchase_date", "promised_date",
                                   "buyer_name", "marketplace", "language"])  # fmt: skip
    inputs = Inputs(Settings(), inventory, sales, inbound, empty, orders, Problems())
    before = _resident_mb("VmRSS")
    _reset_peak()
    start, cpu = time.perf_counter(), time.process_time()
    planning.compute_plan(inputs, AS_OF)
    print(json.dumps({
        "plan_seconds": time.perf_counter() - start, "plan_cpu": time.process_time() - cpu,
        "inputs_mb": before, "plan_peak_mb": _resident_mb("VmHWM"),
    }))  # fmt: skip


def _resident_mb(field: str) -> int | None:
    """VmRSS (now) or VmHWM (peak) of this process from /proc, in MB; None off Linux."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024)
    return None


def _reset_peak() -> None:
    """Start the peak (VmHWM) afresh, so the plan's peak is not the input generation's."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def run(phase: str, *args: str) -> dict:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, "--phase", phase, *args],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - start
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    extra = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.stdout.strip() else {}
    peak = json.loads(proc.stderr.strip().splitlines()[-1])["peak_mb"]
    return {"seconds": seconds, "peak_mb": peak, "children_peak_kb": child, **extra}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=2000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--plan-skus", type=int, default=10000)
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("path", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        {
            "openpyxl": lambda: phase_openpyxl(Path(args.path)),
            "refresh": lambda: phase_refresh(Path(args.path)),
            "plan": lambda: phase_plan(args.plan_skus, args.days),
        }[args.phase]()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"peak_mb": round(peak)}), file=sys.stderr)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.xlsx"
        start = time.perf_counter()
        generate(path, args.skus, args.days)
        print(f"generated {args.skus} SKUs x {args.days} days "
              f"({args.skus * args.days:,} sales rows, {path.stat().st_size / 1e6:.1f} MB) "
              f"in {time.perf_counter() - start:.1f} s")  # fmt: skip
        floor = run("openpyxl", str(path))
        print(f"openpyxl load + save:  {floor['seconds']:6.1f} s  peak {floor['peak_mb']} MB")
        ours = run("refresh", str(path))
        ratio = ours["seconds"] / floor["seconds"]
        print(f"stockout refresh:      {ours['seconds']:6.1f} s  peak {ours['peak_mb']} MB"
              f"  ({ratio:.2f} x openpyxl; target <= 1.5)")  # fmt: skip
    plan = run("plan", "--plan-skus", str(args.plan_skus), "--days", str(args.days))
    print(f"plan {args.plan_skus} SKUs x {args.days} days: {plan['plan_seconds']:6.2f} s"
          f" (cpu {plan['plan_cpu']:.2f} s, target < 2 s)  peak while planning"
          f" {plan['plan_peak_mb']} MB, of which input tables"
          f" {plan['inputs_mb']} MB")  # fmt: skip


if __name__ == "__main__":
    main()
