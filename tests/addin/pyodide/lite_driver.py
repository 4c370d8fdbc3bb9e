"""Runs under Pyodide (see run.mjs): load the Lite bundle as Lite does, run vectors and a refresh.

The working directory holds the bundle as `stockout excel-lite` writes it (main.py and the
personal/ folder, whose modules Lite makes importable) plus cases.json and book.json. xlwings
Lite supplies the `xlwings` module; this stand-in records the decorators' options and gives the
script a Book over book.json (sheets of rows, dates as {"$date": ...}, read back as datetimes
the way xlwings hands date cells to Python). Everything else is the real bundle on the real
Pyodide. Returns JSON: the decorator options, per vector case what `addin.formulas` and the Excel
function answered, and the workbook after the Refresh script ran.
"""

import contextlib
import datetime as dt
import io
import json
import sys
import types

sys.path.insert(0, "personal")
xlwings = types.ModuleType("xlwings")
registered = {}
scripts = {}


def func(f=None, **options):
    def inner(f):
        registered.setdefault(f.__name__, {"args": {}})["func"] = options
        return f

    return inner if f is None else inner(f)


def arg(name, convert=None, **options):
    def inner(f):
        registered.setdefault(f.__name__, {"args": {}})["args"][name] = options
        return f

    return inner


def script(f=None, **options):
    def inner(f):
        scripts[f.__name__] = options
        return f

    return inner if f is None else inner(f)


def typed(value):
    """What Excel stores for a value written to a cell: like a user typing it (a leading
    apostrophe marks text and is not part of it; numeric text becomes a number)."""
    if not isinstance(value, str):
        return value
    if value.startswith("'"):
        return value[1:]
    try:
        return float(value.replace(",", "")) if value.strip() else value
    except ValueError:
        return value


class Range:
    def __init__(self, sheet, top, left, bottom=None, right=None):
        self.sheet, self.top, self.left = sheet, top, left
        self.bottom, self.right = bottom, right

    def options(self, ndim=None, **_):
        return self

    @property
    def value(self):
        if not self.sheet.rows:
            return None
        width = max(len(r) for r in self.sheet.rows)
        return [list(r) + [None] * (width - len(r)) for r in self.sheet.rows]

    @value.setter
    def value(self, grid):
        assert (self.top, self.left) == (1, 1), "the refresh writes whole tabs from A1"
        self.sheet.rows = [[typed(c) for c in r] for r in grid]

    @property
    def formula(self):
        return [
            [c if isinstance(c, str) and c.startswith("=") else "" for c in r] for r in self.value
        ]

    @property
    def number_format(self):
        return self.sheet.formats.get((self.top, self.left))

    @number_format.setter
    def number_format(self, text):
        for r in range(self.top, self.bottom + 1):
            for c in range(self.left, self.right + 1):
                self.sheet.formats[(r, c)] = text


class Sheet:
    def __init__(self, name, rows):
        self.name, self.rows, self.formats = name, rows, {}

    @property
    def used_range(self):
        return Range(self, 1, 1)

    def clear_contents(self):
        self.rows = []

    def __getitem__(self, address):
        assert address == "A1"
        return Range(self, 1, 1)

    def range(self, first, last):
        return Range(self, first[0], first[1], last[0], last[1])


class Sheets(list):
    def add(self, name):
        sheet = Sheet(name, [])
        self.append(sheet)
        return sheet


class Book:
    def __init__(self, tabs):
        self.sheets = Sheets(Sheet(name, rows) for name, rows in tabs.items())


xlwings.func, xlwings.arg, xlwings.script, xlwings.Book = func, arg, script, Book
sys.modules["xlwings"] = xlwings

main = {"__name__": "main"}
with open("main.py", encoding="utf-8") as source:
    exec(compile(source.read(), "main.py", "exec"), main)
formulas = sys.modules["addin.formulas"]


def plain(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def answer(call, args, kwargs=None):
    try:
        return plain(call(*args, **(kwargs or {})))
    except formulas.InputError as exc:
        return {"error": str(exc)}


results = []
with open("cases.json", encoding="utf-8") as cases:
    for case in json.load(cases):
        args, kwargs = case["args"], case.get("kwargs")
        row = {"formulas": answer(getattr(formulas, case["function"]), args, kwargs)}
        udf = main.get(case["function"].upper())
        if udf is not None:
            row["udf"] = answer(udf, args, kwargs)
        results.append(row)


def cell_in(value):
    if isinstance(value, dict) and "$date" in value:
        return dt.datetime.fromisoformat(value["$date"])
    return value


def cell_out(value):
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()[:10]}
    return value


with open("book.json", encoding="utf-8") as source:
    tabs = json.load(source)
book = Book({name: [[cell_in(c) for c in row] for row in rows] for name, rows in tabs.items()})
printed = io.StringIO()
with contextlib.redirect_stdout(printed):
    main["stockout_refresh"](book)

json.dumps(
    {
        "python": sys.version.split()[0],
        "platform": sys.platform,
        "registered": registered,
        "scripts": scripts,
        "results": results,
        "printed": printed.getvalue(),
        "tabs": {s.name: [[cell_out(c) for c in r] for r in s.rows] for s in book.sheets},
        "formats": {
            s.name: {f"{r},{c}": v for (r, c), v in s.formats.items()} for s in book.sheets
        },
    }
)
