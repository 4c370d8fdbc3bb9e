"""The Google Sheets backend, through the real gspread client over HTTP, against the local fake."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.oauth2.service_account import Credentials as ServiceAccount

from sheets_sync.backends import gsheets, open_backend
from sheets_sync.backends.gsheets import SCOPES, GoogleSheetsBackend
from sheets_sync.exits import ExitCode
from sheets_sync.types import Formula, Tab, TargetError
from stockout_testing.drip import dripping_server
from stockout_testing.fake_sheets import Running, run_stockout, serve_fake, session_for

OUTPUT_TABS = ["Alerts", "Drafts", "Incidents", "Problems"]


@pytest.fixture
def served() -> Iterator[Running]:
    with serve_fake() as running:
        yield running


class Sleeps(list[float]):
    """Records the waits of the retry loop instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def backend(served: Running, sid: str, **options: object) -> GoogleSheetsBackend:
    """The backend on the fake; with `credentials`, its session signs in with that key."""
    signer = None
    if "credentials" in options:
        signer = ServiceAccount.from_service_account_file(options["credentials"], scopes=SCOPES)
    return GoogleSheetsBackend(sid, session=served.session(signer), timeout=5, **options)  # type: ignore[arg-type]


def test_round_trip_keeps_types_and_never_runs_text_as_a_formula(served: Running) -> None:
    sid = served.fake.create_spreadsheet("Shop")
    sheet = backend(served, sid)
    rows = [
        ["SKU-1", '=HYPERLINK("http://evil")', 12, 3.5, dt.date(2024, 3, 1), True, None],
        ["SKU-2", "+1 555 0100", 0, -2.25, dt.datetime(2024, 3, 1, 18), False, ""],
        ["0042", "", None, None, None, None, "note"],
    ]
    header = ["SKU", "Title", "Available", "Daily sales", "Stockout date", "Flag", "Mine"]
    sheet.write({"Alerts": Tab("Alerts", header, rows, formats={"Stockout date": "date"})})

    again = backend(served, sid).read(["alerts", "Missing"])

    assert again["Missing"] is None
    assert again["alerts"] == [
        header,
        ["SKU-1", '=HYPERLINK("http://evil")', 12, 3.5, 45352, True, None],
        ["SKU-2", "+1 555 0100", 0, -2.25, 45352.75, False, None],
        ["0042", None, None, None, None, None, "note"],
    ]
    assert served.fake.number_format(sid, "Alerts", "E2") == {
        "type": "DATE",
        "pattern": "yyyy-mm-dd",
    }


