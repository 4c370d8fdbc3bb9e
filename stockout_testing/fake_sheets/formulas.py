"""Formulas: what a cell entered as `=...` shows, recalculated after every change.

Google recalculates a spreadsheet's formulas whenever a cell changes (`autoRecalc: ON_CHANGE`).
The fake does too, for the part of the formula language a seller's sheet and the sync's tests
use: numbers, text in double quotes, TRUE/FALSE, cell and range references (`B2`, `B2:B9`,
`B:B`, `'Other tab'!A1`, named ranges), `+ - * / ^ & %`, comparisons, and the functions SUM,
AVERAGE, MIN, MAX, COUNT, COUNTA, ROUND, ABS, IF, AND, OR, NOT, IFERROR. A function it does not
know gives `#NAME?` (as an unknown function does in Sheets), text in arithmetic `#VALUE!`,
division by zero `#DIV/0!`, a formula that cannot be parsed `#ERROR!`, a circular reference or
a missing sheet `#REF!`. An empty cell counts as 0 in arithmetic and "" in text.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from .a1 import parse_cells, split_range

if TYPE_CHECKING:
    from .model import Sheet, Spreadsheet

Value = float | str | bool


class FormulaError(str):
    """An error value (`#DIV/0!`): text that is not a string a person typed."""


DIV0, VALUE, NAME, REF, ERROR = (
    FormulaError(e) for e in ("#DIV/0!", "#VALUE!", "#NAME?", "#REF!", "#ERROR!")
)


class _Raise(Exception):
    def __init__(self, error: FormulaError) -> None:
        self.error = error


_TOKEN = re.compile(
    r"""\s*(?:
      (?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
    | (?P<string>"(?:[^"]|"")*")
    | (?P<ref>(?:'(?:[^']|'')+'!|[A-Za-z_][A-Za-z0-9_.]*!)?
              \$?[A-Za-z]{1,3}\$?\d*(?::\$?[A-Za-z]{0,3}\$?\d*)?(?![A-Za-z0-9_(]))
    | (?P<name>[A-Za-z_][A-Za-z0-9_.]*)
    | (?P<op><>|<=|>=|[-+*/^&%=<>(),:])
    )""",
    re.X,
)


def _tokens(text: str) -> list[tuple[str, str]]:
    found, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise _Raise(ERROR)
        kind = match.lastgroup or "op"
        found.append((kind, match.group(kind)))
        pos = match.end()
    return found


class _Range:
    """A reference to cells, read when a function or an operator needs them."""

    def __init__(self, sheet: Sheet, r1: int, c1: int, r2: int, c2: int) -> None:
        self.sheet, self.r1, self.c1, self.r2, self.c2 = sheet, r1, c1, r2, c2

    def cells(self, value_of: Callable[[Sheet, int, int], Value | None]) -> Iterator[Value | None]:
        for row in range(self.r1, self.r2 + 1):
            for col in range(self.c1, self.c2 + 1):
                yield value_of(self.sheet, row, col)


class Evaluator:
    """Values of a spreadsheet's formulas for one recalculation (each formula once)."""

    def __init__(self, book: Spreadsheet) -> None:
        self.book = book
        self._done: dict[tuple[int, int, int], Value] = {}
        self._busy: set[tuple[int, int, int]] = set()

    def recalculate(self) -> None:
        """Every formula's value brought up to date with the cells it reads."""
        for sheet in self.book.sheets:
            for (row, col), cell in list(sheet.cells.items()):
                if cell.formula is not None:
                    value = self.value_of(sheet, row, col)
                    cell.value = "" if value is None else value

    def value_of(self, sheet: Sheet, row: int, col: int) -> Value | None:
        """A cell's value (None when empty), evaluating its formula first if it has one."""
        cell = sheet.cells.get((row, col))
        if cell is None:
            return None
        if cell.formula is None:
            return cell.value
        key = (sheet.sheet_id, row, col)
        if key in self._done:
            return self._done[key]
        if key in self._busy:
            raise _Raise(REF)  # Sheets: "Circular dependency detected"
        self._busy.add(key)
        try:
            value = self.evaluate(cell.formula, sheet)
        finally:
            self._busy.discard(key)
        self._done[key] = value
        return value

    def evaluate(self, formula: str, sheet: Sheet) -> Value:
        try:
            parser = _Parser(_tokens(formula[1:]), self, sheet)
            result = parser.expression()
            if parser.pos != len(parser.tokens):
                raise _Raise(ERROR)
            value = self._scalar(result)
        except _Raise as error:
            return error.error
        if isinstance(value, float) and not math.isfinite(value):
            return FormulaError("#NUM!")
        return "" if value is None else value

    # -- values -------------------------------------------------------------------------------

    def _scalar(self, value: Any) -> Value | None:
        if isinstance(value, _Range):
            if (value.r1, value.c1) != (value.r2, value.c2):
                raise _Raise(VALUE)
            return self.value_of(value.sheet, value.r1, value.c1)
        return value

    def number(self, value: Any) -> float:
        value = self._scalar(value)
        if isinstance(value, FormulaError):
            raise _Raise(value)
        if value is None or value == "":
            return 0.0
        if isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value.replace(",", ""))
            except ValueError:
                raise _Raise(VALUE) from None
        return float(value)

    def text(self, value: Any) -> str:
        value = self._scalar(value)
        if isinstance(value, FormulaError):
            raise _Raise(value)
        if value is None:
            return ""
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, float):
            return str(int(value)) if value.is_integer() else repr(value)
        return value

    def truth(self, value: Any) -> bool:
        value = self._scalar(value)
        if isinstance(value, str) and not isinstance(value, FormulaError):
            if value.upper() in ("TRUE", "FALSE"):
                return value.upper() == "TRUE"
            raise _Raise(VALUE)
        return bool(self.number(value))

    def values(self, args: list[Any]) -> Iterator[Value | None]:
        """Function arguments flattened: ranges give their cells, others themselves."""
        for arg in args:
            if isinstance(arg, _Range):
                yield from arg.cells(self.value_of)
            else:
                yield arg

    def reference(self, text: str, sheet: Sheet) -> _Range:
        title, cells = split_range(text.replace("$", ""))
        target = sheet
        if title is not None:
            try:
                target = self.book.sheet_by_title(title)
            except KeyError:
                raise _Raise(REF) from None
        bounds = parse_cells(cells or "")
        if bounds is None:
            raise _Raise(REF)
        r1, c1, r2, c2 = bounds
        return _Range(
            target,
            r1 or 0,
            c1 or 0,
            target.rows - 1 if r2 is None else r2,
            target.columns - 1 if c2 is None else c2,
        )

    def named(self, name: str) -> _Range:
        for named in self.book.extras.get("namedRanges", []):
            if named["name"].lower() == name.lower():
                grid = named["range"]
                sheet = self.book.sheet_by_id(grid.get("sheetId", 0), "namedRange")
                return _Range(
                    sheet,
                    grid["startRowIndex"],
                    grid["startColumnIndex"],
                    grid["endRowIndex"] - 1,
                    grid["endColumnIndex"] - 1,
                )
        raise _Raise(NAME)


