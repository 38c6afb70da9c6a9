"""A ledger on a PostgreSQL server: its schema, and the writes that differ from a file's.

The connection is pgconnection.py's. The schema is the migrations' (one history for both
backends); the schema version and the application marker, a file's PRAGMA user_version and
application_id, live in the table `servicedesk_schema`. A database holding other tables is
refused untouched.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from . import dialect
from .errors import DatabaseError
from .i18n import _
from .migrations import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from .pgconnection import KEYS, SCHEMA_TABLE, Connection


def tables(conn: Connection) -> list[str]:
    """The tables (and views) of the current schema. From the catalogue itself, read by every
    command: information_schema's view of it took 7 ms in a new session, this 3."""
    return [
        r[0]
        for r in conn.raw.execute(
            """SELECT c.relname FROM pg_class c WHERE c.relnamespace = CAST(current_schema() AS regnamespace)
            AND c.relkind IN ('r', 'p', 'v', 'f') ORDER BY 1"""
        )
    ]


def _version(conn: Connection, where: str) -> int | None:
    """The schema version of a servicedesk ledger; None when the database holds nothing yet.
    A database holding other tables, or a newer servicedesk's ledger, is refused."""
    found = conn.tables = tables(conn)
    if not found:
        return None
    if SCHEMA_TABLE not in found:
        shown = ", ".join(found[:5]) + (", …" if len(found) > 5 else "")
        raise DatabaseError(
            _(
                "{where} holds tables ({tables}) but no servicedesk ledger; left it untouched"
                " — give servicedesk a database of its own"
            ).format(where=where, tables=shown)
        )
    row = conn.raw.execute(f"SELECT application_id, version FROM {SCHEMA_TABLE}").fetchone()
    if row is None or row[0] != APPLICATION_ID:
        raise DatabaseError(_("{where} is not a servicedesk ledger; left it untouched").format(where=where))
    if row[1] > SCHEMA_VERSION:
        raise DatabaseError(
            _(
                "{where} was written by a newer servicedesk (schema {found}, this one knows {known});"
                " upgrade servicedesk to open it"
            ).format(where=where, found=row[1], known=SCHEMA_VERSION)
        )
    return row[1]


def open_ledger(conn: Connection, where: str, notify: Callable[[str], None]) -> None:
    """Check what the database holds; create or migrate the schema, and bring the derived
    tables up to date, in one transaction under the write lock."""
    from . import derive, names

    version = _version(conn, where)
    if version == SCHEMA_VERSION and derive.is_current(conn):
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = _version(conn, where)  # another process may have done it meanwhile
        if version is None:
            conn.raw.execute(dialect.REFUSE_FUNCTION)
            conn.raw.execute(dialect.ROWID_FUNCTION)
            conn.raw.execute(f"CREATE TABLE {SCHEMA_TABLE} (application_id BIGINT NOT NULL, version BIGINT NOT NULL)")
            conn.raw.execute(f"INSERT INTO {SCHEMA_TABLE} VALUES (0, 0)")
        for number, migration in enumerate(MIGRATIONS[version or 0 :], start=(version or 0) + 1):
            migration(conn)
            conn.execute(f"PRAGMA user_version = {number:d}")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID:d}")
        if not derive.is_current(conn):
            derive.rebuild(conn)
            analyze(conn, derive.TABLES)
        if version is None:
            names.upkeep(conn)
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    if version is None:
        notify(_("created a new ledger in {where}").format(where=where))
    elif version < SCHEMA_VERSION:
        notify(_("migrated {where} from schema {old} to {new}").format(where=where, old=version, new=SCHEMA_VERSION))


def schema_objects(conn: Connection, kind: str, tables: tuple[str, ...]) -> list[tuple[str, str]]:
    """(drop, create) statements of the indexes or triggers on the tables (not the primary keys)."""
    if kind == "index":
        rows = conn.raw.execute(
            """SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema()
            AND i.tablename = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                WHERE c.conname = i.indexname AND c.contype IN ('p', 'u'))""",
            (list(tables),),
        ).fetchall()
        return [(f'DROP INDEX "{name}"', sql) for name, sql in rows]
    rows = conn.raw.execute(
        """SELECT t.tgname, c.relname, pg_get_triggerdef(t.oid) FROM pg_trigger t
        JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE NOT t.tgisinternal AND n.nspname = current_schema() AND c.relname = ANY(%s)
        AND t.tgname NOT LIKE '%%\\_rowid'""",
        (list(tables),),
    ).fetchall()
    return [(f'DROP TRIGGER "{name}" ON "{table}"', sql) for name, table, sql in rows]


