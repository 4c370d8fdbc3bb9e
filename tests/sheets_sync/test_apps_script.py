"""`stockout apps-script DIR`: the bundle a seller pastes or pushes with clasp."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sheets_sync.apps_script import apps_script_command, write_bundle

SOURCE = Path(__file__).resolve().parents[2] / "addin" / "google"


def test_the_bundle_holds_the_whole_project_byte_for_byte(tmp_path: Path) -> None:
    written = write_bundle(tmp_path / "bundle")
    names = {p.name for p in written}
    assert {
        "appsscript.json",
        "Formulas.gs",
        "CustomFunctions.gs",
        "Menu.gs",
        "SettingsDialog.html",
        "SETUP.md",
        ".clasp.json.example",
        ".claspignore",
    } <= names
    # No project file is forgotten: every script and page of addin/google ships.
    shipped = {p.name for p in SOURCE.iterdir() if p.suffix in {".gs", ".html"}}
    assert shipped <= names
    for path in written:
        assert path.parent == tmp_path / "bundle"
        if (SOURCE / path.name).exists():
            assert path.read_bytes() == (SOURCE / path.name).read_bytes()


def test_the_manifest_runs_on_v8_with_the_narrowest_scopes(tmp_path: Path) -> None:
    write_bundle(tmp_path)
    manifest = json.loads((tmp_path / "appsscript.json").read_text())
    assert manifest["runtimeVersion"] == "V8"
    assert set(manifest["oauthScopes"]) == {
        "https://www.googleapis.com/auth/spreadsheets.currentonly",
        "https://www.googleapis.com/auth/script.container.ui",
        # the daily refresh: a time-driven trigger, and the alert e-mail through MailApp
        "https://www.googleapis.com/auth/script.scriptapp",
        "https://www.googleapis.com/auth/script.send_mail",
        # the optional server
        "https://www.googleapis.com/auth/script.external_request",
    }


def test_clasp_pushes_only_the_project_and_the_user_config_is_kept(tmp_path: Path) -> None:
    (tmp_path / ".clasp.json").write_text('{"scriptId": "mine"}')
    write_bundle(tmp_path)
    example = json.loads((tmp_path / ".clasp.json.example").read_text())
    assert example["rootDir"] == "."
    assert "scriptId" in example
    assert json.loads((tmp_path / ".clasp.json").read_text()) == {"scriptId": "mine"}
    ignore = (tmp_path / ".claspignore").read_text().splitlines()
    assert ignore[0] == "**/**"
    assert {"!appsscript.json", "!**/*.gs", "!**/*.html"} <= set(ignore)


def test_the_guide_covers_install_server_and_settings(tmp_path: Path) -> None:
    write_bundle(tmp_path)
    guide = (tmp_path / "SETUP.md").read_text()
    for needle in (
        "Extensions > Apps Script",
        "clasp push",
        "service account",
        "STOCKOUT_SERVER_TOKENS",
        "Server settings",
        "Update as-of date",
        "https://",
        # the no-server path, and the consent screen a seller sees for it
        "Refresh in this sheet",
        "Install daily refresh",
        "alert_email_to",
        "Google hasn't verified this app",
        "Allow this application to run when you are not present",
        "Send email as you",
    ):
        assert needle in guide, needle


def test_the_command_writes_the_bundle_and_points_to_the_guide(tmp_path: Path) -> None:
    target = tmp_path / "gs"
    result = CliRunner().invoke(apps_script_command, [str(target)])
    assert result.exit_code == 0, result.output
    assert (target / "Menu.gs").is_file()
    assert f"Next: follow {target / 'SETUP.md'}" in result.output


def test_the_command_defaults_to_a_folder_in_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(apps_script_command, [])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "stockout-apps-script" / "appsscript.json").is_file()


def test_an_unwritable_target_is_a_usage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(apps_script_command, [str(blocker / "sub")])
    assert result.exit_code == 2
    assert "cannot write the bundle" in result.output
