"""`FakeSheets`: in-memory spreadsheets behind the Sheets v4 / Drive v3 endpoints gspread calls.

It routes each HTTP request to the endpoint that answers it (`values_api`, `batch_update`, the
spreadsheet and Drive file calls here), counts calls per API method (to hold a refresh to its
call budget), can be told to fail the next requests (429, 5xx, 403) so retry logic can be
tested without waiting for Google, and offers helpers that tests use to set up and inspect
spreadsheets.
"""

from __future__ import annotations

import collections
import copy
import csv
import datetime as dt
import io
import json
import re
import threading
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from sheets_sync.backends.gsheets import to_serial

from . import batch_update, grid_data, values_api
from .a1 import cell_position, column_letters
from .errors import INJECTED_MESSAGES, ApiError
from .fields import apply_mask, parse_mask
from .model import DEFAULT_COLUMNS, DEFAULT_ROWS, Area, Sheet, Spreadsheet, inside

_SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
#: (HTTP method, path pattern, API method name); the groups are the path's arguments.
_ROUTES: Sequence[tuple[str, re.Pattern[str], str]] = [
    ("POST", re.compile(r"/v4/spreadsheets"), "spreadsheets.create"),
    ("GET", re.compile(r"/v4/spreadsheets/([^/:]+)"), "spreadsheets.get"),
    ("POST", re.compile(r"/v4/spreadsheets/([^/:]+):batchUpdate"), "spreadsheets.batchUpdate"),
    ("GET", re.compile(r"/v4/spreadsheets/([^/:]+)/values:batchGet"), "values.batchGet"),
    ("POST", re.compile(r"/v4/spreadsheets/([^/:]+)/values:batchUpdate"), "values.batchUpdate"),
    ("POST", re.compile(r"/v4/spreadsheets/([^/:]+)/values:batchClear"), "values.batchClear"),
    ("POST", re.compile(r"/v4/spreadsheets/([^/:]+)/values/(.+):append"), "values.append"),
    ("POST", re.compile(r"/v4/spreadsheets/([^/:]+)/values/(.+):clear"), "values.clear"),
    ("GET", re.compile(r"/v4/spreadsheets/([^/:]+)/values/(.+)"), "values.get"),
    ("PUT", re.compile(r"/v4/spreadsheets/([^/:]+)/values/(.+)"), "values.update"),
    ("POST", re.compile(r"/drive/v3/files"), "drive.files.create"),
    ("GET", re.compile(r"/drive/v3/files/([^/]+)"), "drive.files.get"),
    ("DELETE", re.compile(r"/drive/v3/files/([^/]+)"), "drive.files.delete"),
    ("POST", re.compile(r"/drive/v3/files/([^/]+)/copy"), "drive.files.copy"),
    ("GET", re.compile(r"/drive/v3/files/([^/]+)/export"), "drive.files.export"),
    ("GET", re.compile(r"/drive/v3/files/([^/]+)/comments"), "drive.comments.list"),
]
#: Endpoints on one spreadsheet: (spreadsheet, *path arguments, params, body) -> answer.
_ON_SPREADSHEET: dict[str, Callable[..., Any]] = {
    "values.get": values_api.get,
    "values.batchGet": values_api.batch_get,
    "values.update": values_api.update,
    "values.batchUpdate": values_api.batch_update,
    "values.append": values_api.append,
    "values.clear": values_api.clear,
    "values.batchClear": values_api.batch_clear,
}


class Export(NamedTuple):
    """An answer that is a file rather than JSON (Drive's export)."""

    content_type: str
    data: bytes


