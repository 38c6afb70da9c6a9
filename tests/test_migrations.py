"""A ledger written by each older schema opens, migrates and gives the same figures.

A small park is built with today's code using only what every schema could record, then
its records are written, column for column, into files made by the first N released
migrations (N = 1 … SCHEMA_VERSION - 1), as that release of servicedesk held them. Opening such a file migrates it; its
weekly reports must equal the original park's for every week of the trend.
"""

import json
import shutil
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


# Schema 5 holds every column of today's tables: a file of it is today's file without
# what later migrations added (m006: two indexes).
LATER_THAN_5 = ("DROP INDEX feedback_kind_on", "DROP INDEX services_kind_on")


def old_ledger(source, target, version: int) -> None:
    """`target` made by the first `version` migrations, holding `source`'s records."""
    if version >= 5:
        assert SCHEMA_VERSION == 6, "a new migration: add what it creates to LATER_THAN_5"
        shutil.copyfile(source, target)
        conn = sqlite3.connect(target, isolation_level=None)
        for statement in (*LATER_THAN_5, "PRAGMA user_version = 5"):
            conn.execute(statement)
        conn.close()
        return
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


def build_old_park(run):
    """A park of four weeks in 2022 made with the verbs every schema had."""
    run("enterprise", "add", "天能电池", "--sector", "新型功能材料")
    run("enterprise", "add", "华鑫化工", "--sector", "化工")
    run("enterprise", "add", "氢源科技", "--sector", "氢能")
    run("officer", "add", "王伟", "--rank", "chief")
    run("officer", "add", "李娜", "--rank", "section")
    run("assign", "王伟", "天能电池", "华鑫化工", "--from", "2022-05-02")
    run("assign", "李娜", "氢源科技", "--from", "2022-05-02")
    run("visit", "log", "天能电池", "--date", "2022-05-03", "--problem", "用工:缺焊工", "--problem", "融资:贷款")
    run("visit", "log", "华鑫化工", "--date", "2022-05-04", "--problem", "水电气暖:停电", "--channel", "phone")
    run("visit", "log", "氢源科技", "--date", "2022-05-10", "--problem", "用地:扩建用地")
    run("ticket", "open", "华鑫化工", "环评批复", "--category", "permits", "--date", "2022-05-11")
    run("ticket", "start", "1", "--date", "2022-05-04")
    run("ticket", "refer", "2", "金融办", "--date", "2022-05-05")
    run("ticket", "assign", "3", "李娜", "--date", "2022-05-06")
    run("ticket", "note", "2", "已对接银行", "--date", "2022-05-09")
    run("ticket", "close", "1", "-r", "招到", "--date", "2022-05-12")
    run("ticket", "close", "3", "-r", "恢复", "--outcome", "explained", "--date", "2022-05-20")
    run("ticket", "reopen", "3", "--reason", "又停电", "--date", "2022-05-23")
    run("ticket", "close", "4", "-r", "已批", "--date", "2022-05-25")
    run("visit", "log", "天能电池", "--date", "2022-05-24", "--note", "回访")
    run("feedback", "add", "天能电池", "--kind", "banner", "--ticket", "1", "--date", "2022-05-16")


@pytest.fixture
def old_park(sd, db, built):
    built("old_park", build_old_park, db)
    return sd


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
def test_a_ledger_of_each_older_schema_migrates_to_the_same_figures(old_park, db, tmp_path, version):
    sd = old_park
    old = tmp_path / f"schema{version}.db"
    old_ledger(db, old, version)
    weeks = ["2022-W18", "2022-W19", "2022-W20", "2022-W21", "2022-W22"]
    migrated = [sd("--db", old, "report", "weekly", "--week", w, "--json").stdout for w in weeks]

    conn = sqlite3.connect(old)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()
    assert migrated == [sd("report", "weekly", "--week", w, "--json").stdout for w in weeks]
    assert json.loads(migrated[-1])["cumulative"]["collected"] == 5
    for listing in (("ticket", "list", "--status", "all"), ("visit", "list"), ("feedback", "list")):
        assert sd("--db", old, *listing, "--json").stdout == sd(*listing, "--json").stdout, listing
    closure = ("report", "closure", "--until", "2022-05-31", "--by", "department", "--json")
    assert sd("--db", old, *closure).stdout == sd(*closure).stdout
    # And it carries on: the next change reports on the migrated history.
    out = sd("--db", old, "ticket", "close", "2", "-r", "已放款", "--date", "2022-05-27").stdout
    assert "cumulative 3/5 closed, 60.0%" in out
