"""One refresh: read the workbook once, plan every SKU, write the output tabs once.

The same function serves the CLI, the Google Sheets server, the Excel button and the demo, on
any backend. It never raises for bad data (that goes to the Problems tab); it raises
`TargetError` only when the workbook itself cannot be read or written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from addin import formulas
from addin.cells import counted
from addin.decisions import MIN_HISTORY_DAYS, chosen_action
from sheets_sync import formula_values, guide, relaunches
from sheets_sync import workbook as wb
from sheets_sync.backends import open_backend, parse_target
from sheets_sync.exits import ExitCode
from sheets_sync.incidents import read_incidents
from sheets_sync.inputs import read_inputs
from sheets_sync.outputs import (
    alerts_tab,
    incidents_tab,
    previous_alerts,
    problems_tab,
    timeline_tab,
)
from sheets_sync.plan import Plan, compute_plan
from sheets_sync.references import carry_across, grid_size
from sheets_sync.tables import read_table
from sheets_sync.types import JSON_VERSION, Backend, Tab, Target, TargetError
from sheets_sync.writer_lock import one_writer

if TYPE_CHECKING:
    from sheets_sync.notify import NotifyResult

Progress = Callable[[str, int, int], None]
#: Problems a JSON summary lists one by one (`problems` counts them all).
PROBLEMS_LISTED = 200


@dataclass
class RefreshResult:
    """What a refresh did: the plan, the problems found, and what was written or sent."""

    target: str
    plan: Plan
    problems: wb.Problems
    written: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    dry_run: bool = False
    #: Alerts that could not be delivered (also among `notices`): cron must see them.
    undelivered: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 all fine; 1 finished with problems listed or an alert not delivered."""
        return ExitCode.PROBLEMS if self.problems or self.undelivered else ExitCode.OK

    def counts(self) -> dict[str, int]:
        counts = self.plan.skus["alert"].value_counts()
        return {level: int(counts.get(level, 0)) for level in formulas.ALERT_LEVELS}

    def urgent(self, limit: int = 10) -> list[dict[str, Any]]:
        rows = self.plan.skus[~self.plan.skus["action"].isin([formulas.OK])].head(limit)
        return [
            {"sku": r.sku, "alert": r.alert, "action": chosen_action(r.action_text),
             "stockout_date": r.stockout_date.isoformat() if r.stockout_date else None}
            for r in rows.itertuples(index=False)
        ]  # fmt: skip

    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary (the server's answer, the CLI's `--json`)."""
        return {
            "version": JSON_VERSION,
            "target": self.target, "as_of": self.plan.as_of.isoformat(),
            "skus": len(self.plan.skus), "alerts": self.counts(),
            "problems": len(self.problems), "urgent": self.urgent(),
            "problem_list": [
                {"tab": p.tab, "row": p.row, "column": p.column, "value": _json_value(p.value),
                 "problem": p.problem}
                for p in self.problems[:PROBLEMS_LISTED]
            ],
            "written": self.written, "notices": self.notices, "dry_run": self.dry_run,
            "undelivered": self.undelivered,
        }  # fmt: skip


def refresh(
    target: str | Target | Backend,
    *,
    as_of: dt.date | None = None,
    dry_run: bool = False,
    notify: bool = False,
    progress: Progress | None = None,
) -> RefreshResult:
    """Refresh TARGET (a path, `gsheet:<id>`, `excel:caller`, or an open backend).

    A target given by name is refreshed under its writer lock (`sheets_sync.writer_lock`), so
    an import or another refresh of the same workbook waits rather than being saved over.
    """
    step = progress or (lambda *_: None)
    if not isinstance(target, str | Target):
        return _refresh(target, target.label, as_of, dry_run, notify, step)
    backend = open_backend(target)
    if dry_run:  # a dry run writes nothing: it needs no lock
        return _refresh(backend, str(target), as_of, dry_run, notify, step)
    with one_writer(parse_target(target), "refresh"):
        return _refresh(backend, str(target), as_of, dry_run, notify, step)


def _refresh(
    backend: Backend,
    label: str,
    as_of: dt.date | None,
    dry_run: bool,
    notify: bool,
    step: Progress,
) -> RefreshResult:
    step("Reading workbook", 0, 1)
    grids = backend.read([*wb.INPUT_TABS, *wb.OUTPUT_TABS])
    place = backend.target  # after the read: a live Excel book is known by its path only then
    found = formula_values.fill(grids, wb.INPUT_TABS, _remembered(place))
    inputs = read_inputs(grids, backend.tab_names())
    for f in found:
        grid = grids[f.tab] or [[]]  # (it holds the formula)
        header = grid[0][f.column - 1] if f.row > 1 else ""
        inputs.problems.add(f.tab, f.row, str(header or ""), f.formula, f.problem)
    for warning in getattr(backend, "warnings", ()):  # only a file backend can lose content
        inputs.problems.add("", None, "", None, warning)
    day = as_of or inputs.settings.as_of or dt.date.today()
    if not dry_run:
        _remember_etas(place, inputs.inbound, day)
    store = _store(place, day)
    incidents = read_incidents(read_table(wb.INCIDENTS, grids.get(wb.INCIDENTS), wb.Problems()))
    plan = compute_plan(
        inputs,
        day,
        incidents=incidents,
        progress=lambda i, n: step("Planning SKUs", i, n),
        **store,
    )
    plan.previous_alerts = previous_alerts(grids.get(wb.ALERTS))
    language = inputs.settings.sheet_language
    tabs = {
        wb.ALERTS: alerts_tab(plan, grids.get(wb.ALERTS), language),
        wb.INCIDENTS: incidents_tab(plan, grids.get(wb.INCIDENTS), language),
        wb.TIMELINE: timeline_tab(plan),
    }
    drafts = _drafts(plan, grids.get(wb.DRAFTS), place, inputs.problems)
    if drafts is not None:
        tabs[wb.DRAFTS] = drafts
    tabs[wb.PROBLEMS] = problems_tab(inputs.problems, grids.get(wb.PROBLEMS), language)
    # A formula on one output tab that reads another (a Drafts note on `=Alerts!I7`) follows
    # that tab's rows; formulas on the other tabs are the backend's to carry as it writes.
    carry_across(tabs, {name: grid_size(grids[name]) for name in tabs if grids.get(name)})
    result = RefreshResult(str(label), plan, inputs.problems, dry_run=dry_run)
    hint = guide.empty_refresh_hint(len(plan.skus), result.counts()[formulas.NO_DATA])
    if hint:
        result.notices.append(hint)
    if not dry_run:
        step("Writing workbook", 0, 1)
        backend.write(tabs)
        result.written = list(tabs)
        step("Writing workbook", 1, 1)
        try:
            _remember(place, grids)
        except TargetError as exc:  # the workbook is written: a note, not a refusal
            result.notices.append(f"input formulas' values not remembered: {exc}")
    if notify and not dry_run:
        sent = _notify(plan, place)
        result.notices += sent.messages
        result.undelivered = list(sent.failed)
    return result


def _store_path(target: Target) -> Path | None:
    """The workbook's history store, if it has one (a refresh never creates it)."""
    try:
        path = target.store_path
    except (TargetError, ValueError, OSError):
        return None
    return path if path.is_file() else None


