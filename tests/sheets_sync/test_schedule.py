"""`stockout schedule`: the daily refresh for cron and Task Scheduler, as text a user pastes.

The cron line is not only read but run: its command goes through /bin/sh from another folder,
as cron would start it, and must refresh the workbook and write the log beside it.
"""

from __future__ import annotations

import datetime as dt
import os
import shlex
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from sheets_sync.cli import main, write_new_workbook
from sheets_sync.demo import demo_tabs
from sheets_sync.schedule import cron_entry, schtasks_command


def test_the_cron_line_runs_daily_at_the_hour_and_really_refreshes(tmp_path: Path) -> None:
    folder = tmp_path / "my shop's books"
    folder.mkdir()
    book = folder / "shop 100%.xlsx"
    write_new_workbook(book, demo_tabs(dt.date.today()))
    entry = cron_entry(str(book), "06:30")
    line = entry.splitlines()[-1]
    minute, hour, day, month, weekday, command = line.split(" ", 5)
    assert (minute, hour, day, month, weekday) == ("30", "6", "*", "*", "*")
    assert "--notify" in command and "\\%" in command  # % is a line break to cron
    assert all(x.startswith("# STOCKOUT_SMTP_") for x in entry.splitlines()[2:-1])
    # cron hands the command (with \% turned back into %) to sh, from the home folder.
    shell = command.replace("\\%", "%")
    done = subprocess.run(["/bin/sh", "-c", shell], cwd=tmp_path, env=dict(os.environ), timeout=300)
    assert done.returncode in (0, 1)  # 1: refreshed, with problems listed
    alerts = openpyxl.load_workbook(book)["Alerts"]
    assert alerts.max_row == 49
    log = (folder / "stockout-schedule.log").read_text()
    assert "SKUs planned" in log


def test_the_cron_line_names_this_python_and_a_google_sheet_by_id() -> None:
    url = "https://docs.google.com/spreadsheets/d/1AbCdEfGhIjKlMnOpQ/edit#gid=0"
    line = cron_entry(url, "7:05", python="/opt/venv/bin/python").splitlines()[-1]
    assert shlex.split(line.split(" ", 5)[5])[:5] == [
        "/opt/venv/bin/python", "-m", "sheets_sync", "refresh", "gsheet:1AbCdEfGhIjKlMnOpQ",
    ]  # fmt: skip
    assert line.startswith("5 7 * * * ")


def test_the_task_scheduler_command_quotes_windows_paths() -> None:
    command = schtasks_command(
        r"C:\Users\Li Wei\Documents\shop.xlsx",
        "06:00",
        python=r"C:\Program Files\Python311\python.exe",
    )
    assert command == (
        'schtasks /Create /F /SC DAILY /ST 06:00 /TN "stockout-kit refresh shop" '
        r'/TR "\"C:\Program Files\Python311\python.exe\" -m sheets_sync refresh '
        r'\"C:\Users\Li Wei\Documents\shop.xlsx\" --notify"'
    )


def test_the_command_prints_for_the_asked_system_and_refuses_a_bad_time(tmp_path: Path) -> None:
    runner = CliRunner()
    cron = runner.invoke(main, ["schedule", str(tmp_path / "b.xlsx"), "--for", "cron"])
    assert cron.exit_code == 0, cron.output
    assert "crontab -e" in cron.output
    assert f"{sys.executable} -m sheets_sync refresh" in cron.output
    windows = runner.invoke(main, ["schedule", r"C:\b.xlsx", "--for", "windows"])
    assert windows.output.startswith("schtasks /Create")
    assert 'schtasks /Delete /TN "stockout-kit refresh b" /F' in windows.output
    bad = runner.invoke(main, ["schedule", "b.xlsx", "--at", "25:00"])
    assert bad.exit_code == 2
    assert "expected a time like 07:00" in bad.output


@pytest.mark.parametrize("at", ["7", "07:60", "noon"])
def test_times_are_checked(at: str) -> None:
    with pytest.raises(Exception, match="expected a time"):
        cron_entry("b.xlsx", at)
