"""Detail-page traffic per SKU: the Business Report and the SP-API Sales and Traffic report.

The relaunch tracker (`addin.relaunch`) needs sessions and units ordered per SKU and day. Two
sources carry them:

* the Business Report **"Detail Page Sales and Traffic by Child Item"**, downloaded from Seller
  Central as CSV. Its headers changed over the years (`Sessions` became `Sessions - Total`, then
  `Sessions – Total` with en dashes and lower-case words in 2025; B2B and mobile/browser columns
  came and went), its numbers carry thousands separators and `%`. It is read by header, not by
  position. **The file holds no date**: it covers the range picked on the page. The range comes
  from the file name (one ISO date, `BusinessReport-2026-11-20.csv`, for a day; two for a
  range, `BusinessReport-2026-11-01_2026-11-07.csv`) or from `stockout import --dates`. The
  name Seller Central gives a download (`BusinessReport-11-20-26.csv`, `...-23-07-2025.csv`) is
  the day of the download, written month or day first by marketplace: it is never read as the
  report's dates. Download one file per day for daily figures; a range file still gives the
  conversion before a stockout (`addin.relaunch.window` never counts a day twice).
* `GET_SALES_AND_TRAFFIC_REPORT` through the SP-API (JSON, Amazon's schema
  `sellerSalesAndTrafficReport.json`): `salesAndTrafficByAsin` holds one entry per SKU with
  `asinGranularity=SKU`, summed over the whole requested period whatever `dateGranularity`
  says, so `stockout pull` asks for one report per day.

A SKU's sessions are its ASIN's (two SKUs of one ASIN both show the ASIN's sessions); its units
are its own, as in Amazon's Unit Session Percentage.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sheets_sync.history import HistoryStore, TrafficRow
from sheets_sync.sources.records import Loaded
from sheets_sync.sources.report_cells import to_money
from sheets_sync.sources.report_file import ByteProgress, Problem, Report, ReportError

LABEL = "Business Report (Detail Page Sales and Traffic by Child Item)"
SPAPI_LABEL = "Sales and Traffic (SP-API)"
SPAPI_TYPE = "GET_SALES_AND_TRAFFIC_REPORT"
#: Days asked for per pull: createReport allows a burst of 15, the pull asks for others too.
DAYS_PER_PULL = 10
#: The options that make `salesAndTrafficByAsin` one entry per SKU.
SPAPI_OPTIONS = {"dateGranularity": "DAY", "asinGranularity": "SKU"}

#: Column -> the header keys that name it, newest first (`report_file.header_key`).
COLUMNS = {
    "sku": ("sku",),
    "asin": ("(child)asin", "childasin"),
    "sessions": ("sessionstotal", "sessions"),
    "page_views": ("pageviewstotal", "pageviews"),
    "units": ("unitsordered",),
    "usp": ("unitsessionpercentage",),
}
_GROUPED = re.compile(r"^\d{1,3}([,.\s\u00a0\u202f']\d{3})+$")
_ISO = re.compile(r"(?<!\d)(\d{4}-\d{2}-\d{2})(?!\d)")


def dates_in_name(path: Path) -> tuple[dt.date, dt.date] | None:
    """The day (one ISO date) or range (two) a file's name states; None when it states none."""
    days = []
    for text in _ISO.findall(path.name):
        try:
            days.append(dt.date.fromisoformat(text))
        except ValueError:
            return None
    if len(days) not in (1, 2):
        return None
    return min(days), max(days)


def span_of(report: Report) -> tuple[dt.date, dt.date]:
    """The days a Business Report covers: as the import was told, else from the file's name."""
    span = report.span or dates_in_name(report.path)
    if span is None:
        raise ReportError(
            f"{report.path.name}: a Business Report holds no dates. Name the file after the day "
            "it covers (BusinessReport-2026-11-20.csv) or its range (BusinessReport-2026-11-01_"
            "2026-11-07.csv), or give --dates 2026-11-20 (or 2026-11-01..2026-11-07)."
        )
    return span


def read_business_report(report: Report) -> list[TrafficRow]:
    """Sessions, page views and units ordered per SKU of one downloaded Business Report."""
    first, last = (day.isoformat() for day in span_of(report))
    by_sku: dict[str, TrafficRow] = {}
    for line, row in report.lines():
        cell = {name: next((row[k] for k in keys if k in report.columns), "")
                for name, keys in COLUMNS.items()}  # fmt: skip
        sessions, units = _count(cell["sessions"]), _count(cell["units"])
        if not cell["sku"] or sessions is None or units is None:
            column = "SKU" if not cell["sku"] else "Sessions" if sessions is None else "Units"
            value = {"SKU": cell["sku"], "Sessions": cell["sessions"]}.get(column, cell["units"])
            report.problem(line, column, value, "missing or not a whole number")
            continue
        found = TrafficRow(
            sku=cell["sku"],
            first_day=first,
            last_day=last,
            sessions=sessions,
            units=units,
            page_views=_count(cell["page_views"]),
            unit_session_pct=to_money(cell["usp"].replace("%", "").strip()),
            asin=cell["asin"],
        )
        by_sku[found.sku] = _merge(by_sku.get(found.sku), found)
    return list(by_sku.values())


