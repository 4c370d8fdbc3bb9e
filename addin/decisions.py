"""What to do about one SKU: the alert, the action and its reasons (SPEC §3 v2).

`plan_sku` reads like an operator's checklist, one named step each: how fast it sells, how
long each way of shipping takes, where stock runs out and for how long, whether an order
placed today can still prevent a dip, and, for a gap an order cannot reach, every way to
bridge it (FBM, a transfer, flying part of a batch that has not shipped, a new order by air,
slowing sales, pausing) with its units, landing day, extra cost and the margin it saves.

Where the goods are and what each option costs is `addin.supply`; the forecast f_t is
`addin.forecast`. Mirrored line by line in `addin/google/Decisions.gs`; shared vectors keep
the two in step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from addin import demand_history, fee_rule, forecast, supply
from addin.cells import add_days, ceil_eps, fmt_number, round_to
from addin.formulas import (
    CHASE_INBOUND,
    EXPEDITE_BY_AIR,
    EXPEDITE_BY_EXPRESS,
    FEE_RISK,
    INBOUND_OVERDUE,
    LEAD_TIME_RISK,
    NO_SALES,
    OK,
    OUT,
    OVERSTOCK,
    PAUSE_AND_NOTIFY,
    RELAUNCH,
    REORDER_NOW,
    REORDER_SOON,
    REORDER_SOON_DAYS,
    SHORT_HISTORY,
    TREND_UP,
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
    project,
    round_up_to_pack,
)
from addin.supply import (
    RECEIVING,
    SHIPPED,
    Elsewhere,
    Inbound,
    Leads,
    Option,
    air_arrival,
    combined_options,
    emergency_options,
    lead_times,
    stage_of,
)

#: Days of sales history (from the SKU's first day of data) an order is sized on: fewer, and one
#: good or bad day sets the rate, so the plan shows the risk but drafts no order (SHORT HISTORY).
#: Two weeks hold every weekday twice, the least the 7-day window needs to mean anything.
MIN_HISTORY_DAYS = 14
#: Amazon's aged-inventory surcharge starts on units stored this many days (US FBA, 2024-).
AGED_SURCHARGE_DAYS = 181
RELAUNCH_COUPON_DAYS = 7
#: What the fixed relaunch plan adds: with traffic data the refresh watches conversion itself.
TRAFFIC_HINT = "import the Business Report to have it tracked"
#: Days an FBM or MCF order needs from the day stock is back to the buyer's door.
SHIP_DAYS = 3

#: Between the best action and its alternatives in a plan's action text.
ALSO = " · also "
#: The Promotions tab's SKU for a promotion of every SKU (SPEC §2).
EVERY_SKU = "*"


def promotions_of(sku: str, by_sku: Mapping[str, list]) -> list:
    """The promotions of SKU: its own and every SKU's, each once (a SKU literally named `*`
    gets the every-SKU rows once, not as its own rows a second time)."""
    every = list(by_sku.get(EVERY_SKU, []))
    return every if sku == EVERY_SKU else list(by_sku.get(sku, [])) + every


#: Before each further thing to do, beside the best action (an order, a chase, a relaunch).
AND = " · and "
#: Actions that are done as well as the best way to bridge a gap, never instead of it.
TO_DO = (REORDER_NOW, REORDER_SOON, CHASE_INBOUND, RELAUNCH, NO_SALES)


def split_choices(choices: list[tuple[str, str]]) -> tuple[tuple[str, str], list, list]:
    """(best action, further things to do, alternatives to the best).

    The ways to bridge a gap are alternatives: one is chosen. Placing the regular order,
    chasing an overdue shipment and relaunching are done as well, so they follow the best
    action with `AND` and never hide among the alternatives.
    """
    ways = [c for c in choices if c[0] not in TO_DO]
    todo = [c for c in choices if c[0] in TO_DO]
    if ways:
        return ways[0], todo, ways[1:]
    if todo:
        return todo[0], todo[1:], []
    return (OK, "no action needed"), [], []


def chosen_action(text: str | None) -> str | None:
    """The best action of an action text, without its alternatives (the workbook has those)."""
    return (text or "").partition(ALSO)[0] or None


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
    weeks: demand_history.Weekly | None = None  # weekly history past `units`, when the plan has it
    #: The relaunch tracker's words (`addin.relaunch`, from traffic data the history store
    #: keeps); None: the fixed relaunch plan. The in-sheet refresh has no store: always None.
    relaunch_text: str | None = None
    #: Why Amazon does not charge the SKU the low-inventory-level fee (Inventory Fee exempt).
    fee_exempt: str | None = None

    def __post_init__(self) -> None:
        self.inbound = [_record(Inbound, b) for b in self.inbound]
        self.elsewhere = [_record(Elsewhere, e) for e in self.elsewhere]


def _record(kind: type, value: object) -> object:
    if isinstance(value, kind):
        return value
    if isinstance(value, dict):
        return kind(**value)
    if isinstance(value, Iterable):  # a record's fields in order (a list from JSON)
        return kind(*value)
    raise TypeError(f"not a {kind.__name__}: {value!r}")


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
    #: Options taken as well as options[0] (`supply.combined_options`), in the order to act.
    combined: list[Option] = field(default_factory=list)
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
    thin: bool = False,
) -> list[str]:
    flags = [SHORT_HISTORY] if thin else []
    if order.by_day is not None and order.by_day <= 0 and order.qty > 0:
        flags.append(REORDER_NOW)
    if gap.stockout_day is not None and gap.stockout_day < leads.regular:
        flags.append(LEAD_TIME_RISK)
    if cover_all is not None and cover_all < settings.fee_line_days and not exempt_from_fee(item):
        flags.append(FEE_RISK)
    if (cover_all is None and stock > 0) or (
        cover_all is not None and cover_all > settings.overstock_days
    ):
        flags.append(OVERSTOCK)
    if vel.rate == 0 and stock > 0 and not thin:
        flags.append(NO_SALES)
    if any(b.day < 0 and b.qty > 0 for b in item.inbound):
        flags.append(INBOUND_OVERDUE)
    if vel.trend is not None and vel.trend > 1.2:
        flags.append(TREND_UP)
    if relaunch:
        flags.append(RELAUNCH)
    return flags


def exempt_from_fee(item: SkuInput) -> bool:
    """Whether Amazon's low-inventory-level fee cannot apply to the SKU: the seller's Fee
    exempt says why, or it ships under 20 units a week (`addin.fee_rule`). FEE RISK warns only
    where Amazon would charge: the Alerts' Low-inventory fee column says `exempt` for them."""
    if isinstance(item.fee_exempt, str) and item.fee_exempt.strip():
        return True
    return fee_rule.ships_too_few(item.units)


