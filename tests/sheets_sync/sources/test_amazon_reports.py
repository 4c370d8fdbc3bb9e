"""Amazon report files: the real samples, and generated files in every encoding Amazon uses."""

from __future__ import annotations

import datetime as dt

import pytest

from sheets_sync.sources import amazon_reports as ar
from sheets_sync.sources import report_cells
from sheets_sync.sources.amazon_reports import ReportError, open_report

ORDERS_HEADER = (
    "amazon-order-id\tmerchant-order-id\tpurchase-date\tlast-updated-date\torder-status\t"
    "fulfillment-channel\tsales-channel\torder-channel\tship-service-level\tproduct-name\tsku\t"
    "asin\titem-status\tquantity\tcurrency\titem-price"
)


def tsv(words):
    return words.replace(" ", "\t")


def write(path, lines, encoding="utf-8", bom=False):
    data = "\r\n".join(lines).encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def order(when, sku, qty, price, status="Shipped", channel="Amazon.com", name="Widget"):
    return "\t".join(
        ["111-1", "", when, when, status, "Amazon", channel, "", "Standard", name, sku,
         "B000", status, str(qty), "USD", price]
    )  # fmt: skip


def all_sales(report):
    merged = {}
    for chunk in ar.read_sales(report):
        for key, (units, revenue) in chunk.items():
            old = merged.get(key, (0, 0.0))
            merged[key] = (old[0] + units, round(old[1] + revenue, 2))
    return merged


def test_real_all_orders_sample_despite_bom_and_damaged_first_header(shared_dir):
    path = shared_dir / "amazon-samples" / "_GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_.txt"
    report = open_report(path)
    assert report.kind.name == "all_orders"
    got = all_sales(report)
    # 2018-07-18T01:06 UTC is still the 17th in Seattle; the cancelled line is left out.
    assert got == {
        ("2018-07-30", "Vitamin C Serum", "amazon.com"): (1, 19.99),
        ("2018-07-23", "Vitamin C Serum", "amazon.com"): (1, 19.99),
        ("2018-07-17", "Vitamin C Serum", "amazon.com"): (20, 39.98),
        ("2018-07-04", "Vitamin C Serum", "amazon.com"): (1, 19.99),
    }
    assert report.rows_read == 5 and report.problem_count == 0


def test_real_myi_sample_with_empty_trailing_headers(shared_dir):
    report = open_report(shared_dir / "amazon-samples" / "_GET_FBA_MYI_ALL_INVENTORY_DATA_.txt")
    assert report.kind.name == "myi"
    records = {r.sku: r for r in ar.read_inventory(report)}
    assert len(records) == 13
    moisturizer = records["Acne_Moisturizer"]
    assert (moisturizer.available, moisturizer.reserved, moisturizer.price) == (99, 1, 24.99)
    assert moisturizer.fbm_stock is None  # blank: the report does not know, nothing is written
    assert records["Vitamin C Serum"].available == 219
    assert moisturizer.title.startswith("SerumX – Moisturizer")
    assert moisturizer.unit_volume is None  # per-unit-volume left blank in this sample


def test_myi_per_unit_volume_is_the_cubic_feet_a_unit_takes(shared_dir, tmp_path):
    """The real header, with per-unit-volume filled in as Amazon does (cubic feet)."""
    sample = shared_dir / "amazon-samples" / "_GET_FBA_MYI_ALL_INVENTORY_DATA_.txt"
    header, first = sample.read_text(encoding="utf-8-sig").splitlines()[:2]
    cells = first.split("\t")
    cells[header.split("\t").index("per-unit-volume")] = "0.42"
    (tmp_path / "myi.txt").write_text(header + "\n" + "\t".join(cells) + "\n", encoding="utf-8")
    (record,) = ar.read_inventory(open_report(tmp_path / "myi.txt"))
    assert (record.sku, record.unit_volume) == ("Acne_Moisturizer", 0.42)


@pytest.mark.parametrize(
    ("encoding", "bom", "name", "channel", "day"),
    [
        ("utf-8", True, "Crème brûlée torch", "Amazon.fr", "2024-03-02"),
        ("cp1252", False, "Crème brûlée torch – 5€", "Amazon.de", "2024-03-02"),
        ("shift_jis", False, "ステンレス製 水筒 500ml", "Amazon.co.jp", "2024-03-02"),
    ],
)
def test_generated_orders_in_each_encoding(tmp_path, encoding, bom, name, channel, day):
    # 23:30 UTC on March 1 is already March 2 in Paris, Berlin and Tokyo.
    lines = [ORDERS_HEADER] + [order("2024-03-01T23:30:00+00:00", "SKU-1", 2, "10,50", name=name)
                               .replace("Amazon.com", channel)] * 3  # fmt: skip
    report = open_report(write(tmp_path / "orders.txt", lines, encoding, bom))
    assert all_sales(report) == {(day, "SKU-1", channel.lower()): (6, 31.5)}
    if encoding != "utf-8":
        assert report.encoding == ("cp932" if encoding == "shift_jis" else "cp1252")


