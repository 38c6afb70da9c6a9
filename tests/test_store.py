"""The database file: created private, foreign or newer files refused untouched, old schemas
migrated in place, and several processes writing at once."""

import json
import os
import sqlite3
import stat
import subprocess
import sys

import pytest
from helpers import assert_user_error
from typer.testing import CliRunner

from servicedesk.cli import app
from servicedesk.migrations import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from servicedesk.store import Store
from servicedesk.views import asof


def user_version(path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


# Creating ------------------------------------------------------------------------


def test_a_new_database_file_is_private(sd, db):
    assert f"created a new ledger at {db}" in sd("enterprise", "add", "天能电池").stderr
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert user_version(db) == SCHEMA_VERSION
    assert "created" not in sd("enterprise", "add", "华鑫化工").stderr


def test_a_new_database_in_a_missing_directory_is_created_private(sd, tmp_path):
    path = tmp_path / "new" / "dir" / "park.db"
    sd("--db", path, "enterprise", "add", "天能电池")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(sd("--db", path, "enterprise", "list", "--json").stdout)[0]["name"] == "天能电池"


def test_an_empty_file_is_taken_as_a_new_database(sd, db):
    db.write_bytes(b"")
    sd("enterprise", "add", "天能电池")
    assert user_version(db) == SCHEMA_VERSION


def test_without_db_or_env_the_database_lives_in_the_user_app_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("SERVICEDESK_DB", raising=False)
    home = tmp_path / "home"
    before = sorted(home.rglob("*")) if home.exists() else []
    result = CliRunner().invoke(app, ["info"], catch_exceptions=False)
    assert_user_error(result, "no ledger yet at", "servicedesk demo")
    assert (sorted(home.rglob("*")) if home.exists() else []) == before  # a read creates no directory

    result = CliRunner().invoke(app, ["enterprise", "add", "天能电池"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert "created a new ledger at" in result.stderr
    result = CliRunner().invoke(app, ["info", "--json"], catch_exceptions=False)
    path = json.loads(result.stdout)["database"]
    assert path.startswith(str(home))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


# Refusing ------------------------------------------------------------------------


def _text_file(path):
    path.write_text("hello")


def _foreign(path, wal=False):
    conn = sqlite3.connect(path)
    if wal:
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT)")
    conn.execute("INSERT INTO photos (path) VALUES ('a.jpg')")
    conn.commit()
    conn.close()


def _newer(path):
    store = Store(path)
    with store.write():
        store.insert("enterprises", {"name": "天能电池", "created_at": "2022-05-10T09:00:00+08:00"})
    store.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    store.close()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_text_file, "is not a SQLite database"),
        (_foreign, "not a servicedesk database"),
        (lambda p: _foreign(p, wal=True), "not a servicedesk database"),
        (_newer, f"newer servicedesk (schema {SCHEMA_VERSION + 1}"),
    ],
    ids=["text", "foreign-sqlite", "foreign-sqlite-wal", "newer-schema"],
)
@pytest.mark.parametrize(
    "command",
    [("info",), ("enterprise", "add", "华鑫化工"), ("ticket", "list", "--json")],
    ids=["info", "write", "read"],
)
def test_a_file_that_is_not_ours_is_refused_and_left_byte_for_byte_unchanged(sd, db, make, message, command):
    make(db)
    before = (db.read_bytes(), db.stat().st_mtime_ns, stat.S_IMODE(db.stat().st_mode), sorted(os.listdir(db.parent)))
    assert_user_error(sd(*command, ok=False), str(db), message)
    after = (db.read_bytes(), db.stat().st_mtime_ns, stat.S_IMODE(db.stat().st_mode), sorted(os.listdir(db.parent)))
    assert after == before  # no -wal, -shm or -journal beside it either


def test_a_directory_given_as_the_database_is_refused(sd, tmp_path):
    (tmp_path / "adir").mkdir()
    assert_user_error(sd("--db", tmp_path / "adir", "info", ok=False), "directory")
    assert os.listdir(tmp_path / "adir") == []


# Migrating -----------------------------------------------------------------------


def _schema_1_database(path):
    """A database as the first release left it: migration 1 only, with one closed and one open ticket."""
    conn = sqlite3.connect(path)
    conn.execute("BEGIN")
    MIGRATIONS[0](conn)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID:d}")
    conn.execute("PRAGMA user_version = 1")
    at = "2022-05-10T09:00:00+08:00"
    conn.execute("INSERT INTO enterprises (id, name, sector, created_at) VALUES (1, '天能电池', '化工', ?)", (at,))
    conn.execute("INSERT INTO officers (id, name, rank, created_at) VALUES (1, '王伟', 'chief', ?)", (at,))
    conn.execute("INSERT INTO assignments (officer_id, enterprise_id, start_on) VALUES (1, 1, '2022-05-02')")
    tickets = [
        (1, "labour", "缺焊工20人", "2022-05-10", "2022-W19", "2022-05-25", "closed", "resolved", "2022-05-20", "招到"),
        (2, "financing", "贷款500万", "2022-05-11", "2022-W19", "2022-06-10", "open", None, None, None),
    ]
    conn.executemany(
        """INSERT INTO tickets (id, enterprise_id, category, title, owner_id, opened_on, opened_week, due_on,
            status, outcome, closed_on, resolution) VALUES (?, 1, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)""",
        tickets,
    )
    events = [
        (1, "opened", "2022-05-10", "2022-W19", None, None, 1),
        (2, "opened", "2022-05-11", "2022-W19", None, None, 1),
        (1, "closed", "2022-05-20", "2022-W20", "招到", "resolved", None),
    ]
    conn.executemany(
        """INSERT INTO events (ticket_id, kind, on_date, week, at, actor, note, outcome, owner_id)
        VALUES (?, ?, ?, ?, '2022-05-20T09:00:00+08:00', '王伟', ?, ?, ?)""",
        events,
    )
    conn.commit()
    conn.close()


