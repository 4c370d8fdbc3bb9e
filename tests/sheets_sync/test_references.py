"""User formulas in output tabs keep pointing at what they pointed at (issue 16, item 4)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName

from sheets_sync import workbook as wb
from sheets_sync.references import Moves, follow
from sheets_sync.refresh import refresh
from sheets_sync.types import Formula
from tests.sheets_sync.test_refresh import AS_OF, make_book, sales_rows, sheet_rows

# --- the rules, on their own ------------------------------------------------------------------


def moves(rows: dict[int, int], old_body: int, new_body: int, old_last: int, new_last: int):
    return Moves({1: 1, **rows}, {c: c for c in range(1, 6)}, old_body, new_body, old_last,
                 new_last, 5, 5)  # fmt: skip


def test_a_total_keeps_covering_the_whole_table_when_it_grows_or_shrinks() -> None:
    grown = moves({r: r for r in range(2, 50)} | {50: 51}, 49, 50, 50, 51)
    assert follow(Formula("=SUM(C2:C49)"), grown, "Alerts") == "=SUM(C2:C50)"
    assert follow(Formula("=SUM($C$1:$C$49)/2"), grown, "Alerts") == "=SUM($C$1:$C$50)/2"
    shrunk = moves({r: r for r in range(2, 40)} | {50: 41}, 49, 40, 50, 41)
    assert follow(Formula("=AVERAGE(C2:C49)"), shrunk, "Alerts") == "=AVERAGE(C2:C40)"


def test_a_cell_reference_follows_its_row_and_a_gone_row_is_ref() -> None:
    swapped = moves({2: 3, 3: 2, 4: 4}, 4, 4, 4, 4)
    assert follow(Formula("=C2*2+'Alerts'!D3"), swapped, "Alerts") == "=C3*2+'Alerts'!D2"
    assert follow(Formula("=Inventory!C2+C2"), swapped, "Alerts") == "=Inventory!C2+C3"
    gone = moves({2: 2, 4: 3}, 4, 3, 4, 3)
    assert follow(Formula("=C3+1"), gone, "Alerts") == "=#REF!+1"
    assert follow(Formula("=SUM(C3:C4)"), gone, "Alerts") == "=SUM(C3:C3)"  # end moves inward


def test_columns_follow_their_header_and_names_are_left_alone() -> None:
    m = Moves({1: 1, 2: 2}, {1: 1, 3: 2, 2: 3}, 2, 2, 2, 2, 3, 3)
    assert follow(Formula("=B2&C2&SUM(B:C)&Rate"), m, "T") == "=C2&B2&SUM(B:C)&Rate"
    assert follow(Formula("=SUM(Table1[Qty])"), m, "T") == "=SUM(Table1[Qty])"


# --- in a workbook, through refreshes ---------------------------------------------------------


def add_sku(path: Path, sku: str, available: int) -> None:
    book = openpyxl.load_workbook(path)
    book["Inventory"].append([sku, "B0D", "New", available, 0, 0, 20, None, 12])
    for row in sales_rows(sku, 2):
        book["Sales"].append(row)
    book.save(path)


def column_of(sheet, header: str) -> int:
    return next(c.column for c in sheet[1] if c.value == header)


def test_a_total_row_under_alerts_covers_a_new_sku_and_a_cell_follows_its_sku(
    tmp_path: Path,
) -> None:
    path = make_book(tmp_path / "book.xlsx")
    refresh(str(path), as_of=AS_OF)
    book = openpyxl.load_workbook(path)
    alerts = book["Alerts"]
    available = get_column_letter(column_of(alerts, "Available"))
    last = alerts.max_row  # 3 SKUs: rows 2-4
    a1 = next(r for r in range(2, last + 1) if alerts.cell(r, 1).value == "A-1")
    alerts.cell(last + 1, 2, "TOTAL")
    alerts[f"{available}{last + 1}"] = f"=SUM({available}2:{available}{last})"
    alerts.cell(1, 30, "A-1 share")
    alerts.cell(last + 1, 30, f"={available}{a1}/{available}{last + 1}")
    book.save(path)

    add_sku(path, "D-4", 70)
    refresh(str(path), as_of=AS_OF)
    alerts = openpyxl.load_workbook(path)["Alerts"]
    total = next(r for r in range(2, alerts.max_row + 1) if alerts.cell(r, 2).value == "TOTAL")
    assert total == last + 2  # one more SKU above it
    assert alerts[f"{available}{total}"].value == f"=SUM({available}2:{available}{last + 1})"
    a1 = next(r for r in range(2, total) if alerts.cell(r, 1).value == "A-1")
    share = alerts.cell(total, column_of(alerts, "A-1 share"))
    assert share.value == f"={available}{a1}/{available}{total}"


def refreshed_book(tmp_path: Path) -> tuple[Path, Any, str, int]:
    """The sample book refreshed once, opened: (path, book, Available's letter on Alerts, the
    last Alerts row)."""
    path = make_book(tmp_path / "book.xlsx")
    refresh(str(path), as_of=AS_OF)
    book = openpyxl.load_workbook(path)
    alerts = book["Alerts"]
    return path, book, get_column_letter(column_of(alerts, "Available")), alerts.max_row


def test_a_total_row_labelled_in_the_sku_column_is_the_users_not_a_removed_sku(
    tmp_path: Path,
) -> None:
    """`TOTAL` typed in the SKU column is a label, not a SKU that left Inventory: the row, its
    formulas and its notes stay below the table (a removed SKU's row, which the refresh wrote,
    still goes)."""
    path, book, available, last = refreshed_book(tmp_path)
    alerts = book["Alerts"]
    alerts.cell(last + 1, 1, "TOTAL")
    alerts[f"{available}{last + 1}"] = f"=SUM({available}2:{available}{last})"
    alerts.cell(1, 30, "Note")
    alerts.cell(last + 1, 30, "checked by Anna")
    book["Inventory"].delete_rows(4)  # C-3 leaves Inventory
    book.save(path)

    refresh(str(path), as_of=AS_OF)
    alerts = openpyxl.load_workbook(path)["Alerts"]
    skus = [alerts.cell(r, 1).value for r in range(2, alerts.max_row + 1)]
    assert skus[-1] == "TOTAL" and "C-3" not in skus and len(skus) == 3
    total = alerts.max_row
    assert alerts[f"{available}{total}"].value == f"=SUM({available}2:{available}{total - 1})"
    assert alerts.cell(total, column_of(alerts, "Note")).value == "checked by Anna"


def test_drafts_formulas_point_at_their_own_row_after_drafts_above_are_dropped(
    tmp_path: Path,
) -> None:
    path = make_book(tmp_path / "book.xlsx")
    # A-1 six days from running out (CRITICAL): its listing-change draft is the last one.
    book = openpyxl.load_workbook(path)
    book["Inventory"]["D2"] = 30
    book.save(path)
    refresh(str(path), as_of=AS_OF)
    book = openpyxl.load_workbook(path)
    drafts = book["Drafts"]
    body = get_column_letter(column_of(drafts, "Body"))
    status = column_of(drafts, "Status")
    words = drafts.max_column + 1
    drafts.cell(1, words, "Characters")
    for r in range(2, drafts.max_row + 1):
        drafts.cell(r, words, f"=LEN({body}{r})")
    kept = drafts.max_row  # the last draft is marked sent: it stays
    drafts.cell(kept, status, "sent")
    gone = next(r for r in range(2, kept) if "C-3" in str(drafts.cell(r, 1).value))
    drafts.cell(kept, words + 1, f"=LEN({body}{gone})")  # points at a draft that will go
    book["Inventory"]["D4"] = 5000  # C-3 restocked: its drafts are no longer needed
    book.save(path)

    refresh(str(path), as_of=AS_OF)
    drafts = openpyxl.load_workbook(path)["Drafts"]
    keys = [drafts.cell(r, 1).value for r in range(2, drafts.max_row + 1)]
    assert not any(str(k).startswith(("supplier_expedite:C-3", "forwarder_air:C-3")) for k in keys)
    moved = next(r for r in range(2, drafts.max_row + 1) if drafts.cell(r, status).value == "sent")
    assert moved < kept
    for r in range(2, drafts.max_row + 1):
        formula = drafts.cell(r, words).value
        assert formula is None or formula == f"=LEN({body}{r})", (r, formula)
    assert drafts.cell(moved, words).value == f"=LEN({body}{moved})"
    assert drafts.cell(moved, words + 1).value == "=LEN(#REF!)"


def test_unheaded_user_columns_fills_and_widths_survive_a_re_ranking(tmp_path: Path) -> None:
    path = make_book(tmp_path / "book.xlsx")
    refresh(str(path), as_of=AS_OF)
    book = openpyxl.load_workbook(path)
    alerts = book["Alerts"]
    notes, loose = alerts.max_column + 1, alerts.max_column + 3
    alerts.cell(1, notes, "My note")
    yellow = PatternFill("solid", fgColor="FFFF00")
    for r in range(2, alerts.max_row + 1):
        sku = alerts.cell(r, 1).value
        alerts.cell(r, notes, f"note {sku}").fill = yellow if sku == "A-1" else PatternFill()
        alerts.cell(r, loose, f"loose {sku}")  # a column with no header at all
    alerts.column_dimensions[get_column_letter(notes)].width = 41
    before = [alerts.cell(r, 1).value for r in range(2, alerts.max_row + 1)]
    book["Inventory"]["D3"] = 0  # B-2 runs out: the ranking changes
    book.save(path)

    refresh(str(path), as_of=AS_OF)
    alerts = openpyxl.load_workbook(path)["Alerts"]
    after = [alerts.cell(r, 1).value for r in range(2, alerts.max_row + 1)]
    assert after != before
    assert alerts.cell(1, notes).value == "My note" and alerts.cell(1, loose).value is None
    for r, sku in enumerate(after, start=2):
        assert alerts.cell(r, notes).value == f"note {sku}"
        assert alerts.cell(r, loose).value == f"loose {sku}"
        fill = alerts.cell(r, notes).fill
        assert (fill.fgColor.rgb == "00FFFF00") == (sku == "A-1"), sku
    assert alerts.column_dimensions[get_column_letter(notes)].width == 41


def test_formulas_and_names_on_other_tabs_follow_the_rows_they_point_at(tmp_path: Path) -> None:
    path, book, available, last = refreshed_book(tmp_path)
    alerts = book["Alerts"]
    a1 = next(r for r in range(2, last + 1) if alerts.cell(r, 1).value == "A-1")
    mine = book.create_sheet("Summary")
    mine["A1"] = f"=Alerts!{available}{a1}"
    mine["A2"] = f"=SUM(Alerts!{available}2:{available}{last})+A1"
    mine["A3"] = f"=Alerts!{available}{a1}&Incidents!A2"  # two rewritten tabs in one formula
    book.defined_names["AllAvailable"] = DefinedName(
        "AllAvailable", attr_text=f"Alerts!${available}$2:${available}${last}"
    )
    book.save(path)

    add_sku(path, "D-4", 70)
    refresh(str(path), as_of=AS_OF)
    book = openpyxl.load_workbook(path)
    alerts = book["Alerts"]
    a1 = next(r for r in range(2, alerts.max_row + 1) if alerts.cell(r, 1).value == "A-1")
    assert book["Summary"]["A1"].value == f"=Alerts!{available}{a1}"
    assert book["Summary"]["A2"].value == f"=SUM(Alerts!{available}2:{available}{last + 1})+A1"
    assert book["Summary"]["A3"].value.startswith(f"=Alerts!{available}{a1}&Incidents!")
    assert book.defined_names["AllAvailable"].attr_text == (
        f"Alerts!${available}$2:${available}${last + 1}"
    )


def test_a_note_on_a_problem_stays_while_it_recurs_and_goes_when_it_is_fixed(
    tmp_path: Path,
) -> None:
    path = make_book(tmp_path / "book.xlsx")
    book = openpyxl.load_workbook(path)
    book[wb.INVENTORY]["D2"] = "lots"  # A-1's Available
    book[wb.INVENTORY]["D3"] = "many"  # B-2's
    book.save(path)
    refresh(str(path), as_of=AS_OF)
    book = openpyxl.load_workbook(path)
    problems = book[wb.PROBLEMS]
    rows = [list(r) for r in problems.iter_rows(values_only=True)]
    at = {r[1]: n for n, r in enumerate(rows[1:], start=2) if r[0] == wb.INVENTORY}
    problems.cell(1, 7, "Who fixes it")
    problems.cell(at[2], 7, "Ann, by Friday")
    problems.cell(at[3], 7, "Bo")
    book[wb.INVENTORY]["D2"] = 40  # A-1 fixed; B-2's problem recurs
    book.save(path)
    refresh(str(path), as_of=AS_OF)
    rows = sheet_rows(path, wb.PROBLEMS)
    assert rows[0][6] == "Who fixes it"
    mine = [(r[0], r[1], r[6]) for r in rows[1:] if r[0] == wb.INVENTORY]
    assert mine == [(wb.INVENTORY, 3, "Bo")]
    assert all(r[6] != "Ann, by Friday" for r in rows[1:])
