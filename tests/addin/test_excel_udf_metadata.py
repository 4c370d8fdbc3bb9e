"""What Windows Excel would import from an excel-init module, built by xlwings' own machinery.

On Windows, "Import Functions" runs `xlwings.udfs.import_udfs`: it reads the `__xlfunc__`
metadata the decorators leave on each function, writes a VBA module of wrappers, imports it
into the workbook and registers descriptions with `Application.MacroOptions`. Here the
Windows-only modules it imports (pythoncom, pywintypes, win32com.client) are stubbed, the real
`xlwings.udfs` decorators replace the pass-through ones of Linux, and the workbook is a
recording stand-in for Excel's COM objects. `xlwings.udfs` is not a public API, so this test
stays small and checks only what a user sees: names, arguments, optional markers, help texts.
"""

from __future__ import annotations

import importlib
import inspect
import re
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import xlwings

import addin
from sheets_sync.excel_init import PYTHON_MODULE

#: SPEC §4: each function's arguments, optional ones in brackets, in order.
SPEC_ARGUMENTS = {
    "DAYS_OF_COVER": "available, daily_sales",
    # sku: units is then the long Sales table, as the workbook's Sales tab keeps it.
    "SALES_VELOCITY": "units, [in_stock], [windows], [weights], [sku], [as_of]",
    "DEMAND_FORECAST": "units, as_of, [days], [in_stock], [season], [sku]",
    # history: the days ahead follow the forecast of a daily units range (issue 11).
    "STOCKOUT_DATE": "available, daily_sales, as_of, [inbound_qty], [inbound_eta], [history]",
    # v2: the gap also ends when a regular order placed today lands (SPEC §3), so the lead time
    # is an argument; an ETA needs the as_of it counts from (SPEC §4 omits both).
    "STOCKOUT_GAP": "available, daily_sales, as_of, [next_eta], [lead_time_days]",
    "SAFETY_STOCK": (
        "daily_sales, daily_sd, lead_time_days, [service_level], [lead_time_sd], [safety_days]"
    ),
    "REORDER_DATE": (
        "available, daily_sales, lead_time_days, as_of, [safety_stock], [inbound_qty], "
        "[inbound_eta], [history]"
    ),
    "REORDER_QTY": (
        "available, inbound, daily_sales, lead_time_days, [cover_days], [safety_stock], "
        "[case_pack], [moq], [inbound_eta], [as_of]"
    ),
    "ALERT_LEVEL": (
        "days_to_stockout, [available], [warn_days], [lead_time_days], [days_to_reorder], "
        "[overdue_inbound]"
    ),
}


class ComError(Exception):
    """pywintypes.com_error"""


class FakeComponents:
    """Workbook.VBProject.VBComponents (COM names): no xlwings_udfs module yet; keeps imports."""

    def __init__(self) -> None:
        self.imported: list[str] = []

    def __call__(self, name: str) -> Any:
        raise ComError(name)

    def Remove(self, component: Any) -> None:
        raise AssertionError("there is no module to remove")

    def Import(self, path: str) -> None:
        self.imported.append(Path(path).read_text())


class FakeApplication:
    Version = "16.0"

    def __init__(self) -> None:
        self.macro_options: dict[str, dict[str, Any]] = {}

    def MacroOptions(self, macro: str, **options: Any) -> None:
        self.macro_options[macro] = options


class FakeWorkbook:
    Name = "stock_plan.xlsm"

    def __init__(self) -> None:
        self.VBProject = types.SimpleNamespace(VBComponents=FakeComponents())
        self.Application = FakeApplication()


