"""An Amazon flat-file report: recognise a file by its headers, decode it, stream its rows.

Amazon adds, renames and reorders report columns without notice, files arrive with a BOM, in
cp1252 or Shift_JIS, with empty trailing header cells, ragged rows and `--` for zero. So:

* a report is recognised by a few *distinctive* headers (a signature), never by all of them
  and never by position: the real All Orders sample's first header is damaged (`mazon-order-id`);
* headers are compared by a key (lower case, without spaces, `-`, `_`, quotes or BOM), and a
  small alias table maps known variants to one name; an unknown file raises `ReportError` with
  the headers it saw;
* each line is decoded on its own: strict UTF-8, and at the first line that is not UTF-8 the
  file's fallback is chosen once (cp932 when that line reads as Japanese, else cp1252);
* rows are streamed, so a file of millions of lines never sits in memory.

The report types themselves (signatures, readers, what each stores) are described in
`sheets_sync.sources.amazon_reports`. Bad values become `Problem`s (line, column, value,
message), never crashes.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sheets_sync.history import HistoryStore
from sheets_sync.sources.records import Loaded
from sheets_sync.sources.report_cells import LineDecoder, unquote


class ReportError(Exception):
    """The file cannot be used (unknown report, unreadable file): a message for the user."""


#: Bytes of the file read so far, for a progress bar.
ByteProgress = Callable[[int], None]
#: Load one report's store-side content (inside a transaction); see `Kind.load`.
Loader = Callable[[HistoryStore, "Report", ByteProgress | None], Loaded]


@dataclass(frozen=True)
class Kind:
    """One report type, described once: how its file is recognised (the signature headers),
    what to call it, what it stores (`load`) and the SP-API report type that delivers it (empty
    when it is only imported). `sheets_sync.sources.amazon_reports` lists them all."""

    name: str
    label: str
    signature: frozenset[str]
    load: Loader
    spapi_type: str = ""
    #: The file holds no dates (the Business Report): the import takes them from the file's
    #: name or from `--dates` (`Report.span`), and refuses the file without them.
    dated: bool = False


@dataclass(frozen=True)
class Refusal:
    """A report recognised only to say why it cannot be used (instead of "unknown file")."""

    label: str
    signature: frozenset[str]
    reason: str


#: Header variants (by key) that mean the same column. Only names seen in real files belong
#: here; a header in another report language is reported as unknown rather than guessed.
ALIASES: dict[str, str] = {
    "merchantsku": "sku",
    "sellersku": "sku",
    "msku": "sku",
    "countryregioncode": "country",
    "countryregion": "country",
    "marketplace": "country",
    "recommendedreplenishmentquantity": "recommendedreplenishmentqty",
    "recommendedshipmentdate": "recommendedshipdate",
    "productname": "title",
    "itemname": "title",
}

_KEY_DROP = re.compile(r"[\s\-_\"'\ufeff\u2013\u2014]+")


def header_key(text: str) -> str:
    """Compare headers loosely: `Merchant SKU`, `merchant-sku` and `"merchant_sku"` agree, and
    so do `Sessions - Total` and the Business Report's newer `Sessions – Total` (en dash)."""
    key = _KEY_DROP.sub("", text).lower()
    return ALIASES.get(key, key)


@dataclass
class Problem:
    """A value the import skipped: where it was and why, for the user to fix or ignore."""

    line: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.column} {self.value!r}: {self.message}"


