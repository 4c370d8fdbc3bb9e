"""The fake follows the Sheets API reference, not only the recordings it was first built from.

Each test states one documented behaviour, with the answer Google gives; the gspread cassettes
in tests/fixtures/gspread-cassettes (real traffic the fake was not built from) replay to the
recorded answers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import requests

from stockout_testing.fake_sheets import ApiError, SpreadsheetCalls, replay

CASSETTES = Path(__file__).resolve().parents[1] / "fixtures" / "gspread-cassettes"


def grid(r1: int, r2: int, c1: int, c2: int, sheet_id: int = 0) -> dict[str, int]:
    return {
        "sheetId": sheet_id,
        "startRowIndex": r1,
        "endRowIndex": r2,
        "startColumnIndex": c1,
        "endColumnIndex": c2,
    }


def echoed(r1: int, r2: int, c1: int, c2: int) -> dict[str, int]:
    """A GridRange on sheet 0 as Google echoes it: sheetId 0 is proto3's default, left out."""
    return {"startRowIndex": r1, "endRowIndex": r2, "startColumnIndex": c1, "endColumnIndex": c2}


def sheet_meta(api: SpreadsheetCalls, **params: Any) -> dict[str, Any]:
    return api.ok("GET", "", **params)["sheets"][0]


def test_every_gspread_cassette_replays_to_the_recorded_answers() -> None:
    cassettes = sorted(CASSETTES.glob("*.json"))
    assert len(cassettes) == 24
    results = {path.name: replay(path) for path in cassettes}
    assert {name: r.problems for name, r in results.items() if r.problems} == {}
    assert sum(r.total for r in results.values()) == 262


def test_user_entered_numbers_and_formulas_as_typed(api: SpreadsheetCalls) -> None:
    api.put("A1", [["= 1 / 1024", "2,000,000.01", "1,234", "12%"]], option="USER_ENTERED")
    assert api.get("A1:D1")["values"] == [["0.0009765625", "2,000,000.01", "1,234", "12%"]]
    raw = api.get("A1:D1", valueRenderOption="UNFORMATTED_VALUE")["values"]
    assert raw == [[0.0009765625, 2000000.01, 1234, 0.12]]
    assert api.get("A1", valueRenderOption="FORMULA")["values"] == [["= 1 / 1024"]]


def test_whole_rows_and_columns_and_writing_by_columns(api: SpreadsheetCalls) -> None:
    answer = api.ok(
        "PUT",
        "/values/B2",
        {"values": [["a", "b"], ["c"]], "majorDimension": "COLUMNS"},
        valueInputOption="RAW",
    )
    assert answer["updatedRange"] == "Sheet1!B2:C3"
    assert api.get("B:B") == {"range": "Sheet1!B1:B1000", "majorDimension": "ROWS",
                              "values": [[], ["a"], ["b"]]}  # fmt: skip
    assert api.get("2:3")["range"] == "Sheet1!A2:Z3"
    assert api.get("2:3")["values"] == [["", "a", "c"], ["", "b"]]
    assert api.get("C2:C", majorDimension="COLUMNS")["values"] == [["c"]]


def test_formulas_read_cells_and_recalculate_on_change(api: SpreadsheetCalls) -> None:
    api.batch({"addSheet": {"properties": {"title": "Other tab"}}})
    api.put("'Other tab'!A1", [[10]])
    api.put("A1:A3", [[2], [3], ["x"]])
    formulas = [
        "=SUM(A1:A3)",
        "=A1*B1+1",
        "=AVERAGE(A:A)",
        "='Other tab'!A1/4",
        "=A3+1",
        "=1/0",
        '=IFERROR(1/0,"none")',
        "=NOPE(1)",
        '=IF(A1>1,"big","small")&"!"',
        "=ROUND(2.5)+ROUND(-2.5)",
        "=B11",  # itself: a circular reference
        "=(1",
        "=COUNT(A1:A3)",
    ]
    api.put("B1", [[f] for f in formulas], option="USER_ENTERED")
    shown = [row[0] for row in api.get(f"B1:B{len(formulas)}")["values"]]
    assert shown == [
        "5", "11", "2.5", "2.5", "#VALUE!", "#DIV/0!", "none", "#NAME?", "big!", "0",
        "#REF!", "#ERROR!", "2",
    ]  # fmt: skip
    api.put("A1", [[4]])  # Sheets recalculates on change
    assert api.get("B1:B2", valueRenderOption="UNFORMATTED_VALUE")["values"] == [[7], [29]]
    assert api.get("B1", valueRenderOption="FORMULA")["values"] == [["=SUM(A1:A3)"]]


