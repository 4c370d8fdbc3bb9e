"""Names a seller types against names the workbook knows: SKU keys and the nearest known name.

`case-sku ` in Sales is the SKU `CASE-SKU` of Inventory: SKUs match ignoring case and the spaces
around them, and Inventory's spelling is the one shown. A name that matches nothing (a SKU, a
tab, a header) gets the closest known one suggested, so a typo is one glance from its fix.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import pandas as pd


def sku_key(value: object) -> str:
    """The form two SKUs are compared in: no surrounding spaces, case folded."""
    return str(value).strip().casefold()


def canonical_skus(skus: pd.Series, known: Iterable[str]) -> pd.Series:
    """Each SKU spelled as in `known` (Inventory) when it matches one; unknown ones as given."""
    spelling: dict[str, str] = {}
    for sku in known:
        spelling.setdefault(sku_key(sku), sku)
    if skus.empty:
        return skus
    keys = skus.map(sku_key, na_action="ignore")
    return keys.map(spelling).where(keys.map(spelling).notna(), skus)


def nearest(name: object, known: Iterable[object], cutoff: float = 0.6) -> str | None:
    """The known name closest to `name` (case and spaces ignored), or None if none is close."""
    by_key: dict[str, str] = {}
    for item in known:
        if item not in (None, ""):
            by_key.setdefault(sku_key(item), str(item))
    found = difflib.get_close_matches(sku_key(name), list(by_key), n=1, cutoff=cutoff)
    return by_key[found[0]] if found else None


def did_you_mean(name: object, known: Iterable[object]) -> str:
    """` (did you mean 'CASE-SKU'?)`, or nothing when no known name is close."""
    found = nearest(name, known)
    return f" (did you mean {found!r}?)" if found is not None else ""
