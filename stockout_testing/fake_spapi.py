"""A local stand-in for Amazon's Selling Partner API and its login (LWA) endpoint.

Amazon's own sandbox needs real credentials and the network, so tests and offline demos talk to
this loopback server instead. It speaks the real wire formats of the endpoints `stockout pull`
uses (Reports 2021-06-30, FBA Inventory v1 summaries, Orders 2026-01-01, the LWA token call,
the pre-signed report download) and can misbehave on purpose: answer 429 a few times, cancel or
fail a report, keep one processing forever. It records every request for assertions.

The product calls Amazon's real addresses; `fake.client()` is an HTTP client that delivers
those calls here instead (the way `pull(..., http=...)` and `stockout pull` take one):

    with FakeSpApi(documents={...}) as fake, fake.client() as http:
        pull(target, settings, http=http)
"""

from __future__ import annotations

import datetime as dt
import gzip
import itertools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx

ACCESS_TOKEN = "Atza|fake-access-token"
CLIENT_ID = "amzn1.application-oa2-client.fake"
CLIENT_SECRET = "fake-client-secret"
REFRESH_TOKEN = "Atzr|fake-refresh-token"
QUOTA_EXCEEDED = {
    "errors": [
        {
            "code": "QuotaExceeded",
            "message": "You exceeded your quota for the requested resource.",
            "details": "",
        }
    ]
}


@dataclass
class FakeDocument:
    """What a report request turns into: statuses seen while polling, then the file.

    `statuses` are returned one per poll, the last one repeating (`IN_QUEUE`, `IN_PROGRESS`,
    then `DONE`, `CANCELLED` or `FATAL`). `charset` goes into the download's Content-Type.
    `url` is where the download is said to be (default: Amazon's S3, that is this fake,
    serving `content`).
    """

    content: bytes = b""
    statuses: tuple[str, ...] = ("IN_QUEUE", "IN_PROGRESS", "DONE")
    charset: str | None = "UTF-8"
    gzip: bool = False
    url: str | None = None


@dataclass
class _Report:
    report_type: str
    document: FakeDocument
    polls: int = 0


SALES_AND_TRAFFIC = "GET_SALES_AND_TRAFFIC_REPORT"


