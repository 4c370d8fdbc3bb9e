"""Where a workbook lives: one module per place, found by looking, and the TARGET parser.

A refresh reads every tab it needs in one batch and writes every tab it owns in one batch, so a
backend only has to move grids of plain values (the `Backend` protocol in `sheets_sync.types`).
Everything about *what* the grids mean (headers, aliases, owned columns, user columns) lives in
`sheets_sync.workbook`, not here.

Adding a backend touches one module plus its test: `sheets_sync/backends/<place>.py` with a
class that has `read`, `tab_names` and `write` (mapping every `FormatKind`) and, at module
level, `PLACE = Place(kind=..., backend=...)` (`sheets_sync.types.Place`): the target syntax
`<kind>:<key>`, how a key is read, whether it is a file on this machine. `places()` imports
every module of this package and keeps their `PLACE`s, so nothing else is edited: the TARGET
syntax, `open_backend`, the history store, the writer lock and `stockout schedule` all ask the
place. A backend module keeps its heavy or optional imports (gspread, xlwings) inside its
functions, since every module is loaded to parse any target.
"""

from __future__ import annotations

import functools
import importlib
import os
import pkgutil
import re
from typing import Any

from sheets_sync.types import Backend, Place, Target

#: A kind is a word of two or more letters, so `C:\\book.xlsx` is never read as a prefix.
_KIND = re.compile(r"[a-z][a-z0-9_]+")


def places() -> tuple[Place, ...]:
    """Every backend module's `PLACE`, by kind (the modules of this package, looked up once
    per package path)."""
    return _discover(tuple(__path__))


@functools.cache
def _discover(path: tuple[str, ...]) -> tuple[Place, ...]:
    found: dict[str, Place] = {}
    for module in pkgutil.iter_modules(list(path), f"{__name__}."):
        place = getattr(importlib.import_module(module.name), "PLACE", None)
        if not isinstance(place, Place):
            continue  # a helper module (gsheets_formats, xlsx_parts)
        if not _KIND.fullmatch(place.kind) or place.kind in found:
            raise ValueError(f"{module.name}: the kind {place.kind!r} is not a new word")
        found[place.kind] = place
    if sum(place.bare for place in found.values()) != 1:
        raise ValueError("exactly one backend must take a bare TARGET (a file path)")
    return tuple(sorted(found.values(), key=lambda place: place.kind))


def parse_target(text: str | os.PathLike[str] | Target) -> Target:
    """Read a TARGET argument (a `Target` is returned as is): `<kind>:<key>` for the place of
    that kind, else a text a place claims (a Google Sheets address), else a file path."""
    if isinstance(text, Target):
        return text
    text = os.fspath(text)
    known = places()
    for place in known:
        if text.startswith(f"{place.kind}:"):
            return Target(place, place.key(text.removeprefix(f"{place.kind}:")))
    for place in known:
        if place.claims(text):
            return Target(place, place.key(text))
    bare = next(place for place in known if place.bare)
    return Target(bare, bare.key(text))


def open_backend(target: str | os.PathLike[str] | Target, **options: Any) -> Backend:
    """Open TARGET: `book.xlsx` (default), `gsheet:<id or URL>`, `excel:caller`, ..."""
    place = parse_target(target)
    return place.place.backend(place.key, **options)
