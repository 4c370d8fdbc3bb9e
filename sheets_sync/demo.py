"""A realistic sample business, generated: the workbook `stockout demo` builds and refreshes.

Forty-eight SKUs of a home-and-kitchen brand with half a year of daily sales (weekly rhythm,
Poisson noise), past stockouts, one SKU taking off, one dead, promotions around Black Friday,
sea and air shipments including an overdue one, FBM stock in an overseas warehouse, and open
FBM orders from four marketplaces. Seeded, so the same as-of date gives the same workbook.
"""

from __future__ import annotations

import datetime as dt
import random

from sheets_sync import guide
from sheets_sync import workbook as wb
from sheets_sync.types import Grid

PRODUCTS = [
    "Bamboo Cutting Board Set, 3 Pieces",
    "Silicone Baking Mat, 2-Pack",
    "Stainless Steel Whisk",
    "Cast Iron Skillet 10 Inch",
    "Glass Meal Prep Containers, 10-Pack",
    "Herb Keeper",
    "Digital Kitchen Scale",
    "Garlic Press with Peeler",
    "Olive Oil Sprayer",
    "Magnetic Knife Strip 16 Inch",
    "Salad Spinner",
    "Pour Over Coffee Dripper",
    "French Press 1L",
    "Milk Frother Handheld",
    "Reusable Beeswax Wraps",
    "Collapsible Colander",
    "Mandoline Slicer",
    "Spice Rack Organizer",
    "Non-Stick Egg Pan",
    "Pizza Stone 15 Inch",
    "Silicone Spatula Set",
    "Measuring Cups and Spoons",
    "Meat Thermometer Instant Read",
    "Vacuum Sealer Bags",
    "Cold Brew Maker",
    "Ice Cube Trays with Lid",
    "Wooden Spoon Set",
    "Dish Drying Rack",
    "Stainless Steel Straws",
    "Cheese Grater Box",
    "Bread Proofing Basket",
    "Knife Sharpener 3-Stage",
    "Oven Mitts Heat Resistant",
    "Produce Saver Containers",
    "Tea Infuser Bottle",
    "Pasta Maker Manual",
    "Avocado Slicer 3-in-1",
    "Kitchen Timer Magnetic",
    "Cake Decorating Kit",
    "Under-Sink Organizer",
    "Apron with Pockets",
    "Trivet Set Silicone",
    "Lunch Box Bento",
    "Water Bottle 32oz",
    "Rolling Pin French",
    "Pot Lid Organizer",
    "Kitchen Towels 6-Pack",
    "Egg Separator",
]
SUPPLIERS = ["Ningbo Homeware Co.", "Yiwu Kitchen Trading", "Shenzhen Smart Home Ltd."]
WEEKDAY = [0.92, 0.95, 1.0, 1.0, 1.08, 1.2, 1.15]  # Monday … Sunday
BUYERS = [
    ("Emma Johnson", "amazon.com", "en"),
    ("Lukas Schneider", "amazon.de", "de"),
    ("Camille Martin", "amazon.fr", "fr"),
    ("佐藤 健", "amazon.co.jp", "ja"),
    ("Sofia Rossi", "amazon.it", "it"),
    ("Javier García", "amazon.es", "es"),
]
HISTORY_DAYS = 180
STORE, SENDER = "Homely Kitchen", "Alex Chen"


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, mean**0.5)))
    limit, k, p = 2.718281828459045 ** (-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def demo_tabs(as_of: dt.date, seed: int = 7, count: int | None = None) -> dict[str, Grid]:
    """Every input tab of the demo workbook, as grids with headers.

    `count` keeps only the first SKUs (the starter's `--example`), with their own rows only.
    """
    rng = random.Random(seed)
    tabs: dict[str, Grid] = {tab: [list(wb.headers(tab))] for tab in wb.INPUT_TABS}
    settings = guide.settings_grid({"store_name": STORE, "sender_name": SENDER})
    tabs[wb.SETTINGS] = [*settings[:1], *(r for r in settings[1:] if r[0] != "as_of")]
    tabs[wb.SETTINGS] += [r for r in settings if r[0] == "as_of"]
    inventory, sales, inbound, promos, orders = [], [], [], [], []
    out_now = {3, 11, 27}
    past_stockouts = {1, 5, 9, 14, 22, 31}
    rising, dead = 7, 40
    for i, title in enumerate(PRODUCTS):
        sku = f"KT-{1001 + i}"
        rate = round(rng.lognormvariate(1.6, 0.8), 1) + 0.3
        track_stock = i % 3 != 2
        out_start = None
        if i in past_stockouts:
            out_start = rng.randint(25, 120)
            out_len = rng.randint(5, 18)
        for back in range(HISTORY_DAYS, 0, -1):
            day = as_of - dt.timedelta(days=back)
            mean = rate * WEEKDAY[day.weekday()]
            if i == rising and back <= 30:
                mean *= 1 + (30 - back) / 12
            if i == dead and back <= HISTORY_DAYS:
                mean = 0
            in_stock = True
            if out_start is not None and out_start - out_len < back <= out_start:
                in_stock = False
            if i in out_now and back <= 4 + i % 5:
                in_stock = False
            units = _poisson(rng, mean) if in_stock else 0
            flag = in_stock if track_stock else None
            sales.append([day, sku, units, flag])
        cover = rng.choice([3, 6, 9, 12, 18, 25, 35, 45, 60, 90, 120, 200])
        available = 0 if i in out_now else round(rate * cover)
        if i == dead:
            available = 340
        if i == rising:
            available = round(rate * 14)
        fbm = rng.choice([0, 0, 0, 40, 120]) if i % 4 == 0 or i in out_now else 0
        pack = rng.choice([6, 12, 24, 48])
        inventory.append(
            [
                sku,
                f"B0{rng.randint(10**7, 10**8 - 1)}X",
                title,
                available,
                rng.randint(0, 5),
                fbm,
                round(rng.uniform(9, 60), 2) - 0.01,
                round(rng.uniform(2, 15), 2),
                pack,
                rng.choice([0, 0, 300, 500]),
                round(rng.uniform(0.1, 2.5), 2),
                SUPPLIERS[i % 3],
                *([None] * 5),
            ]
        )
        if i % 2 == 0 or i in out_now:
            eta = rng.randint(8, 80)
            qty = max(pack, round(rate * rng.randint(40, 90) / pack) * pack)
            mode = "air" if eta < 20 else "sea"
            # Where the batch is decides what can still be done with it (SPEC §2 Inbound).
            status, ready = "in transit", None
            if mode == "sea" and eta > 55 and i % 3 == 0:
                status = "in production"
            elif mode == "sea" and eta > 45 and i % 3 == 1:
                status, ready = "ready", as_of + dt.timedelta(days=2)
            inbound.append(
                [
                    sku,
                    qty,
                    as_of + dt.timedelta(days=eta),
                    mode,
                    f"FBA{rng.randint(10**8, 10**9 - 1)}",
                    status,
                    ready,
                    SUPPLIERS[i % 3],
                ]
            )
    inbound.append(
        ["KT-1013", 240, as_of - dt.timedelta(days=4), "sea", "FBA17XK2PQ9", "shipped", None,
         SUPPLIERS[12 % 3]]
    )  # fmt: skip
    # Stock outside FBA: Amazon's AWD, a 3PL that also ships FBM orders, an overseas warehouse.
    elsewhere = [
        ["KT-1004", "AWD Reno", 150, 12, "no", 0.45],
        ["KT-1012", "3PL Ontario CA", 80, 6, "yes", 1.1],
        ["KT-1028", "Overseas warehouse LA", 60, None, "yes", 2.5],
    ]
    promos += [
        ["KT-1002", as_of + dt.timedelta(days=2), as_of + dt.timedelta(days=5), 1.8],
        ["KT-1020", as_of + dt.timedelta(days=10), as_of + dt.timedelta(days=16), 1.5],
        ["*", as_of + dt.timedelta(days=25), as_of + dt.timedelta(days=27), 1.3],
    ]
    for n, (buyer, market, language) in enumerate(BUYERS):
        sku = f"KT-{1001 + sorted(out_now | {0, 8})[n % 5]}"
        purchased = as_of - dt.timedelta(days=1 + n % 3)
        orders.append(
            [
                f"{111 + n:03d}-{rng.randint(10**6, 10**7 - 1)}-{rng.randint(10**6, 10**7 - 1)}",
                sku,
                1 + n % 2,
                purchased,
                as_of + dt.timedelta(days=2 + n * 2),
                buyer,
                market,
                language,
            ]
        )
    kept = {row[0] for row in inventory[:count]}
    tabs[wb.INVENTORY] += inventory[:count]
    tabs[wb.SALES] += [r for r in sales if r[1] in kept]
    tabs[wb.INBOUND] += [r for r in inbound if r[0] in kept]
    tabs[wb.PROMOTIONS] += [r for r in promos if r[0] in kept or r[0] == "*"]
    tabs[wb.ORDERS] += [r for r in orders if r[1] in kept]
    tabs[wb.STOCK_ELSEWHERE] += [r for r in elsewhere if r[0] in kept]
    return tabs