def test_a_refresh_of_six_tabs_and_2000_rows_costs_three_calls_plus_one_add_sheet(
    served: Running,
) -> None:
    sales = [["Date", "SKU", "Units"]] + [
        [45000 + i // 10, f"SKU-{i % 10}", i % 7] for i in range(2000)
    ]
    inventory = [["SKU", "Available"]] + [[f"SKU-{i}", i] for i in range(10)]
    sid = served.fake.create_spreadsheet("Shop", {"Inventory": inventory, "Sales": sales})
    alerts = [[f"SKU-{i}", "Title", i] for i in range(2000)]

    def refresh() -> dict[str, list[list[object]] | None]:
        sheet = backend(served, sid)
        grids = sheet.read(["Inventory", "Sales", *OUTPUT_TABS])
        sheet.write(
            {
                "Alerts": Tab("Alerts", ["SKU", "Title", "Available"], alerts),
                "Drafts": Tab("Drafts", ["Key", "Status"], [["k1", "draft"]]),
                "Incidents": Tab("Incidents", ["SKU", "Started"], []),
                "Problems": Tab("Problems", ["Tab", "Row", "Problem"], [["Sales", 3, "bad"]]),
            }
        )
        return grids

    first = refresh()
    assert first["Sales"] == sales
    assert first["Alerts"] is None
    assert served.fake.calls == {
        "spreadsheets.get": 1,
        "values.batchGet": 1,
        "spreadsheets.batchUpdate": 1,
        "values.batchUpdate": 1,
    }

    served.fake.reset_calls()
    second = refresh()
    assert second["Alerts"] == [["SKU", "Title", "Available"], *alerts]
    assert served.fake.calls == {
        "spreadsheets.get": 1,
        "values.batchGet": 1,
        "values.batchUpdate": 1,
    }
    assert served.fake.titles(sid) == ["Inventory", "Sales", *OUTPUT_TABS]


def test_a_tab_that_shrank_loses_its_leftover_rows_and_columns(served: Running) -> None:
    sid = served.fake.create_spreadsheet("Shop")
    wide = [[f"S{i}", i, "x", "y"] for i in range(10)]
    backend(served, sid).write({"Alerts": Tab("Alerts", ["SKU", "N", "A", "B"], wide)})

    read_first = backend(served, sid)
    read_first.read(["Alerts"])
    read_first.write({"Alerts": Tab("Alerts", ["SKU", "N"], [["S0", 1]])})
    assert served.fake.values(sid, "Alerts") == [["SKU", "N"], ["S0", 1]]

    tall = [[f"S{i}", i] for i in range(10)]
    backend(served, sid).write({"Alerts": Tab("Alerts", ["SKU", "N"], tall)})
    backend(served, sid).write({"Alerts": Tab("Alerts", ["SKU"], [["S0"], ["S1"], ["S2"]])})
    assert served.fake.values(sid, "Alerts") == [["SKU"], ["S0"], ["S1"], ["S2"]]  # unread


def test_a_tab_that_outgrew_its_grid_is_enlarged_in_the_same_extra_call(served: Running) -> None:
    sid = served.fake.create_spreadsheet("Shop", {"Alerts": [["SKU"]]})  # 1000 x 26 grid
    rows = [[f"S{i}", *range(29)] for i in range(1500)]
    backend(served, sid).write({"Alerts": Tab("Alerts", ["SKU", *map(str, range(29))], rows)})

    values = served.fake.values(sid, "Alerts")
    assert len(values) == 1501
    assert values[-1][:3] == ["S1499", 0, 1]
    assert served.fake.calls["spreadsheets.batchUpdate"] == 1


def test_retries_a_429_then_succeeds(served: Running) -> None:
    sid = served.fake.create_spreadsheet("Shop")
    sleeps = Sleeps()
    served.fake.fail_next(429, times=2)

    assert backend(served, sid, sleep=sleeps).read(["Sheet1"]) == {"Sheet1": []}
    assert len(sleeps) == 2
    assert sleeps[0] >= 1 and sleeps[1] >= 2
    assert served.fake.calls["spreadsheets.get"] == 3


def test_persistent_429_gives_up_after_the_cap_and_explains_the_quota(served: Running) -> None:
    sid = served.fake.create_spreadsheet("Shop")
    sleeps = Sleeps()
    served.fake.fail_next(429, times=50)

    with pytest.raises(TargetError) as raised:
        backend(served, sid, sleep=sleeps, tries=5).read(["Sheet1"])

    assert "quota" in str(raised.value)
    assert "60 reads and 60 writes per minute" in str(raised.value)
    assert served.fake.total_calls == 5
    assert len(sleeps) == 4 and max(sleeps) <= 32 * 1.5


def test_persistent_503_says_google_is_failing(served: Running) -> None:
    sid = served.fake.create_spreadsheet("Shop")
    served.fake.fail_next(503, times=3)
    with pytest.raises(TargetError, match=r"HTTP 503\) 3 times in a row"):
        backend(served, sid, sleep=Sleeps(), tries=3).read(["Sheet1"])


def _service_account(tmp_path: Path, token_url: str) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    info = {
        "type": "service_account",
        "project_id": "shop",
        "private_key_id": "1",
        "private_key": pem.decode(),
        "client_email": "stockout@shop.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": token_url,
    }
    path = tmp_path / "key.json"
    path.write_text(json.dumps(info))
    return path


def test_a_service_account_signs_in_and_403_names_its_e_mail(
    served: Running, tmp_path: Path
) -> None:
    served.fake.require_auth = True
    key = _service_account(tmp_path, served.url + "/token")
    sid = served.fake.create_spreadsheet("Shop")
    assert backend(served, sid, credentials=str(key)).read(["Sheet1"]) == {"Sheet1": []}

    served.fake.private.add(sid)
    with pytest.raises(TargetError) as raised:
        backend(served, sid, credentials=str(key)).read(["Sheet1"])
    assert "stockout@shop.iam.gserviceaccount.com" in str(raised.value)
    assert "Share" in str(raised.value)


def test_without_a_token_the_api_refuses(served: Running) -> None:
    served.fake.require_auth = True
    sid = served.fake.create_spreadsheet("Shop")
    with pytest.raises(TargetError, match="401"):
        backend(served, sid).read(["Sheet1"])


def test_404_says_the_id_is_wrong(served: Running) -> None:
    with pytest.raises(TargetError) as raised:
        backend(served, "1NoSuchSheetAnywhere0000000000").read(["Inventory"])
    assert "no spreadsheet with id 1NoSuchSheetAnywhere0000000000" in str(raised.value)
    assert "/d/" in str(raised.value)


def test_unreachable_endpoint_is_a_plain_error(served: Running) -> None:
    unreachable = session_for("http://127.0.0.1:9")
    sheet = GoogleSheetsBackend("1abcdefghijklmnop", session=unreachable, sleep=Sleeps())
    with pytest.raises(TargetError, match="Cannot reach Google Sheets"):
        sheet.read(["Inventory"])


def test_missing_credentials_are_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("STOCKOUT_GOOGLE_CREDENTIALS", "GOOGLE_APPLICATION_CREDENTIALS"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(TargetError, match="STOCKOUT_GOOGLE_CREDENTIALS"):
        GoogleSheetsBackend("1abcdefghijklmnop")


def test_credentials_of_an_unknown_kind_are_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STOCKOUT_GOOGLE_CREDENTIALS", '{"type": "external_account"}')
    with pytest.raises(TargetError, match="service-account key"):
        GoogleSheetsBackend("1abcdefghijklmnop")


def test_open_backend_passes_the_session_on(served: Running) -> None:
    sid = served.fake.create_spreadsheet("Shop", {"Inventory": [["SKU"], ["A"]]})
    url = f"gsheet:https://docs.google.com/spreadsheets/d/{sid}/edit"
    sheet = open_backend(url, session=served.session())
    assert sheet.read(["Inventory"]) == {"Inventory": [["SKU"], ["A"]]}
    assert sheet.label == "Google Sheet 'Shop'"


# --- formulas stay formulas (issue 16, item 4) ------------------------------------------------


def test_formulas_are_read_as_formulas_with_their_values_and_written_back_as_formulas(
    served: Running,
) -> None:
    sid = served.fake.create_spreadsheet("Shop")
    sheet = backend(served, sid)
    header = ["SKU", "Available", "Mine"]
    rows = [["A", Formula("=40+50"), "=not a formula"], ["B", 7, Formula("=2*3")]]
    sheet.write({"Inventory": Tab("Inventory", header, rows)})

    served.fake.reset_calls()
    again = backend(served, sid).read(["Inventory"])["Inventory"]
    assert served.fake.total_calls == 3  # metadata, formulas, and their values (asked: some)
    available, mine = again[1][1], again[1][2]
    assert isinstance(available, Formula) and available == "=40+50" and available.cached == 90
    assert mine == "=not a formula" and not isinstance(mine, Formula)  # text stays text
    assert isinstance(again[2][2], Formula) and again[2][2].cached == 6
    assert served.fake.values(sid, "Inventory")[1][:3] == ["A", 90, "=not a formula"]

    plain = served.fake.create_spreadsheet("Plain", {"Inventory": [header, ["A", 5, "x"]]})
    served.fake.reset_calls()
    backend(served, plain).read(["Inventory"])
    assert served.fake.total_calls == 2  # no formula anywhere: no second read


def test_a_google_refresh_keeps_a_user_formula_column_and_total_as_formulas(
    served: Running, tmp_path: Path
) -> None:
    from sheets_sync.refresh import refresh
    from tests.sheets_sync.test_refresh import AS_OF, make_book

    book = openpyxl.load_workbook(make_book(tmp_path / "book.xlsx"))
    tabs = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book}
    sid = served.fake.create_spreadsheet("Shop", tabs)
    refresh(backend(served, sid), as_of=AS_OF)
    alerts = backend(served, sid).read(["Alerts"])["Alerts"]
    at = alerts[0].index("Available")
    letter = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[at]
    width, last = len(alerts[0]), len(alerts)
    rows = [[*row, Formula(f"={letter}{r}*2")] for r, row in enumerate(alerts[1:], start=2)]
    total = [None] * width + [Formula(f"=SUM({letter}2:{letter}{last})")]
    backend(served, sid).write({"Alerts": Tab("Alerts", alerts[0] + ["Double"], [*rows, total])})

    refresh(backend(served, sid), as_of=AS_OF)
    after = backend(served, sid).read(["Alerts"])["Alerts"]
    assert after[0][width] == "Double"
    for r, row in enumerate(after[1:last], start=2):
        assert isinstance(row[width], Formula) and row[width] == f"={letter}{r}*2"
    assert after[last][width] == f"=SUM({letter}2:{letter}{last})"


def test_a_dripping_connection_is_given_up_at_the_call_deadline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A server answering one header line every 0.2 s never trips the per-read timeout: the
    call's overall deadline ends the refresh, refused (exit 2) with one sentence."""
    monkeypatch.setattr(gsheets, "DEADLINE", 1.5)
    monkeypatch.setenv("STOCKOUT_HOME", str(tmp_path))
    with dripping_server("http") as address:
        sheet = GoogleSheetsBackend("1abcdefghijklmnop", session=session_for(f"http://{address}"))
        started = time.monotonic()
        with pytest.raises(TargetError) as raised:
            sheet.read(["Inventory"])
        assert 1.4 < time.monotonic() - started < 10
        assert str(raised.value) == (
            "Google Sheets did not finish answering within 1.5 s when asked to open the sheet; "
            "check the network connection and try again."
        )
        started = time.monotonic()
        code = run_stockout(f"http://{address}", ["refresh", "gsheet:1abcdefghijklmnop"])
        assert 1.4 < time.monotonic() - started < 10
    assert code == ExitCode.REFUSED
    assert "did not finish answering within 1.5 s" in capsys.readouterr().err


def test_formulas_that_read_moved_rows_follow_them_on_every_tab(
    served: Running, tmp_path: Path
) -> None:
    """B-2 runs out and moves up the Alerts tab: formulas reading its row follow it, on the
    user's own tab, on an input tab, on another output tab (Drafts) and in Alerts itself
    (a TOTAL keeps covering the table); all stay formulas."""
    from sheets_sync.refresh import refresh
    from tests.sheets_sync.test_refresh import AS_OF, make_book

    book = openpyxl.load_workbook(make_book(tmp_path / "book.xlsx"))
    tabs = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book}
    sid = served.fake.create_spreadsheet("Shop", tabs)
    refresh(backend(served, sid), as_of=AS_OF)
    sheet = backend(served, sid)
    grids = sheet.read(["Alerts", "Drafts", "Inventory"])
    alerts, drafts, inventory = grids["Alerts"], grids["Drafts"], grids["Inventory"]
    letter = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[alerts[0].index("Available")]
    skus = [row[0] for row in alerts[1:]]
    b2, last = skus.index("B-2") + 2, len(alerts)
    assert b2 == last  # B-2 (600 units) is the least urgent: last
    reads_b2 = f"=Alerts!{letter}{b2}"
    total = [None] * len(alerts[0]) + [Formula(f"=SUM({letter}2:{letter}{last})")]
    drafts[0].append("B-2 stock")
    drafts[1].append(Formula(reads_b2))
    inventory[0].append("On Alerts")
    inventory[2].append(Formula(reads_b2))  # B-2's Inventory row
    inventory[2][inventory[0].index("Available")] = 0  # B-2 runs out
    sheet.write({
        "Alerts": Tab("Alerts", [*alerts[0], "Mine"], [*[[*r, None] for r in alerts[1:]], total]),
        "Drafts": Tab("Drafts", drafts[0], drafts[1:]),
        "Inventory": Tab("Inventory", inventory[0], inventory[1:]),
        "Summary": Tab("Summary", ["B-2 on Alerts", Formula(reads_b2)], []),
    })  # fmt: skip

    refresh(backend(served, sid), as_of=AS_OF)
    after = backend(served, sid).read(["Alerts", "Drafts", "Inventory", "Summary"])
    moved = [row[0] for row in after["Alerts"][1:]].index("B-2") + 2
    assert moved < b2
    follows = f"=Alerts!{letter}{moved}"
    assert after["Summary"][0][1] == follows and isinstance(after["Summary"][0][1], Formula)
    assert after["Inventory"][2][-1] == follows and isinstance(after["Inventory"][2][-1], Formula)
    drafts_after = after["Drafts"]
    assert drafts_after[1][drafts_after[0].index("B-2 stock")] == follows
    mine = after["Alerts"][0].index("Mine")
    totals = [row[mine] for row in after["Alerts"][1:] if row[mine]]
    assert totals == [f"=SUM({letter}2:{letter}{len(after['Alerts']) - 1})"]