def test_cp1252_text_that_happens_to_read_as_kanji_is_not_taken_for_japanese(tmp_path):
    # "Crème" in cp1252 (E8 6D) is a valid cp932 kanji pair, but has no kana.
    lines = [ORDERS_HEADER, order("2024-03-01T10:00:00+00:00", "S", 1, "1", name="Crème")]
    report = open_report(write(tmp_path / "o.txt", lines, "cp1252"))
    list(ar.read_sales(report))
    assert report.encoding == "cp1252"


def test_ragged_rows_blank_lines_and_bad_quantities_become_problems(tmp_path):
    lines = [
        ORDERS_HEADER,
        order("2024-03-01T10:00:00+00:00", "A", 1, "5.00"),
        "111-2\t\t2024-03-01T11:00:00+00:00\t\tShipped\tAmazon\tAmazon.com\t\t\tW\tA\tB0\tShipped\t2",
        "",
        order("2024-03-01T12:00:00+00:00", "A", "two", "5.00"),
        order("2024-03-01T12:00:00+00:00", "A", 0, "", status="Cancelled"),
        order("not a date", "A", 1, "5.00"),
    ]
    report = open_report(write(tmp_path / "o.txt", lines))
    assert all_sales(report) == {("2024-03-01", "A", "amazon.com"): (3, 5.0)}
    assert report.problem_count == 2
    assert [(p.line, p.column, p.value) for p in report.problems] == [
        (5, "quantity", "two"),
        (7, "purchasedate", "not a date"),
    ]
    assert str(report.problems[0]) == "line 5, quantity 'two': not a whole number"


def test_sales_come_in_bounded_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(ar, "CHUNK_KEYS", 10)
    lines = [ORDERS_HEADER] + [
        order(f"2024-01-{d:02}T12:00:00+00:00", f"S{s}", 1, "1")
        for d in range(1, 11)
        for s in range(5)
    ]
    chunks = list(ar.read_sales(open_report(write(tmp_path / "o.txt", lines))))
    assert [len(c) for c in chunks] == [10] * 5
    assert sum(u for c in chunks for u, _ in c.values()) == 50


def test_unknown_file_lists_the_headers_it_saw(tmp_path):
    path = write(tmp_path / "mystery.txt", ["date\tmerchant\tamount\t\t", "1\t2\t3"])
    with pytest.raises(ReportError) as caught:
        open_report(path)
    message = str(caught.value)
    assert "mystery.txt: not a report stockout knows" in message
    assert "Headers seen: 'date', 'merchant', 'amount'." in message
    assert "All Orders" in message and "Restock Inventory" in message


def test_planning_report_is_refused_with_the_reason(tmp_path):
    path = write(tmp_path / "plan.txt", ["snapshot-date\tsku\tavailable\tunits-shipped-t30"])
    with pytest.raises(ReportError, match="cannot tell when a SKU ran out"):
        open_report(path)


@pytest.mark.parametrize("kind", ar.KINDS, ids=lambda kind: kind.name)
def test_every_report_type_is_recognised_by_its_signature_alone(tmp_path, kind):
    """The registry's order matters (first match wins): no type may hide a later one."""
    path = write(tmp_path / f"{kind.name}.txt", ["\t".join(sorted(kind.signature))])
    assert open_report(path).kind is kind


def test_pulled_report_types_are_the_ones_velocity_needs():
    assert {k.spapi_type: k.name for k in ar.KINDS if k.spapi_type} == {
        "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL": "all_orders",
        "GET_FBA_FULFILLMENT_CURRENT_INVENTORY_DATA": "fba_daily",
    }


def test_missing_file_is_a_plain_error(tmp_path):
    with pytest.raises(ReportError, match="cannot read the file"):
        open_report(tmp_path / "nope.txt")


def test_fba_daily_inventory_gives_the_in_stock_history(tmp_path):
    header = tsv("snapshot-date fnsku sku product-name quantity fulfillment-center-id"
                 " detailed-disposition country")  # fmt: skip
    lines = [
        header,
        "2024-04-01T07:00:00+00:00\tX1\tA\tW\t5\tPHX3\tSELLABLE\tUS",
        "2024-04-01T07:00:00+00:00\tX1\tA\tW\t3\tONT8\tSELLABLE\tUS",
        "2024-04-01T07:00:00+00:00\tX1\tA\tW\t2\tONT8\tCUSTOMER_DAMAGED\tUS",
        "2024-04-02T07:00:00+00:00\tX1\tA\tW\t1\tONT8\tDEFECTIVE\tUS",
        "2024-04-02T07:00:00+00:00\tX2\tB\tV\t7\tONT8\tSELLABLE\tUS",
    ]
    report = open_report(write(tmp_path / "daily.txt", lines))
    assert report.kind.name == "fba_daily"
    assert ar.read_stock(report) == [
        ("2024-04-01", "A", 8), ("2024-04-01", "B", 0),
        ("2024-04-02", "A", 0), ("2024-04-02", "B", 7),
    ]  # fmt: skip