def _numbers(ev: Evaluator, args: list[Any]) -> list[float]:
    """Numbers among the arguments: numbers in ranges count, text and blanks in ranges do not;
    an error anywhere is the answer, as in Sheets."""
    found = []
    for arg in args:
        if isinstance(arg, _Range):
            for value in arg.cells(ev.value_of):
                if isinstance(value, FormulaError):
                    raise _Raise(value)
                if isinstance(value, float) and not isinstance(value, bool):
                    found.append(value)
        else:
            found.append(ev.number(arg))
    return found


def _average(ev: Evaluator, args: list[Any]) -> float:
    numbers = _numbers(ev, args)
    if not numbers:
        raise _Raise(DIV0)
    return sum(numbers) / len(numbers)


def _round(ev: Evaluator, args: list[Any]) -> float:
    places = int(ev.number(args[1])) if len(args) > 1 else 0
    value = ev.number(args[0]) * 10**places
    return math.copysign(math.floor(abs(value) + 0.5), value) / 10**places  # half away from 0


def _if(ev: Evaluator, args: list[Any]) -> Any:
    if ev.truth(args[0]):
        return args[1] if len(args) > 1 else True
    return args[2] if len(args) > 2 else False


_FUNCTIONS: dict[str, Callable[[Evaluator, list[Any]], Any]] = {
    "SUM": lambda ev, args: float(sum(_numbers(ev, args))),
    "AVERAGE": _average,
    "MIN": lambda ev, args: min(_numbers(ev, args), default=0.0),
    "MAX": lambda ev, args: max(_numbers(ev, args), default=0.0),
    "COUNT": lambda ev, args: float(
        sum(isinstance(v, float) and not isinstance(v, bool) for v in ev.values(args))
    ),
    "COUNTA": lambda ev, args: float(sum(v not in (None, "") for v in ev.values(args))),
    "ROUND": _round,
    "ABS": lambda ev, args: abs(ev.number(args[0])),
    "IF": _if,
    "AND": lambda ev, args: all(ev.truth(v) for v in ev.values(args) if v is not None),
    "OR": lambda ev, args: any(ev.truth(v) for v in ev.values(args) if v is not None),
    "NOT": lambda ev, args: not ev.truth(args[0]),
}


def _divide(ev: Evaluator, a: Any, b: Any) -> float:
    divisor = ev.number(b)
    if divisor == 0:
        raise _Raise(DIV0)
    return ev.number(a) / divisor


