"""A ledger on a PostgreSQL server: the connection the rest of the code uses, and the schema.

`connect` gives a connection with the surface of sqlite3's that the services, views and
reports use (execute, executemany, rows by position and by name, BEGIN/commit/rollback),
running each statement as dialect.translate writes it for PostgreSQL. psycopg is imported
here only, and only when a --db URL is given.

The schema is the migrations' (one history for both backends); the schema version and the
application marker, a file's PRAGMA user_version and application_id, live in the table
`servicedesk_schema`. A database holding other tables is refused untouched.

Transactions: writes are one transaction each, taken one at a time through an advisory
lock (`BEGIN IMMEDIATE` here), so two officers writing at once wait for each other instead
of failing or losing a change; a report reads one REPEATABLE READ snapshot (`BEGIN`).
"""

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import chain, islice

from . import dialect
from .errors import DatabaseError
from .i18n import _
from .migrations import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

WRITE_LOCK = APPLICATION_ID  # the advisory lock every write transaction holds
# A bulk insert of whole rows (Store.insert_rows, the derived tables' rebuild): sent as COPY.
_PLAIN_INSERT = re.compile(
    r"\s*INSERT\s+INTO\s+(\w+)\s*\(([\w\s,]+)\)\s*VALUES\s*\(\s*\?(?:\s*,\s*\?)*\s*\)\s*;?\s*", re.IGNORECASE
)
SCHEMA_TABLE = "servicedesk_schema"
_FEW_ROWS = 50  # up to this many rows in a bulk insert go as one INSERT, not COPY
_MOST_HELD = 200  # statements held back in a write, at most, before they are sent


class Row(tuple):
    """A result row, read by position or by column name (as sqlite3.Row)."""

    _index: dict[str, int] = {}

    def __getitem__(self, key):
        if isinstance(key, str):
            try:
                key = self._index[key]
            except KeyError:
                key = self._index[key.lower()]
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


_ROW_CLASSES: dict[tuple, type] = {}


def _row_class(names: tuple) -> type:
    cls = _ROW_CLASSES.get(names)
    if cls is None:
        cls = _ROW_CLASSES[names] = type("Row", (Row,), {"_index": {n: i for i, n in enumerate(names)}})
    return cls


def _row_factory(cursor):
    names = tuple(d.name for d in cursor.description or ())
    make = _row_class(names)
    return lambda values: make(values)


class _Held:
    """What execute() gives for a statement held back: no rows, as sqlite3's cursor of an UPDATE."""

    rowcount = -1
    description = None

    def fetchone(self):
        return None

    def fetchall(self) -> list:
        return []

    def __iter__(self):
        return iter(())


_HELD = _Held()


