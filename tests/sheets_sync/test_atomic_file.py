"""Saving a workbook: permissions, owner, links, backups, and kills at any moment."""

from __future__ import annotations

import os
import random
import signal
import stat
import time
from pathlib import Path

import openpyxl
import pytest

from sheets_sync import atomic_file
from sheets_sync.atomic_file import backups_of, replace_file
from sheets_sync.backends.xlsx import BACKUPS, XlsxBackend
from sheets_sync.types import Tab

posix_only = pytest.mark.skipif(os.name != "posix", reason="fork, modes and owners are POSIX")


def save(path: Path, n: int, rows: int = 5) -> None:
    XlsxBackend(path, create=not path.exists()).write(
        {"A": Tab("A", ["x", "n"], [[i, n] for i in range(rows)])}
    )


def version(path: Path) -> int:
    """Which save a workbook file holds (raises if the file is not a readable workbook)."""
    return openpyxl.load_workbook(path, read_only=True)["A"]["B2"].value


@posix_only
def test_permissions_and_owner_are_kept(tmp_path: Path) -> None:
    book = tmp_path / "book.xlsx"
    save(book, 1)
    os.chmod(book, 0o644)
    if os.geteuid() == 0:
        os.chown(book, 1234, 2345)
    save(book, 2)
    st = book.stat()
    assert stat.S_IMODE(st.st_mode) == 0o644  # colleagues keep read access
    if os.geteuid() == 0:
        assert (st.st_uid, st.st_gid) == (1234, 2345)
    os.chmod(book, 0o660)
    save(book, 3)
    assert stat.S_IMODE(book.stat().st_mode) == 0o660
    assert version(book) == 3


def test_the_last_five_versions_are_kept_oldest_pruned(tmp_path: Path) -> None:
    book = tmp_path / "book.xlsx"
    for n in range(1, 9):
        save(book, n)
    kept = backups_of(book)
    assert len(kept) == BACKUPS == 5
    assert [version(p) for p in kept] == [3, 4, 5, 6, 7]  # 8 is the workbook itself
    assert version(book) == 8
    assert all(p.parent == tmp_path / "book.backups" for p in kept)


def test_a_symlinked_workbook_updates_its_target(tmp_path: Path) -> None:
    real = tmp_path / "shared" / "book.xlsx"
    real.parent.mkdir()
    save(real, 1)
    link = tmp_path / "book.xlsx"
    link.symlink_to(real)
    save(link, 2)
    assert link.is_symlink() and version(real) == 2 and version(link) == 2
    assert [version(p) for p in backups_of(link)] == [1]


def test_a_hard_linked_workbook_stays_linked(tmp_path: Path) -> None:
    book = tmp_path / "book.xlsx"
    save(book, 1)
    other = tmp_path / "other name.xlsx"
    os.link(book, other)
    save(book, 2)
    assert book.stat().st_ino == other.stat().st_ino and version(other) == 2
    # Its backup is a copy, not one more name of the file being changed in place.
    (backup,) = backups_of(book)
    assert backup.stat().st_ino != book.stat().st_ino and version(backup) == 1


def test_a_failed_save_leaves_the_file_and_no_temp(tmp_path: Path) -> None:
    book = tmp_path / "book.xlsx"
    book.write_bytes(b"old")

    def broken(tmp: Path) -> None:
        tmp.write_bytes(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        replace_file(book, broken, backups=5)
    assert book.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]


@posix_only
def test_temp_files_of_killed_writers_are_cleaned(tmp_path: Path) -> None:
    book = tmp_path / "book.xlsx"
    save(book, 1)
    pid = os.fork()
    if pid == 0:  # a writer that dies before it can clean up
        os._exit(0)
    os.waitpid(pid, 0)
    stale = tmp_path / f".book.xlsx.{pid}{atomic_file.TEMP_SUFFIX}"
    stale.write_bytes(b"half a workbook")
    save(book, 2)
    assert not stale.exists()


# --- kills ------------------------------------------------------------------------------------
# A child process saves the workbook again and again and is killed with SIGKILL: either at a
# random moment, or exactly before each step of the save (every write, flush, link, copy and
# rename). Afterwards the workbook and its newest backup must open, and the next save must work.


