"""One writer at a time per workbook: refresh, import and pull take turns.

A refresh reads every tab, plans, then writes; an import reads Inventory and Orders, merges,
then writes. Run at the same time (cron and a person, two cron jobs), the later write would be
built from a stale read and save over the other's rows. So each of them holds this lock from
its read to its write. The lock is an OS file lock (`flock`, or `msvcrt.locking` on Windows)
on a small file beside the workbook (`.book.xlsx.stockout-lock`) or, for a Google Sheet, beside
its history store: the OS drops it when the process ends, so a killed refresh never leaves a
lock behind. A second writer waits up to `STOCKOUT_LOCK_WAIT` seconds (default 20), then
refuses with a plain sentence (exit 2).

A workbook open in Excel or LibreOffice is refused too: both leave a lock file beside it
(`~$book.xlsx`, `.~lock.book.xlsx#`), and writing under an open document is lost the moment
its user saves.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from sheets_sync.types import Target, TargetError

DEFAULT_WAIT_SECONDS = 20.0
_POLL_SECONDS = 0.1


def office_lock(path: Path) -> Path | None:
    """The lock file Excel or LibreOffice keeps beside PATH while it is open there, if any.

    Excel names it `~$` + the file name (on some versions the two first letters of a long name
    are replaced instead); LibreOffice names it `.~lock.` + the file name + `#`.
    """
    names = [f"~${path.name}", f"~${path.name[2:]}", f".~lock.{path.name}#"]
    for name in names:
        candidate = path.with_name(name)
        if candidate.exists():
            return candidate
    return None


def refuse_if_open(path: Path) -> None:
    """Refuse (TargetError, exit 2) when PATH is open in Excel or LibreOffice."""
    lock = office_lock(path)
    if lock is None:
        return
    program = "LibreOffice" if lock.name.startswith(".~lock.") else "Excel"
    raise TargetError(
        f"{path.name} is open in {program} (lock file {lock.name}): close it and run this "
        "again"
        + (", or use the Refresh button inside Excel" if program == "Excel" else "")
        + f". If it is not open anywhere, delete {lock.name}."
    )


def lock_path(target: Target) -> Path | None:
    """Where the writer lock of TARGET lives (None when there is nothing to lock)."""
    book = target.book
    if book is None:  # beside its history store in the data folder, if it has one yet
        try:
            return target.store_path.with_suffix(".lock")
        except TargetError:
            return None  # `excel:caller`: Excel itself serialises its macros
    if not book.is_absolute() and not target.place.writes_file:
        return None  # a book by the name its program knows it: that program serialises
    real = Path(os.path.realpath(book))
    return real.with_name(f".{real.name}.stockout-lock")


def _name(target: Target) -> str:
    return target.book.name if target.book is not None else str(target)


def _wait_seconds() -> float:
    try:
        return max(0.0, float(os.environ.get("STOCKOUT_LOCK_WAIT", DEFAULT_WAIT_SECONDS)))
    except ValueError:
        return DEFAULT_WAIT_SECONDS


@contextlib.contextmanager
def one_writer(target: Target, doing: str = "update") -> Iterator[None]:
    """Hold TARGET's writer lock for the block; wait briefly for another writer, then refuse.

    DOING names this command in the refusal ("refresh", "import"). For a workbook file, an open
    Excel or LibreOffice copy is refused before anything is read.
    """
    book = target.book
    if target.place.writes_file and book is not None:
        refuse_if_open(book)
    path = lock_path(target)
    if path is None:
        yield
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+b")  # noqa: SIM115 - held for the block, closed below
    except OSError:
        # A folder we cannot write to: the save would fail anyway and say so in its words.
        yield
        return
    try:
        deadline = time.monotonic() + _wait_seconds()
        while not _try_lock(handle):
            if time.monotonic() >= deadline:
                raise TargetError(
                    f"Another stockout refresh, import or pull is writing {_name(target)} "
                    f"right now: this {doing} waited {_wait_seconds():.0f} s and stopped "
                    "without changing anything. Run it again when the other one has finished."
                )
            time.sleep(_POLL_SECONDS)
        try:
            yield
        finally:
            _unlock(handle)
    finally:
        handle.close()


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(handle: IO[bytes]) -> bool:
        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(handle: IO[bytes]) -> bool:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
