"""Where the goods are and what each way of bringing them costs (SPEC §2 Inbound, Stock
elsewhere; §3 v2 Air arrival and the emergency options).

An Inbound batch's Status says whether it is still at the factory (it can change mode and be
split), on its way (it cannot) or at Amazon; Stock elsewhere says what a 3PL, AWD or overseas
warehouse can transfer or ship FBM. For a gap an order placed today cannot reach, every way to
bridge it is priced: units, landing day, extra cost and the margin it saves, best net first.
Mirrored line by line in `addin/google/Supply.gs`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from addin.cells import add_days, ceil_eps, fmt_money, fmt_number
from addin.formulas import (
    EXPEDITE_BY_AIR,
    EXPEDITE_BY_EXPRESS,
    PAUSE_AND_NOTIFY,
    SLOW_SALES,
    SWITCH_TO_FBM,
    TRANSFER,
    Settings,
)
from addin.projection import Gap, Projection, lead_time, round_up_to_pack, shortfall

MAX_SLOW_DOWN = 0.3  # SLOW SALES only when cutting demand by at most 30 % bridges the gap
#: An expedite option's source when it is a new order rather than part of a batch.
NEW_ORDER = "new order"

#: Inbound Status words -> stage. Not made yet / made, not shipped / on its way / at Amazon /
#: done with (the refresh ignores those batches).
PLANNED, READY, SHIPPED, RECEIVING, CLOSED = "planned", "ready", "shipped", "receiving", "closed"
STAGES = {
    "planned": PLANNED, "in production": PLANNED, "production": PLANNED, "生产中": PLANNED,
    "计划": PLANNED, "ready": READY, "made": READY, "待发货": READY, "已完成": READY,
    "": SHIPPED, "shipped": SHIPPED, "in transit": SHIPPED, "已发货": SHIPPED, "运输中": SHIPPED,
    "receiving": RECEIVING, "checked in": RECEIVING, "checked-in": RECEIVING,
    "delivered": RECEIVING, "已送达": RECEIVING, "上架中": RECEIVING, "closed": CLOSED,
    "cancelled": CLOSED, "canceled": CLOSED, "received": CLOSED, "deleted": CLOSED,
    "done": CLOSED, "已完成入库": CLOSED, "已取消": CLOSED,
}  # fmt: skip


def stage_of(status: str | None) -> str:
    """The stage of a batch from its Status cell; words we do not know count as shipped."""
    return STAGES.get(" ".join(str(status or "").lower().split()), SHIPPED)


def _part(units: int, whole: int) -> str:
    """`120 of the 360` units of a batch, or `all 360` when the gap needs it all."""
    return f"all {whole:,}" if units >= whole else f"{units:,} of the {whole:,}"


def status_word(status: str | None) -> str:
    """A batch's status as the seller wrote it (`in production`), else its stage: the Alerts
    and every draft name a batch's state in the same words."""
    return " ".join(str(status or "").split()) or stage_of(status)


@dataclass
class Inbound:
    """One Inbound batch. Days are offsets from as_of; `day` is the ETA (sellable at FBA)."""

    day: int
    qty: float
    status: str = ""
    ready_day: int | None = None
    mode: str = ""
    shipment_id: str = ""


@dataclass
class Elsewhere:
    """Stock outside FBA (Stock elsewhere tab, or Inventory's FBM stock)."""

    location: str
    qty: float
    transfer_days: float | None = None  # until sellable at FBA; None: cannot transfer
    ships_fbm: bool = False
    cost_per_unit: float | None = None


@dataclass
class Option:
    """One way to bridge a gap, priced: what the Action text and the Drafts spell out."""

    action: str
    units: int = 0
    day: int | None = None  # when the units are sellable (or ship, for FBM)
    cost: float | None = None  # extra cost: freight over the usual mode, transfer, FBM
    margin: float | None = None  # margin saved: units sold instead of lost × (Price − Unit cost)
    source: str = ""  # the batch's Shipment ID, the location, or "new order"
    batch_qty: float | None = None  # the whole batch, when units are split from one
    status: str = ""  # the batch's status (`status_word`)
    why: str = ""

    @property
    def net(self) -> float | None:
        if self.cost is None or self.margin is None:
            return None
        return self.margin - self.cost


