"""How text dates and numbers read: each cell's possible readings, columns, the workbook."""

from __future__ import annotations

import datetime as dt

import pytest

from addin.reading import Reader, date_readings, number_readings
from sheets_sync.locales import parse_locale


@pytest.mark.parametrize(
    ("text", "readings"),
    [
        ("12", {".": 12, ",": 12}),
        ("12.5", {".": 12.5}),
        ("12,5", {",": 12.5}),
        ("1.200", {".": 1.2, ",": 1200}),  # the ambiguous one
        ("1,200", {".": 1200, ",": 1.2}),
        ("1,200.50", {".": 1200.5}),
        ("1.200,50", {",": 1200.5}),
        ("1 200,50", {",": 1200.5}),
        ("1\u202f200,50", {",": 1200.5}),  # French narrow no-break space
        ("1'200.50", {".": 1200.5}),  # Swiss
        ("1.200.000", {",": 1200000}),
        ("0,250", {",": 0.25}),
        ("1200.500", {".": 1200.5}),
        ("-1.200", {".": -1.2, ",": -1200}),
        ("1.5e3", {".": 1500}),
        ("12 units", {}),
        ("1,2,3", {}),
        ("1e400", {}),
        ("", {}),
    ],
)
def test_number_readings(text: str, readings: dict) -> None:
    assert number_readings(text) == readings


def test_date_readings() -> None:
    assert date_readings("28/10/2026") == {True: dt.date(2026, 10, 28)}
    assert date_readings("10/28/2026") == {False: dt.date(2026, 10, 28)}
    assert date_readings("03/11/2026") == {True: dt.date(2026, 11, 3), False: dt.date(2026, 3, 11)}
    one = dt.date(2026, 11, 3)
    assert date_readings("2026-11-03") == {True: one, False: one}
    assert date_readings("03.11.2026") == {True: one, False: one}  # dots: always day first
    assert date_readings("31/02/2026") == {} and date_readings("soon") == {}


def test_locale_gives_day_order_and_decimal_mark() -> None:
    assert (parse_locale("en-US").day_first, parse_locale("en-US").decimal) == (False, ".")
    assert (parse_locale("en_GB").day_first, parse_locale("en_GB").decimal) == (True, ".")
    assert (parse_locale("de-DE").day_first, parse_locale("de-DE").decimal) == (True, ",")
    assert parse_locale(None).name == "en-US"
    with pytest.raises(ValueError, match="unknown locale 'xx-QQ'"):
        parse_locale("xx-QQ")


@pytest.mark.parametrize("blank", [None, "", "  ", "\t"])
def test_a_blank_locale_cell_is_the_default_in_every_reader(blank: object) -> None:
    """A cell of spaces is blank, not an unknown locale named '' (the three refreshes agree)."""
    from addin.reading import parse_locale as table_locale
    from sheets_sync.locales import locale_table

    assert parse_locale(blank).name == "en-US"
    assert table_locale(blank, locale_table()).name == "en-US"


def test_a_column_settles_itself_else_the_workbook_else_the_locale() -> None:
    reader = Reader(parse_locale("en-US"))
    own = reader.date_column(["03/11/2026", "28/10/2026"])
    assert own.key is True and own.note is None  # 28 > 12 settles the column
    guess = reader.date_column(["03/11/2026"], [7])
    assert guess.key is False and guess.row == 7
    assert "read month first (Settings locale en-US)" in guess.note
    reader.learn_dates("Sales Date", ["28/10/2026"])
    shown = reader.date_column(["03/11/2026"])
    assert shown.key is True and "as Sales Date 28/10/2026 shows" in shown.note
    numbers = Reader(parse_locale("de-DE")).number_column(["1.200"])
    assert numbers.key == "," and "read '1.200' as 1200" in numbers.note
    assert Reader().number_column(["1.200", "7,5"]).key == ","  # `7,5` settles it: no note
    assert Reader().number_column(["1.200", "7,5"]).note is None
