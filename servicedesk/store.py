"""Opening the database file, migrating it, and running statements on it.

The only module that imports sqlite_utils, and only when a write needs it: reads go
straight through the sqlite3 connection so that `ticket list` and the reports do not
pay sqlite_utils' import cost.

What is at the path decides what happens (ledgerfile.py looks, before anything writes):
- nothing, or an empty file: reads refuse (`NoLedger`: a mistyped --db is noticed); the
  first write() creates the ledger, private, in one transaction with that write's rows;
- anything but a regular file, a foreign SQLite file, one from a newer servicedesk:
  refused, untouched, with nothing created beside it;
- a ledger that cannot be written (read-only file, directory or mount, a full disk): read
  without a -wal or -shm made beside it; write() refuses, saying why and what to do;
- an older schema: a copy of the file is kept beside it, then it is migrated in place.
"""

import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

from . import diagnosis, dialect
from . import ledgerfile as lf
from .errors import Damaged, DatabaseError, NoLedger, Unwritable
from .i18n import _
from .ledgerfile import BUSY_TIMEOUT_S, MIN_FREE_BYTES
from .migrations import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION


def _apply_migrations(conn: sqlite3.Connection, version: int) -> None:
    """Bring the schema from `version` to SCHEMA_VERSION, inside the caller's transaction."""
    for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
        migration(conn)
        conn.execute(f"PRAGMA user_version = {number:d}")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID:d}")


def _derived(conn: sqlite3.Connection) -> None:
    """The derived tables rebuilt when the code that derives them has changed (inside the
    caller's transaction)."""
    from . import derive

    if not derive.is_current(conn):
        derive.rebuild(conn)