def test_named_ranges_on_alerts_follow_its_rows_through_gspread(
    served: Running, tmp_path: Path
) -> None:
    """A name on B-2's Available cell follows B-2 up the Alerts tab; a name over the whole
    Available column of the table grows with a new SKU (as the formulas do)."""
    from sheets_sync.refresh import refresh
    from tests.sheets_sync.test_refresh import AS_OF, make_book

    book = openpyxl.load_workbook(make_book(tmp_path / "book.xlsx"))
    tabs = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book}
    sid = served.fake.create_spreadsheet("Shop", tabs)
    refresh(backend(served, sid), as_of=AS_OF)
    sheet = backend(served, sid)
    alerts = sheet.read(["Alerts"])["Alerts"]
    col = alerts[0].index("Available")
    b2, last = [row[0] for row in alerts[1:]].index("B-2") + 2, len(alerts)
    http = sheet._http
    ids = {s["properties"]["title"]: s["properties"]["sheetId"]
           for s in http.fetch_sheet_metadata(sid)["sheets"]}  # fmt: skip

    def grid(top: int, bottom: int) -> dict:
        return {"sheetId": ids["Alerts"], "startRowIndex": top - 1, "endRowIndex": bottom,
                "startColumnIndex": col, "endColumnIndex": col + 1}  # fmt: skip

    http.batch_update(sid, {"requests": [
        {"addNamedRange": {"namedRange": {"name": "B2_stock", "range": grid(b2, b2)}}},
        {"addNamedRange": {"namedRange": {"name": "All_stock", "range": grid(2, last)}}},
    ]})  # fmt: skip
    inventory = sheet.read(["Inventory"])["Inventory"]
    inventory[2][inventory[0].index("Available")] = 0  # B-2 runs out and moves up
    inventory.append(["D-4", "B0D", "New one", 5, 0, 0, 10])  # the table grows by one
    sheet.write({"Inventory": Tab("Inventory", inventory[0], inventory[1:])})

    refresh(backend(served, sid), as_of=AS_OF)
    after = backend(served, sid).read(["Alerts"])["Alerts"]
    moved = [row[0] for row in after[1:]].index("B-2") + 2
    assert moved < b2 and len(after) == last + 1
    named = {n["name"]: n["range"] for n in http.fetch_sheet_metadata(sid)["namedRanges"]}
    assert named["B2_stock"] == grid(moved, moved)
    assert named["All_stock"] == grid(2, last + 1)


