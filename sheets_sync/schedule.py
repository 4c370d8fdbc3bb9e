"""`stockout schedule TARGET`: the daily `stockout refresh TARGET --notify`, for cron or Windows.

A refresh that only runs when someone remembers it cannot warn anyone. This prints what the
machine's own scheduler needs, ready to paste: a crontab line (Linux, macOS) or a `schtasks`
command (Windows Task Scheduler). Nothing is installed behind the user's back: they see the
exact command that will run every day, and remove it the way they added it.

The command names this Python (`python -m sheets_sync`) by its full path, because a scheduler
starts with a bare PATH and no virtual environment, and the workbook by its absolute path,
because cron starts in the home folder and Task Scheduler in System32. Output goes to a log file
beside the workbook. Mail settings (STOCKOUT_SMTP_*) live in the environment: cron and Task
Scheduler do not read the shell's profile, so the crontab gets them as lines of its own.
"""

from __future__ import annotations

import ntpath
import re
import shlex
import sys
from pathlib import Path, PureWindowsPath

import click

from sheets_sync.backends import parse_target
from sheets_sync.help_texts import epilog

#: Environment a `--notify` refresh reads (notify.py); cron must be given them explicitly.
MAIL_SETTINGS = (
    "STOCKOUT_SMTP_HOST",
    "STOCKOUT_SMTP_PORT",
    "STOCKOUT_SMTP_USER",
    "STOCKOUT_SMTP_PASSWORD",
    "STOCKOUT_SMTP_SECURITY",
    "STOCKOUT_SMTP_FROM",
)
#: schtasks refuses a /TR command longer than this.
SCHTASKS_MAX_COMMAND = 261


def _parse_time(text: str) -> tuple[int, int]:
    found = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
    if not found or int(found[1]) > 23 or int(found[2]) > 59:
        raise click.BadParameter(f"expected a time like 07:00, got {text!r}")
    return int(found[1]), int(found[2])


def _places(target: str, windows: bool = False) -> tuple[str, Path]:
    """The target as the scheduled command names it, and the folder for its log."""
    parsed = parse_target(target)
    if not parsed.place.writes_file:
        return str(parsed), Path.cwd().resolve()
    if windows and ntpath.isabs(parsed.key):  # written here for a Windows machine
        return ntpath.normpath(parsed.key), Path.cwd().resolve()
    book = Path(parsed.key).expanduser().resolve()
    return str(book), book.parent


def cron_entry(target: str, at: str = "07:00", python: str = sys.executable) -> str:
    """A crontab entry (with its comment and mail-setting lines) refreshing TARGET daily at AT."""
    hour, minute = _parse_time(at)
    name, folder = _places(target)
    log = folder / "stockout-schedule.log"
    command = (
        f"{shlex.quote(python)} -m sheets_sync refresh {shlex.quote(name)} --notify "
        f">> {shlex.quote(str(log))} 2>&1"
    ).replace("%", "\\%")  # cron reads an unescaped % as a line break
    lines = [
        f"# stockout-kit: refresh {name} every day at {hour:02d}:{minute:02d} and e-mail the "
        "alerts that got worse",
        "# cron does not read your shell profile: fill in the mail settings it needs here",
        *(f"# {key}=..." for key in MAIL_SETTINGS),
        f"{minute} {hour} * * * {command}",
    ]
    return "\n".join(lines) + "\n"


def _windows_quote(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"'


def schtasks_command(target: str, at: str = "07:00", python: str = sys.executable) -> str:
    """The `schtasks /Create` command that refreshes TARGET daily at AT (Task Scheduler)."""
    hour, minute = _parse_time(at)
    name, _ = _places(target, windows=True)
    run = f"{_windows_quote(python)} -m sheets_sync refresh {_windows_quote(name)} --notify"
    task = (
        "stockout-kit refresh "
        + re.sub(r'[\\/:*?"<>|]', "_", PureWindowsPath(name).stem or name)[:40]
    )
    return (
        f'schtasks /Create /F /SC DAILY /ST {hour:02d}:{minute:02d} /TN "{task}" '
        f"/TR {_windows_quote(run)}"
    )


@click.command("schedule", epilog=epilog("schedule"))
@click.argument("target")
@click.option("--at", "at", default="07:00", show_default=True, help="Time of day (HH:MM).")
@click.option(
    "--for",
    "system",
    type=click.Choice(["auto", "cron", "windows"]),
    default="auto",
    show_default=True,
    help="cron (Linux, macOS) or windows (Task Scheduler); auto: this machine's.",
)
def schedule_command(target: str, at: str, system: str) -> None:
    """Print the daily `stockout refresh TARGET --notify` for cron or Task Scheduler."""
    if system == "auto":
        system = "windows" if sys.platform.startswith("win") else "cron"
    if system == "cron":
        click.echo(cron_entry(target, at), nl=False)
        click.echo(
            "\nAdd it with `crontab -e`: paste the lines above, fill in the mail settings and "
            "remove their #. Remove it the same way."
        )
        return
    command = schtasks_command(target, at)
    click.echo(command)
    inner = command.split("/TR ", 1)[1]
    if len(inner) - 2 > SCHTASKS_MAX_COMMAND:
        click.echo(
            f"\nWarning: the command is {len(inner) - 2} characters; schtasks allows "
            f"{SCHTASKS_MAX_COMMAND}. Move the workbook to a shorter path.",
            err=True,
        )
    click.echo(
        "\nRun it once in a Command Prompt (the task runs as you, while you are logged on). "
        "Set STOCKOUT_SMTP_* as user environment variables (System > About > Advanced system "
        'settings > Environment Variables) for the e-mail. Remove it with `schtasks /Delete /TN "'
        + command.split('/TN "', 1)[1].split('"', 1)[0]
        + '" /F`.'
    )
