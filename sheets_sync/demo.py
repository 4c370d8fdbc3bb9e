"""A realistic sample business, generated: the workbook `stockout demo` builds and refreshes.

Forty-eight SKUs of a home-and-kitchen brand with half a year of daily sales (weekly rhythm,
Poisson noise), past stockouts, one SKU taking off, one dead, promotions around Black Friday,
sea and air shipments including an overdue one, FBM stock in an overseas warehouse, and open
FBM orders from four marketplaces. Seeded, so the same as-of date gives the same workbook.

Beside the workbook, its history store (`demo_history`): each day's FBA stock, consistent
with the sales and stockouts above (a few SKUs run lean and pay Amazon's low-inventory-level
fee), and the Inbound ETAs earlier refreshes saw (one shipment that slipped into a stockout,
one order placed too late), so the fee column and the suggested causes have data to read.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

from sheets_sync import guide
from sheets_sync import workbook as wb
from sheets_sync.history import TrafficRow
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
SUPPLIER_EMAILS = {"Ningbo Homeware Co.": "sales@ningbo-homeware.example",
                   "Yiwu Kitchen Trading": "orders@yiwu-kitchen.example"}  # fmt: skip
BUYER_EMAILS = {"Emma Johnson": "8kx2mq0w5l@marketplace.amazon.com",
                "Lukas Schneider": "t4v9zr1c7p@marketplace.amazon.de"}  # fmt: skip
WEEKDAY = [0.92, 0.95, 1.0, 1.0, 1.08, 1.2, 1.15]  # Monday … Sunday
BUYERS = [
    ("Emma Johnson", "amazon.com", "en"),
    ("Lukas Schneider", "amazon.de", "de"),
    ("Camille Martin", "amazon.fr", "fr"),
    ("佐藤 健", "amazon.co.jp", "ja"),
    ("Sofia Rossi", "amazon.it", "it"),
    ("Javier García", "amazon.es", "es"),
]
#: What the buyers abroad saw on their marketplace (the order report's product-name).
ORDER_TITLES = {
    ("KT-1004", "de"): "Gusseisenpfanne 25 cm",
    ("KT-1009", "fr"): "Vaporisateur d'huile d'olive",
    ("KT-1012", "ja"): "ハンドドリップ コーヒードリッパー",
    ("KT-1028", "it"): "Scolapiatti",
    ("KT-1001", "es"): "Juego de 3 tablas de cortar de bambú",
}
HISTORY_DAYS = 180
STORE, SENDER = "Homely Kitchen", "Alex Chen"
FORWARDER = ("Dragon Freight", "air@dragon-freight.example")


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


@dataclass
class DemoHistory:
    """What the demo's history store holds: (day ISO, sku, qty) of FBA stock, and each earlier
    refresh's Inbound ETAs as (seen, (shipment, sku, eta, qty, supplier, status))."""

    stock: list[tuple[str, str, int]] = field(default_factory=list)
    etas: list[tuple[dt.date, tuple]] = field(default_factory=list)
    traffic: list[TrafficRow] = field(default_factory=list)


#: The Inventory column of Unit volume cu ft.
VOLUME = [c.key for c in wb.SCHEMA[wb.INVENTORY]].index("unit_volume")
#: The demo's FBA capacity: this share of the volume on hand and inbound today, too little for
#: every order the plan recommends (the orders land when some of today's stock has sold).
CAPACITY_SHARE = 0.85
#: SKUs (by index) that run lean: restocked in small lots, under 28 days of supply.
LEAN = {0, 6, 16, 18, 20}
#: The SKU (by index) relaunching: out of stock from 24 to 6 days ago, selling again since,
#: with Business Report traffic before the stockout and each day since.
RELAUNCHED, RELAUNCH_OUT = 24, range(6, 25)
#: Its conversion (units per session) the month before the stockout, and each day since.
RELAUNCH_CVR = (0.124, (0.052, 0.058, 0.066, 0.071, 0.079))


def demo_tabs(as_of: dt.date, seed: int = 7, count: int | None = None) -> dict[str, Grid]:
    """Every input tab of the demo workbook, as grids with headers.

    `count` keeps only the first SKUs (the starter's `--example`), with their own rows only.
    """
    return _demo(as_of, seed, count, DemoHistory())


def demo_history(as_of: dt.date, seed: int = 7) -> DemoHistory:
    """The history store of the demo workbook `demo_tabs(as_of, seed)` builds."""
    history = DemoHistory()
    _demo(as_of, seed, None, history)
    return history


