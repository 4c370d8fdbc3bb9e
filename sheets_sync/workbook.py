"""The workbook contract (SPEC §2): tabs, headers, aliases, and turning cells into tables.

Users type, paste and import into these tabs, so reading is forgiving and loud: headers match
case-insensitively and ignore spaces, `-` and `_`; Chinese and Amazon report names are accepted;
every cell that cannot be read becomes a row on the Problems tab and the rest of the workbook
still refreshes. Parsing is vectorised: a year of daily sales for thousands of SKUs goes
through pandas, and only the odd cells fall back to the per-cell readers of `addin.formulas`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.formula.translate import Translator

from addin import formulas
from sheets_sync.types import Formula, Grid

SETTINGS, INVENTORY, SALES, INBOUND, PROMOTIONS, ORDERS = (
    "Settings", "Inventory", "Sales", "Inbound", "Promotions", "Orders",
)  # fmt: skip
ALERTS, DRAFTS, INCIDENTS, PROBLEMS, TIMELINE = (
    "Alerts", "Drafts", "Incidents", "Problems", "Timeline",
)  # fmt: skip
INPUT_TABS = (SETTINGS, INVENTORY, SALES, INBOUND, PROMOTIONS, ORDERS)
OUTPUT_TABS = (ALERTS, DRAFTS, INCIDENTS, PROBLEMS, TIMELINE)


@dataclass(frozen=True)
class Column:
    """One column of a tab: internal key, English header, kind, and what else it may be called."""

    key: str
    header: str
    kind: str = "text"  # text | number | int | date | bool | datetime | pct | money | list
    required: bool = False
    aliases: tuple[str, ...] = ()
    zh: str = ""


def _c(key, header, kind="text", required=False, aliases=(), zh=""):
    return Column(key, header, kind, required, tuple(aliases), zh)


SCHEMA: dict[str, list[Column]] = {
    SETTINGS: [_c("key", "Key", required=True, zh="参数"), _c("value", "Value", zh="值")],
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
        ),
        _c("reserved", "Reserved", "number", aliases=["afn-reserved-quantity", "预留"]),
        _c(
            "fbm_stock",
            "FBM stock",
            "number",
            aliases=["mfn-fulfillable-quantity", "fbm", "海外仓库存", "自发货库存"],
        ),
        _c("price", "Price", "number", aliases=["your-price", "售价", "价格"]),
        _c("unit_cost", "Unit cost", "number", aliases=["cost", "采购成本", "成本"]),
        _c("case_pack", "Case pack", "number", aliases=["units per case", "箱规", "装箱数"]),
        _c("moq", "MOQ", "number", aliases=["minimum order quantity", "起订量"]),
        _c("unit_weight", "Unit weight kg", "number", aliases=["weight", "单件重量"]),
        _c("supplier", "Supplier", aliases=["供应商"]),
        _c("production_days", "Production days", "number", aliases=["生产周期"]),
        _c("sea_days", "Sea days", "number", aliases=["海运天数"]),
        _c("air_days", "Air days", "number", aliases=["空运天数"]),
        _c("express_days", "Express days", "number", aliases=["快递天数"]),
        _c("receiving_days", "Receiving days", "number", aliases=["上架天数"]),
    ],
    SALES: [
        _c("date", "Date", "date", True, ["day", "日期"]),
        _c("sku", "SKU", required=True, aliases=["seller-sku", "msku"]),
        _c("units", "Units", "number", True, ["units ordered", "quantity", "销量", "件数"]),
        _c("in_stock", "In stock", "bool", aliases=["instock", "有货"]),
    ],
    INBOUND: [
        _c("sku", "SKU", required=True, aliases=["seller-sku", "msku"]),
        _c("qty", "Qty", "number", True, ["quantity", "units", "数量"]),
        _c("eta", "ETA", "date", True, ["arrival", "arrival date", "预计到货", "到货日期"]),
        _c("mode", "Mode", aliases=["shipping mode", "运输方式"]),
        _c("shipment_id", "Shipment ID", aliases=["shipment", "货件编号"]),
        _c("status", "Status", aliases=["状态"]),
    ],
    PROMOTIONS: [
        _c("sku", "SKU", required=True),
        _c("start", "Start", "date", True, ["开始"]),
        _c("end", "End", "date", True, ["结束"]),
        _c("uplift", "Uplift", "number", True, ["multiplier", "系数"]),
    ],
    ORDERS: [
        _c(
            "order_id", "Order ID", required=True, aliases=["amazon-order-id", "order-id", "订单号"]
        ),
        _c("sku", "SKU", required=True),
        _c("qty", "Qty", "number", aliases=["quantity-purchased", "quantity"]),
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
    ],
    ALERTS: [
        _c("sku", "SKU"),
        _c("title", "Title", zh="标题"),
        _c("available", "Available", "int", zh="可售库存"),
        _c("inbound", "Inbound", "int", zh="在途"),
        _c("daily_sales", "Daily sales", "number", zh="日销量"),
        _c("trend", "Trend", "number", zh="趋势"),
        _c("days_of_cover", "Days of cover", "number", zh="可售天数"),
        _c("cover_incl_inbound", "Cover incl. inbound", "number", zh="含在途可售天数"),
        _c("stockout_date", "Stockout date", "date", zh="断货日期"),
        _c("days_to_stockout", "Days to stockout", "int", zh="距断货天数"),
        _c("alert", "Alert", zh="预警"),
        _c("flags", "Flags", "list", zh="标记"),
        _c("next_inbound_eta", "Next inbound ETA", "date", zh="下批到货日"),
        _c("gap_days", "Gap days", "int", zh="断货天数"),
        _c("lost_units", "Lost units", "int", zh="损失件数"),
        _c("lost_revenue", "Lost revenue", "money", zh="损失销售额"),
        _c("safety_stock", "Safety stock", "int", zh="安全库存"),
        _c("reorder_point", "Reorder point", "int", zh="补货点"),
        _c("reorder_by", "Reorder by", "date", zh="最晚下单日"),
        _c("reorder_qty", "Reorder qty", "int", zh="补货数量"),
        _c("air_arrival", "Air arrival", "date", zh="空运到货日"),
        _c("action_text", "Action", zh="建议"),
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
    ],
    PROBLEMS: [
        _c("tab", "Tab", zh="工作表"),
        _c("row", "Row", "int", zh="行"),
        _c("column", "Column", zh="列"),
        _c("value", "Value", zh="值"),
        _c("problem", "Problem", zh="问题"),
    ],
}

SETTING_DEFAULTS: dict[str, Any] = {
    "as_of": None, "warn_days": "30,15,7", "velocity_windows": "7,30,90",
    "velocity_weights": "0.5,0.3,0.2", "service_level": 0.95, "safety_days": 7,
    "cover_target_days": 60, "lead_time_sd_days": 0, "production_days": 30, "sea_days": 35,
    "air_days": 10, "express_days": 6, "receiving_days": 10, "default_mode": "sea",
    "horizon_days": 365, "fee_line_days": 28, "overstock_days": 180, "fbm_enabled": "yes",
    "coupon_pct": 20, "ad_boost_pct": 30, "relaunch_days": 14, "language": "en",
    "supplier_language": "zh", "sheet_language": "en", "currency": "USD",
    "alert_email_to": None, "alert_webhook_url": None,
}  # fmt: skip


def normalize_header(text: object) -> str:
    """`Days of cover`, `days-of-cover` and ` DAYS_OF_COVER* ` are the same header."""
    if text is None:
        return ""
    return re.sub(r"[\s\-_*\ufeff.]+", "", str(text)).casefold()


def headers(tab: str, language: str = "en") -> list[str]:
    """The header row of a tab in the sheet's language (`en` or `zh`)."""
    return [(c.zh or c.header) if language == "zh" else c.header for c in SCHEMA[tab]]


