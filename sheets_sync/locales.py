"""The `locale` setting's day order and decimal mark, from the Unicode CLDR through babel.

How text is read once the locale is known is `addin.reading`. The in-sheet refreshes (xlwings
Lite, Apps Script) have no babel: they get `locale_table()` in the tab contract and look names
up there with `addin.reading.parse_locale`, which a test holds to `parse_locale` here.
"""

from __future__ import annotations

from functools import cache

from babel import Locale as BabelLocale
from babel import localedata
from babel.core import UnknownLocaleError

from addin.reading import DEFAULT_LOCALE, Locale


def parse_locale(text: object) -> Locale:
    """`en-GB` -> day first, `.` decimals; raises ValueError for a locale babel does not know."""
    name = str(text or "").strip() or DEFAULT_LOCALE  # a blank cell is the default
    try:
        found = BabelLocale.parse(name.replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        raise ValueError(f"unknown locale {name!r}: use a code like en-US, en-GB, de-DE") from None
    pattern = str(found.date_formats["short"].pattern)
    decimal = found.number_symbols.get("latn", {}).get("decimal", ".")
    return Locale(name, pattern.find("d") < pattern.find("M"), "," if decimal == "," else ".")


@cache
def locale_table() -> dict[str, str]:
    """Every CLDR locale by how it writes: `{"d,": "de fr …", "d.": "en_gb …", "m.": "en …"}`
    (day or month first, then the decimal mark), keeping a territory or script only where it
    differs from its language, and naming `zh_Hans_CN` also as `zh_cn`, the way sellers type
    it. Compact, because it travels in Schema.gs and the Lite bundle."""
    table: dict[str, str] = {}
    for name in sorted(localedata.locale_identifiers(), key=lambda n: (n.count("_"), n)):
        try:
            found = parse_locale(name)
        except ValueError:
            continue
        code = ("d" if found.day_first else "m") + found.decimal
        parts = name.casefold().split("_")
        short = "_".join(p for p in parts if len(p) != 4)  # zh_hans_cn -> zh_cn
        for key in dict.fromkeys((name.casefold(), short)):
            parent = next((table["_".join(parts[:n])] for n in range(len(parts) - 1, 0, -1)
                           if "_".join(parts[:n]) in table), None)  # fmt: skip
            if key not in table and code != parent:
                table[key] = code
    by_code: dict[str, list[str]] = {}
    for key, code in table.items():
        by_code.setdefault(code, []).append(key)
    return {code: " ".join(keys) for code, keys in sorted(by_code.items())}
