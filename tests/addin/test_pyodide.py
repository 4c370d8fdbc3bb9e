"""addin/formulas.py and the xlwings Lite bundle under Pyodide, the Python inside xlwings Lite.

Node runs the npm `pyodide` package (installed by `npm install` at the repo root, as `.ci/run`
does). The bundle `stockout excel-lite` writes is loaded there and every shared vector is run
through `addin.formulas` and through the Excel function of the same name; the answers must be
the vectors' and CPython's, to the last digit. Without Node or the package the test skips here
and fails in CI (CI=true), where a skip would hide that Lite was never checked.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest

from addin import excel, formulas, lite
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


def _cpython(call, args: list) -> object:
    try:
        return _plain(call(*args))
    except formulas.InputError as exc:
        return {"error": str(exc)}


@pytest.fixture(scope="module")
def pyodide_run(tmp_path_factory: pytest.TempPathFactory, node: str) -> dict:
    if not (REPO / "node_modules" / "pyodide").is_dir():
        unavailable("needs `npm ci` at the repo root (the pyodide package)")
    work = tmp_path_factory.mktemp("lite")
    (work / "main.py").write_text(lite.main_py(), encoding="utf-8")
    (work / "cases.json").write_text(json.dumps(_cases()), encoding="utf-8")
    done = subprocess.run(
        [node, str(RUNNER), str(DRIVER), str(work / "main.py"), str(work / "cases.json")],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


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
        assert got["formulas"] == _cpython(call, case["args"]), (case["function"], case["name"])


def test_the_excel_functions_answer_in_pyodide_as_in_cpython(pyodide_run: dict) -> None:
    checked = set()
    for case, got in zip(_cases(), pyodide_run["results"], strict=True):
        udf = getattr(excel, case["function"].upper(), None)
        if udf is None:
            continue
        checked.add(udf.__name__)
        assert got["udf"] == _cpython(udf, case["args"]), (case["function"], case["name"])
    assert checked == set(excel.__all__)


def test_the_bundle_registers_every_function_with_lite_safe_options(pyodide_run: dict) -> None:
    registered = pyodide_run["registered"]
    assert set(registered) == set(excel.__all__)
    for name, info in registered.items():
        assert info["func"] == {}, name
        for arg_name, options in info["args"].items():
            assert options["ndim"] == 2, (name, arg_name)
            assert set(options) == {"ndim", "doc"}, (name, arg_name)