def write_demo_store(store_path: Path, as_of: dt.date, seed: int = 7) -> None:
    """A fresh history store for the demo workbook (an earlier demo's store is replaced)."""
    from sheets_sync.history import HistoryStore

    for old in (store_path, *(store_path.with_name(store_path.name + x) for x in ("-wal", "-shm"))):
        old.unlink(missing_ok=True)
    history = demo_history(as_of, seed)
    with HistoryStore(store_path) as store, store.errors("write"):
        with store.transaction():
            store.put_stock(history.stock, "fba_daily")
            store.put_traffic(history.traffic)
        for seen, row in history.etas:
            store.remember_inbound_etas([row], seen)


def _demo(as_of: dt.date, seed: int, count: int | None, history: DemoHistory) -> dict[str, Grid]:
    rng = random.Random(seed)
    tabs: dict[str, Grid] = {tab: [list(wb.headers(tab))] for tab in wb.INPUT_TABS}
    settings = guide.settings_grid(
        {
            "store_name": STORE,
            "sender_name": SENDER,
            "forwarder_name": FORWARDER[0],
            "forwarder_email": FORWARDER[1],
            "size_tier": "large standard",
            "category_cvr_pct": 10,
        }
    )
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
        shelf: list[tuple[dt.date, int, bool]] = []
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
            if i == RELAUNCHED and back in RELAUNCH_OUT:  # drawn all the same: same numbers
                in_stock, units = False, 0
            elif i == RELAUNCHED and back < RELAUNCH_OUT.start:  # rank lost: sales come back
                units = round(units * (1.05 - 0.1 * back))
            flag = in_stock if track_stock else None
            sales.append([day, sku, units, flag])
            shelf.append((day, units, in_stock))
        cover = rng.choice([3, 6, 9, 12, 18, 25, 35, 45, 60, 90, 120, 200])
        available = 0 if i in out_now else round(rate * cover)
        if i == dead:
            available = 340
        if i == rising:
            available = round(rate * 14)
        if i == RELAUNCHED:  # the batch that ended its stockout: ten weeks of sales
            available = round(rate * 70)
        history.stock += _stock_history(sku, shelf, available, rate, i in LEAN)
        fbm = rng.choice([0, 0, 0, 40, 120]) if i % 4 == 0 or i in out_now else 0
        pack = rng.choice([6, 12, 24, 48])
        inventory.append(
            [
                sku,
                f"B0{rng.randint(10**7, 10**8 - 1)}",  # B0 and 8 more: 10 characters, as Amazon's
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
                *([None] * (len(wb.headers(wb.INVENTORY)) - 12)),  # the optional columns
            ]
        )
        # Cubic feet a unit, from its weight (no draw: the rest of the business stays as it is).
        weight = inventory[-1][10]
        assert isinstance(weight, float)
        inventory[-1][VOLUME] = round(0.05 + 0.3 * weight, 2)
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
    history.etas += _eta_history(sales, inventory, inbound)
    history.traffic += _traffic(f"KT-{1001 + RELAUNCHED}", sales, as_of)
    capacity = _capacity(inventory, inbound)
    tabs[wb.SETTINGS] = [[r[0], capacity, *r[2:]] if r[0] == "fba_capacity" else r
                         for r in tabs[wb.SETTINGS]]  # fmt: skip
    # E-mail addresses where a seller would have them: two of the three suppliers, some buyers.
    _put(inventory, wb.INVENTORY, "supplier", "supplier_email", SUPPLIER_EMAILS)
    _put(orders, wb.ORDERS, "buyer_name", "buyer_email", BUYER_EMAILS)
    title_at = [c.key for c in wb.SCHEMA[wb.ORDERS]].index("title")
    for row in orders:
        row += [None] * (title_at + 1 - len(row))
        row[title_at] = ORDER_TITLES.get((str(row[1]), str(row[7])))
    kept = {row[0] for row in inventory[:count]}
    tabs[wb.INVENTORY] += inventory[:count]
    # By day, as Amazon's reports list it (the latest week last: the part a printout shows).
    tabs[wb.SALES] += sorted((r for r in sales if r[1] in kept), key=lambda r: r[0])
    tabs[wb.INBOUND] += [r for r in inbound if r[0] in kept]
    tabs[wb.PROMOTIONS] += [r for r in promos if r[0] in kept or r[0] == "*"]
    tabs[wb.ORDERS] += [r for r in orders if r[1] in kept]
    tabs[wb.STOCK_ELSEWHERE] += [r for r in elsewhere if r[0] in kept]
    return tabs


