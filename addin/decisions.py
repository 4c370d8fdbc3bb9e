"""What to do about one SKU: the alert, the priced emergency options and the action (SPEC §3 v2).

`plan_sku` reads like an operator's checklist, one named step each: how fast it sells, how
long each way of shipping takes, where stock runs out and for how long, whether an order
placed today can still prevent a dip, and, for a gap an order cannot reach, every way to
bridge it (FBM, a transfer, flying part of a batch that has not shipped, a new order by air,
slowing sales, pausing) with its units, landing day, extra cost and the margin it saves.

Where the goods are decides what can be done: an Inbound batch's Status says whether it is
still at the factory (it can change mode), on its way (it cannot) or at Amazon. Mirrored line
by line in `addin/google/Decisions.gs`; shared vectors keep the two in step.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from addin import forecast
from addin.cells import add_days, ceil_eps, fmt_money, fmt_number, round_to
from addin.formulas import (
    EXPEDITE_BY_AIR,
    EXPEDITE_BY_EXPRESS,
    FEE_RISK,
    INBOUND_OVERDUE,
    LEAD_TIME_RISK,
    OK,
    OUT,
    OVERSTOCK,
    PAUSE_AND_NOTIFY,
    RELAUNCH,
    REORDER_NOW,
    REORDER_SOON,
    SLOW_SALES,
    SWITCH_TO_FBM,
    TRANSFER,
    TREND_UP,
    WATCH,
    Settings,
    Velocity,
    alert_for,
    demand_forecast_of,
    out_of_stock_days,
    safety_stock_units,
    velocity,
)
from addin.projection import (
    Gap,
    Projection,
    Reorder,
    demand_sequence,
    find_gap,
    find_reorder,
    lead_time,
    project,
    round_up_to_pack,
    shortfall,
)

MAX_SLOW_DOWN = 0.3  # SLOW SALES only when cutting demand by at most 30 % bridges the gap
REORDER_SOON_DAYS = 7
RELAUNCH_COUPON_DAYS = 7
#: Days an FBM or MCF order needs from the day stock is back to the buyer's door.
SHIP_DAYS = 3
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
    "delivered": RECEIVING, "上架中": RECEIVING, "closed": CLOSED, "cancelled": CLOSED,
    "canceled": CLOSED, "received": CLOSED, "deleted": CLOSED, "done": CLOSED, "已完成入库": CLOSED,
    "已取消": CLOSED,
}  # fmt: skip


def stage_of(status: str | None) -> str:
    """The stage of a batch from its Status cell; words we do not know count as shipped."""
    return STAGES.get(" ".join(str(status or "").lower().split()), SHIPPED)


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
class SkuInput:
    """Everything the plan of one SKU depends on. Days are offsets from as_of.

    `inbound` takes Inbound batches or plain (day, qty) pairs; `elsewhere` Elsewhere rows or
    dicts of their fields (how vectors and the JS port send them).
    """

    available: float
    units: list[float]  # daily units, oldest first, ending yesterday
    in_stock: list[bool | None] | None = None
    inbound: list = field(default_factory=list)
    promotions: list[tuple[int, int, float]] = field(default_factory=list)
    fbm_stock: float = 0
    price: float | None = None
    unit_cost: float | None = None
    unit_weight: float | None = None
    case_pack: float | None = None
    moq: float | None = None
    production_days: float | None = None
    sea_days: float | None = None
    air_days: float | None = None
    express_days: float | None = None
    receiving_days: float | None = None
    days_since_restock: int | None = None  # days since stock came back after an incident
    elsewhere: list = field(default_factory=list)
    season: tuple[float, ...] | None = None  # the seller's seasonal profile, 12 monthly indexes
    weeks: forecast.Weekly | None = None  # weekly history past `units`, when the plan has it

    def __post_init__(self) -> None:
        self.inbound = [_record(Inbound, b) for b in self.inbound]
        self.elsewhere = [_record(Elsewhere, e) for e in self.elsewhere]


def _record(kind: type, value: object) -> object:
    if isinstance(value, kind):
        return value
    if isinstance(value, dict):
        return kind(**value)
    return kind(*value)


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
    status: str = ""  # the batch's stage
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


@dataclass
class SkuPlan:
    """One SKU's numbers, as the Alerts tab shows them. Days are offsets from as_of."""

    basis: str
    daily_sd: float
    inbound: float
    lead_time: int
    air_lead_time: int
    express_lead_time: int
    alert: str
    action: str
    action_text: str
    daily_sales: float | None = None
    trend: float | None = None
    days_of_cover: float | None = None
    cover_incl_inbound: float | None = None
    stockout_day: int | None = None
    next_inbound_day: int | None = None
    back_in_stock_day: int | None = None
    gap_days: int | None = None
    lost_units: int = 0
    lost_revenue: float | None = None
    safety_stock: int | None = None
    reorder_point: int | None = None
    reorder_by_day: int | None = None
    reorder_qty: int = 0
    air_arrival_day: int | None = None
    air_units: int = 0
    option_cost: float | None = None
    margin_saved: float | None = None
    flags: list[str] = field(default_factory=list)
    alternatives: list[str] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)
    last_out_of_stock_day: int | None = None
    forecast: forecast.Forecast | None = None  # f_t before promotions
    forecast_rate: float | None = None  # average f_t per day over the lead time
    stockout_risk: float | None = None  # chance of running out before the next landing


