"""Cell values: what typed text becomes (valueInputOption) and how values read back.

RAW stores strings as they are. USER_ENTERED parses text as the Sheets UI does: numbers (with
thousands separators, exponents, percentages), booleans, dates and times (which also get a date
format), a leading apostrophe keeps text, and `=` starts a formula (see `formulas`). Reading renders
per valueRenderOption (FORMATTED_VALUE through the cell's number format, UNFORMATTED_VALUE,
FORMULA) and dateTimeRenderOption (serials or formatted strings).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sheets_sync.backends.gsheets import EPOCH, to_serial


@dataclass
class Cell:
    """One non-empty cell: its value and, when it was entered as one, its formula."""

    value: str | float | bool
    formula: str | None = None


def json_number(value: float) -> int | float:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def from_serial(serial: float) -> dt.datetime:
    return EPOCH + dt.timedelta(days=serial)


_NUMBER_TEXT = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][+-]?\d+)?")
_DATE_FORMS = [
    (re.compile(r"\d{4}-\d{1,2}-\d{1,2}"), "%Y-%m-%d", "DATE", "yyyy-mm-dd"),
    (re.compile(r"\d{1,2}/\d{1,2}/\d{4}"), "%m/%d/%Y", "DATE", "M/d/yyyy"),
    (
        re.compile(r"\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{2}:\d{2}"),
        "%Y-%m-%d %H:%M:%S",
        "DATE_TIME",
        "yyyy-mm-dd H:mm:ss",
    ),
]


def user_entered(text: str) -> tuple[Cell | None, dict[str, str] | None]:
    """Parse typed text the way the Sheets UI does (as far as the recordings show)."""
    stripped = text.strip()
    if text.startswith("="):
        return Cell("", formula=text), None  # its value comes with the recalculation
    if text.startswith("'"):
        return Cell(text[1:]), None
    if stripped.upper() in ("TRUE", "FALSE"):
        return Cell(stripped.upper() == "TRUE"), None
    if stripped and _NUMBER_TEXT.fullmatch(stripped) and any(ch.isdigit() for ch in stripped):
        value = float(stripped.replace(",", ""))
        if "," not in stripped:
            return Cell(value), None
        # Typed thousands separators become the cell's number format, as in the Sheets UI.
        decimals = len(stripped.partition(".")[2]) if "e" not in stripped.lower() else 0
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        return Cell(value), {"type": "NUMBER", "pattern": pattern}
    if stripped.endswith("%") and _NUMBER_TEXT.fullmatch(stripped[:-1].strip() or "x"):
        decimals = len(stripped[:-1].partition(".")[2])
        pattern = "0." + "0" * decimals + "%" if decimals else "0%"
        value = float(stripped[:-1].replace(",", "")) / 100
        return Cell(value), {"type": "PERCENT", "pattern": pattern}
    for regex, parse, kind, pattern in _DATE_FORMS:
        if regex.fullmatch(stripped):
            try:
                when = dt.datetime.strptime(stripped, parse)
            except ValueError:
                break
            return Cell(to_serial(when)), {"type": kind, "pattern": pattern}
    return Cell(text), None


def format_number(value: float, fmt: dict[str, str] | None) -> str:
    """FORMATTED_VALUE of a number: its number format, or Google's automatic format."""
    if fmt and fmt.get("type") in ("DATE", "DATE_TIME", "TIME"):
        return format_date(value, fmt.get("pattern") or "M/d/yyyy")
    pattern = (fmt or {}).get("pattern", "")
    if fmt and (match := re.search(r"[#0,]*0(?:\.(0+))?", pattern)):
        decimals = len(match.group(1) or "")
        shown = value * 100 if "%" in pattern else value
        number = f"{shown:,.{decimals}f}" if "," in match.group(0) else f"{shown:.{decimals}f}"
        return pattern[: match.start()].replace('"', "") + number + pattern[match.end() :]
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    if 1e-10 <= abs(value) < 1e15:
        return f"{value:.10f}".rstrip("0").rstrip(".")
    return f"{value:.2E}".replace("E+0", "E+").replace("E-0", "E-")


def format_date(serial: float, pattern: str) -> str:
    when = from_serial(serial)
    tokens = re.findall(r"yyyy|yy|mmmm|mmm|mm|m|dd|d|hh|h|HH|H|ss|s|am/pm|.", pattern, re.I)
    out: list[str] = []
    after_hour = False
    for token in tokens:
        low = token.lower()
        if low in ("yyyy", "yy"):
            out.append(f"{when.year:04d}"[-len(low) :])
        elif low in ("mm", "m") and after_hour:
            out.append(f"{when.minute:0{len(low)}d}")
        elif low in ("mmmm", "mmm"):
            out.append(when.strftime("%B" if low == "mmmm" else "%b"))
        elif low in ("mm", "m"):
            out.append(f"{when.month:0{len(low)}d}")
        elif low in ("dd", "d"):
            out.append(f"{when.day:0{len(low)}d}")
        elif low in ("hh", "h"):
            out.append(f"{when.hour:0{len(low)}d}")
            after_hour = True
            continue
        elif low in ("ss", "s"):
            out.append(f"{when.second:0{len(low)}d}")
        else:
            out.append(token)
        after_hour = after_hour and token == ":"
    return "".join(out)


def render(cell: Cell | None, fmt: dict[str, str] | None, render: str, date_render: str) -> Any:
    """A cell as `values.get` returns it under these render options ("" for an empty cell)."""
    if cell is None:
        return ""
    if render == "FORMULA" and cell.formula is not None:
        return cell.formula
    value = cell.value
    if isinstance(value, bool):
        return value if render != "FORMATTED_VALUE" else ("TRUE" if value else "FALSE")
    if isinstance(value, str):
        return value
    is_date = fmt is not None and fmt.get("type") in ("DATE", "DATE_TIME", "TIME")
    if render == "FORMATTED_VALUE" or (is_date and date_render == "FORMATTED_STRING"):
        return format_number(value, fmt)
    return json_number(value)


RENDER_OPTIONS = ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA")
DATE_OPTIONS = ("SERIAL_NUMBER", "FORMATTED_STRING")
INPUT_OPTIONS = ("RAW", "USER_ENTERED")