@dataclass
class Leads:
    """Days from ordering today to sellable at FBA, per way of shipping (per-SKU overrides win)."""

    regular: int  # L, by the default mode
    air: int  # a new order by air (production or rush_production_days)
    express: int
    production: float
    rush: float
    receiving: float
    transit: dict[str, float]


class SupplyItem(Protocol):
    """What the options read of a SKU (`decisions.SkuInput` is one)."""

    available: float
    inbound: list[Inbound]
    elsewhere: list[Elsewhere]
    fbm_stock: float
    price: float | None
    unit_cost: float | None
    unit_weight: float | None
    case_pack: float | None
    production_days: float | None
    sea_days: float | None
    air_days: float | None
    express_days: float | None
    receiving_days: float | None


def lead_times(item: SupplyItem, settings: Settings) -> Leads:
    """L by the default mode, and a new order by air or express (rushed when the factory can)."""

    def own(value: float | None, default: float) -> float:
        return value if value is not None else default

    production = own(item.production_days, settings.production_days)
    receiving = own(item.receiving_days, settings.receiving_days)
    transit = {
        "sea": own(item.sea_days, settings.sea_days),
        "air": own(item.air_days, settings.air_days),
        "express": own(item.express_days, settings.express_days),
        "transfer": 0.0,
    }
    rush = own(settings.rush_production_days, production)
    default = transit.get(settings.default_mode, transit["sea"])
    return Leads(
        regular=lead_time(production, default, receiving),
        air=lead_time(rush, transit["air"], receiving),
        express=lead_time(rush, transit["express"], receiving),
        production=production,
        rush=rush,
        receiving=receiving,
        transit=transit,
    )


def batch_ready_day(batch: Inbound, leads: Leads, default_mode: str) -> int | None:
    """The day a batch that has not shipped is ready to leave the factory; None once shipped."""
    stage = stage_of(batch.status)
    if stage == READY:
        return batch.ready_day if batch.ready_day is not None else 0
    if stage != PLANNED:
        return None
    if batch.ready_day is not None:
        return batch.ready_day
    mode = batch.mode or default_mode
    return batch.day - ceil_eps(leads.transit.get(mode, 0.0) + leads.receiving)


def mode_landing(ready: int, mode: str, leads: Leads) -> int:
    """When a batch ready on `ready` lands if it leaves by `mode`."""
    return max(ready, 0) + ceil_eps(leads.transit[mode] + leads.receiving)


def air_arrival(item: SupplyItem, leads: Leads, default_mode: str) -> int:
    """The earliest day air can bring units: a batch not shipped yet, else a new order."""
    best = leads.air
    for batch in item.inbound:
        ready = batch_ready_day(batch, leads, default_mode)
        if ready is not None:
            best = min(best, mode_landing(ready, "air", leads))
    return best


def emergency_options(
    item: SupplyItem,
    settings: Settings,
    proj: Projection,
    gap: Gap,
    leads: Leads,
    as_of: dt.date,
) -> list[Option]:
    """Every way to bridge the gap, priced and ranked best first, PAUSE AND NOTIFY among them."""
    margin = None
    if item.price is not None and item.unit_cost is not None:
        margin = item.price - item.unit_cost

    def need(day: int) -> float:
        return shortfall(proj, gap, day)

    options = _source_options(item, settings, gap, leads, as_of, margin, need)
    slow = _slow_sales(item, proj, gap, as_of)
    if slow is not None:
        slow.margin = 0.0 if margin is not None else None
        slow.cost = 0.0 if margin is not None else None
        options.append(slow)
    options.append(_pause(item, gap, as_of))
    options.sort(key=lambda option: _rank(option, margin is not None))
    return options


