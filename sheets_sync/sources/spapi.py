"""`stockout pull TARGET`: fetch sales, stock and open orders from Amazon's Selling Partner API.

What is pulled, through python-amazon-sp-api:

* reports, requested, polled and downloaded here: All Orders by order date (daily sales) and FBA
  daily inventory (the in-stock history). They are decoded by the same parsers as imported files,
  so a pulled report and a downloaded one land identically (and the same document twice is a
  no-op). CANCELLED means Amazon had no data for the period: not an error. FATAL is a problem.
* FBA inventory summaries (Available, Reserved, inbound) -> Inventory tab and the store;
* unshipped seller-fulfilled orders through the Orders API 2026-01-01 -> Orders tab.

Credentials come from the environment only: `SP_API_REFRESH_TOKEN`, `LWA_APP_ID`,
`LWA_CLIENT_SECRET` (the library's own names) and `SP_API_MARKETPLACE` (`US`, `DE`, `JP`...). They
are never printed or written anywhere. Calls go to Amazon's endpoint for the marketplace's
region, or with `sandbox` to that region's sandbox host (`sandbox.sellingpartnerapi-na.amazon.com`
...), where Amazon answers with its test data; `pull(..., http=...)` sends them through a
caller's `httpx.Client` (a proxy, or the tests' client reaching a local fake). Amazon limits
these calls hard (createReport about once a minute, searchOrders once every three minutes): a
429 answer is retried with growing pauses, a few times, within the pull's time limit.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import httpx
from sp_api.api import Inventories, Orders, Reports
from sp_api.auth.exceptions import AuthorizationError
from sp_api.base import Marketplaces, SellingApiException, SellingApiRequestThrottledException
from sp_api.base._transport_httpx import HttpxTransport
from sp_api.base.credential_provider import FromCodeCredentialProvider

from sheets_sync.backends import parse_target
from sheets_sync.deadline import DeadlineExceeded, within
from sheets_sync.history import HistoryStore
from sheets_sync.sources import business_report
from sheets_sync.sources.amazon_reports import KINDS, Kind, open_report, save_inventory
from sheets_sync.sources.importer import (
    FileResult,
    ImportResult,
    file_sha256,
    order_keys,
    span_note,
    update_workbook,
)
from sheets_sync.sources.records import InventoryRecord, Loaded, OpenOrder
from sheets_sync.sources.report_file import ReportError
from sheets_sync.terminal import ProgressFn
from sheets_sync.types import Target

ENV_NAMES = ("SP_API_REFRESH_TOKEN", "LWA_APP_ID", "LWA_CLIENT_SECRET")
#: The report kinds pulled, by their SP-API report type (see `amazon_reports.KINDS`).
PULLED = tuple(kind for kind in KINDS if kind.spapi_type)
OPEN_STATUSES = ["UNSHIPPED", "PARTIALLY_SHIPPED"]
#: Seconds one API call may take in all, its retries included, and one report download: the
#: clients' timeouts bound each read only, and a connection that answers a byte at a time must
#: not hold a pull (the call is then a failure the summary and the exit code report).
CALL_DEADLINE = 120.0
DOWNLOAD_DEADLINE = 600.0


T = TypeVar("T")


class SpApiError(Exception):
    """Amazon refused or could not be reached: a plain message for the user."""


class LoginError(SpApiError):
    """No credentials, or Amazon refused them: nothing can be pulled."""


#: Amazon's production hosts start so; each region's sandbox host is the same behind `sandbox.`.
_PRODUCTION = "https://sellingpartnerapi"


@dataclass
class Settings:
    """Who signs in, and the marketplace (whose region names Amazon's endpoint); `sandbox`
    sends the calls to the region's sandbox host instead (Amazon's test answers)."""

    credentials: dict[str, str]
    marketplace: Marketplaces
    sandbox: bool = False

    @property
    def endpoint(self) -> str:
        """Amazon's address for the marketplace's region (`https://sellingpartnerapi-eu...`),
        or its sandbox twin (`https://sandbox.sellingpartnerapi-eu.amazon.com`)."""
        url = str(self.marketplace.endpoint)
        if self.sandbox and url.startswith(_PRODUCTION):
            return "https://sandbox." + url.removeprefix("https://")
        return url

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        missing = [name for name in ENV_NAMES if not env.get(name)]
        if missing:
            raise LoginError(
                "Amazon credentials missing: set the environment variable(s) " + ", ".join(missing)
            )
        code = (
            env.get("SP_API_MARKETPLACE") or env.get("SP_API_DEFAULT_MARKETPLACE") or "US"
        ).upper()
        if code not in Marketplaces.__members__:
            raise SpApiError(
                f"SP_API_MARKETPLACE={code} is not an Amazon marketplace code (US, DE, JP...)"
            )
        return cls(
            credentials={
                "refresh_token": env["SP_API_REFRESH_TOKEN"],
                "lwa_app_id": env["LWA_APP_ID"],
                "lwa_client_secret": env["LWA_CLIENT_SECRET"],
            },
            marketplace=Marketplaces[code],
        )


@dataclass
class PullResult(ImportResult):
    """An import result plus what the API calls brought."""

    notes: list[str] = field(default_factory=list)
    failures: int = 0

    @property
    def exit_code(self) -> int:
        return 1 if self.failures or self.problem_count or self.warnings else 0


def pull(
    target: str | Target,
    settings: Settings | None = None,
    progress: ProgressFn | None = None,
    time_limit: float = 900.0,
    days: int = 30,
    poll_every: float = 15.0,
    backoff: float = 5.0,
    http: httpx.Client | None = None,
    traffic_days: int = 0,
    sandbox: bool = False,
) -> PullResult:
    """Pull the last DAYS of sales and today's stock and open orders into TARGET, and the
    Sales and Traffic figures of the last TRAFFIC_DAYS days the store lacks (one report per
    day, at most `business_report.DAYS_PER_PULL` a pull: the relaunch tracker reads them).

    Stops waiting for reports after TIME_LIMIT seconds in all (a report still processing then
    is a note, and the next pull asks again). Raises `SpApiError` when it cannot start. HTTP,
    when given, carries every call (the caller closes it); else the pull opens its own.
    SANDBOX calls the region's sandbox host (`Settings.sandbox`): Amazon's test answers, which
    land in TARGET like real ones, so point it at a scratch workbook.
    """
    target = parse_target(target)
    settings = settings or Settings.from_env()
    if sandbox:
        settings = replace(settings, sandbox=True)
    api = _Api(settings, time.monotonic() + time_limit, backoff, http)
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    with (
        HistoryStore.for_target(target) as store,
        tempfile.TemporaryDirectory() as scratch,
        contextlib.closing(api),
    ):
        result = PullResult(store.path)
        if settings.sandbox:
            result.notes.append(
                f"Sandbox: the calls went to {settings.endpoint}; what it answers is Amazon's "
                "test data, not the shop's."
            )
        inventory: list[InventoryRecord] = []  # what the reports bring for the workbook, then
        orders: list[OpenOrder] = []  # what the inventory and orders APIs bring
        for kind in PULLED:
            try:
                download = api.report(
                    kind.spapi_type, _stamp(since), Path(scratch), poll_every, progress, result
                )
            except LoginError:
                raise
            except SpApiError as error:  # one report refused: the rest of the pull still helps
                result.failures += 1
                result.notes.append(f"{kind.spapi_type}: {error}")
                continue
            if download is not None:
                loaded = _load(store, *download, kind, result)
                inventory += loaded.inventory
                orders += loaded.orders or []
        if traffic_days > 0:
            _pull_traffic(api, store, Path(scratch), poll_every, progress, result, traffic_days)
        summaries = _or_note(api.inventory, "FBA inventory", result)
        with store.transaction():
            save_inventory(store, summaries, dt.date.today())
        inventory += summaries
        orders += _or_note(lambda: api.open_orders(since), "Open FBM orders", result)
        result.notes.append(
            f"FBA inventory: {len(inventory)} SKUs; open FBM order lines: {len(orders)}"
        )
        if inventory or orders:
            taken = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            update_workbook(target, inventory, orders, result, store.unshipped_lines())
            with store.transaction():
                store.remember_unshipped(taken, "pull", order_keys(orders))
    return result


def _pull_traffic(
    api: _Api,
    store: HistoryStore,
    folder: Path,
    poll_every: float,
    progress: ProgressFn | None,
    result: PullResult,
    days: int,
) -> None:
    """Sales and Traffic, one report per day (its per-SKU figures sum the whole period asked
    for): the days of the last DAYS the store lacks, newest first, a few per pull."""
    for day in business_report.days_to_pull(store, dt.date.today(), days):
        try:
            download = api.report(
                business_report.SPAPI_TYPE, day.isoformat(), folder, poll_every, progress,
                result, until=day.isoformat(), options=business_report.SPAPI_OPTIONS,
            )  # fmt: skip
        except LoginError:
            raise
        except SpApiError as error:  # the next pull asks again for the days still missing
            result.failures += 1
            result.notes.append(f"{business_report.SPAPI_TYPE} {day}: {error}")
            return
        if download is not None:
            _load_traffic(store, download[0], result)
        elif time.monotonic() >= api.deadline:
            return  # out of time: the note says so, the next pull asks again


def _load_traffic(store: HistoryStore, path: Path, result: PullResult) -> None:
    """Store one downloaded Sales and Traffic report (JSON), logged like an imported file."""
    outcome = FileResult(path, business_report.SPAPI_LABEL)
    result.files.append(outcome)
    digest = file_sha256(path)
    if store.is_imported(digest):
        outcome.skipped, outcome.note = True, "already imported"
        return
    try:
        found = business_report.read_sales_and_traffic(json.loads(path.read_bytes()), path)
    except (ValueError, ReportError) as error:
        result.failures += 1
        result.notes.append(f"{business_report.SPAPI_TYPE}: unreadable ({error})")
        return
    first, last = found.first.isoformat(), found.last.isoformat()
    with store.transaction():
        store.put_traffic(found.rows)
        store.log_import(digest, "sales_and_traffic", path.name, found.lines, first, last)
    outcome.rows, outcome.problems = found.lines, found.problems[:20]
    outcome.problem_count = len(found.problems)
    outcome.note = f"{first} to {last}: {len(found.rows)} SKUs"


def _stamp(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _or_note(fetch: Callable[[], list[T]], what: str, result: PullResult) -> list[T]:
    """What FETCH brought, or nothing and a failure noted (a refused login still stops all)."""
    try:
        return fetch()
    except LoginError:
        raise
    except SpApiError as error:
        result.failures += 1
        result.notes.append(f"{what}: {error}")
        return []


def _load(
    store: HistoryStore, path: Path, charset: str | None, kind: Kind, result: PullResult
) -> Loaded:
    """Load a downloaded report like an imported file (same parsers, same import log)."""
    report = open_report(path, charset)
    outcome = FileResult(path, report.kind.label)
    result.files.append(outcome)
    if report.kind is not kind:
        raise SpApiError(
            f"Amazon sent a {report.kind.label} report where {kind.label} was asked for"
        )
    digest = file_sha256(path)
    if store.is_imported(digest):
        outcome.skipped, outcome.note = True, "already imported"
        return Loaded()
    with store.transaction():
        loaded = kind.load(store, report, None)
        store.log_import(
            digest, kind.name, path.name, report.rows_read, loaded.first_day, loaded.last_day
        )
    outcome.rows, outcome.problems = report.rows_read, report.problems
    outcome.problem_count = report.problem_count
    outcome.note = span_note(loaded) or "no rows"
    return loaded


class _Api:
    """python-amazon-sp-api clients with one capped retry policy and one deadline."""

    def __init__(
        self, settings: Settings, deadline: float, backoff: float, http: httpx.Client | None
    ) -> None:
        self.settings = settings
        self.deadline = deadline
        self.backoff = backoff
        self.marketplace_id = settings.marketplace.marketplace_id
        self._own_http = http is None
        self.http = httpx.Client(timeout=60) if http is None else http
        self._clients: dict[Any, Any] = {}

    def close(self) -> None:
        if self._own_http:
            self.http.close()

    def client(self, cls: Any, **options: Any) -> Any:
        """One client per API for the whole pull, all over the pull's HTTP client."""
        if cls not in self._clients:
            self._clients[cls] = self._new_client(cls, **options)
        return self._clients[cls]

    def _new_client(self, cls: Any, **options: Any) -> Any:
        client = cls(
            self.settings.marketplace,
            credentials=self.settings.credentials,
            credential_providers=(FromCodeCredentialProvider,),
            **options,
        )
        # python-amazon-sp-api has no option for the HTTP client or the host (its sandbox
        # switch is an environment variable read at import): its API and login calls go
        # through a transport attribute each, replaced here by one over the pull's client.
        client.endpoint = self.settings.endpoint
        client._transport.close()
        client._auth._transport.close()
        client._transport = client._auth._transport = _SharedTransport(client=self.http)
        return client

    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call the API; on 429 wait (backoff, doubling) and retry, at most 5 tries in all,
        all within CALL_DEADLINE seconds."""
        end = time.monotonic() + CALL_DEADLINE
        for attempt in range(5):
            try:
                return within(end - time.monotonic(), fn, *args, **kwargs)
            except DeadlineExceeded:
                raise SpApiError(
                    f"Amazon did not finish answering within {CALL_DEADLINE:g} s; pull again later"
                ) from None
            except SellingApiRequestThrottledException:
                pause = self.backoff * 2**attempt
                if attempt == 4 or time.monotonic() + pause > min(self.deadline, end):
                    raise SpApiError(
                        "Amazon keeps answering 'too many requests' (429): try again later"
                    ) from None
                time.sleep(pause)
            except AuthorizationError as error:
                raise LoginError(
                    f"Amazon login refused: {error.message or error.error_code}"
                ) from None
            except SellingApiException as error:
                raise SpApiError(
                    f"Amazon refused the request: {getattr(error, 'message', error)}"
                ) from None
            except httpx.HTTPError as error:
                raise SpApiError(f"Cannot reach Amazon: {error}") from None
        raise AssertionError("unreachable")

    def report(
        self,
        report_type: str,
        start: str,
        folder: Path,
        poll_every: float,
        progress: ProgressFn | None,
        result: PullResult,
        until: str | None = None,
        options: dict[str, str] | None = None,
    ) -> tuple[Path, str | None] | None:
        """Request, wait for and download one report: (file, charset), None if nothing came.

        START and UNTIL are the data's first and last time (ISO), OPTIONS the reportOptions."""
        reports = self.client(Reports)
        asked: dict[str, Any] = {"dataStartTime": start}
        if until:
            asked["dataEndTime"] = until
        if options:
            asked["reportOptions"] = options
        created = self.call(
            reports.create_report,
            reportType=report_type,
            marketplaceIds=[self.marketplace_id],
            **asked,
        )
        report_id = created.payload["reportId"]
        label = f"{report_type}: waiting for Amazon"
        started = time.monotonic()
        total = max(1, int(self.deadline - started))
        while True:
            status = self.call(reports.get_report, report_id).payload
            state = status.get("processingStatus")
            if progress:
                progress(label, int(time.monotonic() - started), total)
            if state == "DONE":
                break
            if state == "CANCELLED":
                result.notes.append(f"{report_type}: Amazon had no data for the period (CANCELLED)")
                return None
            if state == "FATAL":
                result.failures += 1
                result.notes.append(f"{report_type}: Amazon could not build the report (FATAL)")
                return None
            if time.monotonic() + poll_every > self.deadline:
                result.failures += 1
                result.notes.append(
                    f"{report_type}: still {state} when the time limit ran out; pull again later"
                )
                return None
            time.sleep(poll_every)
        document = self.call(reports.get_report_document, status["reportDocumentId"]).payload
        return self.download(document, folder / f"{report_type}-{report_id}.txt", progress)

    def download(
        self, document: dict[str, Any], path: Path, progress: ProgressFn | None
    ) -> tuple[Path, str | None]:
        """Stream the document to PATH, gunzipping on the way: (PATH, charset of the download).

        The library would decode it as iso-8859-1 when no charset is given; the parsers do it
        right instead (UTF-8, then cp932 or cp1252).
        """
        try:
            return within(DOWNLOAD_DEADLINE, self._download, document, path, progress)
        except DeadlineExceeded:
            raise SpApiError(
                f"The report download from Amazon did not finish within {DOWNLOAD_DEADLINE:g} s"
            ) from None

    def _download(
        self, document: dict[str, Any], path: Path, progress: ProgressFn | None
    ) -> tuple[Path, str | None]:
        gunzip = (
            zlib.decompressobj(16 + zlib.MAX_WBITS)
            if document.get("compressionAlgorithm")
            else None
        )
        try:
            with (
                self.http.stream("GET", document["url"], timeout=120) as response,
                path.open("wb") as out,
            ):
                response.raise_for_status()
                total = int(response.headers.get("Content-Length") or 0)
                for block in response.iter_bytes():
                    out.write(gunzip.decompress(block) if gunzip else block)
                    if progress:
                        progress(f"{path.name}: downloading", response.num_bytes_downloaded, total)
                if gunzip:
                    out.write(gunzip.flush())
                charset = response.charset_encoding
        except httpx.HTTPError as error:
            raise SpApiError(f"Cannot download the report from Amazon: {error}") from None
        return path, charset

    def inventory(self) -> list[InventoryRecord]:
        """FBA inventory summaries with details, every page (nextToken lives 30 s: no pause)."""
        client = self.client(Inventories)
        records = []
        for summary in self._pages(
            client.get_inventory_summary_marketplace,
            "inventorySummaries",
            "nextToken",
            details=True,
            marketplaceIds=[self.marketplace_id],
        ):
            details = summary.get("inventoryDetails") or {}
            reserved = (details.get("reservedQuantity") or {}).get("totalReservedQuantity")
            records.append(
                InventoryRecord(
                    sku=summary.get("sellerSku", ""),
                    asin=summary.get("asin", ""),
                    title=summary.get("productName", ""),
                    price=None,
                    available=details.get("fulfillableQuantity"),
                    reserved=reserved,
                    fbm_stock=None,
                    inbound_working=details.get("inboundWorkingQuantity") or 0,
                    inbound_shipped=details.get("inboundShippedQuantity") or 0,
                    inbound_receiving=details.get("inboundReceivingQuantity") or 0,
                )
            )
        return [r for r in records if r.sku]

    def open_orders(self, since: dt.datetime) -> list[OpenOrder]:
        """Unshipped seller-fulfilled order lines created since SINCE (Orders API 2026-01-01)."""
        client = self.client(Orders, version="2026-01-01")
        lines = []
        for order in self._pages(
            client.search_orders,
            "orders",
            "paginationToken",
            createdAfter=since.isoformat(timespec="seconds").replace("+00:00", "Z"),
            fulfillmentStatuses=OPEN_STATUSES,
            fulfilledBy=["MERCHANT"],
            marketplaceIds=[self.marketplace_id],
            includedData=["BUYER", "FULFILLMENT"],
        ):
            fulfillment = order.get("fulfillment") or {}
            # The promise that matters to a stockout is the latest ship date: by then the unit
            # must leave the shelf. The end of the delivery window is days later and would
            # hide a delay; it is the fallback when Amazon gives no ship-by window.
            window = fulfillment.get("shipByWindow") or fulfillment.get("deliverByWindow") or {}
            promised = _day(window.get("latestDateTime"))
            channel = (order.get("salesChannel") or {}).get("marketplaceName", "").lower()
            buyer = (order.get("buyer") or {}).get("buyerName", "")
            for item in order.get("orderItems") or []:
                qty = (item.get("fulfillment") or {}).get("quantityUnfulfilled")
                qty = item.get("quantityOrdered", 0) if qty is None else qty
                sku = (item.get("product") or {}).get("sellerSku", "")
                if sku and qty > 0:
                    lines.append(
                        OpenOrder(
                            order.get("orderId", ""),
                            sku,
                            qty,
                            _day(order.get("createdTime")),
                            promised,
                            buyer,
                            channel,
                        )
                    )
        return lines

    def _pages(
        self, fn: Callable[..., Any], items: str, token_name: str, **query: Any
    ) -> Iterator[dict]:
        token = None
        while True:
            page = self.call(fn, **query, **({token_name: token} if token else {}))
            yield from page.payload.get(items) or []
            token = page.next_token
            if not token:
                return


class _SharedTransport(HttpxTransport):
    """The library's transport over the pull's client, which outlives each API client."""

    def close(self) -> None:
        """The pull closes its client once (a caller's client is the caller's to close)."""


def _day(stamp: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(stamp[:10]) if stamp else None
    except ValueError:
        return None