FORMATTED_KINDS = ("int", "number", "money", "date", "datetime")


def formats(
    tab: str, language: str = "en", kinds: tuple[str, ...] = FORMATTED_KINDS
) -> dict[str, str]:
    """Header -> cell format kind (Tab.formats) for the tab's columns of the given kinds."""
    return {
        header: col.kind
        for col, header in zip(SCHEMA[tab], headers(tab, language), strict=True)
        if col.kind in kinds
    }


def _lookup(tab: str) -> dict[str, Column]:
    names: dict[str, Column] = {}
    for col in SCHEMA[tab]:
        for name in (col.header, col.zh, col.key, *col.aliases):
            if name:
                names.setdefault(normalize_header(name), col)
    return names


_LOOKUPS = {tab: _lookup(tab) for tab in SCHEMA}


# --- problems ----------------------------------------------------------------------------


@dataclass
class Problem:
    tab: str
    row: int | None  # sheet row number (the header is row 1)
    column: str
    value: Any
    problem: str


class Problems(list[Problem]):
    """Bad cells found during a refresh, in the order found."""

    def add(self, tab: str, row: int | None, column: str, value: Any, problem: str) -> None:
        if isinstance(value, float) and np.isnan(value):
            value = None
        self.append(Problem(tab, row, column, value, problem))