# --- the steps ------------------------------------------------------------------------------


def forecast_demand(
    item: SkuInput, rate: float | forecast.Forecast, settings: Settings
) -> list[float]:
    """The SKU's demand f_t over the horizon, the one sequence every projection of it walks:
    the forecast (`addin/forecast.py`), or a flat rate, times the promotions' uplift."""
    horizon = int(settings.horizon_days)
    if isinstance(rate, float | int):
        return demand_sequence(rate, horizon, item.promotions)
    if not rate.blocks:
        return demand_sequence(rate.rate, horizon, item.promotions)
    return demand_sequence(rate.rate, horizon, [*rate.blocks, *item.promotions])


def projection_of(
    item: SkuInput, rate: float | forecast.Forecast, settings: Settings
) -> Projection:
    """The SKU's stock over the horizon, as every rule and table of the plan reads it."""
    landings = [(b.day, b.qty) for b in item.inbound]
    return project(max(0.0, item.available), forecast_demand(item, rate, settings), landings)


def lead_times(item: SkuInput, settings: Settings) -> Leads:
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


def air_arrival(item: SkuInput, leads: Leads, default_mode: str) -> int:
    """The earliest day air can bring units: a batch not shipped yet, else a new order."""
    best = leads.air
    for batch in item.inbound:
        ready = batch_ready_day(batch, leads, default_mode)
        if ready is not None:
            best = min(best, mode_landing(ready, "air", leads))
    return best


def emergency_options(
    item: SkuInput,
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
    options = [
        *_fbm_options(item, settings, proj, gap, as_of),
        *_transfer_options(item, proj, gap, as_of),
    ]
    for mode, action in (("air", EXPEDITE_BY_AIR), ("express", EXPEDITE_BY_EXPRESS)):
        found = _expedite_option(item, settings, proj, gap, leads, mode, action, as_of)
        if found is not None:
            options.append(found)
    for option in options:
        saved = min(option.units, ceil_eps(shortfall(proj, gap, option.day or 0)))
        option.margin = saved * margin if margin is not None else None
        option.why += _price_words(option)
    slow = _slow_sales(item, proj, gap, as_of)
    if slow is not None:
        slow.margin = 0.0 if margin is not None else None
        slow.cost = 0.0 if margin is not None else None
        options.append(slow)
    options.append(_pause(item, gap, as_of))
    options.sort(key=lambda option: _rank(option, margin is not None))
    return options


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
    item: SkuInput, settings: Settings, proj: Projection, gap: Gap, as_of: dt.date
) -> list[Option]:
    if not settings.fbm_enabled or gap.stockout_day is None:
        return []
    sources = [e for e in item.elsewhere if e.ships_fbm and e.qty > 0]
    if item.fbm_stock > 0:
        cost = settings.fbm_cost_per_unit if settings.fbm_cost_per_unit is not None else 0.0
        sources.insert(0, Elsewhere("FBM stock", item.fbm_stock, None, True, cost))
    out = []
    need = shortfall(proj, gap, gap.stockout_day)
    for source in sources:
        units = ceil_eps(min(source.qty, need))
        if units <= 0:
            continue
        covered = _days_covered(proj, gap, source.qty)
        out.append(
            Option(
                SWITCH_TO_FBM,
                units=units,
                day=gap.stockout_day,
                cost=_times(units, source.cost_per_unit),
                source=source.location,
                why=f"{units:,} units from {source.location} ship to buyers from "
                f"{add_days(as_of, gap.stockout_day)}, cover {covered} of {gap.days} gap days",
            )
        )
    return out


