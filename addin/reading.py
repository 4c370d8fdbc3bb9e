"""How dates and numbers typed as text are read: the same rule in every tab and in Settings,
in every refresh (this module serves `stockout refresh` and the xlwings Lite refresh alike;
`addin/google/Reading.gs` mirrors it and `tests/vectors/read_column.json` holds them together).

Date and number cells need none of this; text does. `03/11/2026` is 3 November in London and
11 March in New York; `1.200` is twelve hundred in Berlin and one point two in Boston. So a text
cell is read the way its column shows, never by the currency:

1. the column's own evidence: any cell that reads only one way (`28/10/2026`, `1.200,50`,
   `12,5`) settles the whole column;
2. else the rest of the workbook, when its settled columns agree (the same text never means
   two dates in one workbook, `Settings!as_of` included);
3. else the `locale` setting (`en-US` unless set: month first, `.` decimal point).

A column settled by 2 or 3 is listed once on Problems with what was assumed, so a wrong guess is
never silent. Cells the column's own evidence contradicts are read as written and the column is
listed too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from addin import cells

#: What a setting of `locale` must look like (`en-US`, `en_GB`, `de`, `zh-CN`).
DEFAULT_LOCALE = "en-US"

_SLASH_DATE = re.compile(r"^(\d{1,2})([/-])(\d{1,2})\2(\d{4})$")
_GROUPED_SPACE = re.compile(r"^\d{1,3}([ \u00a0\u202f']\d{3})+([.,]\d+)?$")
_MARKS = re.compile(r"^\d+([.,]\d+)*$")
_SCIENTIFIC = re.compile(r"^(\d+\.?\d*|\.\d+)[eE][+-]?\d+$|^(\d+|\d*\.\d{1,2}|\d*\.\d{4,})$")


@dataclass(frozen=True)
class Locale:
    """How the seller writes dates and numbers: day before month? comma as decimal mark?"""

    name: str
    day_first: bool
    decimal: str  # "." or ","

    @property
    def order_words(self) -> str:
        return "day first" if self.day_first else "month first"


def parse_locale(text: object, table: Mapping[str, str]) -> Locale:
    """`en-GB` -> day first, `.` decimals, from TABLE (`sheets_sync.locales.locale_table`:
    `{"d.": "en_gb …", "d,": "de …", …}`, made from the Unicode CLDR through babel). A name not
    in it reads as its language (`de-AT` as `de`); ValueError for an unknown language."""
    name = str(text or "").strip() or DEFAULT_LOCALE  # a blank cell is the default
    codes = {key: code for code, keys in table.items() for key in keys.split()}
    parts = name.replace("-", "_").casefold().split("_")
    for size in range(len(parts), 0, -1):
        found = codes.get("_".join(parts[:size]))
        if found:
            return Locale(name, found[0] == "d", found[1])
    raise ValueError(f"unknown locale {name!r}: use a code like en-US, en-GB, de-DE")


# --- one cell's possible readings ------------------------------------------------------------


def date_readings(text: str) -> dict[bool, dt.date]:
    """Every date `text` can be, keyed by day-first: two keys with different dates = ambiguous.

    Only `dd/mm/yyyy`-style text has two readings; ISO, dotted (always day first) and serial
    text read one way, which `cells.to_date` already knows. Empty: not a date at all.
    """
    found = _SLASH_DATE.match(text.strip())
    if not found:
        try:
            day = cells.to_date(text, "date", day_first=True)
        except cells.InputError:
            return {}
        return {} if day is None else {True: day, False: day}
    first, second, year = int(found[1]), int(found[3]), int(found[4])
    out = {}
    for day_first, (d, m) in ((True, (first, second)), (False, (second, first))):
        with contextlib.suppress(ValueError):
            out[day_first] = dt.date(year, m, d)
    return out


def number_readings(text: str) -> dict[str, float]:
    """Every number `text` can be, keyed by decimal mark: `1.200` -> {".": 1.2, ",": 1200.0}.

    Thousands may be grouped by `,` `.` a space or `'`; the decimal mark is the other one. A
    mark that appears twice, follows more than three digits or a leading 0, or is followed by
    other than three digits can only be one of the two, so the cell reads one way only.
    """
    body = text.strip()
    sign = -1.0 if body[:1] == "-" else 1.0
    body = body[1:].strip() if body[:1] in ("+", "-") else body
    out: dict[str, float] = {}
    if _SCIENTIFIC.match(body):
        value = float(body)
        out = {".": value} if "." in body else {".": value, ",": value}
    elif _GROUPED_SPACE.match(body):  # `1 200,50`: a space groups, so any mark is decimal
        digits = re.sub(r"[ \u00a0\u202f']", "", body)
        mark = next((c for c in digits if c in ".,"), None)
        value = float(digits.replace(",", "."))
        out = {mark: value} if mark else {".": value, ",": value}
    elif _MARKS.match(body):
        for decimal, group in ((".", ","), (",", ".")):
            whole, _, fraction = body.rpartition(decimal) if decimal in body else (body, "", "")
            if decimal in whole or not whole or (decimal in body and not fraction.isdigit()):
                continue
            groups = whole.split(group)
            head, tail = groups[0], groups[1:]
            if tail and (len(head) > 3 or head.startswith("0") or any(len(g) != 3 for g in tail)):
                continue
            out[decimal] = float("".join(groups) + ("." + fraction if fraction else ""))
    if not all(math.isfinite(v) for v in out.values()):
        return {}
    return {mark: sign * value for mark, value in out.items()}


def _evidence(readings: Iterable[dict]) -> set:
    """The keys that cells readable only one way vote for."""
    seen: set = set()
    for options in readings:
        if len(options) == 1:
            seen.update(options)
    return seen


def _ambiguous(options: dict) -> bool:
    return len(set(options.values())) > 1


# --- columns and the workbook ------------------------------------------------------------------


@dataclass
class ColumnReading:
    """How one column's text cells are read, and the note for Problems when it was assumed."""

    key: object  # True/False (day first) for dates, "." or "," for numbers
    note: str | None = None
    example: str | None = None  # the first cell that needed the assumption
    row: int | None = None


