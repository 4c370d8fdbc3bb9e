"""The `stockout` command.

Exit codes (`sheets_sync.exits.ExitCode`): 0 ok, 1 finished with problems listed (or an alert
not delivered), 2 refused (bad usage, a target that cannot be read or written), 3 a bug, logged
beside the history store. Errors are one plain sentence, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import shlex
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from addin import formulas
from sheets_sync import workbook as wb
from sheets_sync.backends import parse_target
from sheets_sync.backends.xlsx import XlsxBackend
from sheets_sync.guide import start_grid
from sheets_sync.help_texts import epilog
from sheets_sync.inputs import plan_date
from sheets_sync.messages import priced
from sheets_sync.refresh import RefreshResult, refresh, summary_lines
from sheets_sync.starter import START, starter_grids, starter_tabs
from sheets_sync.terminal import crashed, errors, fail, progress_bars
from sheets_sync.types import TargetError

out = Console()

#: Commands that live beside the feature they drive, registered by name.
EXTERNAL_COMMANDS = {
    "import": "sheets_sync.source_commands:import_command",
    "pull": "sheets_sync.source_commands:pull_command",
    "serve": "sheets_sync.server:serve_command",
    "apps-script": "sheets_sync.apps_script:apps_script_command",
    "excel-init": "sheets_sync.excel_init:excel_init_command",
    "excel-lite": "sheets_sync.excel_init:excel_lite_command",
    "schedule": "sheets_sync.schedule:schedule_command",
}


#: Parameters that name the workbook a command works on, hence where its crash log goes.
TARGET_PARAMS = ("target", "out_file", "file")


class StockoutGroup(click.Group):
    """Loads the feature commands lazily, so `stockout --help` stays fast, and is the edge where
    any unexpected error becomes one sentence, a crash log and exit code 3."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, cmd, rest = super().resolve_command(ctx, args)
        ctx.meta["stockout.command"] = (name, cmd, list(rest))
        return name, cmd, rest

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            errors.print("interrupted: nothing more was done", highlight=False)
            sys.exit(130)
        except Exception as exc:  # the edge: a bug, whatever the command
            crashed(exc, _target(ctx))

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *EXTERNAL_COMMANDS])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in EXTERNAL_COMMANDS:
            module, attr = EXTERNAL_COMMANDS[name].split(":")
            return getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, name)


@click.group(cls=StockoutGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="stockout-kit")
def main() -> None:
    """Keep Amazon FBA SKUs in stock: plan, alert and draft messages in your spreadsheet.

    TARGET is a workbook file (`book.xlsx`, the default and needing no credentials) or a
    Google Sheet (`gsheet:<spreadsheet id or URL>`).

    Exit codes: 0 ok; 1 done with problems listed (or an alert not delivered); 2 refused, with
    the reason; 3 a bug, its details in `<book>.stockout.log` beside the workbook.
    """


def _target(ctx: click.Context) -> str | None:
    """The workbook the failed command was given, read back from its command line."""
    name, cmd, args = ctx.meta.get("stockout.command", (None, None, []))
    if cmd is None:
        return None
    try:
        params = cmd.make_context(name, list(args), parent=ctx, resilient_parsing=True).params
    except Exception:  # the command line itself is what broke: no target to name
        return None
    found = next((params[p] for p in TARGET_PARAMS if params.get(p)), None)
    return None if found is None else str(found)


def _date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return plan_date(value, "--as-of")
    except formulas.InputError as exc:
        raise click.BadParameter(str(exc)) from None


def run_refresh(target: str, as_of: dt.date | None, dry_run: bool, notify: bool) -> RefreshResult:
    bars, progress = progress_bars()
    try:
        with bars:
            return refresh(target, as_of=as_of, dry_run=dry_run, notify=notify, progress=progress)
    except TargetError as exc:
        fail(str(exc))


