"""One refresh: read the workbook once, plan every SKU, write the output tabs once.

The same function serves the CLI, the Google Sheets server, the Excel button and the demo, on
any backend. It never raises for bad data (that goes to the Problems tab); it raises
`TargetError` only when the workbook itself cannot be read or written.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from addin import formulas
from sheets_sync import workbook as wb
from sheets_sync.backends import open_backend
from sheets_sync.plan import Plan, compute_plan, read_incidents
from sheets_sync.types import Backend, Chart, Tab, Target, TargetError

ALERT_COLOURS = {
    formulas.OUT: "C00000", formulas.CRITICAL: "FF5B5B", formulas.WARNING: "FFB347",
    formulas.WATCH: "FFE699", formulas.OK: "C6EFCE", formulas.NO_DATA: "D9D9D9",
}  # fmt: skip
ZH_WORDS = {
    formulas.OUT: "断货", formulas.CRITICAL: "紧急", formulas.WARNING: "警告",
    formulas.WATCH: "关注", formulas.OK: "正常", formulas.NO_DATA: "无数据",
    formulas.SWITCH_TO_FBM: "切换自发货", formulas.EXPEDITE_BY_AIR: "空运加急",
    formulas.EXPEDITE_BY_EXPRESS: "快递加急", formulas.SLOW_SALES: "控制销量",
    formulas.PAUSE_AND_NOTIFY: "暂停并通知", formulas.REORDER_NOW: "立即补货",
    formulas.REORDER_SOON: "尽快补货", formulas.RELAUNCH: "重新推广",
    formulas.LEAD_TIME_RISK: "交期风险", formulas.FEE_RISK: "低库存费风险",
    formulas.OVERSTOCK: "库存过多", formulas.INBOUND_OVERDUE: "在途逾期",
    formulas.TREND_UP: "销量上升",
}  # fmt: skip
Progress = Callable[[str, int, int], None]


@dataclass
class RefreshResult:
    """What a refresh did: the plan, the problems found, and what was written or sent."""

    target: str
    plan: Plan
    problems: wb.Problems
    written: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def exit_code(self) -> int:
        """SPEC §6: 0 all fine, 1 finished with problems listed."""
        return 1 if self.problems else 0

    def counts(self) -> dict[str, int]:
        counts = self.plan.skus["alert"].value_counts()
        return {level: int(counts.get(level, 0)) for level in formulas.ALERT_LEVELS}

    def urgent(self, limit: int = 10) -> list[dict[str, Any]]:
        rows = self.plan.skus[~self.plan.skus["action"].isin([formulas.OK])].head(limit)
        return [
            {"sku": r.sku, "alert": r.alert, "action": r.action_text,
             "stockout_date": r.stockout_date.isoformat() if r.stockout_date else None}
            for r in rows.itertuples(index=False)
        ]  # fmt: skip

    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary (the server's answer, the CLI's `--json`)."""
        return {
            "target": self.target, "as_of": self.plan.as_of.isoformat(),
            "skus": len(self.plan.skus), "alerts": self.counts(),
            "problems": len(self.problems), "urgent": self.urgent(),
            "written": self.written, "notices": self.notices, "dry_run": self.dry_run,
        }  # fmt: skip


def refresh(
    target: str | Target | Backend,
    *,
    as_of: dt.date | None = None,
    dry_run: bool = False,
    notify: bool = False,
    progress: Progress | None = None,
) -> RefreshResult:
    """Refresh TARGET (a path, `gsheet:<id>`, `excel:caller`, or an open backend)."""
    step = progress or (lambda *_: None)
    backend = open_backend(target) if isinstance(target, str | Target) else target
    label = str(target) if isinstance(target, str | Target) else backend.label
    step("Reading workbook", 0, 1)
    grids = backend.read([*wb.INPUT_TABS, *wb.OUTPUT_TABS])
    place = backend.target  # after the read: a live Excel book is known by its path only then
    inputs = wb.read_inputs(grids)
    day = as_of or inputs.raw_settings.get("as_of") or dt.date.today()
    store = _store(place)
    incidents = read_incidents(wb.read_table(wb.INCIDENTS, grids.get(wb.INCIDENTS), wb.Problems()))
    plan = compute_plan(
        inputs,
        day,
        incidents=incidents,
        progress=lambda i, n: step("Planning SKUs", i, n),
        **store,
    )
    plan.previous_alerts = _previous_alerts(grids.get(wb.ALERTS))
    language = str(inputs.raw_settings.get("sheet_language") or "en")
    tabs = {
        wb.ALERTS: alerts_tab(plan, grids.get(wb.ALERTS), language),
        wb.INCIDENTS: incidents_tab(plan, grids.get(wb.INCIDENTS), language),
        wb.TIMELINE: timeline_tab(plan),
    }
    drafts = _drafts(plan, grids.get(wb.DRAFTS), place, inputs.problems)
    if drafts is not None:
        tabs[wb.DRAFTS] = drafts
    tabs[wb.PROBLEMS] = problems_tab(inputs.problems, language)
    result = RefreshResult(str(label), plan, inputs.problems, dry_run=dry_run)
    if not dry_run:
        step("Writing workbook", 0, 1)
        backend.write(tabs)
        result.written = list(tabs)
        step("Writing workbook", 1, 1)
    if notify and not dry_run:
        result.notices = _notify(plan, place)
    return result