def _days_covered(proj: Projection, gap: Gap, qty: float) -> int:
    """Gap days that `qty` extra units keep in stock, from the stockout day on."""
    covered = 0
    start = gap.stockout_day or 0
    for t in range(start, gap.end or start):
        if shortfall(proj, gap, start) - shortfall(proj, gap, t + 1) > qty + 1e-9:
            break
        covered += 1
    return covered


def _transfer_options(item: SkuInput, proj: Projection, gap: Gap, as_of: dt.date) -> list[Option]:
    out = []
    for source in item.elsewhere:
        if source.transfer_days is None or source.qty <= 0 or gap.end is None:
            continue
        day = ceil_eps(source.transfer_days)
        units = ceil_eps(min(source.qty, shortfall(proj, gap, day)))
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
    item: SkuInput,
    settings: Settings,
    proj: Projection,
    gap: Gap,
    leads: Leads,
    mode: str,
    action: str,
    as_of: dt.date,
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
        need = round_up_to_pack(shortfall(proj, gap, day), item.case_pack)
        units = min(ceil_eps(batch.qty), need)
        if units <= 0:
            continue
        base = per_kg.get(batch.mode or settings.default_mode, per_kg["sea"])
        name = batch.shipment_id or f"of {add_days(as_of, batch.day)}"
        stage = stage_of(batch.status)
        best = Option(
            action,
            units=units,
            day=day,
            cost=_freight(units, item.unit_weight, per_kg[mode] - base),
            source=batch.shipment_id,
            batch_qty=batch.qty,
            status=stage,
            why=f"{units:,} of the {ceil_eps(batch.qty):,} units of batch {name} "
            f"({stage}) by {mode}, land {add_days(as_of, day)}",
        )
    new_day = leads.air if mode == "air" else leads.express
    units = round_up_to_pack(shortfall(proj, gap, new_day), item.case_pack)
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


def _slow_sales(item: SkuInput, proj: Projection, gap: Gap, as_of: dt.date) -> Option | None:
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


def _pause(item: SkuInput, gap: Gap, as_of: dt.date) -> Option:
    revenue = ""
    if item.price is not None:
        revenue = f", {fmt_money(gap.lost_units * item.price)} revenue"
    start = add_days(as_of, gap.stockout_day or 0)
    return Option(
        PAUSE_AND_NOTIFY,
        day=gap.end,
        why=f"{gap.days} days out from {start}, {gap.lost_units:,} units lost{revenue}",
    )


def flags_for(
    item: SkuInput,
    settings: Settings,
    vel: Velocity,
    gap: Gap,
    order: Reorder,
    leads: Leads,
    cover_all: float | None,
    stock: float,
    relaunch: bool,
) -> list[str]:
    flags = []
    if order.by_day is not None and order.by_day <= 0 and order.qty > 0:
        flags.append(REORDER_NOW)
    if gap.stockout_day is not None and gap.stockout_day < leads.regular:
        flags.append(LEAD_TIME_RISK)
    if cover_all is not None and cover_all < settings.fee_line_days:
        flags.append(FEE_RISK)
    if (cover_all is None and stock > 0) or (
        cover_all is not None and cover_all > settings.overstock_days
    ):
        flags.append(OVERSTOCK)
    if any(b.day < 0 and b.qty > 0 for b in item.inbound):
        flags.append(INBOUND_OVERDUE)
    if vel.trend is not None and vel.trend > 1.2:
        flags.append(TREND_UP)
    if relaunch:
        flags.append(RELAUNCH)
    return flags


def _restock(item: SkuInput, vel: Velocity, available: float, settings: Settings) -> tuple:
    """(last out-of-stock history day, days since restock, whether to relaunch)."""
    last_out = None
    for i in range(len(vel.out_of_stock) - 1, -1, -1):
        if vel.out_of_stock[i]:
            last_out = i - len(vel.out_of_stock)
            break
    # Back in stock after an incident: the log says since when, else the history does.
    restocked = item.days_since_restock
    if restocked is None and last_out is not None and available > 0:
        restocked = -last_out - 1
    relaunch = restocked is not None and available > 0 and restocked <= settings.relaunch_days
    return last_out, restocked, relaunch