def _source_options(
    item: SupplyItem, settings: Settings, gap: Gap, leads: Leads, as_of: dt.date,
    margin: float | None, need: Callable[[int], float],
) -> list[Option]:  # fmt: skip
    """Every way to bring stock into the gap (FBM, transfers, air, express), priced. Each
    sells only what the gap lacks from its day on, `need(day)`: the shortfall, or less when
    options already chosen fill part of the gap."""
    options = [
        *_fbm_options(item, settings, gap, as_of, margin, need),
        *_transfer_options(item, gap, as_of, need),
    ]
    for mode, action in (("air", EXPEDITE_BY_AIR), ("express", EXPEDITE_BY_EXPRESS)):
        found = _expedite_option(item, settings, gap, leads, mode, action, as_of, need)
        if found is not None:
            options.append(found)
    for option in options:
        saved = min(option.units, ceil_eps(need(option.day or 0)))
        option.margin = saved * margin if margin is not None else None
        option.why += _price_words(option)
    return options


def combined_options(
    item: SupplyItem, settings: Settings, proj: Projection, gap: Gap, leads: Leads,
    as_of: dt.date, best: Option,
) -> list[Option]:  # fmt: skip
    """The options an operator takes as well as the best one: each from a stock source the
    ones before it do not use (never two ways of moving the same units), sized to the part
    of the gap they leave open, and only while it saves more margin than it costs. A transfer
    today fills the start of a gap whose rest a flight fills. In the order the seller acts:
    moves made today first, FBM from the stockout day, each by its landing."""
    if item.price is None or item.unit_cost is None:
        return []
    if best.action in (PAUSE_AND_NOTIFY, SLOW_SALES):
        return []
    margin = item.price - item.unit_cost
    chosen = [best]
    while True:
        landed = [(o.day or 0, float(o.units)) for o in chosen]
        served = _served(proj, gap, landed)

        def open_from(day: int, landed: list = landed, served: float = served) -> float:
            return _served(proj, gap, [*landed, (day, float("inf"))]) - served

        found = [
            o
            for o in _source_options(item, settings, gap, leads, as_of, margin, open_from)
            if o.units > 0 and (o.net or 0.0) > 0 and not any(_rivals(o, c) for c in chosen)
        ]
        if not found:
            break
        chosen.append(min(found, key=lambda option: _rank(option, True)))
    return sorted(chosen[1:], key=lambda o: (o.action == SWITCH_TO_FBM, o.day or 0))


def _served(proj: Projection, gap: Gap, landed: list[tuple[int, float]]) -> float:
    """Units of the gap's lost demand that extra stock (landing day, units) sells."""
    start, end = gap.stockout_day, gap.end
    if start is None or end is None:
        return 0.0
    pool = served = 0.0
    for t in range(start, end):
        pool += sum(units for day, units in landed if max(day, start) == t)
        lost = proj.forecast(t) - (proj.stock_at(t) if t == start else 0.0)
        take = min(pool, max(0.0, lost))
        pool -= take
        served += take
    return served


def _rivals(a: Option, b: Option) -> bool:
    """Whether two options move the same units: the same batch, place or new order."""
    return bool(_sources(a) & _sources(b))


def _sources(option: Option) -> set[str]:
    if option.action == SWITCH_TO_FBM:
        return set(option.source.split(", "))
    return {option.source}


def _rank(option: Option, priced: bool) -> tuple:
    """Most margin saved net of extra cost first (pausing nets 0, so an option that costs more
    than it saves comes after it); options with no price after, earliest landing first."""
    if option.action == PAUSE_AND_NOTIFY:
        return (0 if priced else 1, 0.0, _LAST + 1)
    net = option.net
    day = option.day if option.day is not None else _LAST
    return (0, -net, day) if net is not None else (1, 0.0, day)


_LAST = 1 << 30  # a day after every landing: options with none sort after the others


