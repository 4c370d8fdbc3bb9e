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

import csv
import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sheets_sync.history import TrafficRow
from sheets_sync.sources.report_cells import LineDecoder, to_money

LABEL = "Business Report (Detail Page Sales and Traffic by Child Item)"
SPAPI_TYPE = "GET_SALES_AND_TRAFFIC_REPORT"
#: The options that make `salesAndTrafficByAsin` one entry per SKU.
SPAPI_OPTIONS = {"dateGranularity": "DAY", "asinGranularity": "SKU"}

_KEY_DROP = re.compile(r"[\s\-_\"'\ufeff\u2013\u2014]+")
#: Column -> the header keys that name it, newest first (keys: lower case, no spaces/dashes).
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


class TrafficError(Exception):
    """A traffic file that cannot be used: a message for the user."""


def header_key(text: str) -> str:
    """`Sessions – Total`, `Sessions - Total` and `sessions-total` agree."""
    return _KEY_DROP.sub("", text).lower()


def is_business_report(first_line: bytes) -> bool:
    """Whether a file's first line is a Business Report header (by child item or by ASIN)."""
    text = first_line.decode("utf-8", errors="replace")
    keys = {header_key(h) for h in next(csv.reader([text]), [])}
    return "unitsordered" in keys and bool(keys & {"sessionstotal", "sessions"})


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


@dataclass
class TrafficFile:
    """What one traffic file held: rows for the store, and the lines it had to skip."""

    path: Path
    first: dt.date
    last: dt.date
    rows: list[TrafficRow] = field(default_factory=list)
    lines: int = 0
    problems: list[tuple[int, str, str, str]] = field(default_factory=list)


def read_business_report(path: Path, span: tuple[dt.date, dt.date] | None) -> TrafficFile:
    """Sessions, page views and units ordered per SKU of one downloaded Business Report.

    SPAN is the range the file was downloaded for (None: from the file name, else refused).
    """
    span = span or dates_in_name(path)
    if span is None:
        raise TrafficError(
            f"{path.name}: a Business Report holds no dates. Name the file after the day it "
            "covers (BusinessReport-2026-11-20.csv) or its range (BusinessReport-2026-11-01_"
            "2026-11-07.csv), or give --dates 2026-11-20 (or 2026-11-01..2026-11-07)."
        )
    found = TrafficFile(path, *span)
    try:
        rows = csv.reader(_lines(path))
        header = [header_key(h) for h in next(rows, [])]
    except OSError as error:
        raise TrafficError(f"{path}: cannot read the file ({error.strerror or error})") from None
    at = {name: next((header.index(k) for k in keys if k in header), -1)
          for name, keys in COLUMNS.items()}  # fmt: skip
    if at["sku"] < 0:
        raise TrafficError(
            f"{path.name} has no SKU column: download 'Detail Page Sales and Traffic by Child "
            "Item' (the by-Parent and by-ASIN views leave the SKU out)."
        )
    by_sku: dict[str, TrafficRow] = {}
    for number, cells in enumerate(rows, start=2):
        if not any(c.strip() for c in cells):
            continue
        found.lines += 1
        cell = {name: (cells[i].strip() if 0 <= i < len(cells) else "") for name, i in at.items()}
        sessions, units = _count(cell["sessions"]), _count(cell["units"])
        if not cell["sku"] or sessions is None or units is None:
            column = "SKU" if not cell["sku"] else "Sessions" if sessions is None else "Units"
            value = {"SKU": cell["sku"], "Sessions": cell["sessions"]}.get(column, cell["units"])
            found.problems.append((number, column, value, "missing or not a whole number"))
            continue
        row = TrafficRow(
            sku=cell["sku"],
            first_day=found.first.isoformat(),
            last_day=found.last.isoformat(),
            sessions=sessions,
            units=units,
            page_views=_count(cell["page_views"]),
            unit_session_pct=to_money(cell["usp"].replace("%", "").strip()),
            asin=cell["asin"],
        )
        by_sku[row.sku] = _merge(by_sku.get(row.sku), row)
    found.rows = list(by_sku.values())
    return found


def read_sales_and_traffic(document: dict[str, Any], path: Path) -> TrafficFile:
    """Per-SKU traffic of one SP-API Sales and Traffic report (JSON, as Amazon's schema)."""
    spec = document.get("reportSpecification") or {}
    try:
        first = dt.date.fromisoformat(str(spec["dataStartTime"])[:10])
        last = dt.date.fromisoformat(str(spec["dataEndTime"])[:10])
    except (KeyError, ValueError):
        raise TrafficError(f"{path.name}: no dataStartTime/dataEndTime in the report") from None
    found = TrafficFile(path, first, last)
    by_sku: dict[str, TrafficRow] = {}
    for number, entry in enumerate(document.get("salesAndTrafficByAsin") or [], start=1):
        found.lines += 1
        traffic = entry.get("trafficByAsin") or {}
        sales = entry.get("salesByAsin") or {}
        sku, sessions, units = entry.get("sku"), traffic.get("sessions"), sales.get("unitsOrdered")
        if not sku or not isinstance(sessions, int) or not isinstance(units, int):
            found.problems.append(
                (number, "sku/sessions/unitsOrdered", str(sku or ""), "missing (asinGranularity"
                 " must be SKU)" if not sku else "not a whole number")
            )  # fmt: skip
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


def _lines(path: Path) -> Iterator[str]:
    """The file's lines decoded one by one (UTF-8, else the marketplace's legacy encoding)."""
    decode = LineDecoder(None)
    with path.open("rb") as stream:
        for number, raw in enumerate(stream):
            if number == 0:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            yield decode(raw.rstrip(b"\r\n"))


def parse_dates(text: str) -> tuple[dt.date, dt.date]:
    """`2026-11-20` or `2026-11-01..2026-11-07` (the `--dates` option); ValueError if not."""
    parts = [dt.date.fromisoformat(p.strip()) for p in text.split("..")]
    if len(parts) not in (1, 2):
        raise ValueError(text)
    return min(parts), max(parts)


def traffic_days(rows: Iterable[TrafficRow]) -> tuple[str | None, str | None]:
    """(first day, last day) a set of rows covers, for the import log."""
    rows = list(rows)
    if not rows:
        return None, None
    return min(r.first_day for r in rows), max(r.last_day for r in rows)
