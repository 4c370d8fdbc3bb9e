"""Excel custom functions: the SPEC §4 cells over `addin.formulas`, for xlwings and xlwings Lite.

`addin.formulas` takes one value per argument and returns one value; Excel hands a function
whatever the user selected. This module only translates between the two, and computes nothing:

- Shapes. A cell arrives as a value, a range as a list of rows (the decorators ask for
  `ndim=2`; a flat list from a Python caller is read as a column). Ranges broadcast against
  single cells like Excel's own array arithmetic, and the result spills: one value per row of a
  column, per cell of a block. SALES_VELOCITY reads a row or column as one daily series and a
  block as one series per row.
- Blanks. A row where every required argument given as a range is empty gives an empty result,
  so a formula over B2:B1000 leaves room for new SKUs instead of a column of errors. Inside a
  sales series an empty cell is a day without sales, as in `addin.formulas`.
- Errors. A bad argument shows `#STOCKOUT: <what is wrong>` in its own cell; the other rows of a
  spill still compute. Nothing ever reaches Excel as a Python traceback.

The decorators use only options that xlwings Lite understands too (`ndim`, `doc`), so this very
module is what `addin.lite` bundles for Excel on the web and on Mac. The functions carry no type
hints on purpose: xlwings reads hints as converters. Their docstrings and argument docs are what
Excel's function wizard shows, so they are written for sellers and stay under 255 characters.
"""

from __future__ import annotations

import functools
import inspect
import itertools
import re
from collections.abc import Callable
from typing import Any

from xlwings import arg, func

from addin import formulas
from addin.cells import blank

__all__ = [
    "ALERT_LEVEL",
    "DAYS_OF_COVER",
    "DEMAND_FORECAST",
    "REORDER_DATE",
    "REORDER_QTY",
    "SAFETY_STOCK",
    "SALES_VELOCITY",
    "STOCKOUT_DATE",
    "STOCKOUT_GAP",
]

ERROR_PREFIX = "#STOCKOUT: "

Grid = list[list[Any]]

#: What the function wizard says about each argument (same name, same meaning everywhere);
#: [brackets] give the value an optional argument takes when left out.
ARG_DOCS = {
    "available": "FBA sellable units now (a cell or a column of SKUs)",
    "daily_sales": "Units sold per day, e.g. from SALES_VELOCITY",
    "as_of": "Day 0 of the plan: a date cell (keep one dated cell and point here)",
    "inbound_qty": "Units of the next inbound shipment",
    "inbound_eta": "Date the inbound units become sellable",
    "next_eta": "Date the next inbound units become sellable",
    "units": "Daily units sold, oldest first: a row or column per SKU, or a block of rows; "
    "with sku, the Sales table: Date, SKU, Units[, In stock] columns",
    "in_stock": "TRUE/FALSE per day, same shape as units",
    "history": "Daily units sold, oldest first, ending the day before as_of: the days ahead "
    "follow its forecast (daily_sales blank: at the forecast's level)",
    "windows": "Window lengths in days [7,30,90]",
    "weights": "Weight of each window [0.5,0.3,0.2]",
    "daily_sd": "Standard deviation of daily units on in-stock days",
    "lead_time_days": "Days from ordering to sellable at FBA (production + transit + receiving)",
    "service_level": "Chance of not running out during the lead time [0.95]",
    "lead_time_sd": "Standard deviation of the lead time in days [0]",
    "safety_days": "Minimum safety stock in days of sales [7]",
    "safety_stock": "Units to keep in reserve [0]",
    "inbound": "Units already on the way (all shipments)",
    "cover_days": "Days of sales the order should cover after it lands [60]",
    "case_pack": "Units per carton; the order is rounded up to it [1]",
    "moq": "Supplier minimum order quantity [0]",
    "days_to_stockout": "Days until stock runs out (blank when it does not)",
    "warn_days": "Warning lines in days [30,15,7]",
    "days_to_reorder": "Days until the reorder-by date (0: order today)",
    "overdue_inbound": "Inbound units past their ETA (above 0: at least WATCH)",
    "days": "Days ahead to average the forecast over [30]",
    "season": "Seasonal profile: q4, summer, winter or 12 monthly indexes Jan..Dec [none]",
    "sku": "SKU whose rows of the Sales table to read (a cell or a column of SKUs) [none]",
}

