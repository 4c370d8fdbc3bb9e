"""`stockout apps-script DIR`: write the Google Sheets Apps Script bundle.

The bundle is the `addin/google` project as shipped with the installed package (so it always
matches the installed version of the math), laid out so `clasp push` can upload it as is, with
SETUP.md telling a seller how to install it by pasting or with clasp.
"""

from __future__ import annotations

import json
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import click

#: The project files clasp pushes, plus the guide (clasp ignores it through .claspignore).
_SUFFIXES = (".gs", ".html", ".md")
_MANIFEST = "appsscript.json"

#: `clasp push` must not upload the guide or the example config.
CLASPIGNORE = "**/**\n!appsscript.json\n!**/*.gs\n!**/*.html\n"

#: `.clasp.json` ties the folder to one script; the user fills in its id, so only an example.
CLASP_EXAMPLE = {"scriptId": "PASTE-THE-SCRIPT-ID (Apps Script > Project Settings)", "rootDir": "."}


def _sources() -> list[Traversable]:
    folder = resources.files("addin").joinpath("google")
    files = [f for f in folder.iterdir() if f.name == _MANIFEST or f.name.endswith(_SUFFIXES)]
    if not any(f.name == _MANIFEST for f in files):
        raise FileNotFoundError(f"the installed package has no Apps Script project in {folder}")
    return sorted(files, key=lambda f: f.name)


def write_bundle(directory: Path) -> list[Path]:
    """Write the bundle into DIRECTORY (created if needed) and return the files written.

    Files of an earlier bundle are overwritten; anything else in the folder, in particular the
    user's own `.clasp.json`, is left alone.
    """
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for source in _sources():
        target = directory / source.name
        target.write_bytes(source.read_bytes())
        written.append(target)
    extras = {
        ".claspignore": CLASPIGNORE,
        ".clasp.json.example": json.dumps(CLASP_EXAMPLE, indent=2) + "\n",
    }
    for name, text in extras.items():
        target = directory / name
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


@click.command("apps-script")
@click.argument(
    "directory", type=click.Path(file_okay=False, path_type=Path), default="stockout-apps-script"
)
def apps_script_command(directory: Path) -> None:
    """Write the Google Sheets Apps Script bundle (functions + Stockout menu) to DIRECTORY."""
    try:
        written = write_bundle(directory)
    except OSError as exc:
        raise click.UsageError(f"cannot write the bundle to {directory}: {exc}") from exc
    for path in written:
        click.echo(f"  {path}")
    click.echo(f"Wrote {len(written)} files. Next: follow {directory / 'SETUP.md'}")
