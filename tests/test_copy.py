"""`copy SOURCE DEST`: the whole ledger, ids, history, change log and deleted items, into
another database; every report reads the same there, and neither a used destination nor
the source is touched."""

import hashlib
import json
import sqlite3

import pytest
from helpers import assert_user_error, table_rows

from servicedesk import dates
from servicedesk.derive import TABLES as DERIVED
from servicedesk.services.ledgercopy import TABLES
from servicedesk.store import Store


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def data(result):
    return json.loads(result.stdout)


@pytest.fixture
def park(demo_template, db, sd):
    """The demo park with a deleted visit, a deleted ticket, a close that was undone and a
    category alias: every kind of row a copy must carry."""
    demo_template(db)
    conn = sqlite3.connect(db)
    spare = conn.execute("SELECT min(id) FROM visits WHERE id NOT IN (SELECT visit_id FROM tickets WHERE visit_id)")
    visit = spare.fetchone()[0]
    open_ids = [r[0] for r in conn.execute("SELECT id FROM tickets WHERE status != 'closed' ORDER BY id")]
    conn.close()
    sd("visit", "delete", visit, "--reason", "错录")
    sd("ticket", "delete", open_ids[0], "--reason", "重复录入")
    sd("--as", "王伟", "ticket", "close", open_ids[1], "--resolution", "已协调")
    sd("--as", "王伟", "undo")
    sd("category", "alias", "financing", "过桥资金")
    sd("settings", "park", "高新区")
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the whole ledger in the file: its bytes are compared
    conn.close()
    return {"visit": visit, "deleted": open_ids[0], "undone": open_ids[1]}


def test_copy_lists_every_table_a_new_ledger_has_but_the_derived_ones(tmp_path):
    store = Store(tmp_path / "new.db")
    with store.write():
        pass
    names = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    store.close()
    assert set(TABLES) == names - set(DERIVED)


def test_the_demo_park_copied_reads_the_same_in_every_report(park, sd, db, tmp_path):
    dest = tmp_path / "copy" / "park.db"
    before = digest(db)
    out = sd("copy", db, dest)
    assert f"copied {db} to {dest}" in out.stdout
    assert digest(db) == before  # the source is only read
    assert dest.stat().st_mode & 0o777 == 0o600
    # Every row of every table, derived ones included (rebuilt there from the history).
    assert table_rows(dest) == table_rows(db)

    last = dates.week_of(dates.today())
    for n in range(14):
        week = str(last.previous(n))
        same = [sd("--db", d, "report", "weekly", "--week", week, "--format", "json").stdout for d in (db, dest)]
        assert same[0] == same[1], week
    for ticket in (1, 2, park["deleted"], park["undone"]):
        shown = [sd("--db", d, "ticket", "show", ticket, "--format", "json").stdout for d in (db, dest)]
        assert shown[0] == shown[1]
    counts = [data(sd("--db", d, "info", "--json"))["counts"] for d in (db, dest)]
    assert counts[0] == counts[1]
    assert counts[0]["tickets"] == 92
    for d, folder in ((db, "a"), (dest, "b")):
        sd("--db", d, "export", tmp_path / folder)
    for file in sorted((tmp_path / "a").iterdir()):
        assert file.read_bytes() == (tmp_path / "b" / file.name).read_bytes() or file.stem in DERIVED, file.name
    assert digest(db) == before


def test_deleted_items_and_undone_change_sets_survive_the_copy(park, sd, db, tmp_path):
    dest = tmp_path / "copy.db"
    sd("copy", db, dest)
    conn = sqlite3.connect(dest)
    assert conn.execute("SELECT removed FROM visits WHERE id = ?", (park["visit"],)).fetchone() == ("deleted",)
    assert conn.execute("SELECT removed FROM tickets WHERE id = ?", (park["deleted"],)).fetchone() == ("deleted",)
    undo = conn.execute("SELECT undoes FROM changesets WHERE undoes IS NOT NULL").fetchall()
    conn.close()
    assert len(undo) == 1
    ticket = data(sd("--db", dest, "ticket", "show", park["undone"], "--format", "json"))
    assert ticket["status"] != "closed"
    # The undo history is whole: undoing again on the copy steps further back, as on the source.
    assert sd("--db", dest, "undo", "--dry-run").stdout == sd("--db", db, "undo", "--dry-run").stdout


def test_a_used_destination_is_refused_untouched(park, sd, db, tmp_path):
    dest = tmp_path / "used.db"
    sd("--db", dest, "enterprise", "add", "新企业")
    before, source = digest(dest), digest(db)
    assert_user_error(sd("copy", db, dest, ok=False), str(dest), "already holds a ledger", "untouched")
    assert digest(dest) == before
    assert digest(db) == source
    assert not (tmp_path / "used.db-wal").exists() or (tmp_path / "used.db-wal").stat().st_size == 0


def test_an_empty_ledger_is_a_destination(park, sd, db, tmp_path):
    dest = tmp_path / "empty.db"
    store = Store(dest)
    with store.write():  # a ledger with its defaults, never used
        pass
    store.close()
    sd("copy", db, dest)
    assert table_rows(dest) == table_rows(db)


