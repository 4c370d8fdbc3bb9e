"""Runs under Pyodide (see run.mjs): load the Lite bundle's main.py, run the shared vectors.

xlwings Lite supplies the `xlwings` decorators; this stand-in only records the options they are
given, so the test can check them. Everything else is the real bundle on the real Pyodide.
Returns JSON: the decorator options and, per vector case, what `addin.formulas` and the Excel
function answered (dates as ISO text, errors as {"error": message}).
"""

import datetime as dt
import json
import sys
import types

xlwings = types.ModuleType("xlwings")
registered = {}


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


xlwings.func, xlwings.arg = func, arg
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


def answer(call, args):
    try:
        return plain(call(*args))
    except formulas.InputError as exc:
        return {"error": str(exc)}


results = []
with open("cases.json", encoding="utf-8") as cases:
    for case in json.load(cases):
        row = {"formulas": answer(getattr(formulas, case["function"]), case["args"])}
        udf = main.get(case["function"].upper())
        if udf is not None:
            row["udf"] = answer(udf, case["args"])
        results.append(row)

json.dumps(
    {
        "python": sys.version.split()[0],
        "platform": sys.platform,
        "registered": registered,
        "results": results,
    }
)
