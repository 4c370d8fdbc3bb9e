"""The local Sheets API fake: it answers like the recorded Google traffic, over real HTTP."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import requests

from stockout_testing.fake_sheets import Running, SpreadsheetCalls, main, replay, serve_fake


def test_every_recording_replays_to_the_recorded_answers(shared_dir: Path) -> None:
    cassettes = sorted((shared_dir / "sheets-api-recordings").glob("*.json"))
    assert len(cassettes) == 70
    results = {path.name: replay(path) for path in cassettes}
    failed = {name: result.problems for name, result in results.items() if result.problems}
    assert failed == {}
    assert sum(result.total for result in results.values()) == 987


def test_the_replay_command_reports_and_fails_on_a_mismatch(
    shared_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = shared_dir / "sheets-api-recordings" / "WorksheetTest.test_update_and_get.json"
    assert main([str(source)]) == 0
    assert "WorksheetTest.test_update_and_get.json: 15/15" in capsys.readouterr().out

    cassette = json.loads(source.read_text())
    body = cassette["interactions"][6]["response"]["body"]
    body["string"] = body["string"].replace('"b2"', '"B2"')
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(cassette))
    assert main([str(tampered)]) == 1
    out = capsys.readouterr().out
    assert "tampered.json: 14/15" in out
    assert "'b2', recorded 'B2'" in out


def test_raw_keeps_text_user_entered_parses_it(api: SpreadsheetCalls) -> None:
    api.put("Sheet1!A1", [["=1+2", "0042", "TRUE", "2024-01-31"]], option="RAW")
    api.put("Sheet1!A2", [["=1+2", "0042", "TRUE", "2024-01-31"]], option="USER_ENTERED")

    unformatted = api.get("Sheet1!A1:D2", valueRenderOption="UNFORMATTED_VALUE")["values"]
    assert unformatted == [["=1+2", "0042", "TRUE", "2024-01-31"], [3, 42, True, 45322]]
    assert api.get("Sheet1!A2:D2")["values"] == [["3", "42", "TRUE", "2024-01-31"]]
    formulas = api.get("Sheet1!A1:A2", valueRenderOption="FORMULA")["values"]
    assert formulas == [["=1+2"], ["=1+2"]]


def test_dates_render_as_serials_or_text(api: SpreadsheetCalls) -> None:
    api.put("Sheet1!A1", [["1/31/2024"]], option="USER_ENTERED")
    assert api.get("Sheet1!A1")["values"] == [["1/31/2024"]]
    serial = api.get("Sheet1!A1", valueRenderOption="UNFORMATTED_VALUE")["values"]
    assert serial == [[45322]]
    text = api.get(
        "Sheet1!A1", valueRenderOption="UNFORMATTED_VALUE", dateTimeRenderOption="FORMATTED_STRING"
    )["values"]
    assert text == [["1/31/2024"]]


def test_spreadsheets_made_for_tests_keep_python_dates_as_dates(served: Running) -> None:
    sid = served.fake.create_spreadsheet("Dated", {"Sales": [["Date"], [dt.date(2024, 1, 31)]]})
    answer = requests.get(f"{served.url}/v4/spreadsheets/{sid}/values/Sales", timeout=5).json()
    assert answer["values"] == [["Date"], ["2024-01-31"]]
    assert served.fake.values(sid, "Sales") == [["Date"], [45322]]


def test_ranges_are_normalised_and_trailing_blanks_dropped(api: SpreadsheetCalls) -> None:
    status, _ = api.call(
        "POST",
        ":batchUpdate",
        {"requests": [{"addSheet": {"properties": {"title": "My tab's"}}}]},
    )
    assert status == 200
    update = api.put("'My tab''s'!B2", [["x", "", ""], ["", "", ""], ["", "y", None]])
    assert update["updatedRange"] == "'My tab''s'!B2:D4"
    assert update["updatedCells"] == 8

    rows = api.get("'My tab''s'!D4:A1")
    assert rows == {
        "range": "'My tab''s'!A1:D4",
        "majorDimension": "ROWS",
        "values": [[], ["", "x"], [], ["", "", "y"]],
    }
    columns = api.get("'My tab''s'!A1:D4", majorDimension="COLUMNS")["values"]
    assert columns == [[], ["", "x"], ["", "", "", "y"]]
    assert api.get("'My tab''s'!A2:2")["range"] == "'My tab''s'!A2:Z2"


@pytest.mark.parametrize(
    ("method", "path", "body", "params", "status", "message"),
    [
        ("GET", "/values/Nope!A1", None, {}, 400, "Unable to parse range: Nope!A1"),
        (
            "GET",
            "/values/Sheet1!A1:A1001",
            None,
            {},
            400,
            "Range (Sheet1!A1:A1001) exceeds grid limits. Max rows: 1000, max columns: 26",
        ),
        ("PUT", "/values/Sheet1!A1", {"values": [[1]]}, {}, 400, "'valueInputOption' is required"),
        (
            "PUT",
            "/values/Sheet1!A1:B1",
            {"values": [[1, 2, 3]]},
            {"valueInputOption": "RAW"},
            400,
            "but tried writing to column [C]",
        ),
        (
            "PUT",
            "/values/Sheet1!Z1",
            {"values": [[1, 2]]},
            {"valueInputOption": "RAW"},
            400,
            "exceeds grid limits",
        ),
    ],
)
def test_errors_carry_google_s_bodies(
    api: SpreadsheetCalls, method: str, path: str, body: Any, params: Any, status: int, message: str
) -> None:
    code, answer = api.call(method, path, body, **params)
    assert code == status
    assert answer["error"]["code"] == status
    assert answer["error"]["status"] == "INVALID_ARGUMENT"
    assert message in answer["error"]["message"]


def test_unknown_and_private_spreadsheets(served: Running) -> None:
    served.fake.private.add("1SomeoneElses")
    missing = requests.get(f"{served.url}/v4/spreadsheets/1Nope", timeout=5)
    private = requests.get(f"{served.url}/v4/spreadsheets/1SomeoneElses", timeout=5)
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "Requested entity was not found."
    assert private.status_code == 403
    assert private.json()["error"]["status"] == "PERMISSION_DENIED"


def test_a_failing_batch_update_changes_nothing(api: SpreadsheetCalls) -> None:
    requests_ = [
        {"addSheet": {"properties": {"title": "New"}}},
        {"addSheet": {"properties": {"title": "sheet1"}}},
    ]
    status, answer = api.call("POST", ":batchUpdate", {"requests": requests_})
    assert status == 400
    assert 'A sheet with the name "sheet1" already exists' in answer["error"]["message"]
    assert api.fake.titles(api.sid) == ["Sheet1"]


def test_append_continues_the_table(api: SpreadsheetCalls) -> None:
    api.put("Sheet1!A1", [["SKU", "Units"], ["A", 1]])
    status, answer = api.call(
        "POST",
        "/values/Sheet1:append",
        {"values": [["B", 2]]},
        valueInputOption="RAW",
    )
    assert status == 200
    assert answer["tableRange"] == "Sheet1!A1:B2"
    assert answer["updates"]["updatedRange"] == "Sheet1!A3:B3"


def test_metadata_field_masks(api: SpreadsheetCalls) -> None:
    status, answer = api.call("GET", "", fields="properties.title,sheets(properties(title))")
    assert status == 200
    assert answer == {
        "properties": {"title": "Test"},
        "sheets": [{"properties": {"title": "Sheet1"}}],
    }


def test_counts_calls_and_injects_failures(api: SpreadsheetCalls) -> None:
    api.fake.reset_calls()
    api.fake.fail_next(503, times=2)
    codes = [api.call("GET", "/values/Sheet1!A1")[0] for _ in range(3)]
    assert codes == [503, 503, 200]
    assert api.fake.calls == {"values.get": 3}


def test_notes_validations_wrapping_filters_as_google_documents_them(api: SpreadsheetCalls) -> None:
    column_b = {"sheetId": 0, "startRowIndex": 1, "startColumnIndex": 1, "endColumnIndex": 2}
    dropdown = {
        "condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": "sea"}]},
        "strict": False,
        "showCustomUi": True,
    }
    requests_ = [
        {
            "updateCells": {
                "start": {"sheetId": 0, "rowIndex": 0, "columnIndex": 1},
                "rows": [{"values": [{"note": "Units a day"}, {"note": ""}]}],
                "fields": "note",
            }
        },
        {"setDataValidation": {"range": column_b, "rule": dropdown}},
        {
            "repeatCell": {
                "range": column_b,
                "cell": {"userEnteredFormat": {"wrapStrategy": "WRAP"}},
                "fields": "userEnteredFormat.wrapStrategy",
            }
        },
        {"setBasicFilter": {"filter": {"range": {"sheetId": 0, "startRowIndex": 0}}}},
    ]
    status, answer = api.call("POST", ":batchUpdate", {"requests": requests_})
    assert status == 200, answer
    assert api.fake.notes(api.sid, "Sheet1") == {"B1": "Units a day"}
    assert api.fake.validation(api.sid, "Sheet1", "B500") == dropdown  # open-ended rows
    assert api.fake.validation(api.sid, "Sheet1", "C2") is None
    assert api.fake.style(api.sid, "Sheet1", "B9") == {"wrapStrategy": "WRAP"}
    status, meta = api.call("GET", "")
    # Google echoes the filter's range closed at the grid's edge, without the default sheetId 0.
    whole = {"startRowIndex": 0, "endRowIndex": 1000, "startColumnIndex": 0, "endColumnIndex": 26}
    assert meta["sheets"][0]["basicFilter"] == {"range": whole}

    # What Google refuses: an empty list, an unknown condition or wrap, a note without fields.
    empty = {"condition": {"type": "ONE_OF_LIST", "values": []}}
    for bad in (
        {"setDataValidation": {"range": column_b, "rule": empty}},
        {"setDataValidation": {"range": column_b, "rule": {"condition": {"type": "SOON"}}}},
        {
            "repeatCell": {
                "range": column_b,
                "cell": {"userEnteredFormat": {"wrapStrategy": "SQUEEZE"}},
                "fields": "userEnteredFormat.wrapStrategy",
            }
        },
        {"updateCells": {"start": {"sheetId": 0}, "rows": [{"values": [{"note": "x"}]}]}},
    ):
        status, answer = api.call("POST", ":batchUpdate", {"requests": [bad]})
        assert status == 400, bad
        assert answer["error"]["status"] == "INVALID_ARGUMENT"


def test_the_stockout_command_runs_against_a_served_fake(tmp_path, monkeypatch) -> None:
    """README's way to try the Google Sheets path without Google."""
    from sheets_sync.demo import demo_tabs
    from stockout_testing.fake_sheets import run_stockout

    monkeypatch.setenv("STOCKOUT_HOME", str(tmp_path))
    with serve_fake() as (url, fake):
        sid = fake.create_spreadsheet("Stockout demo", demo_tabs(dt.date(2026, 11, 25)))
        code = run_stockout(url, ["refresh", f"gsheet:{sid}", "--as-of", "2026-11-25"])
        assert code in (0, 1)
        assert fake.values(sid, "Alerts")[0][0] == "SKU"