def test_updated_counts_cover_the_cells_given_a_value(api: SpreadsheetCalls) -> None:
    # null leaves a cell alone (not counted), "" empties it (counted), the range is the box.
    answer = api.put("A1:D3", [["a", None, None, None], [None, None, None, None], [None, "", "c"]])
    assert answer["updatedRange"] == "Sheet1!A1:D3"
    assert (answer["updatedRows"], answer["updatedColumns"], answer["updatedCells"]) == (2, 3, 3)


def test_values_that_are_not_a_list_of_lists_get_a_field_violation(api: SpreadsheetCalls) -> None:
    status, answer = api.call("PUT", "/values/A1", {"values": "X"}, valueInputOption="RAW")
    assert status == 400
    error = answer["error"]
    assert error["message"] == (
        "Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue), \"X\""
    )
    assert error["details"][0]["@type"] == "type.googleapis.com/google.rpc.BadRequest"
    assert error["details"][0]["fieldViolations"][0]["field"] == "data.values"


def test_inserted_and_deleted_rows_move_values_and_notes(api: SpreadsheetCalls) -> None:
    api.put("A1:B3", [["1", "x"], ["2", "y"], ["3", "z"]])
    note = {"rows": [{"values": [{"note": "see"}]}], "fields": "note"}
    api.batch({"updateCells": {"range": grid(2, 3, 0, 1), **note}})
    rows = {"sheetId": 0, "dimension": "ROWS"}
    api.batch({"insertDimension": {"range": {**rows, "startIndex": 1, "endIndex": 3}}})
    assert api.get("A1:B5")["values"] == [["1", "x"], [], [], ["2", "y"], ["3", "z"]]
    assert api.fake.notes(api.sid, "Sheet1") == {"A5": "see"}
    assert sheet_meta(api)["properties"]["gridProperties"]["rowCount"] == 1002

    api.batch({"deleteDimension": {"range": {**rows, "startIndex": 0, "endIndex": 4}}})
    assert api.get("A1:B2")["values"] == [["3", "z"]]
    assert api.fake.notes(api.sid, "Sheet1") == {"A1": "see"}
    status, answer = api.batch({"deleteDimension": {"range": {**rows, "startIndex": 0}}})
    assert status == 400
    assert "You can't delete all the rows on the sheet." in answer["error"]["message"]


def test_rows_inserted_for_appended_data_move_what_was_below_with_them(
    api: SpreadsheetCalls,
) -> None:
    api.put("A1:A3", [["head"], ["a"], ["tail"]])
    note = {"rows": [{"values": [{"note": "last"}]}], "fields": "note"}
    api.batch({"updateCells": {"range": grid(2, 3, 0, 1), **note}})
    rule = {"ranges": [grid(2, 3, 0, 1)], "booleanRule": {"condition": {"type": "NOT_BLANK"}}}
    api.batch({"addConditionalFormatRule": {"rule": rule, "index": 0}})
    answer = api.ok(
        "POST",
        "/values/A1:A2:append",
        {"values": [["b"], ["c"]]},
        valueInputOption="RAW",
        insertDataOption="INSERT_ROWS",
    )
    # the table is the filled block in the range; rows go in after it and "tail" moves down
    assert answer["tableRange"] == "Sheet1!A1:A2"
    assert answer["updates"]["updatedRange"] == "Sheet1!A3:A4"
    assert api.get("A1:A5")["values"] == [["head"], ["a"], ["b"], ["c"], ["tail"]]
    assert api.fake.notes(api.sid, "Sheet1") == {"A5": "last"}
    moved = sheet_meta(api)["conditionalFormats"][0]["ranges"][0]
    assert (moved["startRowIndex"], moved["endRowIndex"]) == (4, 5)
    assert sheet_meta(api)["properties"]["gridProperties"]["rowCount"] == 1002


def test_merges_by_type_keep_only_the_top_left_value(api: SpreadsheetCalls) -> None:
    api.put("A1:B2", [["a", "b"], ["c", "d"]])
    api.batch({"mergeCells": {"mergeType": "MERGE_ROWS", "range": grid(0, 2, 0, 2)}})
    assert sheet_meta(api)["merges"] == [echoed(0, 1, 0, 2), echoed(1, 2, 0, 2)]
    assert api.get("A1:B2")["values"] == [["a"], ["c"]]
    api.batch({"mergeCells": {"mergeType": "MERGE_ALL", "range": grid(0, 2, 0, 2)}})
    assert sheet_meta(api)["merges"] == [echoed(0, 2, 0, 2)]  # replaces what it overlaps
    assert api.get("A1:B2")["values"] == [["a"]]
    api.batch({"unmergeCells": {"range": grid(1, 2, 1, 2)}})  # touching a merge undoes it
    assert "merges" not in sheet_meta(api)


