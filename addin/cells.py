"""What cells send and show: reading numbers, dates and yes/no the way a sheet holds them, and
writing numbers back the same way in Python and JavaScript.

Every other `addin` module builds on these, and `addin/google/Cells.gs` mirrors them line by
line: comparisons at integer boundaries allow 1e-9 of float noise (`floor_eps`, `ceil_eps`), so
0.1 * 30 still counts as 3 days, and rounding is half up (`round_to`), never Python's banker's
`round()`, whose results JavaScript cannot reproduce.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable

EXCEL_EPOCH = dt.date(1899, 12, 30)
EPS = 1e-9


class InputError(ValueError):
    """A bad argument. The message is what a cell shows after `#STOCKOUT: `."""


# --- coercion: what cells send ------------------------------------------------------------

_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})([T ].*)?$")
_LOCAL_DATE = re.compile(r"^(\d{1,2})([./])(\d{1,2})\2(\d{4})$")
_YMD_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")


def blank(value: object) -> bool:
    """An empty cell: nothing, or text of spaces only (a sheet shows both as empty)."""
    return value is None or (isinstance(value, str) and not value.strip())


def quote(value: object) -> str:
    text = str(value)
    return f'"{text[:40]}…"' if len(text) > 40 else f'"{text}"'


def to_number(value: object, name: str) -> float | None:
    """Read a number from a cell: numbers, numeric text ("1,234", "12.5"), blank -> None."""
    if value is None or isinstance(value, bool):
        if value is None:
            return None
        raise InputError(f"{name} must be a number, got {quote(value)}")
    if isinstance(value, int | float):
        number = float(value)
        if math.isnan(number):
            return None
        if math.isinf(number):
            raise InputError(f"{name} must be a finite number")
        return number
    if isinstance(value, str):
        text = value.strip()
        if text == "":
            return None
        if _THOUSANDS.match(text):
            text = text.replace(",", "")
        if _NUMBER.match(text):
            number = float(text)
            if math.isinf(number):  # "1e400": too big for any spreadsheet
                raise InputError(f"{name} must be a finite number, got {quote(value)}")
            return number
    raise InputError(f"{name} must be a number, got {quote(value)}")


def to_date(value: object, name: str, day_first: bool | None = None) -> dt.date | None:
    """Read a date from a cell: date/datetime, an Excel serial, ISO text or a local format.

    Local formats: `25.11.2026` is always day first; `11/25/2026` or `25/11/2026` is decided by
    whichever part is over 12, else by `day_first` (None: refuse to guess).
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise InputError(f"{name} must be a date, got {quote(value)}")
    if isinstance(value, int | float):
        if math.isnan(value):
            return None
        if not 1 <= value < 2958466:
            raise InputError(f"{name} must be a date, got {quote(value)}")
        return EXCEL_EPOCH + dt.timedelta(days=math.floor(value))
    if isinstance(value, str):
        text = value.strip()
        if text == "":
            return None
        if _NUMBER.match(text):
            return to_date(float(text), name, day_first)
        found = _ISO_DATE.match(text) or _YMD_SLASH.match(text)
        if found:
            return _make_date(int(found[1]), int(found[2]), int(found[3]), name, value)
        found = _LOCAL_DATE.match(text)
        if found:
            first, second, year = int(found[1]), int(found[3]), int(found[4])
            if found[2] == "." or first > 12:
                return _make_date(year, second, first, name, value)
            if second > 12:
                return _make_date(year, first, second, name, value)
            if day_first is None:
                raise InputError(
                    f"{name}: {quote(value)} could be day/month or month/day; "
                    "use YYYY-MM-DD or a date cell"
                )
            if day_first:
                return _make_date(year, second, first, name, value)
            return _make_date(year, first, second, name, value)
    raise InputError(f"{name} must be a date, got {quote(value)}")


def infer_day_first(texts: Iterable[object]) -> bool | None:
    """A column of local dates is one format: any part over 12 decides it for all."""
    for text in texts:
        found = re.match(r"^\s*(\d{1,2})[/.](\d{1,2})[/.]\d{4}", str(text))
        if found:
            if int(found[1]) > 12:
                return True
            if int(found[2]) > 12:
                return False
    return None


def _make_date(year: int, month: int, day: int, name: str, raw: object) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise InputError(f"{name} must be a date, got {quote(raw)}") from None


def floor_eps(x: float) -> int:
    return math.floor(x + EPS)


def ceil_eps(x: float) -> int:
    return math.ceil(x - EPS)


def round_to(x: float, digits: int) -> float:
    """Round half up at `digits` decimals, the same way in Python and JavaScript."""
    scale = 10**digits
    return math.floor(x * scale + 0.5) / scale


def fmt_number(x: float, digits: int = 1) -> str:
    return f"{round_to(x, digits):.{digits}f}"


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """`1 SKU`, `3 SKUs`, `1,200 problems`: a count a seller reads as English."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def add_days(day: dt.date, days: int) -> dt.date:
    return day + dt.timedelta(days=days)


def fmt_money(amount: float | None) -> str:
    return "" if amount is None else f"{round_to(amount, 2):,.2f}"


#: Words a yes/no cell may hold (In stock, fbm_enabled), lower case.
FLAG_WORDS = {
    "true": True, "yes": True, "y": True, "1": True, "是": True, "有货": True,
    "false": False, "no": False, "n": False, "0": False, "否": False, "缺货": False,
}  # fmt: skip


def to_flag(value: object) -> bool | None:
    """Read a yes/no cell: TRUE/FALSE, yes/no, 1/0, 是/否; blank -> None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    flag = FLAG_WORDS.get(str(value).strip().lower())
    if flag is None:
        raise InputError(f"in_stock must be TRUE or FALSE, got {quote(value)}")
    return flag