def test_a_sellers_own_formatting_survives_refreshes_that_add_tabs(served: Running) -> None:
    """Formats, notes and colour rules are set when a tab is first created; a later refresh
    (even one that adds a tab, and so makes a formatting call) leaves the seller's own alone
    and adds no second set of colour rules."""
    from sheets_sync import workbook as wb
    from sheets_sync.demo import demo_tabs
    from sheets_sync.refresh import refresh

    as_of = dt.date(2026, 11, 25)
    sid = served.fake.create_spreadsheet("Shop", demo_tabs(as_of))
    refresh(backend(served, sid), as_of=as_of)
    header = served.fake.values(sid, wb.ALERTS)[0]
    column = header.index("Days of cover")
    meta = {s["properties"]["title"]: s for s in served.fake.metadata(sid)["sheets"]}
    alerts_id = meta[wb.ALERTS]["properties"]["sheetId"]
    rules = len(meta[wb.ALERTS]["conditionalFormats"])
    mine = {"type": "NUMBER", "pattern": "0.000"}
    seller = backend(served, sid)
    seller._http.batch_update(sid, {"requests": [
        {"repeatCell": {
            "range": {"sheetId": alerts_id, "startRowIndex": 1, "startColumnIndex": column,
                      "endColumnIndex": column + 1},
            "cell": {"userEnteredFormat": {"numberFormat": mine}},
            "fields": "userEnteredFormat.numberFormat"}},
        {"updateCells": {
            "start": {"sheetId": alerts_id, "rowIndex": 0, "columnIndex": 0},
            "rows": [{"values": [{"note": "my SKUs"}]}], "fields": "note"}},
        {"deleteSheet": {"sheetId": meta[wb.TIMELINE]["properties"]["sheetId"]}},
    ]})  # fmt: skip

    refresh(backend(served, sid), as_of=as_of)

    cell = f"{chr(65 + column)}2"
    assert served.fake.number_format(sid, wb.ALERTS, cell) == mine
    assert served.fake.notes(sid, wb.ALERTS)["A1"] == "my SKUs"
    meta = {s["properties"]["title"]: s for s in served.fake.metadata(sid)["sheets"]}
    assert len(meta[wb.ALERTS]["conditionalFormats"]) == rules  # not added again
    # The tab the refresh made again is dressed as new: formats, notes, colour rules.
    assert served.fake.number_format(sid, wb.TIMELINE, "B2") == {"type": "NUMBER",
                                                                  "pattern": "#,##0"}  # fmt: skip
    assert meta[wb.TIMELINE]["conditionalFormats"]


