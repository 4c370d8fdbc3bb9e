"""`stockout pull` through python-amazon-sp-api against a loopback fake of Amazon's endpoints."""

from __future__ import annotations

import datetime as dt
import time
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner
from sp_api.base import Marketplaces

from sheets_sync.backends import parse_target
from sheets_sync.history import HistoryStore
from sheets_sync.source_commands import pull_command
from sheets_sync.sources import spapi
from sheets_sync.sources.spapi import Settings, SpApiError, pull
from sheets_sync.types import TargetError
from stockout_testing import fake_spapi
from stockout_testing.drip import dripping_server
from stockout_testing.fake_spapi import FakeDocument, FakeSpApi, transport_to

ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
DAILY = "GET_FBA_FULFILLMENT_CURRENT_INVENTORY_DATA"
HEADER = (
    "amazon-order-id\tmerchant-order-id\tpurchase-date\tlast-updated-date\torder-status\t"
    "fulfillment-channel\tsales-channel\tproduct-name\tsku\tasin\titem-status\tquantity\t"
    "currency\titem-price\n"
)
ORDER_LINE = (
    "{0}\t\t{1}\t\t{2}\tAmazon\tAmazon.de\tKühlbox – 30 l\tBOX-30\tB1\t{2}\t{3}\tEUR\t{4}\n"
)
# cp1252 bytes, no charset on the download: the library would guess iso-8859-1.
ALL_ORDERS = (
    HEADER
    + ORDER_LINE.format("302-1", "2024-05-01T22:30:00+00:00", "Shipped", 2, "79,90")
    + ORDER_LINE.format("302-2", "2024-05-02T09:00:00+00:00", "Shipped", 1, "39,95")
    + ORDER_LINE.format("302-3", "2024-05-02T09:30:00+00:00", "Cancelled", 0, "")
).encode("cp1252")
INVENTORY_PAGES = [
    [
        {"asin": "B1", "fnSku": "X1", "sellerSku": "BOX-30", "condition": "NewItem",
         "productName": "Kühlbox – 30 l", "totalQuantity": 17,
         "inventoryDetails": {"fulfillableQuantity": 10, "inboundWorkingQuantity": 0,
                              "inboundShippedQuantity": 5, "inboundReceivingQuantity": 1,
                              "reservedQuantity": {"totalReservedQuantity": 2}}},
    ],
    [
        {"asin": "B2", "fnSku": "X2", "sellerSku": "BOX-50", "condition": "NewItem",
         "productName": "Kühlbox – 50 l", "totalQuantity": 0,
         "inventoryDetails": {"fulfillableQuantity": 0,
                              "reservedQuantity": {"totalReservedQuantity": 0}}},
    ],
]  # fmt: skip
ORDER_PAGES = [
    [
        {
            "orderId": "028-1111111-2222222",
            "createdTime": "2024-05-03T08:00:00Z",
            "salesChannel": {"channelName": "AMAZON", "marketplaceId": "A1PA6795UKMFR9",
                             "marketplaceName": "Amazon.de"},
            "buyer": {"buyerName": "Jana Weiß"},
            "fulfillment": {"fulfillmentStatus": "UNSHIPPED", "fulfilledBy": "MERCHANT",
                            "shipByWindow": {"latestDateTime": "2024-05-06T21:59:59Z"},
                            "deliverByWindow": {"latestDateTime": "2024-05-09T21:59:59Z"}},
            "orderItems": [
                {"orderItemId": "1", "quantityOrdered": 2,
                 "product": {"sellerSku": "BOX-30"}, "fulfillment": {"quantityUnfulfilled": 2}},
                {"orderItemId": "2", "quantityOrdered": 1,
                 "product": {"sellerSku": "BOX-50"}, "fulfillment": {"quantityUnfulfilled": 0}},
            ],
        }
    ]
]  # fmt: skip


@pytest.fixture(autouse=True)
def no_library_marketplace_override(monkeypatch):
    monkeypatch.delenv("SP_API_DEFAULT_MARKETPLACE", raising=False)