_LIST_SEPARATORS = re.compile(r"[,;\s]+")


def _udf(function: Callable[..., Any]) -> Callable[..., Any]:
    """Register `function` with xlwings: every argument as a 2-D range, documented from ARG_DOCS
    (marked "Optional:" where the function has a default).

    One place for the decorators keeps the eight functions from drifting apart, and ndim=2
    is what lets a range's rows be told from its columns.
    """
    function.__doc__ = " ".join((function.__doc__ or "").split())
    for name, param in inspect.signature(function).parameters.items():
        optional = "" if param.default is param.empty else "Optional: "
        function = arg(name, ndim=2, doc=optional + ARG_DOCS[name])(function)
    return func(function)


# --- shapes ------------------------------------------------------------------------------


def _grid(value: Any) -> Grid:
    """What Excel sent, as a rectangle of rows: a cell is 1×1, a flat list a column."""
    if not isinstance(value, list | tuple):
        return [[value]]
    if not value:
        return [[None]]
    if any(isinstance(row, list | tuple) for row in value):
        rows = [list(row) if isinstance(row, list | tuple) else [row] for row in value]
    else:
        rows = [[cell] for cell in value]
    width = max(1, *(len(row) for row in rows))
    return [row + [None] * (width - len(row)) for row in rows]


def _is_range(grid: Grid) -> bool:
    return len(grid) > 1 or len(grid[0]) > 1


def _broadcast_shape(grids: dict[str, Grid]) -> tuple[int, int]:
    """The result's rows and columns; every range must fit them like in Excel array maths."""
    rows = max(len(g) for g in grids.values())
    cols = max(len(g[0]) for g in grids.values())
    for name, g in grids.items():
        if len(g) not in (1, rows) or len(g[0]) not in (1, cols):
            raise formulas.InputError(
                f"{name} is {len(g)}×{len(g[0])} cells but the other ranges are {rows}×{cols}"
            )
    return rows, cols


def _at(grid: Grid, row: int, col: int) -> Any:
    return grid[row if len(grid) > 1 else 0][col if len(grid[0]) > 1 else 0]


def _spill(rows: Grid) -> Any:
    """One cell for a single result, the whole block otherwise (Excel spills it)."""
    return rows[0][0] if len(rows) == 1 and len(rows[0]) == 1 else rows


def _error(exc: Exception) -> str:
    if isinstance(exc, formulas.InputError):
        return ERROR_PREFIX + str(exc)
    return f"{ERROR_PREFIX}unexpected {type(exc).__name__}: {exc}"[:255]


def _cell(compute: Callable[..., Any], **args: Any) -> Any:
    """compute(**args) as a cell value: the result, or the error text."""
    try:
        return compute(**args)
    except Exception as exc:  # a cell shows every failure as text, never a traceback
        return _error(exc)


def _cellwise(compute: Callable[..., Any], **args: Any) -> Any:
    """Call `compute` once per cell of the broadcast shape of the arguments."""
    grids = {name: _grid(value) for name, value in args.items()}
    try:
        rows, cols = _broadcast_shape(grids)
    except formulas.InputError as exc:
        return _error(exc)
    params = inspect.signature(compute).parameters
    ranges = [
        name
        for name, g in grids.items()
        if _is_range(g) and params[name].default is inspect.Parameter.empty
    ]
    out = []
    for r in range(rows):
        out_row: list[Any] = []
        for c in range(cols):
            values = {name: _at(g, r, c) for name, g in grids.items()}
            if ranges and all(blank(values[name]) for name in ranges):
                out_row.append(None)
            else:
                out_row.append(_cell(compute, **values))
        out.append(out_row)
    return _spill(out)