def _store(target: Target) -> dict[str, pd.DataFrame | None]:
    """What the local history store knows, if this workbook has one (never creates it)."""
    from sheets_sync.history import HistoryStore

    try:
        path = target.store_path
    except (TargetError, ValueError, OSError):
        return {}
    if not path.is_file():
        return {}
    with HistoryStore(path) as store:
        return {
            "store_sales": store.daily_units(),
            "store_stock": store.daily_stock(),
            "store_inbound": store.fba_inbound(),
            "restock": store.restock(),
        }


def _drafts(plan: Plan, existing: Any, target: Target, problems: wb.Problems) -> Tab | None:
    from sheets_sync.drafts import drafts_tab, template_dirs_for

    try:
        return drafts_tab(plan, existing, template_dirs=template_dirs_for(target, plan.settings))
    except Exception as exc:  # a broken user template must not stop the refresh
        problems.add(wb.DRAFTS, None, "", None, f"drafts not updated: {exc}")
        return None


def _notify(plan: Plan, target: Target) -> list[str]:
    from sheets_sync.drafts import template_dirs_for
    from sheets_sync.notify import send_alerts, state_path_for

    result = send_alerts(
        plan,
        state_path=state_path_for(target),
        settings=plan.settings,
        template_dirs=template_dirs_for(target, plan.settings),
    )
    return list(result.messages)


def _previous_alerts(grid: Any) -> dict[str, str]:
    table = wb.read_table(wb.ALERTS, grid, wb.Problems())
    if table.empty:
        return {}
    words = {v: k for k, v in ZH_WORDS.items()}
    return {sku: words.get(a, a) for sku, a in zip(table["sku"], table["alert"], strict=True) if a}


# --- output tabs -------------------------------------------------------------------------


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


def _words(value: Any, language: str) -> Any:
    if language != "zh" or not isinstance(value, str):
        return value
    for word in sorted(ZH_WORDS, key=len, reverse=True):
        value = value.replace(word, ZH_WORDS[word])
    return value


def alerts_tab(plan: Plan, existing: Any, language: str = "en") -> Tab:
    now = dt.datetime.now().replace(microsecond=0)
    records = []
    for rec in plan.skus.to_dict("records"):
        row = {k: cell(v) for k, v in rec.items()}
        row["updated"] = now
        for key in ("available", "inbound"):
            if row.get(key) is not None:
                row[key] = formulas.round_to(row[key], 0)
        for key in ("alert", "flags", "action_text"):
            row[key] = _words(row.get(key), language)
        records.append(row)
    header, rows, owned = wb.output_grid(
        wb.ALERTS, records, existing, key=("sku",), language=language
    )
    alert_header = wb.headers(wb.ALERTS, language)[10]
    colours = {_words(k, language): v for k, v in ALERT_COLOURS.items()}
    return Tab(
        wb.ALERTS,
        header,
        rows,
        wb.formats(wb.ALERTS, language),
        owned,
        fills={alert_header: colours},
    )


def incidents_tab(plan: Plan, existing: Any, language: str = "en") -> Tab:
    records = [{k: cell(v) for k, v in r.items()} for r in plan.incidents.to_dict("records")]
    header, rows, owned = wb.output_grid(
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


def summary_lines(result: RefreshResult) -> list[str]:
    """Plain-text summary, for terminals and message boxes."""
    counts = result.counts()
    lines = [
        f"{result.target}: {len(result.plan.skus)} SKUs planned as of {result.plan.as_of}",
        "  " + " · ".join(f"{k} {v}" for k, v in counts.items() if v),
    ]
    if result.problems:
        lines.append(f"  {len(result.problems)} problem(s) listed on the Problems tab")
    return lines
