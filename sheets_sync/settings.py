"""The Settings tab's settings, each defined once: its typed field and default (the math's in
`addin.formulas.Settings`, the words' here), what it does, its unit and its choices.

A refresh reads the tab into one `Settings` (`sheets_sync.inputs.read_settings`); the plan, the
drafts and the alerts read its typed fields. The starter workbook, the Settings tab's
Description column and the Apps Script's defaults (`Schema.gs`) come from `HELP` and `DEFAULTS`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from addin import formulas
from sheets_sync.types import Cell


@dataclass
class Settings(formulas.Settings):
    """Every setting: the math's (inherited) and the words' (languages, names, channels).

    A blank text setting is "" (no store name, no alert e-mail); `as_of` None means today.
    """

    as_of: dt.date | None = None
    language: str = "en"
    supplier_language: str = "zh"
    sheet_language: str = "en"
    currency: str = "USD"
    alert_email_to: str = ""
    forwarder_name: str = ""
    forwarder_email: str = ""
    alert_webhook_url: str = ""
    store_name: str = ""
    sender_name: str = ""
    templates_path: str = ""
    locale: str = "en-US"
    handling_time_days: int = 2
    size_tier: str = ""
    category_cvr_pct: Cell = None  # as typed (10%, 0.1 or 10): sheets_sync.relaunches reads it
    fba_capacity: Cell = None  # as typed (`standard 1200, oversize 300`): addin.capacity reads it
    capacity_unit: str = "cu ft"


#: Settings key -> (what it does, unit), in the order of the starter Settings tab.
HELP: dict[str, tuple[str, str]] = {
    "as_of": ("Plan as of this date (the day counted as today). Blank = today.", "date"),
    "warn_days": (
        "Days-to-stockout lines for WATCH, WARNING and CRITICAL (largest first): a SKU that "
        "runs out within 30 days is WATCH, within 15 WARNING, within 7 CRITICAL.",
        "days, comma-separated",
    ),
    "velocity_windows": (
        "Recent windows averaged for Daily sales; only in-stock days count, so a stockout "
        "does not drag the forecast down.",
        "days, comma-separated",
    ),
    "velocity_weights": (
        "Weight of each window above (renormalised when a window has no in-stock day).",
        "fractions, comma-separated",
    ),
    "service_level": (
        "Chance of not running out while an order is on its way; sets Safety stock.",
        "fraction, e.g. 0.95 = 95 %",
    ),
    "safety_days": ("Safety stock is at least this many days of sales.", "days"),
    "cover_target_days": (
        "A reorder fills stock up to this many days of sales on the day it lands.",
        "days",
    ),
    "lead_time_sd_days": (
        "How much the lead time varies (standard deviation); raises Safety stock.",
        "days",
    ),
    "production_days": (
        "Factory days from order to goods ready. The Inventory column of the same name "
        "overrides it per SKU.",
        "days",
    ),
    "sea_days": ("Transit by sea, factory to Amazon's warehouse (per-SKU column wins).", "days"),
    "air_days": ("Transit by air, factory to Amazon's warehouse (per-SKU column wins).", "days"),
    "express_days": ("Transit by express parcel (per-SKU column wins).", "days"),
    "receiving_days": (
        "Days Amazon takes from delivery to sellable (per-SKU column wins).",
        "days",
    ),
    "default_mode": ("How regular reorders ship: sea, air or express.", "mode"),
    "horizon_days": ("How far ahead stock is projected.", "days"),
    "fee_line_days": (
        "Amazon's low-inventory-level fee applies under this many days of supply: "
        "Cover incl. inbound below it raises the FEE RISK flag.",
        "days",
    ),
    "overstock_days": (
        "Cover incl. inbound above this raises the OVERSTOCK flag (storage fees).",
        "days",
    ),
    "fbm_enabled": (
        "Can you ship orders yourself (FBM) while FBA is out? no = never suggest SWITCH TO FBM.",
        "yes/no",
    ),
    "coupon_pct": ("Coupon of the relaunch plan after a stockout.", "%"),
    "ad_boost_pct": ("Extra ad budget during the relaunch.", "%"),
    "relaunch_days": (
        "A SKU back in stock within this many days of a stockout gets the RELAUNCH action.",
        "days",
    ),
    "language": (
        "Language of buyer messages when an order's Language and Marketplace do not say "
        "(en, de, fr, it, es, ja, zh).",
        "language code",
    ),
    "supplier_language": ("Language of supplier and forwarder drafts.", "language code"),
    "sheet_language": ("Language of output headers and alert words: en or zh.", "en/zh"),
    "currency": (
        "Currency of Price and Unit cost (USD, EUR, GBP, JPY, CNY, …); money columns are "
        "formatted in it. It does not decide how dates are read: locale does.",
        "ISO code",
    ),
    "alert_email_to": (
        "Who gets alert e-mails (comma-separated). Blank = none. The mail server comes from "
        "the STOCKOUT_SMTP_* environment variables, never from this sheet.",
        "e-mail addresses",
    ),
    "forwarder_name": (
        "Your freight forwarder's name: greets them in the air and express freight requests "
        "and names them in its To. Blank = To says [forwarder].",
        "text",
    ),
    "forwarder_email": (
        "Your freight forwarder's e-mail: the To of the air and express freight requests. "
        "Blank = To says where to add it.",
        "e-mail address",
    ),
    "alert_webhook_url": (
        "Chat webhook (Slack, Teams, …) for alerts. Blank = none; the environment variable "
        "STOCKOUT_WEBHOOK_URL wins over it.",
        "URL",
    ),
    "store_name": ("Your store's name: signs buyer messages.", "text"),
    "sender_name": (
        "Your name: signs supplier, forwarder and Seller Support messages.",
        "text",
    ),
    "templates_path": (
        "Folder of your own message templates, relative to the workbook; a file there wins "
        "over the shipped one of the same name. Blank = a `templates` folder beside the "
        "workbook, if any.",
        "folder",
    ),
    "sea_cost_per_kg": ("Freight cost by sea, to price the options.", "money per kg"),
    "air_cost_per_kg": ("Freight cost by air, to price EXPEDITE BY AIR.", "money per kg"),
    "express_cost_per_kg": (
        "Freight cost by express, to price EXPEDITE BY EXPRESS.",
        "money per kg",
    ),
    "rush_production_days": (
        "Factory days for a rushed order. Blank = the factory cannot rush.",
        "days",
    ),
    "fbm_cost_per_unit": (
        "Extra cost of shipping one unit yourself (FBM). Blank = same as FBA.",
        "money per unit",
    ),
    "locale": (
        "How you write dates and numbers typed as text (en-US, en-GB, de-DE, zh-CN, …). Only "
        "a column that cannot tell by itself (03/11/2026 with no day over 12; 1.200) follows "
        "it, and is listed on Problems with what was assumed.",
        "locale code",
    ),
    "handling_time_days": (
        "Days you take to ship an FBM order: an order without a Promised date gets Purchase "
        "date + this, marked Promise estimated.",
        "days",
    ),
    "size_tier": (
        "Amazon's size tier of most of your SKUs (small standard, large standard, small "
        "bulky, large bulky): prices the low-inventory-level fee (US rates). The Inventory "
        "column Size tier wins per SKU. Blank = fee per unit not shown.",
        "tier",
    ),
    "category_cvr_pct": (
        "Your category's conversion rate (units ordered per 100 sessions): with traffic data "
        "imported, a relaunch is over when the SKU converts at least this well (or as well as "
        "before the stockout, if that was lower). Inventory's Category CVR % wins per SKU.",
        "%",
    ),
    "fba_capacity": (
        "Your FBA capacity limits per storage type for this month, as Amazon states them "
        "(e.g. standard 1200, oversize 300). When the recommended orders do not fit, they are "
        "cut (CAPACITY flag): the most urgent SKUs get a month of sales first, then the best "
        "margin per cubic foot. Blank = no limit.",
        "storage type and limit, comma-separated",
    ),
    "capacity_unit": (
        "What fba_capacity counts: cu ft (Amazon's unit, with Inventory Unit volume cu ft) or "
        "units.",
        "cu ft/units",
    ),
}

#: Settings keys whose value is one of a few words: the dropdown of the Value cell.
CHOICES: dict[str, tuple[str, ...]] = {
    "fbm_enabled": ("yes", "no"),
    "default_mode": ("sea", "air", "express"),
    "capacity_unit": ("cu ft", "units"),
    "sheet_language": ("en", "zh"),
    "language": ("en", "de", "fr", "it", "es", "ja", "zh"),
    "supplier_language": ("zh", "en", "de", "fr", "it", "es", "ja"),
}


def cell_text(value: Any) -> Any:
    """A setting's value as typed in a cell: lists comma-separated, yes/no, blank for none."""
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return None if value == "" else value


#: Settings key -> its default as a Settings cell shows it (`30,15,7`, `yes`, blank).
DEFAULTS: dict[str, Any] = {key: cell_text(getattr(Settings(), key)) for key in HELP}
