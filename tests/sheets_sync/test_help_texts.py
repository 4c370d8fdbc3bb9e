"""Every command's --help gives examples, the exit codes and the environment it reads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from sheets_sync.cli import EXTERNAL_COMMANDS, main
from sheets_sync.help_texts import COMMANDS

PRODUCT = Path(__file__).resolve().parents[2] / "sheets_sync"
ENV_NAME = re.compile(r"\"((?:STOCKOUT|SP_API|LWA)_[A-Z_]+|GOOGLE_APPLICATION_CREDENTIALS)\"")


def help_of(command: str) -> str:
    result = CliRunner().invoke(main, [command, "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_help_has_examples_exit_codes_and_environment(command: str) -> None:
    text = help_of(command)
    examples = text.split("Examples:")[1].split("Exit codes:")[0]
    assert f"stockout {command}" in examples
    codes = text.split("Exit codes:")[1].split("Environment:")[0]
    assert [line.split()[0] for line in codes.strip().splitlines()] == ["0", "1", "2", "3"]
    for _examples, env in [COMMANDS[command]]:
        for names, _what in env:
            for name in names.split(", "):
                assert name in text, (command, name)


def test_every_command_has_its_help_and_every_variable_the_code_reads_is_documented() -> None:
    listed = set(main.list_commands(None))  # type: ignore[arg-type]
    assert listed == set(COMMANDS), listed ^ set(COMMANDS)
    assert set(EXTERNAL_COMMANDS) <= set(COMMANDS)
    read = {
        name
        for path in PRODUCT.rglob("*.py")
        for name in ENV_NAME.findall(path.read_text(encoding="utf-8"))
    }
    documented = "\n".join(help_of(command) for command in COMMANDS)
    missing = sorted(name for name in read if name not in documented)
    assert not missing, missing


def test_refresh_help_points_at_the_json_keys() -> None:
    assert "--json" in help_of("refresh") and "--json" in help_of("import")
