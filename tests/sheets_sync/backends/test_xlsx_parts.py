"""A seller's workbook comes back intact after refreshes; what cannot be kept is said first."""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.drawing.image import Image
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table
from PIL import Image as Picture

from sheets_sync.backends.xlsx_parts import unkept
from sheets_sync.cli import main
from sheets_sync.refresh import refresh
from sheets_sync.sources.importer import import_files
from sheets_sync.types import TargetError
from tests.sheets_sync.sources.test_importer import UNSHIPPED
from tests.sheets_sync.test_refresh import AS_OF, make_book

RED = PatternFill("solid", fgColor="FFC7CE")


def picture() -> Image:
    data = io.BytesIO()
    Picture.new("RGB", (24, 16), (200, 30, 30)).save(data, "PNG")
    data.seek(0)
    return Image(data)


def decorate(path: Path) -> None:
    """What sellers add: their own tab with a picture, a chart, a table, rules and notes; a
    hidden lookup tab; names; notes, dropdowns and colours on the input and output tabs."""
    book = openpyxl.load_workbook(path)
    mine = book.create_sheet("My tab")
    mine.append(["Month", "Units", "Double"])
    for month, units in (("Jan", 10), ("Feb", 25), ("Mar", 18)):
        mine.append([month, units, f"=B{mine.max_row + 1}*2"])
    mine.add_image(picture(), "F2")
    chart = BarChart()
    chart.title = "My units"
    chart.add_data(Reference(mine, min_col=2, min_row=1, max_row=4), titles_from_data=True)
    mine.add_chart(chart, "F10")
    mine.add_table(Table(displayName="MyUnits", ref="A1:C4"))
    mine.conditional_formatting.add(
        "B2:B4", CellIsRule(operator="greaterThan", formula=["20"], fill=RED)
    )
    months = DataValidation(type="list", formula1='"Jan,Feb,Mar"')
    months.add("A2:A20")
    mine.add_data_validation(months)
    mine["A1"].comment = Comment("Months of this year", "Anna")
    lookup = book.create_sheet("Lookup")
    lookup.append(["Supplier", "Contact"])
    lookup.append(["Guangzhou Co", "li@example.com"])
    lookup.sheet_state = "hidden"
    book.defined_names["UnitsByMonth"] = DefinedName("UnitsByMonth", attr_text="'My tab'!$B$2:$B$4")
    inventory = book["Inventory"]
    inventory["A2"].comment = Comment("Best seller: check weekly", "Anna")
    low = CellIsRule(operator="lessThan", formula=["10"], fill=RED)
    inventory.conditional_formatting.add("D2:D100", low)
    alerts = book["Alerts"]
    alerts.add_image(picture(), "AD2")
    check = CellIsRule(operator="equal", formula=['"check"'], fill=RED)
    alerts.conditional_formatting.add("AC2:AC50", check)
    book.save(path)


def test_a_decorated_workbook_comes_back_intact_after_refreshes(tmp_path: Path) -> None:
    path = make_book(tmp_path / "book.xlsx")
    refresh(str(path), as_of=AS_OF)
    decorate(path)
    for _ in range(2):
        result = refresh(str(path), as_of=AS_OF)
        assert not [p for p in result.problems if "cannot keep" in p.problem]
    book = openpyxl.load_workbook(path)
    mine = book["My tab"]
    assert [[c.value for c in row] for row in mine.iter_rows()] == [
        ["Month", "Units", "Double"], ["Jan", 10, "=B2*2"], ["Feb", 25, "=B3*2"],
        ["Mar", 18, "=B4*2"],
    ]  # fmt: skip
    assert len(mine._images) == 1 and len(mine._charts) == 1
    assert "MyUnits" in mine.tables
    assert [str(r.sqref) for r in mine.conditional_formatting] == ["B2:B4"]
    assert [str(dv.sqref) for dv in mine.data_validations.dataValidation] == ["A2:A20"]
    assert mine["A1"].comment.text == "Months of this year"
    assert book["Lookup"].sheet_state == "hidden" and book["Lookup"]["B2"].value
    assert book.defined_names["UnitsByMonth"].attr_text == "'My tab'!$B$2:$B$4"
    inventory = book["Inventory"]
    assert inventory["A2"].comment.text == "Best seller: check weekly"
    assert "D2:D100" in [str(r.sqref) for r in inventory.conditional_formatting]
    alerts = book["Alerts"]
    assert len(alerts._images) == 1
    assert "AC2:AC50" in [str(r.sqref) for r in alerts.conditional_formatting]
    # The values of the user's formulas are saved too (openpyxl alone would save blanks).
    assert openpyxl.load_workbook(path, data_only=True)["Inventory"]["A2"].value == "A-1"


