"""The fake served over real HTTP on a loopback port, and sessions that reach it.

gspread and google-auth talk HTTP; serving the fake on 127.0.0.1 exercises their real code
paths (retries, JSON decoding, auth headers). `session_for` rewrites Google's hosts to the
fake's URL inside a requests session that the Google Sheets backend takes as an argument.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple
from urllib.parse import quote

import requests
from google.auth.transport.requests import AuthorizedSession

from .fake import Export, FakeSheets


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes
    server: _Server

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, payload = self.server.fake.handle(
            self.command, self.path, body, self.headers.get("Authorization")
        )
        kind = "application/json; charset=UTF-8"
        if isinstance(payload, Export):
            kind, data = payload.content_type, payload.data
        else:
            data = b"" if payload is None else json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        if data:
            self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests and demos read the call log in `FakeSheets.log` instead."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeSheets, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.fake = fake


GOOGLE_HOSTS = ("https://sheets.googleapis.com", "https://www.googleapis.com")


def session_for(url: str, credentials: Any = None) -> requests.Session:
    """A requests session that sends gspread's calls for Google to the fake served at URL.

    Pass it as `GoogleSheetsBackend(..., session=...)`. With google-auth `credentials` it signs
    its requests like `AuthorizedSession` (whose token URL the credentials name).
    """
    base = url.rstrip("/")
    parent = requests.Session if credentials is None else AuthorizedSession

    class ToFake(parent):  # type: ignore[valid-type,misc]
        def request(self, method: Any, url: Any, *args: Any, **kwargs: Any) -> Any:
            url = url.decode() if isinstance(url, bytes) else url
            for host in GOOGLE_HOSTS:
                if url.startswith(host):
                    url = base + url[len(host) :]
            return super().request(method, url, *args, **kwargs)

    session = ToFake() if credentials is None else ToFake(credentials)
    session.trust_env = False  # environment proxies must not capture calls to this machine
    return session


class Running(NamedTuple):
    """A served fake: its base URL (`http://127.0.0.1:PORT`) and its state."""

    url: str
    fake: FakeSheets

    def session(self, credentials: Any = None) -> requests.Session:
        """A session reaching this fake (see `session_for`)."""
        return session_for(self.url, credentials)


@contextlib.contextmanager
def serve_fake(fake: FakeSheets | None = None, port: int = 0) -> Iterator[Running]:
    """Serve a fake on 127.0.0.1 (an ephemeral port by default) for the `with` block."""
    server = _Server(fake or FakeSheets(), port)
    thread = threading.Thread(
        target=server.serve_forever, args=(0.01,), name="fake-sheets", daemon=True
    )
    thread.start()
    try:
        yield Running(f"http://127.0.0.1:{server.server_address[1]}", server.fake)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class SpreadsheetCalls:
    """Plain HTTP calls on one new spreadsheet of a served fake, for tests of the fake itself
    (the sync's tests go through gspread instead)."""

    def __init__(self, served: Running, session: requests.Session) -> None:
        self.fake = served.fake
        self.url = served.url
        self.sid = served.fake.create_spreadsheet("Test")
        self.base = f"{served.url}/v4/spreadsheets/{self.sid}"
        self.session = session

    def call(self, method: str, path: str, body: Any = None, **params: Any) -> tuple[int, Any]:
        """(status, JSON answer) of one call on the spreadsheet (`path` after its id)."""
        answer = self.session.request(
            method, self.base + path, json=body, params=params or None, timeout=5
        )
        return answer.status_code, answer.json() if answer.content else None

    def ok(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        """The answer of a call that must succeed."""
        status, answer = self.call(method, path, body, **params)
        if status != 200:
            raise AssertionError(f"{method} {path}: {status} {answer}")
        return answer

    def put(self, a1: str, values: list[list[Any]], option: str = "RAW") -> dict[str, Any]:
        path = "/values/" + quote(a1, safe="")
        return self.ok("PUT", path, {"values": values}, valueInputOption=option)

    def get(self, a1: str, **params: Any) -> dict[str, Any]:
        return self.ok("GET", "/values/" + quote(a1, safe=""), **params)

    def batch(self, *requests_: dict[str, Any]) -> tuple[int, Any]:
        """A spreadsheets.batchUpdate of these requests: (status, answer)."""
        return self.call("POST", ":batchUpdate", {"requests": list(requests_)})
