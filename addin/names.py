"""Names a seller types against names the workbook knows: SKU keys and the nearest known name.

`case-sku ` in Sales is the SKU `CASE-SKU` of Inventory: SKUs match ignoring case and the spaces
around them, and Inventory's spelling is the one shown. A name that matches nothing (a SKU, a
tab, a header) gets the closest known one suggested, so a typo is one glance from its fix. Every
refresh uses these (`stockout refresh`, xlwings Lite); `addin/google/Reading.gs` mirrors them,
difflib's similarity included, and `tests/vectors/nearest.json` holds the two together.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def sku_key(value: object) -> str:
    """The form two SKUs are compared in: no surrounding spaces, case folded."""
    return str(value).strip().casefold()


def nearest(name: object, known: Iterable[object], cutoff: float = 0.6) -> str | None:
    """The known name closest to `name` (case and spaces ignored), or None if none is close."""
    by_key: dict[str, str] = {}
    for item in known:
        if item not in (None, ""):
            by_key.setdefault(sku_key(item), str(item))
    found = difflib.get_close_matches(sku_key(name), list(by_key), n=1, cutoff=cutoff)
    return by_key[found[0]] if found else None


def missing_tab(tab: str, others: Iterable[str], required: bool) -> str | None:
    """The refusal for an input tab the workbook lacks, naming a tab that looks renamed
    (`Inventry`); None when an optional tab is simply absent."""
    near = nearest(tab, others, cutoff=0.75)
    if near is None and not required:
        return None
    hint = f" (is {near!r} it? rename it to {tab!r})" if near else ""
    return (
        f"the workbook has no {tab!r} tab{hint}; `stockout new FILE` shows every tab. "
        "Nothing was changed."
    )


def missing_columns(tab: str, missing: list[str], seen: Iterable[object]) -> str:
    """The refusal for required columns a tab lacks, naming the nearest header it has."""
    names = [str(h) for h in seen if h not in (None, "")]
    near = {m: nearest(m, names) for m in missing}
    hints = [f"is {n!r} it? rename it to {m!r}" for m, n in near.items() if n]
    return (
        f"{tab}: required column {', '.join(repr(m) for m in missing)} not found"
        + (f" ({'; '.join(hints)})" if hints else "")
        + f"; headers seen: {', '.join(names) or 'none'}. Nothing was changed."
    )
