"""Message templates read only template files from the template folders (issue 16, item 6).

The reproduction: `templates_path = /` and a template beside the workbook that includes
`etc/passwd` put the file into the Drafts digest (and `--notify` posted it). Here every way out
of the folders is tried, end to end through a refresh, with an audit hook listing every file the
refresh opens: none may lie outside the template folders, the workbook's own files and Python.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import openpyxl
import pytest

from sheets_sync import workbook as wb
from sheets_sync.backends import parse_target
from sheets_sync.cli import write_new_workbook
from sheets_sync.messages import SHIPPED_TEMPLATES, render_message, template_dirs_for
from sheets_sync.refresh import refresh
from sheets_sync.settings import Settings

AS_OF = dt.date(2026, 3, 1)
SECRET = "TOP-SECRET-LINE"

_opened: list[str] | None = None


def _audit(event: str, args: tuple) -> None:
    if _opened is not None and event == "open" and isinstance(args[0], str | Path):
        _opened.append(os.path.realpath(args[0]))


sys.addaudithook(_audit)


@contextmanager
def files_opened() -> Iterator[list[str]]:
    global _opened
    _opened = []
    try:
        yield _opened
    finally:
        _opened = None


def shop(tmp_path: Path, templates_path: str | None, template: str) -> Path:
    """A workbook in tmp_path/shop whose own digest template is TEMPLATE; a secret file
    sits outside the shop (and one inside, not a template)."""
    folder = tmp_path / "shop"
    (folder / "templates" / "en").mkdir(parents=True)
    (folder / "templates" / "en" / "alert_digest.txt.j2").write_text(template)
    (tmp_path / "secret.txt.j2").write_text(SECRET)
    (tmp_path / "secret.txt").write_text(SECRET)
    (folder / "notes.txt").write_text(SECRET)
    tabs = wb.starter_tabs()
    tabs[wb.INVENTORY] += [["X-1", "", "x", 10]]
    tabs[wb.SALES] += [
        [dt.datetime.combine(AS_OF - dt.timedelta(days=b), dt.time()), "X-1", 5, True]
        for b in range(30, 0, -1)
    ]
    if templates_path is not None:
        tabs[wb.SETTINGS] += [["templates_path", templates_path]]
    path = folder / "book.xlsx"
    write_new_workbook(path, tabs)
    return path


def drafts_text(path: Path) -> str:
    rows = openpyxl.load_workbook(path)[wb.DRAFTS].iter_rows(values_only=True)
    return "\n".join(str(v) for row in rows for v in row if v is not None)


def problems(path: Path) -> list[str]:
    rows = list(openpyxl.load_workbook(path)[wb.PROBLEMS].iter_rows(values_only=True))
    return [r[4] for r in rows[1:]]


ESCAPES = [
    ("/", '{% include "etc/passwd" %}'),
    ("/", '{% include "../secret.txt.j2" %}'),
    (None, '{% include "../../secret.txt.j2" %}'),
    (None, '{% include "/etc/passwd" %}'),
    (None, '{% include "notes.txt" %}'),
    (None, '{% include "link/secret.txt.j2" %}'),
    (None, '{% import "../secret.txt.j2" as x %}'),
    (None, '{% extends "../../secret.txt.j2" %}'),
    ("..", '{% include "secret.txt.j2" %}'),
    ("~/.ssh", '{% include "id_rsa" %}'),
]


@pytest.mark.parametrize(("templates_path", "template"), ESCAPES)
def test_no_template_reads_outside_the_template_folders(tmp_path, templates_path, template):
    path = shop(tmp_path, templates_path, template)
    (path.parent / "templates" / "en" / "link").symlink_to(tmp_path)
    with files_opened() as opened:
        result = refresh(str(path), as_of=AS_OF)
    assert SECRET not in drafts_text(path) and "root:" not in drafts_text(path)
    secrets = {str(tmp_path / "secret.txt.j2"), str(tmp_path / "secret.txt")}
    secrets |= {str(path.parent / "notes.txt"), "/etc/passwd"}
    assert secrets.isdisjoint(opened)
    shop_folder = str(path.parent)
    assert [f for f in opened if f.startswith(str(tmp_path)) and shop_folder not in f] == []
    assert result.exit_code == (0 if templates_path is None else 1)
    assert "template en/alert_digest.txt.j2: " in drafts_text(path)  # tried, and said why not
    if templates_path in ("/", "..", "~/.ssh"):
        assert any(p.startswith("templates_path: templates are read only") for p in problems(path))


def test_a_templates_path_inside_home_or_the_workbook_folder_is_used(tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / "shop-words" / "en").mkdir(parents=True)
    (tmp_path / "book" / "words").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    target = parse_target(tmp_path / "book" / "b.xlsx")
    assert template_dirs_for(target, Settings(templates_path="~/shop-words")) == [
        home / "shop-words",
        SHIPPED_TEMPLATES,
    ]
    assert template_dirs_for(target, Settings(templates_path="words"))[0] == (
        tmp_path / "book" / "words"
    )
    refused = wb.Problems()
    for path in ("/", "~", str(tmp_path), "~/.config", "../.."):
        assert template_dirs_for(target, Settings(templates_path=path), refused) == [
            SHIPPED_TEMPLATES
        ]
    assert len(refused) == 5


def test_includes_inside_the_folders_still_work(tmp_path: Path) -> None:
    own = tmp_path / "own" / "en"
    own.mkdir(parents=True)
    (own / "parts.txt.j2").write_text("Hello from a part")
    (own / "buyer_delay.txt.j2").write_text('Subject: x\n{% include "en/parts.txt.j2" %}')
    message = render_message("buyer_delay", "en", {}, [tmp_path / "own", SHIPPED_TEMPLATES])
    assert message.body == "Hello from a part" and message.warnings == []
