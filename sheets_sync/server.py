"""The refresh server behind the Google Sheets "Stockout > Refresh now" menu item.

Apps Script cannot run the plan (pandas, the history store, SP-API), so the menu POSTs the
spreadsheet id here and this server runs the same refresh as `stockout refresh gsheet:<id>`,
answering with the summary the menu shows as a toast.

The server is reachable from Google, hence from the whole internet, so it is deliberately small:
one bearer-token-protected endpoint, an optional allow-list of spreadsheets, no docs pages, and
nothing secret in the logs. Tokens come only from the environment (never from a file in the repo
or from the request), and are compared in constant time.
"""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import hmac
import json
import logging
import os
import re
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import anyio.to_thread
import click
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from addin import formulas
from sheets_sync.backends.gsheets import spreadsheet_id
from sheets_sync.exits import log_crash
from sheets_sync.help_texts import epilog
from sheets_sync.types import TargetError

log = logging.getLogger("stockout.server")

#: Names of the environment variables the server is configured by.
TOKENS_ENV = "STOCKOUT_SERVER_TOKENS"
ALLOWED_ENV = "STOCKOUT_ALLOWED_SHEETS"

#: A token shorter than this can be guessed by an attacker who can reach the server.
MIN_TOKEN_LENGTH = 16

BUSY_MESSAGE = "a refresh of this sheet is already running"
STILL_RUNNING_MESSAGE = (
    "the refresh takes longer than the button can wait; it goes on, and the tabs update when it "
    "is done"
)

#: The refresh request is a spreadsheet id and a date: anything bigger or deeper is refused
#: before it is parsed (413 / 400), so a 50 MB or deeply nested body costs the server nothing.
MAX_BODY_BYTES = 16 * 1024
MAX_JSON_DEPTH = 4
#: Query parameters that look like a credential: refused, since addresses end up in logs.
TOKEN_PARAMETERS = {"token", "access_token", "key", "api_key", "auth"}
TOKEN_IN_ADDRESS_MESSAGE = (
    "send the token in the Authorization header (Bearer), never in the address: addresses are "
    "written to logs"
)

#: Apps Script's UrlFetchApp gives up after 60 s, whatever the server does: answer before that.
ANSWER_WITHIN_SECONDS = 45.0

#: Signature of `sheets_sync.refresh.refresh` as far as the server uses it.
RefreshFn = Callable[..., Any]


class ConfigError(ValueError):
    """The server cannot start safely with this configuration (message says what to set)."""