@contextmanager
def bulk_load(conn: Connection, tables: tuple[str, ...]) -> Iterator[None]:
    """Rows written in bulk, their ids given, into the tables (inside the caller's transaction):
    the tables' foreign keys, secondary indexes and id triggers are dropped for the load and
    made again from their stored definitions afterwards, then the tables analysed.

    Each row a foreign key checks costs a query of its own (at 100k tickets, 60 of the 69 s
    the rows took to go in); made again, each key checks every row in one join, and fails
    the transaction on a row that refers to nothing as the insert would have. The planner
    knows nothing of rows loaded in this transaction until they are analysed: the rebuild of
    the derived tables that follows read every event once per chunk of tickets.
    """
    rows = conn.raw.execute(
        """SELECT c.conname, c.conrelid::regclass::text, pg_get_constraintdef(c.oid) FROM pg_constraint c
        WHERE c.contype = 'f' AND c.connamespace = CAST(current_schema() AS regnamespace)
        AND c.conrelid::regclass::text = ANY(%s) ORDER BY c.conname""",
        (list(tables),),
    ).fetchall()
    keys = [(f'ALTER TABLE {t} DROP CONSTRAINT "{n}"', f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}') for n, t, d in rows]
    rowids = conn.raw.execute(
        """SELECT t.tgname, c.relname, pg_get_triggerdef(t.oid) FROM pg_trigger t
        JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE NOT t.tgisinternal AND n.nspname = current_schema() AND c.relname = ANY(%s)
        AND t.tgname LIKE '%%\\_rowid'""",
        (list(tables),),
    ).fetchall()
    triggers = [(f'DROP TRIGGER "{n}" ON "{t}"', sql) for n, t, sql in rowids]
    indexes = schema_objects(conn, "index", tables)
    for drop, _create in (*keys, *triggers, *indexes):
        conn.raw.execute(drop)
    yield
    import psycopg

    for _drop, create in (*indexes, *keys, *triggers):
        try:
            conn.raw.execute(create)
        except psycopg.errors.ForeignKeyViolation as e:  # the caller's transaction rolls back
            raise DatabaseError(
                _(
                    "a row of {table} refers to nothing ({detail}); nothing was written"
                    " — `servicedesk doctor` on the source names such rows"
                ).format(table=e.diag.table_name, detail=" ".join((e.diag.message_detail or "").split()))
            ) from None
    analyze(conn, tables)


def analyze(conn: Connection, tables) -> None:
    """Statistics for the planner on tables just filled (ANALYZE runs inside the transaction and
    counts its own new rows)."""
    for table in tables:
        conn.raw.execute(f"ANALYZE {table}")


def insert(conn: Connection, table: str, record: dict, *, returning: bool = True) -> int | None:
    """Insert one row; its id (None for a table without one, or not `returning`: the insert
    is then held back with the write's other such statements). The id trigger's number, one
    more than the largest, is given in the statement: the trigger's EXECUTE of it is
    planned anew on every insert, under the write lock."""
    columns = list(record)
    marks = [f"%({i})s" for i in range(len(record))]
    values = {str(i): v for i, v in enumerate(record.values())}
    if not _has_id(conn, table):
        conn.run(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(marks)})", values)
        return None
    if "id" not in record:
        columns.insert(0, "id")
        marks.insert(0, f"(SELECT coalesce(max(id), 0) + 1 FROM {table})")
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(marks)})"
    if not returning:
        conn.run(sql, values)
        return None
    return conn.run(sql + " RETURNING id", values).fetchone()[0]


def _key(conn: Connection, table: str) -> str:
    """The primary key column of a table (ours: one column each)."""
    if table not in KEYS:  # a table made since, or a first write before any BEGIN IMMEDIATE
        KEYS[table] = conn.raw.execute(
            """SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid
            AND a.attnum = ANY(i.indkey) WHERE i.indrelid = CAST(%s AS regclass) AND i.indisprimary""",
            (table,),
        ).fetchone()[0]
    return KEYS[table]


def _has_id(conn: Connection, table: str) -> bool:
    return _key(conn, table) == "id"


def update(conn: Connection, table: str, pk, changes: dict) -> None:
    if not changes:
        return
    sets = ", ".join(f"{column} = %({i})s" for i, column in enumerate(changes))
    values = {str(i): v for i, v in enumerate(changes.values())}
    values["pk"] = pk
    conn.run(f"UPDATE {table} SET {sets} WHERE {_key(conn, table)} = %(pk)s", values)