def test_restock_quoted_headers_locale_dates_and_double_dashes(tmp_path):
    header = "\t".join(
        f'"{h}"' for h in ("Country", "Product Name", "FNSKU", "Merchant SKU", "ASIN", "Available",
                           "Recommended replenishment qty", "Recommended ship date")
    )  # fmt: skip
    lines = [
        header,
        '"US"\t"Widget"\tX1\t"A"\tB1\t10\t"120"\t"4/11/2021"',
        '"DE"\t"Widget"\tX1\t"A"\tB1\t10\t"1,200"\t"04/07/2026"',
        '"DE"\t"Gadget"\tX2\t"B"\tB2\t0\t--\t"--"',
        '"JP"\t"Gadget"\tX2\t"C"\tB2\t0\t3\t"2026/07/04"',
    ]
    report = open_report(write(tmp_path / "restock.txt", lines))
    assert report.kind.name == "restock"
    got = [(r.sku, r.marketplace, r.qty, r.ship_date) for r in ar.read_restock(report)]
    assert got == [
        ("A", "amazon.com", 120, dt.date(2021, 4, 11)),
        ("A", "amazon.de", 1200, dt.date(2026, 7, 4)),
        ("B", "amazon.de", 0, None),
        ("C", "amazon.co.jp", 3, dt.date(2026, 7, 4)),
    ]
    assert report.problem_count == 0


def test_shipments_count_on_the_shipment_day(tmp_path):
    header = tsv("amazon-order-id shipment-id sku quantity-shipped item-price purchase-date"
                 " shipment-date sales-channel")  # fmt: skip
    lines = [
        header,
        "1\tS1\tA\t2\t20.00\t2024-05-01T10:00:00+00:00\t2024-05-03T20:00:00+00:00\tAmazon.com",
    ]
    report = open_report(write(tmp_path / "ship.txt", lines))
    assert report.kind.name == "shipments"
    assert all_sales(report) == {("2024-05-03", "A", "amazon.com"): (2, 20.0)}


def test_unshipped_orders_for_the_orders_tab(tmp_path):
    header = (
        "order-id\torder-item-id\tpurchase-date\tpayments-date\tbuyer-email\tbuyer-name\tsku\t"
        "quantity-purchased\tquantity-to-ship\tpromise-date\tsales-channel\tproduct-name"
    )
    lines = [
        header,
        "302-1\t11\t2024-05-01T10:00:00+00:00\t\tx@marketplace.amazon.de\tJana Weiß\tA\t3\t2\t"
        "2024-05-06T23:59:59+00:00\tAmazon.de\tGusseisenpfanne 25 cm",
        "302-2\t12\t2024-05-01T10:00:00+00:00\t\t\tPaul\tB\t1\t0\t2024-05-06\tAmazon.de",
        "302-3\t13\t2024-05-02T10:00:00+00:00\t\t\tLea\tA\t1\t\t\tAmazon.de",
    ]
    report = open_report(write(tmp_path / "unshipped.txt", lines, "cp1252"))
    orders = ar.read_open_orders(report)
    assert [
        (o.order_id, o.sku, o.qty, o.promised_date, o.buyer_name, o.marketplace) for o in orders
    ] == [
        ("302-1", "A", 2, dt.date(2024, 5, 6), "Jana Weiß", "amazon.de"),
        ("302-3", "A", 1, None, "Lea", "amazon.de"),
    ]
    assert orders[0].purchase_date == dt.date(2024, 5, 1)
    # the listing's title on that marketplace, in its language: the delay notice names it
    assert [o.title for o in orders] == ["Gusseisenpfanne 25 cm", ""]
    assert report.problems == []  # estimated by the import from the purchase date


@pytest.mark.parametrize(
    ("text", "number"),
    [("12", 12), ("--", 0), ("1,234", 1234), ("3.0", 3), ("", None), ("abc", None), ("2.5", None)],
)
def test_quantities(text, number):
    assert report_cells.to_int(text) == number


@pytest.mark.parametrize(
    ("text", "amount"),
    [("19.99", 19.99), ("19,99", 19.99), ("1,234.50", 1234.5), ("1.234,50", 1234.5), ("--", None)],
)
def test_prices_in_either_decimal_style(text, amount):
    assert report_cells.to_money(text) == amount