class _BadRequest(Exception):
    """A request the server answers with an error status and a message for the sheet's user."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def config_from_env(environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """Read tokens and the allow-list from the environment as `create_app` keyword arguments."""
    allowed = _split(environ.get(ALLOWED_ENV))
    return {
        "tokens": _split(environ.get(TOKENS_ENV)),
        "allowed_sheets": allowed or None,
    }


def _default_refresh(*args: Any, **kwargs: Any) -> Any:
    # Imported on first use: the refresh pulls in pandas and the whole plan, which the server
    # module itself (and its tests with an injected refresh) do not need.
    from sheets_sync.refresh import refresh

    return refresh(*args, **kwargs)


def create_app(
    tokens: Iterable[str],
    *,
    allowed_sheets: Iterable[str] | None = None,
    refresh: RefreshFn = _default_refresh,
    answer_within: float = ANSWER_WITHIN_SECONDS,
) -> FastAPI:
    """Build the server app.

    TOKENS are the accepted bearer tokens (several, so one can be rotated without downtime).
    ALLOWED_SHEETS, when given, are the only spreadsheet ids or URLs that may be refreshed.
    REFRESH is called as `refresh("gsheet:<id>", as_of=date|None)` and must return an object with
    a JSON-serialisable `summary()`; tests inject a stand-in. A refresh still running after
    ANSWER_WITHIN seconds is answered with 202 and goes on in the background (the button's
    HTTP call would time out otherwise), still holding its sheet against a second refresh.

    Raises ConfigError when there is no usable token: an open refresh server would let anyone
    who finds the URL make the service account read and rewrite the sheets shared with it.
    """
    secrets = [token.encode() for token in tokens]
    if not secrets:
        raise ConfigError(
            f"no token configured: set {TOKENS_ENV} to one or more comma-separated tokens, e.g. "
            "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    if any(len(token) < MIN_TOKEN_LENGTH for token in secrets):
        raise ConfigError(f"every token in {TOKENS_ENV} needs at least {MIN_TOKEN_LENGTH} chars")
    # Sheets are keyed by id, so one sent as a URL is still the same sheet to the allow-list
    # and to the one-refresh-per-sheet rule.
    try:
        allowed = None if allowed_sheets is None else {spreadsheet_id(s) for s in allowed_sheets}
    except TargetError as exc:
        raise ConfigError(f"{ALLOWED_ENV}: {exc}") from exc

    # The refresh running per sheet. Only touched on the event loop thread, so checking and
    # claiming a sheet needs no lock; it also keeps background tasks from being collected.
    running: dict[str, asyncio.Task[dict[str, Any]]] = {}
    app = FastAPI(title="stockout refresh server", docs_url=None, redoc_url=None, openapi_url=None)

    def authorized(header: str | None) -> bool:
        scheme, _, offered = (header or "").partition(" ")
        if scheme.lower() != "bearer" or not offered:
            return False
        given = offered.strip().encode()
        # Check every token without stopping early so timing says nothing about which matched.
        matches = [hmac.compare_digest(given, token) for token in secrets]
        return any(matches)

    @app.exception_handler(_BadRequest)
    async def _answer(_request: Request, exc: _BadRequest) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return JSONResponse({"error": str(exc)}, status_code=exc.status, headers=headers)

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> JSONResponse:
        # Never a 500 without its reason on record: the traceback to the server log and to the
        # crash log; the caller learns only that it was the server's fault.
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        log_crash(None, exc, context=f"server {request.method} {request.url.path}")
        answer = {"error": f"the server failed ({type(exc).__name__}); see its log"}
        return JSONResponse(answer, status_code=500)

    @app.middleware("http")
    async def _no_token_in_address(request: Request, call_next: Callable[..., Any]) -> Any:
        if any(name.lower() in TOKEN_PARAMETERS for name in request.query_params):
            return JSONResponse({"error": TOKEN_IN_ADDRESS_MESSAGE}, status_code=400)
        return await call_next(request)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/check")
    async def check(request: Request, spreadsheet: str = "") -> dict[str, str]:
        """The menu's *Test connection*: is the token right, and is this sheet allowed?"""
        if not authorized(request.headers.get("authorization")):
            raise _BadRequest(401, "missing or wrong token")
        try:
            sheet = spreadsheet_id(spreadsheet) if spreadsheet else None
        except TargetError as exc:
            raise _BadRequest(400, str(exc)) from exc
        if allowed is not None and sheet is not None and sheet not in allowed:
            raise _BadRequest(403, "this server is not set up to refresh this spreadsheet")
        return {"status": "ok"}

    @app.post("/refresh")
    async def refresh_sheet(request: Request) -> JSONResponse:
        if not authorized(request.headers.get("authorization")):
            raise _BadRequest(401, "missing or wrong token")
        sheet, as_of = await _parse_body(request)
        if allowed is not None and sheet not in allowed:
            log.warning("refused refresh of sheet %s: not in %s", sheet, ALLOWED_ENV)
            raise _BadRequest(403, "this server is not set up to refresh this spreadsheet")
        if sheet in running:
            raise _BadRequest(409, BUSY_MESSAGE)
        task = asyncio.create_task(refresh_job(sheet, as_of))
        running[sheet] = task
        task.add_done_callback(lambda done: finished(sheet, done))
        done, _ = await asyncio.wait({task}, timeout=answer_within)
        if not done:
            log.info("refresh of sheet %s goes on in the background", sheet)
            return JSONResponse({"status": "running", "message": STILL_RUNNING_MESSAGE}, 202)
        return JSONResponse(task.result())

    def finished(sheet: str, task: asyncio.Task[dict[str, Any]]) -> None:
        running.pop(sheet, None)
        if not task.cancelled():
            task.exception()  # logged by refresh_job; fetched so asyncio does not warn again

    async def refresh_job(sheet: str, as_of: dt.date | None) -> dict[str, Any]:
        started = time.monotonic()
        log.info("refresh of sheet %s started (as_of=%s)", sheet, as_of or "sheet/today")
        try:
            # In a worker thread: a refresh blocks for seconds (API calls, pandas) and the
            # server must keep answering other sheets and /healthz meanwhile.
            result = await anyio.to_thread.run_sync(lambda: refresh(f"gsheet:{sheet}", as_of=as_of))
            summary = result.summary()
        except TargetError as exc:
            log.warning("refresh of sheet %s failed: %s", sheet, exc)
            raise _BadRequest(422, str(exc)) from exc
        except Exception as exc:
            log.exception("refresh of sheet %s crashed", sheet)
            log_crash(f"gsheet:{sheet}", exc, context=f"server refresh of sheet {sheet}")
            raise _BadRequest(
                500, f"the refresh failed on the server ({type(exc).__name__}); see its log"
            ) from exc
        log.info("refresh of sheet %s done in %.1fs", sheet, time.monotonic() - started)
        return summary

    return app


