"""The demo workbook's data looks like a real seller's."""

from __future__ import annotations

import datetime as dt
import re

from sheets_sync import workbook as wb
from sheets_sync.demo import demo_tabs


def test_demo_asins_are_amazon_shaped() -> None:
    inventory = demo_tabs(dt.date(2026, 11, 29))[wb.INVENTORY]
    column = inventory[0].index("ASIN")
    asins = [row[column] for row in inventory[1:]]
    assert asins and all(re.fullmatch(r"B0[0-9A-Z]{8}", asin) for asin in asins), asins