class Store:
    """One servicedesk ledger: opened for reading at once; created by its first write().

    A file, or with a postgresql:// URL a database on a server (pgledger.py, pgconnection.py):
    the same statements run on both, through the same connection surface."""

    def __init__(
        self, path: str | os.PathLike, *, notify: Callable[[str], None] | None = None, read_only: bool = False
    ):
        self.notify = notify or (lambda line: None)  # a line for the person at the terminal
        self.url = str(path) if dialect.is_url(path) else None
        self.readonly: tuple[str, str] | None = None  # (why, what to do) when it cannot be written
        # read_only: opened only to be read (copy's source), as a ledger that cannot be written is:
        # never migrated or rebuilt in place, nothing created beside it. (A server's database is
        # brought up to date on opening, as by any command: its server keeps it, not a file.)
        self._read_only = (
            (_("it is opened only to be read"), _("run a command that records something on it")) if read_only else None
        )
        self.damaged: str | None = None  # once damage is seen, no write is attempted
        self._conn: sqlite3.Connection | None = None
        self._empty: sqlite3.Connection | None = None
        self._reads_empty = False
        self._first: tuple | None = None  # while creating: (folder lock, made the file, folders made)
        self._db = None
        self.command: str | None = None  # the command line, recorded with each change set
        self._changeset: int | None = None
        self._kept_up = True  # opening writes only what a read needs: see _keep_up
        if self.url:
            from . import pgconnection, pgledger

            self.path = dialect.shown_url(self.url)
            self._conn = pgconnection.connect(self.url)
            try:
                pgledger.open_ledger(self._conn, self.path, self.notify)
            except BaseException:
                self._conn.close()
                raise
            self._kept_up = False
            return
        self.path = Path(path).expanduser()
        if lf.check(self.path):
            self._open()
        self._kept_up = False

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is not None:
            return self._conn
        if self._reads_empty:
            return self._empty_ledger()
        raise NoLedger(self.path)

    @property
    def exists(self) -> bool:
        """Whether the file holds a ledger yet."""
        return self._conn is not None

    def expect_write(self) -> None:
        """This command records something: until its first write(), reads of a ledger that does
        not exist yet see an empty one instead of refusing (an import reads names first)."""
        self._reads_empty = True

    def _empty_ledger(self) -> sqlite3.Connection:
        if self._empty is None:
            self._empty = sqlite3.connect(":memory:")
            self._empty.row_factory = sqlite3.Row
            self._empty.execute("BEGIN")
            _apply_migrations(self._empty, 0)
            _derived(self._empty)
            self._empty.commit()
        return self._empty

    def _connect(self, uri: str) -> None:
        try:
            conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S)
        except sqlite3.Error as e:
            raise diagnosis.explain(e, None, self.path) or DatabaseError(
                _("cannot open {path}: {e}").format(path=self.path, e=e)
            ) from None
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        self._conn = conn

    def _open(self) -> None:
        self.readonly = self._read_only or lf.unwritable(self.path)
        if not self.readonly:
            # mode=rw: SQLite never creates the file here, even if it vanished since the check.
            self._connect(lf.uri(self.path, mode="rw"))
            self._migrate()
            self._derive()
            return
        self._connect(lf.readonly_uri(self.path))
        try:
            version = self.value("PRAGMA user_version")
        except sqlite3.OperationalError as e:
            if not lf.side_file(self.path, "-wal"):
                raise
            why, advice = self.readonly
            raise DatabaseError(
                _(
                    "cannot read {path} ({e}): its last changes are in {name}-wal, which SQLite reads through a "
                    "-shm file it must create beside it, and {why}; {advice}"
                ).format(path=self.path, e=e, name=self.path.name, why=why, advice=advice)
            ) from None
        from . import derive

        if version < SCHEMA_VERSION or not derive.is_current(self._conn):
            self._in_memory(version)

    def _migrate(self) -> None:
        version = self.value("PRAGMA user_version")
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise lf.newer(self.path, version)
        self._wal()
        copy = None
        with self.write():
            # Re-read inside the write lock: another process may have migrated meanwhile.
            version = self.value("PRAGMA user_version")
            if version < SCHEMA_VERSION:
                copy = lf.keep_copy(self.path, version)
                _apply_migrations(self._conn, version)
        if copy:
            said = _("migrated {path} from schema {old} to {new}; a copy of the old file is at {copy}")
            self.notify(said.format(path=self.path, old=version, new=SCHEMA_VERSION, copy=copy))

    def _derive(self) -> None:
        """Rebuild the derived tables when the code that derives them has changed."""
        from . import derive

        if derive.is_current(self.conn):
            return
        with self.write():
            if not derive.is_current(self.conn):  # another process may have done it meanwhile
                derive.rebuild(self.conn)

    def _keep_up(self) -> None:
        """Before a command's first write, bring up to date what only writes need: the
        pinyin keys of names (names.py), made by code too costly to import for a read.
        In a transaction of its own, so a command refused afterwards does not undo it.
        A ledger this write creates gets them in its own first transaction."""
        self._kept_up = True
        if self._conn is None:
            return
        from . import names

        if names.is_current(self.conn):
            return
        with self.write():
            names.upkeep(self.conn)

    def _in_memory(self, version: int) -> None:
        """A ledger that cannot be written, and needs migrating or its derived tables rebuilt, is
        read through a copy brought up to date in memory."""
        why, _advice = self.readonly
        memory = sqlite3.connect(":memory:")
        memory.row_factory = sqlite3.Row
        self._conn.backup(memory)
        self._conn.close()
        self._conn = memory
        memory.execute("BEGIN")
        _apply_migrations(memory, version)
        _derived(memory)
        memory.commit()
        if version < SCHEMA_VERSION:
            said = _(
                "{path} has schema {version} and cannot be migrated ({why}): read through a copy migrated in memory; "
                "the file is unchanged"
            )
        else:
            said = _(
                "{path} cannot be brought up to date ({why}): read through a copy updated in memory; the file is unchanged"
            )
        self.notify(said.format(path=self.path, version=version, why=why))

    def _wal(self) -> None:
        if self.value("PRAGMA journal_mode") == "wal":
            return
        # WAL lets one terminal read while another writes. When two processes switch a
        # new file at once, SQLite answers "locked" without waiting (its deadlock
        # guard skips the busy timeout), so wait here instead.
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        while True:
            try:
                self._conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as e:
                if lf.code(e) not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def close(self) -> None:
        for conn in (self._conn, self._empty):
            if conn is not None:
                conn.close()
        if self._first:
            lf.unlock(self._first[0])
            self._first = None

    # Creating ----------------------------------------------------------------

    def _begin_first(self) -> bool:
        """Begin the write that creates the ledger: the schema and this write's rows commit
        together, in a rollback journal until then, so a failed first write leaves nothing.
        False when another command created the ledger meanwhile: it is then opened as it is."""
        folder = self.path.parent
        missing = [d for d in (folder, *folder.parents) if not d.exists()]  # innermost first
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise lf.cannot_create(self.path, e) from None
        self._first = (lf.lock_folder(self.path), False, missing)
        try:
            made = lf.make_private_file(self.path)
            if not made and lf.check(self.path):
                lf.unlock(self._first[0])
                self._first = None
                self._open()
                return False
            self._first = (self._first[0], made, missing)
            self._connect(lf.uri(self.path, mode="rw"))
            self._conn.execute("BEGIN IMMEDIATE")
            _apply_migrations(self._conn, 0)
            _derived(self._conn)
            from . import names

            names.upkeep(self._conn)  # no names yet: pypinyin is not even imported
            return True
        except BaseException:
            if self._first:
                self._abandon()
            raise

    def _abandon(self) -> None:
        """The creating write failed and was rolled back: remove the file it made (empty again)
        and the directories made for it, so neither a mistyped path nor a full disk leaves an
        empty ledger behind."""
        lock, made, folders = self._first
        self._first = None
        conn, self._conn = self._conn, None
        try:
            if conn is not None:
                if conn.in_transaction:
                    conn.rollback()
                conn.close()
            if made and os.stat(self.path).st_size == 0 and lf.side_file(self.path, "-journal") is None:
                os.unlink(self.path)
            for folder in folders:
                os.rmdir(folder)  # only if empty: another command may be using it by now
        except (OSError, sqlite3.Error):
            pass  # left as it is: an empty file reads as no ledger
        finally:
            lf.unlock(lock)

    def _founded(self) -> None:
        lock = self._first[0]
        self._first = None
        try:
            free = lf.free_bytes(self.path)
            if free is None or free >= MIN_FREE_BYTES:
                with suppress(sqlite3.Error):  # it works in its rollback journal meanwhile
                    self._wal()
        finally:
            lf.unlock(lock)
        self.notify(_("created a new ledger at {path}").format(path=self.path))

    # Transactions -------------------------------------------------------------

    def _may_write(self) -> None:
        if self.damaged:
            raise Damaged(self.damaged)
        if self.readonly:
            why, advice = self.readonly
            raise Unwritable(
                _("cannot record anything in {path}: {why}; {advice}").format(path=self.path, why=why, advice=advice)
            )

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One transaction; BEGIN IMMEDIATE so a concurrent writer waits instead of failing.

        The first write where there is no ledger yet creates it."""
        if self._conn is not None and self._conn.in_transaction:
            yield self._conn
            return
        self._may_write()
        if not self._kept_up:
            self._keep_up()
        first = self._conn is None and self._begin_first()
        if not first:
            self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
            self._conn.commit()
        except BaseException:
            if self._conn.in_transaction:
                self._conn.rollback()
            if first:
                self._abandon()
            raise
        finally:
            self._changeset = None
        if first:
            self._founded()

    def changeset(self, actor: str | None, undoes: int | None = None) -> int:
        """The id of this transaction's change set (one per command: what `undo` reverses),
        recorded with who acted and the command line on first use."""
        if self._changeset is None:
            from .dates import now_iso

            self._changeset = self.insert(
                "changesets", {"at": now_iso(), "actor": actor, "command": self.command, "undoes": undoes}
            )
        return self._changeset

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads that all see one state of the file, however many queries they take
        (a report's figures must add up while another terminal writes)."""
        if self.conn.in_transaction:
            yield
            return
        self.conn.execute("BEGIN")
        try:
            yield
        finally:
            self.conn.rollback()

    # Reads -------------------------------------------------------------------

    def stream(self, sql: str, params: Iterable | dict = ()):
        """A big read's rows, to be iterated or fetched in batches without the whole result in
        memory (inside the caller's snapshot): SQLite steps through it; a server sends it a
        batch at a time through a cursor of its own (pgconnection.Connection.stream)."""
        if self.url:
            return self.conn.stream(sql, params)
        return self.conn.execute(sql, params)

    def rows(self, sql: str, params: Iterable | dict = ()) -> list[dict]:
        return [dict(r) for r in self.conn.execute(sql, params)]

    def row(self, sql: str, params: Iterable | dict = ()) -> dict | None:
        r = self.conn.execute(sql, params).fetchone()
        return dict(r) if r is not None else None

    def value(self, sql: str, params: Iterable | dict = ()):
        r = self.conn.execute(sql, params).fetchone()
        return r[0] if r is not None else None

    # Writes ------------------------------------------------------------------

    @property
    def db(self):
        import sqlite_utils

        conn = self.conn
        if self._db is None or self._db.conn is not conn:  # the connection changes when a write creates the file
            self._db = sqlite_utils.Database(conn, execute_plugins=False)
        return self._db

    def insert(self, table: str, record: dict, *, returning: bool = True) -> int | None:
        """Insert one row and return its id (inside the caller's transaction). `returning=False`:
        the id is not wanted, and on a server the insert goes with the next statement."""
        if self.url:
            from . import pgledger

            return pgledger.insert(self.conn, table, record, returning=returning)
        return self.db.table(table).insert(record).last_pk

    def insert_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
        """Bulk insert through one prepared statement (inside the caller's transaction).

        Not sqlite_utils' insert_all: it rebuilds the statement and inspects every value
        per chunk, which made a 100k-row import or a million-ticket demo several times
        slower. `table` and `columns` are our own names, never user text.
        """
        marks = ", ".join("?" for _ in columns)
        self.conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def drop_indexes(self, tables: Sequence[str]) -> list[str]:
        """Before a bulk write into tables that hold little or nothing yet (inside the caller's
        transaction): their secondary indexes dropped, returned as the SQL that makes them
        again (restore_indexes). Building an index once from all its rows is cheaper than
        keeping it sorted row by row. On a server nothing is dropped: other officers read on."""
        if self.url:
            return []
        marks = ", ".join("?" for _ in tables)
        found = self.conn.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks})",
            tuple(tables),
        ).fetchall()
        for name, _sql in found:
            self.conn.execute(f'DROP INDEX "{name}"')
        return [sql for _name, sql in found]

    def restore_indexes(self, made: list[str]) -> None:
        for sql in made:
            self.conn.execute(sql)

    @contextmanager
    def bulk_load(self, tables: tuple[str, ...]) -> Iterator[None]:
        """Rows written in bulk through insert_rows, their ids given, into `tables` (inside the
        caller's transaction; `copy`, `demo`). On PostgreSQL the tables' foreign keys, indexes
        and id triggers are set aside for the load and the tables analysed after it
        (pgledger.bulk_load); a file is written as it is (SQLite checks a foreign key by one
        lookup of the parent's key)."""
        if not self.url:
            yield
            return
        from . import pgledger

        with pgledger.bulk_load(self.conn, tables):
            yield

    def analyze(self, tables: Iterable[str]) -> None:
        """After a bulk load: the planner's statistics of the tables, on PostgreSQL (whose planner
        otherwise guesses until autovacuum comes round). A file's plans are left as they are."""
        if self.url:
            from . import pgledger

            pgledger.analyze(self.conn, tables)

    def update(self, table: str, pk: int, changes: dict) -> None:
        if self.url:
            from . import pgledger

            return pgledger.update(self.conn, table, pk, changes)
        self.db.table(table).update(pk, changes)

    def advance_ids(self, tables: Iterable[str]) -> None:
        """After rows were written with their ids given (copy): the ids the database hands out
        next follow on from them. Nothing to do on either backend: SQLite's INTEGER PRIMARY KEY
        takes max(id) + 1, and so does the id trigger of a PostgreSQL ledger (pgledger.py)."""

    def table_counts(self) -> dict[str, int]:
        names = ("enterprises", "officers", "assignments", "visits", "tickets", "events", "feedback", "changes")
        # One statement, one snapshot; table names are ours.
        counts = self.conn.execute("SELECT " + ", ".join(f"(SELECT count(*) FROM {n})" for n in names)).fetchone()
        return dict(zip(names, counts, strict=True))

    def damage(self) -> str | None:
        """What SQLite's quick check, or a stored value of the wrong kind, shows to be wrong
        with the file; None when neither shows anything (PostgreSQL checks its own pages)."""
        return None if self.url else diagnosis.damage(self._conn)

    # The schema itself (SQLite's PRAGMAs and sqlite_master; PostgreSQL's catalogue) -------

    def integrity(self) -> list[str]:
        """["ok"], or what SQLite's integrity check finds wrong with the file; on PostgreSQL,
        which checks its own pages, the guards of the schema that are missing or not in force
        (pgcheck.py)."""
        if self.url:
            from . import pgcheck

            return pgcheck.integrity(self.conn)
        return [r[0] for r in self.conn.execute("PRAGMA integrity_check")]

    def orphans(self) -> list[tuple[str, int, str]]:
        """(table, rowid, parent table) of rows referring to a missing row (on PostgreSQL, looked
        for where a foreign key is not in force)."""
        if self.url:
            from . import pgcheck

            return pgcheck.orphans(self.conn)
        return [(t, rowid, parent) for t, rowid, parent, _ in self.conn.execute("PRAGMA foreign_key_check")]

    def table_names(self) -> list[str]:
        if self.url:
            from . import pgledger

            return [t for t in pgledger.tables(self.conn) if t != pgledger.SCHEMA_TABLE]
        return [r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]

    def has_table(self, name: str) -> bool:
        return name in self.table_names()

    def schema_objects(self, kind: str, tables: tuple[str, ...]) -> list[tuple[str, str]]:
        """(drop, create) statements of the indexes or triggers ("index", "trigger") on the tables,
        so a bulk load can drop them and make them again exactly as they were."""
        if self.url:
            from . import pgledger

            return pgledger.schema_objects(self.conn, kind, tables)
        marks = ", ".join("?" for _ in tables)
        rows = self.conn.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = ? AND sql IS NOT NULL AND tbl_name IN ({marks})",
            (kind, *tables),
        )
        return [(f'DROP {kind.upper()} "{name}"', sql) for name, sql in rows]
