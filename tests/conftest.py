"""Every test gets its own database file in a temp dir; none touches the real home."""

import itertools
import os
import shutil
import sqlite3

import pytest
import typer.main
import typer.testing
from helpers import Services
from typer.testing import CliRunner

from servicedesk.cli import app
from servicedesk.store import Store

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


_homes = itertools.count()


@pytest.fixture(autouse=True)
def _isolated(request, tmp_path_factory, monkeypatch):
    # A test with a temp dir keeps its home there. One without (the many parametrised
    # unit tests) gets a home of its own that is only a name: making a directory per
    # test cost more than most of those tests. Whatever writes there creates it.
    if "tmp_path" in request.fixturenames:
        home = request.getfixturevalue("tmp_path") / "home"
    else:
        home = tmp_path_factory.getbasetemp() / "homes" / str(next(_homes))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.delenv("SERVICEDESK_OFFICER", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    # The language follows SERVICEDESK_LANG, else the locale: pin both, so a developer
    # whose shell says zh_CN gets the same output the tests expect (tests that are
    # about the language set their own).
    monkeypatch.delenv("SERVICEDESK_LANG", raising=False)
    for var in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


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


def _settle(path) -> None:
    """Everything into the main file, so a plain copy of it is the whole database."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def _copy(template, db) -> None:
    shutil.copyfile(template, db)
    os.chmod(db, 0o600)


class _Template(Services):
    """What a build function gets: the write services on the template (helpers.Services),
    and, called as `run(*args)`, the CLI on it, as builders were first written."""

    def __init__(self, path):
        super().__init__(Store(path))
        self.path = path

    def __call__(self, *args):
        result = CliRunner().invoke(
            app, ["--db", str(self.path), *map(str, args)], env={"SERVICEDESK_OFFICER": None}, catch_exceptions=False
        )
        assert result.exit_code == 0, result.output
        return result


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Databases built once per module, copied into each test's file.

    `built(name, build, db)`: the first time, `build(p)` fills a template, preferably
    through the services (p.enterprise(…), p.ticket(…): helpers.Services), else through
    the CLI (p("enterprise", "add", …)). Tests about the CLI itself run it on the copy;
    building fixture data through it repeats argument parsing and file opening for
    every row (the reports park: ~4 s through the CLI, ~0.5 s through the services).
    """
    cache = {}

    def get(name, build, db):
        if name not in cache:
            template = _Template(tmp_path_factory.mktemp(name) / "template.db")
            try:
                build(template)
            finally:
                template.store.close()
            _settle(template.path)
            cache[name] = template.path
        _copy(cache[name], db)

    return get


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    """The default demo park, made by `servicedesk demo` once per session on first use.

    `demo_template(db)` copies it into `db` and returns that demo run's Result (its report
    and messages). Built lazily inside a test, so under that test's environment (TZ).
    """
    made = {}

    def get(db):
        if not made:
            path = tmp_path_factory.mktemp("demo") / "template.db"
            result = CliRunner().invoke(
                app, ["--db", str(path), "demo"], env={"SERVICEDESK_OFFICER": None}, catch_exceptions=False
            )
            assert result.exit_code == 0, result.output
            _settle(path)
            made.update(path=path, result=result)
        _copy(made["path"], db)
        return made["result"]

    return get
