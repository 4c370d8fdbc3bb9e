"""The Incidents tab's log: each stockout opened, closed, costed, and given a suggested cause.

A refresh reads the tab as last written (`read_incidents`), adds the stockouts the history shows
and the one happening now, and closes rows when stock is back. The user's Cause, Lessons and
Actions columns ride along untouched; `suggested_cause` is recomputed from the data each time
(`addin.incident_causes`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pandas as pd

from addin import decisions, formulas, supply
from addin.incident_causes import ShipmentSeen, suggest_cause

INCIDENT_COLUMNS = [
    "sku", "started", "ended", "days_out", "lost_units", "lost_revenue", "cause", "lessons",
    "actions", "suggested_cause",
]  # fmt: skip


def empty_incidents() -> pd.DataFrame:
    return pd.DataFrame(columns=INCIDENT_COLUMNS)


def last_restocks(
    incidents: pd.DataFrame, as_of: dt.date
) -> dict[str, tuple[dt.date | None, dt.date]]:
    """Per SKU, the (start, end) of its latest stockout the log has closed by AS_OF."""
    out: dict[str, tuple[dt.date | None, dt.date]] = {}
    for sku, started, ended in zip(
        incidents["sku"], incidents["started"], incidents["ended"], strict=True
    ):
        later = isinstance(ended, dt.date) and (sku not in out or ended > out[sku][1])
        if later and ended <= as_of:
            out[sku] = (started if isinstance(started, dt.date) else None, ended)
    return out


def days_since_restock(incidents: pd.DataFrame, as_of: dt.date) -> dict[str, int]:
    return {
        sku: (as_of - ended).days for sku, (_, ended) in last_restocks(incidents, as_of).items()
    }


def incident_log(
    skus: pd.DataFrame, items: dict[str, decisions.SkuInput], known: pd.DataFrame, as_of: dt.date
) -> pd.DataFrame:
    """The post-mortem log: stockouts seen in the history, and the one happening now.

    A row opens when a SKU is at zero and closes when stock is back. Rows are keyed by SKU and
    start day; rows already in the log are kept (it is a log), with the user's Cause, Lessons
    and Actions untouched; an open row closes today when the SKU has stock again.
    """
    log: dict[str, dict[dt.date, dict]] = defaultdict(dict)
    for rec in known.to_dict("records"):
        if isinstance(rec.get("started"), dt.date):
            log[rec["sku"]][rec["started"]] = dict(rec)
    # Only SKUs that are out now, were out in the history, or have a log entry can change it.
    touched = skus["last_out_day"].notna() | (skus["available"] <= 0) | skus["sku"].isin(log)
    touched &= skus["available"].notna()  # unreadable stock: the log waits for a real count
    for row in skus[touched].itertuples(index=False):
        item = items[row.sku]
        runs = decisions.out_runs(item, as_of) if pd.notna(row.last_out_day) else []
        if item.available <= 0 and not any(end is None for _, end in runs):
            runs.append((as_of, None))
        if not runs and row.sku not in log:
            continue
        rows = log[row.sku]
        open_rows = [r for r in rows.values() if r.get("ended") is None]
        for started, ended in runs:
            if ended is None and open_rows and started not in rows:
                continue  # still the stockout the log has open: reuse it, never a second row
            rec = rows.setdefault(started, {"sku": row.sku, "started": started})
            if rec.get("ended") is None:
                rec["ended"] = ended
        if item.available > 0:
            for rec in open_rows:
                if rec.get("ended") is None:
                    rec["ended"] = as_of
        rate = row.daily_sales if pd.notna(row.daily_sales) else None
        for rec in rows.values():
            _fill_losses(rec, rate, row.price, as_of)
    records = [rec for rows in log.values() for rec in rows.values()]
    frame = pd.DataFrame(records, columns=INCIDENT_COLUMNS)
    return frame.sort_values(["started", "sku"], kind="stable").reset_index(drop=True)


def _fill_losses(rec: dict, rate: float | None, price: float | None, as_of: dt.date) -> None:
    end = rec.get("ended") or as_of
    rec["days_out"] = (end - rec["started"]).days
    if rate is not None:
        rec["lost_units"], rec["lost_revenue"] = decisions.incident_losses(
            rate, rec["days_out"], price
        )


def shipments_seen(etas: pd.DataFrame | None) -> dict[str, list[ShipmentSeen]]:
    """Per SKU, each shipment's first and last ETA across the refreshes that saw it."""
    out: dict[str, list[ShipmentSeen]] = defaultdict(list)
    if etas is None or not len(etas):
        return out
    first_day = etas["seen"].min()
    for (sku, sid), rows in etas.groupby(["sku", "shipment_id"], sort=True):
        rows = rows.sort_values("seen")
        status = rows["status"].map(supply.stage_of)
        out[str(sku)].append(
            ShipmentSeen(
                shipment_id=str(sid),
                first_seen=rows["seen"].iloc[0].date(),
                first_eta=rows["eta"].iloc[0].date(),
                last_eta=rows["eta"].iloc[-1].date(),
                supplier=str(rows["supplier"].iloc[-1] or ""),
                reached_receiving=bool((status == supply.RECEIVING).any()),
                seen_from_start=rows["seen"].iloc[0] == first_day,
            )
        )
    return out


def suggest_causes(
    frame: pd.DataFrame,
    items: dict[str, decisions.SkuInput],
    shipments: dict[str, list[ShipmentSeen]],
    settings: formulas.Settings,
    as_of: dt.date,
) -> None:
    """Fill `suggested_cause` of every incident from the sales before it and the ETAs seen."""
    texts: list[str | None] = []
    for sku, started, ended in zip(frame["sku"], frame["started"], frame["ended"], strict=True):
        item = items.get(sku)
        if item is None or not isinstance(started, dt.date):
            texts.append(None)
            continue
        before = item.units[: max(0, len(item.units) - (as_of - started).days)]
        lead = supply.lead_times(item, settings).regular
        ended = ended if isinstance(ended, dt.date) else None
        texts.append(suggest_cause(started, ended, before, shipments.get(sku, []), lead) or None)
    frame["suggested_cause"] = texts


def read_incidents(table: pd.DataFrame | None) -> pd.DataFrame:
    """The Incidents tab as last written, with dates as `datetime.date`."""
    if table is None or table.empty:
        return empty_incidents()
    frame = table.reindex(columns=INCIDENT_COLUMNS)
    for col in ("started", "ended"):  # read_table made them Timestamps (NaT when blank)
        frame[col] = [None if pd.isna(v) else v.date() for v in frame[col]]
    return frame[frame["sku"].notna()].reset_index(drop=True)