def load_business_report(
    store: HistoryStore, report: Report, progress: ByteProgress | None
) -> Loaded:
    """Each SKU's traffic over the days the file covers."""
    rows = read_business_report(report)
    store.put_traffic(rows)
    first, last = span_of(report)
    return Loaded(first.isoformat(), last.isoformat()) if rows else Loaded()


@dataclass
class TrafficFile:
    """What one SP-API Sales and Traffic report held: rows for the store, and entries skipped."""

    path: Path
    first: dt.date
    last: dt.date
    rows: list[TrafficRow] = field(default_factory=list)
    lines: int = 0
    problems: list[Problem] = field(default_factory=list)


def read_sales_and_traffic(document: dict[str, Any], path: Path) -> TrafficFile:
    """Per-SKU traffic of one SP-API Sales and Traffic report (JSON, as Amazon's schema)."""
    spec = document.get("reportSpecification") or {}
    try:
        first = dt.date.fromisoformat(str(spec["dataStartTime"])[:10])
        last = dt.date.fromisoformat(str(spec["dataEndTime"])[:10])
    except (KeyError, ValueError):
        raise ReportError(f"{path.name}: no dataStartTime/dataEndTime in the report") from None
    found = TrafficFile(path, first, last)
    by_sku: dict[str, TrafficRow] = {}
    for number, entry in enumerate(document.get("salesAndTrafficByAsin") or [], start=1):
        found.lines += 1
        traffic = entry.get("trafficByAsin") or {}
        sales = entry.get("salesByAsin") or {}
        sku, sessions, units = entry.get("sku"), traffic.get("sessions"), sales.get("unitsOrdered")
        if not sku or not isinstance(sessions, int) or not isinstance(units, int):
            why = "missing (asinGranularity must be SKU)" if not sku else "not a whole number"
            found.problems.append(Problem(number, "sku/sessions/unitsOrdered", str(sku or ""), why))
            continue
        page_views = traffic.get("pageViews")
        usp = traffic.get("unitSessionPercentage")
        row = TrafficRow(
            sku=str(sku),
            first_day=first.isoformat(),
            last_day=last.isoformat(),
            sessions=sessions,
            units=units,
            page_views=page_views if isinstance(page_views, int) else None,
            unit_session_pct=float(usp) if isinstance(usp, int | float) else None,
            asin=str(entry.get("childAsin") or ""),
            source="sales_and_traffic",
        )
        by_sku[row.sku] = _merge(by_sku.get(row.sku), row)
    found.rows = list(by_sku.values())
    return found


def days_to_pull(store: HistoryStore, today: dt.date, days: int) -> list[dt.date]:
    """The days of the last DAYS (to yesterday) no Sales and Traffic report has brought yet,
    newest first, at most DAYS_PER_PULL: the next pull asks for the rest."""
    log = store.imports()
    done = set(log.loc[(log["kind"] == "sales_and_traffic") & (log["first_day"] == log["last_day"]),
                       "first_day"])  # fmt: skip
    wanted = (today - dt.timedelta(days=n) for n in range(1, days + 1))
    return [day for day in wanted if day.isoformat() not in done][:DAYS_PER_PULL]


def _merge(before: TrafficRow | None, row: TrafficRow) -> TrafficRow:
    """A SKU listed twice: its units add up, its sessions are its ASIN's (the larger figure)."""
    if before is None:
        return row
    units = before.units + row.units
    sessions = max(before.sessions, row.sessions)
    usp = round(100 * units / sessions, 2) if sessions else None
    return TrafficRow(row.sku, row.first_day, row.last_day, sessions, units,
                      before.page_views, usp, row.asin or before.asin, row.source)  # fmt: skip


def _count(text: str) -> int | None:
    """A whole count as any marketplace writes it: `5,824`, `5.824`, `5 824`, `--`; None if not."""
    text = text.strip()
    if text in ("", "--", "-"):
        return 0 if text else None
    if _GROUPED.match(text):
        text = re.sub(r"\D", "", text)
    try:
        return int(text)
    except ValueError:
        return None


def parse_dates(text: str) -> tuple[dt.date, dt.date]:
    """`2026-11-20` or `2026-11-01..2026-11-07` (the `--dates` option); ValueError if not."""
    parts = [dt.date.fromisoformat(p.strip()) for p in text.split("..")]
    if len(parts) not in (1, 2):
        raise ValueError(text)
    return min(parts), max(parts)
