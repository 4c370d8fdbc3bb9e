"""The xlwings Lite bundle: Lite's multi-file layout, the modules verbatim, a main.py that runs.

Running it under Pyodide (vectors and the Refresh script against `stockout refresh`) is
tests/addin/test_pyodide.py; here main.py runs in a separate CPython (it imports the bundle's
`addin` package from personal/, which must not replace this process's own).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

from addin import excel, lite, lite_refresh
from sheets_sync.sheet_contract import schema_data

SCHEMA = json.loads(json.dumps(schema_data(), default=str))


def test_the_bundle_is_main_py_and_the_modules_verbatim_as_personal_modules() -> None:
    files = lite.bundle_files(schema_data())
    assert set(files) == {
        "main.py", "requirements.txt", "personal/addin/__init__.py",
        "personal/addin/stockout_schema.json",
        *(f"personal/{m.replace('.', '/')}.py" for m in lite.MODULES),
    }  # fmt: skip
    for name in lite.MODULES:
        origin = Path(importlib.util.find_spec(name).origin)
        assert files[f"personal/{name.replace('.', '/')}.py"] == origin.read_text(encoding="utf-8")
    assert json.loads(files["personal/addin/stockout_schema.json"]) == SCHEMA
    assert "_SOURCES" not in files["main.py"] and "exec(" not in files["main.py"]
    assert len(files["main.py"].splitlines()) < 40


def test_main_py_runs_with_its_personal_folder(tmp_path: Path) -> None:
    for name, text in lite.bundle_files(schema_data()).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "xlwings.py").write_text(  # Lite supplies xlwings; only the decorators matter
        "class Book: ...\n"
        "def func(f=None, **kw):\n    return f if f else (lambda g: g)\n"
        "def arg(name, convert=None, **kw):\n    return lambda f: f\n"
        "def script(f=None, **kw):\n    return f if f else (lambda g: g)\n",
        encoding="utf-8",
    )
    script = (
        "import datetime as dt, main\n"
        "print(sorted(n for n in dir(main) if n.isupper() and n[0] != '_' and n != 'SCHEMA'))\n"
        "print(main.STOCKOUT_DATE([[10], [9]], 3, dt.date(2026, 11, 25)))\n"
        "print(callable(main.stockout_refresh), sorted(main.SCHEMA['tabs'])[:2])\n"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path[:0] = ['.', 'personal']; {script}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    names, dates, refresh = done.stdout.splitlines()
    assert names == str(sorted(excel.__all__))
    assert dates == "[[datetime.date(2026, 11, 28)], [datetime.date(2026, 11, 28)]]"
    assert refresh == "True ['Alerts', 'Drafts']"


def _shop(available_b: float = 400) -> dict:
    sales = [["Date", "SKU", "Units"]]
    for back in range(60, 0, -1):
        day = dt.date(2026, 11, 25) - dt.timedelta(days=back)
        sales += [[day, "A", 10], [day, "0012", 2]]
    return {
        "Settings": [["Key", "Value"], ["as_of", dt.datetime(2026, 11, 25)]],
        "Inventory": [
            ["SKU", "Title", "Available"],
            ["A", "=cmd|' /C calc'!A0", 25],
            ["0012", "Beta", available_b],
            ["C", "Gamma", "lots"],
        ],
        "Sales": sales,
    }


def test_user_columns_follow_their_sku_and_text_stays_text() -> None:
    first, _ = lite_refresh.refresh_grids(SCHEMA, _shop(), dt.date(2026, 11, 25))
    alerts = first["Alerts"]
    assert [r[0] for r in alerts[1:]] == ["C", "A", "'0012"]  # 0012 written as text, not 12
    assert alerts[2][alerts[0].index("Title")] == "'=cmd|' /C calc'!A0"  # never a formula
    grid = [[*row, None] for row in alerts]
    grid[0][-1] = "Note"
    grid[3][-1] = "=C4*2"  # the user's formula on 0012's row
    grid = [[c[1:] if isinstance(c, str) and c.startswith("'") else c for c in r] for r in grid]
    tabs = {**_shop(available_b=3), "Alerts": grid}
    second, summary = lite_refresh.refresh_grids(SCHEMA, tabs, dt.date(2026, 11, 25))
    alerts = second["Alerts"]
    assert [r[0] for r in alerts[1:]] == ["C", "'0012", "A"]  # 0012 runs out first now
    assert alerts[0][-1] == "Note" and alerts[2][-1] == "=C3*2"
    problems = second["Problems"]
    assert problems[1][:4] == ["Inventory", 4, "Available", "lots"]
    alert = {c: alerts[1][alerts[0].index(c)] for c in ("Alert", "Action", "Flags", "Available")}
    assert alert["Alert"] == "NO DATA" and alert["Available"] is None  # kept, and says so
    assert alert["Action"].startswith("FIX INPUT: Inventory row 4, Available cannot be read")
    assert alert["Flags"] == "CHECK Inventory Available"
    assert summary == {
        "skus": 3, "as_of": "2026-11-25", "alerts": {"CRITICAL": 2, "NO DATA": 1}, "problems": 1,
    }  # fmt: skip
    assert lite_refresh.summary_text(summary) == (
        "Refreshed 3 SKUs as of 2026-11-25: 2 CRITICAL, 1 NO DATA. "
        "1 problem listed on the Problems tab."
    )


def test_a_total_labelled_in_the_sku_column_stays_and_a_removed_sku_goes() -> None:
    first, _ = lite_refresh.refresh_grids(SCHEMA, _shop(), dt.date(2026, 11, 25))
    grid = [[c[1:] if isinstance(c, str) and c.startswith("'") else c for c in r]
            for r in first["Alerts"]]  # fmt: skip
    available = grid[0].index("Available")
    total = [None] * len(grid[0])
    total[0], total[available] = "TOTAL", "=SUM(I2:I3)"
    tabs = {**_shop(), "Alerts": [*grid, total]}
    tabs["Inventory"] = tabs["Inventory"][:2]  # 0012 leaves Inventory
    second, _ = lite_refresh.refresh_grids(SCHEMA, tabs, dt.date(2026, 11, 25))
    alerts = second["Alerts"]
    assert [r[0] for r in alerts[1:]] == ["A", "TOTAL"]
    assert alerts[2][available].startswith("=SUM(")  # still a formula


def test_a_total_over_the_whole_table_keeps_covering_it_as_in_stockout_refresh() -> None:
    first, _ = lite_refresh.refresh_grids(SCHEMA, _shop(), dt.date(2026, 11, 25))
    grid = [[c[1:] if isinstance(c, str) and c.startswith("'") else c for c in r]
            for r in first["Alerts"]]  # fmt: skip
    col = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[grid[0].index("Available")]
    total = [None] * len(grid[0])
    total[0] = "TOTAL"
    total[grid[0].index("Available")] = f'=SUM({col}2:{col}4)&" units, row 4 "&{col}4'
    tabs = {**_shop(), "Alerts": [*grid, total]}
    tabs["Inventory"] = [*tabs["Inventory"], ["D", "Delta", 7]]  # a new SKU: the table grows
    second, _ = lite_refresh.refresh_grids(SCHEMA, tabs, dt.date(2026, 11, 25))
    alerts = second["Alerts"]
    assert [r[0] for r in alerts[1:]] == ["C", "A", "D", "'0012", "TOTAL"]
    # The range grows with the table (was a plain shift to 3:5); the cell follows 0012's row
    # (4 to 5); text in quotes is not a reference.
    assert alerts[5][grid[0].index("Available")] == (f'=SUM({col}2:{col}5)&" units, row 4 "&{col}5')
    from addin.references import Moves, follow_text

    moves = Moves.between([2, 3, 4, None, 5], list(range(1, 10)), (5, 9), 4)
    assert follow_text("=SUM('Alerts'!C2:C4)+Inventory!C2+Log10(C5)", moves, "Alerts") == (
        "=SUM('Alerts'!C2:C5)+Inventory!C2+Log10(C6)"
    )


def test_a_column_of_local_dates_is_read_in_the_order_it_shows() -> None:
    from addin import lite_tabs

    grid = [["Date", "SKU", "Units"], ["03/04/2026", "A", 1], ["25/10/2026", "A", 2]]
    problems = lite_tabs.Problems()
    rows = lite_tabs.read_table(SCHEMA, "Sales", grid, problems, None)
    assert [r["date"] for r in rows] == [dt.date(2026, 4, 3), dt.date(2026, 10, 25)]
    assert problems == []


class _Range:
    def __init__(self, rows: list) -> None:
        self.rows = rows

    def options(self, **_: object) -> _Range:
        return self

    @property
    def value(self) -> list:
        return self.rows

    @property
    def formula(self) -> list:
        return [["" for _ in row] for row in self.rows]


class _Sheet:
    def __init__(self, name: str, rows: list) -> None:
        self.name, self.rows = name, rows

    @property
    def used_range(self) -> _Range:
        return _Range(self.rows)

    def clear_contents(self) -> None:
        raise AssertionError("a refusal writes nothing")


def test_the_lite_script_refuses_a_renamed_tab_and_writes_nothing() -> None:
    tabs = _shop()
    tabs["Inventry"] = tabs.pop("Inventory")
    tabs["Alerts"] = [["SKU", "Alert", "My note"], ["A", "CRITICAL", "call Li"]]
    book = type("Book", (), {"sheets": [_Sheet(name, rows) for name, rows in tabs.items()]})()
    said = lite_refresh.refresh_book(book, SCHEMA, dt.date(2026, 11, 25))
    assert said == (
        "Not refreshed: the workbook has no 'Inventory' tab (is 'Inventry' it? rename it to "
        "'Inventory'); `stockout new FILE` shows every tab. Nothing was changed."
    )
    assert book.sheets[-1].rows == [["SKU", "Alert", "My note"], ["A", "CRITICAL", "call Li"]]


def test_a_category_season_from_settings_moves_its_skus_in_excel_too() -> None:
    tabs = _shop()
    tabs["Settings"] += [["season_toys", "q4"], ["season garden", "spring"]]
    tabs["Inventory"] = [["SKU", "Available", "Category"], ["A", 400, "Toys"], ["0012", 400, None]]
    grids, _ = lite_refresh.refresh_grids(SCHEMA, tabs, dt.date(2026, 11, 25))
    alerts = grids["Alerts"]
    basis = {row[0]: row[alerts[0].index("Basis")] for row in alerts[1:]}
    assert basis["A"].startswith("profile ×1.3 from Dec 2 · 60 days of history")
    assert basis["'0012"].startswith("'7d 2.0")  # no category: v as it was (text as text)
    why = "season garden: season must be q4, summer, winter or 12 monthly indexes, got 'spring'"
    assert ["Settings", None, "Value", "spring", why] == grids["Problems"][1][:5]
