"""FBA capacity: when the orders the plan recommends do not fit, who gets the room.

Amazon sets each seller a monthly capacity limit per storage type (standard, oversize, apparel,
footwear, flammable, aerosol), stated in cubic feet (earlier in units): what is on hand plus
what is inbound may not exceed it, so an order that would not fit cannot be sent in. The room
of a storage type is its limit minus the volume on hand and inbound now; the orders recommended
now (REORDER NOW and REORDER SOON quantities) share it:

1. urgency first: in order of the day each order must land (its dip day), each SKU gets the
   units that keep it selling for `FIRST_DAYS` days (a month: the capacity period), in whole
   case packs;
2. then margin: what is left goes to the rest of each order, best margin per unit of room first
   (a SKU with no Price or Unit cost last), again in whole case packs.

What an order loses is said with the numbers: the room, the use, and what came before it. A SKU
with no unit volume cannot be placed in cubic feet; it is left as recommended and says so.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

FIRST_DAYS = 30
#: The Alerts flag of an order cut to fit.
CAPACITY = "CAPACITY"
#: Amazon's storage types, as its capacity page names them.
STORAGE_TYPES = ("standard", "oversize", "apparel", "footwear", "flammable", "aerosol")
CUBIC_FEET, UNITS = "cu ft", "units"


class CapacityError(ValueError):
    """A capacity setting that cannot be read (the refresh lists it and ignores it)."""


def parse_capacity(text: object) -> dict[str, float]:
    """`standard 1200, oversize 300` -> {storage type: limit}; blank -> no limit."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return {}
    if isinstance(text, int | float) and not isinstance(text, bool):
        return {"standard": float(text)}  # a bare number is the standard-size limit
    if re.fullmatch(r"\s*[\d.,]+\s*", str(text)):
        return {"standard": float(str(text).replace(",", ""))}
    out: dict[str, float] = {}
    for part in re.split(r"[;\n]+|,(?=\s*[A-Za-z])", str(text)):
        if not part.strip():
            continue
        m = re.fullmatch(r"\s*([A-Za-z][A-Za-z \-]*?)\s*[:=]?\s*([\d.,]+)\s*", part)
        kind = storage_type(m.group(1)) if m else ""
        if not m or kind not in STORAGE_TYPES:
            raise CapacityError(
                f"cannot read {part.strip()!r}: write a storage type and its limit, e.g. "
                f"standard 1200, oversize 300 ({', '.join(STORAGE_TYPES)})"
            )
        out[kind] = float(m.group(2).replace(",", ""))
    return out


def storage_type(text: object) -> str:
    """A storage type as Amazon's reports and people write it: `Standard-size` is standard."""
    name = str(text or "").strip().lower().replace("-", " ")
    name = re.sub(r"\s+(size|sized)$", "", name)
    return name or "standard"


@dataclass
class Request:
    """One recommended order competing for room."""

    sku: str
    units: int
    storage: str
    room_per_unit: float | None  # cubic feet a unit (1 when capacity is in units); None unknown
    must_land: int  # day the order must land by (its dip day): smaller is more urgent
    margin: float | None  # per unit
    daily_units: float
    case_pack: int = 1


@dataclass
class Allotment:
    """What one order gets: all of it, part of it (cut) or none; and why."""

    granted: int
    asked: int
    why: str = ""

    @property
    def cut(self) -> int:
        return self.asked - self.granted


def allocate(
    requests: list[Request], room: dict[str, float], unit: str = CUBIC_FEET
) -> dict[str, Allotment]:
    """Each request's allotment; storage types absent from `room` have no limit."""
    out: dict[str, Allotment] = {}
    for kind in sorted({r.storage for r in requests}):
        mine = [r for r in requests if r.storage == kind]
        if kind not in room:
            out.update({r.sku: Allotment(r.units, r.units) for r in mine})
            continue
        placed = [r for r in mine if r.room_per_unit]
        for r in mine:
            if not r.room_per_unit:
                out[r.sku] = Allotment(
                    r.units, r.units, f"no unit volume: not checked against {kind} capacity"
                )
        out.update(_share(placed, max(0.0, room[kind]), kind, unit))
    return out


def _share(requests: list[Request], free: float, kind: str, unit: str) -> dict[str, Allotment]:
    asked = sum(r.units * (r.room_per_unit or 0) for r in requests)
    if asked <= free + 1e-9:
        return {r.sku: Allotment(r.units, r.units) for r in requests}
    left = free
    given = {r.sku: 0 for r in requests}

    def give(r: Request, units: int) -> None:
        nonlocal left
        per = r.room_per_unit or 0.0
        fits = int(left // (per * r.case_pack)) * r.case_pack if per > 0 else units
        take = max(0, min(units - given[r.sku], fits))
        given[r.sku] += take
        left -= take * per

    by_urgency = sorted(requests, key=lambda r: (r.must_land, -_per_room(r), r.sku))
    for r in by_urgency:
        first = math.ceil(r.daily_units * FIRST_DAYS / r.case_pack) * r.case_pack
        give(r, min(r.units, first))
    for r in sorted(requests, key=lambda r: (-_per_room(r), r.must_land, r.sku)):
        give(r, r.units)
    room_text = (
        f"{_num(free)} {unit} of {kind} capacity free when the orders land, {_num(asked)} asked"
    )
    out = {}
    for r in requests:
        got = given[r.sku]
        why = ""
        if got < r.units:
            why = (
                f"{room_text}: more urgent SKUs first, then the best margin per {_room_unit(unit)}"
            )
        out[r.sku] = Allotment(got, r.units, why)
    return out


def _per_room(r: Request) -> float:
    """Margin per unit of room: who earns most from the space (no margin known: last)."""
    if r.margin is None or not r.room_per_unit:
        return -math.inf
    return r.margin / r.room_per_unit


def _room_unit(unit: str) -> str:
    return "cubic foot" if unit == CUBIC_FEET else "unit"


def _num(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"
