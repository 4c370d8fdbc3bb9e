"""How a command ends: the exit codes cron sees, and the crash log behind exit code 3.

Every ending is one of four, defined here once so every command, the server and the Excel button
mean the same thing by them:

* 0 `OK`: done, nothing to report.
* 1 `PROBLEMS`: done, but something needs a look: cells listed on the Problems tab, report lines
  skipped, or an alert that could not be delivered (said in the summary).
* 2 `REFUSED`: nothing was done, for a reason given in one plain sentence (bad usage, a workbook
  that cannot be read or saved, a lock, a missing setting).
* 3 `CRASHED`: a bug. The user sees one sentence naming the log file; the traceback goes to that
  log (`<workbook>.stockout.log` beside the history store), never to the terminal.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
import tempfile
import traceback
from enum import IntEnum
from pathlib import Path

from sheets_sync.backends import parse_target
from sheets_sync.types import TargetError, data_home


class ExitCode(IntEnum):
    """The exit codes of every `stockout` command (README, `stockout --help`)."""

    OK = 0
    PROBLEMS = 1
    REFUSED = 2
    CRASHED = 3


#: A log over this size is moved to `<name>.1` before the next crash is written.
MAX_LOG_BYTES = 1_000_000
#: Environment variables whose values never reach a log (tokens, passwords, secrets, keys).
_SECRET_NAMES = re.compile(r"TOKEN|SECRET|PASSWORD|KEY|CREDENTIAL", re.IGNORECASE)


def log_path(target: str | None) -> Path:
    """The crash log of TARGET: beside its history store (`book.xlsx` -> `book.stockout.log`).

    Without a target (the server, a bad command line) it is `stockout.log` in the data folder
    (`$STOCKOUT_HOME`, else the platform's).
    """
    if target:
        try:
            store = parse_target(target).store_path
            return store.with_name(store.name.removesuffix(".sqlite") + ".log").absolute()
        except (TargetError, ValueError, OSError, ImportError):  # a backend that cannot load
            pass
    return (data_home() / "stockout.log").absolute()


def log_crash(target: str | None, exc: BaseException, *, context: str = "") -> Path:
    """Append EXC's traceback to TARGET's crash log and return where it went.

    A log that cannot be written where it belongs (a read-only folder) goes to the data folder,
    then to the system's temporary folder. Secrets from the environment are masked.
    """
    text = "".join(traceback.format_exception(exc))
    stamp = dt.datetime.now().isoformat(timespec="seconds")
    entry = f"--- {stamp} {context or ' '.join(sys.argv)}\n{_masked(text)}\n"
    candidates = [log_path(target), log_path(None)]
    candidates.append(Path(tempfile.gettempdir()) / "stockout.log")
    for path in candidates:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.is_file() and path.stat().st_size > MAX_LOG_BYTES:
                os.replace(path, path.with_name(path.name + ".1"))
            with path.open("a", encoding="utf-8") as log:
                log.write(entry)
            return path
        except OSError:
            continue
    return candidates[-1]


def crash_sentence(exc: BaseException, log: Path) -> str:
    """The one sentence a user sees for a bug: what broke, and where the details are."""
    return (
        f"stockout stopped on an unexpected error ({type(exc).__name__}); the details are in "
        f"{log}: please attach that file to a bug report."
    )


def _masked(text: str) -> str:
    for name, value in os.environ.items():
        if len(value) >= 6 and _SECRET_NAMES.search(name):
            text = text.replace(value, "***")
    return text