def _remembered(target: Target) -> dict[tuple[str, str, str], Any]:
    """The values input formulas had at earlier refreshes (for formulas saved without one)."""
    from sheets_sync.history import HistoryStore

    path = _store_path(target)
    if path is None:
        return {}
    with HistoryStore(path) as store:
        return store.formula_values()


def _remember(target: Target, grids: dict[str, Any]) -> None:
    from sheets_sync.history import HistoryStore

    path = _store_path(target)
    if path is not None:
        with HistoryStore(path) as store:
            store.remember_formula_values(formula_values.saved_values(grids, wb.INPUT_TABS))


def _store(target: Target, day: dt.date) -> dict[str, pd.DataFrame | None]:
    """What the local history store knows, if this workbook has one (never creates it)."""
    from sheets_sync.history import HistoryStore

    path = _store_path(target)
    if path is None:
        return {}
    with HistoryStore(path) as store:
        return {
            "store_sales": store.daily_units(),
            "store_stock": store.daily_stock(),
            "store_spans": store.sales_spans(),
            "store_inbound": store.fba_inbound(),
            "restock": store.restock(),
            "inbound_etas": store.inbound_etas(),
            # A relaunch reads at most its window and the baseline before the stockout.
            "traffic": store.traffic(day - dt.timedelta(days=relaunches.HISTORY_DAYS)),
        }


