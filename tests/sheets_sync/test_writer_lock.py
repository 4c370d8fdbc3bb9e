"""One writer at a time: refresh and import of one workbook take turns; open files are refused."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from sheets_sync.backends import parse_target
from sheets_sync.backends.xlsx import XlsxBackend
from sheets_sync.cli import main
from sheets_sync.refresh import refresh
from sheets_sync.sources.importer import import_files
from sheets_sync.types import Tab, TargetError
from sheets_sync.writer_lock import one_writer
from tests.sheets_sync.test_refresh import AS_OF, make_book, sheet_rows

MYI = (
    "sku\tfnsku\tasin\tproduct-name\tcondition\tyour-price\tmfn-listing-exists\t"
    "mfn-fulfillable-quantity\tafn-listing-exists\tafn-warehouse-quantity\t"
    "afn-fulfillable-quantity\tafn-unsellable-quantity\tafn-reserved-quantity\t"
    "afn-total-quantity\tper-unit-volume\tafn-inbound-working-quantity\t"
    "afn-inbound-shipped-quantity\tafn-inbound-receiving-quantity\n"
    "NEW-SKU\tX001\tB0NEW\tNew product\tNew\t19.99\tNo\t0\tYes\t40\t40\t0\t0\t40\t0.1\t0\t0\t0\n"
)


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return make_book(tmp_path / "book.xlsx")


@pytest.fixture
def report(tmp_path: Path) -> Path:
    path = tmp_path / "_GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA_.txt"
    path.write_text(MYI, encoding="utf-8")
    return path


def test_an_import_during_a_refresh_waits_and_its_rows_are_kept(
    book: Path, report: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race of issue 16: the refresh used to save its older copy of Inventory over the
    import's new row, and a re-import then said "already imported"."""
    monkeypatch.setenv("STOCKOUT_LOCK_WAIT", "30")
    planning, go_on = threading.Event(), threading.Event()

    def slow_progress(what: str, done: int, total: int) -> None:
        if what == "Planning SKUs" and not planning.is_set():
            planning.set()  # the refresh has read every tab and is planning
            assert go_on.wait(30)

    refreshed = threading.Thread(
        target=refresh, args=(str(book),), kwargs={"as_of": AS_OF, "progress": slow_progress}
    )
    refreshed.start()
    assert planning.wait(30)
    imported: list = []
    importer = threading.Thread(target=lambda: imported.append(import_files(str(book), [report])))
    importer.start()
    time.sleep(0.5)
    assert not imported and importer.is_alive()  # waiting for the refresh, not writing
    go_on.set()
    refreshed.join(30)
    importer.join(30)
    assert imported and imported[0].inventory_added == 1
    skus = [r[0] for r in sheet_rows(book, "Inventory")[1:]]
    assert "NEW-SKU" in skus and "A-1" in skus
    assert sheet_rows(book, "Alerts")[1][0]  # and the refresh's output is there too


def test_a_second_writer_waits_briefly_then_refuses_with_exit_2(
    book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STOCKOUT_LOCK_WAIT", "0.3")
    before = book.read_bytes()
    with one_writer(parse_target(book), "import"):
        started = time.monotonic()
        with pytest.raises(TargetError, match="Another stockout refresh, import or pull"):
            refresh(str(book), as_of=AS_OF)
        assert 0.3 <= time.monotonic() - started < 5
        result = CliRunner().invoke(main, ["refresh", str(book)])
        assert result.exit_code == 2 and "waited" in result.output
    assert book.read_bytes() == before  # nothing was written
    assert refresh(str(book), as_of=AS_OF).written  # free again


def test_the_lock_follows_a_symlink_to_the_same_workbook(
    book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STOCKOUT_LOCK_WAIT", "0")
    link = tmp_path / "link.xlsx"
    link.symlink_to(book)
    with one_writer(parse_target(book)), pytest.raises(TargetError, match="Another"):
        refresh(str(link), as_of=AS_OF)


@pytest.mark.parametrize(
    ("lock", "program"),
    [("~$book.xlsx", "Excel"), (".~lock.book.xlsx#", "LibreOffice")],
)
def test_a_workbook_open_in_excel_or_libreoffice_is_refused(
    book: Path, lock: str, program: str
) -> None:
    before = book.read_bytes()
    (book.parent / lock).write_text("someone,host,2026-11-29")
    result = CliRunner().invoke(main, ["refresh", str(book)])
    assert result.exit_code == 2
    assert f"open in {program}" in result.output and lock in result.output
    assert book.read_bytes() == before
    (book.parent / lock).unlink()
    assert refresh(str(book), as_of=AS_OF).written


def test_a_file_saved_by_another_program_meanwhile_is_not_overwritten(book: Path) -> None:
    backend = XlsxBackend(book)
    backend.read(["Inventory"])
    other = openpyxl.load_workbook(book)
    other["Inventory"]["A10"] = "typed in Excel meanwhile"
    other.save(book)
    with pytest.raises(TargetError, match="changed by another program"):
        backend.write({"Alerts": Tab("Alerts", ["SKU"], [["A-1"]])})
    assert openpyxl.load_workbook(book)["Inventory"]["A10"].value == "typed in Excel meanwhile"


def test_a_dry_run_reads_a_workbook_open_elsewhere_and_takes_no_lock(
    book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STOCKOUT_LOCK_WAIT", "0")
    with one_writer(parse_target(book)):  # another refresh is writing
        (book.parent / "~$book.xlsx").write_text("someone")  # and Excel has it open
        result = refresh(str(book), as_of=AS_OF, dry_run=True)
    assert result.dry_run and not result.written and len(result.plan.skus) == 3
