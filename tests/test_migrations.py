"""A ledger written by each older schema opens, migrates and gives the same figures.

The demo park is built with today's code, then its records are written, column for
column, into files made by the first N released migrations (N = 1 … SCHEMA_VERSION - 1),
as that release of servicedesk would have held them. Opening such a file migrates it; its
weekly reports must equal the original park's for every week of the trend.
"""

import json
import sqlite3

import pytest

from servicedesk.migrations import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

# The columns each table had before schema 5 added change sets and corrections.
OLD_COLUMNS = {
    "enterprises": "id, name, sector, kind, contact, phone, address, note, archived, created_at",
    "officers": "id, name, rank, unit, phone, archived, created_at",
    "assignments": "id, officer_id, enterprise_id, start_on, end_on",
    "visits": "id, enterprise_id, officer_id, visited_on, week, channel, note, recorded_at, recorded_by",
    "tickets": "id, enterprise_id, visit_id, category, title, priority, owner_id, department, opened_on, "
    "opened_week, due_on, status, outcome, closed_on, resolution",
    "events": "id, ticket_id, kind, on_date, week, at, actor, note, outcome, owner_id, department",
    "feedback": "id, enterprise_id, kind, score, ticket_id, received_on, week, note, recorded_at, recorded_by",
}


def old_ledger(source, target, version: int) -> None:
    """`target` made by the first `version` migrations, holding `source`'s records."""
    conn = sqlite3.connect(target, isolation_level=None)
    try:
        conn.execute("BEGIN")
        for number, migration in enumerate(MIGRATIONS[:version], start=1):
            migration(conn)
            conn.execute(f"PRAGMA user_version = {number}")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("ATTACH DATABASE ? AS src", (str(source),))
        for table, columns in OLD_COLUMNS.items():
            conn.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM src.{table}")
        conn.execute("COMMIT")
        conn.execute("DETACH DATABASE src")
    finally:
        conn.close()


@pytest.fixture
def demo_park(sd, db, built):
    built("demo", lambda run: run("demo"), db)
    return sd


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
def test_a_ledger_of_each_older_schema_migrates_to_the_same_figures(demo_park, db, tmp_path, version):
    sd = demo_park
    old = tmp_path / f"schema{version}.db"
    old_ledger(db, old, version)
    last = json.loads(sd("report", "weekly", "--week", "last", "--json").stdout)
    weeks = [t["week"] for t in last["trend"]]
    migrated = [sd("--db", old, "report", "weekly", "--week", w, "--json").stdout for w in weeks]

    conn = sqlite3.connect(old)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()
    assert migrated == [sd("report", "weekly", "--week", w, "--json").stdout for w in weeks]
    assert last["cumulative"]["collected"] == 92
    for listing in (("ticket", "list", "--status", "all"), ("visit", "list"), ("feedback", "list")):
        assert sd("--db", old, *listing, "--json").stdout == sd(*listing, "--json").stdout, listing
    # And it carries on: the next change reports on the migrated history.
    out = sd("--db", old, "ticket", "close", str(last["oldest_open"][0]["id"]), "-r", "已解决").stdout
    assert "cumulative 91/92 closed, 98.9%" in out