def test_input_tabs_of_a_starter_show_units_whole_and_prices_as_money(served: Running) -> None:
    """The starter's display formats reach Google as they reach the .xlsx file (the Google
    backend formats whole columns, so rows typed later get them too)."""
    from sheets_sync import workbook as wb
    from sheets_sync.starter import starter_grids, starter_tabs

    grids = starter_grids(dt.date(2026, 11, 25), example=True)
    tabs = starter_tabs({t: grids[t] for t in (wb.INVENTORY, wb.SALES, wb.PROMOTIONS)}, "GBP")
    sid = served.fake.create_spreadsheet("Shop")
    backend(served, sid).write(tabs)

    def shown(tab: str, header: str) -> dict[str, str] | None:
        column = grids[tab][0].index(header)
        return served.fake.number_format(sid, tab, f"{chr(65 + column)}2")

    whole = {"type": "NUMBER", "pattern": "#,##0"}
    assert shown(wb.INVENTORY, "Available") == shown(wb.SALES, "Units") == whole
    assert shown(wb.INVENTORY, "Price") == {"type": "NUMBER", "pattern": '"£"#,##0.00'}
    assert shown(wb.SALES, "Date") == {"type": "DATE", "pattern": "yyyy-mm-dd"}
    assert shown(wb.INVENTORY, "Unit weight kg") is None  # as typed
    assert shown(wb.PROMOTIONS, "Uplift") is None
    assert backend(served, sid).read([wb.SALES])[wb.SALES][1][2] == grids[wb.SALES][1][2]