def test_named_ranges_are_kept_and_read_by_name(api: SpreadsheetCalls) -> None:
    api.put("B1:C2", [["1", "2"], ["3", "4"]])
    _, answer = api.batch(
        {"addNamedRange": {"namedRange": {"name": "Stock", "range": grid(0, 2, 1, 3)}}}
    )
    named = answer["replies"][0]["addNamedRange"]["namedRange"]
    assert isinstance(named["namedRangeId"], str) and named["namedRangeId"].isdigit()
    assert named == {
        "namedRangeId": named["namedRangeId"],
        "name": "Stock",
        "range": echoed(0, 2, 1, 3),
    }
    assert api.get("Sheet1!Stock") == {
        "range": "Sheet1!B1:C2",
        "majorDimension": "ROWS",
        "values": [["1", "2"], ["3", "4"]],
    }
    duplicate = {"addNamedRange": {"namedRange": {"name": "stock", "range": grid(0, 1, 0, 1)}}}
    assert api.batch(duplicate)[0] == 400
    rename = {"namedRange": {"namedRangeId": named["namedRangeId"], "name": "Units"}}
    api.batch({"updateNamedRange": {**rename, "fields": "name"}})
    assert api.ok("GET", "", fields="namedRanges")["namedRanges"][0]["name"] == "Units"
    api.batch({"deleteNamedRange": {"namedRangeId": named["namedRangeId"]}})
    assert api.ok("GET", "", fields="namedRanges") == {}


def test_protected_ranges_list_the_caller_as_editor(api: SpreadsheetCalls) -> None:
    protect = {"range": grid(0, 2, 0, 2), "warningOnly": False, "description": None}
    _, answer = api.batch({"addProtectedRange": {"protectedRange": protect}})
    reply = answer["replies"][0]["addProtectedRange"]["protectedRange"]
    assert isinstance(reply["protectedRangeId"], int)
    # false and null fields are left out; the reply lists no editors, the sheet does
    assert reply == {
        "protectedRangeId": reply["protectedRangeId"],
        "range": echoed(0, 2, 0, 2),
        "requestingUserCanEdit": True,
        "editors": {},
    }
    shown = sheet_meta(api)["protectedRanges"][0]
    assert shown["editors"] == {"users": [api.fake.account]}
    api.batch({"deleteProtectedRange": {"protectedRangeId": reply["protectedRangeId"]}})
    assert "protectedRanges" not in sheet_meta(api)


def test_sorting_puts_numbers_before_text_and_blanks_last(api: SpreadsheetCalls) -> None:
    api.put("A1:B5", [["pear", 1], [3, 2], [None, 3], ["Apple", 4], [10, 5]])
    spec = {"range": grid(0, 5, 0, 2), "sortSpecs": [{"dimensionIndex": 0}]}
    api.batch({"sortRange": spec})
    column = api.get("A1:B5", valueRenderOption="UNFORMATTED_VALUE")["values"]
    assert column == [[3, 2], [10, 5], ["Apple", 4], ["pear", 1], ["", 3]]
    spec["sortSpecs"] = [{"dimensionIndex": 0, "sortOrder": "DESCENDING"}]
    api.batch({"sortRange": spec})
    column = api.get("A1:A5", valueRenderOption="UNFORMATTED_VALUE")["values"]
    assert column == [["pear"], ["Apple"], [10], [3]]


def test_copy_keeps_the_source_and_cut_empties_it(api: SpreadsheetCalls) -> None:
    api.put("A1:A2", [["x"], ["y"]])
    api.batch({"copyPaste": {"source": grid(0, 2, 0, 1), "destination": grid(0, 2, 1, 2)}})
    cut = {"source": grid(0, 2, 0, 1), "destination": {"sheetId": 0, "rowIndex": 3}}
    api.batch({"cutPaste": cut})
    assert api.get("A1:B5")["values"] == [["", "x"], ["", "y"], [], ["x"], ["y"]]


def test_groups_nest_by_depth(api: SpreadsheetCalls) -> None:
    rows = {"sheetId": 0, "dimension": "ROWS"}
    api.batch({"addDimensionGroup": {"range": {**rows, "startIndex": 2, "endIndex": 4}}})
    _, answer = api.batch(
        {"addDimensionGroup": {"range": {**rows, "startIndex": 0, "endIndex": 6}}}
    )
    groups = answer["replies"][0]["addDimensionGroup"]["dimensionGroups"]
    # the wider group takes the depth of the one inside it, which goes one level deeper
    assert groups == [
        {"range": {"dimension": "ROWS", "startIndex": 0, "endIndex": 6}, "depth": 1},
        {"range": {"dimension": "ROWS", "startIndex": 2, "endIndex": 4}, "depth": 2},
    ]
    meta = sheet_meta(api)
    assert meta["properties"]["gridProperties"]["rowGroupControlAfter"] is True
    _, answer = api.batch(
        {"deleteDimensionGroup": {"range": {**rows, "startIndex": 0, "endIndex": 6}}}
    )
    left = answer["replies"][0]["deleteDimensionGroup"]["dimensionGroups"]
    assert left == [{"range": {"dimension": "ROWS", "startIndex": 2, "endIndex": 4}, "depth": 1}]