def plan_sku(item: SkuInput, settings: Settings, as_of: dt.date) -> SkuPlan:
    """The whole plan of one SKU: SPEC §3 from velocity to the action and its reasons."""
    s = settings
    vel = velocity(
        item.units, item.in_stock, s.velocity_windows, s.velocity_weights, item.available
    )
    leads = lead_times(item, s)
    available = max(0.0, item.available)
    inbound_total = 0.0
    for batch in item.inbound:
        inbound_total += max(0.0, batch.qty)
    last_out, restocked, relaunch = _restock(item, vel, available, s)
    known = {
        "daily_sd": vel.daily_sd,
        "trend": vel.trend,
        "inbound": inbound_total,
        "lead_time": leads.regular,
        "air_lead_time": leads.air,
        "express_lead_time": leads.express,
        "air_arrival_day": air_arrival(item, leads, s.default_mode),
        "last_out_of_stock_day": last_out,
    }
    v = vel.rate
    if v is None:
        alert = alert_for(None, item.available, s.warn_days, has_rate=False)
        flags = [INBOUND_OVERDUE] if any(b.day < 0 and b.qty > 0 for b in item.inbound) else []
        if alert == OUT:
            action, text = PAUSE_AND_NOTIFY, "Out of stock with no sales history: restock or "
            text += "mark the SKU inactive."
        else:
            action, text = OK, "No sales history to plan from: add Sales rows or import "
            text += "Amazon reports."
        return SkuPlan(
            **known, basis=vel.basis, alert=alert, action=action, action_text=text, flags=flags
        )

    fc = demand_forecast_of(
        item.units, vel, s.velocity_windows, s.velocity_weights, int(s.horizon_days), as_of,
        item.season, item.weeks,
    )  # fmt: skip
    if fc is None:  # v exists, so the cleaned history has a rate too; keep v if not
        fc = forecast.Forecast(v, sigma=vel.daily_sd)
    lead = leads.regular
    proj = projection_of(item, fc, s)
    cover_all = (available + inbound_total) / v if v > 0 else None
    gap = find_gap(proj, lead)
    base = fc.rate if not fc.blocks else forecast.mean_rate(fc, lead)
    ss = safety_stock_units(
        base, fc.sigma, lead, s.service_level, s.lead_time_sd_days, s.safety_days
    )
    landing = next((d for d in proj.landings if d > 0), lead)
    risk = forecast.stockout_risk(
        available + proj.arrivals.get(0, 0.0),
        proj.demand(0, landing),
        fc.sigma,
        landing,
        base * s.lead_time_sd_days,
    )
    order = find_reorder(proj, leads.regular, ss, s.cover_target_days, item.case_pack, item.moq)
    alert = alert_for(gap.stockout_day, item.available, s.warn_days)
    if alert == OK and gap.stockout_day is not None and gap.stockout_day < leads.regular:
        alert = WATCH  # runs out before a regular order could land: never green
    options = emergency_options(item, s, proj, gap, leads, as_of) if gap.days > 0 else []
    choices = [(o.action, o.why) for o in options]
    if order.by_day is not None and order.by_day <= 0 and order.qty > 0:
        choices.append(
            (
                REORDER_NOW,
                f"order {order.qty:,} units by {s.default_mode} today, arrive "
                f"{add_days(as_of, leads.regular)}",
            )
        )
    elif order.by_day is not None and order.by_day <= REORDER_SOON_DAYS and order.qty > 0:
        choices.append(
            (REORDER_SOON, f"order {order.qty:,} units by {add_days(as_of, order.by_day)}")
        )
    if relaunch:
        choices.append(
            (
                RELAUNCH,
                f"back in stock {restocked} days: {fmt_number(s.coupon_pct, 0)} % coupon "
                f"for {RELAUNCH_COUPON_DAYS} days, ad budget +{fmt_number(s.ad_boost_pct, 0)} "
                "%, watch conversion",
            )
        )
    if not choices:
        choices.append((OK, "no action needed"))
    text = f"{choices[0][0]}: {choices[0][1]}"
    if len(choices) > 1:
        text += " · also " + " · ".join(f"{c}: {why}" for c, why in choices[1:])
    first = options[0] if options else None
    air = next((o for o in options if o.action in (EXPEDITE_BY_AIR, EXPEDITE_BY_EXPRESS)), None)
    return SkuPlan(
        **known,
        daily_sales=v,
        days_of_cover=available / v if v > 0 else None,
        cover_incl_inbound=cover_all,
        stockout_day=gap.stockout_day,
        next_inbound_day=gap.next_landing,
        back_in_stock_day=gap.next_landing,
        gap_days=gap.days if gap.stockout_day is not None else None,
        lost_units=gap.lost_units,
        lost_revenue=gap.lost_units * item.price if item.price is not None else None,
        safety_stock=ss,
        reorder_point=ceil_eps(base * lead + ss),
        reorder_by_day=order.by_day,
        reorder_qty=order.qty,
        air_units=air.units if air is not None else 0,
        option_cost=first.cost if first is not None else None,
        margin_saved=first.margin if first is not None else None,
        alert=alert,
        flags=flags_for(
            item, s, vel, gap, order, leads, cover_all, available + inbound_total, relaunch
        ),
        action=choices[0][0],
        alternatives=[c for c, _ in choices[1:]],
        action_text=text,
        options=options,
        basis=f"{fc.basis} · {vel.basis}" if fc.basis else vel.basis,
        forecast=fc,
        forecast_rate=proj.demand(0, lead) / lead
        if lead > 0 and (fc.blocks or item.promotions)
        else base,
        stockout_risk=risk,
    )


