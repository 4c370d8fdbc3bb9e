"""Google Sheets as a workbook: `stockout refresh gsheet:<spreadsheet id or URL>`.

A refresh must not cost an API call per SKU or per tab: Google allows 60 reads and 60 writes a
minute per user. So a refresh costs three calls whatever its size: the spreadsheet metadata,
one `values:batchGet` for every tab it reads (as formulas, so a user's formulas are kept) and
one `values:batchUpdate` for every tab it writes (as typed: a user's formula stays a formula,
every text goes behind an apostrophe, so a title starting with `=` stays text). A sheet with
formulas in it costs one more `batchGet`, of the tabs holding them, for their values. One more
`batchUpdate` happens only when an output tab is missing or has outgrown its grid; the formats
(date columns, bold frozen header, alert colours) ride along in that call, so they cost nothing
on ordinary refreshes. When the rows of an output tab move (SKUs re-ranked, drafts dropped),
formulas on the other tabs that read them are carried along in the same write; the tabs the
refresh did not read (a Summary of the user's) then cost one more `batchGet`.

Credentials come from the environment only: `STOCKOUT_GOOGLE_CREDENTIALS` (a path to, or the
JSON of, a service-account key or an OAuth authorized-user file) or
`GOOGLE_APPLICATION_CREDENTIALS` (a service-account key file). The `session=` option replaces
the HTTP session (the tests pass one reaching the local fake in `stockout_testing.fake_sheets`).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import random
import re
import time
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from addin.references import translate
from sheets_sync.backends.gsheets_formats import (
    add_sheet,
    fixed_styles,
    number_formats,
    presentation,
    resize,
)
from sheets_sync.deadline import DeadlineExceeded, within
from sheets_sync.references import Moves, carry_grids
from sheets_sync.types import Formula, Grid, Place, Tab, Target, TargetError

if TYPE_CHECKING:  # gspread and requests load on the first use: parsing a target needs neither
    import requests
    from gspread.exceptions import APIError

SCOPES = ["https://www.googleapis.com/auth/spreadsheets"]
EPOCH = dt.datetime(1899, 12, 30)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: Seconds one call may take in all, its retries and their pauses included: `timeout` bounds
#: each read only, and a connection that answers a byte at a time must not hold a refresh.
DEADLINE = 180.0


T = TypeVar("T")

_SHEET_URL = re.compile(r"(https?://)?docs\.google\.com/spreadsheets/", re.IGNORECASE)


def spreadsheet_id(text: str) -> str:
    """The id in `1AbC...` or `https://docs.google.com/spreadsheets/d/1AbC.../edit#gid=0`."""
    text = text.strip()
    match = re.search(r"/spreadsheets/d/([A-Za-z0-9_-]+)", text)
    if match:
        return match.group(1)
    if re.fullmatch(r"[A-Za-z0-9_-]{10,}", text):
        return text
    raise TargetError(
        f"'{text}' is not a Google Sheets id or URL. Use gsheet:<id>, where <id> is the part "
        "of the sheet's address between /d/ and /edit."
    )


def _sheet_address(text: str) -> bool:
    """A browser address pasted as it is, without `gsheet:`."""
    return bool(_SHEET_URL.match(text.strip()))


def to_serial(value: dt.date | dt.datetime) -> float:
    """A date or datetime as a spreadsheet serial number (days since 1899-12-30)."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    delta = value.replace(tzinfo=None) - EPOCH
    return delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6


def _quote(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def _sheet_cell(value: Any) -> Any:
    """A cell as JSON for RAW input: dates become serials, blanks clear the cell."""
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()  # numpy scalars
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.date):
        try:
            return to_serial(value)
        except (TypeError, ValueError, OverflowError):  # NaT and other non-dates
            return ""
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() else ""
    return str(value)


def _typed_cell(value: Any) -> Any:
    """A cell as typed into the sheet (USER_ENTERED): a `Formula` as itself, so it stays a
    formula; every other text behind an apostrophe, so it stays exactly that text (never a
    formula, number or date); numbers and booleans as JSON, which is never parsed."""
    if isinstance(value, Formula):
        return str(value)
    cell = _sheet_cell(value)
    return "'" + cell if isinstance(cell, str) and cell else cell


