"""The commands that bring Amazon's data in: `stockout import FILES` and `stockout pull`.

Entry points like `sheets_sync.cli`: they parse the command line, show progress and a result
table, and exit with SPEC §6's codes; the work is `sources.importer.import_files` and
`sources.spapi.pull`, which know nothing of terminals.
"""

from __future__ import annotations

import datetime as dt
import json

import click
import httpx
from rich.console import Console
from rich.table import Table

from sheets_sync import vocab
from sheets_sync.help_texts import epilog
from sheets_sync.sources.amazon_reports import ReportError
from sheets_sync.sources.business_report import parse_dates
from sheets_sync.sources.importer import ImportResult, import_files
from sheets_sync.sources.spapi import SpApiError, pull
from sheets_sync.terminal import fail, progress_bars
from sheets_sync.types import TargetError


def _dates(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> tuple[dt.date, dt.date] | None:
    if value is None:
        return None
    try:
        return parse_dates(value)
    except ValueError:
        raise click.BadParameter(f"{value!r}: give 2026-11-20 or 2026-11-01..2026-11-07") from None


@click.command("import", epilog=epilog("import"))
@click.argument("target")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON on stdout.")
@click.option(
    "--dates",
    callback=_dates,
    help="The day (2026-11-20) or days (2026-11-01..2026-11-07) a Business Report covers; "
    "it holds no date (default: the ISO date or dates in its file name).",
)
def import_command(
    target: str, files: tuple[str, ...], as_json: bool, dates: tuple[dt.date, dt.date] | None
) -> None:
    """Import Amazon report FILES into TARGET's history store and workbook."""
    console = Console(stderr=True)
    bars, update = progress_bars(in_bytes=True)
    try:
        with bars:
            result = import_files(target, files, update, dates)
    except (ReportError, TargetError) as error:
        fail(str(error))
    if as_json:
        click.echo(json.dumps(result.summary(), ensure_ascii=False, indent=2))
    else:
        show_result(result, console)
    click.get_current_context().exit(result.exit_code)


def show_result(result: ImportResult, console: Console) -> None:
    table = Table("File", "Report", "Lines", "Result")
    for f in result.files:
        status = f.note if f.skipped else f"loaded {f.note}".strip()
        if f.problem_count:
            status += f"; {f.problem_count} lines with problems (below)"
        table.add_row(f.path.name, f.kind, str(f.rows), status)
    console.print(table)
    if result.inventory_updated or result.inventory_added:
        console.print(
            f"Inventory: {result.inventory_updated} SKUs updated, {result.inventory_added} added"
        )
    if result.orders_updated or result.orders_added or result.orders_closed:
        console.print(
            f"Orders: {result.orders_updated} lines updated, {result.orders_added} added, "
            f"{result.orders_closed} no longer unshipped (marked {vocab.SHIPPED!r})"
        )
    if result.promises_estimated:
        console.print(
            f"Orders: {result.promises_estimated} promised dates estimated (purchase date + "
            "Settings handling_time_days), marked in Promise estimated"
        )
    for f in result.files:
        for problem in f.problems:
            console.print(f"  {f.path.name}: {problem}", markup=False, highlight=False)
        if f.problem_count > len(f.problems):
            console.print(f"  {f.path.name}: ... and {f.problem_count - len(f.problems)} more")
    for warning in result.warnings:
        console.print(f"Warning: {warning}", markup=False, highlight=False)
    console.print(f"History store: {result.store}", markup=False, highlight=False)


@click.command("pull", epilog=epilog("pull"))
@click.argument("target")
@click.option("--days", default=30, show_default=True, help="How many days of sales to fetch.")
@click.option(
    "--time-limit", default=900, show_default=True, help="Seconds to wait for Amazon's reports."
)
@click.option(
    "--traffic-days",
    default=0,
    show_default=True,
    help="Also fetch Sales and Traffic (sessions, units per SKU) for this many past days, one "
    "report per day, the days already stored skipped: what the relaunch tracker watches.",
)
@click.option(
    "--sandbox",
    is_flag=True,
    help="Call Amazon's sandbox host for the marketplace's region "
    "(sandbox.sellingpartnerapi-na.amazon.com, -eu, -fe) instead: Amazon's test data, to try "
    "the credentials and the set-up. It lands in TARGET like real data: use a scratch workbook.",
)
def pull_command(target: str, days: int, time_limit: int, traffic_days: int, sandbox: bool) -> None:
    """Pull sales, FBA stock and open orders from Amazon (SP-API) into TARGET."""
    console = Console(stderr=True)
    bars, update = progress_bars(in_bytes=True)
    # An httpx.Client given as the click context's object carries the calls (tests, proxies).
    http = click.get_current_context().find_object(httpx.Client)
    try:
        with bars:
            result = pull(
                target, progress=update, time_limit=time_limit, days=days, http=http,
                traffic_days=traffic_days, sandbox=sandbox,
            )  # fmt: skip
    except (SpApiError, ReportError, TargetError) as error:
        fail(str(error))
    show_result(result, console)
    for note in result.notes:
        console.print(note, markup=False, highlight=False)
    click.get_current_context().exit(result.exit_code)