@pytest.fixture
def imported(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[tuple[str, dict, types.ModuleType]]:
    """(VBA module text, MacroOptions by macro, the UDF module) as Import Functions makes them.

    Afterwards the process is as before: no stubs, no xlwings.udfs, the original addin.excel.
    """
    stubs = {name: types.ModuleType(name) for name in ("pythoncom", "pywintypes", "win32com")}
    stubs["win32com.client"] = types.ModuleType("win32com.client")
    stubs["pythoncom"].CoInitialize = lambda: None
    stubs["pywintypes"].com_error = ComError
    stubs["win32com.client"].Dispatch = lambda obj: obj
    for name, module in stubs.items():
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.delitem(sys.modules, "xlwings.udfs", raising=False)
    udfs = importlib.import_module("xlwings.udfs")
    monkeypatch.setattr(xlwings, "func", udfs.xlfunc)
    monkeypatch.setattr(xlwings, "arg", udfs.xlarg)
    monkeypatch.setattr(xlwings, "ret", udfs.xlret)
    # A fresh addin.excel, decorated by the Windows decorators; the original comes back after.
    monkeypatch.delitem(sys.modules, "addin.excel")
    monkeypatch.setattr(addin, "excel", addin.excel)

    source = tmp_path / "stock_plan.py"
    source.write_text(PYTHON_MODULE.format(name="stock_plan", import_macro="", refresh_macro=""))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "stock_plan", raising=False)
    module = importlib.import_module("stock_plan")
    monkeypatch.setitem(
        udfs.udf_modules,
        "stock_plan",
        {"filename": str(source), "filetime": None, "module": module},
    )

    workbook = FakeWorkbook()
    udfs.import_udfs("stock_plan", workbook)
    [vba] = workbook.VBProject.VBComponents.imported
    yield vba, workbook.Application.macro_options, module
    for name in ("xlwings.udfs", "stock_plan"):
        sys.modules.pop(name, None)
    vars(xlwings).pop("udfs", None)


def _spec_signature(arguments: str) -> str:
    return ", ".join(
        f"Optional {a.strip('[]')}" if a.startswith("[") else a for a in arguments.split(", ")
    )


def test_excel_gets_exactly_the_spec_functions_with_the_spec_arguments(
    imported: tuple[str, dict, types.ModuleType],
) -> None:
    vba, _, _ = imported
    declared = dict(re.findall(r"^Function (\w+)\((.*)\)$", vba, re.M))
    assert declared == {name: _spec_signature(args) for name, args in SPEC_ARGUMENTS.items()}
    assert not re.search(r"^Sub ", vba, re.M)
    assert "Application.Volatile" not in vba


def test_each_wrapper_calls_the_workbook_module_with_every_argument(
    imported: tuple[str, dict, types.ModuleType],
) -> None:
    vba, _, _ = imported
    for name, arguments in SPEC_ARGUMENTS.items():
        array = ", ".join(a.strip("[]") for a in arguments.split(", "))
        call = (
            f'{name} = XLPy.CallUDF("stock_plan", "{name}", Array({array}), '
            "ThisWorkbook, Application.Caller)"
        )
        assert call in vba, name


def test_every_argument_arrives_as_a_2d_range_without_type_converters(
    imported: tuple[str, dict, types.ModuleType],
) -> None:
    _, _, module = imported
    for name in SPEC_ARGUMENTS:
        info = getattr(module, name).__xlfunc__
        assert [a["options"] for a in info["args"]] == [{"ndim": 2}] * len(info["args"]), name
        assert info["ret"]["options"] == {}, name
        assert info["async_mode"] is None and info["volatile"] is False, name


def test_the_function_wizard_gets_readable_help_for_functions_and_arguments(
    imported: tuple[str, dict, types.ModuleType],
) -> None:
    _, options, module = imported
    assert set(options) == {f"'stock_plan.xlsm'!{name}" for name in SPEC_ARGUMENTS}
    for name in SPEC_ARGUMENTS:
        registered = options[f"'stock_plan.xlsm'!{name}"]
        assert registered["Description"] == getattr(module, name).__doc__
        params = inspect.signature(getattr(module, name)).parameters
        docs = registered["ArgumentDescriptions"]
        assert len(docs) == len(params), name
        for doc in docs:
            assert 10 < len(doc) <= 255 and not doc.startswith("Positional argument"), (name, doc)
        optional = [d for d, p in zip(docs, params.values(), strict=True) if p.default is None]
        assert all(d.startswith("Optional") for d in optional), name
