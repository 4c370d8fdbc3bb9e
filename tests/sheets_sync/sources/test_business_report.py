"""Traffic per SKU from the Business Report CSV and the SP-API Sales and Traffic JSON.

Where the formats come from:

* `UK_2026`: the header line of a real "Detail Page Sales and Traffic by Child Item" download
  from amazon.co.uk (public repository FridaySalami/pre-prod, `BusinessReport-02-04-2026.csv`):
  en dashes, lower-case words, `"5,824"` quoted, `£12,897.84`, `6.35%`. The data rows below
  are ours, written the way that file writes its values (two SKUs of one ASIN share its sessions).
* `US_2023`: the same report with hyphens and capitalised words, as public Business Report
  parsers list it (and ../shared/TECH-NOTES.md).
* `OLD`: the columns before Amazon split sessions into Total and B2B (`Sessions`, `Buy Box
  Percentage`), as a public Business Report import guide documents them.
* The JSON is the example of Amazon's own schema `schemas/reports/sellerSalesAndTrafficReport.json`
  (amzn/selling-partner-api-models), `dateGranularity=DAY`, `asinGranularity=SKU`, trimmed to
  the fields read here with its numbers kept.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sheets_sync import workbook as wb
from sheets_sync.backends import parse_target
from sheets_sync.cli import write_new_workbook
from sheets_sync.history import HistoryStore
from sheets_sync.source_commands import import_command
from sheets_sync.sources.amazon_reports import ReportError, open_report
from sheets_sync.sources.business_report import (
    LABEL,
    dates_in_name,
    parse_dates,
    read_business_report,
    read_sales_and_traffic,
)
from sheets_sync.sources.importer import import_files

UK_2026 = (
    "(Parent) ASIN,(Child) ASIN,Title,SKU,Sessions – Total,Sessions – Total – B2B,Session "
    "percentage – Total,Session percentage – Total – B2B,Page views – Total,Page views – Total – "
    "B2B,Page views percentage – Total,Page views percentage – Total – B2B,Featured Offer (Buy "
    "Box) percentage,Featured Offer (Buy Box) percentage – B2B,Units ordered,Units ordered – B2B,"
    "Unit Session Percentage,Unit session percentage – B2B,Ordered Product Sales,Ordered product "
    "sales – B2B,Total order items,Total order items – B2B"
)
US_2023 = (
    "(Parent) ASIN,(Child) ASIN,Title,SKU,Sessions - Total,Sessions - Total - B2B,Session "
    "Percentage - Total,Session Percentage - Total - B2B,Page Views - Total,Page Views - Total - "
    "B2B,Page Views Percentage - Total,Page Views Percentage - Total - B2B,Featured Offer (Buy Box)"
    " Percentage,Featured Offer (Buy Box) Percentage - B2B,Units Ordered,Units Ordered - B2B,Unit "
    "Session Percentage,Unit Session Percentage - B2B,Ordered Product Sales,Ordered Product Sales "
    "- B2B,Total Order Items,Total Order Items - B2B"
)
OLD = (
    "(Parent) ASIN,(Child) ASIN,Title,SKU,Sessions,Session Percentage,Page Views,Page Views "
    "Percentage,Buy Box Percentage,Units Ordered,Units Ordered - B2B,Unit Session Percentage,Unit "
    "Session Percentage - B2B,Ordered Product Sales,Ordered Product Sales - B2B,Total Order Items,"
    "Total Order Items - B2B"
)


def read(path: Path, span: tuple[dt.date, dt.date] | None = None):
    """(rows, report) of a file recognised the way `stockout import` does it."""
    report = open_report(path)
    assert report.kind.name == "business_report" and report.delimiter == ","
    report.span = span
    return read_business_report(report), report


def write(path: Path, *lines: str) -> Path:
    path.write_text("\ufeff" + "\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def test_a_2026_uk_download_is_read_by_header_with_its_separators(tmp_path: Path) -> None:
    path = write(
        tmp_path / "BusinessReport-2026-11-20.csv",
        UK_2026,
        'B0BGPMD867,B0BGPMD867,"Olive Oil, 5 l",OIL-5L,"5,824",75,2.64%,1.21%,"7,448",82,2.62%,'
        '0.98%,78.87%,6.82%,370,0,6.35%,0.00%,"£12,897.84",£0.00,349,0',
        'B0BGPMD867,B0BGPMD867,"Olive Oil, 5 l",OIL-5L Prime,"5,824",75,2.64%,1.21%,"7,448",'
        '82,2.62%,0.98%,78.87%,6.82%,70,0,1.20%,0.00%,"£2,574.94",£0.00,65,0',
        "B0DX26ZRG8,B0DX26ZRG8,Plum Tomatoes 2.5kg,TOM-25,589,11,0.27%,0.18%,724,12,0.25%,0.14%,"
        "96.30%,100.00%,37,0,6.28%,0.00%,£361.81,£0.00,31,0",
    )
    found, report = read(path)
    rows = {r.sku: r for r in found}
    assert [(r.sessions, r.page_views, r.units, r.unit_session_pct, r.asin)
            for r in rows.values()] == [
        (5824, 7448, 370, 6.35, "B0BGPMD867"),
        (5824, 7448, 70, 1.2, "B0BGPMD867"),
        (589, 724, 37, 6.28, "B0DX26ZRG8"),
    ]  # fmt: skip
    assert rows["OIL-5L"].first_day == rows["OIL-5L"].last_day == "2026-11-20"
    assert report.problems == [] and report.rows_read == 3


def test_older_headers_and_european_numbers_read_the_same(tmp_path: Path) -> None:
    us = write(
        tmp_path / "us.csv",
        US_2023,
        'B0A,B0A1,Whisk,KT-1003,"1,204",3,0.5%,0.1%,"1,530",3,0.4%,0.1%,99%,100%,61,0,5.07%,'
        '0%,"$1,219.39",$0.00,60,0',
    )
    old = write(
        tmp_path / "old.csv",
        OLD,
        'B0A,B0A1,Whisk,KT-1003,1.204,0.5%,1.530,0.4%,99%,61,0,"5,07%",0%,"1.219,39 €",0 €,60,0',
    )
    span = (dt.date(2026, 11, 1), dt.date(2026, 11, 7))
    for path in (us, old):
        (row,), _ = read(path, span)
        assert (row.sku, row.sessions, row.page_views, row.units) == ("KT-1003", 1204, 1530, 61)
        assert row.unit_session_pct == 5.07
        assert (row.first_day, row.last_day) == ("2026-11-01", "2026-11-07")


def test_bad_cells_are_problems_and_the_rest_is_read(tmp_path: Path) -> None:
    path = write(
        tmp_path / "BusinessReport-2026-11-20.csv",
        US_2023,
        "B0A,B0A,Whisk,KT-1,12,0,1%,0%,20,0,1%,0%,99%,0%,2,0,16.67%,0%,$20.00,$0.00,2,0",
        "B0B,B0B,Pan,,30,0,1%,0%,40,0,1%,0%,99%,0%,1,0,3.33%,0%,$20.00,$0.00,1,0",
        "B0C,B0C,Pot,KT-3,lots,0,1%,0%,40,0,1%,0%,99%,0%,1,0,3.33%,0%,$20.00,$0.00,1,0",
        "",
    )
    found, report = read(path)
    assert [r.sku for r in found] == ["KT-1"]
    assert [(p.line, p.column, p.value, p.message) for p in report.problems] == [
        (3, "SKU", "", "missing or not a whole number"),
        (4, "Sessions", "lots", "missing or not a whole number"),
    ]


def test_a_file_without_dates_or_sku_is_refused_with_what_to_do(tmp_path: Path) -> None:
    # Seller Central's own name is the download day (here UK day-first): never the data's day.
    path = write(tmp_path / "BusinessReport-23-07-2025.csv", UK_2026)
    with pytest.raises(ReportError, match=r"holds no dates.*--dates 2026-11-20"):
        read(path)
    by_asin = write(tmp_path / "asin-2026-11-20.csv", OLD.replace(",SKU,", ","))
    with pytest.raises(ReportError, match=r"no SKU column\. Download 'Detail Page Sales"):
        open_report(by_asin)


def test_import_takes_the_dates_from_the_name_or_the_option_and_refuses_before_loading(
    tmp_path: Path,
) -> None:
    book = tmp_path / "book.xlsx"
    write_new_workbook(book, wb.starter_tabs())
    row = "B0A,B0A,Whisk,KT-1,120,0,1%,0%,200,0,1%,0%,99%,0%,6,0,5%,0%,$60.00,$0.00,6,0"
    named = write(tmp_path / "BusinessReport-2026-11-20.csv", US_2023, row)
    month = write(
        tmp_path / "BusinessReport-11-30-26.csv", US_2023, row.replace(",120,", ',"3,600",')
    )
    undated = write(tmp_path / "BusinessReport-12-01-26.csv", US_2023, row)
    with pytest.raises(ReportError, match=r"BusinessReport-12-01-26\.csv: a Business Report holds"):
        import_files(str(book), [named, undated])
    with HistoryStore.for_target(parse_target(str(book))) as store:
        assert store.traffic().empty  # refused before anything was loaded
    span = (dt.date(2026, 10, 1), dt.date(2026, 10, 30))
    result = import_files(str(book), [month], dates=span)
    assert result.files[0].kind == LABEL and result.files[0].note == "2026-10-01 to 2026-10-30"
    import_files(str(book), [named])
    with HistoryStore.for_target(parse_target(str(book))) as store:
        rows = [(r.first_day.date().isoformat(), r.last_day.date().isoformat(), r.sessions)
                for r in store.traffic().itertuples()]  # fmt: skip
    assert rows == [("2026-10-01", "2026-10-30", 3600), ("2026-11-20", "2026-11-20", 120)]


def test_the_import_command_takes_dates(tmp_path: Path) -> None:
    book = tmp_path / "book.xlsx"
    write_new_workbook(book, wb.starter_tabs())
    row = "B0A,B0A,Whisk,KT-1,120,0,1%,0%,200,0,1%,0%,99%,0%,6,0,5%,0%,$60.00,$0.00,6,0"
    path = write(tmp_path / "BusinessReport.csv", US_2023, row)
    wrong = CliRunner().invoke(import_command, [str(book), str(path), "--dates", "20/11/2026"])
    assert wrong.exit_code == 2 and "give 2026-11-20 or 2026-11-01..2026-11-07" in wrong.output
    done = CliRunner().invoke(import_command, [str(book), str(path), "--dates", "2026-11-20"])
    assert done.exit_code == 0, done.output


def test_dates_come_from_an_iso_name_or_the_option() -> None:
    assert dates_in_name(Path("BusinessReport-2026-11-20.csv")) == (dt.date(2026, 11, 20),) * 2
    assert dates_in_name(Path("br_2026-11-07_2026-11-01.csv")) == (
        dt.date(2026, 11, 1), dt.date(2026, 11, 7),
    )  # fmt: skip
    assert dates_in_name(Path("BusinessReport-11-20-26.csv")) is None
    assert dates_in_name(Path("BusinessReport-2026-13-01.csv")) is None
    assert parse_dates("2026-11-01..2026-11-07") == (dt.date(2026, 11, 1), dt.date(2026, 11, 7))
    with pytest.raises(ValueError):
        parse_dates("20/11/2026")


#: Amazon's schema example (sellerSalesAndTrafficReport.json), the fields read here.
SCHEMA_EXAMPLE = {
    "reportSpecification": {
        "reportType": "GET_SALES_AND_TRAFFIC_REPORT",
        "reportOptions": {"dateGranularity": "DAY", "asinGranularity": "SKU"},
        "dataStartTime": "2021-06-11",
        "dataEndTime": "2021-06-14",
        "marketplaceIds": ["ATVPDKIKX0DER"],
    },
    "salesAndTrafficByDate": [{"date": "2021-06-11", "trafficByDate": {"sessions": 1000}}],
    "salesAndTrafficByAsin": [
        {"parentAsin": "B123456789", "childAsin": "B123456789", "sku": "AB-1C2D-EFGH",
         "salesByAsin": {"unitsOrdered": 1, "totalOrderItems": 1,
                         "orderedProductSales": {"amount": 16.79, "currencyCode": "USD"}},
         "trafficByAsin": {"browserSessions": 13, "mobileAppSessions": 5, "sessions": 18,
                           "pageViews": 43, "buyBoxPercentage": 95.24,
                           "unitSessionPercentage": 7.69}},
        {"parentAsin": "B234567890", "childAsin": "B234567890", "sku": "CD-2E3F-GHIJ",
         "salesByAsin": {"unitsOrdered": 3, "totalOrderItems": 2},
         "trafficByAsin": {"sessions": 13, "pageViews": 33, "unitSessionPercentage": 37.50}},
        {"parentAsin": "B345678901", "childAsin": "B345678901",
         "salesByAsin": {"unitsOrdered": 3}, "trafficByAsin": {"sessions": 48}},
    ],
}  # fmt: skip


def test_the_sp_api_report_gives_each_sku_over_the_requested_days() -> None:
    found = read_sales_and_traffic(json.loads(json.dumps(SCHEMA_EXAMPLE)), Path("r.json"))
    assert (found.first, found.last) == (dt.date(2021, 6, 11), dt.date(2021, 6, 14))
    assert [(r.sku, r.asin, r.sessions, r.page_views, r.units, r.unit_session_pct, r.source)
            for r in found.rows] == [
        ("AB-1C2D-EFGH", "B123456789", 18, 43, 1, 7.69, "sales_and_traffic"),
        ("CD-2E3F-GHIJ", "B234567890", 13, 33, 3, 37.5, "sales_and_traffic"),
    ]  # fmt: skip
    # The third entry has no SKU (a CHILD-granularity report): said, not guessed.
    assert [(p.line, p.column, p.value, p.message) for p in found.problems] == [
        (3, "sku/sessions/unitsOrdered", "", "missing (asinGranularity must be SKU)")
    ]
    with pytest.raises(ReportError, match="no dataStartTime"):
        read_sales_and_traffic({"salesAndTrafficByAsin": []}, Path("r.json"))