class FakeSheets:
    """In-memory spreadsheets behind the Sheets v4 / Drive v3 endpoints gspread calls.

    Thread-safe: every request runs under one lock. `calls` counts requests per API method
    (failed and injected ones included, as Google's quota would); `fail_next` queues failures.
    """

    def __init__(self) -> None:
        self.spreadsheets: dict[str, Spreadsheet] = {}
        #: Spreadsheets that exist but are not shared with the caller (403 rather than 404).
        self.private: set[str] = set()
        self.calls: collections.Counter[str] = collections.Counter()
        self.log: list[tuple[str, str]] = []
        self._failures: collections.deque[int] = collections.deque()
        #: When set, API calls need a bearer token issued by this fake's `/token` endpoint.
        self.require_auth = False
        self.tokens: set[str] = set()
        #: The caller's account, named where Google names it (editors of protected ranges).
        self.account = "stockout-test@stockout-fake.iam.gserviceaccount.com"
        self._lock = threading.RLock()

    # -- helpers for tests and demos ----------------------------------------------------------

    def create_spreadsheet(
        self,
        title: str = "Untitled spreadsheet",
        tabs: Mapping[str, Sequence[Sequence[Any]]] | None = None,
        spreadsheet_id: str | None = None,
    ) -> str:
        """Make a spreadsheet with the given tabs and values (RAW; dates become dated serials).

        Without tabs it has one empty `Sheet1`, as a new Google spreadsheet does.
        """
        with self._lock:
            book = self._create(title, spreadsheet_id)
            if tabs:
                book.sheets.clear()
                for index, (name, rows) in enumerate(tabs.items()):
                    needed_rows = max(DEFAULT_ROWS, len(rows))
                    needed_cols = max([DEFAULT_COLUMNS, *(len(r) for r in rows)])
                    sheet = book.new_sheet(name, index, needed_rows, needed_cols)
                    sheet.props["sheetId"] = 0 if index == 0 else sheet.sheet_id
                    book.sheets.append(sheet)
                    values = [
                        [self._plain(sheet, i, j, v) for j, v in enumerate(r)]
                        for i, r in enumerate(rows)
                    ]
                    sheet.write(0, 0, values, "RAW", None, None)
            return book.id

    @staticmethod
    def _plain(sheet: Sheet, row: int, col: int, value: Any) -> Any:
        """A Python value as the API carries it: dates as serials in a date-formatted cell."""
        if isinstance(value, dt.date):
            kind = "DATE_TIME" if isinstance(value, dt.datetime) else "DATE"
            pattern = "yyyy-mm-dd H:mm:ss" if kind == "DATE_TIME" else "yyyy-mm-dd"
            sheet.set_format(row, col, row + 1, col + 1, {"type": kind, "pattern": pattern})
            return to_serial(value)
        return value

    def _tab(self, spreadsheet_id: str, tab: str) -> Sheet:
        return self.spreadsheets[spreadsheet_id].sheet_by_title(tab)

    def values(self, spreadsheet_id: str, tab: str) -> list[list[Any]]:
        """A tab's values as the API would return them UNFORMATTED (for assertions)."""
        with self._lock:
            sheet = self._tab(spreadsheet_id, tab)
            area = Area(sheet, 0, 0, sheet.rows - 1, sheet.columns - 1)
            return sheet.read(area, "ROWS", "UNFORMATTED_VALUE", "SERIAL_NUMBER")

    def titles(self, spreadsheet_id: str) -> list[str]:
        with self._lock:
            return [s.title for s in self.spreadsheets[spreadsheet_id].ordered()]

    def number_format(self, spreadsheet_id: str, tab: str, cell: str) -> dict[str, str] | None:
        """The number format of one cell (`B2`), to check that dates got a date format."""
        with self._lock:
            return self._tab(spreadsheet_id, tab).number_format(*cell_position(cell))

    def metadata(self, spreadsheet_id: str) -> dict[str, Any]:
        """What `spreadsheets.get` answers (properties, conditional formats, filters)."""
        with self._lock:
            return self.spreadsheets[spreadsheet_id].metadata()

    def notes(self, spreadsheet_id: str, tab: str) -> dict[str, str]:
        """A1 cell -> note."""
        with self._lock:
            sheet = self._tab(spreadsheet_id, tab)
            return {f"{column_letters(c)}{r + 1}": n for (r, c), n in sorted(sheet.notes.items())}

    def validation(self, spreadsheet_id: str, tab: str, cell: str) -> dict[str, Any] | None:
        """The data validation rule of one cell (the last one set over it), or None."""
        with self._lock:
            found = None
            row, col = cell_position(cell)
            for r1, c1, r2, c2, rule in self._tab(spreadsheet_id, tab).validations:
                if inside(row, col, r1, c1, r2, c2):
                    found = rule
            return found or None

    def style(self, spreadsheet_id: str, tab: str, cell: str) -> dict[str, Any]:
        """Wrapping and alignment set on one cell, merged in the order they were set."""
        with self._lock:
            row, col = cell_position(cell)
            merged: dict[str, Any] = {}
            for r1, c1, r2, c2, style in self._tab(spreadsheet_id, tab).styles:
                if inside(row, col, r1, c1, r2, c2):
                    merged.update(style)
            return merged

    def pixel_size(self, spreadsheet_id: str, tab: str, dimension: str, index: int) -> int | None:
        with self._lock:
            return self._tab(spreadsheet_id, tab).pixel_sizes.get((dimension, index))

    def fail_next(self, status: int, times: int = 1) -> None:
        """Answer the next `times` requests with `status` and Google's error body for it."""
        with self._lock:
            self._failures.extend([status] * times)

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    def reset_calls(self) -> None:
        with self._lock:
            self.calls.clear()
            self.log.clear()

    # -- HTTP entry point ---------------------------------------------------------------------

    def handle(
        self, method: str, target: str, body: bytes, authorization: str | None = None
    ) -> tuple[int, Any]:
        """Answer one request: (status, JSON-able body or None for an empty 204)."""
        raw_path, _, query = target.partition("?")
        params = urllib.parse.parse_qs(query, keep_blank_values=True)
        with self._lock:
            if method == "POST" and raw_path == "/token":
                return 200, self._issue_token()
            try:
                route, args = self._route(method, raw_path)
            except ApiError as error:
                return error.code, error.body()
            if (
                self.require_auth
                and (authorization or "").removeprefix("Bearer ") not in self.tokens
            ):
                return 401, ApiError(
                    401,
                    "Request is missing required authentication "
                    "credential. Expected OAuth 2 access token.",
                ).body()
            self.calls[route] += 1
            self.log.append((route, urllib.parse.unquote(target)))
            if self._failures:
                code = self._failures.popleft()
                return code, ApiError(code, INJECTED_MESSAGES.get(code, "Error")).body()
            try:
                payload = json.loads(body) if body.strip() else {}
                if not isinstance(payload, dict):
                    raise ApiError(400, "Invalid JSON payload received. Expected an object.")
            except json.JSONDecodeError as error:
                return 400, ApiError(400, f"Invalid JSON payload received. {error}").body()
            try:
                if route in _ON_SPREADSHEET:
                    book = self._book(args[0])
                    return 200, _ON_SPREADSHEET[route](book, *args[1:], params, payload)
                handler = getattr(self, "_" + route.replace(".", "_"))
                return handler(*args, params=params, body=payload)
            except ApiError as error:
                return error.code, error.body()
            except Exception as error:  # a bug in the fake: answer like Google's 500, say why
                return 500, ApiError(500, f"Internal error in the fake: {error!r}").body()

    def _issue_token(self) -> dict[str, Any]:
        """OAuth token endpoint, so service-account and user credentials work end to end."""
        token = f"fake-token-{len(self.tokens) + 1}"
        self.tokens.add(token)
        return {"access_token": token, "expires_in": 3600, "token_type": "Bearer"}

    @staticmethod
    def _route(method: str, raw_path: str) -> tuple[str, list[str]]:
        for verb, pattern, name in _ROUTES:
            match = pattern.fullmatch(raw_path)
            if verb == method and match:
                return name, [urllib.parse.unquote(g) for g in match.groups()]
        raise ApiError(404, f"Method not found: {method} {raw_path}")

    def _book(self, spreadsheet_id: str) -> Spreadsheet:
        if spreadsheet_id in self.private:
            raise ApiError(403, "The caller does not have permission")
        book = self.spreadsheets.get(spreadsheet_id)
        if book is None:
            raise ApiError(404, "Requested entity was not found.")
        return book

    def _create(self, title: str, spreadsheet_id: str | None = None) -> Spreadsheet:
        book = Spreadsheet.new(title, spreadsheet_id, owner=self.account)
        self.spreadsheets[book.id] = book
        return book

    # -- spreadsheets -------------------------------------------------------------------------

    def _spreadsheets_create(self, *, params: Any, body: dict[str, Any]) -> tuple[int, Any]:
        title = (body.get("properties") or {}).get("title") or "Untitled spreadsheet"
        return 200, self._create(title).metadata()

    def _spreadsheets_get(self, sid: str, *, params: Any, body: Any) -> tuple[int, Any]:
        return 200, grid_data.spreadsheet(self._book(sid), params)

    def _spreadsheets_batchUpdate(
        self, sid: str, *, params: Any, body: dict[str, Any]
    ) -> tuple[int, Any]:
        book = self._book(sid)
        replies = batch_update.apply(book, body.get("requests"))
        return 200, {"spreadsheetId": book.id, "replies": replies}

    # -- Drive --------------------------------------------------------------------------------

    def _drive_files_create(self, *, params: Any, body: Any) -> tuple[int, Any]:
        mime = body.get("mimeType", "")
        if mime != _SPREADSHEET_MIME:
            raise ApiError(400, f"The fake only creates spreadsheets, not {mime or 'files'}.")
        book = self._create(body.get("name") or "Untitled spreadsheet")
        return 200, {
            "kind": "drive#file",
            "id": book.id,
            "name": book.props["title"],
            "mimeType": mime,
        }

    def _drive_file(self, file_id: str) -> Spreadsheet:
        if file_id in self.spreadsheets and file_id not in self.private:
            return self.spreadsheets[file_id]
        raise ApiError(404, f"File not found: {file_id}.")

    def _drive_files_get(self, file_id: str, *, params: Any, body: Any) -> tuple[int, Any]:
        book = self._drive_file(file_id)
        answer = {
            "kind": "drive#file",
            "id": book.id,
            "name": book.props["title"],
            "mimeType": _SPREADSHEET_MIME,
            "createdTime": book.created,
            "modifiedTime": book.modified,
        }
        if "fields" in params:
            answer = apply_mask(answer, parse_mask(params["fields"][0]))
        else:
            answer = {k: answer[k] for k in ("kind", "id", "name", "mimeType")}
        return 200, answer

    def _drive_files_delete(self, file_id: str, *, params: Any, body: Any) -> tuple[int, Any]:
        del self.spreadsheets[self._drive_file(file_id).id]
        return 204, None

    def _drive_files_copy(self, file_id: str, *, params: Any, body: Any) -> tuple[int, Any]:
        """A new spreadsheet with the same sheets and cells, named `Copy of ...` by default."""
        source = self._drive_file(file_id)
        book = self._create(body.get("name") or f"Copy of {source.props['title']}")
        book.props = copy.deepcopy(source.props) | {"title": book.props["title"]}
        book.sheets = [sheet.copy() for sheet in source.sheets]
        book.extras = copy.deepcopy(source.extras)
        answer = {"kind": "drive#file", "id": book.id, "name": book.props["title"]}
        return 200, answer | {"mimeType": _SPREADSHEET_MIME}

    def _drive_files_export(self, file_id: str, *, params: Any, body: Any) -> tuple[int, Any]:
        """The first sheet as CSV of its formatted values (the only export the fake makes)."""
        book = self._drive_file(file_id)
        wanted = (params.get("mimeType") or [""])[-1]
        if wanted != "text/csv":
            raise ApiError(400, f"The fake exports text/csv only, not {wanted or 'nothing'}.")
        sheet = book.ordered()[0]
        area = Area(sheet, 0, 0, sheet.rows - 1, sheet.columns - 1)
        rows = sheet.read(area, "ROWS", "FORMATTED_VALUE", "FORMATTED_STRING")
        width = max((len(row) for row in rows), default=0)
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows(
            row + [""] * (width - len(row)) for row in rows
        )
        return 200, Export("text/csv", out.getvalue().removesuffix("\r\n").encode())

    def _drive_comments_list(self, file_id: str, *, params: Any, body: Any) -> tuple[int, Any]:
        """The fake keeps no comments: an existing file has an empty list."""
        self._drive_file(file_id)
        return 200, {"comments": []}
