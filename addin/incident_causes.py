"""Why a stockout happened: the post-mortem's first question, answered from the data.

The playbook asks whether a stockout came from a sales surge, a late order, a shipment that
slipped or a slow receiving. Each test below reads only what the seller's own data says (daily
sales, the Inbound ETAs each refresh saw) and, when it fires, says the evidence in words and the
Settings change it suggests. It is a suggestion for the Incidents tab's `Suggested cause`
column; the seller's Cause, Lessons and Actions stay theirs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

#: Sales in the weeks before a stockout count as a surge above this multiple of the rate before.
SURGE_RATIO = 1.3
#: An ETA that moved by more than this many days slipped; stock back this much after a
#: shipment's last ETA points at receiving.
SLIP_DAYS = 3
SURGE_WEEKS = 4


@dataclass
class ShipmentSeen:
    """One inbound shipment as the refreshes saw it (the history store keeps each ETA)."""

    shipment_id: str
    first_seen: dt.date
    first_eta: dt.date
    last_eta: dt.date
    supplier: str = ""
    reached_receiving: bool = False
    seen_from_start: bool = False  # first seen on the store's first day of records: no order date


def suggest_cause(
    started: dt.date,
    ended: dt.date | None,
    units_before: list[float],
    shipments: list[ShipmentSeen],
    lead_days: float | None,
) -> str:
    """The likely causes of one stockout, most telling first, joined as one cell of text.

    `units_before` are daily units up to the day before `started`, oldest first (the last
    SURGE_WEEKS weeks against the 13 weeks before them); `shipments` those of this SKU the
    refreshes saw; `lead_days` the full cycle from order to sellable. Blank when nothing stands out.
    """
    found = [
        text
        for text in (
            _slipped(started, ended, shipments),
            _late_order(started, ended, shipments, lead_days),
            _receiving(started, ended, shipments),
            _surge(started, units_before),
        )
        if text
    ]
    return " | ".join(found)


def _surge(started: dt.date, units: list[float]) -> str:
    recent_days = 7 * SURGE_WEEKS
    recent, before = units[-recent_days:], units[-recent_days - 91 : -recent_days]
    if len(recent) < recent_days or len(before) < 28:
        return ""
    now, then = sum(recent) / len(recent), sum(before) / len(before)
    if then <= 0 or now < SURGE_RATIO * then:
        return ""
    return (
        f"Demand surge: {now:.1f} a day in the {SURGE_WEEKS} weeks before {started.isoformat()}"
        f" vs {then:.1f} before (+{100 * (now / then - 1):.0f} %). Lesson: raise safety_days or"
        " service_level, and check the forecast catches a trend."
    )


def _slipped(started: dt.date, ended: dt.date | None, shipments: list[ShipmentSeen]) -> str:
    end = ended or dt.date.max
    slips = [
        s
        for s in shipments
        if (s.last_eta - s.first_eta).days > SLIP_DAYS and s.first_eta < end
        and s.last_eta >= started
    ]  # fmt: skip
    if not slips:
        return ""
    worst = max(slips, key=lambda s: (s.last_eta - s.first_eta).days)
    days = (worst.last_eta - worst.first_eta).days
    who = f" from {worst.supplier}" if worst.supplier else ""
    return (
        f"Inbound slipped: shipment {worst.shipment_id}{who} was first due"
        f" {worst.first_eta.isoformat()}, then {worst.last_eta.isoformat()} (+{days} days)."
        f" Lesson: raise lead_time_sd_days (about {days // 2} days or more)"
        f" for {worst.supplier or 'this supplier'}'s SKUs, whose ETAs slip."
    )


def _late_order(
    started: dt.date, ended: dt.date | None, shipments: list[ShipmentSeen], lead_days: float | None
) -> str:
    """A shipment that ended the stockout (seen by its end) but was ordered after the
    reorder-by date; one first seen after stock was back belongs to a later story."""
    if not lead_days:
        return ""
    order_by = started - dt.timedelta(days=int(lead_days))
    late = [
        s for s in shipments
        if not s.seen_from_start and s.first_seen > order_by and s.first_eta >= started
        and (ended is None or s.first_seen <= ended)
    ]  # fmt: skip
    if not late:
        return ""
    first = min(late, key=lambda s: s.first_seen)
    return (
        f"Order placed late: shipment {first.shipment_id} first appeared in Inbound on"
        f" {first.first_seen.isoformat()}, after its reorder-by date {order_by.isoformat()}"
        f" ({int(lead_days)} days before the stockout). Lesson: order when the Alerts say"
        " REORDER; if the warning came too late, raise warn_days or safety_days."
    )


def _receiving(started: dt.date, ended: dt.date | None, shipments: list[ShipmentSeen]) -> str:
    if ended is None:
        return ""
    slow = [
        s for s in shipments
        if s.reached_receiving and started <= s.last_eta and (ended - s.last_eta).days > SLIP_DAYS
    ]  # fmt: skip
    if not slow:
        return ""
    worst = max(slow, key=lambda s: (ended - s.last_eta).days)
    days = (ended - worst.last_eta).days
    return (
        f"Receiving delay: shipment {worst.shipment_id} reached receiving and was due sellable"
        f" {worst.last_eta.isoformat()}, but stock was back only {ended.isoformat()} (+{days}"
        f" days). Lesson: raise receiving_days by about {days} days."
    )
