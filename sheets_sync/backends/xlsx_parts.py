"""What openpyxl does not do with a workbook's parts, done on the zip around it.

openpyxl rebuilds a workbook from what it understands, so two things need the raw file:

* Formula values. openpyxl writes formulas without the value they computed; `save_with_values`
  puts the values back, so a program that reads without calculating still sees them.
* Content it cannot keep. Shapes and text boxes, slicers, timelines, form and ActiveX
  controls, sparklines, threaded comments (the legacy notes are kept), a VBA project in an
  .xlsx, and Excel 2010 extensions of conditional formats and data validation are dropped on
  save. `unkept` names what a file holds of these, so the refresh can say so on Problems
  before the first save loses it (the version before stays in the backups).
"""

from __future__ import annotations

import datetime as dt
import html
import re
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook

#: (what a person calls it, how to recognise it: a part's folder or a tag in a sheet or drawing)
UNKEPT = (
    ("shapes or text boxes", re.compile(rb"<(?:xdr:)?(?:sp|grpSp|cxnSp)[ >]")),
    ("slicers", "xl/slicers/"),
    ("timelines", "xl/timelines/"),
    ("form controls", "xl/ctrlProps/"),
    ("ActiveX controls", "xl/activeX/"),
    ("threaded comments", "xl/threadedComments/"),
    ("sparklines", re.compile(rb"<x14:sparklineGroups")),
    ("Excel 2010 conditional formats or data validation",
     re.compile(rb"<x14:(?:conditionalFormattings|dataValidations)")),
)  # fmt: skip


def unkept(path: Path, *, keep_vba: bool) -> list[str]:
    """What of UNKEPT (and a VBA project, unless KEEP_VBA) the workbook at PATH holds."""
    try:
        with zipfile.ZipFile(path) as book:
            names = book.namelist()
            parts = [n for n in names if n.startswith(("xl/worksheets/", "xl/drawings/"))]
            xml = [book.read(n) for n in parts if n.endswith(".xml")]
    except (OSError, zipfile.BadZipFile, KeyError):
        return []
    found = []
    for label, sign in UNKEPT:
        if isinstance(sign, str):
            hit = any(n.startswith(sign) for n in names)
        else:
            hit = any(sign.search(part) for part in xml)
        if hit:
            found.append(label)
    if not keep_vba and "xl/vbaProject.bin" in names:
        found.append("macros (a VBA project in an .xlsx file)")
    return found


def has_images(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as book:
            return any(n.startswith("xl/media/") for n in book.namelist())
    except (OSError, zipfile.BadZipFile):
        return False


def save_with_values(book: Workbook, path: Path, values: dict[tuple[str, str], Any]) -> None:
    """Save BOOK, with the value of each formula in VALUES ((sheet, cell) -> value) kept.

    openpyxl writes formulas without values; a program that reads values without calculating
    (this tool's next refresh from cron, pandas, a preview) would see blanks. The values are
    those the file had, or the formula engine found (`sheets_sync.formula_values`), for tabs
    this save did not rewrite; Excel and LibreOffice recalculate on opening anyway.
    """
    book.save(path)
    if not values:
        return
    with zipfile.ZipFile(path) as src:
        parts = {info: src.read(info.filename) for info in src.infolist()}
    names = {i.filename: i for i in parts}
    workbook_xml = parts[names["xl/workbook.xml"]].decode()
    sheets = _sheet_parts(workbook_xml, parts[names["xl/_rels/workbook.xml.rels"]].decode())
    for title, part in sheets.items():
        mine = {cell: v for (sheet, cell), v in values.items() if sheet == title}
        if mine and part in names:
            info = names[part]
            parts[info] = _with_values(parts[info].decode("utf-8"), mine).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in parts.items():
            dst.writestr(info, data)


def _sheet_parts(workbook_xml: str, rels_xml: str) -> dict[str, str]:
    """Sheet title -> its part in the zip (`xl/worksheets/sheet1.xml`)."""
    targets = {}
    for rel in re.findall(r"<Relationship [^>]*>", rels_xml):
        found = dict(re.findall(r'(Id|Target)="([^"]*)"', rel))
        targets[found.get("Id")] = found.get("Target", "")
    out = {}
    for m in re.finditer(r'<sheet [^>]*?name="([^"]*)"[^>]*?r:id="([^"]+)"', workbook_xml):
        target = targets.get(m[2], "")
        out[html.unescape(m[1])] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return out


def _with_values(xml: str, values: dict[str, Any]) -> str:
    def put(m: re.Match[str]) -> str:
        value = values.get(m[1])
        if value is None:
            return m[0]
        if isinstance(value, bool):
            kind, text = ' t="b"', "1" if value else "0"
        elif isinstance(value, int | float):
            kind, text = "", repr(float(value)) if isinstance(value, float) else str(value)
        elif isinstance(value, dt.datetime | dt.date):
            return m[0]  # a date formula's value is a serial number in the file; not kept
        else:
            kind, text = ' t="str"', html.escape(str(value), quote=False)
        return f'<c r="{m[1]}"{m[2]}{kind}><f>{m[3]}</f><v>{text}</v></c>'

    return re.sub(r'<c r="([A-Z]+\d+)"((?: s="\d+")?)><f>([^<]*)</f><v ?/></c>', put, xml)