def _put(rows: list[list], tab: str, source: str, target: str, values: dict) -> None:
    """Fill column `target` of positional demo rows from column `source` through `values`."""
    keys = [c.key for c in wb.SCHEMA[tab]]
    at, to = keys.index(source), keys.index(target)
    for row in rows:
        row += [None] * (to + 1 - len(row))
        row[to] = values.get(row[at])


def _traffic(sku: str, sales: list[list], as_of: dt.date) -> list[TrafficRow]:
    """The relaunching SKU's Business Report figures: the 28 days before its stockout as one
    file for the range, then one file per day since it came back, conversion climbing."""
    units = {row[0]: row[2] for row in sales if row[1] == sku}
    started = as_of - dt.timedelta(days=RELAUNCH_OUT.stop - 1)
    first = started - dt.timedelta(days=28)
    before = sum(n for day, n in units.items() if first <= day < started)
    base, daily = RELAUNCH_CVR
    rows = [TrafficRow(sku, first.isoformat(), (started - dt.timedelta(days=1)).isoformat(),
                       round(before / base), before)]  # fmt: skip
    for back, cvr in zip(range(RELAUNCH_OUT.start - 1, 0, -1), daily, strict=True):
        day = as_of - dt.timedelta(days=back)
        sold = units[day]
        rows.append(
            TrafficRow(sku, day.isoformat(), day.isoformat(), max(40, round(sold / cvr)), sold)
        )
    return rows


def _capacity(inventory: list[list], inbound: list[list]) -> str:
    """The demo's `fba_capacity`: CAPACITY_SHARE of the cubic feet on hand and inbound."""
    volume = {str(row[0]): float(row[VOLUME]) for row in inventory}
    held = sum(float(row[3]) * volume[str(row[0])] for row in inventory)
    held += sum(float(row[1]) * volume[str(row[0])] for row in inbound)
    return f"standard {round(held * CAPACITY_SHARE, -2):,.0f}"


def _stock_history(
    sku: str, shelf: list[tuple[dt.date, int, bool]], available: int, rate: float, lean: bool
) -> list[tuple[str, str, int]]:
    """Each day's closing FBA stock, walked back from today's Available: a day's sales are added
    back, zero on the days it was out, and a delivery wherever the stock would pass the
    SKU's ceiling (22 days of sales for a lean SKU, 75 for the others)."""
    ceiling = rate * (22 if lean else 75)
    floor = max(1, round(rate * 3))
    rows, qty = [], available
    for day, units, in_stock in reversed(shelf):
        qty = qty if in_stock else 0
        rows.append((day.isoformat(), sku, qty))
        qty = qty + units
        if qty > ceiling:
            qty = floor  # a delivery landed that day: the morning before held little
    return rows[::-1]


def _eta_history(
    sales: list[list], inventory: list[list], inbound: list[list]
) -> list[tuple[dt.date, tuple]]:
    """ETAs earlier refreshes saw: KT-1010's shipment slipped past the day it was due,
    KT-1002's order first appeared after its reorder-by date, and today's Inbound rows were
    there from the store's first day, as they are now."""
    out: list[tuple[dt.date, tuple]] = []
    supplier = {row[0]: row[11] for row in inventory}
    for sku, sid, slipped in (("KT-1010", "FBA18Q4ZK7M", True), ("KT-1002", "FBA18R2WX5N", False)):
        if sku not in supplier:
            continue
        days = [r[0] for r in sales if r[1] == sku and r[3] is False]
        if not days:
            continue
        started = min(days)
        back = max(days) + dt.timedelta(days=1)
        row = (sid, sku, back, 480.0, supplier[sku], "shipped")
        if slipped:
            first = started - dt.timedelta(days=45)
            out.append((first, (sid, sku, started - dt.timedelta(days=3), 480.0, supplier[sku],
                                "in production")))  # fmt: skip
            out.append((started - dt.timedelta(days=12), row))
        else:
            out.append((started - dt.timedelta(days=20), row))
    if out:
        first = min(seen for seen, _ in out)
        out += [(first, (r[4], r[0], r[2], float(r[1]), r[7], r[5])) for r in inbound]
    return out
