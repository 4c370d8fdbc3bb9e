"""The words that explain the workbook to a person: setting descriptions, header notes, Start tab.

A seller opens the workbook, not the README. So every Settings key carries a description (what
it does, its unit and its default), every header a note (what the column means, which values it
takes, flags and basis spelled out), and a new workbook opens on a Start tab that walks from
empty to a first refresh. Backends turn notes into cell comments (Excel) or notes (Google) and
`validations` into dropdowns and input checks; the words live here once, in English.
"""

from __future__ import annotations

from typing import Any

from sheets_sync import settings as st
from sheets_sync import workbook as wb
from sheets_sync.planner import PLANNER
from sheets_sync.types import Validation

MODES = ("sea", "air", "express", "transfer")
STATUSES = ("planned", "in production", "ready", "shipped", "in transit", "receiving", "closed")
FLAGS_NOTE = (
    "Why to look twice, any of: REORDER NOW (the Reorder by date has come) · LEAD TIME RISK "
    "(runs out before a regular order could land) · FEE RISK (looking ahead: Cover incl. "
    "inbound under fee_line_days, so Amazon's low-inventory fee is coming or goes on; not for "
    "a SKU Amazon exempts. The Low-inventory fee column is Amazon's verdict looking back and "
    "says why when the two differ) · OVERSTOCK (cover over overstock_days: storage fees) · "
    "NO SALES (stock on hand, none sold on in-stock days: check the listing, then sell it off "
    "or remove it) · SHORT HISTORY (under 14 days of sales: the rate shows, no order is "
    "drafted on it; add the earlier days to Sales or import Amazon's reports) · "
    "INBOUND OVERDUE (an ETA has passed and the units are not sellable) · "
    "TREND UP (last 7 days sell over 1.2 × the last 30) · RELAUNCH (back in stock after a "
    "stockout) · CAPACITY (Reorder qty cut to fit Settings fba_capacity; see Basis)."
)

TIMELINE_LEGEND = (
    "Red: out of stock (the gap a seller must bridge) · orange: under safety stock · "
    "yellow: under the reorder point. Hover a SKU for its numbers; its chart beside the "
    "table draws the safety stock and reorder point as dashed lines."
)