def _read_cell(value: Any) -> Any:
    return None if value == "" else value


def _looks_like_formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("=")


def _with_formulas(grid: Grid, values: list[list[Any]]) -> Grid:
    """GRID (read as formulas) with each formula a `Formula` holding its value from VALUES;
    a text that reads the same both ways is text that starts with `=`, not a formula."""
    for r, row in enumerate(grid):
        for c, text in enumerate(row):
            if not _looks_like_formula(text):
                continue
            value = values[r][c] if r < len(values) and c < len(values[r]) else ""
            if value != text:
                formula = Formula(text)
                formula.cached = _read_cell(value)
                row[c] = formula
    return grid


def _load_credentials(source: str | None) -> tuple[Any, str | None]:
    """Credentials (a path or JSON text, else the environment) and the service-account e-mail."""
    source = (
        source
        or os.environ.get("STOCKOUT_GOOGLE_CREDENTIALS")
        or os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    )
    if not source:
        raise TargetError(
            "No Google credentials. Set STOCKOUT_GOOGLE_CREDENTIALS (or "
            "GOOGLE_APPLICATION_CREDENTIALS) to a service-account key file, then share the "
            "sheet with the service account's e-mail address."
        )
    text = source
    if not source.lstrip().startswith("{"):
        try:
            text = Path(source).expanduser().read_text(encoding="utf-8")
        except OSError as error:
            raise TargetError(
                f"Cannot read the Google credentials file {source}: {error.strerror}."
            ) from None
    try:
        info = json.loads(text)
    except ValueError:
        raise TargetError(
            "The Google credentials are not valid JSON: use the key file downloaded from the "
            "Google Cloud console as is."
        ) from None
    kind = info.get("type") if isinstance(info, dict) else None
    try:
        if kind == "service_account":
            from google.oauth2.service_account import Credentials as ServiceAccount

            account = ServiceAccount.from_service_account_info(info, scopes=SCOPES)
            return account, info.get("client_email")
        if kind == "authorized_user":
            from google.oauth2.credentials import Credentials as UserCredentials

            return UserCredentials.from_authorized_user_info(info, scopes=SCOPES), None
    except (ValueError, KeyError) as error:
        raise TargetError(f"The Google credentials are incomplete ({error}).") from None
    raise TargetError(
        "The Google credentials must be a service-account key (type service_account) or an "
        f"OAuth authorized-user file (type authorized_user), not {kind or 'unknown'}."
    )