def _remember_etas(target: Target, inbound: pd.DataFrame, day: dt.date) -> None:
    """Keep today's ETA of each Inbound shipment with an ID, for the post-mortem's causes."""
    from sheets_sync.history import HistoryStore

    path = _store_path(target)
    if path is None or not len(inbound):
        return
    rows = [
        (str(sid), str(sku), pd.Timestamp(eta).date(), float(qty), _text(supplier), _text(status))
        for sid, sku, eta, qty, supplier, status in zip(
            inbound["shipment_id"], inbound["sku"], inbound["eta"], inbound["qty"],
            inbound["supplier"], inbound["status"], strict=True,
        )
        if isinstance(sid, str) and sid.strip() and pd.notna(eta)
    ]  # fmt: skip
    with HistoryStore(path) as store:
        store.remember_inbound_etas(rows, day)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _drafts(plan: Plan, existing: Any, target: Target, problems: wb.Problems) -> Tab | None:
    from sheets_sync.drafts import drafts_tab
    from sheets_sync.messages import template_dirs_for

    try:
        return drafts_tab(
            plan, existing, template_dirs=template_dirs_for(target, plan.settings, problems)
        )
    except Exception as exc:  # a broken user template must not stop the refresh
        problems.add(wb.DRAFTS, None, "", None, f"drafts not updated: {exc}")
        return None


def _notify(plan: Plan, target: Target) -> NotifyResult:
    from sheets_sync.messages import template_dirs_for
    from sheets_sync.notify import send_alerts, state_path_for

    return send_alerts(
        plan,
        state_path=state_path_for(target),
        settings=plan.settings,
        template_dirs=template_dirs_for(target, plan.settings),
    )


def _json_value(value: Any) -> Any:
    """A bad cell's value as JSON can carry it: dates as ISO text, the rest as typed."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def summary_lines(result: RefreshResult) -> list[str]:
    """Plain-text summary, for terminals and message boxes."""
    counts = result.counts()
    planned = counted(len(result.plan.skus), "SKU")
    lines = [f"{result.target}: {planned} planned as of {result.plan.as_of}"]
    if any(counts.values()):
        lines.append("  " + " · ".join(f"{k} {v}" for k, v in counts.items() if v))
    short = _short_history(result.plan)
    if short:
        named = ", ".join(short[:SHORT_NAMED]) + (", ..." if len(short) > SHORT_NAMED else "")
        lines.append(
            f"  {counted(len(short), 'SKU')} with under {MIN_HISTORY_DAYS} days of sales "
            f"({named}): add the earlier days to Sales or import Amazon's reports "
            "(stockout import); no order is drafted for them until then"
        )
    if result.problems:
        lines.append(f"  {counted(len(result.problems), 'problem')} listed on the Problems tab")
    return lines


#: SKUs of short history the summary names; the Alerts' Flags have them all.
SHORT_NAMED = 5


def _short_history(plan: Plan) -> list[str]:
    """The SKUs planned on too few days of sales to order for (SHORT HISTORY)."""
    skus = plan.skus
    if skus.empty:
        return []
    return [
        str(sku)
        for sku, flags in zip(skus["sku"], skus["flags"], strict=True)
        if formulas.SHORT_HISTORY in (flags or [])
    ]
