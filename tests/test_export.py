"""export writes every table readably and safely; backup copies a consistent database."""

import csv
import json
import os
import stat
import subprocess
import sys
import textwrap
from datetime import date, timedelta

import pytest
from helpers import connect, table_rows

# Checked on both backends (conftest.py).
pytestmark = pytest.mark.both

# The order a new database takes an export back in: names before what refers to them.
IMPORT_ORDER = (("officer", "officers"), ("enterprise", "enterprises"), ("visit", "visits"), ("ticket", "tickets"), ("feedback", "feedback"),
                ("service", "services"))  # fmt: skip


def read_csv(path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def read_jsonl(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def table(db, sql) -> list[tuple]:
    conn = connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def restore(sd, directory, other_db):
    for kind, name in IMPORT_ORDER:
        sd("--db", other_db, kind, "import", directory / f"{name}.csv")


def test_export_of_the_demo_park_imports_into_a_new_database_with_identical_reports(sd, db, tmp_path):
    sd("demo")
    # History the ticket columns alone cannot carry: a close that was reopened, then closed again.
    first = min((t for t in all_tickets(sd) if t["status"] == "closed"), key=lambda t: t["closed_on"])
    closed_on = date.fromisoformat(first["closed_on"])
    sd("ticket", "reopen", first["id"], "--reason", "企业反映未到位", "--date", closed_on + timedelta(days=7))
    sd(
        "ticket",
        "close",
        first["id"],
        "-r",
        "已到位",
        "--outcome",
        "explained",
        "--date",
        closed_on + timedelta(days=15),
    )
    out, copy = tmp_path / "导出", tmp_path / "copy.db"
    sd("export", out)

    restore(sd, out, copy)

    last = json.loads(sd("report", "weekly", "--week", "last", "--json").stdout)
    assert last["cumulative"]["collected"] == 92 and last["cumulative"]["closure_rate"] == 97.8
    exported = {int(t["id"]): t for t in read_csv(out / "tickets.csv")}
    assert " reopened; " in exported[first["id"]]["history"]
    for week in [t["week"] for t in last["trend"]]:
        original = sd("report", "weekly", "--week", week, "--json").stdout
        assert sd("--db", copy, "report", "weekly", "--week", week, "--json").stdout == original, week
    for listing in (("ticket", "list", "--status", "all"), ("visit", "list"), ("enterprise", "list", "--all"),
                    ("officer", "list", "--all"), ("feedback", "list")):  # fmt: skip
        assert sd("--db", copy, *listing, "--json").stdout == sd(*listing, "--json").stdout, listing
    # The as-of machinery agrees too: each ticket's status history, and every day's counts by
    # category and owner (referrals travel only as the current department: README).
    history = """SELECT ticket_id, kind, on_date, outcome, owner_id FROM events
        WHERE kind IN ('opened', 'assigned', 'started', 'closed', 'reopened') ORDER BY ticket_id, on_date, id"""
    tallies = "SELECT * FROM tallies WHERE dim != 'department' ORDER BY 1, 2, 3"
    for sql in (history, tallies):
        assert table(copy, sql) == table(db, sql), sql


def all_tickets(sd) -> list[dict]:
    return json.loads(sd("ticket", "list", "--status", "all", "--json").stdout)


def test_export_writes_every_table_as_csv_and_json_lines_in_private_files(sd, db, tmp_path):
    sd("demo", "--enterprises", "8", "--weeks", "3")
    out = tmp_path / "out"

    result = sd("export", out)

    tables = set(table_rows(db)) - {"servicedesk_schema"}  # a server's schema table is not ledger data
    assert {p.name for p in out.iterdir()} == {f"{t}{ext}" for t in tables for ext in (".csv", ".jsonl")}
    assert all(mode(p) == 0o600 for p in out.iterdir())
    assert f"exported {len(tables)} tables" in result.stdout
    tickets = read_csv(out / "tickets.csv")
    assert len(tickets) == table(db, "SELECT count(*) FROM tickets")[0][0]
    assert {"enterprise", "category", "title", "opened_on", "owner", "status", "closed_on"} <= set(tickets[0])
    events = read_jsonl(out / "events.jsonl")
    assert len(events) == table(db, "SELECT count(*) FROM events")[0][0]


def test_export_refuses_to_overwrite_unless_forced(sd, tmp_path):
    sd("enterprise", "add", "天能电池")
    out = tmp_path / "out"
    sd("export", out)

    refused = sd("export", out, ok=False)

    assert refused.exit_code == 1 and "--force" in refused.stderr
    sd("export", out, "--force")


def test_formula_like_text_is_neutralised_in_csv_verbatim_in_json_and_restored_on_import(sd, tmp_path):
    sd("officer", "add", "王伟")
    sd("enterprise", "add", '=HYPERLINK("http://x","点我")', "--contact", "@李强", "--phone", "+8613800000000")
    sd("assign", "王伟", "HYPERLINK", "--from", "2022-01-01")
    sd("ticket", "open", "HYPERLINK", "--category", "用工", "--date", "2022-05-09", "--", "-1 缺焊工")
    out = tmp_path / "out"
    sd("export", out)

    (enterprise,) = read_csv(out / "enterprises.csv")
    assert enterprise["name"] == '\'=HYPERLINK("http://x","点我")'
    assert (enterprise["contact"], enterprise["phone"]) == ("'@李强", "'+8613800000000")
    assert read_csv(out / "tickets.csv")[0]["title"] == "'-1 缺焊工"
    assert read_jsonl(out / "enterprises.jsonl")[0]["name"] == '=HYPERLINK("http://x","点我")'

    copy = tmp_path / "copy.db"
    restore(sd, out, copy)
    assert sd("--db", copy, "enterprise", "list", "--json").stdout == sd("enterprise", "list", "--json").stdout
    assert json.loads(sd("--db", copy, "ticket", "list", "--json").stdout)[0]["title"] == "-1 缺焊工"


# Backup ------------------------------------------------------------------------


@pytest.mark.sqlite_only  # backup copies a file; a server has its own
def test_backup_is_an_openable_private_copy_with_the_same_counts(sd, db, tmp_path):
    sd("demo", "--enterprises", "8", "--weeks", "3")
    target = tmp_path / "备份" / "park-copy.db"

    result = sd("backup", target)

    assert mode(target) == 0o600
    assert "backed up to" in result.stdout
    assert [p.name for p in target.parent.iterdir()] == ["park-copy.db"]  # no partial file left behind
    sql = "SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM events), (SELECT count(*) FROM visits)"
    assert table(target, sql) == table(db, sql)
    assert table(target, "PRAGMA integrity_check") == [("ok",)]
    assert (
        sd("--db", target, "report", "weekly", "--week", "last", "--json").stdout
        == sd("report", "weekly", "--week", "last", "--json").stdout
    )


@pytest.mark.sqlite_only
def test_backup_refuses_an_existing_file_unless_forced_and_never_the_database_itself(sd, db, tmp_path):
    sd("enterprise", "add", "天能电池")
    target = tmp_path / "copy.db"
    target.write_bytes(b"keep me")

    refused = sd("backup", target, ok=False)

    assert refused.exit_code == 1 and "--force" in refused.stderr
    assert target.read_bytes() == b"keep me"
    assert sd("backup", db, "--force", ok=False).exit_code == 1
    sd("backup", target, "--force")
    assert table(target, "SELECT name FROM enterprises") == [("天能电池",)]


WRITER = textwrap.dedent(
    """
    import sys
    from servicedesk.store import Store
    from servicedesk.services import tickets

    store = Store(sys.argv[1])
    n = 0
    while True:
        tickets.open_ticket(store, "天能电池", f"问题{n}", "labour", actor="writer")
        n += 1
        if n == 20:
            print("writing", flush=True)
    """
)


@pytest.mark.sqlite_only
def test_backup_while_another_process_writes_is_consistent(sd, db, tmp_path):
    sd("officer", "add", "王伟")
    sd("enterprise", "add", "天能电池")
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db)], stdout=subprocess.PIPE, text=True, env={**os.environ, "TZ": "UTC"}
    )
    try:
        assert writer.stdout.readline().strip() == "writing"
        copies = [tmp_path / f"copy{i}.db" for i in range(3)]
        for copy in copies:
            sd("backup", copy)
    finally:
        writer.kill()
        writer.wait()
    for copy in copies:
        assert table(copy, "PRAGMA integrity_check") == [("ok",)]
        # Each ticket and its opening event are one transaction: a torn copy would split them.
        tickets, opened, collected = table(
            copy,
            """SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM events WHERE kind = 'opened'),
                (SELECT sum(collected) FROM tally_totals WHERE dim = 'category')""",
        )[0]
        assert tickets >= 20 and tickets == opened == collected


@pytest.mark.sqlite_only
def test_backup_into_a_directory_is_refused_with_a_hint(sd, tmp_path):
    sd("enterprise", "add", "天能电池")

    result = sd("backup", tmp_path, ok=False)

    assert result.exit_code == 1 and "give the backup a file name" in result.stderr


def test_export_reads_back_text_longer_than_the_csv_modules_default_field_limit(sd, tmp_path):
    """csv refuses fields over 131,072 characters by default; whatever we store, our own export reads back."""
    title = "缺焊工" + "x" * 140_000 + "尾"
    sd("officer", "add", "王伟")
    sd("enterprise", "add", "天能电池", "--note", "备注" * 70_000)
    sd("ticket", "open", "天能电池", title, "--category", "labour", "--date", "2022-05-10")
    out, copy = tmp_path / "out", tmp_path / "copy.db"
    sd("export", out)

    restore(sd, out, copy)

    assert json.loads(sd("--db", copy, "ticket", "list", "--json").stdout)[0]["title"] == title
    assert table(copy, "SELECT note FROM enterprises") == [("备注" * 70_000,)]