@dataclass
class Reader:
    """The workbook's reading rules: its locale and what its settled columns show.

    `learn` every text column first (all tabs and Settings), then `date_column` /
    `number_column` say how each column reads.
    """

    locale: Locale = field(default_factory=lambda: Locale(DEFAULT_LOCALE, False, "."))
    dates_seen: dict[bool, str] = field(default_factory=dict)  # day first -> "Sales Date 28/10"
    marks_seen: dict[str, str] = field(default_factory=dict)  # "," -> "Inventory Price 12,50"

    def learn_dates(self, where: str, texts: Iterable[str]) -> None:
        _learn(self.dates_seen, where, texts, date_readings)

    def learn_numbers(self, where: str, texts: Iterable[str]) -> None:
        _learn(self.marks_seen, where, texts, number_readings)

    def date_column(self, texts: list[str], rows: list[int] | None = None) -> ColumnReading:
        """Day first or not for a column of date texts, with the note when it was assumed."""
        readings = [date_readings(t) for t in texts]
        reading, unsure, why = self._settle(readings, self.dates_seen, self.locale.day_first)
        if unsure is None:
            return reading
        example = texts[unsure].strip()
        words = "day first" if reading.key else "month first"
        reading.note = (
            f"dates like {example!r} could be day/month or month/day: read {words} ({why}); "
            "type YYYY-MM-DD or set Settings locale to say otherwise"
        )
        reading.example, reading.row = example, rows[unsure] if rows else None
        return reading

    def number_column(self, texts: list[str], rows: list[int] | None = None) -> ColumnReading:
        """The decimal mark for a column of number texts, with the note when it was assumed."""
        readings = [number_readings(t) for t in texts]
        reading, unsure, why = self._settle(readings, self.marks_seen, self.locale.decimal)
        if unsure is None:
            return reading
        example = texts[unsure].strip()
        value = readings[unsure][reading.key]  # type: ignore[index]  # a str key for numbers
        reading.note = (
            f"numbers like {example!r} could use {reading.key!r} as a decimal mark or not: "
            f"read {example!r} as {value:g} ({why}); set Settings locale to say otherwise"
        )
        reading.example, reading.row = example, rows[unsure] if rows else None
        return reading

    def _settle(
        self, readings: list[dict], seen: dict, default: object
    ) -> tuple[ColumnReading, int | None, str]:
        """The column's key; the first cell that needed an assumption (None: none did); why."""
        own = _evidence(readings)
        if len(own) == 1:
            return ColumnReading(next(iter(own))), None, ""
        unsure = next((i for i, r in enumerate(readings) if _ambiguous(r)), None)
        if len(seen) == 1:
            key, where = next(iter(seen.items()))
            why = f"as {where} shows elsewhere in the workbook"
        else:
            key, why = default, f"Settings locale {self.locale.name}"
        if len(own) == 2:
            why = f"the column reads both ways; {why}"
        return ColumnReading(key), unsure, why


