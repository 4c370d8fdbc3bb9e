"""The workbook contract (SPEC §2): tabs, headers, aliases, formats, and the Problems list.

Users type, paste and import into these tabs, so headers match case-insensitively and ignore
spaces, `-` and `_`, and Chinese and Amazon report names are accepted. Reading the input tabs is
`sheets_sync.inputs`; building the output tabs is `sheets_sync.outputs`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from addin.names import missing_columns
from sheets_sync.settings import DEFAULTS
from sheets_sync.types import Grid, TargetError

SETTINGS, INVENTORY, SALES, INBOUND, PROMOTIONS, ORDERS, STOCK_ELSEWHERE = (
    "Settings", "Inventory", "Sales", "Inbound", "Promotions", "Orders", "Stock elsewhere",
)  # fmt: skip
ALERTS, DRAFTS, INCIDENTS, PROBLEMS, TIMELINE = (
    "Alerts", "Drafts", "Incidents", "Problems", "Timeline",
)  # fmt: skip
INPUT_TABS = (SETTINGS, INVENTORY, SALES, INBOUND, PROMOTIONS, ORDERS, STOCK_ELSEWHERE)
#: Input tabs a refresh cannot do without (a refusal names them); the others may be absent and
#: read as empty, unless a tab with a near name looks like a renamed one.
REQUIRED_TABS = (INVENTORY, SALES)
DATA_TABS = INPUT_TABS[1:]  # the tables of rows (Settings is keys and values)
#: The last Alerts column of the at-a-glance part (printed; the details follow it).
ALERTS_AT_A_GLANCE = "lost_revenue"
OUTPUT_TABS = (ALERTS, DRAFTS, INCIDENTS, PROBLEMS, TIMELINE)


@dataclass(frozen=True)
class Column:
    """One column of a tab: internal key, English header, kind, and what else it may be called.

    `kind` says how a cell is read; `shown`, when set, how it is shown (a `FormatKind`, or
    `general` for as typed) where that differs: units are read as numbers (a typed 180.5 is
    still 180.5) but shown as whole numbers, a price as money in the Settings currency.
    """

    key: str
    header: str
    kind: str = "text"  # text | number | days | int | date | bool | datetime | pct | money | list
    required: bool = False
    aliases: tuple[str, ...] = ()
    zh: str = ""
    shown: str = ""


def _c(key, header, kind="text", required=False, aliases=(), zh="", shown=""):
    return Column(key, header, kind, required, tuple(aliases), zh, shown)


SCHEMA: dict[str, list[Column]] = {
    SETTINGS: [
        _c("key", "Key", required=True, zh="参数"),
        _c("value", "Value", zh="值"),
        _c("description", "Description", zh="说明"),
    ],
    INVENTORY: [
        _c("sku", "SKU", required=True, aliases=["seller-sku", "merchant sku", "msku", "卖家SKU"]),
        _c("asin", "ASIN"),
        _c("title", "Title", aliases=["product-name", "product name", "标题", "品名"]),
        _c(
            "available",
            "Available",
            "number",
            True,
            ["afn-fulfillable-quantity", "fulfillable", "sellable", "可售库存", "可售", "可售数量"],
            shown="int",
        ),
        _c(
            "reserved", "Reserved", "number", aliases=["afn-reserved-quantity", "预留"], shown="int"
        ),
        _c(
            "fbm_stock",
            "FBM stock",
            "number",
            aliases=["mfn-fulfillable-quantity", "fbm", "海外仓库存", "自发货库存"],
            shown="int",
        ),
        _c("price", "Price", "number", aliases=["your-price", "售价", "价格"], shown="money"),
        _c("unit_cost", "Unit cost", "number", aliases=["cost", "采购成本", "成本"], shown="money"),
        _c(
            "case_pack",
            "Case pack",
            "number",
            aliases=["units per case", "箱规", "装箱数"],
            shown="int",
        ),
        _c("moq", "MOQ", "number", aliases=["minimum order quantity", "起订量"], shown="int"),
        _c(
            "unit_weight",
            "Unit weight kg",
            "number",
            aliases=["weight", "单件重量"],
            shown="general",
        ),
        _c("supplier", "Supplier", aliases=["供应商"]),
        _c("production_days", "Production days", "days", aliases=["生产周期"], shown="int"),
        _c("sea_days", "Sea days", "days", aliases=["海运天数"], shown="int"),
        _c("air_days", "Air days", "days", aliases=["空运天数"], shown="int"),
        _c("express_days", "Express days", "days", aliases=["快递天数"], shown="int"),
        _c("receiving_days", "Receiving days", "days", aliases=["上架天数"], shown="int"),
        _c("season", "Season", aliases=["seasonality", "seasonal profile", "季节", "季节性"]),
        _c("size_tier", "Size tier", aliases=["product size tier", "尺寸分段"]),
        _c("fee_exempt", "Fee exempt", aliases=["低库存费豁免"]),
        _c(
            "category_cvr",
            "Category CVR %",
            "number",
            aliases=["category conversion", "category conversion rate", "类目转化率"],
            shown="general",
        ),
        _c("category", "Category", aliases=["product category", "品类", "类目"]),
        _c("storage_type", "Storage type", aliases=["storage-type", "存储类型"]),
        _c(
            "unit_volume",
            "Unit volume cu ft",
            "number",
            aliases=["per-unit-volume", "单件体积"],
            shown="general",
        ),
        _c("supplier_email", "Supplier e-mail", aliases=["supplier email", "供应商邮箱"]),
    ],
    SALES: [
        _c("date", "Date", "date", True, ["day", "日期"]),
        _c("sku", "SKU", required=True, aliases=["seller-sku", "msku"]),
        _c(
            "units",
            "Units",
            "number",
            True,
            ["units ordered", "quantity", "销量", "件数"],
            shown="int",
        ),
        _c("in_stock", "In stock", "bool", aliases=["instock", "有货"]),
    ],
    INBOUND: [
        _c("sku", "SKU", required=True, aliases=["seller-sku", "msku"]),
        _c("qty", "Qty", "number", True, ["quantity", "units", "数量"], shown="int"),
        _c("eta", "ETA", "date", True, ["arrival", "arrival date", "预计到货", "到货日期"]),
        _c("mode", "Mode", aliases=["shipping mode", "运输方式"]),
        _c("shipment_id", "Shipment ID", aliases=["shipment", "货件编号"]),
        _c("status", "Status", aliases=["状态"]),
        _c("ready_date", "Ready date", "date", aliases=["ready", "完工日期", "出货日期"]),
        _c("supplier", "Supplier", aliases=["供应商"]),
    ],
    STOCK_ELSEWHERE: [
        _c("sku", "SKU", required=True, aliases=["seller-sku", "msku"]),
        _c("location", "Location", required=True, aliases=["warehouse", "仓库", "位置"]),
        _c("qty", "Qty", "number", True, ["quantity", "units", "数量"], shown="int"),
        _c("transfer_days", "Transfer days", "number", aliases=["调拨天数"], shown="int"),
        _c("ships_fbm", "Ships FBM", "bool", aliases=["fbm", "可自发货"]),
        _c("cost_per_unit", "Cost per unit", "number", aliases=["cost", "单件费用"], shown="money"),
    ],
    PROMOTIONS: [
        _c("sku", "SKU", required=True),
        _c("start", "Start", "date", True, ["开始"]),
        _c("end", "End", "date", True, ["结束"]),
        _c("uplift", "Uplift", "number", True, ["multiplier", "系数"], shown="general"),
    ],
    ORDERS: [
        _c(
            "order_id", "Order ID", required=True, aliases=["amazon-order-id", "order-id", "订单号"]
        ),
        _c("sku", "SKU", required=True),
        _c("qty", "Qty", "number", aliases=["quantity-purchased", "quantity"], shown="int"),
        _c("purchase_date", "Purchase date", "date", aliases=["purchase-date"]),
        _c(
            "promised_date",
            "Promised date",
            "date",
            True,
            ["promise date", "latest ship date", "latest-ship-date", "delivery-end-date"],
        ),
        _c("buyer_name", "Buyer name", aliases=["buyer-name", "buyer"]),
        _c("marketplace", "Marketplace", aliases=["sales-channel", "站点"]),
        _c("language", "Language", aliases=["语言"]),
        _c("status", "Status", aliases=["order-status", "状态"]),
        _c("promise_estimated", "Promise estimated", "bool", aliases=["承诺日期为估计"]),
        _c("buyer_email", "Buyer e-mail", aliases=["buyer-email", "buyer email", "买家邮箱"]),
        _c("title", "Title", aliases=["product-name", "product name", "item name", "商品名称"]),
    ],
    # What a seller reads at a glance first (through `ALERTS_AT_A_GLANCE`), details after.
    # This list is the one place the column order is defined: add a column where it belongs.
    ALERTS: [
        _c("sku", "SKU"),
        _c("title", "Title", zh="标题"),
        _c("alert", "Alert", zh="预警"),
        _c("action_text", "Action", zh="建议"),
        _c("days_to_stockout", "Days to stockout", "int", zh="距断货天数"),
        _c("stockout_date", "Stockout date", "date", zh="断货日期"),
        _c("reorder_by", "Reorder by", "date", zh="最晚下单日"),
        _c("reorder_qty", "Reorder qty", "int", zh="补货数量"),
        _c("available", "Available", "int", zh="可售库存"),
        _c("inbound", "Inbound", "int", zh="在途"),
        _c("daily_sales", "Daily sales", "number", zh="日销量"),
        _c("forecast_rate", "Forecast", "number", zh="预测日销量"),
        _c("days_of_cover", "Days of cover", "number", zh="可售天数"),
        _c("stockout_risk", "Stockout risk", "pct", zh="断货概率"),
        _c("next_inbound_eta", "Next inbound ETA", "date", zh="下批到货日"),
        _c("gap_days", "Gap days", "int", zh="断货天数"),
        _c("lost_revenue", "Lost revenue", "money", zh="损失销售额"),
        _c("option_cost", "Option cost", "money", zh="方案费用"),
        _c("margin_saved", "Margin saved", "money", zh="挽回毛利"),
        _c("other_options", "Other options", zh="其他方案"),
        _c("flags", "Flags", "list", zh="标记"),
        _c("low_inventory_fee", "Low-inventory fee", zh="低库存费"),
        _c("trend", "Trend", "number", zh="趋势"),
        _c("cover_incl_inbound", "Cover incl. inbound", "number", zh="含在途可售天数"),
        _c("lost_units", "Lost units", "int", zh="损失件数"),
        _c("safety_stock", "Safety stock", "int", zh="安全库存"),
        _c("reorder_point", "Reorder point", "int", zh="补货点"),
        _c("air_arrival", "Air arrival", "date", zh="空运到货日"),
        _c("basis", "Basis", zh="依据"),
        _c("updated", "Updated", "datetime", zh="更新时间"),
        _c("amazon_qty", "Amazon qty", "int", zh="亚马逊建议数量"),
        _c("amazon_date", "Amazon date", "date", zh="亚马逊建议日期"),
    ],
    DRAFTS: [
        _c("key", "Key", zh="键"),
        _c("kind", "Kind", zh="类型"),
        _c("sku", "SKU"),
        _c("order_id", "Order ID", zh="订单号"),
        _c("language", "Language", zh="语言"),
        _c("to", "To", zh="收件人"),
        _c("subject", "Subject", zh="主题"),
        _c("body", "Body", zh="正文"),
        _c("warnings", "Warnings", zh="警告"),
        _c("created", "Created", "datetime", zh="创建时间"),
        _c("status", "Status", zh="状态"),
    ],
    INCIDENTS: [
        _c("sku", "SKU"),
        _c("started", "Started", "date", zh="开始"),
        _c("ended", "Ended", "date", zh="结束"),
        _c("days_out", "Days out", "int", zh="断货天数"),
        _c("lost_units", "Lost units", "int", zh="损失件数"),
        _c("lost_revenue", "Lost revenue", "money", zh="损失销售额"),
        _c("cause", "Cause", zh="原因"),
        _c("lessons", "Lessons", zh="教训"),
        _c("actions", "Actions", zh="改进措施"),
        _c("suggested_cause", "Suggested cause", zh="可能原因"),
    ],
    PROBLEMS: [
        _c("tab", "Tab", zh="工作表"),
        _c("row", "Row", "int", zh="行"),
        _c("column", "Column", zh="列"),
        _c("value", "Value", zh="值"),
        _c("problem", "Problem", zh="问题"),
    ],
}


def normalize_header(text: object) -> str:
    """`Days of cover`, `days-of-cover` and ` DAYS_OF_COVER* ` are the same header."""
    if text is None:
        return ""
    return re.sub(r"[\s\-_*\ufeff.]+", "", str(text)).casefold()


def headers(tab: str, language: str = "en") -> list[str]:
    """The header row of a tab in the sheet's language (`en` or `zh`)."""
    return [(c.zh or c.header) if language == "zh" else c.header for c in SCHEMA[tab]]