def no_sales_words(item: SkuInput, available: float, inbound: float) -> str:
    """What an operator does with stock that does not sell: first make sure buyers can buy it
    (a suppressed listing or a lost Buy Box sells nothing), then sell it off or take it back
    before it ages into Amazon's aged-inventory surcharge."""
    days = 0
    for i in range(len(item.units) - 1, -1, -1):
        if item.units[i] > 0 and not (item.in_stock is not None and item.in_stock[i] is False):
            break
        days += 1
    held = f"{int(round_to(available, 0)):,} units at FBA"
    if inbound > 0:
        held += f" and {int(round_to(inbound, 0)):,} inbound"
    return (
        f"none sold in the last {days} days, {held}: check the listing is buyable "
        "(suppressed? Buy Box? price?); if it is, cut the price, or remove or liquidate it "
        f"before Amazon's aged-inventory surcharge ({AGED_SURCHARGE_DAYS}+ days)"
    )


def short_history_words(
    item: SkuInput, rate: float, gap: Gap, leads: Leads, mode: str, as_of: dt.date
) -> str:
    """What a seller with too little sales history does: add the days before, or import
    Amazon's reports, before any order is sized; meanwhile what the few days say."""
    days = len(item.units)
    if item.available <= 0:
        outlook = "out of stock now: restock"
    elif rate == 0:
        outlook = "none sold yet"
    elif gap.stockout_day is None:
        outlook = f"at {fmt_number(rate)} a day the stock lasts the horizon"
    else:
        outlook = f"at {fmt_number(rate)} a day it runs out {add_days(as_of, gap.stockout_day)}"
        if gap.stockout_day < leads.regular:
            landing = add_days(as_of, leads.regular)
            outlook += f", before a {mode} order placed today lands {landing}"
    return (
        f"{days} day{'' if days == 1 else 's'} of sales, too few to size an order "
        f"({MIN_HISTORY_DAYS} needed): add the earlier days to Sales or import Amazon's reports; "
        f"{outlook}; no order drafted until then"
    )


def _restock(item: SkuInput, vel: Velocity, available: float, settings: Settings) -> tuple:
    """(last out-of-stock history day, days since restock, whether to relaunch)."""
    last_out = None
    if True in vel.out_of_stock:  # the last True, searched at C speed from the end
        last_out = -1 - vel.out_of_stock[::-1].index(True)
    # Back in stock after an incident: the log says since when, else the history does.
    restocked = item.days_since_restock
    if restocked is None and last_out is not None and available > 0:
        restocked = -last_out - 1
    relaunch = restocked is not None and available > 0 and restocked <= settings.relaunch_days
    return last_out, restocked, relaunch


