"""The Drafts tab: the playbook's talking and reviewing steps as messages ready to send.

A refresh turns the plan into drafts (PLAYBOOK steps 2-6): delay notices for buyers whose open
order will be late, an expedite request for the factory, an air-freight request for the
forwarder, a receiving request for Seller Support, the compliant listing change instead of
"available after DATE", a relaunch plan, a post-mortem for every closed stockout and one
internal digest. The user reads, edits and sends them; the Status column is theirs.

Templates are Jinja2 files `<language>/<kind>.txt.j2`, rendered in a sandbox because a user may
drop their own file into a `templates` folder beside the workbook (it wins over the shipped
one, file by file). A template may start with a `Subject: ...` line; the rest is the body.
Filters `date`, `money`, `number` and `priced` format for the message's language (babel).

Keys decide what "the same draft" is across refreshes, because the numbers move every day:
- a buyer notice is one per order: `buyer_delay:<order id>`;
- a per-SKU request belongs to one shortage episode: `<kind>:<sku>:<day the shortage starts>`,
  and a new refresh reuses an existing key of the same kind and SKU whose day lies within
  EPISODE_DAYS of today's estimate, so a stockout date drifting by a day or two does not
  produce a second "please expedite" after the user marked the first one sent;
- a supplier request is one per supplier and a freight request one per forwarder, listing
  every SKU and batch that needs it: `<kind>:<supplier or forwarder>:<earliest day>`, reused
  the same way by kind and the name in the key (an e-mail address added to the To later
  keeps the episode);
- a receiving request is one per inbound shipment; a post-mortem one per incident;
  the digest one per as-of day.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from addin import decisions, relaunch, supply
from addin import formulas as fm
from sheets_sync import guide, workbook
from sheets_sync.draft_rows import KEYS, OldRow, read_existing
from sheets_sync.messages import (
    Message,
    buyer_language,
    digest_context,
    locale_for,
    plain_records,
    render_message,
)
from sheets_sync.messaging_rules import check_buyer_message
from sheets_sync.plan import Plan
from sheets_sync.recipients import FORWARDER, SUPPLIER, addressed, request_to, text
from sheets_sync.references import Moves, carry, grid_size
from sheets_sync.types import Tab
from sheets_sync.vocab import SEVERITY, sheet_words, status_in

TAB = workbook.DRAFTS
DRAFT = "draft"
#: A draft row shows this many lines of its body (Excel's tallest row holds 27); the rest is in
#: the cell.
BODY_LINES = 27
#: Wrapped columns and their widths (characters): Key, the SKU list and To wrap narrow so Subject
#: and Body begin within a 1366-pixel screen.
_WIDTHS = {"key": 22, "sku": 22, "to": 30, "subject": 30, "body": 80, "warnings": 40}
EPISODE_DAYS = 14

STOCKOUT_ACTIONS = {
    fm.SWITCH_TO_FBM,
    fm.TRANSFER,
    fm.EXPEDITE_BY_AIR,
    fm.EXPEDITE_BY_EXPRESS,
    fm.SLOW_SALES,
    fm.PAUSE_AND_NOTIFY,
}
#: The listing change waits until the shelf is empty or within the CRITICAL line: weeks ahead
#: it would be one more draft for every SKU an order can still save.
OFFER_ALERTS = (fm.OUT, fm.CRITICAL)
#: Seller Support can only hurry a shipment that is at (or about to reach) the warehouse.
RECEIVING_WINDOW_DAYS = 14
#: Amazon holds a back order (restock date on an FBM offer) for at most this many days.
MAX_BACKORDER_DAYS = 30
#: Actions whose chosen option lands stock at FBA (on its landing day).
BRINGS_STOCK = (fm.TRANSFER, fm.EXPEDITE_BY_AIR, fm.EXPEDITE_BY_EXPRESS)

# --- what the plan says ---------------------------------------------------------------------


@dataclass
class Draft:
    """One produced message, before it meets the existing tab."""

    key: str
    kind: str
    sku: str
    order_id: str
    to: str
    message: Message

    def owned(self, created: Any, status: str) -> list[Any]:
        m = self.message
        return [
            self.key,
            self.kind,
            self.sku,
            self.order_id,
            m.language,
            self.to,
            m.subject,
            m.body,
            "; ".join(m.warnings),
            created,
            status,
        ]


class _Builder:
    """Turns one plan into drafts; holds what every kind needs (settings, dirs, old keys)."""

    def __init__(self, plan: Plan, old: list[OldRow], template_dirs: Sequence[Path]) -> None:
        self.plan = plan
        self.settings = plan.settings
        self.dirs = template_dirs
        self.old = old
        self.skus = plain_records(plan.skus)
        self.incidents = plain_records(getattr(plan, "incidents", None))
        self.currency = self.settings.currency
        self.internal = self.settings.sheet_language
        self.supplier_lang = self.settings.supplier_language

    def context(self, **values: Any) -> dict[str, Any]:
        names = {
            "store_name": self.settings.store_name,
            "sender_name": self.settings.sender_name,
            "forwarder_name": self.settings.forwarder_name,
        }
        return {"as_of": self.plan.as_of, "currency": self.currency, **names, **values}

    @staticmethod
    def near(start: dt.date, day: dt.date) -> bool:
        return abs((start - day).days) <= EPISODE_DAYS

    def episode_key(self, kind: str, sku: str, day: dt.date, *, to: str | None = None) -> str:
        """`sku` names a per-SKU episode; with `to`, the episode is that addressee's (the name
        in the key, whatever the To says now)."""
        for row in self.old:
            start = row.key_date()
            mine = row.key == f"{kind}:{to}:{start}" if to is not None else row.sku == sku
            if row.kind == kind and mine and start is not None and self.near(start, day):
                return row.key
        return f"{kind}:{to if to is not None else sku}:{day.isoformat()}"

    def shortage_start(self, item: dict[str, Any]) -> dt.date:
        """The day this shortage began (incident start) or will begin (stockout date)."""
        if item["alert"] == fm.OUT:
            started = [
                i["started"] for i in self.incidents if i["sku"] == item["sku"] and not i["ended"]
            ]
            if started:
                return max(started)
        return item.get("stockout_date") or self.plan.as_of

    def drafts(self) -> list[Draft]:
        out = [self.alert_digest(), *self.buyer_delays()]
        # A draft names a SKU by its Title, or by the SKU itself where Title is blank.
        urgent = [
            {
                **s,
                "title": text(s.get("title")) or str(s["sku"]),
                "titled": bool(text(s.get("title"))),
            }
            for s in sorted(self.skus, key=lambda s: (SEVERITY.get(s["alert"], 9), s["sku"]))
        ]
        out.extend(self.supplier_requests(urgent))
        out.extend(self.forwarder_requests(urgent))
        for item in urgent:
            out.extend(self.sku_drafts(item))
        out.extend(self.postmortem(i) for i in self.incidents if i.get("ended"))
        return out

    # one builder per kind -----------------------------------------------------------------

    def alert_digest(self) -> Draft:
        ctx = self.context(**digest_context(self.skus))
        message = render_message("alert_digest", self.internal, ctx, self.dirs)
        to = self.settings.alert_email_to
        key = f"alert_digest:{self.plan.as_of.isoformat()}"
        return Draft(key, "alert_digest", "", "", to, message)

    def buyer_delays(self) -> Iterable[Draft]:
        by_sku = {s["sku"]: s for s in self.skus}
        lines_by_order: dict[str, list[dict[str, Any]]] = {}
        for line in plain_records(getattr(self.plan, "orders", None)):
            if line.get("delayed") and line.get("order_id"):
                lines_by_order.setdefault(str(line["order_id"]), []).append(line)
        default = self.settings.language
        for order_id, lines in lines_by_order.items():
            first = lines[0]
            lang, country = buyer_language(first.get("language"), first.get("marketplace"), default)
            items = []
            new_dates = []
            for line in lines:
                item = by_sku.get(line["sku"], {})
                items.append(
                    {
                        "sku": line["sku"],
                        # the listing as the buyer saw it, in their language, when known
                        "title": line.get("title") or item.get("title") or line["sku"],
                        "qty": _count(line.get("qty")),
                    }
                )
                new_dates.append(line.get("new_date"))  # only a date a shipped batch backs
            known = [d for d in new_dates if d]
            promised = [line.get("promised_date") for line in lines]
            ctx = self.context(
                order_id=order_id,
                buyer_name=first.get("buyer_name") or "",
                items=items,
                promised_date=min((d for d in promised if d), default=None),
                new_date=max(known) if len(known) == len(new_dates) else None,
                marketplace=first.get("marketplace") or "",
                cause=_delay_cause([by_sku.get(line["sku"], {}) for line in lines]),
            )
            message = render_message(
                "buyer_delay", lang, ctx, self.dirs, locale=locale_for(lang, country)
            )
            message.warnings.extend(check_buyer_message(message.body, order_id))
            if ctx["new_date"] is None:
                message.warnings.append("no new date: no stock is planned to arrive in time")
            skus = ", ".join(dict.fromkeys(str(line["sku"]) for line in lines))
            to = addressed(first.get("buyer_name"), first.get("buyer_email"))
            yield Draft(f"buyer_delay:{order_id}", "buyer_delay", skus, order_id, to, message)

    def sku_drafts(self, item: dict[str, Any]) -> Iterable[Draft]:
        stockout = item.get("action") in STOCKOUT_ACTIONS
        ctx = self.context(**item)
        if stockout and item["alert"] in OFFER_ALERTS:
            start = self.shortage_start(item)
            ctx["shortage_start"] = start
            yield self.offer_restock(item, start, ctx)
        eta = item.get("next_inbound_eta")
        soon = eta is not None and (eta - self.plan.as_of).days <= RECEIVING_WINDOW_DAYS
        if item["alert"] in (fm.OUT, fm.CRITICAL) and soon:
            yield self.amazon_receiving(item, ctx)
        if item.get("action") == fm.RELAUNCH or fm.RELAUNCH in (item.get("flags") or []):
            yield self.relaunch_plan(item, ctx)

    def supplier_requests(self, urgent: list[dict[str, Any]]) -> Iterable[Draft]:
        """One request per supplier, listing every SKU that needs it: each batch not shipped
        yet to hurry (by Shipment ID, Qty and Status; with the units to send ahead when the
        plan flies part of it) and the recommended order, asked for as one new order (in two
        shipments when part of it flies and the rest goes by sea)."""
        groups: dict[str, list[dict[str, Any]]] = {}
        for item in urgent:
            line = self.supplier_line(item)
            if line is not None:
                groups.setdefault(str(item.get("supplier") or ""), []).append(line)
        for supplier, lines in groups.items():
            start = min(line["shortage_start"] for line in lines)
            ctx = self.context(supplier=supplier, items=lines)
            message = render_message("supplier_expedite", self.supplier_lang, ctx, self.dirs)
            if not supplier:
                message.warnings.append("no Supplier in Inventory: add it to address the request")
            key = self.episode_key("supplier_expedite", "", start, to=supplier)
            skus = ", ".join(line["sku"] for line in lines)
            email = next((line["supplier_email"] for line in lines
                          if text(line.get("supplier_email"))), None)  # fmt: skip
            to, warnings = request_to(supplier, email, SUPPLIER, lines)
            message.warnings.extend(warnings)
            yield Draft(key, "supplier_expedite", skus, "", to, message)

    def supplier_line(self, item: dict[str, Any]) -> dict[str, Any] | None:
        """What one SKU asks of its supplier, or None when it asks nothing."""
        stockout = item.get("action") in STOCKOUT_ACTIONS
        taken = [_option_fields(o, self.plan.as_of) for o in _taken(item)] if stockout else []
        batches = []
        if stockout:
            for batch in item.get("batches") or []:
                flies = (o for o in taken if o["source"] and o["source"] == batch.shipment_id)
                split = next(flies, {})
                batches.append(
                    {
                        "shipment_id": batch.shipment_id,
                        "qty": batch.qty,
                        "status": status_in(supply.status_word(batch.status), self.supplier_lang),
                        "stage": supply.stage_of(batch.status),
                        "eta": fm.add_days(self.plan.as_of, batch.day),
                        "units": split.get("units"),
                        "mode": _mode_of(split.get("action")),
                        "land": split.get("land"),
                    }
                )
        shipments = []
        for flown in taken:
            if flown["source"] == supply.NEW_ORDER:
                shipments.append({"units": flown["units"], "mode": _mode_of(flown["action"])})
        if fm.REORDER_NOW in (item.get("flags") or []) and item.get("reorder_qty"):
            shipments.append({"units": item["reorder_qty"], "mode": self.settings.default_mode})
        orders = []
        if shipments:  # one purchase order; the part that flies ships first
            units = sum(s["units"] for s in shipments)
            orders.append({"units": units, "mode": shipments[0]["mode"], "by": self.plan.as_of,
                           "shipments": shipments})  # fmt: skip
        if not batches and not orders:
            return None
        start = self.shortage_start(item) if stockout else self.plan.as_of
        return {**item, "shortage_start": start, "batches": batches, "orders": orders}

    def forwarder_requests(self, urgent: list[dict[str, Any]]) -> Iterable[Draft]:
        """One freight request to the forwarder: every SKU the plan flies or expresses, with the
        batch it comes from (or the new order) and the day it must be sellable."""
        lines = []
        for item in urgent:
            flights = [_option_fields(o, self.plan.as_of) for o in _taken(item)
                       if _mode_of(o.action)]  # fmt: skip
            if not flights and item.get("action") in (fm.EXPEDITE_BY_AIR, fm.EXPEDITE_BY_EXPRESS):
                flights = [{"action": item["action"], "units": item.get("air_units"),
                            "land": item.get("air_arrival")}]  # fmt: skip
            for chosen in flights:
                if not chosen.get("units"):
                    continue
                start = self.shortage_start(item)
                status = status_in(supply.status_word(chosen.get("status")), self.supplier_lang)
                lines.append({**item, **chosen, "mode": _mode_of(chosen["action"]),
                              "shortage_start": start, "status": status})  # fmt: skip
        if not lines:
            return
        start = min(line["shortage_start"] for line in lines)
        ctx = self.context(items=lines)
        message = render_message("forwarder_air", self.supplier_lang, ctx, self.dirs)
        key = self.episode_key("forwarder_air", "", start, to="forwarder")
        skus = ", ".join(line["sku"] for line in lines)
        settings = self.settings
        to, warnings = request_to(
            settings.forwarder_name, settings.forwarder_email, FORWARDER, lines
        )
        message.warnings.extend(warnings)
        yield Draft(key, "forwarder_air", skus, "", to, message)

    def per_sku(
        self,
        kind: str,
        item: dict[str, Any],
        start: dt.date,
        ctx: dict[str, Any],
        language: str,
        *,
        to: str,
    ) -> Draft:
        key = self.episode_key(kind, str(item["sku"]), start)
        message = render_message(kind, language, ctx, self.dirs)
        return Draft(key, kind, str(item["sku"]), "", to, message)

    def offer_restock(self, item: dict[str, Any], start: dt.date, ctx: dict[str, Any]) -> Draft:
        back, how = self.restock(item)
        wait = (back - self.plan.as_of).days if back else None
        fbm = next((o for o in _taken(item) if o.action == fm.SWITCH_TO_FBM), None)
        extra = {
            "fbm_enabled": self.settings.fbm_enabled,
            "restock_date": back,
            "restock_by": sheet_words(how, self.internal),
            "wait_days": wait,
            "backorder_ok": wait is not None and wait <= MAX_BACKORDER_DAYS,
            "max_backorder_days": MAX_BACKORDER_DAYS,
            "fbm_units": fbm.units if fbm is not None else item.get("fbm_stock"),
            "fbm_from": fbm.source if fbm is not None else None,
        }
        return self.per_sku(
            "offer_restock",
            item,
            start,
            {**ctx, **extra},
            self.internal,
            to="Seller Central listing",
        )

    def restock(self, item: dict[str, Any]) -> tuple[dt.date | None, str]:
        """The day the SKU should be sellable at FBA again, and the action that brings it
        when that day is the plan's proposal, an estimate (`EXPEDITE BY AIR`, `REORDER NOW`),
        or "" when it is the next batch already in the Inbound tab."""
        proposed: list[tuple[dt.date, str]] = []
        for option in _taken(item):
            chosen = _option_fields(option, self.plan.as_of)
            if option.action in BRINGS_STOCK and chosen["land"] and chosen["units"]:
                proposed.append((chosen["land"], option.action))
        lead = item.get("lead_time_days")
        if fm.REORDER_NOW in (item.get("flags") or []) and item.get("reorder_qty") and lead:
            proposed.append((fm.add_days(self.plan.as_of, int(lead)), fm.REORDER_NOW))
        back = item.get("back_in_stock")
        first = min(proposed, default=None)
        if first is not None and (back is None or first[0] < back):
            return first
        return back, ""

    def amazon_receiving(self, item: dict[str, Any], ctx: dict[str, Any]) -> Draft:
        shipment = item.get("next_inbound_id") or ""
        message = render_message("amazon_receiving", self.internal, ctx, self.dirs)
        if not shipment:
            message.warnings.append("no Shipment ID in the Inbound tab: add it before sending")
            key = f"amazon_receiving:{item['sku']}:{item['next_inbound_eta'].isoformat()}"
        else:
            key = f"amazon_receiving:{shipment}"
        return Draft(key, "amazon_receiving", str(item["sku"]), "", "Seller Support", message)

    def relaunch_plan(self, item: dict[str, Any], ctx: dict[str, Any]) -> Draft:
        closed = [i for i in self.incidents if i["sku"] == item["sku"] and i.get("ended")]
        incident = max(closed, key=lambda i: i["started"]) if closed else None
        coupon = self.settings.coupon_pct
        price = item.get("price")
        extra = {
            "incident": incident,
            "coupon_pct": coupon,
            "ad_boost_pct": self.settings.ad_boost_pct,
            "relaunch_days": int(self.settings.relaunch_days),
            "coupon_price": decisions.coupon_price(price, coupon),
            "watch": _watch_context(item.get("relaunch")),
        }
        start = incident["started"] if incident else item.get("back_in_stock") or self.plan.as_of
        return self.per_sku(
            "relaunch_plan", item, start, {**ctx, **extra}, self.internal, to="ads / marketing"
        )

    def postmortem(self, incident: dict[str, Any]) -> Draft:
        sku = str(incident["sku"])
        item = next((s for s in self.skus if s["sku"] == sku), {})
        known = [str(s["sku"]) for s in self.skus]
        notices = [r for r in self.old if r.kind == "buyer_delay" and r.names(sku, known)]
        lead = item.get("lead_time_days")
        rate = item.get("daily_sales")
        days_out = incident.get("days_out") or 0
        ctx = self.context(
            **incident,
            title=item.get("title") or sku,
            safety_stock=item.get("safety_stock"),
            reorder_point=item.get("reorder_point"),
            lead_time_days=lead,
            order_by=incident["started"] - dt.timedelta(days=int(lead)) if lead else None,
            warn_days="/".join(f"{float(v):g}" for v in self.settings.warn_days),  # 30/15/7
            notices_drafted=len(notices),
            notices_sent=sum(r.status == "sent" for r in notices),
            cover_units=math.ceil(rate * days_out) if rate and days_out else None,
        )
        message = render_message("postmortem", self.internal, ctx, self.dirs)
        key = f"postmortem:{sku}:{incident['started'].isoformat()}"
        return Draft(key, "postmortem", sku, "", "operations, purchasing, logistics", message)


def _watch_context(found: relaunch.Relaunch | None) -> dict[str, Any] | None:
    """The relaunch tracker's numbers as the relaunch draft shows them (percentages as text)."""
    if not isinstance(found, relaunch.Relaunch):
        return None
    started = found.stockout_started
    return {
        "state": found.state,
        "back_on": found.back_on,
        "baseline_from": started - dt.timedelta(days=relaunch.BASELINE_DAYS),
        "baseline_to": started - dt.timedelta(days=1),
        "baseline": _pct(found.baseline_cvr),
        "baseline_sessions": found.baseline_sessions,
        "category": _pct(found.category_cvr),
        "target": _pct(found.target_cvr),
        "cvr": _pct(found.cvr),
        "first_cvr": _pct(found.first_cvr),
        "days": [{"day": d.day, "sessions": d.sessions, "units": d.units, "cvr": _pct(d.cvr)}
                 for d in found.days],
        "coupon_start": found.coupon_start,
        "coupon_end": found.coupon_end,
        "ads_start": found.ads_start,
        "ads_end": found.ads_end,
        "closed_on": found.closed_on,
    }  # fmt: skip


