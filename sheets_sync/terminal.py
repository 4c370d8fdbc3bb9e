"""What the commands show on a terminal: progress bars and one-line errors.

Long work (a year of sales to plan, a 7-million-line report to import) shows a bar; anything
that stops a command is one plain sentence on stderr and exit code 2, never a traceback.
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

#: progress(label, done, total): one bar per label, created on first use.
ProgressFn = Callable[[str, int, int], None]

errors = Console(stderr=True)


def fail(message: str) -> NoReturn:
    """Print `error: MESSAGE` and exit with code 2 (bad usage or unreadable target)."""
    errors.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    sys.exit(2)


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
