"""What a seller types never silently changes the plan (issue 15's slips, each a test).

Every test writes a real .xlsx workbook, refreshes it as the CLI does and reads it back.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from sheets_sync import workbook as wb
from sheets_sync.cli import main, write_new_workbook
from sheets_sync.refresh import refresh

AS_OF = dt.date(2026, 11, 25)


def day(n: int) -> dt.datetime:
    return dt.datetime.combine(AS_OF + dt.timedelta(days=n), dt.time())


def book(path: Path, **tabs: list[list]) -> Path:
    """A starter workbook with rows added to (or, for Settings, replacing) its tabs."""
    grids = wb.starter_tabs()
    grids[wb.SETTINGS] = [["Key", "Value"]]
    for tab, rows in tabs.items():
        grids[tab] += rows
    write_new_workbook(path, grids)
    return path


def rows(path: Path, tab: str) -> list[dict]:
    sheet = openpyxl.load_workbook(path)[tab]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    return [dict(zip(values[0], r, strict=False)) for r in values[1:]]


def problems(path: Path) -> list[dict]:
    return rows(path, "Problems")


def alerts(path: Path) -> dict[str, dict]:
    return {r["SKU"]: r for r in rows(path, "Alerts") if r["SKU"]}


# --- 15.1 dates and numbers --------------------------------------------------------------


def test_day_first_text_dates_in_a_usd_workbook_are_read_day_first(tmp_path: Path) -> None:
    """90 days of 5 a day typed `28/10/2026` came out as 2.88 a day, with no Problem row."""
    sales = [[f"{d:%d/%m/%Y}", "S-1", 5, True] for d in (day(-n) for n in range(90, 0, -1))]
    path = book(
        tmp_path / "b.xlsx",
        Settings=[["currency", "USD"], ["as_of", "05/11/2026"]],
        Inventory=[["S-1", None, None, 1000]],
        Sales=sales,
    )
    result = refresh(str(path))
    assert result.plan.as_of == dt.date(2026, 11, 5)  # read like the Sales tab, not month first
    row = result.plan.skus.set_index("sku").loc["S-1"]
    assert row["daily_sales"] == 5
    notes = [p for p in problems(path) if p["Tab"] == "Settings"]
    assert len(notes) == 1 and "read day first" in notes[0]["Problem"]
    assert "Sales Date" in notes[0]["Problem"]  # says why
    assert not [p for p in problems(path) if p["Tab"] == "Sales"]  # the column settled itself


def test_unsettled_dates_follow_the_locale_setting_not_the_currency(tmp_path: Path) -> None:
    inbound = [["S-1", 100, "03/12/2026", "sea", "FBA1", None]]
    for locale, expected in (("en-GB", day(8)), ("en-US", dt.datetime(2026, 3, 12))):
        path = book(
            tmp_path / f"{locale}.xlsx",
            Settings=[["currency", "USD" if locale == "en-GB" else "EUR"], ["locale", locale]],
            Inventory=[["S-1", None, None, 0]],
            Sales=[[day(-n), "S-1", 1, True] for n in range(30, 0, -1)],
            Inbound=inbound,
        )
        result = refresh(str(path), as_of=AS_OF)
        eta = result.plan.skus.set_index("sku").loc["S-1", "next_inbound_eta"]
        if locale == "en-GB":
            assert eta == expected.date()
        else:  # 12 March: long overdue
            assert "INBOUND OVERDUE" in result.plan.skus.iloc[0]["flags"]
        listed = [p for p in problems(path) if p["Tab"] == "Inbound"]
        assert len(listed) == 1, listed  # once per column
        assert listed[0]["Column"] == "ETA" and listed[0]["Value"] == "03/12/2026"
        order = "day first" if locale == "en-GB" else "month first"
        assert f"read {order} (Settings locale {locale})" in listed[0]["Problem"]


def test_numbers_with_thousands_and_decimal_separators(tmp_path: Path) -> None:
    """`1.200` (a European thousands separator) became 1.2."""
    path = book(
        tmp_path / "b.xlsx",
        Inventory=[
            ["A", None, None, "1.200", None, None, "12,50"],  # the Price column settles `,`
            ["B", None, None, "1 200", None, None, "1 200,50"],
            ["C", None, None, 7, None, None, "3,00"],
        ],
        Sales=[[day(-1), "A", 1, True]],
    )
    result = refresh(str(path), as_of=AS_OF)
    inventory = result.plan.skus.set_index("sku")
    assert inventory.loc["A", "available"] == 1200
    assert inventory.loc["B", "available"] == 1200
    assert inventory.loc["A", "price"] == 12.5 and inventory.loc["B", "price"] == 1200.5
    listed = [p for p in problems(path) if p["Column"] == "Available"]
    assert len(listed) == 1 and "read '1.200' as 1200" in listed[0]["Problem"]
    assert "Inventory Price" in listed[0]["Problem"]


def test_an_ambiguous_number_column_with_no_evidence_follows_the_locale(tmp_path: Path) -> None:
    for locale, expected in (("en-US", 1.2), ("de-DE", 1200)):
        path = book(
            tmp_path / f"{locale}.xlsx",
            Settings=[["locale", locale]],
            Inventory=[["A", None, None, "1.200"]],
            Sales=[[day(-1), "A", 1, True]],
        )
        result = refresh(str(path), as_of=AS_OF)
        assert result.plan.skus.iloc[0]["available"] == pytest.approx(expected)
        assert result.exit_code == 1
        assert f"Settings locale {locale}" in problems(path)[0]["Problem"]


def test_unknown_locale_is_a_problem_and_reads_as_en_us(tmp_path: Path) -> None:
    path = book(
        tmp_path / "b.xlsx",
        Settings=[["locale", "Germany"]],
        Inventory=[["A", None, None, 5]],
        Sales=[[day(-1), "A", 1, True]],
    )
    refresh(str(path), as_of=AS_OF)
    assert any("unknown locale 'Germany'" in p["Problem"] for p in problems(path))


# --- 15.2 a bad cell keeps its SKU -------------------------------------------------------


def test_a_bad_available_keeps_the_sku_marked_at_the_top(tmp_path: Path) -> None:
    """`Available = "12 units"` removed the SKU closest to running out from Alerts."""
    path = book(
        tmp_path / "b.xlsx",
        Inventory=[["OK-1", None, "fine", 500], ["LOW-1", None, "nearly out", "12 units", 0, 5]],
        Sales=[[day(-n), sku, 4, True] for n in range(30, 0, -1) for sku in ("OK-1", "LOW-1")],
        Orders=[["O-1", "LOW-1", 1, day(-2), day(1)]],
    )
    result = refresh(str(path), as_of=AS_OF)
    assert result.exit_code == 1
    found = alerts(path)
    low = found["LOW-1"]
    assert next(iter(found)) == "LOW-1"  # first: the fix takes a second, the risk is unknown
    assert low["Alert"] == "NO DATA" and "CHECK Inventory Available" in low["Flags"]
    assert low["Action"].startswith("FIX INPUT: Inventory row 3")
    assert low["Daily sales"] == 4 and low["Available"] is None and low["Stockout date"] is None
    listed = [p for p in problems(path) if p["Column"] == "Available"]
    assert listed[0]["Row"] == 3 and listed[0]["Value"] == "12 units"
    assert not [r for r in rows(path, "Incidents") if r["SKU"] == "LOW-1"]  # no guessed stockout
    assert not [r for r in rows(path, "Drafts") if r["SKU"] == "LOW-1"]  # no delay notice
    assert found["OK-1"]["Alert"] == "OK"


def test_bad_cells_of_other_columns_and_tabs_flag_their_sku(tmp_path: Path) -> None:
    path = book(
        tmp_path / "b.xlsx",
        Inventory=[["A", None, None, 50, None, None, "twelve"]],
        Sales=[[day(-2), "A", 4, True], [day(-1), "A", "4 pcs", True]],
        Inbound=[["A", "lots", day(20), "sea", None, None]],
    )
    refresh(str(path), as_of=AS_OF)
    flags = alerts(path)["A"]["Flags"]
    for check in ("CHECK Inventory Price", "CHECK Sales Units", "CHECK Inbound Qty"):
        assert check in flags


# --- 15.3 SKU spelling -------------------------------------------------------------------


def test_sku_keys_ignore_case_and_spaces_and_typos_get_a_suggestion(tmp_path: Path) -> None:
    path = book(
        tmp_path / "b.xlsx",
        Inventory=[["CASE-SKU", None, None, 100], ["OTHER", None, None, 100]],
        Sales=[[day(-n), "case-sku ", 5, True] for n in range(7, 0, -1)]
        + [[day(-1), "CASE-SKUU", 3, True]],
    )
    result = refresh(str(path), as_of=AS_OF)
    assert result.plan.skus.set_index("sku").loc["CASE-SKU", "daily_sales"] == 5
    typo = [p for p in problems(path) if p["Value"] == "CASE-SKUU"]
    assert len(typo) == 1 and "did you mean 'CASE-SKU'?" in typo[0]["Problem"]
    assert "CHECK Sales SKU" in alerts(path)["CASE-SKU"]["Flags"]


def test_inventory_duplicates_differing_in_case_are_duplicates(tmp_path: Path) -> None:
    path = book(
        tmp_path / "b.xlsx",
        Inventory=[["CASE-SKU", None, None, 100], [" case-sku", None, None, 7]],
        Sales=[[day(-1), "CASE-SKU", 5, True]],
    )
    result = refresh(str(path), as_of=AS_OF)
    assert list(result.plan.skus["sku"]) == ["CASE-SKU"]
    assert any("duplicate SKU" in p["Problem"] for p in problems(path))


# --- 15.4 a renamed tab or header is a refusal ---------------------------------------------


def refused_and_untouched(path: Path, match: str) -> None:
    """The CLI refuses with exit 2 naming the problem; no tab changed, outputs kept."""
    before = path.read_bytes()
    outcome = CliRunner().invoke(main, ["refresh", str(path), "--as-of", AS_OF.isoformat()])
    assert outcome.exit_code == 2, outcome.output
    assert match in " ".join(outcome.output.split())
    assert "Traceback" not in outcome.output
    assert path.read_bytes() == before


def test_a_renamed_tab_is_refused_naming_the_nearest(tmp_path: Path) -> None:
    path = book(
        tmp_path / "b.xlsx",
        Inventory=[["A", None, None, 10]],
        Sales=[[day(-1), "A", 1, True]],
    )
    refresh(str(path), as_of=AS_OF)
    assert alerts(path)  # the seller's Alerts and Drafts exist
    book_ = openpyxl.load_workbook(path)
    book_["Inventory"].title = "Inventry"
    book_.save(path)
    refused_and_untouched(path, "no 'Inventory' tab (is 'Inventry' it?")
    assert alerts(path)["A"]


def test_a_renamed_header_is_refused_naming_the_nearest(tmp_path: Path) -> None:
    path = book(tmp_path / "b.xlsx", Inventory=[["A", None, None, 10]])
    refresh(str(path), as_of=AS_OF)
    book_ = openpyxl.load_workbook(path)
    book_["Inventory"]["D1"] = "Qty available"
    book_.save(path)
    refused_and_untouched(path, "required column 'Available' not found (is 'Qty available' it?")
    assert alerts(path)["A"]


def test_an_empty_workbook_is_refused(tmp_path: Path) -> None:
    """An empty workbook exited 0 with 0 SKUs."""
    path = book(tmp_path / "b.xlsx")
    refused_and_untouched(path, "Nothing to plan yet: fill the Inventory tab")
    empty = tmp_path / "nothing.xlsx"
    openpyxl.Workbook().save(empty)
    refused_and_untouched(empty, "the workbook has no 'Inventory' tab")


# --- 16.9 validation ---------------------------------------------------------------------


def test_negative_price_pack_and_moq_and_zero_horizon_are_problems(tmp_path: Path) -> None:
    """Negative Price gave Lost revenue −1,200; `horizon_days 0` turned every SKU OK."""
    path = book(
        tmp_path / "b.xlsx",
        Settings=[["horizon_days", 0], ["velocity_windows", "0,30"]],
        Inventory=[["A", None, None, 5, None, None, -20, None, -6, -100]],
        Sales=[[day(-n), "A", 5, True] for n in range(30, 0, -1)],
    )
    result = refresh(str(path), as_of=AS_OF)
    listed = {(p["Tab"], p["Column"]): p["Problem"] for p in problems(path)}
    assert "cannot be negative" in listed[("Inventory", "Price")]
    assert "must be above 0" in listed[("Inventory", "Case pack")]
    assert "cannot be negative" in listed[("Inventory", "MOQ")]
    settings = [p["Problem"] for p in problems(path) if p["Tab"] == "Settings"]
    assert any(p.startswith("horizon_days") for p in settings)
    assert any(p.startswith("velocity_windows") for p in settings)
    row = alerts(path)["A"]
    assert row["Alert"] == "CRITICAL" and not (row["Lost revenue"] or 0) < 0
    assert result.plan.settings.horizon_days == 365


def test_an_open_incident_is_reused_not_duplicated(tmp_path: Path) -> None:
    """A SKU at zero with no Sales row for yesterday opened a new incident every refresh."""
    path = book(
        tmp_path / "b.xlsx",
        Inventory=[["A", None, None, 0], ["B", None, None, 50]],
        Sales=[[day(-30), "B", 1, True], [day(-3), "A", 2, True]],
    )
    for n in range(4):
        refresh(str(path), as_of=AS_OF + dt.timedelta(days=n))
    incidents = [r for r in rows(path, "Incidents") if r["SKU"] == "A"]
    assert len(incidents) == 1 and incidents[0]["Ended"] is None


# --- 15.6 orders -------------------------------------------------------------------------


def test_orders_without_a_promised_date_are_estimated_and_finished_ones_ignored(
    tmp_path: Path,
) -> None:
    path = book(
        tmp_path / "b.xlsx",
        Settings=[["handling_time_days", 3]],
        Inventory=[["A", None, None, 0]],
        Sales=[[day(-n), "A", 2, True] for n in range(30, 0, -1)],
        Orders=[
            ["O-1", "A", 1, day(-1), None],
            ["O-2", "A", 1, day(-5), day(2), None, None, None, "shipped or cancelled"],
            ["O-3", "A", 1, None, None],
        ],
    )
    result = refresh(str(path), as_of=AS_OF)
    orders = result.plan.orders.set_index("order_id")
    assert list(orders.index) == ["O-1"]
    assert orders.loc["O-1", "promised_date"] == (day(2)).date()
    assert any("no Purchase date to estimate" in p["Problem"] for p in problems(path))