def _learn(seen: dict, where: str, texts: Iterable[str], readings: Callable) -> None:
    for text in texts:
        options = readings(text)
        if len(options) == 1:
            seen.setdefault(next(iter(options)), f"{where} {text.strip()}")


def read_date(text: str, day_first: bool) -> dt.date | None:
    """One text date by its column's order (a cell that reads only one way reads that way)."""
    options = date_readings(text)
    if not options:
        return None
    return options.get(day_first, next(iter(options.values())))


def read_number(text: str, decimal: str) -> float | None:
    """One text number by its column's decimal mark (unambiguous cells read their one way)."""
    options = number_readings(text)
    if not options:
        return None
    return options.get(decimal, next(iter(options.values())))


#: The dates a plan can hold (pandas' nanosecond calendar, in whole years): a `9999-12-31`
#: "unknown" ETA or a year-2300 typo is a Problems row in every refresh, not a crash.
FIRST_DATE, LAST_DATE = dt.date(1678, 1, 1), dt.date(2261, 12, 31)


def out_of_range(day: dt.date, header: str) -> str | None:
    """Why DAY cannot be planned with (None: it can), in the words Problems shows."""
    if FIRST_DATE <= day <= LAST_DATE:
        return None
    return (
        f"{header}: {day.isoformat()} is outside the dates a plan can use "
        f"({FIRST_DATE.year} to {LAST_DATE.year})"
    )


def read_column(
    kind: str,
    texts: list[str],
    locale: str = DEFAULT_LOCALE,
    day_first: bool = False,
    decimal: str = ".",
    elsewhere: Mapping[str, list[str]] | None = None,
) -> dict:
    """One column's text cells (rows 2, 3, … of a tab) read as a refresh reads them: the
    shared-vector form of `Reader`, so Python, xlwings Lite and Apps Script cannot drift.

    `elsewhere` holds the workbook's other text columns of the same kind ({"Sales Date":
    [...]}). Returns each cell's value (an ISO day or a number; None when unreadable or outside
    FIRST_DATE..LAST_DATE) and the note Problems lists for the column, with its row.
    """
    reader = Reader(Locale(locale, day_first, decimal))
    learn = reader.learn_dates if kind == "date" else reader.learn_numbers
    for where, others in (elsewhere or {}).items():
        learn(where, others)
    rows = list(range(2, len(texts) + 2))
    values: list[object] = []
    if kind == "date":
        reading = reader.date_column(texts, rows)
        for text in texts:
            day = read_date(text, bool(reading.key))
            values.append(None if day is None or out_of_range(day, "") else day.isoformat())
    else:
        reading = reader.number_column(texts, rows)
        values = [read_number(text, str(reading.key)) for text in texts]
    return {"values": values, "note": reading.note, "row": reading.row}