def _pct(value: float | None) -> str | None:
    return None if value is None else relaunch.pct(value)


def _delay_cause(items: Iterable[dict[str, Any]]) -> str:
    """Why an order is late, as far as the plan can tell a buyer: `late` when a shipment to
    Amazon is overdue, `demand` when sales are rising, else "" (the notice says it neutrally:
    a stockout is not always a surprise rush)."""
    flags = {flag for item in items for flag in item.get("flags") or []}
    if fm.INBOUND_OVERDUE in flags:
        return "late"
    return "demand" if fm.TREND_UP in flags else ""


def _taken(item: dict[str, Any]) -> list[Any]:
    """The options the Action takes: the best way to bridge the gap and those done with it
    (`SkuPlan.combined`, a transfer before a flight, say), each draft following all of them."""
    options = item.get("options")
    combined = item.get("combined")
    best = options[:1] if isinstance(options, list) else []
    if best and best[0].action != item.get("action"):
        return []  # the Action is not an emergency option (an order, a chase)
    return [*best, *(combined if isinstance(combined, list) else [])]


def _option_fields(option: Any, as_of: dt.date) -> dict[str, Any]:
    """An emergency option as template values (the landing day as a date)."""
    if option is None:
        return {}
    fields = {k: getattr(option, k) for k in ("action", "units", "source", "batch_qty", "status")}
    return {**fields, "land": None if option.day is None else fm.add_days(as_of, option.day)}


