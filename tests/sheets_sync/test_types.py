"""Targets parsed once: the backend, the history store, the alert memory and the templates agree."""

from __future__ import annotations

from pathlib import Path

import pytest

from sheets_sync.backends import open_backend, parse_target
from sheets_sync.backends.gsheets import spreadsheet_id
from sheets_sync.types import TargetError
from stockout_testing.fake_sheets import session_for


def test_a_target_names_its_kind_and_key() -> None:
    url = "gsheet:https://docs.google.com/spreadsheets/d/1AbC-x_9defg/edit#gid=0"
    assert (parse_target(url).kind, parse_target(url).key) == ("gsheet", "1AbC-x_9defg")
    assert str(parse_target(url)) == "gsheet:1AbC-x_9defg"
    assert (parse_target("excel:").kind, parse_target("excel:").key) == ("excel", "caller")
    assert str(parse_target("plans/book.xlsx")) == "plans/book.xlsx"
    assert parse_target(Path("b.xlsx")) == parse_target("b.xlsx")
    assert parse_target(Path("b.xlsx")).kind == "xlsx"


def test_store_sits_beside_the_workbook_or_per_sheet_id(tmp_path, monkeypatch) -> None:
    book = parse_target(tmp_path / "plans" / "book.xlsx")
    assert book.store_path == tmp_path / "plans" / "book.stockout.sqlite"
    assert book.folder == tmp_path / "plans"
    monkeypatch.setenv("STOCKOUT_HOME", str(tmp_path / "home"))
    url = "gsheet:https://docs.google.com/spreadsheets/d/1AbC-x_9defg/edit#gid=0"
    sheet = parse_target(url)
    assert sheet.store_path == tmp_path / "home" / "gsheets" / "1AbC-x_9defg.stockout.sqlite"
    assert parse_target("gsheet:1AbC-x_9defg").store_path == sheet.store_path
    assert sheet.folder is None
    monkeypatch.chdir(tmp_path)
    assert sheet.template_root == tmp_path


def test_an_excel_caller_has_no_store_until_the_book_is_known() -> None:
    with pytest.raises(TargetError, match="not known yet"):
        _ = parse_target("excel:caller").store_path


def test_a_google_backend_is_known_by_its_id_not_its_label(monkeypatch, tmp_path) -> None:
    """The label "Google Sheet <id>" once served as a path: stores landed in ./Google Sheet..."""
    monkeypatch.setenv("STOCKOUT_HOME", str(tmp_path))
    backend = open_backend("gsheet:1AbC-x_9defg", session=session_for("http://127.0.0.1:9"))
    assert backend.label == "Google Sheet 1AbC-x_9defg"
    assert backend.target.store_path == tmp_path / "gsheets" / "1AbC-x_9defg.stockout.sqlite"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1AbC-def_GHIjklmnop", "1AbC-def_GHIjklmnop"),
        ("https://docs.google.com/spreadsheets/d/1AbC-def_GHIjk/edit#gid=0", "1AbC-def_GHIjk"),
    ],
)
def test_accepts_an_id_or_a_url(text: str, expected: str) -> None:
    assert spreadsheet_id(text) == expected


def test_a_bad_target_is_explained() -> None:
    with pytest.raises(TargetError, match="not a Google Sheets id or URL"):
        spreadsheet_id("my sheet")
