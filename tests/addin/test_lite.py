"""The xlwings Lite bundle: the two modules verbatim, and a main.py that runs on its own.

Running it under Pyodide is tests/addin/test_pyodide.py; here it runs in a separate CPython
(the bundle replaces `addin.*` in sys.modules, which must not happen inside the test process).
"""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from addin import excel, lite


def _embedded(text: str) -> dict[str, str]:
    for node in ast.parse(text).body:
        if isinstance(node, ast.Assign) and node.targets[0].id == "_SOURCES":
            return ast.literal_eval(node.value)
    raise AssertionError("no _SOURCES in main.py")


def test_the_bundle_carries_the_modules_byte_for_byte() -> None:
    sources = _embedded(lite.main_py())
    assert list(sources) == list(lite.MODULES)
    for name, text in sources.items():
        origin = Path(importlib.util.find_spec(name).origin)
        assert text == origin.read_text(encoding="utf-8"), name


def test_the_bundle_stays_readable_when_it_can() -> None:
    text = lite.main_py()
    assert "r'''\"\"\"The stockout math" in text
    assert "def days_of_cover(" in text


@pytest.mark.parametrize(
    "tricky", ["a ''' b", "ends with a backslash \\", "quote at the end '", 'mixed \\\'"""\n']
)
def test_sources_that_a_raw_string_cannot_hold_are_still_exact(tricky: str) -> None:
    assert ast.literal_eval(lite._literal(tricky)) == tricky


def test_the_bundle_runs_alone_and_exposes_the_functions(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text(lite.main_py(), encoding="utf-8")
    (tmp_path / "xlwings.py").write_text(  # Lite supplies xlwings; only the decorators matter
        "def func(f=None, **kw):\n    return f if f else (lambda g: g)\n"
        "def arg(name, convert=None, **kw):\n    return lambda f: f\n",
        encoding="utf-8",
    )
    script = (
        "import datetime as dt, main\n"
        "print(sorted(n for n in dir(main) if n.isupper() and n[0] != '_'))\n"
        "print(main.STOCKOUT_DATE([[10], [9]], 3, dt.date(2026, 11, 25)))\n"
        "print(main.DAYS_OF_COVER('abc', 2))\n"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, '.'); {script}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    names, dates, error = done.stdout.splitlines()
    assert names == str(sorted(excel.__all__))
    assert dates == "[[datetime.date(2026, 11, 28)], [datetime.date(2026, 11, 28)]]"
    assert error == '#STOCKOUT: available must be a number, got "abc"'