def _mode_of(action: Any) -> str | None:
    return {fm.EXPEDITE_BY_AIR: "air", fm.EXPEDITE_BY_EXPRESS: "express"}.get(action)


def _count(value: Any) -> int | float:
    """An order quantity as people write it: 2, not 2.0; blank means one unit."""
    if not isinstance(value, int | float) or value <= 0:
        return 1
    number = float(value)
    return int(number) if number.is_integer() else number


# --- meeting the existing tab ---------------------------------------------------------------


def drafts_tab(
    plan: Plan,
    existing: Sequence[Sequence[Any]] | None,
    *,
    template_dirs: Sequence[Path],
) -> Tab:
    """Build the Drafts tab from the plan, merged with what the user did to the last one.

    Rows whose Status the user set (anything but blank or `draft`), and rows without a Key,
    are kept verbatim. A `draft` row is refreshed in place (its Created date and the user's
    columns kept) while the plan still produces it, and removed once it does not. New drafts
    are appended below, so the rows a user is working through do not jump around.
    """
    user_header, from_columns, old = read_existing(existing)
    produced = _Builder(plan, old, template_dirs).drafts()
    by_key = {d.key: d for d in produced}
    rows: list[list[Any]] = []
    from_rows: list[int | None] = []
    placed: set[str] = set()
    for row in old:
        if not row.key or row.status not in ("", DRAFT):
            rows.append(row.values())
        elif row.key in by_key and row.key not in placed:
            created = row.owned.get("created") or plan.as_of
            rows.append(by_key[row.key].owned(created, DRAFT) + row.user)
        elif row.status == "" and row.key not in by_key:
            rows.append(row.values())
        if len(rows) > len(from_rows):
            from_rows.append(row.row)
        placed.add(row.key)
    blank_user = [None] * len(user_header)
    for d in produced:
        if d.key not in placed:
            rows.append(d.owned(plan.as_of, DRAFT) + blank_user)
            from_rows.append(None)
    moves = Moves.between(from_rows, from_columns, grid_size(existing), len(rows))
    rows = carry(rows, moves, TAB)
    language = plan.settings.sheet_language
    header = workbook.headers(TAB, language)
    return Tab(
        name=TAB,
        header=[*header, *user_header],
        rows=rows,
        formats={header[KEYS.index("created")]: "date"},
        owned=len(header),
        notes=guide.header_notes(TAB, header, language),
        # Narrow, wrapped Key, SKU list and To, so Subject and Body start on a laptop's screen.
        wrap={header[KEYS.index(key)]: width for key, width in _WIDTHS.items()},
        print_span=(header[KEYS.index("kind")], header[KEYS.index("body")]),
        max_lines=BODY_LINES,
        from_rows=from_rows,
        from_columns=from_columns,
        body_rows=len(rows),
    )
