"""Opening the database file, migrating it, and running statements on it.

The only module that imports sqlite_utils, and only when a write needs it: reads go
straight through the sqlite3 connection so that `ticket list` and the reports do not
pay sqlite_utils' import cost.
"""

import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

from .errors import DatabaseError
from .migrations import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

BUSY_TIMEOUT_S = 15  # a second terminal waits this long for the first one's write


def _inspect(path: Path) -> tuple[int, int, int]:
    """(application_id, user_version, number of tables) read without writing a byte.

    Only SQLite opens the file: closing any other descriptor on it would drop the POSIX
    locks of this process's open connections, and another process could then delete
    the -wal they are using ("disk I/O error", or worse).
    """
    if not os.access(path, os.R_OK):
        raise DatabaseError(f"cannot read {path}: permission denied")
    # Even a read-only open of a WAL-mode file creates -wal and -shm beside it. With no
    # -wal or -journal there, the main file is all there is to read, and `immutable`
    # reads it without creating or locking anything.
    busy = any(path.with_name(path.name + s).exists() for s in ("-wal", "-journal"))
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro{'' if busy else '&immutable=1'}", uri=True)
        try:
            # One statement, so one snapshot: a servicedesk creating this file right now
            # commits its tables and its application_id together.
            app_id, version, tables = conn.execute(
                "SELECT (SELECT application_id FROM pragma_application_id),"
                " (SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM sqlite_master)"
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as e:
        if getattr(e, "sqlite_errorcode", None) == sqlite3.SQLITE_NOTADB:
            raise DatabaseError(f"{path} is not a SQLite database; left it untouched") from None
        raise DatabaseError(f"{path} cannot be read as a database ({e}); left it untouched") from None
    return app_id, version, tables


def _check(path: Path) -> None:
    """Refuse a file that is not ours, or is from a newer servicedesk, before any write."""
    if path.is_dir():
        raise DatabaseError(f"{path} is a directory, not a database file")
    if not path.exists() or path.stat().st_size == 0:
        return
    app_id, version, tables = _inspect(path)
    if app_id == 0 and version == 0 and tables == 0:
        return
    if app_id != APPLICATION_ID:
        raise DatabaseError(f"{path} is a SQLite file but not a servicedesk database; left it untouched")
    if version > SCHEMA_VERSION:
        raise DatabaseError(
            f"{path} was written by a newer servicedesk (schema {version}, this one knows "
            f"{SCHEMA_VERSION}); upgrade servicedesk to open it"
        )


def _create(path: Path) -> None:
    """Create the file with mode 0600 before SQLite touches it: it holds phone numbers."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        if path.stat().st_size == 0:
            path.chmod(0o600)
        return
    except OSError as e:
        raise DatabaseError(f"cannot create {path}: {e.strerror}") from None
    os.close(fd)


class Store:
    """One open servicedesk database."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path).expanduser()
        _check(self.path)
        _create(self.path)
        try:
            self.conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S)
        except sqlite3.Error as e:
            raise DatabaseError(f"cannot open {self.path}: {e}") from None
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA foreign_keys = ON")
        self.command: str | None = None  # the command line, recorded with each change set
        self._changeset: int | None = None
        self._kept_up = True  # opening writes only what a read needs: see _keep_up
        self._migrate()
        self._derive()
        self._kept_up = False

    def _migrate(self) -> None:
        version = self.value("PRAGMA user_version")
        if version == SCHEMA_VERSION:
            return
        if self.value("PRAGMA journal_mode") != "wal":
            # WAL lets one terminal read while another writes. When two processes switch a
            # new file at once, SQLite answers "locked" without waiting (its deadlock
            # guard skips the busy timeout), so wait here instead.
            deadline = time.monotonic() + BUSY_TIMEOUT_S
            while True:
                try:
                    self.conn.execute("PRAGMA journal_mode = WAL")
                    break
                except sqlite3.OperationalError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
        with self.write():
            # Re-read inside the write lock: another process may have migrated meanwhile.
            version = self.value("PRAGMA user_version")
            for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
                migration(self.conn)
                self.conn.execute(f"PRAGMA user_version = {number:d}")
            self.conn.execute(f"PRAGMA application_id = {APPLICATION_ID:d}")

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
        In a transaction of its own, so a command refused afterwards does not undo it."""
        self._kept_up = True
        from . import names

        if names.is_current(self.conn):
            return
        with self.write():
            names.upkeep(self.conn)

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One transaction; BEGIN IMMEDIATE so a concurrent writer waits instead of failing."""
        if self.conn.in_transaction:
            yield self.conn
            return
        if not self._kept_up:
            self._keep_up()
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.rollback()
            raise
        finally:
            self._changeset = None
        self.conn.commit()

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

    def rows(self, sql: str, params: Iterable | dict = ()) -> list[dict]:
        return [dict(r) for r in self.conn.execute(sql, params)]

    def row(self, sql: str, params: Iterable | dict = ()) -> dict | None:
        r = self.conn.execute(sql, params).fetchone()
        return dict(r) if r is not None else None

    def value(self, sql: str, params: Iterable | dict = ()):
        r = self.conn.execute(sql, params).fetchone()
        return r[0] if r is not None else None

    # Writes ------------------------------------------------------------------

    @cached_property
    def db(self):
        import sqlite_utils

        return sqlite_utils.Database(self.conn, execute_plugins=False)

    def insert(self, table: str, record: dict) -> int:
        """Insert one row and return its id (inside the caller's transaction)."""
        return self.db.table(table).insert(record).last_pk

    def insert_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
        """Bulk insert through one prepared statement (inside the caller's transaction).

        Not sqlite_utils' insert_all: it rebuilds the statement and inspects every value
        per chunk, which made a 100k-row import or a million-ticket demo several times
        slower. `table` and `columns` are our own names, never user text.
        """
        marks = ", ".join("?" for _ in columns)
        self.conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def update(self, table: str, pk: int, changes: dict) -> None:
        self.db.table(table).update(pk, changes)

    def table_counts(self) -> dict[str, int]:
        names = ("enterprises", "officers", "assignments", "visits", "tickets", "events", "feedback", "changes")
        # One statement, one snapshot; table names are ours.
        counts = self.conn.execute("SELECT " + ", ".join(f"(SELECT count(*) FROM {n})" for n in names)).fetchone()
        return dict(zip(names, counts, strict=True))