@dataclass
class FakeSpApi:
    """Start with `with FakeSpApi(...) as fake:`; reach it through `fake.client()`."""

    documents: dict[str, FakeDocument] = field(default_factory=dict)
    inventory_pages: list[list[dict[str, Any]]] = field(default_factory=list)
    order_pages: list[list[dict[str, Any]]] = field(default_factory=list)
    #: Sales and Traffic per day (ISO) -> its `salesAndTrafficByAsin` entries, served as
    #: Amazon's JSON for whatever dates and options a createReport asks (none: an empty day).
    traffic: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: The body of every createReport call, in order.
    created: list[dict[str, Any]] = field(default_factory=list)
    #: path prefix -> how many 429 answers to give before serving it normally.
    throttle: dict[str, int] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, list[str]]]] = field(default_factory=list)
    #: The host each request was addressed to (its Host header): Amazon's, never this fake's.
    hosts: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._reports: dict[str, _Report] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def client(self, **mounts: httpx.BaseTransport) -> httpx.Client:
        """An HTTP client that delivers every https request (Amazon's addresses) to this fake;
        plain http goes where it says. MOUNTS, by URL pattern, route some elsewhere."""
        routes = {"https://": transport_to(self.url), **mounts}
        return httpx.Client(mounts=routes, trust_env=False)

    def __enter__(self) -> FakeSpApi:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def calls(self, method: str, prefix: str) -> int:
        return sum(1 for m, p, _ in self.requests if m == method and p.startswith(prefix))

    # -- the endpoints ------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: dict, body: bytes, headers) -> tuple:
        """Return (status, headers, body bytes) for one request."""
        with self._lock:
            self.requests.append((method, path, query))
            self.hosts.append(headers.get("Host", ""))
            for prefix, left in self.throttle.items():
                if left and path.startswith(prefix):
                    self.throttle[prefix] = left - 1
                    return _json(429, QUOTA_EXCEEDED)
        if path == "/auth/o2/token":
            return self._token(parse_qs(body.decode()))
        if path.startswith("/download/"):
            return self._download(path.removeprefix("/download/"))
        if headers.get("x-amz-access-token") != ACCESS_TOKEN:
            return _json(403, {"errors": [{"code": "Unauthorized", "message": "Access denied"}]})
        if path == "/reports/2021-06-30/reports" and method == "POST":
            return self._create_report(json.loads(body or b"{}"))
        if path.startswith("/reports/2021-06-30/reports/"):
            return self._get_report(path.rsplit("/", 1)[1])
        if path.startswith("/reports/2021-06-30/documents/"):
            return self._get_document(path.rsplit("/", 1)[1])
        if path == "/fba/inventory/v1/summaries":
            return self._inventory(query)
        if path == "/orders/2026-01-01/orders":
            return self._orders(query)
        return _json(404, {"errors": [{"code": "NotFound", "message": f"no route {path}"}]})

    def _token(self, form: dict[str, list[str]]) -> tuple:
        wanted = {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "refresh_token": REFRESH_TOKEN,
        }
        if any(form.get(k, [""])[0] != v for k, v in wanted.items()):
            return _json(
                400,
                {"error": "invalid_client", "error_description": "Client authentication failed"},
            )
        return _json(200, {"access_token": ACCESS_TOKEN, "token_type": "bearer", "expires_in": 3600,
                           "refresh_token": REFRESH_TOKEN})  # fmt: skip

    def _create_report(self, data: dict[str, Any]) -> tuple:
        report_type = data.get("reportType", "")
        self.created.append(data)
        if report_type == SALES_AND_TRAFFIC and report_type not in self.documents:
            document = FakeDocument(json.dumps(self._sales_and_traffic(data)).encode(), gzip=True)
            report_id = str(50000 + next(self._ids))
            self._reports[report_id] = _Report(report_type, document)
            return _json(202, {"reportId": report_id})
        if report_type not in self.documents:
            return _json(
                400, {"errors": [{"code": "InvalidInput", "message": f"{report_type} not set up"}]}
            )
        report_id = str(50000 + next(self._ids))
        self._reports[report_id] = _Report(report_type, self.documents[report_type])
        return _json(202, {"reportId": report_id})

    def _sales_and_traffic(self, data: dict[str, Any]) -> dict[str, Any]:
        """The report Amazon builds (sellerSalesAndTrafficReport.json): per-ASIN figures summed
        over every day from dataStartTime to dataEndTime, whatever the date granularity."""
        first = dt.date.fromisoformat(str(data.get("dataStartTime", ""))[:10])
        last = dt.date.fromisoformat(str(data.get("dataEndTime") or first.isoformat())[:10])
        summed: dict[str, dict[str, Any]] = {}
        day = first
        while day <= last:
            for entry in self.traffic.get(day.isoformat(), []):
                key = entry.get("sku") or entry.get("childAsin", "")
                if key not in summed:
                    summed[key] = json.loads(json.dumps(entry))
                    continue
                for part, name in (("trafficByAsin", "sessions"), ("salesByAsin", "unitsOrdered")):
                    summed[key][part][name] += entry[part][name]
            day += dt.timedelta(days=1)
        return {
            "reportSpecification": {
                "reportType": SALES_AND_TRAFFIC,
                "reportOptions": data.get("reportOptions") or {},
                "dataStartTime": first.isoformat(),
                "dataEndTime": last.isoformat(),
                "marketplaceIds": data.get("marketplaceIds") or [],
            },
            "salesAndTrafficByDate": [],
            "salesAndTrafficByAsin": list(summed.values()),
        }

    def _get_report(self, report_id: str) -> tuple:
        report = self._reports[report_id]
        statuses = report.document.statuses
        status = statuses[min(report.polls, len(statuses) - 1)]
        report.polls += 1
        body = {"reportId": report_id, "reportType": report.report_type, "processingStatus": status}
        if status in ("DONE", "FATAL"):
            body["reportDocumentId"] = f"amzn1.spdoc.1.{report_id}"
        return _json(200, body)

    def _get_document(self, document_id: str) -> tuple:
        report = self._reports[document_id.rsplit(".", 1)[1]]
        s3 = f"https://tortuga-prod-eu.s3-eu-west-1.amazonaws.com/download/{document_id}"
        url = report.document.url or s3 + "?X-Amz-Signature=fake"
        body = {"reportDocumentId": document_id, "url": url}
        if report.document.gzip:
            body["compressionAlgorithm"] = "GZIP"
        return _json(200, body)

    def _download(self, document_id: str) -> tuple:
        document = self._reports[document_id.rsplit(".", 1)[1]].document
        content = gzip.compress(document.content) if document.gzip else document.content
        kind = "text/plain" + (f"; charset={document.charset}" if document.charset else "")
        return 200, {"Content-Type": kind}, content

    def _inventory(self, query: dict[str, list[str]]) -> tuple:
        page = int(query.get("nextToken", ["0"])[0] or 0)
        body: dict[str, Any] = {
            "payload": {
                "granularity": {
                    "granularityType": "Marketplace",
                    "granularityId": query.get("granularityId", [""])[0],
                },
                "inventorySummaries": self.inventory_pages[page] if self.inventory_pages else [],
            }
        }
        if page + 1 < len(self.inventory_pages):
            body["pagination"] = {"nextToken": str(page + 1)}
        return _json(200, body)

    def _orders(self, query: dict[str, list[str]]) -> tuple:
        page = int(query.get("paginationToken", ["0"])[0] or 0)
        body: dict[str, Any] = {"orders": self.order_pages[page] if self.order_pages else []}
        if page + 1 < len(self.order_pages):
            body["pagination"] = {"nextToken": str(page + 1)}
        return _json(200, body)


def transport_to(url: str) -> httpx.BaseTransport:
    """A transport that delivers each request to the server at URL (Host header unchanged)."""
    return _ToFake(httpx.URL(url))


class _ToFake(httpx.HTTPTransport):
    """Deliver each request to the fake at BASE, its Host header and path unchanged."""

    def __init__(self, base: httpx.URL) -> None:
        super().__init__()
        self.base = base

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(
            scheme=self.base.scheme, host=self.base.host, port=self.base.port
        )
        return super().handle_request(request)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeSpApi

    def _serve(self) -> None:
        url = urlparse(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, headers, content = self.fake.handle(
            self.command, url.path, parse_qs(url.query), body, self.headers
        )
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: test output is for test results."""


def _json(status: int, body: dict[str, Any]) -> tuple:
    return status, {"Content-Type": "application/json"}, json.dumps(body).encode()
