"""What the commands show on a terminal: progress bars and one-line errors.

Long work (a year of sales to plan, a 7-million-line report to import) shows a bar; anything
that stops a command is one plain sentence on stderr, never a traceback: exit code 2 for a
refusal, 3 for a bug (its traceback goes to the crash log; see `sheets_sync.exits`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, NoReturn

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)

from sheets_sync.exits import ExitCode, crash_sentence, log_crash

#: progress(label, done, total): one bar per label, created on first use.
ProgressFn = Callable[[str, int, int], None]

errors = Console(stderr=True)


def fail(message: str) -> NoReturn:
    """Print `error: MESSAGE` and exit with code 2 (bad usage or unreadable target)."""
    errors.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    sys.exit(ExitCode.REFUSED)


def crashed(exc: BaseException, target: str | None) -> NoReturn:
    """Log an unexpected error's traceback beside TARGET's store, say so in one line, exit 3."""
    log = log_crash(target, exc)
    sentence = escape(crash_sentence(exc, log))
    errors.print(f"[bold red]error:[/] {sentence}", highlight=False, soft_wrap=True)
    sys.exit(ExitCode.CRASHED)


def progress_bars(*, in_bytes: bool = False) -> tuple[Progress, ProgressFn]:
    """A transient progress display on stderr, and the callback that drives it."""
    amount = DownloadColumn() if in_bytes else MofNCompleteColumn()
    bars = Progress(
        TextColumn("{task.description}"), BarColumn(), amount, TimeRemainingColumn(),
        console=errors, transient=True, disable=not errors.is_terminal,
    )  # fmt: skip
    tasks: dict[str, Any] = {}

    def update(label: str, done: int, total: int) -> None:
        if label not in tasks:
            tasks[label] = bars.add_task(label, total=total or None)
        bars.update(tasks[label], completed=done, total=total or None)

    return bars, update
