"""Every error names its real cause in one line: the disk (permission, space) is not "no node
answers"; no Python warning text reaches the user when a password cannot be asked; read-only
commands never unlock a keystore."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from _cli_env import ADDR, chain_state, deployed_project, ok, run
from conftest import REPO, AnvilNode

from coopetition import connect
from coopetition._chain import records
from coopetition._chain.accounts import create_keystore

FOUNDERS = ["--member", f"Acme={ADDR[1]}", "--member", f"Globex={ADDR[2]}", "--member", f"Initech={ADDR[3]}",
            "--quorum", "2"]
KEY = bytes.fromhex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")


def _cli(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI in its own process with no terminal and nothing on standard input."""
    return subprocess.run(
        [sys.executable, "-m", "coopetition", "--project", str(project), "--network", "dev", *args],
        env={**os.environ, "PYTHONPATH": str(REPO)}, stdin=subprocess.DEVNULL, capture_output=True,
        text=True, timeout=60,
    )


def _refuse_writes(monkeypatch: pytest.MonkeyPatch, error: OSError) -> None:
    """The operating system refusing every new file in deployments/ (root ignores a chmod, so the
    refusal is also injected where the records create their temporary files)."""

    def refuse(*_args: Any, **_kw: Any) -> Any:
        raise error

    monkeypatch.setattr(records.tempfile, "mkstemp", refuse)


@pytest.mark.parametrize(("error", "cause"), [
    (PermissionError(errno.EACCES, "Permission denied"), "permission denied: make "),
    (OSError(errno.ENOSPC, "No space left on device"), "no space left on the device: free some disk space"),
])
def test_a_deployments_folder_that_cannot_be_written_is_a_disk_error_not_a_node_error(
    anvil: AnvilNode, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: OSError, cause: str
) -> None:
    (tmp_path / "coopetition.toml").write_text(f'[networks.dev]\nurl = "{anvil.url}"\n')
    folder = tmp_path / "deployments" / "dev"
    folder.mkdir(parents=True)
    folder.chmod(0o555)
    _refuse_writes(monkeypatch, error)
    before = chain_state(anvil)
    try:
        result = run(tmp_path, "deploy", *FOUNDERS, account="0")
    finally:
        folder.chmod(0o755)

    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: cannot write deployments/dev/"), lines
    assert cause in lines[0] and "no node answers" not in lines[0]
    assert chain_state(anvil) == before  # nothing was sent


def test_no_terminal_and_no_password_source_is_one_error_line_saying_how_to_give_it(
    anvil: AnvilNode, tmp_path: Path
) -> None:
    project = deployed_project(tmp_path, anvil)
    create_keystore("acme", "pw", private_key=KEY)

    sent = _cli(project, "--account", "acme", "consortium", "propose", "add-member", "Umbrella", ADDR[4])
    assert sent.returncode == 1 and sent.stdout == ""
    assert sent.stderr.splitlines() == [
        "Error: password for acme is needed but there is no terminal to ask for it: set "
        "COOPETITION_PASSWORD_FILE to a file holding it (or COOPETITION_PASSWORD)"
    ]
    new = _cli(project, "accounts", "new", "globex")
    assert new.returncode == 1 and new.stderr.splitlines() == [
        "Error: new password for globex is needed but there is no terminal to ask for it: pass "
        "--password-file FILE, or set COOPETITION_PASSWORD_FILE to a file holding it (or COOPETITION_PASSWORD)"
    ]
    imported = _cli(project, "accounts", "import", "initech")
    assert imported.returncode == 1 and imported.stderr.splitlines() == [
        "Error: private key is needed but there is no terminal to ask for it: pass --private-key-file FILE"
    ]


def test_a_password_on_standard_input_still_works_without_a_terminal(anvil: AnvilNode, tmp_path: Path) -> None:
    project = deployed_project(tmp_path, anvil)
    info = create_keystore("acme", "pw", private_key=KEY)
    result = subprocess.run(
        [sys.executable, "-m", "coopetition", "--project", str(project), "--network", "dev", "--json",
         "accounts", "new", "piped"],
        env={**os.environ, "PYTHONPATH": str(REPO)}, input="pw-2\npw-2\n", capture_output=True, text=True,
        timeout=60,
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert json.loads(result.stdout)["name"] == "piped" and info.address


def test_read_only_commands_never_unlock_a_keystore(anvil: AnvilNode, tmp_path: Path) -> None:
    project = deployed_project(tmp_path, anvil)
    info = create_keystore("acme", "pw", private_key=KEY)

    result = _cli(project, "--json", "--account", "acme", "consortium", "members")
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert [m["label"] for m in json.loads(result.stdout)["members"]] == ["Acme", "Globex", "Initech"]

    def no_prompt(text: str) -> str:
        raise AssertionError(f"asked {text!r}")

    conn = connect("dev", "acme", project=project, read_only=True, prompt=no_prompt)
    assert conn.address == info.address and conn.account is None and conn.sender is None
    assert [m.label for m in conn.suite().consortium.members()] == ["Acme", "Globex", "Initech"]


def test_a_read_only_connection_names_a_missing_keystore(anvil: AnvilNode, tmp_path: Path) -> None:
    project = deployed_project(tmp_path, anvil)
    result = ok(run(project, "consortium", "members", account=None))
    assert "Acme" in result.stdout
    missing = run(project, "consortium", "members", account="nobody")
    assert missing.exit_code == 1 and missing.stderr.startswith("Error: ") and "nobody" in missing.stderr


def test_a_keystore_folder_that_cannot_be_made_is_one_error_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where COOPETITION_HOME should be a folder\n")
    monkeypatch.setenv("COOPETITION_HOME", str(blocker / "home"))
    monkeypatch.setenv("COOPETITION_PASSWORD", "pw")
    result = _cli(tmp_path, "accounts", "new", "acme")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"Error: cannot use the keystore folder {blocker / 'home' / 'keystores'}: part of the path "
        f"{blocker / 'home' / 'keystores'} is a file, not a folder: move that file (COOPETITION_HOME chooses where it is)"
    ]