async def _read_body(request: Request) -> bytes:
    """The request body, refused with 413 past MAX_BODY_BYTES (declared or as it streams in)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _BadRequest(413, f"the request body is over {MAX_BODY_BYTES} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise _BadRequest(413, f"the request body is over {MAX_BODY_BYTES} bytes")
    return bytes(body)


def _json_depth(text: bytes) -> int:
    """How deeply a JSON text nests arrays and objects (strings skipped), without parsing it."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in text:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


async def _parse_body(request: Request) -> tuple[str, dt.date | None]:
    """Return (spreadsheet id, as_of) from `{"spreadsheet": ..., "as_of": "YYYY-MM-DD"}`."""
    raw_body = await _read_body(request)
    if _json_depth(raw_body) > MAX_JSON_DEPTH:
        raise _BadRequest(400, f"the JSON body nests deeper than {MAX_JSON_DEPTH} levels")
    try:
        body = json.loads(raw_body)
    except ValueError:
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("spreadsheet"), str):
        raise _BadRequest(400, 'expected a JSON body {"spreadsheet": "<id or URL>"}')
    try:
        sheet = spreadsheet_id(body["spreadsheet"])
    except TargetError as exc:
        raise _BadRequest(400, str(exc)) from exc
    raw = body.get("as_of")
    if raw in (None, ""):
        return sheet, None
    from sheets_sync.inputs import plan_date  # with pandas: only once a refresh is asked for

    try:
        if not isinstance(raw, str):
            raise TypeError(raw)
        return sheet, plan_date(dt.date.fromisoformat(raw), "as_of")
    except formulas.InputError as exc:
        raise _BadRequest(400, str(exc)) from exc
    except (TypeError, ValueError) as exc:
        raise _BadRequest(400, f"as_of must be a date YYYY-MM-DD, got {str(raw)[:40]!r}") from exc


@click.command("serve", epilog=epilog("serve"))
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8787, show_default=True, type=int, help="Port to listen on.")
def serve_command(host: str, port: int) -> None:
    """Run the refresh server for the Google Sheets "Stockout > Refresh now" button.

    Tokens come from STOCKOUT_SERVER_TOKENS (comma-separated); STOCKOUT_ALLOWED_SHEETS optionally
    limits which spreadsheets may be refreshed. Put it behind HTTPS (reverse proxy or tunnel).
    """
    try:
        run(host, port)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc


def run(host: str = "127.0.0.1", port: int = 8787) -> None:
    """Serve the app configured from the environment with uvicorn until interrupted.

    One process only: the one-refresh-per-sheet lock lives in this process's memory.
    Raises ConfigError before listening when the configuration is unsafe.
    """
    import uvicorn

    app = create_app(**config_from_env())
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger().handlers[0].addFilter(RedactSecrets())
    log.info("serving on http://%s:%d (put HTTPS in front before exposing it)", host, port)
    uvicorn.run(
        app, host=host, port=port, proxy_headers=True, log_level="info", log_config=log_config()
    )


class RedactSecrets(logging.Filter):
    """Masks credentials in a log line: `?token=abc` becomes `?token=***` (the access log
    writes every request's address, and a client may put a token there however often it is
    told not to), and a bearer token quoted in a message becomes `Bearer ***`."""

    _NAMES = "|".join(sorted(TOKEN_PARAMETERS))
    _QUERY = re.compile(rf"([?&](?:{_NAMES})=)[^&\s\"]*", re.I)
    _BEARER = re.compile(r"(Bearer\s+)\S+", re.I)

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(self.redact(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = self.redact(record.msg)
        return True

    def redact(self, text: str) -> str:
        return self._BEARER.sub(r"\1***", self._QUERY.sub(r"\1***", text))


def log_config() -> dict[str, Any]:
    """uvicorn's logging configuration with RedactSecrets on every handler."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact"] = {"()": RedactSecrets}
    for handler in config["handlers"].values():
        handler.setdefault("filters", []).append("redact")
    return config


__all__ = [
    "ALLOWED_ENV",
    "BUSY_MESSAGE",
    "STILL_RUNNING_MESSAGE",
    "TOKENS_ENV",
    "ConfigError",
    "config_from_env",
    "create_app",
    "run",
    "serve_command",
]
