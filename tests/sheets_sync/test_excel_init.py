"""`stockout excel-init` and `stockout excel-lite`: the files an Excel user starts from.

The workbook is checked as Excel would load it (openpyxl keeping the VBA project) and its VBA is
read back out of vbaProject.bin, so the macro names the Start sheet tells users to run are the
ones really inside. NAME.py is imported and its main() wiring checked; what main() then does in
a workbook is covered by the live-Excel backend tests.
"""

from __future__ import annotations

import importlib.util
import inspect
import re
import zipfile
from pathlib import Path

import olefile
import openpyxl
import pytest
import xlwings as xw
from click.testing import CliRunner

from addin import excel, lite
from sheets_sync import workbook as wb
from sheets_sync.excel_init import (
    CONFIG,
    FUNCTIONS,
    IMPORT_MACRO,
    REFRESH_MACRO,
    START,
    InitError,
    excel_init_command,
    excel_lite_command,
    write_excel_files,
)
from sheets_sync.starter import starter_grids


def _decompress(data: bytes) -> bytes:
    """MS-OVBA 2.4.1 decompression: how VBA source is stored inside vbaProject.bin."""
    out, pos = bytearray(), 1
    while pos < len(data):
        header = int.from_bytes(data[pos : pos + 2], "little")
        pos += 2
        end = min(pos + (header & 0x0FFF) + 1, len(data))
        start = len(out)
        if not header & 0x8000:
            out += data[pos : pos + 4096]
            pos += 4096
            continue
        while pos < end:
            flags = data[pos]
            pos += 1
            for bit in range(8):
                if pos >= end:
                    break
                if not flags >> bit & 1:
                    out.append(data[pos])
                    pos += 1
                    continue
                token = int.from_bytes(data[pos : pos + 2], "little")
                pos += 2
                bits = max((len(out) - start - 1).bit_length(), 4)
                offset, length = (token >> (16 - bits)) + 1, (token & (0xFFFF >> bits)) + 3
                for _ in range(length):
                    out.append(out[-offset])
    return bytes(out)


def vba_modules(xlsm: Path) -> dict[str, str]:
    """The source of every VBA module in the workbook, by module name."""
    with zipfile.ZipFile(xlsm) as archive:
        ole = olefile.OleFileIO(archive.read("xl/vbaProject.bin"))
    directory = _decompress(ole.openstream("VBA/dir").read())
    offsets, name, pos = {}, None, 0
    while pos < len(directory):
        record = int.from_bytes(directory[pos : pos + 2], "little")
        size = int.from_bytes(directory[pos + 2 : pos + 6], "little")
        size = 6 if record == 0x0009 else size  # PROJECTVERSION lies about its size
        data = directory[pos + 6 : pos + 6 + size]
        pos += 6 + size
        if record == 0x0019:
            name = data.decode("latin-1")
        elif record == 0x0031:
            offsets[name] = int.from_bytes(data, "little")
    return {
        module: _decompress(ole.openstream(f"VBA/{module}").read()[offset:]).decode("latin-1")
        for module, offset in offsets.items()
    }


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("excel")
    return write_excel_files("stock_plan", folder, interpreter=r"C:\Python311\python.exe")


def test_writes_the_workbook_and_the_module_side_by_side(made: tuple[Path, Path]) -> None:
    book, module = made
    assert (book.name, module.name) == ("stock_plan.xlsm", "stock_plan.py")
    assert book.parent == module.parent
    assert sorted(p.name for p in book.parent.iterdir()) == ["stock_plan.py", "stock_plan.xlsm"]


def test_the_workbook_is_macro_enabled_and_keeps_the_vba_project(made: tuple[Path, Path]) -> None:
    with zipfile.ZipFile(made[0]) as archive:
        types = archive.read("[Content_Types].xml").decode()
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
    loaded = openpyxl.load_workbook(made[0], keep_vba=True)
    assert "xl/vbaProject.bin" in loaded.vba_archive.namelist()


def test_the_vba_has_the_macros_the_start_sheet_names(made: tuple[Path, Path]) -> None:
    modules = vba_modules(made[0])
    refresh = re.search(rf"Sub {REFRESH_MACRO}\(\)(.*?)End Sub", modules["Module1"], re.S)
    assert refresh is not None
    assert 'RunPython "import " & mymodule & ";" & mymodule & ".main()"' in refresh.group(1)
    assert "ThisWorkbook.Name" in refresh.group(1)
    assert f"Sub {IMPORT_MACRO}()" in modules["xlwings"]
    assert "Function RunPython(" in modules["xlwings"]


def test_every_contract_tab_has_its_headers_and_settings_their_defaults(
    made: tuple[Path, Path],
) -> None:
    loaded = openpyxl.load_workbook(made[0], keep_vba=True)
    starter = {tab: grid for tab, grid in starter_grids().items() if tab != START}
    assert loaded.sheetnames == [START, *starter, FUNCTIONS, CONFIG]
    for tab, grid in starter.items():
        rows = [list(r) for r in loaded[tab].iter_rows(values_only=True)]
        assert rows == grid, tab
        assert loaded[tab].freeze_panes in ("A2", "B2", "C2"), tab
    assert loaded[wb.INVENTORY]["A1"].comment is not None  # the same notes as `stockout new`
    assert wb.headers(wb.ALERTS) == [c.value for c in loaded[wb.ALERTS][1]]


