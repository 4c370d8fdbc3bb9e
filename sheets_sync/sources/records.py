"""What Amazon data becomes on its way in: stock per SKU, open order lines, and what one
report loaded. Reports (`amazon_reports`) and the SP-API (`spapi`) both produce them; the
importer writes them to the Inventory and Orders tabs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class InventoryRecord:
    """One SKU's FBA stock. None = the source left it blank (the tab's cell is kept)."""

    sku: str
    asin: str
    title: str
    price: float | None
    available: int | None
    reserved: int | None
    fbm_stock: int | None
    inbound_working: int = 0
    inbound_shipped: int = 0
    inbound_receiving: int = 0
    unit_volume: float | None = None  # cubic feet a unit (per-unit-volume), for FBA capacity


@dataclass
class OpenOrder:
    """One line of an unshipped seller-fulfilled order, as the Orders tab wants it."""

    order_id: str
    sku: str
    qty: int
    purchase_date: dt.date | None
    promised_date: dt.date | None
    buyer_name: str
    marketplace: str
    title: str = ""  # the listing's title on that marketplace (product-name)
    buyer_email: str = ""  # Amazon's buyer-email (an anonymised relay address)


@dataclass
class Loaded:
    """What loading one report did: the days it covers in the store, and rows for the
    workbook's input tabs (`orders` is a complete unshipped snapshot; None: not one)."""

    first_day: str | None = None
    last_day: str | None = None
    inventory: list[InventoryRecord] = field(default_factory=list)
    orders: list[OpenOrder] | None = None

    @property
    def for_workbook(self) -> bool:
        """Whether the workbook must be written before the file counts as imported."""
        return bool(self.inventory) or self.orders is not None
