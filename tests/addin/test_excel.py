"""The Excel functions with the shapes Excel sends, against `addin.formulas`.

xlwings hands a function a value for a cell, a list for a one-row or one-column range (a list of
rows with `ndim=2`, as these functions ask for), None for an empty cell, a datetime for a date
cell and a float serial where the date comes from Lite or a number cell. On Linux the xlwings
decorators pass the functions through unchanged, so these are the real functions.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from addin import excel, formulas

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
AS_OF = dt.datetime(2026, 11, 25)


def _vector_cases() -> list[tuple[str, dict]]:
    cases = []
    for path in sorted(VECTORS.glob("*.json")):
        vector = json.loads(path.read_text(encoding="utf-8"))
        name = vector["function"].upper()
        if name in excel.__all__:
            cases += [(name, case) for case in vector["cases"]]
    return cases


@pytest.mark.parametrize(
    ("name", "case"), _vector_cases(), ids=lambda x: x if isinstance(x, str) else x["name"]
)
def test_single_cells_give_the_shared_vector_answers(name: str, case: dict) -> None:
    got = getattr(excel, name)(*case["args"], **case.get("kwargs", {}))
    expected = case["expected"]
    if isinstance(expected, dict):
        expected = excel.ERROR_PREFIX + expected["error"]
    assert (got.isoformat() if isinstance(got, dt.date) else got) == expected


def test_every_spec_function_is_covered_by_vectors() -> None:
    assert {name for name, _ in _vector_cases()} == set(excel.__all__)


def test_a_column_spills_one_result_per_row() -> None:
    available = [[10], [9], [0]]
    daily = [[3], [3], [5]]
    got = excel.STOCKOUT_DATE(available, daily, AS_OF)
    assert got == [
        [formulas.stockout_date(a[0], d[0], AS_OF)] for a, d in zip(available, daily, strict=True)
    ]
    assert got == [[dt.date(2026, 11, 28)], [dt.date(2026, 11, 28)], [dt.date(2026, 11, 25)]]


def test_a_flat_list_is_read_as_a_column() -> None:
    assert excel.DAYS_OF_COVER([10, 20, 30], 5) == [[2.0], [4.0], [6.0]]


def test_a_row_range_gives_a_row() -> None:
    assert excel.DAYS_OF_COVER([[10, 20, 30]], 5) == [[2.0, 4.0, 6.0]]


def test_a_column_and_a_row_broadcast_to_a_block_like_excel_arrays() -> None:
    got = excel.DAYS_OF_COVER([[10], [20]], [[1, 2, 4]])
    assert got == [[10.0, 5.0, 2.5], [20.0, 10.0, 5.0]]


def test_a_one_cell_range_gives_one_value_not_a_list() -> None:
    assert excel.REORDER_QTY([[100]], [[0]], [[5]], [[40]]) == formulas.reorder_qty(100, 0, 5, 40)


def test_ranges_of_different_lengths_give_one_readable_error() -> None:
    got = excel.DAYS_OF_COVER([[10], [20]], [[1], [2], [3]])
    assert got == "#STOCKOUT: available is 2×1 cells but the other ranges are 3×1"


def test_a_bad_row_shows_its_own_error_and_the_others_still_compute() -> None:
    got = excel.DAYS_OF_COVER([[10], ["abc"], [30]], [[2], [2], [2]])
    assert got == [[5.0], ['#STOCKOUT: available must be a number, got "abc"'], [15.0]]


def test_blank_rows_of_a_range_stay_blank_so_a_formula_can_cover_room_to_grow() -> None:
    got = excel.STOCKOUT_DATE([[10], [None], [None]], [[2], [None], [""]], AS_OF)
    assert got == [[dt.date(2026, 11, 30)], [None], [None]]


def test_a_single_blank_required_cell_says_what_is_missing() -> None:
    assert excel.DAYS_OF_COVER(None, 5) == "#STOCKOUT: available is required"
    assert excel.STOCKOUT_DATE(10, 2, None) == "#STOCKOUT: as_of is required"


def test_a_half_blank_row_is_an_error_not_a_blank() -> None:
    got = excel.DAYS_OF_COVER([[10], [None]], [[2], [4]])
    assert got == [[5.0], ["#STOCKOUT: available is required"]]


@pytest.mark.parametrize(
    "as_of",
    [AS_OF, dt.date(2026, 11, 25), 46351.0, 46351, "2026-11-25", [[AS_OF]]],
    ids=["datetime", "date", "serial", "int serial", "iso text", "one-cell range"],
)
def test_dates_arrive_as_date_cells_serials_or_iso_text(as_of: object) -> None:
    assert excel.STOCKOUT_DATE(10, 2, as_of, 20, 46354.0) == dt.date(2026, 12, 10)
    assert excel.REORDER_DATE(100, 2, 30, as_of, 10) == formulas.reorder_date(100, 2, 30, AS_OF, 10)


def test_the_inbound_of_each_row_counts_for_that_row_only() -> None:
    got = excel.STOCKOUT_DATE([[10], [10]], 2, AS_OF, [[20], [None]], [[AS_OF], [None]])
    assert got == [[dt.date(2026, 12, 10)], [dt.date(2026, 11, 30)]]


def test_optional_arguments_left_out_use_the_formulas_defaults() -> None:
    assert excel.SAFETY_STOCK(10, 3, 75) == formulas.safety_stock(10, 3, 75) == 70
    assert excel.REORDER_QTY(0, 0, 1, 10) == formulas.reorder_qty(0, 0, 1, 10)


def test_optional_arguments_can_vary_by_row() -> None:
    got = excel.SAFETY_STOCK(10, 10, 75, [[0.95], [0.99], [None]])
    assert got == [
        [formulas.safety_stock(10, 10, 75, 0.95)],
        [formulas.safety_stock(10, 10, 75, 0.99)],
        [formulas.safety_stock(10, 10, 75)],
    ]


HISTORY = [4, 6, 0, 5, 5, 7, 3, 4, 6, 5, 5, 8, 2, 4]


def test_sales_velocity_reads_a_column_or_a_row_as_one_series() -> None:
    expected = formulas.sales_velocity(HISTORY)
    assert excel.SALES_VELOCITY([[u] for u in HISTORY]) == expected
    assert excel.SALES_VELOCITY([HISTORY]) == expected
    assert excel.SALES_VELOCITY(HISTORY) == expected


def test_sales_velocity_of_a_block_gives_one_value_per_row() -> None:
    other = [1] * len(HISTORY)
    stock = [True] * 7 + [False] * 7
    got = excel.SALES_VELOCITY([HISTORY, other, [None] * len(HISTORY)], [stock, stock, stock])
    assert got == [
        [formulas.sales_velocity(HISTORY, stock)],
        [formulas.sales_velocity(other, stock)],
        [None],
    ]


def test_sales_velocity_takes_windows_and_weights_as_ranges_or_as_settings_text() -> None:
    expected = formulas.sales_velocity(HISTORY, None, [7, 14], [0.6, 0.4])
    assert excel.SALES_VELOCITY([HISTORY], None, [[7, 14]], [[0.6], [0.4]]) == expected
    assert excel.SALES_VELOCITY([HISTORY], None, "7,14", "0.6; 0.4") == expected
    assert expected != formulas.sales_velocity(HISTORY)


def test_sales_velocity_in_stock_must_match_the_rows_of_units() -> None:
    got = excel.SALES_VELOCITY([HISTORY, HISTORY], [[True] * len(HISTORY)])
    assert got == "#STOCKOUT: in_stock must have one row per row of units"


#: The Sales tab as Excel hands it over: date cells as datetimes, a header, a blank row.
SALES = [
    ["Date", "SKU", "Units", "In stock"],
    [dt.datetime(2026, 11, 20), "A", 4, None],
    [dt.datetime(2026, 11, 21), "B", 9, None],
    [dt.datetime(2026, 11, 22), "A", 6, False],
    [dt.datetime(2026, 11, 23), "a", 2, True],
    [None, None, None, None],
]


def test_sales_velocity_reads_the_long_sales_table_for_a_column_of_skus() -> None:
    # A: 20..24 Nov, 5 days, the 22nd out of stock: (4 + 2) / 4 in-stock days.
    got = excel.SALES_VELOCITY(SALES, None, None, None, [["A"], ["B"], [None], ["C"]], AS_OF)
    assert got == [[1.5], [9 / 4], [None], [None]]  # B: 21..24 Nov; C has no rows: blank
    assert excel.SALES_VELOCITY(SALES, sku="A") == 2.0  # up to the table's last day: 6 / 3
    assert excel.SALES_VELOCITY(SALES, sku="A") == formulas.sales_velocity(SALES, sku="A")


def test_demand_forecast_reads_the_long_sales_table_for_a_sku() -> None:
    got = excel.DEMAND_FORECAST(SALES, AS_OF, sku=[["A"], ["B"]])
    assert got == [[formulas.demand_forecast(SALES, AS_OF, sku=s)] for s in ("A", "B")]
    assert isinstance(got[0][0], float)


def test_alert_level_reads_warning_lines_from_settings_text() -> None:
    got = excel.ALERT_LEVEL([[3], [10], [20], [40], [None]], 5, "30,15,7")
    assert got == [["CRITICAL"], ["WARNING"], ["WATCH"], ["OK"], [None]]
    assert excel.ALERT_LEVEL(12, 5, [[20, 10, 5]]) == formulas.alert_level(12, 5, [20, 10, 5])
    assert excel.ALERT_LEVEL(3, 0) == "OUT"


def test_stockout_gap_spills_over_a_column_of_etas() -> None:
    etas = [[dt.datetime(2026, 12, 1)], [dt.datetime(2026, 12, 10)], [dt.datetime(2026, 11, 26)]]
    got = excel.STOCKOUT_GAP(10, 2, AS_OF, etas)
    assert got == [[formulas.stockout_gap(10, 2, AS_OF, eta[0])] for eta in etas]
    assert got == [[1], [10], [0]]


def test_an_unexpected_failure_is_short_text_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(available: object, daily_sales: object) -> float:
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr(formulas, "days_of_cover", broken)
    got = excel.DAYS_OF_COVER(1, 1)
    assert got == "#STOCKOUT: unexpected ZeroDivisionError: float division by zero"


def test_function_descriptions_fit_excel_and_read_as_one_paragraph() -> None:
    for name in excel.__all__:
        doc = getattr(excel, name).__doc__
        assert 20 < len(doc) <= 255, name
        assert "\n" not in doc and "  " not in doc, name