#: Each step of a save a kill can fall before: (module, function name).
STEPS = [(atomic_file, name) for name in ("finish_pending", "_fsync_file", "_copy_access",
         "_backup", "_fsync_folder")] + [(os, "link"), (os, "replace"), (atomic_file.shutil,
         "copy2"), (atomic_file.shutil, "copyfileobj")]  # fmt: skip


def _child(book: Path, kill_at: int | None, rows: int) -> None:
    """Run in the forked child: save forever, SIGKILLed before its KILL_AT-th step if given."""
    count = 0

    def tripwire(real):  # type: ignore[no-untyped-def]
        def wrapped(*args, **kwargs):  # type: ignore[no-untyped-def]
            nonlocal count
            count += 1
            if count == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
            return real(*args, **kwargs)

        return wrapped

    if kill_at is not None:
        for owner, name in STEPS:  # only in this child process
            setattr(owner, name, tripwire(getattr(owner, name)))
    n = version(book)
    while True:
        n += 1
        save(book, n, rows)


def _kill_run(book: Path, kill_at: int | None, delay: float, rows: int, saves: int = 0) -> bool:
    """Fork a saving child and kill it (at step KILL_AT, or DELAY seconds after it finished
    SAVES saves); True when it died by the kill (not by finishing)."""
    pid = os.fork()
    if pid == 0:
        try:
            _child(book, kill_at, rows)
        finally:
            os._exit(3)
    if kill_at is None:
        deadline = time.monotonic() + 60
        seen = _stamp(book)
        while saves and time.monotonic() < deadline:
            time.sleep(0.002)
            if _stamp(book) != seen:
                seen, saves = _stamp(book), saves - 1
        time.sleep(delay)
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    return os.WIFSIGNALED(status)


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def _assert_whole(book: Path) -> int:
    XlsxBackend(book).read(["A"])  # finishes an interrupted in-place update, as any read does
    current = version(book)
    backups = backups_of(book)
    assert backups, "no backup"
    assert version(backups[-1]) <= current  # killed after its backup, before the rename: =
    assert len(backups) <= BACKUPS
    return current


@posix_only
@pytest.mark.parametrize("layout", ["plain", "symlink", "hardlink"])
def test_a_kill_at_every_step_of_a_save_leaves_a_readable_workbook_and_backup(
    tmp_path: Path, layout: str
) -> None:
    book = _laid_out(tmp_path, layout)
    kills = 0
    for kill_at in range(1, 26):
        kills += _kill_run(book, kill_at, 0, rows=20)
        _assert_whole(book)
    assert kills == 25  # every step of the first saves was hit
    save(book, version(book) + 1)
    leftovers = [p.name for p in book.parent.rglob("*") if "stockout-" in p.name]
    assert leftovers == []


@posix_only
@pytest.mark.parametrize("layout", ["plain", "hardlink"])
def test_kills_at_random_moments_leave_a_readable_workbook_and_backup(
    tmp_path: Path, layout: str
) -> None:
    book = _laid_out(tmp_path, layout)
    started = time.monotonic()
    save(book, version(book) + 1, rows=1000)
    one_save = time.monotonic() - started  # on this machine, under its present load
    chance = random.Random(16)
    kills, seen = 0, set()
    for _ in range(10):
        saves, delay = chance.randrange(3), chance.uniform(0, 1.5 * one_save)
        kills += _kill_run(book, None, delay, rows=1000, saves=saves)
        seen.add(_assert_whole(book))
    assert kills == 10, kills
    assert len(seen) > 3, seen  # the kills fell in different saves


def _laid_out(tmp_path: Path, layout: str) -> Path:
    real = tmp_path / "data" / "book.xlsx"
    real.parent.mkdir()
    save(real, 1)
    save(real, 2)
    if layout == "symlink":
        (tmp_path / "book.xlsx").symlink_to(real)
        return tmp_path / "book.xlsx"
    if layout == "hardlink":
        os.link(real, tmp_path / "copy.xlsx")
    return real