class MissingColumnError(Exception):
    """A required column is missing: the tab cannot be read at all."""


# --- settings ----------------------------------------------------------------------------


def read_settings(grid: Grid | None, problems: Problems) -> tuple[formulas.Settings, dict]:
    """Settings tab -> the math's Settings plus every raw key (language, currency, e-mail, …).

    A bad value falls back to its default and is reported: a typo in one setting must not stop
    the refresh.
    """
    raw: dict[str, Any] = dict(SETTING_DEFAULTS)
    rows = {}
    for i, row in enumerate(grid[1:] if grid else [], start=2):
        if not row or row[0] in (None, ""):
            continue
        key = normalize_header(row[0])
        value = row[1] if len(row) > 1 else None
        rows[key] = (i, value)
        if value not in (None, ""):
            raw[_SETTING_KEYS.get(key, str(row[0]).strip())] = value
    fields = {f.name: f for f in dataclasses.fields(formulas.Settings)}
    values: dict[str, Any] = {}
    for name, fld in fields.items():
        value = raw.get(name)
        if value is None:
            continue
        try:
            values[name] = _setting_value(name, value, fld.default)
        except formulas.InputError as exc:
            row = rows.get(normalize_header(name), (None,))[0]
            problems.add(SETTINGS, row, "Value", value, f"{name}: {exc}; using the default")
    settings = formulas.Settings(**values)
    as_of = raw.get("as_of")
    if as_of is not None:
        try:
            raw["as_of"] = formulas.to_date(as_of, "as_of", day_first=True)
        except formulas.InputError as exc:
            problems.add(
                SETTINGS, rows.get("asof", (None,))[0], "Value", as_of, f"{exc}; using today"
            )
            raw["as_of"] = None
    raw["fbm_enabled"] = settings.fbm_enabled
    return settings, raw


_SETTING_KEYS = {normalize_header(k): k for k in SETTING_DEFAULTS}


def _setting_value(name: str, value: Any, default: Any) -> Any:
    if isinstance(default, tuple):
        parts = value if isinstance(value, list | tuple) else re.split(r"[,;\s]+", str(value))
        numbers = tuple(formulas.to_number(p, name) for p in parts if str(p).strip())
        if not numbers or any(n is None for n in numbers):
            raise formulas.InputError(f"expected a list of numbers like {value!r}")
        if name == "velocity_windows":
            return tuple(int(n) for n in numbers)
        return numbers
    if isinstance(default, bool):
        flag = formulas.to_flag(value)
        if flag is None:
            raise formulas.InputError("expected yes or no")
        return flag
    if isinstance(default, str):
        return str(value).strip().lower()
    number = formulas.to_number(value, name)
    if number is None or number < 0:
        raise formulas.InputError("expected a number ≥ 0")
    if name == "service_level" and not 0 < number < 1:
        raise formulas.InputError("expected a fraction between 0 and 1, e.g. 0.95")
    return int(number) if isinstance(default, int) else number


# --- tables ------------------------------------------------------------------------------


