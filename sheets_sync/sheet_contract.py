"""The workbook contract handed to the refreshes that run inside a spreadsheet.

Apps Script (addin/google, as the generated Schema.gs) and xlwings Lite (addin/lite_refresh.py,
as stockout_schema.json beside it) cannot import this package, yet must read and write the same
tabs, headers, aliases, Settings defaults and words as the Python refresh. `schema_data()` is
that contract as plain data, built from the modules that define it, so it is never kept by hand.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from addin import decisions, formulas
from addin.lite_refresh import FIX_INPUT, STOCK_COLUMNS
from addin.lite_tabs import NOT_NEGATIVE
from sheets_sync import tables, workbook
from sheets_sync.locales import locale_table
from sheets_sync.messages import SHIPPED_TEMPLATES
from sheets_sync.outputs import ALERT_COLOURS
from sheets_sync.settings import DEFAULTS
from sheets_sync.vocab import (
    ALERT_ORDER,
    FINISHED_INBOUND,
    FINISHED_ORDERS,
    STATUS_ZH,
    ZH_WORDS,
)


def schema_data() -> dict[str, Any]:
    """The workbook contract and the words the in-sheet refreshes need (Google, xlwings Lite)."""
    tabs = {
        tab: [
            {"key": c.key, "header": c.header, "kind": c.kind, "required": c.required,
             "aliases": list(c.aliases), "zh": c.zh}
            for c in columns
        ]
        for tab, columns in workbook.SCHEMA.items()
    }  # fmt: skip
    settings = [
        {"name": f.name, "default": f.default, "type": type(f.default).__name__}
        for f in dataclasses.fields(formulas.Settings)
    ]
    templates = {
        path.relative_to(SHIPPED_TEMPLATES).as_posix().removesuffix(".txt.j2"): path.read_text(
            encoding="utf-8"
        )
        for path in sorted(SHIPPED_TEMPLATES.glob("*/*.txt.j2"))
    }
    data = {
        "tabs": tabs,
        "inputTabs": list(workbook.INPUT_TABS),
        "requiredTabs": list(workbook.REQUIRED_TABS),
        "settingDefaults": DEFAULTS,
        "settings": settings,
        "finishedInbound": sorted(FINISHED_INBOUND),
        "finishedOrders": sorted(FINISHED_ORDERS),
        "severity": list(ALERT_ORDER),
        "shipDays": decisions.SHIP_DAYS,
        "maxDays": tables.MAX_DAYS,
        "maxNumber": tables.MAX_NUMBER,
        "zhWords": ZH_WORDS,
        "statusZh": STATUS_ZH,
        "alertColours": ALERT_COLOURS,
        "templates": templates,
        "locales": locale_table(),
        "stockColumns": list(STOCK_COLUMNS),
        "fixInput": FIX_INPUT,
        "notNegative": [list(pair) for pair in NOT_NEGATIVE.items()],
    }
    return data
