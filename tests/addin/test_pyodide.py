"""addin/formulas.py and the xlwings Lite bundle under Pyodide, the Python inside xlwings Lite.

Node runs the npm `pyodide` package (installed by `npm install` at the repo root, as `.ci/run`
does). The bundle `stockout excel-lite` writes (main.py and its personal/ modules) is loaded there
as Lite loads it, and every shared vector is run through `addin.formulas` and through the Excel
function of the same name; the answers must be the vectors' and CPython's, to the last digit.
Then its Refresh script plans the demo workbook, and the tabs it writes must be the ones
`stockout refresh` writes for the same workbook. Without Node or the package the test skips here
and fails in CI (CI=true), where a skip would hide that Lite was never checked.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest

from addin import excel, formulas, lite
from addin.decisions import delay_notes
from sheets_sync import workbook as wb
from sheets_sync.backends.gsheets import GoogleSheetsBackend
from sheets_sync.refresh import refresh
from sheets_sync.sheet_contract import schema_data
from stockout_testing.fake_sheets import serve_fake, session_for
from tests.addin.google.test_in_sheet_refresh import by_header, encode, parity_tabs, with_dates
from tests.conftest import unavailable

REPO = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).parent / "pyodide" / "run.mjs"
DRIVER = Path(__file__).parent / "pyodide" / "lite_driver.py"
VECTORS = REPO / "tests" / "vectors"


def _cases() -> list[dict]:
    cases = []
    for path in sorted(VECTORS.glob("*.json")):
        vector = json.loads(path.read_text(encoding="utf-8"))
        if hasattr(formulas, vector["function"]):
            cases += [{"function": vector["function"], **case} for case in vector["cases"]]
    return cases


def _plain(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _cpython(call, args: list, kwargs: dict | None = None) -> object:
    try:
        return _plain(call(*args, **(kwargs or {})))
    except formulas.InputError as exc:
        return {"error": str(exc)}


@pytest.fixture(scope="module")
def pyodide_run(tmp_path_factory: pytest.TempPathFactory, node: str) -> dict:
    if not (REPO / "node_modules" / "pyodide").is_dir():
        unavailable("needs `npm ci` at the repo root (the pyodide package)")
    work = tmp_path_factory.mktemp("lite")
    for name, text in lite.bundle_files(schema_data()).items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text(text, encoding="utf-8")
    (work / "cases.json").write_text(json.dumps(_cases()), encoding="utf-8")
    book = {name: [[encode(c) for c in row] for row in grid] for name, grid in _demo().items()}
    (work / "book.json").write_text(json.dumps(book), encoding="utf-8")
    paths = [work / "main.py", work / "personal", work / "cases.json", work / "book.json"]
    done = subprocess.run(
        [node, str(RUNNER), str(DRIVER), *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


AS_OF = dt.date(2026, 11, 25)


def _demo() -> dict:
    return parity_tabs(AS_OF)  # Python-only settings left out, as there


def test_it_really_ran_under_pyodide(pyodide_run: dict) -> None:
    assert pyodide_run["platform"] == "emscripten"


def test_every_vector_gives_the_expected_answer_in_pyodide(pyodide_run: dict) -> None:
    cases = _cases()
    assert len(pyodide_run["results"]) == len(cases) > 50
    for case, got in zip(cases, pyodide_run["results"], strict=True):
        assert got["formulas"] == case["expected"], (case["function"], case["name"])


def test_pyodide_agrees_with_cpython_to_the_last_digit(pyodide_run: dict) -> None:
    for case, got in zip(_cases(), pyodide_run["results"], strict=True):
        call = getattr(formulas, case["function"])
        want = _cpython(call, case["args"], case.get("kwargs"))
        assert got["formulas"] == want, (case["function"], case["name"])


def test_the_excel_functions_answer_in_pyodide_as_in_cpython(pyodide_run: dict) -> None:
    checked = set()
    for case, got in zip(_cases(), pyodide_run["results"], strict=True):
        udf = getattr(excel, case["function"].upper(), None)
        if udf is None:
            continue
        checked.add(udf.__name__)
        want = _cpython(udf, case["args"], case.get("kwargs"))
        assert got["udf"] == want, (case["function"], case["name"])
    assert checked == set(excel.__all__)


def test_the_bundle_registers_every_function_with_lite_safe_options(pyodide_run: dict) -> None:
    registered = pyodide_run["registered"]
    assert set(registered) == set(excel.__all__)
    for name, info in registered.items():
        assert info["func"] == {}, name
        for arg_name, options in info["args"].items():
            assert options["ndim"] == 2, (name, arg_name)
            assert set(options) == {"ndim", "doc"}, (name, arg_name)


def test_the_refresh_script_is_registered_and_reports_what_it_did(pyodide_run: dict) -> None:
    assert pyodide_run["scripts"] == {"stockout_refresh": {}}
    assert pyodide_run["printed"].startswith(
        "Refreshed 48 SKUs as of 2026-11-25: 3 OUT, 3 CRITICAL, 4 WARNING"
    )


def test_the_lite_refresh_writes_what_stockout_refresh_writes(pyodide_run: dict) -> None:
    with serve_fake() as (url, fake):
        sheet = fake.create_spreadsheet("demo", _demo())
        refresh(GoogleSheetsBackend(sheet, session=session_for(url)))
        python = {tab: with_dates(tab, fake.values(sheet, tab)) for tab in wb.SCHEMA}
    lite_tabs = pyodide_run["tabs"]
    for tab, key in ((wb.ALERTS, 0), (wb.INCIDENTS, -1)):
        ours, theirs = by_header(python[tab], key), by_header(lite_tabs[tab], key)
        assert list(ours) == list(theirs), tab
        # Suggested cause and the fee are Python-only: they read the history store (see
        # test_in_sheet_refresh).
        python_only = ("Updated", "Suggested cause", "Low-inventory fee")
        compared = [h for h in ours if h not in python_only]
        for header in compared:
            if header in ("Action", "Other options"):  # Lite writes no Drafts: no delay notes
                ours[header] = {k: delay_notes(v, False) for k, v in ours[header].items()}
            assert theirs[header] == ours[header], (tab, header)
        assert len(compared) >= (20 if tab == wb.ALERTS else 8)
    assert lite_tabs[wb.PROBLEMS] == python[wb.PROBLEMS][:1] == [wb.headers(wb.PROBLEMS)]
    stockout = lite_tabs[wb.ALERTS][0].index("Stockout date") + 1
    assert pyodide_run["formats"][wb.ALERTS][f"2,{stockout}"] == "yyyy-mm-dd"