_ARITHMETIC: dict[str, Callable[[Evaluator, Any, Any], float]] = {
    "+": lambda ev, a, b: ev.number(a) + ev.number(b),
    "-": lambda ev, a, b: ev.number(a) - ev.number(b),
    "*": lambda ev, a, b: ev.number(a) * ev.number(b),
    "/": _divide,
    "^": lambda ev, a, b: ev.number(a) ** ev.number(b),
}
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "<>": operator.ne,
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
}


class _Parser:
    """Recursive descent over the tokens, evaluating as it goes (Sheets' precedence:
    comparison < & < + - < * / < ^ < unary minus < %)."""

    def __init__(self, tokens: list[tuple[str, str]], ev: Evaluator, sheet: Sheet) -> None:
        self.tokens, self.pos, self.ev, self.sheet = tokens, 0, ev, sheet

    def _peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def _take(self, expected: str | None = None) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise _Raise(ERROR)
        token = self.tokens[self.pos]
        if expected is not None and token[1] != expected:
            raise _Raise(ERROR)
        self.pos += 1
        return token

    @staticmethod
    def _safe(compute: Callable[..., Any], *args: Any) -> Any:
        """An evaluation error becomes the value (`#DIV/0!`); parsing goes on around it."""
        try:
            return compute(*args)
        except _Raise as error:
            return error.error

    def expression(self) -> Any:
        left = self._concat()
        while self._peek() in _COMPARE:
            op = self._take()[1]
            right = self._concat()
            left = self._safe(self._compare, op, left, right)
        return left

    def _compare(self, op: str, left: Any, right: Any) -> bool:
        left, right = self.ev._scalar(left), self.ev._scalar(right)
        for side in (left, right):
            if isinstance(side, FormulaError):
                raise _Raise(side)

        def key(value: Any) -> tuple[int, Any]:  # numbers < text < booleans, text any case
            if isinstance(value, bool):
                return (2, value)
            if isinstance(value, str):
                return (1, value.casefold())
            return (0, 0.0 if value is None else value)

        left = "" if left is None and isinstance(right, str) else left
        right = "" if right is None and isinstance(left, str) else right
        return _COMPARE[op](key(left), key(right))

    def _concat(self) -> Any:
        left = self._additive()
        while self._peek() == "&":
            self._take()
            right = self._additive()
            left = self._safe(self._join, left, right)
        return left

    def _chain(self, operand: Callable[[], Any], operators: tuple[str, ...]) -> Any:
        """One precedence level of arithmetic: operands joined by these operators."""
        left = operand()
        while self._peek() in operators:
            op = self._take()[1]
            right = operand()
            left = self._safe(_ARITHMETIC[op], self.ev, left, right)
        return left

    def _additive(self) -> Any:
        return self._chain(self._term, ("+", "-"))

    def _term(self) -> Any:
        return self._chain(self._power, ("*", "/"))

    def _power(self) -> Any:
        return self._chain(self._unary, ("^",))

    def _join(self, left: Any, right: Any) -> str:
        return self.ev.text(left) + self.ev.text(right)

    def _unary(self) -> Any:
        if self._peek() in ("-", "+"):
            sign = -1.0 if self._take()[1] == "-" else 1.0
            return self._safe(_ARITHMETIC["*"], self.ev, sign, self._unary())
        value = self._primary()
        while self._peek() == "%":
            self._take()
            value = self._safe(_divide, self.ev, value, 100.0)
        return value

    def _primary(self) -> Any:
        kind, text = self._take()
        if kind == "number":
            return float(text)
        if kind == "string":
            return text[1:-1].replace('""', '"')
        if kind == "ref":
            return self._safe(self.ev.reference, text, self.sheet)
        if kind == "name":
            if self._peek() == "(":
                return self._call(text.upper())
            if text.upper() in ("TRUE", "FALSE"):
                return text.upper() == "TRUE"
            return self._safe(self.ev.named, text)
        if text == "(":
            value = self.expression()
            self._take(")")
            return value
        raise _Raise(ERROR)

    def _call(self, name: str) -> Any:
        self._take("(")
        args: list[Any] = []
        if self._peek() != ")":
            args.append(self.expression())
            while self._peek() == ",":
                self._take()
                args.append(self.expression())
        self._take(")")
        if name == "IFERROR":
            if not args:
                raise _Raise(ERROR)
            value = self._safe(self.ev._scalar, args[0])
            if isinstance(value, FormulaError):
                return args[1] if len(args) > 1 else ""
            return value
        function = _FUNCTIONS.get(name)
        if function is None:
            return NAME
        if not args:
            raise _Raise(ERROR)
        return self._safe(function, self.ev, args)
