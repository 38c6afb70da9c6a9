"""Every test gets its own database file in a temp dir; none touches the real home."""

import os
import shutil
import sqlite3

import pytest
import typer.main
import typer.testing
from typer.testing import CliRunner

from servicedesk.cli import app

# Typer's CliRunner converts the app into a Click command tree on every invoke (~16 ms,
# ten times the work of most commands). The tree does not change between tests: convert
# it once. The noun groups it loads on first use stay loaded, as in one long process.
_convert = typer.main.get_command
_converted = {}


def _get_command_once(typer_app):
    if typer_app not in _converted:
        _converted[typer_app] = _convert(typer_app)
    return _converted[typer_app]


typer.testing._get_command = _get_command_once


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / "config"))
    monkeypatch.delenv("SERVICEDESK_OFFICER", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TZ", "Asia/Shanghai")


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "park.db"
    monkeypatch.setenv("SERVICEDESK_DB", str(path))
    return path


@pytest.fixture
def sd(db):
    """Run the CLI: sd("ticket", "list", "--json") -> Result (stdout and stderr kept apart)."""
    runner = CliRunner()

    def run(*args, input=None, ok=True):
        result = runner.invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)
        if ok is True:
            assert result.exit_code == 0, (
                f"{args} -> {result.exit_code}\nstdout: {result.stdout}\nstderr: {result.stderr}"
            )
        return result

    return run


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Databases built once per module through the CLI, copied into each test's file.

    `built(name, build, db)`: `build(run)` runs the CLI against the template the first time.
    """
    cache = {}

    def get(name, build, db):
        if name not in cache:
            path = tmp_path_factory.mktemp(name) / "template.db"
            runner = CliRunner()

            def run(*args):
                result = runner.invoke(
                    app, ["--db", str(path), *map(str, args)], env={"SERVICEDESK_OFFICER": None}, catch_exceptions=False
                )
                assert result.exit_code == 0, result.output
                return result

            build(run)
            conn = sqlite3.connect(path)
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything into the main file
            conn.close()
            cache[name] = path
        shutil.copyfile(cache[name], db)
        os.chmod(db, 0o600)

    return get
