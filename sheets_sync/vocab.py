"""Shared words: one list per idea, so every module says the same thing the same way.

The sheet's language (Settings `sheet_language`: `en` or `zh`) changes the words written into
output tabs; reading a tab back turns them into the English ones the plan uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from addin import capacity, formulas, supply
from addin.lite_refresh import translated

#: Alert levels, most urgent first: the Alerts tab's order, the digest's, the Timeline's choice
#: (and the menu's toast in Menu.gs). NO DATA comes before OK: it needs a look, OK does not.
ALERT_ORDER = (
    formulas.OUT, formulas.CRITICAL, formulas.WARNING, formulas.WATCH, formulas.NO_DATA,
    formulas.OK,
)  # fmt: skip
SEVERITY = {level: i for i, level in enumerate(ALERT_ORDER)}
#: How dangerous a level is, worse is higher, to tell when a SKU got worse. NO DATA is no danger
#: and is never announced.
DANGER = {
    level: n for n, level in enumerate(reversed([a for a in ALERT_ORDER if a != formulas.NO_DATA]))
}


@dataclass(frozen=True)
class Marketplace:
    """One Amazon marketplace: its domain (after `amazon.`), its country as Seller Central
    writes it (UK for the United Kingdom), its buyers' usual language and the time zone its
    business day runs in (a report's local day)."""

    domain: str
    country: str
    language: str
    timezone: str

    @property
    def channel(self) -> str:
        """The sales channel as reports write it: `amazon.co.uk`."""
        return f"amazon.{self.domain}"

    @property
    def iso_country(self) -> str:
        """The ISO 3166 code (GB for the United Kingdom), as locales want it."""
        return COUNTRY_ALIASES.get(self.country, self.country)


#: Country codes Amazon writes that are not ISO 3166.
COUNTRY_ALIASES = {"UK": "GB"}
MARKETPLACES: tuple[Marketplace, ...] = (
    Marketplace("com", "US", "en", "America/Los_Angeles"),
    Marketplace("ca", "CA", "en", "America/Los_Angeles"),
    Marketplace("com.mx", "MX", "es", "America/Mexico_City"),
    Marketplace("com.br", "BR", "pt", "America/Sao_Paulo"),
    Marketplace("co.uk", "UK", "en", "Europe/London"),
    Marketplace("ie", "IE", "en", "Europe/Dublin"),
    Marketplace("de", "DE", "de", "Europe/Berlin"),
    Marketplace("fr", "FR", "fr", "Europe/Paris"),
    Marketplace("com.be", "BE", "fr", "Europe/Brussels"),
    Marketplace("it", "IT", "it", "Europe/Rome"),
    Marketplace("es", "ES", "es", "Europe/Madrid"),
    Marketplace("nl", "NL", "nl", "Europe/Amsterdam"),
    Marketplace("se", "SE", "sv", "Europe/Stockholm"),
    Marketplace("pl", "PL", "pl", "Europe/Warsaw"),
    Marketplace("com.tr", "TR", "tr", "Europe/Istanbul"),
    Marketplace("ae", "AE", "en", "Asia/Dubai"),
    Marketplace("sa", "SA", "ar", "Asia/Riyadh"),
    Marketplace("eg", "EG", "ar", "Africa/Cairo"),
    Marketplace("in", "IN", "en", "Asia/Kolkata"),
    Marketplace("co.jp", "JP", "ja", "Asia/Tokyo"),
    Marketplace("com.au", "AU", "en", "Australia/Sydney"),
    Marketplace("sg", "SG", "en", "Asia/Singapore"),
)
BY_CHANNEL = {m.channel: m for m in MARKETPLACES}
BY_DOMAIN = {m.domain: m for m in MARKETPLACES}


def marketplace_of_country(code: str) -> Marketplace | None:
    """The marketplace of a country code (`DE`, `UK` or `GB`), if Amazon has one there."""
    iso = COUNTRY_ALIASES.get(code.strip().upper(), code.strip().upper())
    return next((m for m in MARKETPLACES if m.iso_country == iso), None)


#: Inbound statuses (any case) that mean the shipment no longer counts as on its way.
FINISHED_INBOUND = frozenset(w for w, stage in supply.STAGES.items() if stage == supply.CLOSED)
#: Orders Status words of `stockout import`: lines of the latest unshipped report, and lines an
#: earlier report listed and the latest no longer does (Amazon does not say which of the two).
UNSHIPPED, SHIPPED = "unshipped", "shipped or cancelled"
#: Orders statuses (any case) that take an order out of the plan: no delay notice for it.
FINISHED_ORDERS = frozenset(
    {SHIPPED, "shipped", "cancelled", "canceled", "removed", "delivered", "done", "closed"}
)

#: The words of the plan (alert levels, actions, flags) in a Chinese sheet.
ZH_WORDS = {
    formulas.OUT: "断货", formulas.CRITICAL: "紧急", formulas.WARNING: "警告",
    formulas.WATCH: "关注", formulas.OK: "正常", formulas.NO_DATA: "无数据",
    formulas.SWITCH_TO_FBM: "切换自发货", formulas.EXPEDITE_BY_AIR: "空运加急",
    formulas.EXPEDITE_BY_EXPRESS: "快递加急", formulas.SLOW_SALES: "控制销量",
    formulas.PAUSE_AND_NOTIFY: "暂停并通知", formulas.REORDER_NOW: "立即补货",
    formulas.REORDER_SOON: "尽快补货", formulas.RELAUNCH: "重新推广",
    formulas.LEAD_TIME_RISK: "交期风险", formulas.FEE_RISK: "低库存费风险",
    formulas.OVERSTOCK: "库存过多", formulas.INBOUND_OVERDUE: "在途逾期",
    formulas.TREND_UP: "销量上升", formulas.TRANSFER: "调拨",
    formulas.CHASE_INBOUND: "催查在途", capacity.CAPACITY: "仓容不足",
    formulas.NO_SALES: "无销量", formulas.SHORT_HISTORY: "历史不足",
}  # fmt: skip


def sheet_words(value: Any, language: str) -> Any:
    """`value` with the plan's English words in the sheet's language (other values as they are)."""
    return translated(value, ZH_WORDS) if language == "zh" else value


_FROM_ZH = {zh: en for en, zh in ZH_WORDS.items()}

#: Inbound Status words in a Chinese draft (each side is a `supply.STAGES` word of the same
#: stage): the factory and the forwarder read a batch's state in their draft's language.
STATUS_ZH = {
    "planned": "计划", "in production": "生产中", "production": "生产中", "ready": "待发货",
    "made": "已完成", "shipped": "已发货", "in transit": "运输中", "receiving": "上架中",
    "checked in": "上架中", "checked-in": "上架中", "delivered": "已送达",
}  # fmt: skip
#: And back, for an English draft of a batch whose Status the seller wrote in Chinese.
STATUS_EN = {zh: en for en, zh in reversed(STATUS_ZH.items())}


def status_in(word: str, language: str) -> str:
    """A batch's status word (`supply.status_word`) in a draft's language; a word the
    vocabulary does not know stays as the seller wrote it."""
    if language == "zh":
        return STATUS_ZH.get(word.lower(), word)
    return STATUS_EN.get(word, word)


def english_words(value: Any) -> Any:
    """A single word written by `sheet_words` back in English (anything else as it is)."""
    return _FROM_ZH.get(value, value) if isinstance(value, str) else value