def settings_for(secret=fake_spapi.CLIENT_SECRET, refresh=fake_spapi.REFRESH_TOKEN):
    credentials = {
        "refresh_token": refresh,
        "lwa_app_id": fake_spapi.CLIENT_ID,
        "lwa_client_secret": secret,
    }
    return Settings(credentials, Marketplaces.DE)


def quick_pull(target, fake, **options):
    options = {"poll_every": 0.01, "backoff": 0.01, "time_limit": 10, **options}
    with fake.client() as http:
        return pull(str(target), settings_for(), http=http, **options)


@pytest.fixture
def book(tmp_path):
    path = tmp_path / "book.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Inventory"
    wb.active.append(["SKU", "Available", "Supplier"])
    wb.active.append(["BOX-30", 3, "Ningbo Cool Co"])
    wb.save(path)
    return path


def test_pull_brings_sales_stock_and_open_orders(book):
    documents = {
        ORDERS: FakeDocument(ALL_ORDERS, charset=None, gzip=True),
        DAILY: FakeDocument(statuses=("IN_QUEUE", "CANCELLED")),
    }
    progress = []
    with FakeSpApi(
        documents, INVENTORY_PAGES, ORDER_PAGES, throttle={"/reports/2021-06-30/reports": 1}
    ) as fake:
        result = quick_pull(book, fake, progress=lambda *a: progress.append(a))
    assert result.exit_code == 0
    assert fake.calls("POST", "/reports/2021-06-30/reports") == 3  # one 429, then two reports
    assert fake.calls("GET", "/fba/inventory/v1/summaries") == 2  # two pages
    assert any("CANCELLED" in note for note in result.notes)
    assert any(label.endswith("downloading") for label, *_ in progress)
    # Amazon's own addresses for the marketplace's region: the client only delivered them here.
    assert set(fake.hosts) == {
        "api.amazon.com",  # login
        "sellingpartnerapi-eu.amazon.com",  # Germany is in the Europe region
        "tortuga-prod-eu.s3-eu-west-1.amazonaws.com",  # the report document
    }

    with HistoryStore.for_target(parse_target(book)) as store:
        sales = store.daily_units()
        # 22:30 UTC on May 1 is May 2 in Berlin; the cancelled line is left out.
        assert [(d.date().isoformat(), s, u) for d, s, u in sales.itertuples(index=False)] == [
            ("2024-05-02", "BOX-30", 3)
        ]
        assert store.fba_inbound().set_index("sku")["inbound"].to_dict() == {
            "BOX-30": 6,
            "BOX-50": 0,
        }
        # the pull's open orders are a snapshot taken now: a report file older than it,
        # imported later, cannot reopen a line it no longer lists
        assert store.unshipped_lines() == {("028-1111111-2222222", "BOX-30")}
        assert (
            store.last_unshipped() >= (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()
        )

    wb = openpyxl.load_workbook(book)
    inventory = [list(r) for r in wb["Inventory"].iter_rows(values_only=True)]
    assert inventory[0][:3] == ["SKU", "Available", "Supplier"]
    assert inventory[1][:3] == ["BOX-30", 10, "Ningbo Cool Co"]
    assert inventory[2][:2] == ["BOX-50", 0]
    orders = [list(r) for r in wb["Orders"].iter_rows(values_only=True)]
    row = dict(zip(orders[0], orders[1], strict=False))
    assert len(orders) == 2  # the fully shipped item is not an open order
    assert (row["Order ID"], row["SKU"], row["Qty"], row["Buyer name"]) == (
        "028-1111111-2222222", "BOX-30", 2, "Jana Weiß",
    )  # fmt: skip
    # the latest ship date (May 6), not the end of the delivery window (May 9)
    promised = row["Promised date"]
    assert (promised.date() if isinstance(promised, dt.datetime) else promised) == dt.date(
        2024, 5, 6
    )


def test_pulling_the_same_report_again_is_a_no_op(tmp_path):
    documents = {
        ORDERS: FakeDocument(ALL_ORDERS, statuses=("DONE",)),
        DAILY: FakeDocument(statuses=("CANCELLED",)),
    }
    with FakeSpApi(documents) as fake:
        quick_pull(tmp_path / "book.xlsx", fake)
        again = quick_pull(tmp_path / "book.xlsx", fake)
    assert [f.skipped for f in again.files] == [True]
    with HistoryStore.for_target(parse_target(tmp_path / "book.xlsx")) as store:
        assert store.daily_units()["units"].sum() == 3


def test_fatal_report_and_time_limit_are_problems_not_crashes(tmp_path):
    documents = {
        ORDERS: FakeDocument(statuses=("FATAL",)),
        DAILY: FakeDocument(statuses=("IN_PROGRESS",)),
    }
    with FakeSpApi(documents) as fake:
        result = quick_pull(tmp_path / "book.xlsx", fake, time_limit=0.5, poll_every=0.05)
    assert result.exit_code == 1 and result.failures == 2
    assert any("FATAL" in note for note in result.notes)
    assert any("still IN_PROGRESS when the time limit ran out" in note for note in result.notes)


def test_persistent_throttling_gives_up_after_five_tries_per_report(tmp_path):
    with FakeSpApi({ORDERS: FakeDocument(ALL_ORDERS)}, throttle={"/reports/": 99}) as fake:
        result = quick_pull(tmp_path / "book.xlsx", fake)
        assert fake.calls("POST", "/reports/") == 10  # 5 tries for each of the two reports
    assert result.exit_code == 1 and result.failures == 2
    assert all("too many requests" in note for note in result.notes[:2])


def test_a_refused_report_does_not_stop_the_pull(tmp_path):
    with FakeSpApi({ORDERS: FakeDocument(ALL_ORDERS, statuses=("DONE",))}) as fake:
        result = quick_pull(tmp_path / "book.xlsx", fake)
    assert result.failures == 1 and f"{DAILY}: Amazon refused the request" in result.notes[0]
    with HistoryStore.for_target(parse_target(tmp_path / "book.xlsx")) as store:
        assert store.daily_units()["units"].sum() == 3


def test_refused_login_is_a_plain_message(tmp_path):
    with FakeSpApi() as fake, fake.client() as http:
        settings = settings_for(secret="wrong", refresh="Atzr|another-token")
        with pytest.raises(SpApiError, match="Amazon login refused: Client authentication failed"):
            pull(str(tmp_path / "book.xlsx"), settings, time_limit=5, http=http)


def test_settings_from_env_name_missing_variables_but_never_values():
    with pytest.raises(SpApiError) as caught:
        Settings.from_env({"LWA_APP_ID": "app", "LWA_CLIENT_SECRET": "s3cret-value"})
    assert "SP_API_REFRESH_TOKEN" in str(caught.value) and "s3cret-value" not in str(caught.value)
    env = {
        "SP_API_REFRESH_TOKEN": "r",
        "LWA_APP_ID": "a",
        "LWA_CLIENT_SECRET": "s",
        "SP_API_MARKETPLACE": "jp",
    }
    assert Settings.from_env(env).marketplace is Marketplaces.JP
    with pytest.raises(SpApiError, match="not an Amazon marketplace code"):
        Settings.from_env({**env, "SP_API_MARKETPLACE": "XX"})


def test_command_runs_from_environment_variables_and_keeps_secrets_out(tmp_path, monkeypatch):
    documents = {
        ORDERS: FakeDocument(ALL_ORDERS, statuses=("DONE",)),
        DAILY: FakeDocument(statuses=("CANCELLED",)),
    }
    with FakeSpApi(documents) as fake, fake.client() as http:
        env = {
            "SP_API_REFRESH_TOKEN": fake_spapi.REFRESH_TOKEN,
            "LWA_APP_ID": fake_spapi.CLIENT_ID,
            "LWA_CLIENT_SECRET": fake_spapi.CLIENT_SECRET,
            "SP_API_MARKETPLACE": "DE",
        }
        outcome = CliRunner().invoke(pull_command, [str(tmp_path / "book.xlsx")], env=env, obj=http)
    assert outcome.exit_code == 0, outcome.output
    assert "All Orders" in outcome.output
    for secret in (fake_spapi.REFRESH_TOKEN, fake_spapi.CLIENT_SECRET, fake_spapi.ACCESS_TOKEN):
        assert secret not in outcome.output

    missing = CliRunner().invoke(
        pull_command, [str(tmp_path / "book.xlsx")], env={"LWA_APP_ID": ""}
    )
    assert missing.exit_code == 2 and "SP_API_REFRESH_TOKEN" in missing.output


def test_sandbox_sends_every_api_call_to_the_regions_sandbox_host(tmp_path):
    documents = {
        ORDERS: FakeDocument(ALL_ORDERS, statuses=("DONE",)),
        DAILY: FakeDocument(statuses=("CANCELLED",)),
    }
    env = {
        "SP_API_REFRESH_TOKEN": fake_spapi.REFRESH_TOKEN,
        "LWA_APP_ID": fake_spapi.CLIENT_ID,
        "LWA_CLIENT_SECRET": fake_spapi.CLIENT_SECRET,
        "SP_API_MARKETPLACE": "US",
    }
    book = str(tmp_path / "scratch.xlsx")
    with FakeSpApi(documents) as fake, fake.client() as http:
        outcome = CliRunner().invoke(pull_command, [book, "--sandbox"], env=env, obj=http)
    assert outcome.exit_code == 0, outcome.output
    api_hosts = {host for host in fake.hosts if "sellingpartnerapi" in host}
    assert api_hosts == {"sandbox.sellingpartnerapi-na.amazon.com"}  # never the real shop
    assert "Sandbox: the calls went to https://sandbox.sellingpartnerapi-na.amazon.com" in (
        " ".join(outcome.output.split())
    )
    hosts = {code: Settings({}, Marketplaces[code], sandbox=True).endpoint for code in ("DE", "JP")}
    assert hosts == {"DE": "https://sandbox.sellingpartnerapi-eu.amazon.com",
                     "JP": "https://sandbox.sellingpartnerapi-fe.amazon.com"}  # fmt: skip
    assert Settings({}, Marketplaces.DE).endpoint == "https://sellingpartnerapi-eu.amazon.com"


def test_a_dripping_amazon_is_given_up_call_by_call_and_reported(tmp_path, monkeypatch):
    """Every call to an endpoint that answers a header line every 0.2 s ends at its deadline;
    the pull goes on to the next call, and the summary and the exit code say what failed."""
    monkeypatch.setattr(spapi, "CALL_DEADLINE", 1.0)
    with FakeSpApi() as fake, dripping_server("http") as address:
        api = {"https://sellingpartnerapi-eu.amazon.com": transport_to(f"http://{address}")}
        started = time.monotonic()
        with fake.client(**api) as http:  # the login reaches the fake, the API drips
            result = pull(str(tmp_path / "book.xlsx"), settings_for(), time_limit=10,
                          poll_every=0.01, http=http)  # fmt: skip
        took = time.monotonic() - started
    assert 3.9 < took < 20  # two reports, the inventory and the orders: one second each
    assert result.exit_code == 1 and result.failures == 4
    late = "Amazon did not finish answering within 1 s; pull again later"
    assert result.notes[:4] == [f"{ORDERS}: {late}", f"{DAILY}: {late}",
                                f"FBA inventory: {late}", f"Open FBM orders: {late}"]  # fmt: skip


def test_a_dripping_report_download_is_given_up_at_its_deadline(book, monkeypatch):
    monkeypatch.setattr(spapi, "DOWNLOAD_DEADLINE", 1.0)
    with dripping_server("http") as address:
        documents = {
            ORDERS: FakeDocument(ALL_ORDERS, statuses=("DONE",), url=f"http://{address}/doc"),
            DAILY: FakeDocument(statuses=("CANCELLED",)),
        }
        with FakeSpApi(documents, INVENTORY_PAGES) as fake:
            started = time.monotonic()
            result = quick_pull(book, fake)
            assert 0.9 < time.monotonic() - started < 10
    assert result.exit_code == 1 and result.failures == 1
    assert result.notes[0] == (
        f"{ORDERS}: The report download from Amazon did not finish within 1 s"
    )
    assert "FBA inventory: 2 SKUs" in result.notes[-1]


def test_a_store_damaged_inside_stops_the_pull_with_one_sentence(book):
    """The store opens but its tables are garbage: a refusal (the command's exit 2) naming the
    file, not a crash, once the first report is downloaded."""
    store = parse_target(book).store_path
    HistoryStore(store).close()
    data = store.read_bytes()
    store.write_bytes(data[:4096] + b"Z" * (len(data) - 4096))
    documents = {ORDERS: FakeDocument(ALL_ORDERS, statuses=("DONE",))}
    with FakeSpApi(documents) as fake, pytest.raises(TargetError) as refused:
        quick_pull(book, fake)
    assert str(refused.value) == (
        f"{store}: cannot read the history store (database disk image is malformed); "
        "if the file is damaged, move it away (the next import starts a new one)"
    )


def test_a_pull_says_what_its_save_of_the_workbook_drops(book):
    with zipfile.ZipFile(book, "a") as parts:
        parts.writestr("xl/slicers/slicer1.xml", b"<slicers/>")
    with FakeSpApi({DAILY: FakeDocument(statuses=("CANCELLED",))}, INVENTORY_PAGES) as fake:
        result = quick_pull(book, fake)
    (warning,) = result.warnings
    assert warning.startswith("this workbook has slicers, which stockout cannot keep")
    assert result.exit_code == 1 and result.failures == 1  # the All Orders report: refused


def traffic_entry(sku: str, sessions: int, units: int) -> dict:
    """One `salesAndTrafficByAsin` entry as Amazon's schema writes it (SKU granularity)."""
    return {
        "parentAsin": "B1", "childAsin": "B1", "sku": sku,
        "salesByAsin": {"unitsOrdered": units, "totalOrderItems": units,
                        "orderedProductSales": {"amount": 39.95 * units, "currencyCode": "EUR"}},
        "trafficByAsin": {"sessions": sessions, "pageViews": sessions + 5,
                          "unitSessionPercentage": round(100 * units / sessions, 2)},
    }  # fmt: skip


def test_pull_asks_sales_and_traffic_one_day_at_a_time_and_skips_days_it_has(book):
    today = dt.date.today()
    day = [(today - dt.timedelta(days=n)).isoformat() for n in range(4)]
    documents = {ORDERS: FakeDocument(statuses=("CANCELLED",)),
                 DAILY: FakeDocument(statuses=("CANCELLED",))}  # fmt: skip
    traffic = {day[1]: [traffic_entry("BOX-30", 120, 6)], day[2]: [traffic_entry("BOX-30", 100, 4)],
               day[3]: [traffic_entry("BOX-30", 90, 9)]}  # fmt: skip
    with FakeSpApi(documents, traffic=traffic) as fake:
        result = quick_pull(book, fake, traffic_days=3)
        asked = [c for c in fake.created if c["reportType"] == "GET_SALES_AND_TRAFFIC_REPORT"]
        assert [(c["dataStartTime"], c["dataEndTime"], c["reportOptions"]) for c in asked] == [
            (d, d, {"dateGranularity": "DAY", "asinGranularity": "SKU"}) for d in day[1:]
        ]  # newest first, one day each: Amazon sums the per-SKU figures over the period
        again = quick_pull(book, fake, traffic_days=4)
        asked = [c for c in fake.created if c["reportType"] == "GET_SALES_AND_TRAFFIC_REPORT"]
    assert result.exit_code == 0, result.notes
    # The three days stored are not asked for again; the fourth day back is.
    assert [c["dataStartTime"] for c in asked[3:]] == [(today - dt.timedelta(days=4)).isoformat()]
    assert again.exit_code == 0
    with HistoryStore.for_target(parse_target(book)) as store:
        rows = store.traffic()
    assert [(r.first_day.date().isoformat(), r.sessions, r.units) for r in rows.itertuples()] == [
        (day[3], 90, 9), (day[2], 100, 4), (day[1], 120, 6),
    ]  # fmt: skip