@dataclass
class Report:
    """An identified report file. `lines()` streams its data rows; `problems` collects skips."""

    path: Path
    kind: Kind
    header: list[str]
    columns: dict[str, int]
    encoding: str | None = None
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    rows_read: int = 0
    #: "," for a CSV download (the Business Report), else Amazon's tab-delimited text.
    delimiter: str = "\t"
    #: The days a file without a date column covers (`Kind.dated`), as the import was told.
    span: tuple[dt.date, dt.date] | None = None

    def cells(
        self, progress: Callable[[int], None] | None = None
    ) -> Iterator[tuple[int, list[str]]]:
        """Yield (line number, cells) for every non-blank data line; report bytes read.

        Cells are split on tabs; a line with a double quote is unquoted cell by cell. A CSV
        file's lines are split as CSV (quoted cells hold commas: `"5,824"`).
        Rows are padded to one cell past the header, so `index()` of a missing column (the
        header width) reads as an empty cell, whatever the row's length.
        """
        decode = LineDecoder(self.encoding)
        width = len(self.header) + 1
        done = 0
        with self.path.open("rb") as stream:
            for number, raw in enumerate(stream, start=1):
                done += len(raw)
                if number == 1:
                    continue
                if progress and number % 50_000 == 0:
                    progress(done)
                text = decode(raw.rstrip(b"\r\n"))
                if not text or text.isspace():
                    continue
                self.rows_read += 1
                if self.delimiter != "\t":
                    cells = next(csv.reader([text], delimiter=self.delimiter))
                else:
                    cells = text.split("\t")
                    if '"' in text:
                        cells = [unquote(cell) for cell in cells]
                if len(cells) < width:
                    cells.extend([""] * (width - len(cells)))
                yield number, cells
        self.encoding = decode.encoding
        if progress:
            progress(done)

    def index(self, key: str) -> int:
        """The cell index of column KEY; the padding cell (always empty) when it is missing."""
        return self.columns.get(key, len(self.header))

    def lines(self) -> Iterator[tuple[int, Fields]]:
        """Yield (line number, cells readable by column key) for every non-blank data line."""
        for number, cells in self.cells():
            yield number, Fields(cells, self)

    def problem(self, line: int, column: str, value: str, message: str) -> None:
        """Count a skipped value; keep the first few for the user to see."""
        self.problem_count += 1
        if len(self.problems) < 20:
            self.problems.append(Problem(line, column, value, message))


class Fields:
    """One row's cells, read by column key: missing columns and short rows read as ''."""

    __slots__ = ("_cells", "_report")

    def __init__(self, cells: list[str], report: Report) -> None:
        self._cells = cells
        self._report = report

    def __getitem__(self, key: str) -> str:
        return self._cells[self._report.index(key)].strip()


def identify(
    path: str | Path,
    kinds: Sequence[Kind],
    refusals: Sequence[Refusal] = (),
    encoding: str | None = None,
) -> Report:
    """Identify the report at PATH from its header line: the first of KINDS whose signature is
    all present, else a refusal's reason or the headers seen (`ReportError`). `encoding` when
    the source knows it."""
    path = Path(path)
    try:
        with path.open("rb") as stream:
            first = stream.readline()
    except OSError as error:
        raise ReportError(f"{path}: cannot read the file ({error.strerror or error})") from None
    if first.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReportError(
            f"{path.name}: UTF-16 text; download the report again as a tab-delimited .txt file"
        )
    decoder = LineDecoder(encoding)
    text = decoder(first.removeprefix(b"\xef\xbb\xbf").rstrip(b"\r\n"))
    delimiter = "," if "\t" not in text and "," in text else "\t"
    if delimiter == ",":  # a CSV download (the Business Report)
        header = [h.strip() for h in next(csv.reader([text]))]
    else:
        header = [unquote(h) for h in text.split("\t")]
    keys = [header_key(h) for h in header]
    present = set(keys)
    for kind in kinds:
        if kind.signature <= present:
            columns: dict[str, int] = {}
            for index, key in enumerate(keys):
                if key:
                    columns.setdefault(key, index)
            report = Report(path, kind, header, columns, encoding or decoder.chosen)
            report.delimiter = delimiter
            return report
    for refusal in refusals:
        if refusal.signature <= present:
            raise ReportError(f"{path.name} is Amazon's {refusal.label} report: {refusal.reason}.")
    seen = ", ".join(repr(h) for h in header if h.strip()) or "none"
    supported = ", ".join(k.label for k in kinds)
    raise ReportError(
        f"{path.name}: not a report stockout knows. Headers seen: {seen}. Supported: {supported}"
        " (tab-delimited .txt as Amazon delivers it, headers in English: switch the report"
        " language in Seller Central if your headers are in another language)."
    )
