"""A backend is one module: its `PLACE` is found by looking, and everything asks the place."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sheets_sync import backends
from sheets_sync import workbook as wb
from sheets_sync.backends import open_backend, parse_target, places
from sheets_sync.refresh import refresh
from sheets_sync.schedule import cron_entry
from sheets_sync.types import Place

AS_OF = dt.date(2026, 11, 25)

#: A backend written as a newcomer would, in a module of its own: nothing else is edited.
TOY = '''
"""A workbook kept in this process's memory: `memory:<name>`."""

from sheets_sync.types import Place, Target

BOOKS = {}


class MemoryBackend:
    def __init__(self, name, **options):
        self.label = f"memory book {name}"
        self.target = Target(PLACE, name)
        self.tabs = BOOKS.setdefault(name, {})

    def read(self, tabs):
        known = {name.lower(): grid for name, grid in self.tabs.items()}
        return {name: known.get(name.lower()) for name in tabs}

    def tab_names(self):
        return list(self.tabs)

    def write(self, tabs):
        for tab in tabs.values():
            self.tabs[tab.name] = [list(tab.header), *map(list, tab.rows)]


PLACE = Place(kind="memory", backend=MemoryBackend, home="memory")
'''


@pytest.fixture
def toy(tmp_path, monkeypatch):
    """The toy module in a folder of the backends package (as if saved beside xlsx.py)."""
    folder = tmp_path / "more_backends"
    folder.mkdir()
    (folder / "memory.py").write_text(TOY, encoding="utf-8")
    monkeypatch.setattr(backends, "__path__", [*backends.__path__, str(folder)])
    monkeypatch.setenv("STOCKOUT_HOME", str(tmp_path / "home"))
    yield folder
    sys.modules.pop("sheets_sync.backends.memory", None)


def _day(n: int) -> dt.datetime:
    return dt.datetime.combine(AS_OF + dt.timedelta(days=n), dt.time())


def test_a_new_backend_module_is_found_and_a_refresh_runs_through_it(toy, tmp_path) -> None:
    assert [place.kind for place in places()] == ["excel", "gsheet", "memory", "xlsx"]
    books = importlib.import_module("sheets_sync.backends.memory").BOOKS
    grids = wb.starter_tabs()
    grids[wb.INVENTORY] += [["A-1", "B0A", "Steady seller", 50, 0, 30, 20, None, 12]]
    grids[wb.SALES] += [[_day(-back), "A-1", 5, True] for back in range(90, 0, -1)]
    grids[wb.INBOUND] += [["A-1", 500, _day(40), "sea", "FBA1", "shipped"]]
    books["shop"] = grids

    target = parse_target("memory:shop")
    assert str(target) == "memory:shop"
    assert target.book is None and target.folder is None
    assert target.store_path == tmp_path / "home" / "memory" / "shop.stockout.sqlite"
    result = refresh("memory:shop", as_of=AS_OF)

    assert result.exit_code == 0
    header, *rows = books["shop"]["Alerts"]
    alert = dict(zip(header, rows[0], strict=False))
    assert (alert["SKU"], alert["Daily sales"], alert["Days of cover"]) == ("A-1", 5, 10)
    assert alert["Alert"] == "WARNING"
    assert (tmp_path / "home" / "memory" / "shop.stockout.lock").is_file()  # the writer lock
    assert "refresh memory:shop --notify" in cron_entry("memory:shop")


def test_a_kind_is_taken_once(toy) -> None:
    (toy / "memory.py").write_text(TOY.replace('kind="memory"', 'kind="xlsx"'), encoding="utf-8")
    with pytest.raises(ValueError, match="the kind 'xlsx' is not a new word"):
        places()


def test_a_backend_that_cannot_load_still_leaves_a_crash_log(toy, tmp_path) -> None:
    """Discovery loads every module; a crash is still logged (in the data folder) when one of
    them cannot be imported, and the error names the missing library."""
    from sheets_sync.exits import log_path

    (toy / "broken.py").write_text("import no_such_library_here\n", encoding="utf-8")
    assert log_path("book.xlsx") == (tmp_path / "home" / "stockout.log").absolute()
    with pytest.raises(ImportError, match="no_such_library_here"):
        parse_target("book.xlsx")
    sys.modules.pop("sheets_sync.backends.broken", None)


def test_every_backend_module_declares_its_place() -> None:
    """A module with a backend class (read, tab_names, write) must say where it lives."""
    for module in pkgutil.iter_modules(backends.__path__, "sheets_sync.backends."):
        found = importlib.import_module(module.name)
        classes = [
            c for _, c in inspect.getmembers(found, inspect.isclass)
            if c.__module__ == module.name and {"read", "tab_names", "write"} <= set(vars(c))
        ]  # fmt: skip
        place = getattr(found, "PLACE", None)
        if classes:
            assert isinstance(place, Place) and place.backend in classes, module.name
        else:
            assert place is None, module.name
    assert [place.kind for place in places()] == ["excel", "gsheet", "xlsx"]


@pytest.mark.parametrize(
    "text",
    [
        "book.xlsx",
        "plans/Shop book.xlsm",
        "/abs/book.xlsx",
        "gsheet:1AbC-x_9defg",
        "gsheet:https://docs.google.com/spreadsheets/d/1AbC-x_9defg/edit#gid=0",
        "https://docs.google.com/spreadsheets/d/1AbC-x_9defg/edit",
        "excel:",
        "excel:Book1.xlsm",
        "excel:/abs/Book1.xlsm",
    ],
)
def test_every_target_syntax_names_itself_again(text: str) -> None:
    target = parse_target(text)
    assert parse_target(str(target)) == target
    assert parse_target(target) is target


def test_each_backend_is_known_by_the_target_that_opened_it(tmp_path) -> None:
    from stockout_testing.fake_sheets import session_for

    sheet = open_backend("gsheet:1AbC-x_9defg", session=session_for("http://127.0.0.1:9"))
    assert sheet.target == parse_target("gsheet:1AbC-x_9defg")
    book = open_backend(tmp_path / "b.xlsx", create=True)
    assert book.target == parse_target(tmp_path / "b.xlsx")
    assert open_backend("excel:").target == parse_target("excel:caller")


def test_a_target_is_parsed_without_loading_gspread_or_xlwings() -> None:
    code = textwrap.dedent("""
        import sys
        from sheets_sync.backends import parse_target
        parse_target("gsheet:1AbC-x_9defg"), parse_target("excel:"), parse_target("b.xlsx")
        print(sorted(m for m in ("gspread", "requests", "xlwings") if m in sys.modules))
    """)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        cwd=Path(__file__).parents[3],
    )  # fmt: skip
    assert out.stdout.strip() == "[]"