def _series(value: Any) -> list[list[Any]]:
    """Daily series from a range: a row or column is one series, a block one series per row."""
    if isinstance(value, list | tuple) and not value:
        return [[]]
    grid = _grid(value)
    if len(grid) == 1:
        return [grid[0]]
    if len(grid[0]) == 1:
        return [[row[0] for row in grid]]
    return grid


def _values(value: Any) -> list[Any] | None:
    """A short list typed in a range or in one cell ("30,15,7" as Settings keeps it)."""
    if value is None:
        return None
    items: list[Any] = []
    for cell in itertools.chain.from_iterable(_grid(value)):
        if isinstance(cell, str):
            items.extend(part for part in _LIST_SEPARATORS.split(cell) if part)
        elif cell is not None:
            items.append(cell)
    return items or None


# --- the functions -----------------------------------------------------------------------


@_udf
def DAYS_OF_COVER(available, daily_sales):
    """Days the stock lasts at the current daily sales: available / daily_sales. Blank when
    daily_sales is 0 or less.
    """
    return _cellwise(formulas.days_of_cover, available=available, daily_sales=daily_sales)


@_udf
def SALES_VELOCITY(units, in_stock=None, windows=None, weights=None, sku=None, as_of=None):
    """Units per day: weighted average of the last 7/30/90 days, counting only in-stock days. A
    block of rows gives one value per row; with sku, units is the Sales tab's table.
    """
    shared = {"windows": _values(windows), "weights": _values(weights)}
    if not blank(sku):
        return _per_sku(formulas.sales_velocity, units, in_stock, sku, as_of=as_of, **shared)
    return _per_row(formulas.sales_velocity, units, in_stock, **shared)


@_udf
def DEMAND_FORECAST(units, as_of, days=None, in_stock=None, season=None, sku=None):
    """Forecast units per day over the next days (30): the season, trend, slow mover and spikes
    the history shows, as the refresh sees them. A block of rows gives one value per row; with
    sku, units is the Sales tab's table.
    """
    shared = {name: _at(_grid(value), 0, 0) for name, value in
              (("as_of", as_of), ("days", days), ("season", season))}  # fmt: skip
    if not blank(sku):
        return _per_sku(formulas.demand_forecast, units, in_stock, sku, **shared)
    return _per_row(formulas.demand_forecast, units, in_stock, **shared)


def _with_history(compute: Callable[..., Any], history: Any) -> Callable[..., Any]:
    """`compute` with one daily series for every cell: a history range is the days of one SKU,
    never spread cell by cell like the other arguments."""
    if history is None:
        return compute
    return functools.partial(compute, history=_series(history)[0])


def _per_row(compute: Callable[..., Any], units: Any, in_stock: Any, **shared: Any):
    """`compute` once per row of daily units (a block of rows gives one value per row; an
    all-blank row among several gives a blank)."""
    series = _series(units)
    flags = None if in_stock is None else _series(in_stock)
    if flags is not None and len(flags) != len(series):
        return ERROR_PREFIX + "in_stock must have one row per row of units"
    out = []
    for i, days in enumerate(series):
        if len(series) > 1 and all(blank(u) for u in days):
            out.append([None])
        else:
            day_flags = None if flags is None else flags[i]
            out.append([_cell(compute, units=days, in_stock=day_flags, **shared)])
    return _spill(out)


def _per_sku(compute: Callable[..., Any], table: Any, in_stock: Any, sku: Any, **shared: Any):
    """`compute` over the long Sales table once per SKU cell (a blank SKU gives a blank), in
    the SKU range's shape."""
    rows = _grid(table)
    if "as_of" in shared:
        shared["as_of"] = _at(_grid(shared["as_of"]), 0, 0)
    stock = None if in_stock is None else _at(_grid(in_stock), 0, 0)
    stock = None if blank(stock) else stock
    skus = _grid(sku)
    out = [
        [None if blank(s) else _cell(compute, units=rows, in_stock=stock, sku=s, **shared)
         for s in line]
        for line in skus
    ]  # fmt: skip
    return _spill(out)