def test_nothing_to_copy_and_the_same_file_are_refused(sd, db, tmp_path):
    missing = tmp_path / "none.db"
    assert_user_error(sd("copy", missing, tmp_path / "b.db", ok=False), "no ledger at", str(missing))
    assert not missing.exists() and not (tmp_path / "b.db").exists()
    assert_user_error(sd("copy", missing, missing, ok=False), "the same ledger")


def test_a_foreign_file_is_refused_as_either_end(park, sd, db, tmp_path):
    foreign = tmp_path / "other.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = digest(foreign)
    assert_user_error(sd("copy", db, foreign, ok=False), "not a servicedesk database")
    assert_user_error(sd("copy", foreign, tmp_path / "b.db", ok=False), "not a servicedesk database")
    assert digest(foreign) == before
    assert not (tmp_path / "b.db").exists()


def test_a_source_of_an_older_schema_is_read_as_migrated_and_left_as_it_is(sd, db, tmp_path):
    from test_store import _schema_1_database, user_version

    _schema_1_database(db)
    before = digest(db)
    dest = tmp_path / "new.db"
    sd("copy", db, dest)
    assert digest(db) == before and user_version(db) == 1
    assert not list(tmp_path.glob("*.bak-schema*"))
    listed = data(sd("--db", dest, "ticket", "list", "--status", "all", "--json"))
    assert [(t["id"], t["status"], t["closed_on"]) for t in listed] == [(2, "open", None), (1, "closed", "2022-05-20")]
    report = data(sd("--db", dest, "report", "weekly", "--week", "2022-W20", "--json"))["cumulative"]
    assert (report["collected"], report["closed"]) == (2, 1)


def test_a_used_destination_of_an_older_schema_is_refused_unmigrated(park, sd, db, tmp_path):
    from test_store import _schema_1_database

    dest = tmp_path / "old.db"
    _schema_1_database(dest)
    before = digest(dest)
    assert_user_error(sd("copy", db, dest, ok=False), "already holds a ledger")
    assert digest(dest) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("old")) == ["old.db"]


@pytest.mark.parametrize(
    ("given", "printed"),
    [
        ("postgresql://office:s3cret@db.park.local/servicedesk", "postgresql://office:***@db.park.local/servicedesk"),
        ("postgres://office@db.park.local:5433/sd", "postgres://office@db.park.local:5433/sd"),
        ("/home/王伟/servicedesk.db", "/home/王伟/servicedesk.db"),
    ],
)
def test_a_url_is_printed_without_its_password(given, printed):
    from servicedesk.services.ledgercopy import shown

    assert shown(given) == printed


def test_a_database_url_is_never_taken_for_a_file_name(park, sd, db, tmp_path, monkeypatch):
    # Without the PostgreSQL backend the URL is refused; with it, nothing listens on port 1.
    monkeypatch.chdir(tmp_path)
    result = sd("copy", db, "postgresql://office:s3cret@127.0.0.1:1/servicedesk", ok=False)
    assert result.exit_code == 1 and "s3cret" not in result.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("postgres")]
    other = sd("copy", db, "mysql://office:s3cret@127.0.0.1/servicedesk", ok=False)
    assert other.exit_code == 1 and "postgresql:// URLs" in other.stderr and "s3cret" not in other.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("mysql")]


def test_a_file_copied_to_a_postgresql_database_and_back_reports_the_same(park, sd, db, tmp_path, pg):
    name = pg.create()  # a new database on the suite's server, no schema yet
    server = pg.url(name)
    try:
        out = sd("copy", db, server)
        assert "copied" in out.stdout
        back = tmp_path / "back.db"
        sd("copy", server, back)
        last = dates.week_of(dates.today())
        for n in range(14):
            week = str(last.previous(n))
            reports = [
                sd("--db", d, "report", "weekly", "--week", week, "--format", "json").stdout for d in (db, server, back)
            ]
            assert reports[0] == reports[1] == reports[2], week
        assert table_rows(back) == table_rows(db)
        for ticket in (1, park["deleted"], park["undone"]):
            shown = [sd("--db", d, "ticket", "show", ticket, "--format", "json").stdout for d in (db, server)]
            assert shown[0] == shown[1]
        assert sd("--db", server, "undo", "--dry-run").stdout == sd("--db", db, "undo", "--dry-run").stdout
        # The server hands out the next ids after the copied ones, as the file does.
        opened = [data(sd("--db", d, "ticket", "open", "1", "新问题", "--category", "labour", "--json"))["id"]
                  for d in (db, server)]  # fmt: skip
        assert opened[0] == opened[1] == 93
        assert_user_error(sd("copy", db, server, ok=False), "already holds a ledger")
    finally:
        pg.drop(name)


def test_a_file_with_a_row_that_refers_to_nothing_is_refused_by_the_server_in_one_line(park, sd, db, pg):
    conn = sqlite3.connect(db)  # foreign keys off: as a file damaged or edited by hand may be
    conn.execute("DROP TRIGGER events_no_update")
    conn.execute("UPDATE events SET ticket_id = 99999 WHERE id = 5")
    conn.commit()
    conn.close()
    name = pg.create()
    try:
        assert_user_error(sd("copy", db, pg.url(name), ok=False), "a row of events refers to nothing", "99999")
        store = Store(pg.url(name))  # the schema, made when the copy opened it; no rows
        try:
            assert store.value("SELECT count(*) FROM events") == store.value("SELECT count(*) FROM tickets") == 0
        finally:
            store.close()
    finally:
        pg.drop(name)