def read_table(
    tab: str,
    grid: Grid | None,
    problems: Problems,
    *,
    day_first: bool | None = None,
) -> pd.DataFrame:
    """Read an input tab into a DataFrame keyed by column keys; bad cells become Problems.

    Rows with an unreadable required cell are marked `_ok` False (and reported); other bad
    cells become blank. `_row` keeps the sheet row number for later messages. An empty or
    missing tab gives an empty table; a missing required column raises MissingColumnError
    naming tab and column.
    """
    spec = SCHEMA[tab]
    empty = pd.DataFrame({c.key: pd.Series(dtype=_dtype(c.kind)) for c in spec})
    empty["_row"] = pd.Series(dtype="int64")
    empty["_ok"] = pd.Series(dtype="bool")
    if not grid or not any(grid[0] if grid else []):
        if grid and len(grid) > 1:
            raise MissingColumnError(f"{tab}: the first row must hold the headers")
        return empty
    lookup = _LOOKUPS[tab]
    positions: dict[str, int] = {}
    for i, name in enumerate(grid[0]):
        col = lookup.get(normalize_header(name))
        if col is not None and col.key not in positions:
            positions[col.key] = i
    missing = [c.header for c in spec if c.required and c.key not in positions]
    if missing:
        raise MissingColumnError(
            f"{tab}: required column {', '.join(repr(m) for m in missing)} not found "
            f"(headers seen: {', '.join(str(h) for h in grid[0] if h not in (None, ''))})"
        )
    if len(grid) < 2:
        return empty
    frame = pd.DataFrame(grid[1:], dtype=object)  # pads ragged rows with None
    frame = frame.reindex(columns=range(max(positions.values()) + 1))
    out = pd.DataFrame(index=frame.index)
    out["_row"] = np.arange(2, len(frame) + 2)
    keep = pd.Series(True, index=frame.index)
    types = {c: frame[c].map(type) for c in frame.columns}
    blanks = {c: _blank_cells(frame[c], types[c]) for c in frame.columns}
    blank_rows = pd.Series(True, index=frame.index)
    for blank in blanks.values():
        blank_rows &= blank
    for col in spec:
        if col.key not in positions:
            out[col.key] = pd.Series(dtype=_dtype(col.kind), index=frame.index)
            continue
        pos = positions[col.key]
        raw = frame[pos]
        values, bad = _parse(col, raw, types[pos], blanks[pos], day_first)
        bad &= ~blank_rows
        for idx in bad.index[bad]:
            problems.add(
                tab,
                int(out.at[idx, "_row"]),
                grid[0][positions[col.key]],
                raw[idx],
                bad_message(col, raw[idx], day_first),
            )
        if col.required:
            missing_cell = values.isna() & ~blank_rows
            for idx in missing_cell.index[missing_cell & ~bad]:
                problems.add(
                    tab,
                    int(out.at[idx, "_row"]),
                    grid[0][positions[col.key]],
                    None,
                    f"{col.header} is required: row skipped",
                )
            keep &= ~values.isna()
        out[col.key] = values
    out["_ok"] = keep
    return out[~blank_rows].reset_index(drop=True)


def _blank_cells(raw: pd.Series, types: pd.Series) -> pd.Series:
    """Empty cells: nothing, NaN, or text of nothing but spaces."""
    blank = raw.isna()
    text = types.isin([str])
    if text.any():
        words = raw[text]
        blank[text] = (words == "") | words.map(str.isspace)
    return blank


def _dtype(kind: str) -> str:
    kind = _READ_AS.get(kind, kind)
    return {"number": "float64", "date": "datetime64[ns]"}.get(kind, "object")


_DATE_TYPES = (dt.datetime, dt.date, pd.Timestamp)


