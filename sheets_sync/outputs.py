"""The output tabs a refresh writes: Alerts, Incidents, Problems, Timeline, as `Tab`s.

Presentation lives here, not in the orchestration (`sheets_sync.refresh`): the sheet's language,
the alert colours, which column is keyed how, and how user columns, rows and formulas are carried
over from what the tab held before (`output_grid`). The Drafts tab is `sheets_sync.drafts`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.formula.translate import Translator

from addin import formulas
from sheets_sync import guide
from sheets_sync import workbook as wb
from sheets_sync.inputs import read_table
from sheets_sync.plan import Plan
from sheets_sync.types import Chart, Formula, Grid, Tab
from sheets_sync.vocab import english_words, sheet_words

#: Fill colour of each alert level in the Alerts tab (the same on every backend that colours).
ALERT_COLOURS = {
    formulas.OUT: "C00000", formulas.CRITICAL: "FF5B5B", formulas.WARNING: "FFB347",
    formulas.WATCH: "FFE699", formulas.OK: "C6EFCE", formulas.NO_DATA: "D9D9D9",
}  # fmt: skip
#: Between the best action and its alternatives in a plan's action text.
ALSO = " · also "


def previous_alerts(grid: Any) -> dict[str, str]:
    """SKU -> the alert level the Alerts tab showed before this refresh (in English words)."""
    table = read_table(wb.ALERTS, grid, wb.Problems())
    if table.empty:
        return {}
    return {sku: english_words(a) for sku, a in zip(table["sku"], table["alert"], strict=True) if a}


def cell(value: Any) -> Any:
    """A plain cell value: no NaN, numpy scalars, Timestamps or lists."""
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.to_pydatetime()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if value is pd.NaT:
        return None
    return value


def alerts_tab(plan: Plan, existing: Any, language: str = "en") -> Tab:
    now = dt.datetime.now().replace(microsecond=0)
    records = []
    for rec in plan.skus.to_dict("records"):
        row = {k: cell(v) for k, v in rec.items()}
        row["updated"] = now
        best, _, others = (row.get("action_text") or "").partition(ALSO)
        row["action_text"], row["other_options"] = best or None, others or None
        for key in ("available", "inbound"):
            if row.get(key) is not None:
                row[key] = formulas.round_to(row[key], 0)
        for key in ("alert", "flags", "action_text", "other_options"):
            row[key] = sheet_words(row.get(key), language)
        records.append(row)
    header, rows, owned = output_grid(wb.ALERTS, records, existing, key=("sku",), language=language)
    named = {c.key: wb.header_of(wb.ALERTS, c.key, language) for c in wb.SCHEMA[wb.ALERTS]}
    colours = {sheet_words(k, language): v for k, v in ALERT_COLOURS.items()}
    return Tab(
        wb.ALERTS,
        header,
        rows,
        wb.formats(wb.ALERTS, language),
        owned,
        fills={named["alert"]: colours},
        notes=guide.header_notes(wb.ALERTS, header, language),
        wrap={named["title"]: 24, named["action_text"]: 50},
        currency=getattr(plan.settings, "currency", None),
        table=True,
        print_columns=list(named).index(wb.ALERTS_AT_A_GLANCE) + 1,
        max_lines=4,
    )


def incidents_tab(plan: Plan, existing: Any, language: str = "en") -> Tab:
    records = [{k: cell(v) for k, v in r.items()} for r in plan.incidents.to_dict("records")]
    header, rows, owned = output_grid(
        wb.INCIDENTS, records, existing, key=("sku", "started"), language=language
    )
    return Tab(wb.INCIDENTS, header, rows, wb.formats(wb.INCIDENTS, language), owned)


def problems_tab(problems: wb.Problems, language: str = "en") -> Tab:
    header = wb.headers(wb.PROBLEMS, language)
    rows = [[p.tab, p.row, p.column, _as_text(p.value), p.problem] for p in problems]
    return Tab(wb.PROBLEMS, header, rows, {header[1]: "int"})


def _as_text(value: Any) -> Any:
    """Bad values are shown as the user typed them, never re-interpreted."""
    if value is None or isinstance(value, int | float | dt.date):
        return cell(value)
    return str(value)


def timeline_tab(plan: Plan) -> Tab:
    frame = plan.timeline
    rows = [[cell(v) for v in r] for r in frame.itertuples(index=False)]
    header = list(frame.columns)
    formats = {"Date": "date", **{h: "int" for h in header[1:]}}
    return Tab(
        wb.TIMELINE,
        header,
        rows,
        formats,
        chart=Chart("Projected sellable stock, most urgent SKUs", "units"),
    )


def output_grid(
    tab: str,
    records: Iterable[Mapping[str, Any]],
    existing: Grid | None,
    *,
    key: tuple[str, ...],
    language: str = "en",
) -> tuple[list[str], Grid, int]:
    """Owned columns from `records`, user columns carried over from `existing` by key.

    Returns (header, rows, number of owned columns). A user column is any header in the
    existing tab that is not one of the refresh's own (in either language); its values follow
    their row's key, so sorting or re-ranking SKUs never shuffles user notes. A row whose key
    the refresh no longer produces (a SKU removed from Inventory) goes; a row the user added
    with no key at all (a note, a total) is kept below the refreshed rows, as it was.
    """
    spec = wb.SCHEMA[tab]
    own = wb.headers(tab, language)
    known = {wb.normalize_header(n) for c in spec for n in (c.header, c.zh, c.key) if n}
    user_cols: list[tuple[int, str]] = []
    key_pos: list[int] = []
    old_header = existing[0] if existing else []
    positions = {wb.normalize_header(h): i for i, h in enumerate(old_header) if h not in (None, "")}
    for i, h in enumerate(old_header):
        if h not in (None, "") and wb.normalize_header(h) not in known:
            user_cols.append((i, str(h)))
    for k in key:
        col = next(c for c in spec if c.key == k)
        pos = positions.get(
            wb.normalize_header(col.header), positions.get(wb.normalize_header(col.zh))
        )
        key_pos.append(pos if pos is not None else -1)
    carried: dict[tuple, tuple[int, list[Any]]] = {}
    keyless: list[tuple[int, list[Any]]] = []
    if existing and all(p >= 0 for p in key_pos):
        owned_at = [
            positions.get(wb.normalize_header(c.header), positions.get(wb.normalize_header(c.zh)))
            for c in spec
        ]
        for n, row in enumerate(existing[1:], start=2):
            cells = list(row) + [None] * (len(old_header) - len(row))
            k = tuple(_key_part(cells[p]) for p in key_pos)
            user = [cells[i] for i, _ in user_cols]
            if all(part in (None, "") for part in k):
                if any(v not in (None, "") for v in cells):
                    keyless.append(
                        (n, [cells[i] if i is not None else None for i in owned_at] + user)
                    )
            else:
                carried[k] = (n, user)
    rows: Grid = []
    for n, rec in enumerate(records, start=2):
        line = [rec.get(c.key) for c in spec]
        k = tuple(_key_part(rec.get(part)) for part in key)
        old_row, values = carried.get(k, (n, [None] * len(user_cols)))
        line += [_moved(v, old_row, n) for v in values]
        rows.append(line)
    for n, (old_row, values) in enumerate(keyless, start=len(rows) + 2):
        rows.append([_moved(v, old_row, n) for v in values])
    return own + [h for _, h in user_cols], rows, len(own)


def _moved(value: Any, old_row: int, new_row: int) -> Any:
    """A user's formula follows its row: `=C2*2` moved from row 2 to row 5 reads `=C5*2`."""
    if not isinstance(value, Formula) or old_row == new_row:
        return value
    return Formula(Translator(value, origin=f"A{old_row}").translate_formula(f"A{new_row}"))


def _key_part(value: Any) -> Any:
    """Keys compare the way users see them: a date and its serial number are one key."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, int | float) and not isinstance(value, bool) and 20000 < value < 80000:
        return formulas.EXCEL_EPOCH + dt.timedelta(days=int(value))
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return str(value).strip() if isinstance(value, str) else value
