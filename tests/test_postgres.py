"""What only a PostgreSQL ledger has: a server many officers write to at once, a database
that may hold someone else's tables, and the driver as an optional extra."""

import json
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from helpers import assert_user_error, services

from servicedesk import dialect
from servicedesk.store import Store

WORKERS = 20
ROUNDS = 3

# One officer's terminal: log a visit with a problem, then close the ticket it opened,
# ROUNDS times; every command a process of its own would be slower, not different.
WORKER = textwrap.dedent(
    """
    import json, sys
    from typer.testing import CliRunner
    from servicedesk.cli import app

    url, worker, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    runner, failures = CliRunner(), []
    for i in range(rounds):
        logged = runner.invoke(app, ["--db", url, "visit", "log", f"企业{worker % 5}", "--date", "2026-11-30",
                                     "--problem", f"用工:第{worker}号第{i}轮", "--again", "--json"])
        if logged.exit_code:
            failures.append(logged.stderr)
            continue
        ticket = json.loads(logged.stdout)["tickets"][0]
        closed = runner.invoke(app, ["--db", url, "ticket", "close", str(ticket), "--resolution", "已解决",
                                     "--date", "2026-12-01"])
        if closed.exit_code or closed.stderr.strip():
            failures.append(closed.stderr)
    print(json.dumps(failures))
    """
)

READER = textwrap.dedent(
    """
    import json, sys
    from typer.testing import CliRunner
    from servicedesk.cli import app

    url, seen = sys.argv[1], []
    runner = CliRunner()
    for _ in range(int(sys.argv[2])):
        result = runner.invoke(app, ["--db", url, "report", "weekly", "--week", "2026-W49", "--format", "json"])
        seen.append([result.exit_code, result.stderr, json.loads(result.stdout)["cumulative"] if not result.exit_code else None])
    print(json.dumps(seen))
    """
)


@pytest.fixture
def pg_db(pg, db, monkeypatch):
    name = pg.create(template=pg.empty)
    url = pg.url(name)
    monkeypatch.setenv("SERVICEDESK_DB", url)
    yield url
    pg.drop(name)