def _parse(
    col: Column, raw: pd.Series, types: pd.Series, blank: pd.Series, day_first: bool | None
) -> tuple[pd.Series, pd.Series]:
    """Vectorised parse of one column; returns (values, bad-cell mask).

    Cells are sorted by Python type once (`types`), so the common case (a column of numbers,
    dates or plain text) is handled by pandas in bulk and only odd cells (text in a number
    column, a formula, a local date format) go through the per-cell readers of `formulas`.
    """
    none = pd.Series(False, index=raw.index)
    kind = _READ_AS.get(col.kind, col.kind)
    if kind == "text":
        if bool(types[~blank].isin([str]).all()):
            return raw.where(~blank, None).map(str.strip, na_action="ignore"), none
        return raw.where(~blank, None).map(lambda v: v if v is None else _text(v)), none
    if kind == "number":
        plain = types.isin([int, float])
        values = pd.to_numeric(raw.where(plain), errors="coerce").astype("float64")
        odd = ~plain & ~blank
        for idx in odd.index[odd]:
            try:
                values[idx] = formulas.to_number(cell_value(raw[idx]), col.header)
                odd[idx] = False
            except formulas.InputError:
                pass
        return values, odd
    if kind == "date":
        values = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
        is_dt = types.isin(_DATE_TYPES)
        if is_dt.any():
            values[is_dt] = pd.to_datetime(raw[is_dt]).dt.normalize()
        is_num = types.isin([int, float]) & ~blank
        if is_num.any():
            serial = raw[is_num].astype("float64")
            ok = (serial >= 1) & (serial < 2958466)
            values[serial.index[ok]] = pd.Timestamp("1899-12-30") + pd.to_timedelta(
                np.floor(serial[ok]), unit="D"
            )
        rest = ~(is_dt | is_num | blank)
        bad = pd.Series(False, index=raw.index)
        bad[is_num] = values[is_num].isna()
        if rest.any():
            order = day_first if day_first is not None else _infer_day_first(raw[rest])
            for idx in rest.index[rest]:
                try:
                    day = formulas.to_date(cell_value(raw[idx]), col.header, order)
                    values[idx] = pd.Timestamp(day) if day else pd.NaT
                except formulas.InputError:
                    bad[idx] = True
        return values, bad
    if kind == "bool":
        values = pd.Series(None, index=raw.index, dtype=object)
        is_bool = types.isin([bool])
        values[is_bool] = raw[is_bool]
        is_num = types.isin([int, float]) & ~blank
        values[is_num] = raw[is_num].astype(float) != 0
        words = (types.isin([str])) & ~blank
        values[words] = raw[words].str.strip().str.lower().map(formulas.FLAG_WORDS)
        odd = ~(is_bool | is_num | blank) & values.isna()
        bad = pd.Series(False, index=raw.index)
        for idx in odd.index[odd]:
            try:
                values[idx] = formulas.to_flag(cell_value(raw[idx]))
            except formulas.InputError:
                bad[idx] = True
        return values.where(values.notna(), None), bad
    raise ValueError(col.kind)


_READ_AS = {"int": "number", "money": "number", "pct": "number", "datetime": "date", "list": "text"}


def cell_value(value: Any) -> Any:
    """What a cell shows: a formula's last computed value, anything else as it is."""
    return value.cached if isinstance(value, Formula) else value


def _text(value: Any) -> str | None:
    value = cell_value(value)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _infer_day_first(texts: pd.Series) -> bool | None:
    """A column of local dates is one format: any part over 12 decides it for all."""
    for text in texts.astype(str):
        found = re.match(r"^\s*(\d{1,2})[/.](\d{1,2})[/.]\d{4}", text)
        if found:
            if int(found[1]) > 12:
                return True
            if int(found[2]) > 12:
                return False
    return None


def bad_message(col: Column, value: Any, day_first: bool | None = None) -> str:
    """The reason a cell could not be read, in the words of the cell functions."""
    try:
        if col.kind == "number":
            formulas.to_number(value, col.header)
        elif col.kind == "date":
            formulas.to_date(value, col.header, day_first)
        elif col.kind == "bool":
            formulas.to_flag(value)
    except formulas.InputError as exc:
        return str(exc)
    return f"{col.header} could not be read"


# --- output grids ------------------------------------------------------------------------