def print_summary(result: RefreshResult, limit: int = 10) -> None:
    for line in summary_lines(result):
        out.print(line, highlight=False)
    urgent = result.urgent(limit)
    if urgent:
        table = Table(title="Most urgent", show_lines=False, title_justify="left")
        table.add_column("SKU", no_wrap=True)
        table.add_column("Alert", no_wrap=True)
        table.add_column("Stockout", no_wrap=True)
        table.add_column("Action")
        colours = {"OUT": "bold red", "CRITICAL": "red", "WARNING": "yellow", "WATCH": "cyan"}
        currency = result.plan.settings.currency
        for row in urgent:
            style = colours.get(row["alert"], "")
            table.add_row(
                row["sku"],
                f"[{style}]{row['alert']}[/]" if style else row["alert"],
                row["stockout_date"] or "",
                priced(row["action"], currency),
            )
        out.print(table)
    for notice in result.notices:
        out.print(f"  {notice}", highlight=False)
    if result.dry_run:
        out.print("  dry run: nothing was written", highlight=False)


@main.command("refresh", epilog=epilog("refresh"))
@click.argument("target")
@click.option("--as-of", callback=_date, help="Plan as of this date (default: Settings or today).")
@click.option("--dry-run", is_flag=True, help="Compute and report, but write nothing.")
@click.option("--notify", is_flag=True, help="E-mail / post the SKUs whose alert got worse.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def refresh_command(
    target: str, as_of: dt.date | None, dry_run: bool, notify: bool, as_json: bool
) -> None:
    """Refresh TARGET: Alerts, Drafts, Incidents, Problems and Timeline tabs."""
    result = run_refresh(target, as_of, dry_run, notify)
    if as_json:
        out.print_json(json.dumps(result.summary()))
    else:
        print_summary(result)
    sys.exit(result.exit_code)


def write_new_workbook(path: Path, grids: dict) -> None:
    """Write a new workbook: every tab with its notes, formats and input checks."""
    settings = {row[0]: row[1] for row in grids.get(wb.SETTINGS, [])[1:] if len(row) > 1}
    try:
        XlsxBackend(path, create=True).write(starter_tabs(grids, settings.get("currency")))
    except TargetError as exc:
        fail(str(exc))


@main.command("new", epilog=epilog("new"))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--example", is_flag=True, help="Fill a few realistic rows to try it out.")
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
def new_command(file: Path, example: bool, force: bool) -> None:
    """Write a starter workbook: a Start tab that guides you, every tab and header.

    Headers carry notes, Settings a Description of every key, and input cells dropdowns and
    checks. A Planner tab shows each SKU's Days of cover, Stockout date, Reorder by and Alert
    as live formulas over Inventory and Sales. With --example, six SKUs of a sample shop with
    two months of sales are filled in.
    """
    if file.exists() and not force:
        fail(f"{file} exists: pass --force to replace it, or choose another name")
    write_new_workbook(file, starter_grids(example=example, book=str(file)))
    first = "Refresh it" if example else "Follow its Start tab, then refresh it"
    out.print(f"Created {file}. {first}:", highlight=False, soft_wrap=True)
    out.print(f"  stockout refresh {shlex.quote(str(file))}", highlight=False, soft_wrap=True)


@main.command("demo", epilog=epilog("demo"))
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("stockout-demo.xlsx"),
    show_default=True,
    help="Where to write the demo workbook.",
)
@click.option("--as-of", callback=_date, help="Build and plan the demo as of this date.")
@click.option("--force", is_flag=True, help="Overwrite the file if it exists.")
def demo_command(out_file: Path, as_of: dt.date | None, force: bool) -> None:
    """Build a realistic sample workbook, refresh it and show what needs doing.

    Like `new`, it never replaces an existing file (an earlier demo you may have edited)
    unless --force.
    """
    from sheets_sync.demo import demo_tabs, write_demo_store
    from sheets_sync.planner import PLANNER, planner_grid

    if out_file.exists() and not force:
        fail(f"{out_file} exists: pass --force to replace it, or --out another file")
    day = as_of or dt.date.today()
    grids = {START: start_grid(str(out_file)), **demo_tabs(day)}
    if as_of is not None:  # the Planner's formulas count from the same day as the refresh
        for row in grids[wb.SETTINGS]:
            if row and row[0] == "as_of":
                row[1] = as_of
    grids[PLANNER] = planner_grid(grids)
    write_new_workbook(out_file, grids)
    write_demo_store(parse_target(out_file).store_path, day)
    result = run_refresh(str(out_file), day, False, False)
    print_summary(result)
    out.print(
        f"\nOpen {out_file} in Excel or LibreOffice: Alerts, Drafts, Planner and the "
        "Timeline charts.",
        highlight=False,
        soft_wrap=True,
    )
