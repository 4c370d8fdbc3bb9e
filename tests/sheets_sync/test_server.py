"""The refresh server, served for real by uvicorn on loopback and called over HTTP."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from click.testing import CliRunner

from sheets_sync.server import (
    MAX_BODY_BYTES,
    STILL_RUNNING_MESSAGE,
    TOKEN_IN_ADDRESS_MESSAGE,
    ConfigError,
    create_app,
    log_config,
    serve_command,
)
from sheets_sync.types import TargetError
from stockout_testing.asgi import asgi_client

TOKEN = "tok-" + "a" * 28
OTHER_TOKEN = "tok-" + "b" * 28
SHEET = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcd"
RUN_MENU = Path(__file__).resolve().parents[1] / "addin" / "google" / "run_menu.js"


@contextlib.contextmanager
def live(app: Any, log_config: dict | None = None) -> Iterator[str]:
    """Serve APP with uvicorn on an ephemeral loopback port; yield its base URL."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_config=log_config, log_level="info")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        threading.Event().wait(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(5)


class FakeResult:
    def __init__(self, target: str) -> None:
        self.target = target

    def summary(self) -> dict[str, Any]:
        return {"target": self.target, "skus": 3, "alerts": {"OUT": 1}, "problems": 0}


class Recorder:
    """A refresh stand-in that records its calls and can be held open to test overlap."""

    def __init__(self, error: Exception | None = None) -> None:
        self.calls: list[tuple[str, dt.date | None]] = []
        self.hold = threading.Event()
        self.hold.set()
        self.entered = threading.Event()
        self.error = error

    def __call__(self, target: str, *, as_of: dt.date | None = None) -> FakeResult:
        self.calls.append((target, as_of))
        self.entered.set()
        self.hold.wait(10)
        if self.error:
            raise self.error
        return FakeResult(target)


def post(server: str | httpx.Client, body: Any, token: str | None = TOKEN) -> httpx.Response:
    """POST /refresh to a live server (its base URL) or in-process (an ASGI client)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if isinstance(server, str):
        return httpx.post(f"{server}/refresh", json=body, headers=headers, timeout=10)
    return server.post("/refresh", json=body, headers=headers)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def client(recorder: Recorder) -> Iterator[httpx.Client]:
    """The app in-process over ASGI: no port, no uvicorn (those are the `base` tests')."""
    with asgi_client(create_app([OTHER_TOKEN, TOKEN], refresh=recorder)) as client:
        yield client


@pytest.fixture
def base(recorder: Recorder) -> Iterator[str]:
    with live(create_app([OTHER_TOKEN, TOKEN], refresh=recorder)) as url:
        yield url


def test_healthz_answers_without_a_token(client: httpx.Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_refresh_returns_the_summary_of_the_refresh_of_that_sheet(
    client: httpx.Client, recorder: Recorder
) -> None:
    response = post(client, {"spreadsheet": SHEET, "as_of": "2025-03-14"})
    assert response.status_code == 200, response.text
    assert response.json() == {
        "target": f"gsheet:{SHEET}",
        "skus": 3,
        "alerts": {"OUT": 1},
        "problems": 0,
    }
    assert recorder.calls == [(f"gsheet:{SHEET}", dt.date(2025, 3, 14))]


def test_a_sheet_url_is_refreshed_by_its_id_and_as_of_is_optional(
    client: httpx.Client, recorder: Recorder
) -> None:
    url = f"https://docs.google.com/spreadsheets/d/{SHEET}/edit#gid=0"
    assert post(client, {"spreadsheet": url}).status_code == 200
    assert recorder.calls == [(f"gsheet:{SHEET}", None)]


@pytest.mark.parametrize(
    "header",
    [None, "Bearer wrong-token-wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer"],
)
def test_refresh_without_the_right_token_is_refused(
    client: httpx.Client, recorder: Recorder, header: str | None
) -> None:
    headers = {"Authorization": header} if header else {}
    response = client.post("/refresh", json={"spreadsheet": SHEET}, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert recorder.calls == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, '{"spreadsheet": "<id or URL>"}'),
        ("not an object", '{"spreadsheet": "<id or URL>"}'),
        ({"spreadsheet": "has spaces/and;stuff"}, "is not a Google Sheets id or URL"),
        ({"spreadsheet": SHEET, "as_of": "14/03/2025"}, "as_of must be a date YYYY-MM-DD"),
    ],
)
def test_bad_bodies_get_a_readable_400(
    client: httpx.Client, recorder: Recorder, body: Any, message: str
) -> None:
    response = post(client, body)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert recorder.calls == []