def output_grid(
    tab: str,
    records: Iterable[Mapping[str, Any]],
    existing: Grid | None,
    *,
    key: tuple[str, ...],
    language: str = "en",
) -> tuple[list[str], Grid, int]:
    """Owned columns from `records`, user columns carried over from `existing` by key.

    Returns (header, rows, number of owned columns). A user column is any header in the
    existing tab that is not one of the refresh's own (in either language); its values follow
    their row's key, so sorting or re-ranking SKUs never shuffles user notes. A row whose key
    the refresh no longer produces (a SKU removed from Inventory) goes; a row the user added
    with no key at all (a note, a total) is kept below the refreshed rows, as it was.
    """
    spec = SCHEMA[tab]
    own = headers(tab, language)
    known = {normalize_header(n) for c in spec for n in (c.header, c.zh, c.key) if n}
    user_cols: list[tuple[int, str]] = []
    key_pos: list[int] = []
    old_header = existing[0] if existing else []
    positions = {normalize_header(h): i for i, h in enumerate(old_header) if h not in (None, "")}
    for i, h in enumerate(old_header):
        if h not in (None, "") and normalize_header(h) not in known:
            user_cols.append((i, str(h)))
    for k in key:
        col = next(c for c in spec if c.key == k)
        pos = positions.get(normalize_header(col.header), positions.get(normalize_header(col.zh)))
        key_pos.append(pos if pos is not None else -1)
    carried: dict[tuple, tuple[int, list[Any]]] = {}
    keyless: list[tuple[int, list[Any]]] = []
    if existing and all(p >= 0 for p in key_pos):
        owned_at = [
            positions.get(normalize_header(c.header), positions.get(normalize_header(c.zh)))
            for c in spec
        ]
        for n, row in enumerate(existing[1:], start=2):
            cells = list(row) + [None] * (len(old_header) - len(row))
            k = tuple(_key_part(cells[p]) for p in key_pos)
            user = [cells[i] for i, _ in user_cols]
            if all(part in (None, "") for part in k):
                if any(v not in (None, "") for v in cells):
                    keyless.append(
                        (n, [cells[i] if i is not None else None for i in owned_at] + user)
                    )
            else:
                carried[k] = (n, user)
    rows: Grid = []
    for n, rec in enumerate(records, start=2):
        line = [rec.get(c.key) for c in spec]
        k = tuple(_key_part(rec.get(part)) for part in key)
        old_row, values = carried.get(k, (n, [None] * len(user_cols)))
        line += [_moved(v, old_row, n) for v in values]
        rows.append(line)
    for n, (old_row, values) in enumerate(keyless, start=len(rows) + 2):
        rows.append([_moved(v, old_row, n) for v in values])
    return own + [h for _, h in user_cols], rows, len(own)


def _moved(value: Any, old_row: int, new_row: int) -> Any:
    """A user's formula follows its row: `=C2*2` moved from row 2 to row 5 reads `=C5*2`."""
    if not isinstance(value, Formula) or old_row == new_row:
        return value
    return Formula(Translator(value, origin=f"A{old_row}").translate_formula(f"A{new_row}"))


