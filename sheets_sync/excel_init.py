"""`stockout excel-init NAME` and `stockout excel-lite`: get the Excel side of stockout-kit.

excel-init writes NAME.xlsm and NAME.py side by side. The workbook is xlwings' own standalone
quickstart (its VBA module is inside, so no add-in is needed) with every tab and header of the
contract, a sheet of worked examples of the functions, and a Start sheet that says how to
import the functions and put the Refresh button on it. NAME.py is what that VBA talks to: Excel
imports the functions from it, and the button's macro runs its `main()`, which refreshes the
workbook in place through the live-Excel backend.

excel-lite writes the xlwings Lite bundle for Excel on the web and Mac, where classic xlwings
functions do not run: main.py (the functions and the Refresh script) and the `personal` folder
of modules Lite imports (see addin/lite.py).
"""

from __future__ import annotations

import functools
import inspect
import keyword
import math
import sys
from collections.abc import Callable
from importlib import util
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from addin import excel, lite
from sheets_sync import starter
from sheets_sync import workbook as wb
from sheets_sync.atomic_file import replace_file
from sheets_sync.backends.xlsx import fill_sheet
from sheets_sync.guide import settings_grid
from sheets_sync.help_texts import epilog
from sheets_sync.starter import starter_grids
from sheets_sync.terminal import fail

#: The macro in xlwings' standalone quickstart that runs `import NAME; NAME.main()`.
REFRESH_MACRO = "SampleCall"
#: The xlwings VBA macro that imports the functions of NAME.py (the add-in's "Import Functions").
IMPORT_MACRO = "ImportPythonUDFs"
START, FUNCTIONS, CONFIG = "Start", "Functions", "_xlwings.conf"

PYTHON_MODULE = '''"""{name}: the stockout-kit functions and the Refresh button of {name}.xlsm.

Made by `stockout excel-init {name}`; keep it next to {name}.xlsm.
Excel imports the functions from this module (xlwings add-in > Import Functions,
or Alt+F8 > {import_macro}); the Refresh button runs main() through the macro {refresh_macro}.
"""

import xlwings as xw

from addin.excel import *  # noqa: F403  (the functions Excel imports from this module)
from sheets_sync.excel_button import refresh_book


def main():
    """Refresh the workbook whose button was pressed, and say how it went."""
    refresh_book(xw.Book.caller())


if __name__ == "__main__":
    xw.Book("{name}.xlsm").set_mock_caller()
    main()
'''

START_TEXT = [
    "stockout-kit for Excel: {name}.xlsm",
    "",
    "1. Keep {name}.py in the same folder as this workbook. Python with stockout-kit installed "
    "(pip install stockout-kit) must be the Python that xlwings starts.",
    "2. Windows: File > Options > Trust Center > Trust Center Settings > Macro Settings: tick "
    '"Trust access to the VBA project object model" (needed to import the functions once).',
    "3. Import the functions: press Alt+F8, choose {import_macro}, Run (or xlwings tab > Import "
    "Functions if the xlwings add-in is installed). Then see the {functions} sheet.",
    "4. Refresh button: Developer tab > Insert > Button (Form Control), draw it here, assign the "
    'macro {refresh_macro} and label it "Refresh". Without a button: Alt+F8 > {refresh_macro} > '
    "Run. Excel for Mac: the same macro runs the refresh; the functions need xlwings Lite.",
    "5. Fill Inventory and Sales (or import Amazon reports with `stockout import {name}.xlsm "
    "FILE`), then press Refresh: Alerts, Drafts, Incidents and Problems are written here.",
    "",
    "Excel for the web or Mac: the functions and a Refresh script run in xlwings Lite. Run "
    "`stockout excel-lite` and follow what it prints.",
    "If Python is not found: rename the sheet {config} to xlwings.conf and set Interpreter_Win "
    "(or Interpreter_Mac) to your Python.",
]

