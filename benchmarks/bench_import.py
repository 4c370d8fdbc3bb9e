"""Benchmark `stockout import` on two years of All Orders for 10,000 SKUs (about 7 million lines).

    python benchmarks/bench_import.py                 # the full size: ~2 GB of temp files
    python benchmarks/bench_import.py --lines 200000  # a quick look

It writes a realistic report (every All Orders column, skewed SKU popularity, cancelled lines,
two marketplaces) to a temp folder, then imports it in a child process and prints the wall time
and that process's peak memory (max RSS), next to the RSS of a process that only imports the
modules: the difference is what the import itself needed. Streaming keeps it bounded.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = [
    "amazon-order-id", "merchant-order-id", "purchase-date", "last-updated-date", "order-status",
    "fulfillment-channel", "sales-channel", "order-channel", "url", "ship-service-level",
    "product-name", "sku", "asin", "item-status", "quantity", "currency", "item-price", "item-tax",
    "shipping-price", "shipping-tax", "gift-wrap-price", "gift-wrap-tax",
    "item-promotion-discount", "ship-promotion-discount", "ship-city", "ship-state",
    "ship-postal-code", "ship-country", "promotion-ids",
]  # fmt: skip

CHILD = """
import resource, sys, time
from sheets_sync.sources.importer import import_files
seconds, lines, span = 0.0, 0, ""
if len(sys.argv) > 2:
    start = time.perf_counter()
    result = import_files(sys.argv[1], sys.argv[2:])
    seconds = time.perf_counter() - start
    lines, span = result.files[0].rows, result.files[0].note or "skipped"
print(seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, lines, span)
"""


def generate(path: Path, lines: int, skus: int, days: int, seed: int = 6) -> None:
    """Write an All Orders file of LINES lines over DAYS days ending yesterday, oldest first."""
    rng = random.Random(seed)
    names = [f"SKU-{i:05}" for i in range(skus)]
    weights = [1 / (i + 1) ** 0.8 for i in range(skus)]  # a few best sellers, a long tail
    cumulative = []
    total = 0.0
    for weight in weights:
        total += weight
        cumulative.append(total)
    first = dt.date.today() - dt.timedelta(days=days)
    per_day = lines // days
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write("\t".join(HEADER) + "\n")
        order = 0
        for offset in range(days):
            day = (first + dt.timedelta(days=offset)).isoformat()
            count = per_day + (1 if offset < lines - per_day * days else 0)
            rows = []
            for sku_index in rng.choices(range(skus), cum_weights=cumulative, k=count):
                order += 1
                stamp = f"{day}T{rng.randrange(24):02}:{rng.randrange(60):02}:17+00:00"
                cancelled = rng.random() < 0.02
                qty = 0 if cancelled else 1 + (rng.random() < 0.1)
                status = "Cancelled" if cancelled else "Shipped"
                channel = "Amazon.com" if sku_index % 4 else "Amazon.ca"
                price = f"{qty * (9.99 + sku_index % 40):.2f}" if qty else ""
                rows.append(
                    f"11{order:01d}-{order % 9999999:07d}-1234567\t\t{stamp}\t{stamp}\t{status}\t"
                    f"Amazon\t{channel}\t\t\tStandard\tProduct {sku_index} - a long Amazon title "
                    f"with details\t{names[sku_index]}\tB0{sku_index:08d}\t{status}\t{qty}\tUSD\t"
                    f"{price}\t0.00\t\t\t\t\t\t\tSEATTLE\tWA\t98101-1234\tUS\t\n"
                )
            out.writelines(rows)


def measure(book: str, *files: str) -> tuple[float, float, int, str]:
    """Import FILES into BOOK in a fresh process: (seconds, peak RSS in MB, lines, span)."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, book, *files], check=True, capture_output=True, text=True
    )
    seconds, rss_kb, lines, span = done.stdout.split(" ", 3)
    return float(seconds), int(rss_kb) / 1024, int(lines), span.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=7_000_000)
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=730)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "all_orders.txt"
        started = time.perf_counter()
        generate(report, args.lines, args.skus, args.days)
        size, took = report.stat().st_size / 1e9, time.perf_counter() - started
        print(f"generated {args.lines:,} lines ({size:.2f} GB) in {took:.0f} s")
        book = str(Path(folder) / "book.xlsx")
        _, baseline, _, _ = measure(book)
        seconds, peak, lines, span = measure(book, str(report))
        again, _, _, _ = measure(book, str(report))
        store = Path(folder) / "book.stockout.sqlite"
        print(
            f"import: {seconds:.1f} s for {lines:,} lines ({span}), {lines / seconds:,.0f} lines/s"
        )
        print(f"peak memory (max RSS): {peak:.0f} MB; modules alone: {baseline:.0f} MB")
        print(f"re-import of the same file (import log hit): {again:.1f} s")
        print(f"store size: {store.stat().st_size / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