def _key_part(value: Any) -> Any:
    """Keys compare the way users see them: a date and its serial number are one key."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, int | float) and not isinstance(value, bool) and 20000 < value < 80000:
        return formulas.EXCEL_EPOCH + dt.timedelta(days=int(value))
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return str(value).strip() if isinstance(value, str) else value


def starter_tabs() -> dict[str, Grid]:
    """Every tab of an empty starter workbook: headers, and Settings with its defaults."""
    tabs: dict[str, Grid] = {}
    for tab in INPUT_TABS:
        tabs[tab] = [headers(tab)]
    tabs[SETTINGS] += [[k, v] for k, v in SETTING_DEFAULTS.items()]
    for tab in OUTPUT_TABS:
        if tab in SCHEMA:
            tabs[tab] = [headers(tab)]
    return tabs


@dataclass
class Inputs:
    """Everything a refresh reads, as tables."""

    settings: formulas.Settings
    raw_settings: dict[str, Any]
    inventory: pd.DataFrame
    sales: pd.DataFrame
    inbound: pd.DataFrame
    promotions: pd.DataFrame
    orders: pd.DataFrame
    problems: Problems = field(default_factory=Problems)


def read_inputs(grids: Mapping[str, Grid | None]) -> Inputs:
    """Read every input tab and check them against each other.

    What cannot be used is reported and left out (a duplicate SKU keeps its first row, negative
    stock counts as none, sales of SKUs not in Inventory are ignored); nothing here raises for
    bad data, so one bad tab or cell never stops the other SKUs from refreshing.
    """
    problems = Problems()
    settings, raw = read_settings(grids.get(SETTINGS), problems)
    day_first = raw.get("currency", "USD") != "USD" if raw.get("currency") else None
    tables = {}
    for tab in (INVENTORY, SALES, INBOUND, PROMOTIONS, ORDERS):
        try:
            tables[tab] = read_table(tab, grids.get(tab), problems, day_first=day_first)
        except MissingColumnError as exc:
            problems.add(tab, 1, "", None, f"{exc}: the tab was skipped")
            tables[tab] = read_table(tab, None, problems)
    known = set(tables[INVENTORY]["sku"])
    for tab, table in tables.items():
        tables[tab] = table[table["_ok"]].reset_index(drop=True)
    inv = tables[INVENTORY]
    dup = inv["sku"].duplicated(keep="first")
    for _, row in inv[dup].iterrows():
        problems.add(
            INVENTORY,
            int(row["_row"]),
            "SKU",
            row["sku"],
            "duplicate SKU: only its first row is used",
        )
    inv = inv[~dup].reset_index(drop=True)
    negative = inv["available"] < 0
    for _, row in inv[negative].iterrows():
        problems.add(
            INVENTORY, int(row["_row"]), "Available", row["available"], "negative stock counts as 0"
        )
    inv.loc[negative, "available"] = 0.0
    for tab in (SALES, INBOUND, PROMOTIONS, ORDERS):
        table = tables[tab]
        unknown = ~table["sku"].isin(known)
        if tab == PROMOTIONS:
            unknown &= table["sku"] != "*"
        for sku, rows in table[unknown].groupby("sku")["_row"]:
            problems.add(
                tab,
                int(rows.iloc[0]),
                "SKU",
                sku,
                f"SKU is not on the Inventory tab: its {len(rows)} row(s) are ignored",
            )
        tables[tab] = table[~unknown].reset_index(drop=True)
    sales = tables[SALES]
    negative = sales["units"] < 0
    for _, row in sales[negative].head(50).iterrows():
        problems.add(SALES, int(row["_row"]), "Units", row["units"], "negative units count as 0")
    sales.loc[negative, "units"] = 0.0
    inbound = _drop(
        tables[INBOUND],
        tables[INBOUND]["qty"] <= 0,
        INBOUND,
        "Qty",
        "qty",
        "inbound quantity must be positive: row skipped",
        problems,
    )
    done = inbound["status"].fillna("").str.strip().str.lower().isin(_FINISHED_INBOUND)
    inbound = inbound[~done].reset_index(drop=True)
    promos = tables[PROMOTIONS]
    promos = _drop(
        promos,
        promos["uplift"] <= 0,
        PROMOTIONS,
        "Uplift",
        "uplift",
        "uplift must be above 0 (1.8 means 80 % more sales): row skipped",
        problems,
    )
    promos = _drop(
        promos,
        promos["end"] < promos["start"],
        PROMOTIONS,
        "End",
        "end",
        "promotion ends before it starts: row skipped",
        problems,
    )
    return Inputs(settings, raw, inv, sales, inbound, promos, tables[ORDERS], problems)


_FINISHED_INBOUND = {"closed", "cancelled", "canceled", "received", "deleted", "done"}


def _drop(
    table: pd.DataFrame,
    mask: pd.Series,
    tab: str,
    column: str,
    key: str,
    why: str,
    problems: Problems,
) -> pd.DataFrame:
    for _, row in table[mask].iterrows():
        problems.add(tab, int(row["_row"]), column, row[key], why)
    return table[~mask].reset_index(drop=True)