#: Tab -> column key -> the note on its header.
NOTES: dict[str, dict[str, str]] = {
    wb.SETTINGS: {
        "key": "Setting name. Do not rename; the Description column says what each does.",
        "value": "Your value. Blank = the default given in Description.",
        "description": "What the setting does, its unit and its default.",
    },
    wb.INVENTORY: {
        "sku": "Required. Your seller SKU, exactly as in Seller Central. One row per SKU.",
        "asin": "Optional. The ASIN, for your reference.",
        "title": "Short product name shown on Alerts and in messages.",
        "available": "Required. FBA sellable units now (Seller Central: Available).",
        "reserved": "Units Amazon holds (customer orders, transfers). For reference.",
        "fbm_stock": "Units you can ship yourself (overseas warehouse, 3PL): SWITCH TO FBM uses "
        "them when FBA runs out.",
        "price": "Selling price per unit: Lost revenue and the value of each option.",
        "unit_cost": "What one unit costs you: the margin an option saves.",
        "case_pack": "Units per carton: Reorder qty is rounded up to whole cartons.",
        "moq": "The supplier's minimum order: a smaller Reorder qty is raised to it.",
        "unit_weight": "Kilograms per unit: prices air and express freight.",
        "supplier": "Factory name: supplier drafts are grouped by it.",
        "production_days": "Blank = Settings production_days.",
        "sea_days": "Blank = Settings sea_days.",
        "air_days": "Blank = Settings air_days.",
        "express_days": "Blank = Settings express_days.",
        "receiving_days": "Blank = Settings receiving_days.",
        "season": "Optional seasonal profile for a SKU without a year of history: q4, summer, "
        "winter, or 12 monthly indexes (Jan…Dec, e.g. 1,1,1,1,1,1,1,1,1,1.2,2,2.5). With a "
        "year of history it is the starting point the SKU's own last year is weighed against.",
        "size_tier": "Amazon's size tier (small standard, large standard, small bulky, large "
        "bulky): prices the low-inventory-level fee. Blank = Settings size_tier.",
        "fee_exempt": "Why Amazon does not charge this SKU the low-inventory-level fee (new to "
        "FBA, AWD auto-replenishment). Blank = not exempt unless it ships under 20 units a week.",
        "category_cvr": "Optional. The conversion rate of this SKU's category in percent (10 "
        "= 10 %; a cell formatted as a percentage works too). Blank = Settings "
        "category_cvr_pct. The relaunch tracker aims for it.",
        "category": "Optional product group, e.g. toys. A Settings row season_<category> (Key "
        "season_toys, Value q4 or 12 monthly indexes) gives every SKU of the group that "
        "seasonal profile; a SKU's own Season wins.",
        "storage_type": "Amazon's storage type for capacity limits: standard, oversize, apparel, "
        "footwear, flammable, aerosol. Blank = standard.",
        "unit_volume": "Cubic feet one unit takes at Amazon (Manage FBA Inventory: "
        "per-unit-volume): how much of the FBA capacity an order uses.",
        "supplier_email": "Optional: the supplier's e-mail, the To of its expedite requests.",
    },
    wb.SALES: {
        "date": "Required. The day (yyyy-mm-dd), one row per SKU per day. Days with no row "
        "count as 0 units sold.",
        "sku": "Required. A SKU of the Inventory tab.",
        "units": "Required. Units ordered that day (0 or more).",
        "in_stock": "Optional TRUE/FALSE: was the SKU sellable that day? Out-of-stock days are "
        "left out of Daily sales.",
    },
    wb.INBOUND: {
        "sku": "Required. A SKU of the Inventory tab.",
        "qty": "Required. Units in this batch.",
        "eta": "Required. The day the units become sellable at Amazon.",
        "mode": "sea, air, express or transfer. A batch not shipped yet can still switch to air.",
        "shipment_id": "Amazon's shipment ID (FBA…): named in expedite and receiving requests.",
        "status": "Where the batch is: planned / in production / ready / shipped / in transit / "
        "receiving. closed, received or cancelled rows are ignored.",
        "ready_date": "When a batch not shipped yet is (or will be) ready at the factory: by air "
        "it lands then + air days + receiving days. Blank = ETA minus transit and receiving.",
        "supplier": "Factory of this batch, named in the expedite request (blank = Inventory's).",
    },
    wb.STOCK_ELSEWHERE: {
        "sku": "Required. A SKU of the Inventory tab.",
        "location": "Required. Where the units are: 3PL, overseas warehouse, AWD, another "
        "marketplace's FBA.",
        "qty": "Required. Units there that you could use.",
        "transfer_days": "Days until units sent from there are sellable at FBA: the TRANSFER "
        "option. Blank = cannot transfer.",
        "ships_fbm": "yes = it can ship buyers' orders directly: the SWITCH TO FBM option.",
        "cost_per_unit": "What moving one unit costs (transfer, or FBM shipment): prices the "
        "option. Blank = unknown.",
    },
    wb.PROMOTIONS: {
        "sku": "Required. A SKU, or * for every SKU (one named * included, once).",
        "start": "Required. First day of the promotion.",
        "end": "Required. Last day of the promotion.",
        "uplift": "Required. Sales multiplier on those days: 1.8 = 80 % more.",
    },
    wb.ORDERS: {
        "order_id": "Required. Amazon order ID of an open FBM or pre-ordered order.",
        "sku": "Required. The SKU ordered.",
        "qty": "Units ordered (blank = 1).",
        "purchase_date": "When the buyer ordered.",
        "promised_date": "Required. Latest ship or delivery date promised to the buyer.",
        "buyer_name": "Greets the buyer in the delay notice.",
        "marketplace": "e.g. amazon.de: picks the message language and date format.",
        "language": "Overrides the marketplace's language (en, de, fr, …).",
        "status": "Blank or unshipped = still to ship; shipped, cancelled, shipped or cancelled "
        "= done (no delay notice). `stockout import` keeps its reports' lines up to date; "
        "a line you typed is never closed by a report.",
        "promise_estimated": "yes = Promised date was estimated from Purchase date + "
        "Settings handling_time_days (the report had none).",
        "buyer_email": "Optional: the buyer's e-mail (Amazon's buyer-email): the To of the "
        "delay notice.",
        "title": "Optional: the item as the buyer saw it, in the marketplace's language (the "
        "order report's product-name; `stockout import` fills it): the delay notice names the "
        "item with it. Blank = Inventory Title.",
    },
    wb.ALERTS: {
        "sku": "Your SKU. Rows are sorted most urgent first.",
        "title": "Product name from Inventory.",
        "available": "FBA sellable units now.",
        "inbound": "Units on their way (open Inbound rows).",
        "daily_sales": "Units a day: weighted average of recent in-stock days (see Basis).",
        "forecast_rate": "Forecast units a day over the lead time: Daily sales moved by the "
        "season, trend, slow-mover rate and promotions the history shows (see Basis). The "
        "stockout, gap and reorder numbers use it day by day.",
        "trend": "Last 7 days ÷ last 30 days: above 1.2 sales are rising (TREND UP), below 0.8 "
        "falling.",
        "days_of_cover": "Available ÷ Daily sales: days the shelf lasts with no new stock.",
        "stockout_risk": "Chance of running out before the next inbound lands (or a regular "
        "order placed today), from the forecast's own day-to-day error.",
        "cover_incl_inbound": "(Available + Inbound) ÷ Daily sales.",
        "stockout_date": "First day stock cannot meet demand, inbound and promotions included; "
        "for an OUT SKU, the day it ran out. "
        "Blank = not within horizon_days.",
        "days_to_stockout": "Days from today to the Stockout date (below 0: days since it ran "
        "out).",
        "alert": "OUT (nothing sellable) · CRITICAL (out within 7 days) · WARNING (15) · "
        "WATCH (30, or before a regular order could land, an order is due within 7 days or an "
        "inbound is overdue) · "
        "OK · NO DATA (no sales history). Lines from Settings warn_days. The level is about "
        "running out: a SKU that is OK can still have an Action (RELAUNCH, NO SALES).",
        "flags": FLAGS_NOTE,
        "low_inventory_fee": "Amazon's low-inventory-level fee by its own rule, looking back: "
        "charged when the 30- and 90-day historical days of supply (average FBA stock ÷ units "
        "a day) are both under 28; exempt (why); clear; unknown without FBA stock history in "
        "the history store. With the units on hand that would clear it and the fee at stake "
        "(Size tier). The FEE RISK flag looks forward instead (Cover incl. inbound): when the "
        "two differ, the cell ends with why (inbound that will lift the average, or stock "
        "so low the fee is coming).",
        "next_inbound_eta": "First inbound arriving after the stockout starts.",
        "gap_days": "Days out of stock before that inbound (or a regular order placed today) "
        "lands.",
        "lost_units": "Sales lost in the gap if nothing is done.",
        "lost_revenue": "Lost units × Price.",
        "safety_stock": "Buffer for the forecast's error and lead-time swings (service_level, "
        "safety_days).",
        "reorder_point": "Forecast × lead time + Safety stock: order when stock falls to it.",
        "reorder_by": "Last day to place a regular order (default_mode) before stock dips "
        "under Safety stock. Today or earlier = REORDER NOW.",
        "reorder_qty": "Units to order: fills up to cover_target_days when it lands, rounded to "
        "Case pack, at least MOQ.",
        "air_arrival": "Earliest day air freight could bring units: a batch not shipped yet, "
        "else a new order (production, or rush_production_days).",
        "option_cost": "Extra cost of the Action's options: freight over the usual mode (Unit "
        "weight kg × the per-kg Settings), transfer or FBM cost. Blank = unknown.",
        "margin_saved": "Units the Action's options sell instead of losing × (Price − Unit "
        "cost). Options are ranked by Margin saved − Option cost.",
        "action_text": "What to do now, the best option, with the numbers behind it (units, "
        "landing day, cost), then with '· and' what to do as well (a transfer, FBM or a flight "
        "from another source for the part of the gap still open; place the regular order, chase "
        "an overdue shipment, relaunch). SWITCH TO FBM ships from your FBM stock first, then Stock "
        "elsewhere that ships FBM, cheapest per unit first. The alternatives are under Other "
        "options.",
        "other_options": "The other ways out, best first, each with its numbers.",
        "basis": "What the forecast saw, with its evidence (e.g. season ×2.1 from Nov 20 (last "
        "year, 350 in-stock days)), then how Daily sales was found: per window, its average "
        "and (in-stock days), e.g. 7d 6.0 (6) = 6.0 a day over 6 in-stock days of the last 7; "
        "– = no in-stock day.",
        "updated": "When this row was refreshed.",
        "amazon_qty": "Amazon's own suggestion (Restock report), to compare.",
        "amazon_date": "Amazon's suggested order date (Restock report).",
    },
    wb.DRAFTS: {
        "key": "Identifies the draft across refreshes. Do not edit.",
        "kind": "buyer_delay, supplier_expedite, forwarder_air, amazon_receiving, "
        "offer_restock, relaunch_plan, postmortem or alert_digest.",
        "to": "Who to send it to (e-mail where the data has one).",
        "body": "The message: edit freely, then copy it into your mail or Seller Central.",
        "warnings": "Check these before sending (e.g. a buyer-message rule).",
        "status": "Yours: set sent or skip and the refresh never touches the row again.",
    },
    wb.INCIDENTS: {
        "started": "First day the SKU had nothing sellable.",
        "ended": "Day stock came back (blank = still out).",
        "cause": "Yours: production delay, shipping delay, sales spike, …",
        "lessons": "Yours: what to change next time.",
        "actions": "Yours: who does what.",
        "suggested_cause": "The refresh's guess from the data, with the evidence and a lesson "
        "for Settings: surge, late order, slipped ETA, receiving. Needs the history store.",
    },
    wb.PROBLEMS: {
        "tab": "Tab with the bad cell. The rest of the workbook still refreshed.",
        "problem": "What was wrong and what the refresh did instead.",
    },
}


