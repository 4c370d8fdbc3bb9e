"""The cells of Amazon's flat files: encodings, quoting, numbers, money and local days.

Reports come in UTF-8, cp1252 or Shift_JIS, with `--` for zero, thousands separators of every
marketplace, and timestamps whose day depends on the marketplace's time zone. These readers
turn one cell into one plain value (None when it cannot be read) for `amazon_reports`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sheets_sync.vocab import BY_CHANNEL, MARKETPLACES

#: Country code (as reports write it, or ISO) -> sales channel, for reports that name a country.
CHANNEL_OF_COUNTRY = {m.country: m.channel for m in MARKETPLACES} | {
    m.iso_country: m.channel for m in MARKETPLACES
}
#: Countries whose Seller Central writes short dates month first (4/11/2021 = April 11).
MONTH_FIRST = frozenset({"US", "CA", "PH"})
_KANA = re.compile(r"[\u3040-\u30ff]")


class LineDecoder:
    """Decode line by line: strict UTF-8 until a line is not, then one fallback for the file."""

    def __init__(self, encoding: str | None) -> None:
        self.chosen = encoding
        self.encoding = encoding or "utf-8"

    def __call__(self, raw: bytes) -> str:
        if self.chosen:
            return raw.decode(self.chosen, errors="replace")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
        try:
            text = raw.decode("cp932")
            self.chosen = "cp932" if _KANA.search(text) else "cp1252"
        except UnicodeDecodeError:
            self.chosen = "cp1252"
        self.encoding = self.chosen
        return raw.decode(self.chosen, errors="replace")


def unquote(cell: str) -> str:
    cell = cell.strip()
    if cell[:1] == '"' and cell[-1:] == '"' and len(cell) >= 2:
        return cell[1:-1].replace('""', '"').strip()
    return cell


def to_int(text: str) -> int | None:
    """A quantity: blank -> None, `--` -> 0, `1,234` -> 1234; None when unreadable."""
    if text in ("--", "-"):
        return 0
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text.replace(",", ""))
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def to_money(text: str) -> float | None:
    """A price in either decimal style: `19.99`, `19,99`, `1,234.50`, `1.234,50`."""
    try:
        return float(text)
    except ValueError:
        pass
    text = text.strip().replace(" ", "")
    if not text or text == "--":
        return None
    if "," in text and "." in text:
        thousands = "," if text.rfind(",") < text.rfind(".") else "."
        text = text.replace(thousands, "").replace(",", ".")
    elif "," in text:
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


@functools.cache
def _zone(channel: str) -> ZoneInfo | None:
    place = BY_CHANNEL.get(channel)
    name = place.timezone if place else ""
    try:
        return ZoneInfo(name) if name else None
    except ZoneInfoNotFoundError:
        return None


@functools.lru_cache(maxsize=65_536)
def _local_hour_day(stamp_hour: str, offset: str, channel: str) -> str | None:
    """The marketplace-local day of an hour (`2018-07-30T15` + `+00:00`): cached, since a
    file has millions of lines but only thousands of distinct hours."""
    try:
        moment = dt.datetime.fromisoformat(f"{stamp_hour}:00:00{offset}")
    except ValueError:  # an offset Python cannot read (`PDT`): keep the day as written
        day = iso_day(stamp_hour)
        return day.isoformat() if day else None
    zone = _zone(channel)
    if zone is None or moment.tzinfo is None:
        return moment.date().isoformat()
    return moment.astimezone(zone).date().isoformat()


def local_day(text: str, channel: str) -> str | None:
    """`2018-07-30T15:41:26+00:00` -> the ISO day in the marketplace's time zone."""
    if len(text) >= 19 and text[10] in "T ":
        return _local_hour_day(text[:13], text[19:].strip(), channel)
    day = iso_day(text)
    return day.isoformat() if day else None


def iso_day(text: str) -> dt.date | None:
    """The calendar day an ISO date or date-time names (as written, no zone conversion)."""
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def snapshot_day(text: str, country: str) -> str | None:
    day = iso_day(text) or locale_date(text, country.upper())
    return day.isoformat() if day else None


def locale_date(text: str, country: str) -> dt.date | None:
    """A Seller Central short date; see `read_restock` for the D/M versus M/D rule."""
    parts = re.split(r"[/.\-]", text.strip().split(" ")[0])
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return iso_day(text)
    a, b, c = (int(p) for p in parts)
    if len(parts[0]) == 4:
        year, month, day = a, b, c
    elif "." in text or (a > 12 >= b) or (country not in MONTH_FIRST and b <= 12):
        day, month, year = a, b, c
    else:
        month, day, year = a, b, c
    if year < 100:
        year += 2000
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