def _relaunch_plan(restocked: int, s: Settings) -> str:
    """The fixed relaunch plan, when no traffic data lets the refresh watch conversion."""
    return (
        f"back in stock {restocked} days: {fmt_number(s.coupon_pct, 0)} % coupon for "
        f"{RELAUNCH_COUPON_DAYS} days, ad budget +{fmt_number(s.ad_boost_pct, 0)} %, watch "
        f"conversion ({TRAFFIC_HINT})"
    )


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
    thin = len(item.units) < MIN_HISTORY_DAYS
    order = find_reorder(proj, leads.regular, ss, s.cover_target_days, item.case_pack, item.moq)
    if thin:  # the risk shows (alert, stockout date); no order is sized on a few days
        order = Reorder()
        relaunch = False
    late = overdue_batch(item)
    alert = alert_for(  # at least WATCH if it runs out before an order lands, one is due, or
        gap.stockout_day, item.available, s.warn_days, lead_time=leads.regular,  # stock the
        reorder_day=order.by_day if order.qty > 0 else None,  # plan counts on is overdue
        overdue=late is not None,
    )  # fmt: skip
    options = emergency_options(item, s, proj, gap, leads, as_of) if gap.days > 0 else []
    if thin:
        options = []
    first = options[0] if options else None
    extras = combined_options(item, s, proj, gap, leads, as_of, first) if first else []
    rivals = [o for o in options[1:] if not any(_same(o, e) for e in extras)]
    choices = [(o.action, o.why) for o in options[:1] + rivals]
    if thin:
        words = short_history_words(item, v, gap, leads, s.default_mode, as_of)
        choices.append((SHORT_HISTORY, words))
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
    if late is not None:
        choices.append((CHASE_INBOUND, chase_words(late, as_of)))
    if relaunch:
        choices.append((RELAUNCH, item.relaunch_text or _relaunch_plan(restocked, s)))
    if v == 0 and available + inbound_total > 0 and not thin:
        choices.append((NO_SALES, no_sales_words(item, available, inbound_total)))
    best, todo, others = split_choices(choices)
    also = [(o.action, o.why) for o in extras] + todo
    text = f"{best[0]}: {best[1]}" + "".join(f"{AND}{c}: {why}" for c, why in also)
    if others:
        text += ALSO + " · ".join(f"{c}: {why}" for c, why in others)
    done = [first, *extras] if first is not None else []
    flying = (EXPEDITE_BY_AIR, EXPEDITE_BY_EXPRESS)
    air = next((o for o in done if o.action in flying), None) or next(
        (o for o in options if o.action in flying), None
    )
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
        option_cost=_total(o.cost for o in done) if done else None,
        margin_saved=_total(o.margin for o in done) if done else None,
        alert=alert,
        flags=flags_for(
            item, s, vel, gap, order, leads, cover_all, available + inbound_total, relaunch, thin
        ),
        action=best[0],
        alternatives=[c for c, _ in others],
        action_text=text,
        options=options,
        combined=extras,
        basis=f"{fc.basis} · {vel.basis}" if fc.basis else vel.basis,
        forecast=fc,
        forecast_rate=proj.demand(0, lead) / lead
        if lead > 0 and (fc.blocks or item.promotions)
        else base,
        stockout_risk=risk,
    )


def _same(a: Option, b: Option) -> bool:
    """The same option, resized: a combined one replaces its full-size alternative."""
    return a.action == b.action and a.source == b.source


def _total(values: Iterable[float | None]) -> float | None:
    """The sum of the combined action's costs or margins; unknown if one is."""
    total: float = 0  # an int stays an int, as JSON shows it
    for value in values:
        if value is None:
            return None
        total += value
    return total


def delay_notes(text: str | None, noted: bool) -> str | None:
    """An action text as the workbook shows it: PAUSE AND NOTIFY sends the buyers' delay
    notes only where Drafts has some (NOTED: an open order of the SKU will be late)."""
    return text if noted or text is None else text.replace(supply.DELAY_NOTES, "")


def overdue_batch(item: SkuInput) -> Inbound | None:
    """The batch most overdue (its ETA passed, units still counted inbound), if any."""
    late = [b for b in item.inbound if b.day < 0 and b.qty > 0]
    return min(late, key=lambda b: b.day) if late else None


def chase_words(batch: Inbound, as_of: dt.date) -> str:
    """What to do about an overdue batch: the plan counts it as sellable today, so find it."""
    name = f"shipment {batch.shipment_id}" if batch.shipment_id else "the batch"
    status = f", {batch.status}" if batch.status else ""
    return (
        f"{name} ({int(round_to(batch.qty, 0)):,} units{status}) was due "
        f"{add_days(as_of, batch.day)}, "
        f"{-batch.day} days ago: ask the carrier where it is, or Seller Support if it was "
        "delivered; the plan counts it as sellable today"
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
    runs: list[tuple[dt.date, dt.date | None]] = []
    i = 0
    while i < n:
        if not out[i]:
            i += 1
            continue
        j = i
        while j < n and out[j]:
            j += 1
        back = next((k for k in range(j, n) if flags[k] is True or item.units[k] > 0), None)
        ended: dt.date | None
        if back is not None:
            ended = add_days(as_of, back - n)
        else:
            ended = as_of if item.available > 0 else None
        runs.append((add_days(as_of, i - n), ended))
        i = j
    return runs


def out_since(incidents: Iterable[Mapping[str, Any]]) -> dict[str, dt.date]:
    """SKU -> the day its open stockout began: an OUT SKU's Stockout date, the day it ran out
    (as the drafts say "sold out since"), not today."""
    out: dict[str, dt.date] = {}
    for rec in incidents:
        started = rec.get("started")
        if isinstance(started, dt.date) and not rec.get("ended"):
            out[rec["sku"]] = max(started, out.get(rec["sku"], started))
    return out


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