#: Example rows for the Functions sheet: SKU, available, daily sales, daily SD, inbound qty,
#: days from as-of to the inbound ETA, lead time days.
EXAMPLES = [
    ("DEMO-FAST", 120, 9.5, 3.1, 400, 21, 75),
    ("DEMO-STEADY", 640, 6.0, 1.8, 0, None, 75),
    ("DEMO-OUT", 0, 4.2, 1.5, 300, 9, 60),
]
EXAMPLE_HEADER = [
    "SKU", "Available", "Daily sales", "Daily SD", "Inbound qty", "Inbound ETA", "Lead time days",
    "Days of cover", "Stockout date", "Stockout gap", "Alert", "Safety stock", "Reorder date",
    "Reorder qty",
]  # fmt: skip
#: Columns of EXAMPLE_HEADER from "Days of cover" on, as formulas of row {r}; $B$2 is the as-of.
EXAMPLE_FORMULAS = [
    "=DAYS_OF_COVER(B{r},C{r})",
    "=STOCKOUT_DATE(B{r},C{r},$B$2,E{r},F{r})",
    "=STOCKOUT_GAP(B{r},C{r},$B$2,F{r})",
    '=ALERT_LEVEL(IF(I{r}="","",I{r}-$B$2),B{r})',
    "=SAFETY_STOCK(C{r},D{r},G{r})",
    "=REORDER_DATE(B{r},C{r},G{r},$B$2,L{r},E{r},F{r})",
    "=REORDER_QTY(B{r},E{r},C{r},G{r},60,L{r})",
]
EXAMPLE_UNITS = [7, 9, 0, 11, 8, 10, 12, 9, 8, 13, 10, 9, 11, 10]


class InitError(Exception):
    """NAME or the folder cannot be used; the message says why in plain words."""


def check_name(name: str, folder: Path) -> None:
    """NAME becomes `import NAME` inside Excel, so it must be a module name nothing else owns."""
    if not name.isidentifier() or keyword.iskeyword(name):
        raise InitError(
            f"{name!r} cannot be a Python module name: use letters, digits and _ "
            "and start with a letter (e.g. stock_plan)"
        )
    spec = util.find_spec(name) if name not in sys.modules else None
    taken = name in sys.stdlib_module_names or name in sys.modules or spec is not None
    if taken and not (spec is not None and spec.origin == str(folder.resolve() / f"{name}.py")):
        raise InitError(f"{name!r} is already a Python module; Excel would import that instead")


def quickstart_workbook() -> Path:
    """xlwings' standalone quickstart workbook, as shipped with the installed xlwings."""
    spec = util.find_spec("xlwings")
    path = Path(spec.origin).parent / "quickstart_standalone.xlsm" if spec and spec.origin else None
    if path is None or not path.is_file():
        raise InitError("the installed xlwings has no quickstart_standalone.xlsm")
    return path