@_udf
def STOCKOUT_DATE(available, daily_sales, as_of, inbound_qty=None, inbound_eta=None, history=None):
    """Date the stock runs out at the current daily sales, counting the next inbound shipment.
    Blank when sales are 0. With a history, the days ahead follow its forecast.
    """
    return _cellwise(
        _with_history(formulas.stockout_date, history),
        available=available,
        daily_sales=daily_sales,
        as_of=as_of,
        inbound_qty=inbound_qty,
        inbound_eta=inbound_eta,
    )


@_udf
def STOCKOUT_GAP(available, daily_sales, as_of, next_eta=None, lead_time_days=None):
    """Days out of stock before the shelf is refilled: by the next inbound or, with a lead time,
    by a regular order placed today, whichever lands first (0 when the stock lasts until then).
    """
    return _cellwise(
        formulas.stockout_gap,
        available=available,
        daily_sales=daily_sales,
        as_of=as_of,
        next_eta=next_eta,
        lead_time_days=lead_time_days,
    )


@_udf
def SAFETY_STOCK(
    daily_sales, daily_sd, lead_time_days, service_level=None, lead_time_sd=None, safety_days=None
):
    """Units to keep in reserve for demand and lead-time swings at the service level, and at least
    safety_days of sales.
    """
    return _cellwise(
        formulas.safety_stock,
        daily_sales=daily_sales,
        daily_sd=daily_sd,
        lead_time_days=lead_time_days,
        service_level=service_level,
        lead_time_sd=lead_time_sd,
        safety_days=safety_days,
    )


@_udf
def REORDER_DATE(
    available,
    daily_sales,
    lead_time_days,
    as_of,
    safety_stock=None,
    inbound_qty=None,
    inbound_eta=None,
    history=None,
):
    """Last day to order so the new stock lands before the first dip below safety stock that an
    order placed today can still prevent. Today means order now. With a history, the days
    ahead follow its forecast.
    """
    return _cellwise(
        _with_history(formulas.reorder_date, history),
        available=available,
        daily_sales=daily_sales,
        lead_time_days=lead_time_days,
        as_of=as_of,
        safety_stock=safety_stock,
        inbound_qty=inbound_qty,
        inbound_eta=inbound_eta,
    )


@_udf
def REORDER_QTY(
    available,
    inbound,
    daily_sales,
    lead_time_days,
    cover_days=None,
    safety_stock=None,
    case_pack=None,
    moq=None,
    inbound_eta=None,
    as_of=None,
):
    """Units to order on the reorder-by date: cover days of sales plus safety stock on the day the
    order lands, minus what is on the shelf then; whole cartons, at least the MOQ.
    """
    return _cellwise(
        formulas.reorder_qty,
        available=available,
        inbound=inbound,
        daily_sales=daily_sales,
        lead_time_days=lead_time_days,
        cover_days=cover_days,
        safety_stock=safety_stock,
        case_pack=case_pack,
        moq=moq,
        inbound_eta=inbound_eta,
        as_of=as_of,
    )


@_udf
def ALERT_LEVEL(
    days_to_stockout,
    available=None,
    warn_days=None,
    lead_time_days=None,
    days_to_reorder=None,
    overdue_inbound=None,
):
    """OUT, CRITICAL, WARNING, WATCH or OK from the days to stockout and the warning lines (30/15/7
    days by default); at least WATCH when it runs out within the lead time or the reorder-by
    date is at most 7 days away, or inbound is overdue, as in Alerts.
    """
    return _cellwise(
        functools.partial(formulas.alert_level, warn_days=_values(warn_days)),
        days_to_stockout=days_to_stockout,
        available=available,
        lead_time_days=lead_time_days,
        days_to_reorder=days_to_reorder,
        overdue_inbound=overdue_inbound,
    )
