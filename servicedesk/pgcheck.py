"""What `doctor` checks on a PostgreSQL ledger, where SQLite's integrity check has no counterpart.

The server keeps its pages and enforces the keys it has; what it cannot know is whether
the guards the migrations made are all still there: an append-only trigger dropped or
disabled lets the history be changed in place, a foreign key dropped lets rows refer to
nothing, an index left invalid by a failed build is skipped by every query. They are
compared with what the migrations make in a new ledger (built by SQLite in memory, in a
few milliseconds), and orphans are looked for wherever a key is not in force. Reads the
catalogue through the connection pgconnection made; imports no driver of its own.
"""

from .i18n import _
from .migrations import MIGRATIONS


def _wanted() -> dict:
    """What the migrations make: tables and their columns, indexes, triggers (with the id
    triggers of a server's ledger) and foreign keys (table, column, parent table, parent column)."""
    import sqlite3

    memory = sqlite3.connect(":memory:")
    try:
        memory.execute("BEGIN")
        for migration in MIGRATIONS:
            migration(memory)
        objects = memory.execute("SELECT type, name, tbl_name FROM sqlite_master WHERE sql IS NOT NULL").fetchall()
        tables = sorted(n for kind, n, _t in objects if kind == "table")
        columns = {t: {r[1] for r in memory.execute(f"PRAGMA table_info({t})")} for t in tables}
        triggers = {n: t for kind, n, t in objects if kind == "trigger"}
        for t in tables:
            if any(
                r[1] == "id" and r[5] == 1 and r[2].upper() == "INTEGER"
                for r in memory.execute(f"PRAGMA table_info({t})")
            ):
                triggers[f"{t}_rowid"] = t
        keys = {(t, r[3], r[2], r[4] or "id") for t in tables for r in memory.execute(f"PRAGMA foreign_key_list({t})")}
        return {
            "columns": columns,
            "indexes": {n: t for kind, n, t in objects if kind == "index"},
            "triggers": triggers,
            "keys": keys,
        }
    finally:
        memory.close()


def _keys_in_force(conn) -> set[tuple[str, str, str, str]]:
    """(table, column, parent, parent column) of the validated foreign keys."""
    rows = conn.raw.execute(
        """SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, p.attname
        FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        JOIN pg_attribute p ON p.attrelid = c.confrelid AND p.attnum = c.confkey[1]
        WHERE c.contype = 'f' AND c.convalidated AND c.connamespace = CAST(current_schema() AS regnamespace)"""
    ).fetchall()
    return {tuple(r) for r in rows}


def integrity(conn) -> list[str]:
    """["ok"], or each guard of the schema that is missing or not in force."""
    wanted = _wanted()
    problems = []
    have = _columns(conn)
    for table, columns in wanted["columns"].items():
        if table not in have:
            problems.append(_("the table {table} is missing").format(table=table))
            continue
        problems += [
            _("{table} has no column {column}").format(table=table, column=c) for c in sorted(columns - have[table])
        ]
    indexes = {
        name: valid
        for name, valid in conn.raw.execute(
            """SELECT c.relname, i.indisvalid AND i.indisready FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            WHERE c.relnamespace = CAST(current_schema() AS regnamespace)"""
        )
    }
    for name, table in sorted(wanted["indexes"].items()):
        if name not in indexes:
            problems.append(_("the index {index} on {table} is missing").format(index=name, table=table))
        elif not indexes[name]:
            problems.append(
                _("the index {index} on {table} is not valid (its build failed): REINDEX INDEX {index}").format(
                    index=name, table=table
                )
            )
    triggers = {
        name: enabled
        for name, enabled in conn.raw.execute(
            """SELECT t.tgname, t.tgenabled != 'D' FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
            WHERE NOT t.tgisinternal AND c.relnamespace = CAST(current_schema() AS regnamespace)"""
        )
    }
    for name, table in sorted(wanted["triggers"].items()):
        if name not in triggers:
            problems.append(_("the trigger {trigger} on {table} is missing").format(trigger=name, table=table))
        elif not triggers[name]:
            problems.append(_("the trigger {trigger} on {table} is disabled").format(trigger=name, table=table))
    for table, column, parent, _to in sorted(wanted["keys"] - _keys_in_force(conn)):
        problems.append(
            _("the foreign key from {table}.{column} to {parent} is missing or not validated").format(
                table=table, column=column, parent=parent
            )
        )
    return problems or ["ok"]


def orphans(conn) -> list[tuple[str, int | str, str]]:
    """(table, id, parent table) of rows referring to a missing row, looked for only where the
    foreign key is not in force (where it is, the server has refused them)."""
    have = _columns(conn)
    found = []
    for table, column, parent, to in sorted(_wanted()["keys"] - _keys_in_force(conn)):
        if column not in have.get(table, ()) or to not in have.get(parent, ()):
            continue  # integrity() names what is missing
        row = "id" if "id" in have[table] else "ctid::text"
        found += [
            (table, r[0], parent)
            for r in conn.raw.execute(
                f"""SELECT c.{row} FROM {table} c WHERE c.{column} IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.{to} = c.{column}) LIMIT 20"""
            )
        ]
    return found[:20]


def _columns(conn) -> dict[str, set[str]]:
    have: dict[str, set[str]] = {}
    for table, column in conn.raw.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"
    ):
        have.setdefault(table, set()).add(column)
    return have
