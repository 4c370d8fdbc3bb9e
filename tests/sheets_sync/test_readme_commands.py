"""The README's command list and each command's `--help` say the same as the code."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from sheets_sync.cli import main

README = Path(__file__).resolve().parents[2] / "README.md"


def _readme_commands() -> dict[str, str]:
    """Command name -> its README line, from the block under `## Commands`."""
    text = README.read_text(encoding="utf-8")
    block = text.split("## Commands", 1)[1].split("```text", 1)[1].split("```", 1)[0]
    lines = [line for line in block.splitlines() if line.startswith("stockout ")]
    return {line.split()[1]: line for line in lines}


def _usage(line: str) -> str:
    """The usage part of a README line (before its description, two spaces or more away)."""
    return re.split(r"\s{2,}", line.strip(), maxsplit=1)[0]


def _command(name: str) -> click.Command:
    with click.Context(main) as ctx:
        command = main.get_command(ctx, name)
    assert command is not None, name
    return command


def test_the_readme_lists_every_command_and_no_other() -> None:
    with click.Context(main) as ctx:
        assert sorted(_readme_commands()) == sorted(main.list_commands(ctx))


@pytest.mark.parametrize("name", sorted(_readme_commands()))
def test_the_readme_usage_matches_the_command(name: str) -> None:
    usage = _usage(_readme_commands()[name])
    command = _command(name)
    options = {o for p in command.params if isinstance(p, click.Option) for o in p.opts}
    for option in re.findall(r"--[a-z][a-z-]*", usage):
        assert option in options, f"README shows {option} for `stockout {name}`"
    arguments = [p for p in command.params if isinstance(p, click.Argument)]
    rest = re.sub(r"\[?--[\w-]+(?: [^\s\[\]-][^\s\]]*)?\]?", "", usage).split()[2:]
    assert rest == [_shown(a) for a in arguments], f"README arguments of `stockout {name}`"


def _shown(argument: click.Argument) -> str:
    """An argument as `--help` writes it: NAME, NAME... (many), [NAME] (optional)."""
    text = (argument.name or "").upper() + ("..." if argument.nargs == -1 else "")
    return text if argument.required else f"[{text}]"


@pytest.mark.parametrize("name", sorted(_readme_commands()))
def test_every_command_explains_itself(name: str) -> None:
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: main {name}") or f" {name} " in result.output
    command = _command(name)
    assert command.help and command.help.strip(), f"`stockout {name}` has no help text"
    for option in re.findall(r"--[a-z][a-z-]*", _usage(_readme_commands()[name])):
        assert option in result.output
