"""The output tabs a refresh writes: Alerts, Incidents, Problems, Timeline, as `Tab`s.

Presentation lives here, not in the orchestration (`sheets_sync.refresh`): the sheet's language,
the alert colours, which column is keyed how, and how user columns, rows and formulas are carried
over from what the tab held before (`output_grid`). The Drafts tab is `sheets_sync.drafts`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from addin import formulas
from addin.cells import blank
from addin.lite_refresh import alert_row
from sheets_sync import guide
from sheets_sync import workbook as wb
from sheets_sync.plan import TIMELINE_DATE, Plan
from sheets_sync.references import Moves, carry, grid_size
from sheets_sync.tables import read_table
from sheets_sync.types import Below, Chart, Formula, Grid, Tab
from sheets_sync.vocab import english_words, sheet_words

#: Fill colour of each alert level in the Alerts tab (the same on every backend that colours).
ALERT_COLOURS = {
    formulas.OUT: "C00000", formulas.CRITICAL: "FF5B5B", formulas.WARNING: "FFB347",
    formulas.WATCH: "FFE699", formulas.OK: "C6EFCE", formulas.NO_DATA: "D9D9D9",
}  # fmt: skip


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
        records.append(alert_row(row, now, lambda v: sheet_words(v, language)))
    grid = output_grid(wb.ALERTS, records, existing, key=("sku",), language=language)
    header = grid.header
    named = {c.key: wb.header_of(wb.ALERTS, c.key, language) for c in wb.SCHEMA[wb.ALERTS]}
    colours = {sheet_words(k, language): v for k, v in ALERT_COLOURS.items()}
    return Tab(
        wb.ALERTS,
        header,
        grid.rows,
        wb.formats(wb.ALERTS, language),
        grid.owned,
        fills={named["alert"]: colours},
        notes=guide.header_notes(wb.ALERTS, header, language),
        wrap={named["title"]: 24, named["action_text"]: 50},
        currency=plan.settings.currency,
        table=True,
        print_span=(named["sku"], named[wb.ALERTS_AT_A_GLANCE]),
        max_lines=6,  # the longest actions (an order and a chase) show whole
        from_rows=grid.from_rows,
        from_columns=grid.from_columns,
        body_rows=grid.body_rows,
    )


def incidents_tab(plan: Plan, existing: Any, language: str = "en") -> Tab:
    records = [{k: cell(v) for k, v in r.items()} for r in plan.incidents.to_dict("records")]
    grid = output_grid(wb.INCIDENTS, records, existing, key=("sku", "started"), language=language)
    return Tab(
        wb.INCIDENTS,
        grid.header,
        grid.rows,
        wb.formats(wb.INCIDENTS, language),
        grid.owned,
        from_rows=grid.from_rows,
        from_columns=grid.from_columns,
        body_rows=grid.body_rows,
    )


def problems_tab(problems: wb.Problems, existing: Any = None, language: str = "en") -> Tab:
    """The bad cells found; the user's columns (a "fixed?" note) stay on the rows of problems
    that recur (by tab, row, column and problem) and go with the rows of those fixed."""
    records = [{"tab": p.tab, "row": p.row, "column": p.column, "value": _as_text(p.value),
                "problem": p.problem} for p in problems]  # fmt: skip
    key = ("tab", "row", "column", "problem")
    grid = output_grid(wb.PROBLEMS, records, existing, key=key, language=language)
    return Tab(
        wb.PROBLEMS,
        grid.header,
        grid.rows,
        {grid.header[1]: "int"},
        grid.owned,
        from_rows=grid.from_rows,
        from_columns=grid.from_columns,
        body_rows=grid.body_rows,
    )


def _as_text(value: Any) -> Any:
    """Bad values are shown as the user typed them, never re-interpreted."""
    if value is None or isinstance(value, int | float | dt.date):
        return cell(value)
    return str(value)


#: Timeline colours: out of stock, under safety stock, under the reorder point.
TIMELINE_COLOURS = ("C00000", "FFB347", "FFE699")


def timeline_tab(plan: Plan) -> Tab:
    """Projected stock of the urgent SKUs, a column each, today first: a day out of stock is
    red, under safety stock orange, under the reorder point yellow (conditional formats, so the
    out-of-stock windows stand out down each column), and beside it a chart per SKU with its
    safety stock and reorder point as flat lines."""
    frame = plan.timeline
    rows = [[cell(v) for v in r] for r in frame.itertuples(index=False)]
    header = list(frame.columns)
    formats = {TIMELINE_DATE: "date", **{h: "int" for h in header[1:]}}
    skus = plan.skus.set_index("sku") if "sku" in plan.skus else None
    notes = {TIMELINE_DATE: f"First row = today ({plan.as_of}). Units on the shelf each morning, "
             "inbound and promotions included. " + guide.TIMELINE_LEGEND}  # fmt: skip
    below = []
    owners = frame.attrs.get("skus", {})
    levels: dict[str, tuple[float | None, float | None]] = {}
    for label in header[1:]:
        sku = owners.get(label, label)
        if skus is None or sku not in skus.index:
            continue
        row = skus.loc[sku]
        safety, point = cell(row.get("safety_stock")), cell(row.get("reorder_point"))
        levels[label] = (safety, point)
        red, orange, yellow = TIMELINE_COLOURS
        below.append(Below(label, 0, red, or_equal=True))
        if safety:
            below.append(Below(label, safety, orange))
        if point:
            below.append(Below(label, point, yellow))
        notes[label] = (
            f"{sku}: {cell(row.get('title')) or ''} ({row.get('alert')}). Safety stock "
            f"{safety if safety is not None else '–'}, reorder point "
            f"{point if point is not None else '–'}."
        )
    return Tab(
        wb.TIMELINE,
        header,
        rows,
        formats,
        chart=Chart("Projected stock", "units", levels),
        notes=notes,
        below=below,
    )


def output_grid(
    tab: str,
    records: Sequence[Mapping[str, Any]],
    existing: Grid | None,
    *,
    key: tuple[str, ...],
    language: str = "en",
) -> Carried:
    """Owned columns from `records`, user columns and rows carried over from `existing`.

    A user column is any column of the existing tab that is not one of the refresh's own (in
    either language), headed or not; its values follow their row's key, so sorting or
    re-ranking SKUs never shuffles user notes. A row whose key the refresh no longer produces
    (a SKU removed from Inventory) goes; a row the user added with no key at all (a note, a
    total) is kept below the refreshed rows, as it was, and so is a row labelled in the key
    column (`TOTAL` under the SKUs) whose other own cells are blank or formulas: no refresh
    wrote it. Formulas in what is carried keep pointing at what they pointed at
    (`sheets_sync.references`).
    """
    spec = wb.SCHEMA[tab]
    own = wb.headers(tab, language)
    known = {wb.normalize_header(n) for c in spec for n in (c.header, c.zh, c.key) if n}
    old_header = list(existing[0]) if existing else []
    width = max((len(r) for r in existing), default=0) if existing else 0
    old_header += [None] * (width - len(old_header))
    positions = {wb.normalize_header(h): i for i, h in enumerate(old_header) if not blank(h)}
    mine = {i for i, h in enumerate(old_header) if wb.normalize_header(h) in known - {""}}
    used = [i for i in range(width) if i not in mine and _column_used(existing, i)]
    user_cols = [i for i in range(used[-1] + 1) if i not in mine] if used else []
    owned_at = [
        positions.get(wb.normalize_header(c.header), positions.get(wb.normalize_header(c.zh)))
        for c in spec
    ]
    key_pos = [owned_at[next(i for i, c in enumerate(spec) if c.key == k)] for k in key]
    carried: dict[tuple, tuple[int, list[Any]]] = {}
    keyless: list[tuple[int, list[Any]]] = []
    produced = {tuple(_key_part(rec.get(part)) for part in key) for rec in records}
    if existing and all(p is not None for p in key_pos):
        for n, row in enumerate(existing[1:], start=2):
            cells = list(row) + [None] * (width - len(row))
            k = tuple(_key_part(cells[p]) for p in key_pos if p is not None)
            user = [cells[i] for i in user_cols]
            if all(part in (None, "") for part in k) or (
                k not in produced and _written_by_user(cells, owned_at, key_pos)
            ):
                if any(not blank(v) for v in cells):
                    keyless.append(
                        (n, [cells[i] if i is not None else None for i in owned_at] + user)
                    )
            else:
                carried[k] = (n, user)
    rows: Grid = []
    from_rows: list[int | None] = []
    for rec in records:
        k = tuple(_key_part(rec.get(part)) for part in key)
        old_row, values = carried.get(k, (None, [None] * len(user_cols)))
        rows.append([rec.get(c.key) for c in spec] + values)
        from_rows.append(old_row)
    for old_row, values in keyless:
        rows.append(values)
        from_rows.append(old_row)
    from_columns = [None if i is None else i + 1 for i in owned_at] + [i + 1 for i in user_cols]
    moves = Moves.between(from_rows, from_columns, grid_size(existing), len(records))
    header = own + [old_header[i] for i in user_cols]
    rows = carry(rows, moves, tab)
    return Carried(header, rows, len(own), from_rows, from_columns, len(records))


class Carried(NamedTuple):
    """An output grid and where its rows and columns came from (`Tab.from_rows`, ...)."""

    header: list[Any]
    rows: Grid
    owned: int
    from_rows: list[int | None]
    from_columns: list[int | None]
    body_rows: int


def _written_by_user(cells: list[Any], owned_at: list[int | None], key_pos: list) -> bool:
    """A row whose cells in the refresh's columns (its label in the first key column aside)
    are blank or formulas: a TOTAL row, not a removed SKU's or a fixed problem's."""
    owned = [cells[i] for i in owned_at if i is not None and i != key_pos[0]]
    return all(blank(v) or isinstance(v, Formula) for v in owned)


def _column_used(grid: Grid | None, i: int) -> bool:
    return any(i < len(row) and not blank(row[i]) for row in grid or [])


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
    return (str(value).strip() or None) if isinstance(value, str) else value