def test_the_last_visible_sheet_cannot_be_hidden(api: SpreadsheetCalls) -> None:
    hide = {
        "updateSheetProperties": {"properties": {"sheetId": 0, "hidden": True}, "fields": "hidden"}
    }
    status, answer = api.batch(hide)
    assert status == 400
    assert answer["error"]["message"] == (
        "Invalid requests[0].updateSheetProperties: You can't hide all the sheets in a document."
    )
    api.batch({"addSheet": {"properties": {"title": "Other"}}})
    assert api.batch(hide)[0] == 200


def test_grid_data_for_ranges_with_notes_and_formats(api: SpreadsheetCalls) -> None:
    api.put("A1:C1", [["a", "b", "c"]])
    notes = {"rows": [{"values": [{"note": "first"}]}], "fields": "note"}
    api.batch({"updateCells": {"range": grid(1, 2, 1, 2), **notes}})
    answer = api.ok("GET", "", ranges="Sheet1!A1:C3", fields="sheets.data.rowData.values.note")
    # masked to notes, then trailing empty cells and rows dropped
    assert answer == {
        "sheets": [{"data": [{"rowData": [{}, {"values": [{}, {"note": "first"}]}]}]}]
    }

    look = {"backgroundColor": {"green": 1, "blue": 1}, "textFormat": {"bold": True}}
    api.batch(
        {
            "repeatCell": {
                "range": grid(0, 1, 0, 1),
                "cell": {"userEnteredFormat": look},
                "fields": "userEnteredFormat(backgroundColor,textFormat)",
            }
        }
    )
    answer = api.ok("GET", "", ranges="A1", fields="sheets.data.rowData.values.userEnteredFormat")
    cell = answer["sheets"][0]["data"][0]["rowData"][0]["values"][0]
    assert cell["userEnteredFormat"] == {
        "backgroundColor": {"green": 1, "blue": 1},
        "backgroundColorStyle": {"rgbColor": {"green": 1, "blue": 1}},
        "textFormat": {"bold": True},
    }
    full = api.ok("GET", "", ranges="B1:C1", includeGridData="true")["sheets"][0]["data"][0]
    assert full["startColumn"] == 1 and "startRow" not in full
    assert full["rowData"][0]["values"][0]["userEnteredValue"] == {"stringValue": "b"}
    assert full["columnMetadata"] == [{"pixelSize": 100}, {"pixelSize": 100}]


def test_drive_copies_and_exports_csv(api: SpreadsheetCalls) -> None:
    api.put("A1:B2", [["a1", "B2"], ["x,y", 3]])
    drive = f"{api.url}/drive/v3/files/{api.sid}"
    with requests.Session() as session:
        session.trust_env = False
        copied = session.post(f"{drive}/copy", json={"name": None}, timeout=5).json()
        exported = session.get(f"{drive}/export", params={"mimeType": "text/csv"}, timeout=5)
        comments = session.get(f"{drive}/comments", timeout=5).json()
    assert copied["name"] == "Copy of Test"
    assert api.fake.values(copied["id"], "Sheet1") == [["a1", "B2"], ["x,y", 3]]
    assert exported.headers["Content-Type"] == "text/csv"
    assert exported.text == 'a1,B2\r\n"x,y",3'
    assert comments == {"comments": []}


def test_replay_tells_missing_private_and_outside_spreadsheets_apart(tmp_path: Path) -> None:
    def exchange(uri: str, status: int, body: str = "{}") -> dict[str, Any]:
        return {
            "request": {"method": "GET", "uri": uri, "body": None},
            "response": {"status": {"code": status}, "body": {"string": body}},
        }

    api = "https://sheets.googleapis.com/v4/spreadsheets/"
    missing = json.dumps(ApiError(404, "Requested entity was not found.").body())
    private = json.dumps(ApiError(403, "The caller does not have permission").body())
    cassette = tmp_path / "world.json"
    cassette.write_text(
        json.dumps(
            {
                "interactions": [
                    exchange(api + "gone", 404, missing),
                    exchange(api + "theirs", 403, private),
                    exchange(api + "ours", 200, '{"spreadsheetId": "ours"}'),
                    exchange("https://www.googleapis.com/drive/v3/files?q=x", 200),
                ]
            }
        )
    )
    result = replay(cassette)
    assert (result.matched, result.total, result.outside) == (2, 2, 2)
