"""SKUs of a whole tab spelled as Inventory spells them (the pandas side of `addin.names`)."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from addin.names import sku_key


def canonical_skus(skus: pd.Series, known: Iterable[str]) -> pd.Series:
    """Each SKU spelled as in `known` (Inventory) when it matches one; unknown ones as given."""
    spelling: dict[str, str] = {}
    for sku in known:
        spelling.setdefault(sku_key(sku), sku)
    if skus.empty:
        return skus
    keys = skus.map(sku_key, na_action="ignore")
    return keys.map(spelling).where(keys.map(spelling).notna(), skus)