def settings_grid(values: dict[str, Any] | None = None) -> list[list[Any]]:
    """Key | Value | Description for every setting the code reads (values override defaults)."""
    given = dict(values or {})
    rows: list[list[Any]] = [wb.headers(wb.SETTINGS)]
    for key, default in st.DEFAULTS.items():
        rows.append([key, given.get(key, default), setting_description(key)])
    return rows


def setting_description(key: str) -> str:
    """`Transit by sea … (days). Default: 35.` for the Settings tab's Description column."""
    text, unit = st.HELP.get(key, ("", ""))
    default = st.DEFAULTS.get(key)
    shown = "blank" if default in (None, "") else str(default)
    unit_part = f" Unit: {unit}." if unit else ""
    return f"{text}{unit_part} Default: {shown}.".strip()


def header_notes(tab: str, header: list[str], language: str = "en") -> dict[str, str]:
    """Header -> note for the tab's own columns (user columns get none)."""
    notes = NOTES.get(tab, {})
    own = wb.headers(tab, language) if tab in wb.SCHEMA else []
    keys = [c.key for c in wb.SCHEMA.get(tab, [])]
    return {h: notes[k] for h, k in zip(own, keys, strict=True) if k in notes and h in header}


def input_validations(tab: str) -> list[Validation]:
    """The dropdowns and input checks of an input tab's columns, by their kind."""
    out: list[Validation] = []
    for col in wb.SCHEMA.get(tab, []):
        head = col.header
        if col.key == "mode":
            out.append(Validation(head, "list", MODES, "sea, air, express or transfer"))
        elif col.key == "status":
            out.append(Validation(head, "list", STATUSES, "where the batch is"))
        elif col.kind == "bool":
            out.append(Validation(head, "list", ("TRUE", "FALSE"), "TRUE or FALSE"))
        elif col.kind == "date":
            out.append(Validation(head, "date", message="a date, e.g. 2026-12-31"))
        elif col.kind == "number":
            out.append(Validation(head, "number", message="a number, 0 or more"))
    return out


