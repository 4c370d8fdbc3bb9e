"""Which SKUs are relaunching, and how each relaunch is doing (`addin.relaunch` on the store).

A SKU back in stock within `relaunch_days` of a stockout gets the RELAUNCH action (SPEC §3).
When the history store holds its traffic (Business Report or SP-API Sales and Traffic), the
refresh watches the relaunch: its conversion against the baseline before the stockout and the
category's, and what to do about the coupon and the ads. The restock and the stockout's start
come from the Incidents log when it has closed the stockout, else from the sales history, as
`addin.decisions` decides RELAUNCH. The category's conversion comes from the Inventory column
`Category CVR %` or else Settings `category_cvr_pct`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pandas as pd

from addin import decisions, formulas, relaunch
from sheets_sync import workbook as wb

SETTING = "category_cvr_pct"
#: Traffic older than this before today cannot matter: a relaunch window plus its baseline.
HISTORY_DAYS = 180


def traffic_spans(traffic: pd.DataFrame | None) -> dict[str, list[relaunch.Span]]:
    """The store's traffic rows per SKU."""
    out: dict[str, list[relaunch.Span]] = defaultdict(list)
    if traffic is None or not len(traffic):
        return out
    for sku, first, last, sessions, units in zip(
        traffic["sku"], traffic["first_day"], traffic["last_day"], traffic["sessions"],
        traffic["units"], strict=True,
    ):  # fmt: skip
        out[str(sku)].append(relaunch.Span(first.date(), last.date(), sessions, units))
    return out


def category_cvrs(
    inventory: pd.DataFrame, setting: object, problems: wb.Problems
) -> list[float | None]:
    """Each SKU's category conversion in percent: its Inventory cell, else SETTING (Settings
    `category_cvr_pct` as typed).

    A value under 1 is a fraction (a cell formatted as a percentage holds 0.1 for 10 %).
    """
    default = None
    value = setting
    if isinstance(value, str) and value.strip().endswith("%"):  # `10%` typed as text: 10 %
        value = value.strip().removesuffix("%")
    if value not in (None, ""):
        try:
            default = _percent(formulas.to_number(value, SETTING))
        except formulas.InputError as exc:
            why = f"{SETTING}: {exc}; the relaunch tracker goes without a category figure"
            problems.add(wb.SETTINGS, None, "Value", setting, why)
    if "category_cvr" not in inventory:
        return [default] * len(inventory)
    cells = inventory["category_cvr"].astype("float64")
    return [default if pd.isna(x) else _percent(float(x)) for x in cells]


def _percent(value: float | None) -> float | None:
    if value is None or value <= 0:
        return None
    return value * 100 if value < 1 else value


def watch(
    item: decisions.SkuInput,
    spans: list[relaunch.Span],
    category_cvr: float | None,
    closed: tuple[dt.date | None, dt.date] | None,
    settings: formulas.Settings,
    as_of: dt.date,
) -> relaunch.Relaunch | None:
    """The relaunch of one SKU with traffic data, or None when it is not relaunching.

    `closed` is the Incidents log's latest closed stockout of the SKU (start, end), if any.
    """
    if item.available <= 0 or not spans:
        return None
    if closed is None:
        runs = [(a, b) for a, b in decisions.out_runs(item, as_of) if b is not None]
        if not runs:
            return None
        closed = runs[-1]
    started, back_on = closed
    if not 0 <= (as_of - back_on).days <= settings.relaunch_days:
        return None
    return relaunch.track(started or back_on, back_on, spans, category_cvr, settings, as_of)