class Connection:
    """A psycopg connection with the sqlite3 surface the code uses.

    In a write, a statement whose result nobody reads (an INSERT, UPDATE or DELETE without
    RETURNING) is held back and sent with the next one that is read, or with the COMMIT, in
    one round trip: a visit log's derived rows and tallies, eight statements each waiting for
    the server under the write lock, go with its COMMIT. An error in one is raised there,
    and the write rolls back as ever; nothing in the code reads how many rows a statement
    changed (the count of a held statement is not known)."""

    def __init__(self, raw):
        self._raw = raw
        self.tables: list[str] = []  # the ledger's tables, as open_ledger found them
        self._warm = False  # whether this session has written (or warmed up) before
        self._writing = False  # from BEGIN IMMEDIATE to its COMMIT or ROLLBACK
        self._held: list[str] = []  # the write's statements not sent yet, their values in them

    @property
    def raw(self):
        """psycopg's connection, for statements in its own form: what was held back is sent first."""
        if self._held:
            self._send()
        return self._raw

    def execute(self, sql: str, params=()):
        statement = sql.strip().rstrip(";").upper()
        if statement == "BEGIN IMMEDIATE":  # a write: one writer at a time, waiting its turn
            cur = self.raw.cursor()
            if not self._warm:
                self._warm_up(cur)
            cur.execute(f"BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK:d})")  # one round trip
            self._writing = True
            return cur
        if statement in ("BEGIN", "BEGIN DEFERRED"):  # a read of one state, however many queries
            return self.raw.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        if statement.startswith("PRAGMA"):
            return self._pragma(statement)
        return self.run(dialect.translate(sql), _params(params))

    def run(self, sql: str, params=()):
        """One statement in psycopg's form, held back in a write when nobody reads its result."""
        if self._writing and _holdable(sql):
            self._hold(self._raw.cursor().mogrify(sql, params))
            return _HELD
        if self._held:
            return self._send(self._raw.cursor().mogrify(sql, params))
        cur = self._raw.cursor(row_factory=_row_factory)
        cur.execute(sql, params)
        return cur

    def _hold(self, statement: str) -> None:
        self._held.append(statement)
        if len(self._held) >= _MOST_HELD:  # (a loop of many: sent a batch at a time)
            self._send()

    def _send(self, last: str | None = None):
        """The statements held back, and `last` after them, in one round trip; a cursor on the
        last one's rows."""
        statements, self._held = self._held, []
        if last is not None:
            statements.append(last)
        cur = self._raw.cursor(row_factory=_row_factory)
        cur.execute("; ".join(statements))  # values are in the text: no placeholders read
        while cur.nextset():
            pass
        return cur

    def _warm_up(self, cur) -> None:
        """Before a session's first write takes the lock: open every table of the ledger (their
        indexes, columns and types into the session's caches), load PL/pgSQL (the id and
        append-only triggers are written in it) and read the tables' primary keys (once a
        process). Every command is a new process with a new connection, and a new session
        paid for these on its first statements, under the lock: about a third of a visit
        log's time there (bench/pg.py --writers).

        Outside the write's transaction, in one of its own that ends at once, and never
        waiting long for a table: a table lock kept while waiting, for the write lock or
        another table, could deadlock with a writer that holds the write lock and drops
        tables (a migration, a rebuild of the derived tables). A warm-up that cannot finish
        is given up; the write goes on as before, colder."""
        import psycopg

        self._warm = True
        statements = [
            "SET lock_timeout = 100",
            "DO $$BEGIN END$$",
            *(f'SELECT 1 FROM "{t}" WHERE false' for t in self.tables),
            "RESET lock_timeout",
        ]
        if not _KEYS:
            statements.append(_PRIMARY_KEYS)
        try:
            cur.execute("; ".join(statements))  # one round trip, one transaction
        except (psycopg.errors.LockNotAvailable, psycopg.errors.UndefinedTable):
            return  # (the transaction it was is rolled back, and with it the SET)
        while True:
            if cur.description and cur.description[0].name == "relname":
                _KEYS.update(cur.fetchall())
            if not cur.nextset():
                break

    def executemany(self, sql: str, seq):
        plain = _PLAIN_INSERT.fullmatch(sql)
        if plain:
            return self._copy_in(plain.group(1), plain.group(2), seq)
        sql = dialect.translate(sql)
        seq = iter(seq)
        first = list(islice(seq, _FEW_ROWS + 1)) if self._writing and _holdable(sql) else []
        if first and len(first) <= _FEW_ROWS:  # a command's few: held back with the rest
            mogrify = self._raw.cursor().mogrify
            for params in first:
                self._hold(mogrify(sql, _params(params)))
            return _HELD
        cur = self.raw.cursor(row_factory=_row_factory)
        cur.executemany(sql, (_params(p) for p in chain(first, seq)))
        return cur

    def _copy_in(self, table: str, columns: str, rows):
        """Rows into a table through COPY: one statement streaming every row, where an INSERT
        per row costs a round of parsing, planning and a reply (100k tickets copied in 74 s;
        a million-ticket demo would have taken 30–45 minutes). Triggers, defaults, keys and
        constraints apply as to an INSERT.

        A command's few rows (a ticket's spans and activity) go as one INSERT of them all:
        COPY waits for the server twice (to start, to finish), under the write lock."""
        names = ", ".join(c.strip() for c in columns.split(","))
        rows = iter(rows)
        first = list(islice(rows, _FEW_ROWS + 1))
        if len(first) <= _FEW_ROWS:
            if not first:
                return _HELD
            marks = ", ".join(["(" + ", ".join(["%s"] * len(first[0])) + ")"] * len(first))
            return self.run(f"INSERT INTO {table} ({names}) VALUES {marks}", [v for row in first for v in row])
        cur = self.raw.cursor()
        with cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in chain(first, rows):
                copy.write_row(row)
        return cur

    def _pragma(self, statement: str):
        """The PRAGMAs the migrations and the store run, on the schema table."""
        m = re.fullmatch(r"PRAGMA\s+(USER_VERSION|APPLICATION_ID)\s*(?:=\s*(\d+))?", statement)
        if m is None:
            raise DatabaseError(f"no PostgreSQL version of {statement}")
        column = "version" if m.group(1) == "USER_VERSION" else "application_id"
        if m.group(2) is None:
            return self.raw.cursor(row_factory=_row_factory).execute(f"SELECT {column} FROM {SCHEMA_TABLE}")
        return self.raw.execute(f"UPDATE {SCHEMA_TABLE} SET {column} = %s", (int(m.group(2)),))

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return self._raw.info.transaction_status != TransactionStatus.IDLE

    def commit(self) -> None:
        self._writing = False
        if self._held:
            self._send("COMMIT")
        elif self.in_transaction:
            self._raw.execute("COMMIT")

    def rollback(self) -> None:
        self._writing, self._held = False, []
        if self.in_transaction:
            self._raw.execute("ROLLBACK")

    def close(self) -> None:
        self._writing, self._held = False, []
        self._raw.close()

    def __enter__(self):  # as sqlite3's: a block that commits, or rolls back on an error
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if kind is None:
            self.commit()
        else:
            self.rollback()