def write_excel_files(
    name: str, folder: Path, *, force: bool = False, interpreter: str | None = None
) -> tuple[Path, Path]:
    """Write NAME.xlsm and NAME.py into FOLDER and return their paths.

    `interpreter` pre-fills the (inactive) xlwings.conf sheet with the Python to start, so a
    user whose Excel finds the wrong Python only has to rename that sheet.
    """
    check_name(name, folder)
    book_path, module_path = folder / f"{name}.xlsm", folder / f"{name}.py"
    existing = [p for p in (book_path, module_path) if p.exists()]
    if existing and not force:
        raise InitError(f"{existing[0]} exists: choose another NAME or pass --force")
    folder.mkdir(parents=True, exist_ok=True)
    book = build_workbook(name, interpreter)
    replace_file(book_path, book.save)
    text = PYTHON_MODULE.format(name=name, import_macro=IMPORT_MACRO, refresh_macro=REFRESH_MACRO)
    replace_file(module_path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return book_path, module_path


def build_workbook(name: str, interpreter: str | None = None):  # -> openpyxl Workbook
    """The quickstart workbook with the Start sheet, every contract tab and the examples."""
    from openpyxl import load_workbook

    book = load_workbook(quickstart_workbook(), keep_vba=True)
    start = book.worksheets[0]
    start.title = START
    _write_start(start, name)
    for tab, grid in starter_grids().items():
        if tab != starter.START:  # the Excel workbook has its own Start sheet, above
            fill_sheet(book.create_sheet(tab), starter.tab_for(tab, grid))
    _write_functions(book.create_sheet(FUNCTIONS))
    config = book[CONFIG]
    book.move_sheet(config, offset=len(book.sheetnames) - 1 - book.sheetnames.index(CONFIG))
    if interpreter:
        key = "Interpreter_Mac" if sys.platform == "darwin" else "Interpreter_Win"
        for row in config.iter_rows(min_col=1, max_col=2):
            if row[0].value == key:
                _put(row[1], interpreter)
    book.active = 0
    return book


def _put(cell, value) -> None:
    """Write a value; text stays text even when it starts with '=' (openpyxl would make it a
    formula)."""
    cell.value = value
    if isinstance(value, str) and cell.data_type == "f":
        cell.data_type = "s"


def _bold_header(sheet, row: int, values: list) -> None:
    from openpyxl.styles import Font

    for col, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=col)
        _put(cell, value)
        cell.font = Font(bold=True)


def _write_start(sheet, name: str) -> None:
    from openpyxl.styles import Alignment, Font

    words = {
        "name": name, "import_macro": IMPORT_MACRO, "refresh_macro": REFRESH_MACRO,
        "functions": FUNCTIONS, "config": CONFIG,
    }  # fmt: skip
    for row, line in enumerate(START_TEXT, start=1):
        text = line.format(**words)
        cell = sheet.cell(row=row, column=1)
        _put(cell, text or None)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.row_dimensions[row].height = 15 * max(1, math.ceil(len(text) / 100))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 110


def _write_functions(sheet) -> None:
    """Worked examples over a dated as-of cell, then a reference built from the functions."""
    from openpyxl.styles import Font

    as_of_row = 1 + [row[0] for row in settings_grid()[1:]].index("as_of") + 1
    _put(sheet["A1"], "Stockout functions: worked examples")
    sheet["A1"].font = Font(bold=True, size=14)
    _put(sheet["A2"], "As of")
    sheet["B2"] = f'=IF({wb.SETTINGS}!$B${as_of_row}="",TODAY(),{wb.SETTINGS}!$B${as_of_row})'
    sheet["B2"].number_format = "yyyy-mm-dd"
    _put(
        sheet["A3"],
        "Every function takes single cells or whole columns (Excel 365 spills one result per "
        "row). They show #NAME? until imported: see the Start sheet.",
    )
    _bold_header(sheet, 5, EXAMPLE_HEADER)
    for r, (sku, available, daily, sd, qty, eta_days, lead) in enumerate(EXAMPLES, start=6):
        eta = f"=$B$2+{eta_days}" if eta_days is not None else None
        values: list[Any] = [sku, available, daily, sd, qty or None, eta, lead]
        for col, cell in enumerate(values + [f.format(r=r) for f in EXAMPLE_FORMULAS], start=1):
            sheet.cell(row=r, column=col).value = cell
        for letter in ("F", "I", "M"):
            sheet[f"{letter}{r}"].number_format = "yyyy-mm-dd"
        sheet[f"H{r}"].number_format = "0.0"
    units_row = 7 + len(EXAMPLES)
    _put(sheet.cell(row=units_row, column=1), "Units sold per day, oldest first:")
    for col, units in enumerate(EXAMPLE_UNITS, start=2):
        sheet.cell(row=units_row, column=col).value = units
    last = sheet.cell(row=units_row, column=1 + len(EXAMPLE_UNITS)).coordinate
    _put(sheet.cell(row=units_row + 1, column=1), "Sales velocity (units/day):")
    sheet.cell(row=units_row + 1, column=2).value = f"=SALES_VELOCITY(B{units_row}:{last})"
    sheet.cell(row=units_row + 1, column=2).number_format = "0.00"
    _put(sheet.cell(row=units_row + 2, column=1), "Forecast units/day, next 30 days:")
    sheet.cell(row=units_row + 2, column=2).value = f"=DEMAND_FORECAST(B{units_row}:{last},$B$2)"
    sheet.cell(row=units_row + 2, column=2).number_format = "0.00"
    ref_row = units_row + 4
    _bold_header(sheet, ref_row, ["Function", "Arguments ([optional])", "What it gives"])
    for offset, fname in enumerate(sorted(excel.__all__), start=1):
        function = getattr(excel, fname)
        for col, value in enumerate([fname, _arguments(function), function.__doc__], start=1):
            _put(sheet.cell(row=ref_row + offset, column=col), value)
    for col, header in enumerate(EXAMPLE_HEADER, start=1):
        width = 32 if col == 1 else max(11, len(header) + 3)
        sheet.column_dimensions[sheet.cell(row=1, column=col).column_letter].width = width


