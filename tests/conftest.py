"""Every test gets its own database file in a temp dir; none touches the real home.

Tests marked `both` run twice: on a file (`[sqlite]`) and on a database of their own on a
PostgreSQL server the suite starts (`[pg]`, tests/pgserver.py), with the same assertions.
Without PostgreSQL installed those fail, unless SERVICEDESK_TEST_NO_PG=1 says to skip them.
"""

import itertools
import os
import shutil
import sqlite3

import pgserver
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


def pytest_configure(config):
    config.addinivalue_line("markers", "both: run on a SQLite file and on a PostgreSQL database")
    config.addinivalue_line("markers", "sqlite_only(why): in a `both` module, a test about the file itself")


def pytest_generate_tests(metafunc):
    marked = metafunc.definition.get_closest_marker
    if marked("both") and not marked("sqlite_only") and "db" in metafunc.fixturenames:
        metafunc.parametrize("db", ["sqlite", "pg"], indirect=True)


@pytest.fixture(scope="session")
def pg():
    """The suite's PostgreSQL server (tests/pgserver.py), with an empty migrated ledger as template."""
    bin_dir = pgserver.bindir()
    if bin_dir is None:
        if os.environ.get(pgserver.NO_PG) == "1":
            pytest.skip("PostgreSQL is not installed (SERVICEDESK_TEST_NO_PG=1)")
        pytest.fail(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): apt-get install postgresql, "
            f"or set {pgserver.NO_PG}=1 to skip the PostgreSQL tests"
        )
    server = pgserver.Server(bin_dir)
    try:
        server.empty = server.create(prefix="empty")
        Store(server.url(server.empty)).close()  # the schema, made once
        yield server
    finally:
        server.stop()


@pytest.fixture
def db(request, tmp_path, monkeypatch):
    """The test's ledger: a file path, or (parametrised "pg") a postgresql:// URL."""
    if getattr(request, "param", "sqlite") == "pg":
        server = request.getfixturevalue("pg")
        name = server.create(template=server.empty)
        url = server.url(name)
        monkeypatch.setenv("SERVICEDESK_DB", url)
        yield url
        server.drop(name)
        return
    path = tmp_path / "park.db"
    monkeypatch.setenv("SERVICEDESK_DB", str(path))
    yield path


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
    if isinstance(db, str):  # a PostgreSQL database: made again as a copy of the template database
        template.replace(pgserver.dbname(db))
        return
    shutil.copyfile(template, db)
    os.chmod(db, 0o600)


class _PgTemplate:
    """A template database on the suite's server, copied into each test's database."""

    def __init__(self, server, name):
        self.server, self.name = server, name
        self.url = server.url(name)

    @classmethod
    def make(cls, db, request):
        server = request.getfixturevalue("pg")
        return cls(server, server.create(template=server.empty, prefix="tpl"))

    def replace(self, name: str) -> None:
        self.server.replace(name, self.name)


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
def built(tmp_path_factory, request):
    """Databases built once per module, copied into each test's file.

    `built(name, build, db)`: the first time, `build(p)` fills a template, preferably
    through the services (p.enterprise(…), p.ticket(…): helpers.Services), else through
    the CLI (p("enterprise", "add", …)). Tests about the CLI itself run it on the copy;
    building fixture data through it repeats argument parsing and file opening for
    every row (the reports park: ~4 s through the CLI, ~0.5 s through the services).
    """
    cache = {}

    def get(name, build, db):
        key = (name, isinstance(db, str))
        if key not in cache:
            pg_template = _PgTemplate.make(db, request) if isinstance(db, str) else None
            template = _Template(pg_template.url if pg_template else tmp_path_factory.mktemp(name) / "template.db")
            try:
                build(template)
            finally:
                template.store.close()
            if pg_template is None:
                _settle(template.path)
            cache[key] = pg_template or template.path
        _copy(cache[key], db)

    return get


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory, request):
    """The default demo park, made by `servicedesk demo` once per session on first use.

    `demo_template(db)` copies it into `db` and returns that demo run's Result (its report
    and messages). Built lazily inside a test, so under that test's environment (TZ).
    """
    made = {}

    def get(db):
        key = isinstance(db, str)
        if key not in made:
            pg_template = _PgTemplate.make(db, request) if key else None
            path = pg_template.url if key else tmp_path_factory.mktemp("demo") / "template.db"
            result = CliRunner().invoke(
                app, ["--db", str(path), "demo"], env={"SERVICEDESK_OFFICER": None}, catch_exceptions=False
            )
            assert result.exit_code == 0, result.output
            if not key:
                _settle(path)
            made[key] = (pg_template or path, result)
        _copy(made[key][0], db)
        return made[key][1]

    return get