def _fbm_options(
    item: SupplyItem,
    settings: Settings,
    gap: Gap,
    as_of: dt.date,
    margin: float | None,
    open_from: Callable[[int], float],
) -> list[Option]:
    """Switching the listing to FBM is one move, whatever ships the orders: the seller's own
    FBM stock and every Stock elsewhere that ships FBM serve the gap together, cheapest per
    unit first (own stock first among equals), each only as far as the gap still needs it and
    only while a unit costs less than the margin it saves. A place whose cost per unit is not
    known cannot be priced into that sum: it stays an option of its own."""
    if not settings.fbm_enabled or gap.stockout_day is None:
        return []
    sources = [e for e in item.elsewhere if e.ships_fbm and e.qty > 0]
    if item.fbm_stock > 0:
        cost = settings.fbm_cost_per_unit if settings.fbm_cost_per_unit is not None else 0.0
        sources.insert(0, Elsewhere("FBM stock", item.fbm_stock, None, True, cost))
    priced = sorted(
        (e for e in sources if e.cost_per_unit is not None),
        key=lambda e: e.cost_per_unit or 0.0,
    )
    need = open_from(gap.stockout_day)
    out = []
    parts: list[tuple[Elsewhere, int]] = []
    left = need
    for source in priced:
        worth = margin is None or (source.cost_per_unit or 0.0) < margin
        units = ceil_eps(min(source.qty, left))
        if units > 0 and (worth or not parts):
            parts.append((source, units))
            left -= units
    if parts:
        out.append(_fbm_option(gap, parts, as_of, open_from))
    for source in sources:
        if source.cost_per_unit is None and ceil_eps(min(source.qty, need)) > 0:
            out.append(
                _fbm_option(gap, [(source, ceil_eps(min(source.qty, need)))], as_of, open_from)
            )
    return out


def _fbm_option(
    gap: Gap,
    parts: list[tuple[Elsewhere, int]],
    as_of: dt.date,
    open_from: Callable[[int], float],
) -> Option:
    """SWITCH TO FBM from one place, or several in the order they ship."""
    units = sum(n for _, n in parts)
    cost: float | None = 0.0
    for source, n in parts:
        each = _times(n, source.cost_per_unit)
        cost = None if cost is None or each is None else cost + each
    where = f"{units:,} units from {parts[0][0].location}"
    if len(parts) > 1:
        where = f"{units:,} units ({', then '.join(f'{n:,} from {e.location}' for e, n in parts)})"
    return Option(
        SWITCH_TO_FBM,
        units=units,
        day=gap.stockout_day,
        cost=cost,
        source=", ".join(e.location for e, _ in parts),
        why=f"{where} ship to buyers from {add_days(as_of, gap.stockout_day or 0)}, cover "
        f"{_days_covered(gap, units, open_from)} of {gap.days} gap days",
    )


def _days_covered(gap: Gap, qty: float, open_from: Callable[[int], float]) -> int:
    """Gap days that `qty` extra units keep in stock, from the stockout day on; days that
    options chosen before leave no demand open are theirs, not these units'."""
    covered = 0
    start = gap.stockout_day or 0
    for t in range(start, gap.end or start):
        if open_from(start) - open_from(t + 1) > qty + 1e-9:
            break
        if open_from(t) - open_from(t + 1) > 1e-9:
            covered += 1
    return covered


def _transfer_options(
    item: SupplyItem, gap: Gap, as_of: dt.date, open_from: Callable[[int], float]
) -> list[Option]:
    out = []
    for source in item.elsewhere:
        if source.transfer_days is None or source.qty <= 0 or gap.end is None:
            continue
        day = ceil_eps(source.transfer_days)
        units = ceil_eps(min(source.qty, open_from(day)))
        if units <= 0:
            continue
        out.append(
            Option(
                TRANSFER,
                units=units,
                day=day,
                cost=_times(units, source.cost_per_unit),
                source=source.location,
                why=f"move {units:,} units from {source.location}, sellable {add_days(as_of, day)}",
            )
        )
    return out


