"""Replace a file so that a crash, a kill or a full disk never leaves half of it.

The new content is written to a hidden temporary file beside the real file, flushed to disk
(`fsync`), given the old file's permissions and owner, and renamed over it; the folder is
flushed too, so the rename itself survives a power cut. Around that:

* A symlink is followed: its target is replaced, the link stays a link.
* A file with other hard links cannot be renamed over without cutting them, so it is updated
  in place, through a journal: the complete new content is first renamed to
  `.<name>.stockout-new`, then copied over the file; a kill during the copy is finished by the
  next save or read (`finish_pending`), so the file is whole again before anything reads it.
* Backups (`backups=N`): the version being replaced is kept as
  `<stem>.backups/<stem> <timestamp><suffix>`, the newest N kept and older ones pruned. A backup
  appears at once, complete: it is a hard link to the old file (which the rename then leaves
  alone) or, where that cannot be, a copy written to a temporary name and renamed.
* Temporary files of a killed writer (`.<name>.<pid>.stockout-tmp`, whose process is gone) are
  removed by the next save.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import filecmp
import os
import re
import shutil
import stat
import time
from collections.abc import Callable
from pathlib import Path

TEMP_SUFFIX = ".stockout-tmp"
PENDING_SUFFIX = ".stockout-new"


def backup_folder(path: Path) -> Path:
    """Where the backups of PATH go: `<stem>.backups/` beside the real file."""
    real = Path(os.path.realpath(path))
    return real.with_name(f"{real.stem}.backups")


def backups_of(path: Path) -> list[Path]:
    """PATH's backups, oldest first."""
    return [p for *_, p in _backups(Path(os.path.realpath(path)))]


def _backups(real: Path) -> list[tuple[str, int, Path]]:
    """(time stamp, number within that second, path) of each backup, oldest first."""
    folder = backup_folder(real)
    if not folder.is_dir():
        return []
    pattern = re.compile(rf"{re.escape(real.stem)} (\d{{4}}-\d\d-\d\d \d{{6}})(?:-(\d+))?"
                         rf"{re.escape(real.suffix)}")  # fmt: skip
    matches = ((pattern.fullmatch(p.name), p) for p in folder.iterdir())
    return sorted((m[1], int(m[2] or 1), p) for m, p in matches if m)


def replace_file(path: Path, write: Callable[[Path], object], *, backups: int = 0) -> None:
    """Replace PATH with what WRITE writes to the path it is given; keep BACKUPS versions.

    WRITE may fail or be interrupted at any point: PATH is then as it was. OSError from WRITE
    or from the file system propagates after the temporary file is removed.
    """
    real = Path(os.path.realpath(path))
    real.parent.mkdir(parents=True, exist_ok=True)
    finish_pending(real)
    _remove_stale_temps(real)
    old = real.stat() if real.exists() else None
    tmp = real.with_name(f".{real.name}.{os.getpid()}{TEMP_SUFFIX}")
    try:
        write(tmp)
        _fsync_file(tmp)
        _copy_access(tmp, old)
        if old is not None and backups > 0:
            _backup(real, old, backups)
        if old is not None and old.st_nlink > 1:
            pending = _pending(real)
            os.replace(tmp, pending)
            _fsync_folder(real.parent)
            finish_pending(real)
        else:
            os.replace(tmp, real)
            _fsync_folder(real.parent)
    finally:
        tmp.unlink(missing_ok=True)


def finish_pending(path: Path) -> None:
    """Finish an in-place update a kill interrupted (a hard-linked file's journal)."""
    real = Path(os.path.realpath(path))
    pending = _pending(real)
    if not pending.exists():
        return
    with open(pending, "rb") as source, open(real, "r+b") as target:
        shutil.copyfileobj(source, target, 1 << 20)
        target.truncate()
        target.flush()
        os.fsync(target.fileno())
    pending.unlink()
    _fsync_folder(real.parent)


def _pending(real: Path) -> Path:
    return real.with_name(f".{real.name}{PENDING_SUFFIX}")


def _copy_access(tmp: Path, old: os.stat_result | None) -> None:
    """The new file gets the old one's mode and owner (a new file: 0666 less the umask)."""
    if old is None:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        return
    os.chmod(tmp, stat.S_IMODE(old.st_mode))
    if hasattr(os, "chown"):
        mine = tmp.stat()
        if (mine.st_uid, mine.st_gid) != (old.st_uid, old.st_gid):
            # Only root may give a file away; a group we belong to is allowed. Either way the
            # mode above is kept, which is what colleagues' access depends on most.
            with contextlib.suppress(PermissionError):
                os.chown(tmp, old.st_uid, old.st_gid)
            with contextlib.suppress(PermissionError):
                os.chown(tmp, -1, old.st_gid)


def _backup(real: Path, old: os.stat_result, keep: int) -> None:
    folder = backup_folder(real)
    folder.mkdir(exist_ok=True)
    newest = backups_of(real)[-1:]
    if newest and _same_version(newest[0], real, old):
        return  # a save killed after its backup: that version is kept already
    stamp = dt.datetime.fromtimestamp(old.st_mtime).strftime("%Y-%m-%d %H%M%S")
    kept = _backups(real)
    for *_, stale in kept[: max(0, len(kept) - keep + 1)]:  # room for the new one first:
        stale.unlink(missing_ok=True)  # a kill never leaves more than KEEP
    taken = [n for s, n, _ in kept if s == stamp]
    n = max(taken, default=0) + 1  # versions saved within one second keep their order
    target = folder / (f"{real.stem} {stamp}{real.suffix}" if n == 1 else
                       f"{real.stem} {stamp}-{n}{real.suffix}")  # fmt: skip
    linked = False
    if old.st_nlink == 1:  # a link to a file about to be renamed away costs nothing
        try:
            os.link(real, target)
            linked = True
        except OSError:
            linked = False
    if not linked:  # the file is updated in place (or links are not possible): copy it
        tmp = folder / f".{target.name}.{os.getpid()}{TEMP_SUFFIX}"
        try:
            shutil.copy2(real, tmp)
            _fsync_file(tmp)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
    _fsync_folder(folder)
    _remove_stale_temps(folder / real.name)


def _same_version(backup: Path, real: Path, old: os.stat_result) -> bool:
    """The backup is this very file, or a copy of it (same time, size and bytes)."""
    a = backup.stat()
    if (a.st_dev, a.st_ino) == (old.st_dev, old.st_ino):
        return True
    if (a.st_size, a.st_mtime_ns) != (old.st_size, old.st_mtime_ns):
        return False
    return filecmp.cmp(backup, real, shallow=False)


def _remove_stale_temps(real: Path) -> None:
    """Temporary files left by writers that were killed (their process no longer runs)."""
    try:
        names = list(real.parent.iterdir())
    except OSError:
        return
    for candidate in names:
        found = re.fullmatch(rf"\..*\.(\d+){re.escape(TEMP_SUFFIX)}", candidate.name)
        if found and not _alive(int(found[1]), candidate):
            candidate.unlink(missing_ok=True)


def _alive(pid: int, temp: Path) -> bool:
    """Whether the writer of TEMP may still be at work."""
    if pid == os.getpid():
        return True
    if os.name == "nt":  # pragma: no cover - os.kill would end the process there: go by age
        try:
            return temp.stat().st_mtime > time.time() - 3600
        except OSError:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _fsync_folder(folder: Path) -> None:
    if os.name == "nt":  # pragma: no cover - Windows cannot open a folder; NTFS journals renames
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