def _arguments(function: Callable) -> str:
    params = inspect.signature(function).parameters.values()
    return ", ".join(p.name if p.default is p.empty else f"[{p.name}]" for p in params)


def _write_text(tmp: Path, text: str) -> None:
    tmp.write_text(text, encoding="utf-8")


@click.command("excel-init", epilog=epilog("excel-init"))
@click.argument("name")
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder to write NAME.xlsm and NAME.py into.",
)
@click.option("--force", is_flag=True, help="Overwrite NAME.xlsm and NAME.py if they exist.")
def excel_init_command(name: str, folder: Path, force: bool) -> None:
    """Create NAME.xlsm + NAME.py: the Excel functions and a Refresh button, no add-in needed."""
    interpreter = sys.executable if sys.platform in ("win32", "darwin") else None
    try:
        book_path, module_path = write_excel_files(
            name, folder, force=force, interpreter=interpreter
        )
    except (InitError, OSError) as exc:
        fail(str(exc))
    Console().print(
        f"Created {book_path} and {module_path}.\n"
        f"Open {book_path.name} in Excel and follow its Start sheet: import the functions "
        f"(Alt+F8 > {IMPORT_MACRO}) and give macro {REFRESH_MACRO} a Refresh button.",
        highlight=False,
    )


@click.command("excel-lite", epilog=epilog("excel-lite"))
@click.argument(
    "directory",
    metavar="[DIR]",
    required=False,
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("stockout-lite"),
)
@click.option("--force", is_flag=True, help="Overwrite the bundle in DIR if it exists.")
def excel_lite_command(directory: Path, force: bool) -> None:
    """Write the xlwings Lite bundle (Excel on the web and Mac) [default: stockout-lite]."""
    from sheets_sync.sheet_contract import schema_data

    if (directory / "main.py").exists() and not force:
        fail(f"{directory / 'main.py'} exists: choose another DIR or pass --force")
    try:
        for name, text in lite.bundle_files(schema_data()).items():
            path = directory / name
            path.parent.mkdir(parents=True, exist_ok=True)
            replace_file(path, functools.partial(_write_text, text=text))
    except (OSError, RuntimeError) as exc:
        fail(str(exc))
    Console().print(
        f"Created {directory}. In Excel: Home > Add-ins > xlwings Lite. In its menu, Files > "
        f"Import/Export: drop the folder {directory / 'personal'} there, then Menu > Restart. "
        f"Replace main.py with {directory / 'main.py'} and save. The functions "
        f"{', '.join(excel.__all__)} appear, and the Run button runs stockout_refresh, which "
        "refreshes Alerts, Incidents and Problems.",
        highlight=False,
    )


__all__ = [
    "InitError",
    "build_workbook",
    "excel_init_command",
    "excel_lite_command",
    "write_excel_files",
]
