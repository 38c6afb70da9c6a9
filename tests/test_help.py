"""Every command has help, and the package runs as `python -m servicedesk`."""

import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from servicedesk import __version__
from servicedesk.cli import app


def command_paths(command, prefix=()):
    """Every command and sub-command as a tuple of names, the root included."""
    yield prefix
    if hasattr(command, "list_commands"):
        ctx = typer.Context(command)
        for name in sorted(command.list_commands(ctx)):
            yield from command_paths(command.get_command(ctx, name), (*prefix, name))


PATHS = list(command_paths(typer.main.get_command(app)))


def test_the_tree_has_the_commands_of_the_contract():
    names = {" ".join(p) for p in PATHS}
    expected = {
        "enterprise add", "enterprise list", "enterprise show", "enterprise edit", "enterprise archive",
        "officer add", "officer list", "officer show", "officer edit", "officer archive",
        "assign", "unassign",
        "visit log", "visit list", "visit missing",
        "ticket open", "ticket list", "ticket show", "ticket note", "ticket start", "ticket assign",
        "ticket refer", "ticket close", "ticket reopen",
        "feedback add", "feedback list",
        "category list", "category add",
        "info",
    }  # fmt: skip
    assert expected <= names


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "servicedesk")
def test_every_command_has_help(path, db):
    result = CliRunner().invoke(app, [*path, "--help"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.stdout
    assert not db.exists()  # help never opens the database


def test_python_dash_m_servicedesk_prints_the_version():
    result = subprocess.run(
        [sys.executable, "-m", "servicedesk", "--version"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"servicedesk {__version__}"


def test_python_dash_m_servicedesk_runs_a_command(tmp_path):
    db = tmp_path / "m.db"
    run = [sys.executable, "-m", "servicedesk", "--db", str(db)]
    assert subprocess.run([*run, "enterprise", "add", "天能电池"], capture_output=True, timeout=60).returncode == 0
    result = subprocess.run([*run, "enterprise", "show", "天然"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip() == 'error: no enterprise matches "天然"; did you mean 天能电池?'