class GoogleSheetsBackend:
    """A Google spreadsheet, read in one batch and written in one batch."""

    def __init__(
        self,
        spreadsheet: str,
        *,
        credentials: str | None = None,
        session: requests.Session | None = None,
        timeout: float = 60.0,
        deadline: float | None = None,
        tries: int = 5,
        sleep: Callable[[float], None] = time.sleep,
        **_other_backends_options: Any,
    ) -> None:
        """Open `spreadsheet` (an id or URL); no call is made before the first read or write.

        `credentials` (a path or JSON text) overrides the environment variables. `session`
        replaces the HTTP session gspread talks through (the tests' one reaches a local Sheets
        API fake); it signs its own requests, so the environment's credentials are then not read,
        and explicit `credentials` only name the account in messages. `tries` caps the attempts
        of each call on 429/5xx/network errors, `deadline` (seconds, default `DEADLINE`) the
        time each call takes in all; `sleep` is there for tests.
        """
        self.id = spreadsheet_id(spreadsheet)
        self.label = f"Google Sheet {self.id}"
        self.target = Target(PLACE, self.id)
        self.tries = max(1, tries)
        self.deadline = DEADLINE if deadline is None else deadline
        self._sleep = sleep
        self._account: str | None = None
        import gspread

        if session is None:
            signed_in, self._account = _load_credentials(credentials)
            client = gspread.Client(auth=signed_in)
        else:
            self._account = _load_credentials(credentials)[1] if credentials else None
            client = gspread.Client(auth=None, session=session)  # type: ignore[arg-type]
        client.set_timeout(timeout)
        self._http = client.http_client
        self._sheets: dict[str, dict[str, Any]] | None = None  # lower-case title -> properties
        self._extents: dict[str, tuple[int, int]] = {}  # title -> (rows, columns) last read
        self._formulas: dict[str, Grid] = {}  # title -> the grid last read, formulas and all
        self._named: list[dict[str, Any]] = []  # the named ranges, from the metadata

    # -- the Backend protocol -----------------------------------------------------------------

    def read(self, tabs: Sequence[str]) -> dict[str, Grid | None]:
        sheets = self._metadata()
        titles = {name: sheets[name.lower()]["title"] for name in tabs if name.lower() in sheets}
        found: dict[str, Grid] = {}
        wanted = list(dict.fromkeys(titles.values()))
        if wanted:
            for title, rows in zip(wanted, self._values(wanted, "FORMULA"), strict=False):
                width = max((len(row) for row in rows), default=0)
                self._extents[title] = (len(rows), width)
                found[title] = [
                    [_read_cell(v) for v in row] + [None] * (width - len(row)) for row in rows
                ]
            # Formulas come back as their text; their values (and whether a text that starts
            # with `=` is a formula at all) take one more read, made only when there are any.
            typed = [t for t in wanted if any(_looks_like_formula(v) for r in found[t] for v in r)]
            for title, rows in zip(typed, self._values(typed, "UNFORMATTED_VALUE"), strict=False):
                found[title] = _with_formulas(found[title], rows)
            for title in wanted:  # what formulas the tab held, should rows they read move
                has = title in typed
                self._formulas[title] = [list(row) for row in found[title]] if has else []
        return {name: found.get(titles[name]) if name in titles else None for name in tabs}

    def tab_names(self) -> list[str]:
        return [sheet["title"] for sheet in self._metadata().values()]

    def _values(self, titles: list[str], render: str) -> list[list[list[Any]]]:
        """Every cell of the tabs TITLES in one `values:batchGet` call (none if no tabs)."""
        if not titles:
            return []
        answer = self._call(
            "read the sheet",
            self._http.values_batch_get,
            self.id,
            [_quote(title) for title in titles],
            params={
                "valueRenderOption": render,
                "dateTimeRenderOption": "SERIAL_NUMBER",
                "majorDimension": "ROWS",
            },
        )
        return [value_range.get("values", []) for value_range in answer.get("valueRanges", [])]

    def write(self, tabs: Mapping[str, Tab]) -> None:
        from gspread.utils import rowcol_to_a1

        sheets = self._metadata()
        structure: list[dict[str, Any]] = []
        styles: list[dict[str, Any]] = []
        data = []
        sizes = {}
        grown: dict[str, dict[str, int]] = {}
        moved: dict[str, Moves] = {}
        for tab in tabs.values():
            rows = [list(tab.header), *(list(row) for row in tab.rows)]
            height, width = len(rows), max(len(row) for row in rows)
            existing = sheets.get(tab.name.lower())
            if existing is None:
                title, sheet_id = tab.name, self._new_sheet_id()
                structure.append(add_sheet(tab, sheet_id, height, width))
                old_height, old_width = 0, 0
                styles += fixed_styles(tab, sheet_id)
                styles += presentation(tab, sheet_id)
                styles += number_formats(tab, sheet_id)
            else:
                title, sheet_id = existing["title"], existing["sheetId"]
                grid = existing["gridProperties"]
                old_height, old_width = self._extents.get(
                    title, (grid["rowCount"], grid["columnCount"])
                )
                if height > grid["rowCount"] or width > grid["columnCount"]:
                    larger = resize(existing, height, width)
                    structure.append(larger)
                    grown[title] = larger["updateSheetProperties"]["properties"]["gridProperties"]
                    # Only the rows the grid gains get the column formats: the seller's own
                    # formatting of the rows that exist is never reset.
                    styles += number_formats(tab, sheet_id, grid["rowCount"])
            # Blanks over what the tab held before clear leftover rows in the same call.
            full_height, full_width = max(height, old_height), max(width, old_width, 1)
            values = [
                [_typed_cell(v) for v in row] + [""] * (full_width - len(row)) for row in rows
            ]
            values += [[""] * full_width for _ in range(full_height - height)]
            corner = rowcol_to_a1(full_height, full_width)
            data.append({"range": f"{_quote(title)}!A1:{corner}", "values": values})
            sizes[title] = (height, width)
            if existing is not None:
                moves = Moves.of(tab, (old_height, old_width))
                if moves is not None and not moves.identity:
                    moved[title] = moves
        data += self._carried_elsewhere(moved, written={t.name.lower() for t in tabs.values()})
        names = self._carried_names(moved)
        if structure or names:
            answer = self._call(
                "add the missing tabs",
                self._http.batch_update,
                self.id,
                {"requests": structure + styles + names},
            )
            self._remember(answer.get("replies", []))
            for title, grid in grown.items():
                sheets[title.lower()]["gridProperties"].update(grid)
        if data:
            self._call(
                "write the sheet",
                self._http.values_batch_update,
                self.id,
                {"valueInputOption": "USER_ENTERED", "data": data},
            )
        self._extents.update(sizes)

    def _carried_elsewhere(self, moved: Mapping[str, Moves], written: set[str]) -> list[dict]:
        """One-cell updates for the formulas on the tabs not WRITTEN that refer to a MOVED tab
        (`sheets_sync.references`). Tabs this backend read already cost nothing; the others
        are read in one more call, made only when rows of an output tab moved."""
        from gspread.utils import rowcol_to_a1

        if not moved:
            return []
        titles = [
            s["title"] for s in self._metadata().values() if s["title"].lower() not in written
        ]
        unread = [title for title in titles if title not in self._formulas]
        if unread:
            self.read(unread)
        grids = {title: self._formulas.get(title, []) for title in titles}
        return [
            {"range": f"{_quote(title)}!{rowcol_to_a1(r, c)}", "values": [[str(formula)]]}
            for (title, r, c), formula in carry_grids(grids, moved).items()
        ]

    def _carried_names(self, moved: Mapping[str, Moves]) -> list[dict]:
        """updateNamedRange requests for the named ranges on a MOVED tab, translated like its
        formulas (a name over the whole Alerts table keeps covering it); Google moves them
        only when rows are inserted or deleted, and a refresh rewrites values in place. A
        name whose rows are all gone is left as it was."""
        from gspread.utils import a1_range_to_grid_range

        titles = {s["sheetId"]: s["title"] for s in self._metadata().values()}
        requests = []
        for named in self._named:
            grid = named.get("range") or {}
            title = titles.get(grid.get("sheetId", 0))
            text = _grid_a1(grid)
            if title is None or title not in moved or text is None:
                continue
            new = translate(text, moved[title], title)
            if new != text and "#REF!" not in new:
                range_ = a1_range_to_grid_range(new, grid.get("sheetId", 0))
                requests.append({"updateNamedRange": {
                    "namedRange": {"namedRangeId": named["namedRangeId"], "range": range_},
                    "fields": "range",
                }})  # fmt: skip
        return requests

    # -- structure (its requests: gsheets_formats) -------------------------------------------

    def _new_sheet_id(self) -> int:
        taken = {props["sheetId"] for props in (self._sheets or {}).values()}
        while (sheet_id := random.randrange(1, 2**31 - 1)) in taken:
            pass
        return sheet_id

    # -- calls --------------------------------------------------------------------------------

    def _metadata(self) -> dict[str, dict[str, Any]]:
        if self._sheets is None:
            answer = self._call(
                "open the sheet",
                self._http.fetch_sheet_metadata,
                self.id,
                params={
                    "includeGridData": "false",
                    "fields": "properties.title,sheets.properties(sheetId,title,index,"
                    "gridProperties(rowCount,columnCount)),namedRanges",
                },
            )
            self._named = list(answer.get("namedRanges", []))
            self.label = f"Google Sheet '{answer.get('properties', {}).get('title', self.id)}'"
            self._sheets = {}
            self._remember([{"addSheet": s} for s in answer.get("sheets", [])])
        return self._sheets

    def _remember(self, replies: Sequence[Mapping[str, Any]]) -> None:
        """Keep sheet properties from metadata or from addSheet/resize replies."""
        assert self._sheets is not None
        for reply in replies:
            props = (reply.get("addSheet") or {}).get("properties")
            if props:
                self._sheets[props["title"].lower()] = dict(props)

    def _call(self, doing: str, method: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call the API, retrying 429/5xx and network errors with capped exponential backoff,
        all within `deadline` seconds (a retry whose pause would end past it is not made)."""
        import requests
        from google.auth.exceptions import GoogleAuthError
        from gspread.exceptions import APIError

        end = time.monotonic() + self.deadline
        for attempt in range(1, self.tries + 1):
            pause = min(32.0, 2.0 ** (attempt - 1)) * random.uniform(1.0, 1.5)
            try:
                return within(end - time.monotonic(), method, *args, **kwargs)
            except DeadlineExceeded:
                raise TargetError(
                    f"Google Sheets did not finish answering within {self.deadline:g} s when "
                    f"asked to {doing}; check the network connection and try again."
                ) from None
            except APIError as error:
                status = error.response.status_code
                pause = max(pause, _retry_after(error.response) or 0.0)
                last = attempt == self.tries or time.monotonic() + pause >= end
                if status not in RETRY_STATUSES or last:
                    raise self._explain(error, doing, attempt) from None
            except requests.RequestException as error:
                if attempt == self.tries or time.monotonic() + pause >= end:
                    raise TargetError(
                        f"Cannot reach Google Sheets to {doing} ({type(error).__name__}) after "
                        f"{attempt} tries. Check the network connection and try again."
                    ) from None
            except GoogleAuthError as error:
                raise TargetError(f"Google refused the credentials: {error}") from None
            self._sleep(pause)
        raise AssertionError("unreachable")

    def _explain(self, error: APIError, doing: str, attempt: int) -> TargetError:
        status = error.response.status_code
        message = str(error.error.get("message", "")).strip()
        if status == 403 and ("has not been used" in message or "disabled" in message):
            return TargetError(
                f"The Google Sheets API is not enabled for these credentials' project: {message}"
            )
        if status == 403:
            who = (
                f"the service account {self._account}"
                if self._account
                else "the Google account the credentials belong to"
            )
            return TargetError(
                f"No access to Google Sheet {self.id}. Open the sheet, click Share and add "
                f"{who} as an Editor, then try again."
            )
        if status == 404:
            return TargetError(
                f"Google Sheets has no spreadsheet with id {self.id}. Check the id (the part of "
                "the sheet's address between /d/ and /edit)."
            )
        if status == 429:
            return TargetError(
                f"Google Sheets quota exceeded: still refused after {attempt} tries to {doing}. "
                "Google allows 60 reads and 60 writes per minute per user (300 per project); "
                "wait a minute and run the refresh again."
            )
        if status == 401:
            return TargetError(f"Google rejected the credentials (401): {message}")
        if status >= 500:
            return TargetError(
                f"Google Sheets failed to {doing} (HTTP {status}) {attempt} times in a row; "
                "try again in a few minutes."
            )
        return TargetError(f"Google Sheets refused to {doing} (HTTP {status}): {message}")


#: `gsheet:<id or URL>` (or the sheet's address as it is): the store in the data folder.
PLACE = Place(
    kind="gsheet",
    backend=GoogleSheetsBackend,
    key=spreadsheet_id,
    claims=_sheet_address,
    home="gsheets",
)


def _retry_after(response: requests.Response) -> float | None:
    try:
        return min(60.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None


def _grid_a1(grid: Mapping[str, Any]) -> str | None:
    """A GridRange as A1 on its own tab (`C2:C49`, `C:E`, `2:5`); None for a range open at one
    end only or the whole tab. Google leaves out indexes that are 0."""
    from gspread.utils import rowcol_to_a1

    rows, columns = "endRowIndex" in grid, "endColumnIndex" in grid
    top, left = grid.get("startRowIndex", 0) + 1, grid.get("startColumnIndex", 0) + 1
    if rows and columns:
        start, end = (
            rowcol_to_a1(top, left),
            rowcol_to_a1(grid["endRowIndex"], grid["endColumnIndex"]),
        )
        return start if start == end else f"{start}:{end}"
    if rows and "startColumnIndex" not in grid:
        return f"{top}:{grid['endRowIndex']}"
    if columns and "startRowIndex" not in grid:
        return f"{rowcol_to_a1(1, left)[:-1]}:{rowcol_to_a1(1, grid['endColumnIndex'])[:-1]}"
    return None
