"""A connection to a PostgreSQL server with the surface of sqlite3's that the services, views
and reports use (execute, executemany, rows by position and by name, BEGIN/commit/rollback),
running each statement as dialect.translate writes it for PostgreSQL. psycopg is imported
here only, and only when a --db URL is given; the schema is pgledger.py's.

Transactions: writes are one transaction each, taken one at a time through an advisory
lock (`BEGIN IMMEDIATE` here), so two officers writing at once wait for each other instead
of failing or losing a change; a report reads one REPEATABLE READ snapshot (`BEGIN`).
Every command is a new process with a new connection, so what a write does under the lock
is kept short: a new session warms up before it (Connection._warm_up), and the statements
whose results nobody reads are sent together (Connection).
"""

import re
from itertools import chain, count, islice

from . import dialect
from .errors import DatabaseError
from .i18n import _
from .migrations import APPLICATION_ID

WRITE_LOCK = APPLICATION_ID  # the advisory lock every write transaction holds
# A bulk insert of whole rows (Store.insert_rows, the derived tables' rebuild): sent as COPY.
_PLAIN_INSERT = re.compile(
    r"\s*INSERT\s+INTO\s+(\w+)\s*\(([\w\s,]+)\)\s*VALUES\s*\(\s*\?(?:\s*,\s*\?)*\s*\)\s*;?\s*", re.IGNORECASE
)
SCHEMA_TABLE = "servicedesk_schema"
_FEW_ROWS = 50  # up to this many rows in a bulk insert go as one INSERT, not COPY
_MOST_HELD = 200  # statements held back in a write, at most, before they are sent
# The primary key column of every table (ours: one column each where insert and update
# need it), read once per process before its first write takes the lock, not table by table
# under it.
_PRIMARY_KEYS = """SELECT c.relname, a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
    WHERE i.indisprimary AND c.relnamespace = CAST(current_schema() AS regnamespace)"""
KEYS: dict[str, str] = {}  # table → its primary key column, read with the first write's warm-up
_STREAMS = count()  # the names of server-side cursors (Connection.stream)


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
        if not KEYS:
            statements.append(_PRIMARY_KEYS)
        try:
            cur.execute("; ".join(statements))  # one round trip, one transaction
        except (psycopg.errors.LockNotAvailable, psycopg.errors.UndefinedTable):
            return  # (the transaction it was is rolled back, and with it the SET)
        while True:
            if cur.description and cur.description[0].name == "relname":
                KEYS.update(cur.fetchall())
            if not cur.nextset():
                break

    def stream(self, sql: str, params=(), batch: int = 5000):
        """A big read through a server-side cursor, `batch` rows a round trip, so the client
        never holds the whole result (a 1M-ticket ledger's events: 1.5 GiB). Inside a
        transaction (a snapshot), as a server-side cursor must be."""
        cur = self.raw.cursor(name=f"stream_{next(_STREAMS)}", row_factory=_row_factory)
        cur.itersize = batch
        cur.execute(dialect.translate(sql), _params(params))
        return cur

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
    """The parameters as psycopg takes them. A NUL, which a server's text cannot hold, goes
    as U+0001: stored text never has a control character (models.clean_text), so a NUL
    can only be looked up, and matches nothing here as it matches nothing in a file."""
    if isinstance(params, dict):
        if any(type(v) is str and "\x00" in v for v in params.values()):
            return {k: _no_nul(v) for k, v in params.items()}
        return params
    params = tuple(params)
    if any(type(v) is str and "\x00" in v for v in params):
        return tuple(_no_nul(v) for v in params)
    return params


def _no_nul(value):
    return value.replace("\x00", "\x01") if type(value) is str else value


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