def header_of(tab: str, key: str, language: str = "en") -> str:
    """The header of column `key` of a tab in the sheet's language."""
    col = next(c for c in SCHEMA[tab] if c.key == key)
    return (col.zh or col.header) if language == "zh" else col.header


FORMATTED_KINDS = ("int", "number", "money", "date", "datetime", "pct")


def column_format(col: Column) -> str | None:
    """How a column's cells are shown (a `FormatKind`): its `shown` format where it has one,
    else its kind; None for as typed (text, flags, a weight or multiplier as entered)."""
    kind = col.shown or col.kind
    return kind if kind in FORMATTED_KINDS else None


def formats(tab: str, language: str = "en") -> dict[str, str]:
    """Header -> how its cells are shown (Tab.formats), for the tab's formatted columns."""
    return {
        header: kind
        for col, header in zip(SCHEMA[tab], headers(tab, language), strict=True)
        if (kind := column_format(col))
    }


def _lookup(tab: str) -> dict[str, Column]:
    names: dict[str, Column] = {}
    for col in SCHEMA[tab]:
        for name in (col.header, col.zh, col.key, *col.aliases):
            if name:
                names.setdefault(normalize_header(name), col)
    return names


#: Per tab, every normalised name a column may have (header, Chinese, key, aliases).
COLUMNS_BY_NAME = {tab: _lookup(tab) for tab in SCHEMA}