START_TITLE = "stockout-kit: start here"

#: (step, what to do) of the Start tab, in order.
START_STEPS: list[tuple[str, str]] = [
    (
        "1. Settings",
        "Check the lead times (production_days, sea_days, air_days, receiving_days), "
        "currency, store_name and sender_name. Each key says what it does in Description; a blank "
        "Value uses the default.",
    ),
    (
        "2. Inventory",
        "One row per SKU: SKU and Available are required; add Price, Unit cost, "
        "Case pack, MOQ and Supplier for priced options and order sizes, and Season (or a "
        "Category with a Settings row season_<category>) for seasonal products.",
    ),
    (
        "3. Sales",
        "One row per SKU per day: Date, SKU, Units (a few weeks at least; 90 days is "
        "best). Or import Amazon reports: stockout import BOOK FILE…",
    ),
    (
        "4. Inbound",
        "Every shipment on its way: SKU, Qty, ETA (the day it becomes sellable), Mode and Status.",
    ),
    (
        "5. Promotions, Orders, Stock elsewhere",
        "Optional: planned deals (Uplift 1.8 = 80 % more sales), open "
        "FBM orders a stockout could delay, and stock at a 3PL, AWD or overseas warehouse "
        "that could be transferred or shipped FBM.",
    ),
    (
        "6. Refresh",
        "The Planner tab already shows each SKU's dates, live. A refresh writes Alerts, Drafts, "
        "Incidents, Problems and Timeline (below: how).",
    ),
    (
        "7. Read Alerts",
        "Most urgent first: Alert, Action and the dates. Hover a header for what "
        "it means. Then Drafts: messages ready to send; set Status to sent or skip.",
    ),
]