def _expedite_option(
    item: SupplyItem,
    settings: Settings,
    gap: Gap,
    leads: Leads,
    mode: str,
    action: str,
    as_of: dt.date,
    open_from: Callable[[int], float],
) -> Option | None:
    """The earliest way `mode` can land units in the gap: a batch not shipped, else a new order.

    From a batch only the units the gap needs fly (split from it, whole case packs); the rest
    keeps its ETA. A new order counts production, or rush_production_days when set.
    """
    per_kg = _cost_per_kg(settings)
    best: Option | None = None
    for batch in item.inbound:
        ready = batch_ready_day(batch, leads, settings.default_mode)
        if ready is None or (batch.mode or settings.default_mode) == mode:
            continue
        day = mode_landing(ready, mode, leads)
        if day >= batch.day or (best is not None and day >= (best.day or 0)):
            continue
        need = round_up_to_pack(open_from(day), item.case_pack)
        units = min(ceil_eps(batch.qty), need)
        if units <= 0:
            continue
        base = per_kg.get(batch.mode or settings.default_mode, per_kg["sea"])
        name = batch.shipment_id or f"of {add_days(as_of, batch.day)}"
        best = Option(
            action,
            units=units,
            day=day,
            cost=_freight(units, item.unit_weight, per_kg[mode] - base),
            source=batch.shipment_id,
            batch_qty=batch.qty,
            status=status_word(batch.status),
            why=f"{_part(units, ceil_eps(batch.qty))} units of batch {name} "
            f"({status_word(batch.status)}) by {mode}, land {add_days(as_of, day)}",
        )
    new_day = leads.air if mode == "air" else leads.express
    units = round_up_to_pack(open_from(new_day), item.case_pack)
    if units > 0 and (best is None or new_day < (best.day or 0)):
        base = per_kg.get(settings.default_mode, per_kg["sea"])
        best = Option(
            action,
            units=units,
            day=new_day,
            cost=_freight(units, item.unit_weight, per_kg[mode] - base),
            source=NEW_ORDER,
            why=f"new order of {units:,} units by {mode} ({fmt_number(leads.rush, 0)} days "
            f"production), land {add_days(as_of, new_day)}",
        )
    return best


def _cost_per_kg(settings: Settings) -> dict[str, float]:
    return {
        "sea": settings.sea_cost_per_kg,
        "air": settings.air_cost_per_kg,
        "express": settings.express_cost_per_kg,
        "transfer": 0.0,
    }


def _times(units: int, per_unit: float | None) -> float | None:
    return None if per_unit is None else units * per_unit


def _freight(units: int, weight: float | None, per_kg: float) -> float | None:
    return None if weight is None else units * weight * per_kg


def _price_words(option: Option) -> str:
    cost = "extra cost unknown" if option.cost is None else f"extra cost {fmt_money(option.cost)}"
    if option.margin is None:
        return f", {cost}"
    return f", {cost}, margin saved {fmt_money(option.margin)}"


def _slow_sales(item: SupplyItem, proj: Projection, gap: Gap, as_of: dt.date) -> Option | None:
    """Cutting demand by r ≤ 30 % (price, ads) stretches the stock to the next landing."""
    if gap.next_landing is None or gap.stockout_day is None:
        return None
    need = proj.demand(0, gap.next_landing)
    have = proj.available + proj.arrived(gap.stockout_day)
    cut = 1 - have / need if need > 0 else 0.0
    if cut > MAX_SLOW_DOWN:
        return None
    return Option(
        SLOW_SALES,
        why=f"cut sales by {fmt_number(max(cut, 0.0) * 100, 0)} % to last until "
        f"{add_days(as_of, gap.next_landing)}",
    )


#: The PAUSE AND NOTIFY words pointing to buyers' delay notes: the refresh keeps them only for
#: a SKU whose open orders got a note in Drafts (`decisions.delay_notes`).
DELAY_NOTES = ", send the delay notes in Drafts"


def _pause(item: SupplyItem, gap: Gap, as_of: dt.date) -> Option:
    """Waiting for the next landing, done the way an FBA seller does it: the offer goes
    inactive on its own when FBA has nothing to sell and comes back with the stock, so the
    listing is kept as it is, its ads are paused so they do not spend on a page that cannot
    sell, and buyers of open orders hear of the delay (PLAYBOOK step 3)."""
    revenue = ""
    if item.price is not None:
        revenue = f", {fmt_money(gap.lost_units * item.price)} revenue"
    start = add_days(as_of, gap.stockout_day or 0)
    back = add_days(as_of, gap.end or 0)
    sell = "FBA is out:" if item.available <= 0 else "let FBA sell out,"
    return Option(
        PAUSE_AND_NOTIFY,
        day=gap.end,
        why=f"{gap.days} days out from {start}, {gap.lost_units:,} units lost{revenue}: "
        f"{sell} keep the listing (inactive until the stock is back on {back}), pause its ads "
        f"till then{DELAY_NOTES}",
    )