# --- problems ----------------------------------------------------------------------------


@dataclass
class Problem:
    tab: str
    row: int | None  # sheet row number (the header is row 1)
    column: str
    value: Any
    problem: str
    sku: str | None = None  # the SKU the cell belongs to, when it belongs to one


class Problems(list[Problem]):
    """Bad cells found during a refresh, in the order found."""

    def add(
        self,
        tab: str,
        row: int | None,
        column: str,
        value: Any,
        problem: str,
        sku: str | None = None,
    ) -> None:
        if isinstance(value, float) and np.isnan(value):
            value = None
        self.append(Problem(tab, row, column, value, problem, sku))


class MissingColumnError(TargetError):
    """A required column is missing: the tab cannot be read, so the refresh refuses (exit 2)."""

    def __init__(self, tab: str, missing: list[str], seen: list[Any]) -> None:
        self.tab = tab
        super().__init__(missing_columns(tab, missing, seen))


class MissingTabError(TargetError):
    """A required input tab is missing (or renamed): the refresh refuses and changes nothing."""


# --- starter workbook --------------------------------------------------------------------


def starter_tabs() -> dict[str, Grid]:
    """Every tab of an empty starter workbook: headers, and Settings with its defaults."""
    tabs: dict[str, Grid] = {}
    for tab in INPUT_TABS:
        tabs[tab] = [headers(tab)]
    tabs[SETTINGS] += [[k, v] for k, v in DEFAULTS.items()]
    for tab in OUTPUT_TABS:
        if tab in SCHEMA:
            tabs[tab] = [headers(tab)]
    return tabs