def _holdable(sql: str) -> bool:
    """Whether nothing reads a statement's result: a write without RETURNING."""
    return sql.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE") and "RETURNING" not in sql.upper()


def _params(params):
    if isinstance(params, dict):
        return params
    return tuple(params)


def connect(url: str, timeout: int = 15) -> Connection:
    """A connection to the server the URL names; one line saying why not."""
    try:
        import psycopg
    except ImportError:
        raise DatabaseError(
            _("a PostgreSQL --db needs the psycopg driver: pip install 'servicedesk[postgres]'")
        ) from None
    try:
        raw = psycopg.connect(url, autocommit=True, cursor_factory=psycopg.ClientCursor, connect_timeout=timeout)
    except psycopg.Error as e:
        detail = " ".join(str(e).split())
        raise DatabaseError(
            _("cannot connect to {url}: {detail}").format(url=dialect.shown_url(url), detail=detail)
        ) from None
    _adapt(raw)
    return Connection(raw)


def peek(url: str) -> tuple[Connection, type] | None:
    """(connection, psycopg's error class) for a quick look that changes nothing, shell
    completion's: a read-only session, nothing created or migrated; None when the driver is
    missing or the server does not answer within a few seconds (a TAB must not hang)."""
    try:
        conn = connect(url, timeout=3)
    except DatabaseError:
        return None
    import psycopg

    try:
        conn.raw.execute("SET default_transaction_read_only = on")
    except psycopg.Error:
        conn.close()
        return None
    return conn, psycopg.Error


def _adapt(raw) -> None:
    """Values in and out as sqlite3 gives them: integers for sums and truth values, dates as ISO text."""
    from datetime import date, datetime

    from psycopg.adapt import Loader
    from psycopg.types.numeric import IntDumper
    from psycopg.types.string import StrDumper

    class Number(Loader):
        def load(self, data):
            text = bytes(data)
            return int(text) if text.lstrip(b"-").isdigit() else float(text)

    class Truth(Loader):
        def load(self, data):
            return 1 if bytes(data) == b"t" else 0

    class TruthAsInt(IntDumper):
        def dump(self, obj):
            return b"1" if obj else b"0"

    class DayAsText(StrDumper):
        def dump(self, obj):
            return super().dump(obj.isoformat(" ") if isinstance(obj, datetime) else obj.isoformat())

    raw.adapters.register_loader("numeric", Number)
    raw.adapters.register_loader("bool", Truth)
    raw.adapters.register_dumper(bool, TruthAsInt)
    raw.adapters.register_dumper(date, DayAsText)
    raw.adapters.register_dumper(datetime, DayAsText)


# The schema ----------------------------------------------------------------------------


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


def insert(conn: Connection, table: str, record: dict) -> int | None:
    """Insert one row; its id (None for a table without one). The id trigger's number, one
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
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(marks)}) RETURNING id"
    return conn.run(sql, values).fetchone()[0]


_KEYS: dict[str, str] = {}
# The primary key column of every table (ours: one column each where insert and update
# need it), read once per process before its first write takes the lock, not table by table
# under it.
_PRIMARY_KEYS = """SELECT c.relname, a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
    WHERE i.indisprimary AND c.relnamespace = CAST(current_schema() AS regnamespace)"""


def _key(conn: Connection, table: str) -> str:
    """The primary key column of a table (ours: one column each)."""
    if table not in _KEYS:  # a table made since, or a first write before any BEGIN IMMEDIATE
        _KEYS[table] = conn.raw.execute(
            """SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid
            AND a.attnum = ANY(i.indkey) WHERE i.indrelid = CAST(%s AS regclass) AND i.indisprimary""",
            (table,),
        ).fetchone()[0]
    return _KEYS[table]


def _has_id(conn: Connection, table: str) -> bool:
    return _key(conn, table) == "id"


def update(conn: Connection, table: str, pk, changes: dict) -> None:
    if not changes:
        return
    sets = ", ".join(f"{column} = %({i})s" for i, column in enumerate(changes))
    values = {str(i): v for i, v in enumerate(changes.values())}
    values["pk"] = pk
    conn.run(f"UPDATE {table} SET {sets} WHERE {_key(conn, table)} = %(pk)s", values)