# --- after the plan: incidents, open orders, relaunch ------------------------------------


def out_runs(item: SkuInput, as_of: dt.date) -> list[tuple[dt.date, dt.date | None]]:
    """(first day out, first day back) of each out-of-stock run in the history.

    A run ends on the first later day known to be in stock (flagged so, or with sales). When
    no such day follows, the run is still open if nothing is available now, and otherwise ends
    today: the refresh is the first to see the stock back.
    """
    out = out_of_stock_days(item.units, item.in_stock, item.available)
    flags = item.in_stock or [None] * len(out)
    n = len(out)
    runs = []
    i = 0
    while i < n:
        if not out[i]:
            i += 1
            continue
        j = i
        while j < n and out[j]:
            j += 1
        back = next((k for k in range(j, n) if flags[k] is True or item.units[k] > 0), None)
        if back is not None:
            ended = add_days(as_of, back - n)
        else:
            ended = as_of if item.available > 0 else None
        runs.append((add_days(as_of, i - n), ended))
        i = j
    return runs


def incident_losses(rate: float | None, days_out: int, price: float | None) -> tuple:
    """(lost units, lost revenue) of a stockout of `days_out` days at `rate` units a day."""
    if rate is None:
        return None, None
    units = round_up_to_pack(rate * days_out, 1)
    return units, units * price if price is not None else None


def coupon_price(price: float | None, coupon_pct: float) -> float | None:
    """The price with the relaunch coupon, to the cent (half up, as everywhere)."""
    return round_to(price * (1 - coupon_pct / 100), 2) if price else None


def delayed_orders(
    item: SkuInput, proj: Projection, orders: list[tuple[float, int]], fbm_enabled: bool
) -> list[int | bool | None]:
    """For open orders (qty, promised day) in promised-day order: False when stock ships it
    in time, else the day it can reach the buyer, or None when no shipped batch backs a date.

    Orders are served from FBM stock first, then from FBA stock through multi-channel
    fulfilment, each net of earlier orders. A promised new date needs a batch that has left
    the factory (shipped, in transit or receiving) landing after the promise and holding units
    for every delayed order before it: a buyer is never promised a date the plan cannot back.
    """
    days = [day for _, day in orders]
    stock = proj.daily_stock(max(1, max(days, default=0) + 1))
    firm = sorted(
        (b.day if b.day > 0 else 0, b.qty)
        for b in item.inbound
        if stage_of(b.status) in (SHIPPED, RECEIVING)
    )
    fbm = item.fbm_stock if fbm_enabled else 0.0
    mcf_used = 0.0
    promised: list[float] = [0.0] * len(firm)  # units of each firm batch already promised
    out: list[int | bool | None] = []
    for qty, day in orders:
        take = min(fbm, qty)
        fbm -= take
        need = qty - take
        fba = stock[max(0, day)] - mcf_used if day >= 0 else item.available - mcf_used
        if need <= fba + 1e-9:
            mcf_used += need
            out.append(False)
            continue
        new_day = None
        for i, (landing, units) in enumerate(firm):
            if landing > max(day, 0) and units - promised[i] >= need - 1e-9:
                promised[i] += need
                new_day = landing + SHIP_DAYS
                break
        out.append(new_day)
    return out