def test_a_schema_1_database_is_migrated_in_place_with_its_figures(sd, db):
    _schema_1_database(db)
    listed = json.loads(sd("ticket", "list", "--status", "all", "--json").stdout)
    assert user_version(db) == SCHEMA_VERSION
    assert [(t["id"], t["status"], t["outcome"], t["closed_on"], t["owner"]) for t in listed] == [
        (2, "open", None, None, "王伟"),
        (1, "closed", "resolved", "2022-05-20", "王伟"),
    ]
    assert listed[1]["overdue"] is False and listed[0]["overdue"] is True

    store = Store(db)
    four = ("collected", "closed", "solved", "on_time")

    def counts(day, dim):
        return {k: {f: v[f] for f in four} for k, v in asof.counts(store, day, dim).items()}

    try:
        assert counts("2022-05-19", "category") == {
            "labour": {"collected": 1, "closed": 0, "solved": 0, "on_time": 0},
            "financing": {"collected": 1, "closed": 0, "solved": 0, "on_time": 0},
        }
        assert counts("2022-05-31", "category")["labour"] == {
            "collected": 1,
            "closed": 1,
            "solved": 1,
            "on_time": 1,
        }
        assert counts("2022-05-31", "owner") == {"1": {"collected": 2, "closed": 1, "solved": 1, "on_time": 1}}
        assert {r["id"] for r in asof.pending(store, "2022-05-15")} == {1, 2}
        assert {r["id"] for r in asof.pending(store, "2022-05-31")} == {2}
    finally:
        store.close()

    # The migrated tallies carry on: the next change reports the right cumulative figure.
    out = sd("ticket", "close", "2", "--resolution", "已放款", "--date", "2022-06-01").stdout
    assert "cumulative 2/2 closed, 100.0%" in out
    out = sd("ticket", "reopen", "1", "--reason", "未到岗", "--date", "2022-06-02").stdout
    assert "cumulative 1/2 closed, 50.0%" in out


def test_a_current_database_is_not_migrated_again(sd, db):
    sd("enterprise", "add", "天能电池")
    before = user_version(db)
    sd("enterprise", "add", "华鑫化工")
    assert before == user_version(db) == SCHEMA_VERSION
    assert len(json.loads(sd("enterprise", "list", "--json").stdout)) == 2


# Several writers -----------------------------------------------------------------

# Each worker waits for the start file so both really write at the same time.
WORKER = """
import os, sys, time
from servicedesk.cli import app
db, officer, start = sys.argv[1], sys.argv[2], sys.argv[3]
while not os.path.exists(start):
    time.sleep(0.005)
for i in range(20):
    args = ["--db", db, "visit", "log", "天能电池", "--officer", officer, "--date", "2022-05-10", "--note", f"{officer} {i}"]
    code = app(args, prog_name="servicedesk", standalone_mode=False)
    if code:
        sys.exit(code)
"""


def test_two_processes_logging_visits_at_once_all_land(sd, db, tmp_path):
    sd("enterprise", "add", "天能电池")
    sd("officer", "add", "王伟")
    sd("officer", "add", "李娜")
    start = tmp_path / "start"
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(db), officer, str(start)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for officer in ("王伟", "李娜")
    ]
    start.touch()
    results = [w.communicate(timeout=120) for w in workers]
    for worker, (_, err) in zip(workers, results, strict=True):
        assert worker.returncode == 0, err
        assert "error" not in err and "Traceback" not in err
    visits = json.loads(sd("visit", "list", "--json").stdout)
    assert len(visits) == 40
    assert sorted(v["id"] for v in visits) == list(range(1, 41))
    assert {v["note"] for v in visits} == {f"{o} {i}" for o in ("王伟", "李娜") for i in range(20)}
    assert all(v["officer"] == v["note"].split()[0] for v in visits)


def test_several_processes_opening_a_new_database_at_once_all_succeed(tmp_path):
    db = tmp_path / "fresh.db"
    start = tmp_path / "start"
    script = (
        "import os, sys, time\n"
        "from servicedesk.cli import app\n"
        "while not os.path.exists(sys.argv[2]): time.sleep(0.005)\n"
        "sys.exit(app(['--db', sys.argv[1], 'enterprise', 'add', sys.argv[3]], prog_name='servicedesk',"
        " standalone_mode=False))\n"
    )
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(db), str(start), f"企业{k}"], stderr=subprocess.PIPE, text=True
        )
        for k in range(4)
    ]
    start.touch()
    errors = [w.communicate(timeout=120)[1] for w in workers]
    assert [w.returncode for w in workers] == [0, 0, 0, 0], errors
    conn = sqlite3.connect(db)
    try:
        assert sorted(r[0] for r in conn.execute("SELECT name FROM enterprises")) == [f"企业{k}" for k in range(4)]
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    finally:
        conn.close()
