"""Where a workbook lives: one module per place, and the factory that picks one.

A refresh reads every tab it needs in one batch and writes every tab it owns in one batch, so a
backend only has to move grids of plain values (the `Backend` protocol in `sheets_sync.types`).
Everything about *what* the grids mean (headers, aliases, owned columns, user columns) lives in
`sheets_sync.workbook`, not here.

Adding a backend touches one module plus its test: write a class with `read` and `write` in
`sheets_sync/backends/<place>.py` mapping every `FormatKind`, and teach `open_backend` the target
syntax that selects it.
"""

from __future__ import annotations

from typing import Any

from sheets_sync.types import Backend, Target


def open_backend(target: str | Target, **options: Any) -> Backend:
    """Open TARGET: `book.xlsx` (default), `gsheet:<id or URL>`, or `excel:caller`."""
    place = Target.parse(target)
    if place.kind == "gsheet":
        from sheets_sync.backends.gsheets import GoogleSheetsBackend

        return GoogleSheetsBackend(place.key, **options)
    if place.kind == "excel":
        from sheets_sync.backends.excel_live import LiveExcelBackend

        return LiveExcelBackend(place.key, **options)
    from sheets_sync.backends.xlsx import XlsxBackend

    return XlsxBackend(place.key, **options)