def test_twenty_officers_writing_at_once_lose_nothing_and_see_no_lock_error(pg_db):
    with services(pg_db) as p:
        p.officer("王伟")
        for n in range(5):
            p.enterprise(f"企业{n}")
        p.assign("王伟", *(f"企业{n}" for n in range(5)), start="2026-01-01")
    command = [sys.executable, "-c"]
    writers = [
        subprocess.Popen([*command, WORKER, pg_db, str(w), str(ROUNDS)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for w in range(WORKERS)
    ]
    reader = subprocess.Popen([*command, READER, pg_db, "8"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    for w in writers:
        out, err = w.communicate(timeout=600)
        assert w.returncode == 0, err.decode()
        assert json.loads(out) == [], out.decode()  # no command refused, no locking error
        assert not err.strip(), err.decode()
    out, err = reader.communicate(timeout=600)
    assert reader.returncode == 0, err.decode()
    for exit_code, stderr, figures in json.loads(out):
        assert exit_code == 0 and not stderr.strip(), stderr
        # One snapshot per report: whatever moment it read, its figures add up.
        assert figures["collected"] == figures["closed"] + figures["open"]
        assert figures["solved"] <= figures["closed"]
    with services(pg_db) as p:
        store = p.store
        assert store.value("SELECT count(*) FROM visits") == WORKERS * ROUNDS
        assert store.value("SELECT count(*) FROM tickets WHERE status = 'closed'") == WORKERS * ROUNDS
        assert store.value("SELECT count(DISTINCT title) FROM tickets") == WORKERS * ROUNDS
        assert store.value("SELECT count(*) FROM events WHERE kind = 'closed'") == WORKERS * ROUNDS


def _waiting_for_the_write_lock(admin, pid: int) -> None:
    for _ in range(600):
        if admin.execute(
            "SELECT 1 FROM pg_locks WHERE pid = %s AND locktype = 'advisory' AND NOT granted", (pid,)
        ).fetchone():
            return
        time.sleep(0.05)
    raise AssertionError("the second writer never came to wait for the write lock")


def _write_in_thread(url: str, started: dict) -> threading.Thread:
    """A first write of a new session (a visit logged), in a thread; its backend's pid and what
    it raised in `started`."""

    def write():
        try:
            with services(url) as p:
                started["pid"] = p.store.conn.raw.info.backend_pid
                p.visit("企业0", "2026-11-30", problems=["用工:等候"])
        except BaseException as e:  # noqa: BLE001 - handed to the test
            started["error"] = e

    thread = threading.Thread(target=write)
    thread.start()
    return thread


def test_a_first_write_waiting_its_turn_holds_no_table_a_migration_would_drop(pg_db):
    """A new session warms up before its first write takes the lock; while it waits, it must
    hold no table: the writer ahead of it may drop one (a migration, a rebuild of the derived
    tables), and both would wait for each other."""
    import psycopg

    with services(pg_db) as p:
        p.officer("王伟")
        p.enterprise("企业0")
        p.assign("王伟", "企业0", start="2026-01-01")
    ahead, started = Store(pg_db), {}
    try:
        with psycopg.connect(pg_db, autocommit=True) as admin:
            ahead.conn.execute("BEGIN IMMEDIATE")
            thread = _write_in_thread(pg_db, started)
            while "pid" not in started and "error" not in started and thread.is_alive():
                time.sleep(0.01)
            _waiting_for_the_write_lock(admin, started.get("pid", -1))
            held = admin.execute(
                "SELECT relation::regclass::text FROM pg_locks WHERE pid = %s AND locktype = 'relation'",
                (started["pid"],),
            ).fetchall()
            assert held == []
            ahead.conn.raw.execute("SET lock_timeout = '5s'")
            ahead.conn.raw.execute("LOCK TABLE spans IN ACCESS EXCLUSIVE MODE")  # as a rebuild's DROP
            ahead.conn.rollback()
            thread.join(60)
    finally:
        ahead.close()
    assert "error" not in started, started.get("error")
    with services(pg_db) as p:
        assert p.store.value("SELECT count(*) FROM visits") == 1


def test_a_warm_up_that_meets_a_locked_table_is_given_up_and_the_write_goes_on(pg_db):
    import psycopg

    with services(pg_db) as p:
        p.officer("王伟")
        p.enterprise("企业0")
        p.assign("王伟", "企业0", start="2026-01-01")
    with psycopg.connect(pg_db, autocommit=True) as other:
        other.execute("BEGIN")
        other.execute("LOCK TABLE feedback IN ACCESS EXCLUSIVE MODE")  # a table a visit log does not write
        with services(pg_db) as p:
            p.visit("企业0", "2026-11-30", problems=["用工:等候"])
            assert p.store.conn.raw.execute("SHOW lock_timeout").fetchone()[0] == "0"
        other.execute("ROLLBACK")
    with services(pg_db) as p:
        assert p.store.value("SELECT count(*) FROM visits") == 1


def test_a_write_reads_what_it_held_back_and_a_held_statement_that_fails_undoes_the_write(pg_db):
    """In a write, an INSERT or UPDATE nobody reads the result of is sent with the next
    statement read or with the COMMIT (pgconnection.Connection): a read sees it, and one that
    fails there fails the whole write."""
    import psycopg

    with services(pg_db) as p:
        p.enterprise("企业0")
        store = p.store
        with store.write():
            store.conn.execute("UPDATE enterprises SET sector = ? WHERE name = ?", ("制造", "企业0"))
            assert store.value("SELECT sector FROM enterprises WHERE name = ?", ("企业0",)) == "制造"
        with pytest.raises(psycopg.errors.UniqueViolation), store.write():
            store.conn.execute("UPDATE enterprises SET sector = ? WHERE name = ?", ("化工", "企业0"))
            store.conn.execute("INSERT INTO settings (key, value) VALUES (?, ?)", ("k", "1"))
            store.conn.execute("INSERT INTO settings (key, value) VALUES (?, ?)", ("k", "2"))  # its key is taken
        assert not store.conn.in_transaction
        assert store.value("SELECT sector FROM enterprises WHERE name = ?", ("企业0",)) == "制造"
        assert store.value("SELECT count(*) FROM settings WHERE key = 'k'") == 0


def test_a_database_holding_other_tables_is_refused_untouched(pg, sd, monkeypatch):
    name = pg.create()
    url = pg.url(name)
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE payroll (id int, amount int)")
    monkeypatch.setenv("SERVICEDESK_DB", url)
    assert_user_error(sd("ticket", "list", ok=False), name, "holds tables", "payroll", "left it untouched")
    assert_user_error(sd("demo", ok=False), "left it untouched")
    with psycopg.connect(url) as conn:
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
    assert tables == ["payroll"]
    pg.drop(name)


def test_backup_of_a_server_points_at_pg_dump_and_copy_in_the_chosen_language(pg_db, sd, tmp_path):
    target = tmp_path / "backup.db"
    assert_user_error(sd("backup", target, ok=False), "pg_dump", f"servicedesk copy {pg_db} FILE")
    said = sd("--lang", "zh", "backup", target, ok=False)
    assert said.exit_code == 1 and "Traceback" not in said.stderr
    assert said.stderr.startswith("错误：backup 只复制台账文件") and said.stderr.count("\n") == 1, said.stderr
    assert f"servicedesk copy {pg_db} 文件" in said.stderr and "pg_dump" in said.stderr
    assert not target.exists()


def test_doctor_names_each_guard_of_the_schema_that_is_not_in_force_and_the_orphans_it_let_in(pg_db, sd):
    import psycopg

    sd("demo")
    assert "the ledger is whole" in sd("doctor").stdout
    with psycopg.connect(pg_db, autocommit=True) as conn:
        conn.execute("DROP TRIGGER events_no_update ON events")
        conn.execute("ALTER TABLE events DISABLE TRIGGER events_no_delete")
        conn.execute("DROP INDEX tickets_status")
        conn.execute("ALTER TABLE events DROP CONSTRAINT events_ticket_id_fkey")
        conn.execute(
            "INSERT INTO events (id, ticket_id, kind, on_date, week, at, actor, redo) "
            "SELECT max(id) + 1, 99999, 'note', '2026-11-20', '2026-W47', 'x', 'x', 0 FROM events"
        )
    result = sd("doctor", "--repair", ok=False)
    assert result.exit_code == 1 and "Traceback" not in result.stdout + result.stderr
    said = result.stdout
    assert "the trigger events_no_update on events is missing" in said
    assert "the trigger events_no_delete on events is disabled" in said
    assert "the index tickets_status on tickets is missing" in said
    assert "the foreign key from events.ticket_id to tickets is missing or not validated" in said
    assert "orphan: events row" in said and "refers to a missing tickets row" in said
    assert "repaired" not in said  # nothing is rebuilt on a schema that is not whole
    assert "触发器 events_no_update" in sd("--lang", "zh", "doctor", ok=False).stdout


def test_doctor_on_a_server_missing_a_column_says_so_without_a_traceback(pg_db, sd):
    import psycopg

    sd("demo")
    with psycopg.connect(pg_db, autocommit=True) as conn:
        conn.execute("ALTER TABLE tickets DROP COLUMN base_due_on")
    result = sd("doctor", ok=False)
    assert result.exit_code == 1 and "Traceback" not in result.stdout + result.stderr
    assert "problem: integrity: tickets has no column base_due_on" in result.stdout


def test_a_newer_schema_is_refused(pg_db, sd):
    import psycopg

    with psycopg.connect(pg_db, autocommit=True) as conn:
        conn.execute("UPDATE servicedesk_schema SET version = version + 1")
    assert_user_error(sd("ticket", "list", ok=False), "newer servicedesk")


def test_an_empty_database_gets_the_schema_on_first_use(pg, sd, monkeypatch):
    name = pg.create()
    monkeypatch.setenv("SERVICEDESK_DB", pg.url(name))
    result = sd("enterprise", "add", "天能电池")
    assert "created a new ledger" in result.stderr
    assert json.loads(sd("enterprise", "list", "--json").stdout)[0]["name"] == "天能电池"
    pg.drop(name)


def test_a_server_that_does_not_answer_is_one_line(sd, monkeypatch):
    monkeypatch.setenv("SERVICEDESK_DB", "postgresql://nobody@127.0.0.1:1/none")
    assert_user_error(sd("ticket", "list", ok=False), "cannot connect to postgresql://nobody@127.0.0.1:1/none")


def test_without_psycopg_a_url_is_one_line_and_a_file_never_imports_it(tmp_path):
    spy = textwrap.dedent(
        """
        import sys
        sys.modules["psycopg"] = None  # as if it were not installed
        from typer.testing import CliRunner
        from servicedesk.cli import app
        r = CliRunner().invoke(app, ["--db", "postgres://u@h/d", "ticket", "list"])
        print(r.exit_code, r.stderr.strip())
        """
    )
    done = subprocess.run([sys.executable, "-c", spy], capture_output=True, text=True, timeout=60)
    assert done.stdout.startswith("1 error: a PostgreSQL --db needs the psycopg driver"), done.stdout + done.stderr
    assert "servicedesk[postgres]" in done.stdout
    file_only = textwrap.dedent(
        f"""
        import sys
        from typer.testing import CliRunner
        from servicedesk.cli import app
        r = CliRunner().invoke(app, ["--db", {str(tmp_path / "x.db")!r}, "enterprise", "add", "甲"])
        assert r.exit_code == 0, r.output
        r = CliRunner().invoke(app, ["--db", {str(tmp_path / "x.db")!r}, "report", "weekly"])
        print("psycopg" in sys.modules)
        """
    )
    done = subprocess.run([sys.executable, "-c", file_only], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False", done.stdout + done.stderr


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT a FROM t WHERE b = ? AND c = :name", "SELECT a FROM t WHERE b = %s AND c = %(name)s"),
        ("SELECT '50%', x::text FROM t WHERE y = '?'", "SELECT '50%%', x::text FROM t WHERE y = '?'"),
        ("SELECT group_concat(t.id) FROM t", "SELECT string_agg(CAST(t.id AS TEXT), ',') FROM t"),
        ("UPDATE a SET end_on = max(start_on, ?)", "UPDATE a SET end_on = GREATEST(start_on, %s)"),
        ("SELECT max(id) FROM t", "SELECT max(id) FROM t"),
        (
            "SELECT 1 WHERE a IS ? AND b IS NOT :x",
            "SELECT 1 WHERE a IS NOT DISTINCT FROM %s AND b IS DISTINCT FROM %(x)s",
        ),
        ("SELECT a FROM t ORDER BY a, b DESC", "SELECT a FROM t ORDER BY a NULLS FIRST, b DESC NULLS LAST"),
        ("INSERT OR IGNORE INTO a (x) VALUES (?)", "INSERT INTO a (x) VALUES (%s) ON CONFLICT DO NOTHING"),
        ("SELECT instr(lower(name), lower(?)) > 0", "SELECT strpos(lower(name), lower(%s)) > 0"),
        (
            "DELETE FROM s WHERE t IN (SELECT id FROM chosen)",
            "DELETE FROM s WHERE t = ANY(ARRAY(SELECT id FROM chosen))",
        ),
        ("SELECT 1 WHERE a NOT IN (SELECT id FROM b)", "SELECT 1 WHERE a NOT IN (SELECT id FROM b)"),
    ],
)
def test_the_dialect_translates_what_the_code_writes(sql, expected):
    assert dialect.translate(sql) == expected


def test_a_url_password_is_not_shown():
    assert dialect.shown_url("postgresql://sd:secret@db.park.local:5432/ledger") == (
        "postgresql://sd:***@db.park.local:5432/ledger"
    )


def test_a_password_in_the_url_is_neither_recorded_nor_shown(pg_db):
    url = pg_db.replace("postgres@", "postgres:s3cret@")  # the suite's server trusts any password
    run = [sys.executable, "-m", "servicedesk", "--db", url]
    done = subprocess.run([*run, "enterprise", "add", "甲"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    shown = [
        subprocess.run([*run, *args], capture_output=True, text=True, timeout=60)
        for args in (["info"], ["undo", "--dry-run"])
    ]
    assert all(r.returncode == 0 for r in shown), [r.stderr for r in shown]
    assert "enterprise add" in shown[1].stdout  # the change set names its command, without the password
    assert "s3cret" not in "".join(r.stdout + r.stderr for r in [done, *shown])
    assert "postgres:***@" in shown[0].stdout