def test_the_start_sheet_says_how_to_import_and_wire_the_button(made: tuple[Path, Path]) -> None:
    loaded = openpyxl.load_workbook(made[0], keep_vba=True)
    assert loaded.active.title == START
    text = "\n".join(str(c.value) for c in loaded[START]["A"] if c.value)
    for needed in (
        "stock_plan.py",
        IMPORT_MACRO,
        REFRESH_MACRO,
        "Trust access to the VBA project object model",
        "stockout excel-lite",
    ):
        assert needed in text


def _calls(formula: str) -> list[tuple[str, int]]:
    """(function, number of arguments) for each of our functions called in `formula`."""
    found = []
    for match in re.finditer(r"\b([A-Z_]+)\(", formula):
        if match.group(1) not in excel.__all__:
            continue
        depth, count, pos = 1, 1, match.end()
        while depth:
            ch = formula[pos]
            depth += {"(": 1, ")": -1}.get(ch, 0)
            count += ch == "," and depth == 1
            pos += 1
        found.append((match.group(1), count))
    return found


def test_the_examples_call_every_function_with_a_valid_number_of_arguments(
    made: tuple[Path, Path],
) -> None:
    loaded = openpyxl.load_workbook(made[0], keep_vba=True)
    sheet = loaded[FUNCTIONS]
    formulas = [c.value for row in sheet.iter_rows() for c in row if str(c.value).startswith("=")]
    used = set()
    for formula in formulas:
        for name, count in _calls(formula):
            params = inspect.signature(getattr(excel, name)).parameters.values()
            required = sum(p.default is p.empty for p in params)
            assert required <= count <= len(params), formula
            used.add(name)
    assert used == set(excel.__all__)
    assert sheet["B2"].value == '=IF(Settings!$B$2="",TODAY(),Settings!$B$2)'
    assert loaded[wb.SETTINGS]["A2"].value == "as_of"


def test_the_functions_sheet_lists_each_function_with_its_arguments(
    made: tuple[Path, Path],
) -> None:
    sheet = openpyxl.load_workbook(made[0], keep_vba=True)[FUNCTIONS]
    rows = {r[0]: r for r in sheet.iter_rows(values_only=True) if r[0] in excel.__all__}
    assert set(rows) == set(excel.__all__)
    assert rows["SAFETY_STOCK"][1] == (
        "daily_sales, daily_sd, lead_time_days, [service_level], [lead_time_sd], [safety_days]"
    )
    assert rows["DAYS_OF_COVER"][2] == excel.DAYS_OF_COVER.__doc__


def test_the_interpreter_is_prefilled_in_the_inactive_config_sheet(
    made: tuple[Path, Path],
) -> None:
    config = openpyxl.load_workbook(made[0], keep_vba=True)[CONFIG]
    values = {row[0]: row[1] for row in config.iter_rows(max_col=2, values_only=True) if row[0]}
    assert values["Interpreter_Win"] == r"C:\Python311\python.exe"


def test_the_module_exposes_main_and_every_function(
    made: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = importlib.util.spec_from_file_location("stock_plan", made[1])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name in excel.__all__:
        assert getattr(module, name) is getattr(excel, name)

    book = object()
    pressed = []
    monkeypatch.setattr(xw.Book, "caller", classmethod(lambda cls: book))
    monkeypatch.setattr(module, "refresh_book", pressed.append)
    module.main()
    assert pressed == [book]


def test_existing_files_are_kept_unless_forced(tmp_path: Path) -> None:
    write_excel_files("plan", tmp_path)
    (tmp_path / "plan.py").write_text("# mine\n")
    with pytest.raises(InitError, match="exists"):
        write_excel_files("plan", tmp_path)
    assert (tmp_path / "plan.py").read_text() == "# mine\n"
    write_excel_files("plan", tmp_path, force=True)
    assert "def main():" in (tmp_path / "plan.py").read_text()


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("my-plan", "cannot be a Python module name"),
        ("2026plan", "cannot be a Python module name"),
        ("class", "cannot be a Python module name"),
        ("json", "already a Python module"),
        ("xlwings", "already a Python module"),
    ],
)
def test_names_python_cannot_import_as_this_workbook_are_refused(
    tmp_path: Path, name: str, problem: str
) -> None:
    result = CliRunner().invoke(excel_init_command, [name, "--dir", str(tmp_path)])
    assert result.exit_code == 2
    assert problem in result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_the_command_writes_both_files_and_says_what_to_do_next(tmp_path: Path) -> None:
    result = CliRunner().invoke(excel_init_command, ["shop", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "shop.xlsm").is_file() and (tmp_path / "shop.py").is_file()
    assert IMPORT_MACRO in result.output and REFRESH_MACRO in result.output
    again = CliRunner().invoke(excel_init_command, ["shop", "--dir", str(tmp_path)])
    assert again.exit_code == 2 and "--force" in again.output


def test_excel_lite_writes_the_bundle_and_keeps_an_existing_one(tmp_path: Path) -> None:
    target = tmp_path / "lite"
    result = CliRunner().invoke(excel_lite_command, [str(target)])
    assert result.exit_code == 0, result.output
    assert (target / "main.py").read_text(encoding="utf-8") == lite.main_py()
    assert (target / "personal" / "addin" / "lite_refresh.py").is_file()
    assert "Import/Export" in result.output and "stockout_refresh" in result.output
    (target / "main.py").write_text("# my Lite code\n")
    again = CliRunner().invoke(excel_lite_command, [str(target)])
    assert again.exit_code == 2 and "--force" in again.output
    assert (target / "main.py").read_text() == "# my Lite code\n"