#: Tab -> what it is for.
TAB_PURPOSE: dict[str, str] = {
    wb.SETTINGS: "you: planning rules (lead times, warning lines, currency, names)",
    wb.INVENTORY: "you: one row per SKU, stock now and product facts",
    wb.SALES: "you: daily units per SKU (long format)",
    wb.INBOUND: "you: shipments on their way",
    wb.PROMOTIONS: "you: planned deals that lift sales",
    wb.ORDERS: "you: open FBM / pre-orders a stockout could delay",
    wb.STOCK_ELSEWHERE: "you: stock outside FBA (3PL, AWD, overseas) to transfer or ship FBM",
    PLANNER: "live formulas: Days of cover, Stockout date, Reorder by and Alert per SKU, "
    "recomputed as soon as you edit Available or Sales (no refresh needed)",
    wb.ALERTS: "refresh: every SKU, most urgent first, with what to do",
    wb.DRAFTS: "refresh: messages to buyers, suppliers, forwarder, Amazon",
    wb.INCIDENTS: "refresh + you: each stockout, for the review afterwards",
    wb.PROBLEMS: "refresh: cells it could not read (the rest still refreshed)",
    wb.TIMELINE: "refresh: projected stock of the urgent SKUs, with out-of-stock days",
}

REFRESH_HOW: list[tuple[str, str]] = [
    ("Command line", "stockout refresh BOOK.xlsx (close the file in Excel first)"),
    ("Excel (Windows)", "stockout excel-init NAME makes NAME.xlsm with a Refresh button"),
    (
        "Google Sheets",
        "stockout apps-script DIR, then follow DIR/SETUP.md: Stockout menu > Refresh",
    ),
]


def start_grid(book: str = "BOOK.xlsx") -> list[list[str]]:
    """The Start tab as rows: steps, the tabs and their purpose, how to refresh."""
    rows: list[list[str]] = [[START_TITLE, ""], ["", ""], ["What to fill, in this order", ""]]
    rows += [[step, text] for step, text in START_STEPS]
    rows += [["", ""], ["Tabs", ""]]
    rows += [[tab, purpose] for tab, purpose in TAB_PURPOSE.items()]
    rows += [["", ""], ["How to refresh", ""]]
    rows += [[where, how.replace("BOOK.xlsx", book)] for where, how in REFRESH_HOW]
    rows += [["", ""], ["Help", "stockout --help, and stockout COMMAND --help for each command"]]
    return rows


def empty_refresh_hint(skus: int, no_data: int) -> str | None:
    """What to fill first when a refresh had nothing (or no history) to plan."""
    if skus == 0:
        return (
            "Nothing to plan yet: fill the Inventory tab (SKU and Available, one row per SKU), "
            "then Sales (Date, SKU, Units), and refresh again. The Start tab shows the order."
        )
    if no_data == skus:
        return (
            "No sales history yet, so every SKU is NO DATA: fill the Sales tab (Date, SKU, "
            "Units, one row per SKU per day) or import Amazon reports with `stockout import`."
        )
    return None