def add_parts(path: Path, parts: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "a") as book:
        for name, data in parts.items():
            book.writestr(name, data)


def test_content_openpyxl_cannot_keep_is_named_on_problems_before_it_goes(tmp_path: Path) -> None:
    path = make_book(tmp_path / "book.xlsx")
    add_parts(path, {"xl/slicers/slicer1.xml": b"<slicers/>",
                     "xl/ctrlProps/ctrlProp1.xml": b"<formControlPr/>"})  # fmt: skip
    assert unkept(path, keep_vba=False) == ["slicers", "form controls"]
    result = refresh(str(path), as_of=AS_OF)
    (warning,) = [p.problem for p in result.problems if "cannot keep" in p.problem]
    assert "slicers, form controls" in warning and "book.backups/" in warning
    assert unkept(path, keep_vba=False) == []  # gone, as said; the backup still has them
    (backup,) = (tmp_path / "book.backups").iterdir()
    assert unkept(backup, keep_vba=False) == ["slicers", "form controls"]


def test_import_and_pull_say_what_their_save_drops_too(tmp_path: Path) -> None:
    """Any command that saves the workbook warns, not only a refresh: an import that updates
    the Orders tab says it in its summary, its JSON and its exit code (1). (A pull: in
    test_spapi.)"""
    path = make_book(tmp_path / "book.xlsx")
    add_parts(path, {"xl/slicers/slicer1.xml": b"<slicers/>"})
    report = tmp_path / "unshipped.txt"
    report.write_text(UNSHIPPED, encoding="utf-8")
    shown = CliRunner().invoke(main, ["import", str(path), str(report)])
    assert shown.exit_code == 1, shown.output
    assert "Warning: this workbook has slicers, which stockout cannot keep" in shown.output
    assert "book.backups/" in shown.output
    assert unkept(path, keep_vba=False) == []
    add_parts(path, {"xl/slicers/slicer2.xml": b"<slicers/>"})
    again = tmp_path / "unshipped-2.txt"
    again.write_text(UNSHIPPED.replace("Paul", "Paula"), encoding="utf-8")
    result = import_files(str(path), [again])
    assert result.exit_code == 1 and result.summary()["warnings"] == result.warnings
    (warning,) = result.warnings
    assert warning.startswith("this workbook has slicers, which stockout cannot keep")


def test_shapes_and_sparklines_are_recognised_in_the_xml(tmp_path: Path) -> None:
    path = make_book(tmp_path / "book.xlsx")
    add_parts(path, {"xl/drawings/drawing9.xml": b'<xdr:wsDr><xdr:sp macro="">',
                     "xl/worksheets/sheet99.xml": b"<x14:sparklineGroups>"})  # fmt: skip
    assert unkept(path, keep_vba=False) == ["shapes or text boxes", "sparklines"]


def test_without_pillow_a_workbook_with_pictures_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make_book(tmp_path / "book.xlsx")
    book = openpyxl.load_workbook(path)
    book["Inventory"].add_image(picture(), "M2")
    book.save(path)
    before = path.read_bytes()
    monkeypatch.setitem(sys.modules, "PIL", None)  # as if Pillow were not installed
    with pytest.raises(TargetError, match="without Pillow would delete them"):
        refresh(str(path), as_of=AS_OF)
    assert path.read_bytes() == before