def test_a_body_that_is_not_json_gets_a_400(client: httpx.Client) -> None:
    response = client.post(
        "/refresh", content=b"{oops", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert response.status_code == 400


def test_a_second_click_on_the_same_sheet_gets_409_while_others_proceed(
    base: str, recorder: Recorder
) -> None:
    recorder.hold.clear()
    first: dict[str, httpx.Response] = {}
    thread = threading.Thread(target=lambda: first.update(r=post(base, {"spreadsheet": SHEET})))
    thread.start()
    try:
        assert recorder.entered.wait(5)
        # The refresh blocks a worker thread, not the event loop: the server still answers.
        assert httpx.get(f"{base}/healthz").status_code == 200
        url = f"https://docs.google.com/spreadsheets/d/{SHEET}/edit"
        second = post(base, {"spreadsheet": url})
        assert second.status_code == 409
        assert second.json() == {"error": "a refresh of this sheet is already running"}
    finally:
        recorder.hold.set()
        thread.join(10)
    assert first["r"].status_code == 200
    # Once the first refresh has finished, the sheet can be refreshed again.
    assert post(base, {"spreadsheet": SHEET}).status_code == 200
    assert len(recorder.calls) == 2


def test_different_sheets_refresh_at_the_same_time(base: str, recorder: Recorder) -> None:
    recorder.hold.clear()
    results: list[int] = []
    threads = [
        threading.Thread(
            target=lambda s=s: results.append(post(base, {"spreadsheet": s}).status_code)
        )
        for s in ("sheet-AAAAAAAAAA", "sheet-BBBBBBBBBB")
    ]
    for thread in threads:
        thread.start()
    try:
        deadline = threading.Event()
        while len(recorder.calls) < 2 and not deadline.wait(0.01):
            pass
    finally:
        recorder.hold.set()
        for thread in threads:
            thread.join(10)
    assert sorted(results) == [200, 200]


def test_a_long_refresh_is_answered_202_and_finishes_in_the_background() -> None:
    recorder = Recorder()
    recorder.hold.clear()
    with live(create_app([TOKEN], refresh=recorder, answer_within=0.2)) as url:
        first = post(url, {"spreadsheet": SHEET})
        assert first.status_code == 202
        assert first.json() == {"status": "running", "message": STILL_RUNNING_MESSAGE}
        # Still running: the sheet stays claimed.
        assert post(url, {"spreadsheet": SHEET}).status_code == 409
        recorder.hold.set()
        deadline = threading.Event()
        status = 409
        while status == 409 and not deadline.wait(0.05):
            status = post(url, {"spreadsheet": SHEET}).status_code
        assert status == 200
    assert len(recorder.calls) == 2


def test_only_allowed_sheets_are_refreshed(recorder: Recorder) -> None:
    allowed = [f"https://docs.google.com/spreadsheets/d/{SHEET}/edit", "other-sheet-id"]
    with asgi_client(create_app([TOKEN], allowed_sheets=allowed, refresh=recorder)) as client:
        refused = post(client, {"spreadsheet": "not-allowed-sheet"})
        assert refused.status_code == 403
        assert "not set up to refresh this spreadsheet" in refused.json()["error"]
        assert post(client, {"spreadsheet": SHEET}).status_code == 200
    assert [target for target, _ in recorder.calls] == [f"gsheet:{SHEET}"]


def test_an_unreachable_sheet_is_explained_to_the_user() -> None:
    error = TargetError("share the sheet with robot@example.iam.gserviceaccount.com")
    with asgi_client(create_app([TOKEN], refresh=Recorder(error))) as client:
        response = post(client, {"spreadsheet": SHEET})
    assert response.status_code == 422
    assert response.json() == {
        "error": "share the sheet with robot@example.iam.gserviceaccount.com"
    }


def test_a_crash_is_reported_without_internals_and_frees_the_sheet(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("STOCKOUT_HOME", str(tmp_path))
    recorder = Recorder(RuntimeError("/srv/secret/path exploded"))
    with asgi_client(create_app([TOKEN], refresh=recorder)) as client:
        response = post(client, {"spreadsheet": SHEET})
        assert response.status_code == 500
        assert "RuntimeError" in response.json()["error"]
        assert "/srv/secret" not in response.text
        assert post(client, {"spreadsheet": SHEET}).status_code == 500  # not 409: lock released
    log = (tmp_path / "gsheets" / f"{SHEET}.stockout.log").read_text()
    assert log.count("RuntimeError: /srv/secret/path exploded") == 2 and "Traceback" in log


def test_logs_never_contain_the_token(base: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        post(base, {"spreadsheet": SHEET})
        post(base, {"spreadsheet": SHEET}, token="wrong-" + TOKEN)
    assert f"refresh of sheet {SHEET} started" in caplog.text
    assert TOKEN not in caplog.text


@pytest.mark.parametrize("tokens", [[], ["short"]])
def test_the_app_refuses_to_exist_without_a_strong_token(tokens: list[str]) -> None:
    with pytest.raises(ConfigError, match="STOCKOUT_SERVER_TOKENS"):
        create_app(tokens)


def test_stockout_serve_refuses_to_start_without_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STOCKOUT_SERVER_TOKENS", raising=False)
    result = CliRunner().invoke(serve_command, ["--port", "1"])
    assert result.exit_code == 2
    assert "no token configured" in result.output


def test_stockout_serve_rejects_a_malformed_allow_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STOCKOUT_SERVER_TOKENS", TOKEN)
    monkeypatch.setenv("STOCKOUT_ALLOWED_SHEETS", "good-sheet-id, bad id!")
    result = CliRunner().invoke(serve_command, ["--port", "1"])
    assert result.exit_code == 2
    assert "STOCKOUT_ALLOWED_SHEETS" in result.output


# --- the Apps Script menu (run in Node) calling the real server ------------------------------


def click_refresh_now(
    node: str, base: str, sheet: str, token: str = TOKEN, item: str = "stockoutRefreshNow"
) -> dict[str, Any]:
    """Run Stockout > Refresh now (or ITEM) of the .gs files in Node; return {message, toasts}."""
    props = {"STOCKOUT_SERVER_URL": base, "STOCKOUT_SERVER_TOKEN": token}
    env = {
        **os.environ,
        "STOCKOUT_TEST_PROPS": json.dumps(props),
        "STOCKOUT_TEST_SPREADSHEET": sheet,
    }
    done = subprocess.run(
        [node, str(RUN_MENU), item],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout)


def test_the_menu_toasts_what_the_server_answers(base: str, recorder: Recorder, node: str) -> None:
    clicked = click_refresh_now(node, base, SHEET)
    assert clicked["message"] == "Refreshed 3 SKUs: 1 OUT."
    assert clicked["toasts"] == ["Refreshing… this can take a minute.", clicked["message"]]
    assert recorder.calls == [(f"gsheet:{SHEET}", None)]


def test_the_menu_explains_a_refused_token_and_a_busy_sheet(
    base: str, recorder: Recorder, node: str
) -> None:
    refused = click_refresh_now(node, base, SHEET, token="wrong-token-wrong-token")
    assert refused["message"].startswith("Refresh refused: missing or wrong token.")
    recorder.hold.clear()
    thread = threading.Thread(target=lambda: post(base, {"spreadsheet": SHEET}))
    thread.start()
    try:
        assert recorder.entered.wait(5)
        busy = click_refresh_now(node, base, SHEET)
    finally:
        recorder.hold.set()
        thread.join(10)
    assert busy["message"] == (
        "Not refreshed: a refresh of this sheet is already running. Try again when it has finished."
    )


def test_test_connection_checks_the_token_and_the_sheet_on_the_real_server(
    recorder: Recorder, node: str
) -> None:
    with live(create_app([TOKEN], allowed_sheets=[SHEET], refresh=recorder)) as url:
        test = "stockoutTestConnection"
        ok = click_refresh_now(node, url, SHEET, item=test)["message"]
        wrong = click_refresh_now(node, url, SHEET, token="wrong-token-wrong-token", item=test)
        other = click_refresh_now(node, url, "another-sheet-0123456789", item=test)
        direct = httpx.get(f"{url}/check", headers={"Authorization": "Bearer nope"})
    assert ok == "The server answers and accepts the token for this spreadsheet."
    assert "refuses the token" in wrong["message"]
    assert "STOCKOUT_ALLOWED_SHEETS" in other["message"]
    assert direct.status_code == 401
    assert recorder.calls == []  # checking never refreshes


def test_refresh_now_refreshes_a_google_sheet_end_to_end(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, node: str
) -> None:
    """Menu in Node -> real server under uvicorn -> real refresh -> Sheets API fake."""
    from sheets_sync.backends.gsheets import GoogleSheetsBackend
    from sheets_sync.refresh import refresh
    from stockout_testing.fake_sheets import serve_fake, session_for

    as_of = dt.date.today()
    sales = [["Date", "SKU", "Units"]]
    for back in range(60, 0, -1):
        day = as_of - dt.timedelta(days=back)
        sales += [
            [day.isoformat(), "MUG-01", 0 if back <= 3 else 4],
            [day.isoformat(), "MUG-02", 5],
        ]
    workbook = {
        "Settings": [["Key", "Value"], ["warn_days", "30,15,7"]],
        "Inventory": [["SKU", "Title", "Available"], ["MUG-01", "Mug", 0], ["MUG-02", "Cup", 900]],
        "Sales": sales,
    }
    # Per-spreadsheet history stores live under STOCKOUT_HOME: keep them out of the user's.
    monkeypatch.setenv("STOCKOUT_HOME", str(tmp_path))
    with serve_fake() as (api, fake):
        sheet = fake.create_spreadsheet("Shop", workbook)

        def on_the_fake(target: str, **options: Any) -> Any:
            sheet = GoogleSheetsBackend(target.removeprefix("gsheet:"), session=session_for(api))
            return refresh(sheet, **options)

        with live(create_app([TOKEN], refresh=on_the_fake)) as base:
            clicked = click_refresh_now(node, base, sheet)
        titles = fake.titles(sheet)
        alerts = fake.values(sheet, "Alerts")
    assert clicked["message"].startswith("Refreshed 2 SKUs: 1 OUT, 1 OK."), clicked
    assert "Urgent: MUG-01 OUT: " in clicked["message"]
    assert "Alerts" in titles
    assert alerts[0][:2] == ["SKU", "Title"]
    by_sku = {row[0]: row for row in alerts[1:]}
    alert_column = alerts[0].index("Alert")
    assert by_sku["MUG-01"][alert_column] == "OUT"
    assert by_sku["MUG-02"][alert_column] == "OK"


# --- limits: what an attacker can send (issue 16) -----------------------------------------------


def test_a_50_mb_body_is_refused_before_it_is_read(base: str, recorder: Recorder) -> None:
    body = b'{"spreadsheet": "' + SHEET.encode() + b'", "pad": "' + b"x" * 50_000_000 + b'"}'
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    response = httpx.post(f"{base}/refresh", content=body, headers=headers, timeout=60)
    assert response.status_code == 413
    assert response.json() == {"error": f"the request body is over {MAX_BODY_BYTES} bytes"}
    assert recorder.calls == []


def test_a_streamed_body_without_a_length_is_cut_at_the_limit(base: str, recorder: Recorder):
    def chunks() -> Iterator[bytes]:
        yield b'{"spreadsheet": "' + SHEET.encode() + b'", "pad": "'
        for _ in range(1000):
            yield b"x" * 1024

    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    response = httpx.post(f"{base}/refresh", content=chunks(), headers=headers, timeout=60)
    assert response.status_code == 413
    assert recorder.calls == []


@pytest.mark.parametrize("depth", [5, 100, 200_000])
def test_deeply_nested_json_is_refused_without_parsing(base: str, recorder: Recorder, depth):
    inner = "[" * depth + "]" * depth
    body = f'{{"spreadsheet": "{SHEET}", "x": {inner}}}'.encode()
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    response = httpx.post(f"{base}/refresh", content=body, headers=headers, timeout=30)
    expected = 413 if len(body) > MAX_BODY_BYTES else 400
    assert response.status_code == expected, response.text
    assert recorder.calls == []


def test_brackets_inside_strings_do_not_count_as_nesting(
    client: httpx.Client, recorder: Recorder
) -> None:
    response = post(client, {"spreadsheet": SHEET, "note": "[[[[[[{{{{{{"})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        ("9999-12-31", "as_of must be between 1900-01-01 and 2199-12-31, got 9999-12-31"),
        ("0001-01-01", "as_of must be between 1900-01-01 and 2199-12-31, got 0001-01-01"),
        (20250314, "as_of must be a date YYYY-MM-DD, got '20250314'"),
        (["2025-03-14"], "as_of must be a date YYYY-MM-DD, got \"['2025-03-14']\""),
    ],
)
def test_an_as_of_a_plan_cannot_use_is_a_400(client, recorder, as_of, message) -> None:
    response = post(client, {"spreadsheet": SHEET, "as_of": as_of})
    assert response.status_code == 400
    assert response.json() == {"error": message}
    assert recorder.calls == []


def test_a_token_in_the_address_is_refused_and_never_logged(
    recorder: Recorder, capfd: pytest.CaptureFixture[str]
) -> None:
    secret = "tok-" + "c" * 28
    with live(create_app([TOKEN], refresh=recorder), log_config=log_config()) as url:
        refused = httpx.post(f"{url}/refresh?token={TOKEN}", json={"spreadsheet": SHEET})
        also = httpx.get(f"{url}/check?x=1&access_token={secret}")
        ok = httpx.get(f"{url}/healthz?q=1")
    assert refused.status_code == 400 and also.status_code == 400 and ok.status_code == 200
    assert refused.json() == {"error": TOKEN_IN_ADDRESS_MESSAGE}
    assert recorder.calls == []
    captured = capfd.readouterr()
    logged = captured.out + captured.err
    assert "POST /refresh?token=*** HTTP/1.1" in logged
    assert "GET /check?x=1&access_token=*** HTTP/1.1" in logged
    assert TOKEN not in logged and secret not in logged


def test_an_unexpected_error_anywhere_is_a_logged_500(
    base: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("STOCKOUT_HOME", str(tmp_path))

    def broken(_text: str) -> str:
        raise ZeroDivisionError("bug in parsing")

    monkeypatch.setattr("sheets_sync.server.spreadsheet_id", broken)
    with caplog.at_level(logging.ERROR):
        response = post(base, {"spreadsheet": SHEET})
    assert response.status_code == 500
    assert response.json() == {"error": "the server failed (ZeroDivisionError); see its log"}
    assert "POST /refresh failed" in caplog.text
    assert "ZeroDivisionError: bug in parsing" in (tmp_path / "stockout.log").read_text()
