"""The shapes every layer exchanges: cells, grids, tabs, charts, format kinds, backends, errors.

This module sits at the bottom of `sheets_sync` (it imports nothing of the project), so the
workbook contract, the backends, the plan and the entry points can all share these names without
importing each other. What the grids *mean* lives in `sheets_sync.workbook`; where they are
stored lives in `sheets_sync.backends`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

#: A cell value as backends exchange it: text, number, boolean, date, datetime or empty.
Cell = str | int | float | bool | dt.date | dt.datetime | None
Grid = list[list[Any]]


class Formula(str):
    """A cell formula as a backend read it (`=C2*1.1`): written back as a formula.

    Any other text starting with `=` is written as text, so a product title can never run.
    Backends that read computed values instead of formulas simply never produce one.
    `cached` is the value the spreadsheet last computed for it (None if never computed).
    """

    cached: Cell = None


class TargetError(Exception):
    """The target cannot be opened or written (missing file, locked by Excel, no access, ...).

    The message is for the user, in plain words; the CLI prints it and exits with code 2.
    """


class FormatKind(StrEnum):
    """How a column's cells are shown. Every backend maps every kind (tested), so a column
    looks the same in an .xlsx file, in Excel and in Google Sheets."""

    DATE = "date"
    DATETIME = "datetime"
    INT = "int"
    NUMBER = "number"
    MONEY = "money"
    PCT = "pct"
    TEXT = "text"


@dataclass
class Chart:
    """A line chart over a tab: first column on the x axis, one series per other column."""

    title: str
    y_title: str = ""


@dataclass
class Tab:
    """One output tab as the refresh wants it written.

    `formats` maps a header to a `FormatKind`; backends that can format cells use it, the
    others ignore it. `owned` is how many leading columns the refresh owns (the rest are user
    columns it carries over); backends may style the two parts differently. `fills` maps a
    header to {cell value: hex colour} (alert colours).
    """

    name: str
    header: list[str]
    rows: Grid
    formats: dict[str, str] = field(default_factory=dict)
    owned: int | None = None
    fills: dict[str, dict[str, str]] = field(default_factory=dict)
    chart: Chart | None = None


class Backend(Protocol):
    """A spreadsheet the refresh reads once and writes once."""

    #: What to call the target in messages: a file path, "Google Sheet <title>", ...
    label: str

    def read(self, tabs: Sequence[str]) -> dict[str, Grid | None]:
        """Return every requested tab as rows of cell values (header row first).

        A tab that does not exist maps to None. Tab names are matched case-insensitively. Dates
        may come back as `datetime` or as spreadsheet serial numbers: `sheets_sync.workbook`
        normalises both.
        """
        ...

    def write(self, tabs: Mapping[str, Tab]) -> None:
        """Replace the content of each given tab (creating it if missing) and commit at once.

        Tabs not given are left untouched. Text is always written as text, never parsed as
        a formula. A file backend saves atomically here.
        """
        ...
