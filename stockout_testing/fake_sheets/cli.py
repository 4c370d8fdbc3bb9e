"""`python -m stockout_testing.fake_sheets`: replay recordings, serve a fake, run stockout on it."""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .replay import replay
from .server import serve_fake, session_for


def serve_forever(port: int) -> None:
    """Serve a fake holding the demo workbook until Ctrl-C, for trying the tool without Google."""
    from sheets_sync.demo import demo_tabs

    with serve_fake(port=port) as (url, fake):
        sid = fake.create_spreadsheet("Stockout demo", demo_tabs(dt.date.today()))
        print(f"Fake Google Sheets API at {url}, spreadsheet id {sid}", flush=True)
        print(f"  python -m stockout_testing.fake_sheets --stockout {url} refresh gsheet:{sid}",
              flush=True)  # fmt: skip
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


def run_stockout(url: str, args: Sequence[str]) -> int:
    """Run the `stockout` command with every Google Sheet reached at the fake served at URL."""
    from sheets_sync import cli
    from sheets_sync.backends import gsheets

    opened = gsheets.GoogleSheetsBackend.__init__

    def to_fake(self: gsheets.GoogleSheetsBackend, spreadsheet: str, **options: Any) -> None:
        options.setdefault("session", session_for(url))
        opened(self, spreadsheet, **options)

    gsheets.GoogleSheetsBackend.__init__ = to_fake  # type: ignore[method-assign]
    try:
        return cli.main(list(args), standalone_mode=False) or 0
    except SystemExit as exit_:
        return int(exit_.code or 0)
    finally:
        gsheets.GoogleSheetsBackend.__init__ = opened  # type: ignore[method-assign]


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m stockout_testing.fake_sheets CASSETTE|FOLDER...`: replay, print matched/total.

    `python -m stockout_testing.fake_sheets --serve [PORT]` serves a fake instead (default 8765);
    `... --stockout URL ARGS...` runs `stockout ARGS...` against the fake served at URL.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--serve"]:
        serve_forever(int(args[1]) if len(args) > 1 and args[1].isdigit() else 8765)
        return 0
    if args[:1] == ["--stockout"] and len(args) > 2:
        return run_stockout(args[1], args[2:])
    paths = [
        found
        for given in map(Path, args)
        for found in (sorted(given.glob("*.json")) if given.is_dir() else [given])
    ]
    if not paths:
        print(
            "usage: python -m stockout_testing.fake_sheets CASSETTE.json|FOLDER...\n"
            "       python -m stockout_testing.fake_sheets --serve [PORT]\n"
            "       python -m stockout_testing.fake_sheets --stockout URL STOCKOUT-ARGS...",
            file=sys.stderr,
        )
        return 2
    all_matched = all_total = all_outside = 0
    failed = False
    for path in paths:
        try:
            result = replay(path)
        except (OSError, ValueError, KeyError, TypeError) as error:
            print(f"{path.name}: cannot replay ({error})")
            failed = True
            continue
        all_matched += result.matched
        all_total += result.total
        all_outside += result.outside
        failed = failed or result.matched != result.total
        skipped = f" ({result.outside} not replayed: files outside the recording)"
        print(f"{path.name}: {result.matched}/{result.total}" + (skipped if result.outside else ""))
        for problem in result.problems:
            print(f"  {problem}")
    print(
        f"total: {all_matched}/{all_total} answers match in {len(paths)} recordings"
        + (
            f"; {all_outside} exchanges not replayed (files outside the recordings)"
            if all_outside
            else ""
        )
    )
    return 1 if failed else 0
