"""The ledger file itself: what is at a path, whether it can be written, and what went wrong.

All of this is decided before SQLite may write a byte: a special file, or a foreign or
newer SQLite file, is refused untouched, with nothing created beside it; a ledger that can
only be read (read-only file, directory or mount, a full disk) is read without the -wal
and -shm a read-write open would leave. Afterwards, `explain` turns an exception that a
command did not expect into the user's problem: a full disk, a read-only file, damage.
"""

import errno
import os
import sqlite3
import stat
import time
from contextlib import suppress
from pathlib import Path

from .errors import Damaged, DatabaseError, InvalidInput, ServicedeskError, Unwritable
from .migrations import APPLICATION_ID, SCHEMA_VERSION

BUSY_TIMEOUT_S = 15  # a second terminal waits this long for the first one's write
# Below this much free space a ledger is opened read-only: SQLite could not make the 32 KB
# -shm that a read-write open of a WAL file needs, and would leave a truncated one behind.
MIN_FREE_BYTES = 256 * 1024

_FILE_TYPES = (
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
)


# What is at the path ----------------------------------------------------------------


def regular_file(path: Path) -> os.stat_result | None:
    """The regular file at path, or None when there is none; anything else is refused."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise DatabaseError(f"{path} is a symbolic link to a file that does not exist") from None
        return None
    except NotADirectoryError:
        raise DatabaseError(f"{path} cannot be a database file: part of its path is not a directory") from None
    except OSError as e:
        raise DatabaseError(f"cannot use {path}: {e.strerror}") from None
    if stat.S_ISDIR(st.st_mode):
        raise DatabaseError(f"{path} is a directory, not a database file")
    if not stat.S_ISREG(st.st_mode):
        kind = next((name for test, name in _FILE_TYPES if test(st.st_mode)), "a special file")
        raise DatabaseError(
            f"{path} is {kind}, not a regular file; a ledger lives only in an ordinary file: left it untouched"
        )
    return st


def side_file(path: Path, suffix: str) -> int | None:
    """The size of the -wal, -shm or -journal beside the file; None when there is none."""
    try:
        return os.stat(path.with_name(path.name + suffix)).st_size
    except OSError:
        return None


def uri(path: Path, **params) -> str:
    return f"{path.resolve().as_uri()}?{'&'.join(f'{k}={v}' for k, v in params.items())}"


def readonly_uri(path: Path) -> str:
    """Reads that create and lock nothing beside a file no one is writing (`immutable`); through
    SQLite's locks and the -shm already there when someone is, or a write was cut short."""
    if side_file(path, "-shm") is not None or side_file(path, "-journal") is not None or side_file(path, "-wal"):
        return uri(path, mode="ro")
    return uri(path, mode="ro", immutable=1)


def code(error: sqlite3.Error) -> int:
    """SQLite's primary result code (SQLITE_FULL, SQLITE_CORRUPT, …); 0 when it gave none."""
    return (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF


def _header(address: str, path: Path) -> tuple[int, int, int]:
    try:
        conn = sqlite3.connect(address, uri=True, timeout=BUSY_TIMEOUT_S)
        try:
            # One statement, so one snapshot: a servicedesk creating this file right now
            # commits its tables and its application_id together.
            return conn.execute(
                "SELECT (SELECT application_id FROM pragma_application_id),"
                " (SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM sqlite_master)"
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as e:
        if code(e) == sqlite3.SQLITE_NOTADB:
            raise DatabaseError(f"{path} is not a SQLite database; left it untouched") from None
        if code(e) == sqlite3.SQLITE_CORRUPT:
            raise Damaged(f"{e} ({path})") from None
        raise DatabaseError(f"{path} cannot be read as a database ({e}); left it untouched") from None


def _inspect(path: Path) -> tuple[int, int, int]:
    """(application_id, user_version, number of tables), read without writing a byte or
    creating anything beside the file.

    Only SQLite opens the file: closing any other descriptor on it would drop the POSIX
    locks of this process's open connections, and another process could then delete
    the -wal they are using ("disk I/O error", or worse).
    """
    if not os.access(path, os.R_OK):
        raise DatabaseError(f"cannot read {path}: permission denied")
    if side_file(path, "-shm") is not None or side_file(path, "-journal") is not None:
        # Someone has it open (or a write was cut short): read through the -shm already there.
        return _header(uri(path, mode="ro"), path)
    # Even a read-only open of a WAL-mode file creates a -shm beside it; `immutable` reads
    # the main file alone and creates nothing.
    found = _header(uri(path, mode="ro", immutable=1), path)
    if found != (0, 0, 0) or not side_file(path, "-wal"):
        return found
    # The main file looks empty and only its -wal can say what it holds (another program's
    # new file, never checkpointed): read a private copy of both, so no -shm appears here.
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "copy.db"
        shutil.copyfile(path, copy)
        shutil.copyfile(path.with_name(path.name + "-wal"), copy.with_name("copy.db-wal"))
        return _header(uri(copy, mode="ro"), path)


def newer(path: Path, version: int) -> DatabaseError:
    return DatabaseError(
        f"{path} was written by a newer servicedesk (schema {version}, this one knows "
        f"{SCHEMA_VERSION}); upgrade servicedesk to open it"
    )


def check(path: Path) -> bool:
    """Whether a ledger is there to open. A file that is not ours, or is newer, is refused
    before anything writes to it; nothing there, or an empty file, is False."""
    st = regular_file(path)
    if st is None or st.st_size == 0:
        return False
    app_id, version, tables = _inspect(path)
    if (app_id, version, tables) == (0, 0, 0):
        return False  # an empty SQLite file: the first write lays the schema down in it
    if app_id != APPLICATION_ID:
        raise DatabaseError(f"{path} is a SQLite file but not a servicedesk database; left it untouched")
    if version > SCHEMA_VERSION:
        raise newer(path, version)
    return True


# Can it be written ------------------------------------------------------------------


def free_bytes(path: Path) -> int | None:
    try:
        fs = os.statvfs(path.resolve().parent)
    except OSError:
        return None
    return fs.f_bavail * fs.f_frsize


def _full(free: int) -> tuple[str, str]:
    return f"the disk holding it is full ({free // 1024} KB free)", "free some space, then run the command again"


def unwritable(path: Path) -> tuple[str, str] | None:
    """Why SQLite could not write this ledger, and what to do; None when it can.

    Asked before opening, so a ledger that can only be read is opened without the -wal and
    -shm that a read-write open would try, and fail, to create beside it.
    """
    folder = path.resolve().parent
    try:
        fs = os.statvfs(folder)
    except OSError:
        return None
    if fs.f_flag & os.ST_RDONLY:
        return "it is on a read-only file system", "copy it to a writable disk, or remount that one read-write"
    if path.exists() and not os.access(path, os.W_OK):
        if os.geteuid() == 0:  # root writes any file that is not marked immutable
            return "the file is marked immutable", f"clear that (`chattr -i {path}`), or work on a copy"
        return "the file is read-only", f"make it writable (`chmod u+w {path}`), or work on a copy"
    if not os.access(folder, os.W_OK | os.X_OK):
        return (
            f"its directory {folder} is read-only, and SQLite writes a -wal and a -shm file beside the ledger",
            "make the directory writable, or work on a copy elsewhere",
        )
    free = fs.f_bavail * fs.f_frsize
    if free < MIN_FREE_BYTES and side_file(path, "-shm") is None:
        return _full(free)
    return None


def cannot_create(path: Path, e: OSError) -> ServicedeskError:
    if e.errno in (errno.ENOSPC, errno.EDQUOT):
        return Unwritable(f"cannot create {path}: the disk is full; free some space, then run the command again")
    if e.errno == errno.EROFS:
        return Unwritable(f"cannot create {path}: the file system is read-only; choose a --db on a writable disk")
    if e.errno in (errno.EACCES, errno.EPERM):
        return Unwritable(f"cannot create {path}: permission denied; choose a --db in a directory you can write")
    return DatabaseError(f"cannot create {path}: {e.strerror}")


def lock_folder(path: Path) -> int | None:
    """An exclusive flock on the ledger's directory while a new ledger is being created: two
    commands creating the same path take turns, so one whose first write fails can remove
    the empty file it made without pulling it from under the other."""
    try:
        import fcntl

        fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    except (ImportError, OSError):
        return None
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() > deadline:
                os.close(fd)
                raise DatabaseError(
                    f"another servicedesk has been creating {path} for over {BUSY_TIMEOUT_S} s; try again"
                ) from None
            time.sleep(0.02)
        except OSError:  # a file system without flock: go on without it
            os.close(fd)
            return None


def unlock(fd: int | None) -> None:
    if fd is not None:
        os.close(fd)  # closing the descriptor releases the flock


def remove_stale_partials(folder: Path, name: str) -> None:
    """Remove `.NAME.PID.partial` copies left by a process that was killed while writing one
    (one whose process is still running may be being written)."""
    prefix = f".{name}."
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if not (entry.name.startswith(prefix) and entry.name.endswith(".partial")):
            continue
        pid = entry.name[len(prefix) : -len(".partial")]
        if pid.isdigit() and int(pid) != os.getpid() and not _running(int(pid)):
            with suppress(OSError):
                os.unlink(entry.path)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # someone else's process, or no pid we can ask about: leave its file
    return True


# Damage and other errors ----------------------------------------------------------


def damage(conn: sqlite3.Connection | None) -> str | None:
    """What is wrong with the file, by SQLite's quick check or by a stored value of the wrong
    kind; None when neither shows anything.

    A date column holds ISO dates, a week column week keys, a moment a timestamp, and each
    value the type its column declares: a flipped bit in the file breaks one of those.
    """
    if conn is None:
        return None
    try:
        problems = [r[0] for r in conn.execute("PRAGMA quick_check(3)")]
        if problems != ["ok"]:
            return "SQLite's check found " + "; ".join(problems)[:300]
        tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        for (table,) in list(tables):
            found = _bad_value(conn, table)
            if found:
                return found
    except sqlite3.DatabaseError as e:
        return str(e)[:300]
    except sqlite3.Error:
        return None  # a closed connection, say: nothing learnt about the file
    return None


def _bad_value(conn: sqlite3.Connection, table: str) -> str | None:
    checks = []
    for name, declared in conn.execute("SELECT name, upper(type) FROM pragma_table_info(?)", (table,)):
        column = '"' + name.replace('"', '""') + '"'
        if "INT" in declared:
            checks.append((name, f"typeof({column}) NOT IN ('integer', 'null')"))
        elif "TEXT" in declared:
            checks.append((name, f"typeof({column}) NOT IN ('text', 'null')"))
        if name.endswith("_on") or name in ("on_date", "day"):
            checks.append((name, f"{column} IS NOT date({column})"))
        elif name.endswith("week"):
            checks.append((name, f"{column} NOT GLOB '[0-9][0-9][0-9][0-9]-W[0-5][0-9]'"))
        elif name == "at" or name.endswith("_at"):
            checks.append((name, f"{column} IS NOT NULL AND julianday({column}) IS NULL"))
    if not checks:
        return None
    which = " ".join(f"WHEN {condition} THEN {i}" for i, (_, condition) in enumerate(checks))
    quoted = '"' + table.replace('"', '""') + '"'
    try:
        found = conn.execute(
            f"SELECT rowid, CASE {which} END FROM {quoted} WHERE {' OR '.join(c for _, c in checks)} LIMIT 1"
        ).fetchone()
        if found is None:
            return None
        rowid, i = found
        name = checks[i][0]
        column = '"' + name.replace('"', '""') + '"'
        value = conn.execute(f"SELECT CAST({column} AS BLOB) FROM {quoted} WHERE rowid = ?", (rowid,)).fetchone()[0]
    except sqlite3.OperationalError:
        return None  # a table without rowids: not one to judge here
    shown = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    return f"{table} #{rowid} has {name} = {shown!r:.80}"


# Errors a stored value of the wrong kind raises when a command reads it.
_VALUE_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError)


def explain(error: BaseException, store, path: Path) -> ServicedeskError | None:
    """The user's problem behind an exception a command did not expect; None when it is a bug.

    SQLite names most causes by its error code. A stored value that fails to parse (a date
    with a flipped bit) raises an ordinary ValueError or TypeError: that is called damage
    only when the file shows it, so a programming error still surfaces as one. `store` (a
    Store, or None when opening it failed) is marked damaged, so nothing more is written.
    """
    if isinstance(error, sqlite3.Error):
        primary, detail = code(error), str(error)[:300]  # a decode error quotes the whole text
        if primary in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB) or detail.startswith("Could not decode"):
            return _damaged(store, f"{detail} ({path})")
        if primary == sqlite3.SQLITE_FULL:
            return Unwritable(
                f"the disk holding {path} is full; nothing was recorded — free some space, then run the command again"
            )
        if primary in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM, sqlite3.SQLITE_AUTH):
            found = unwritable(path)
            if found:
                return Unwritable(f"cannot record anything in {path}: {found[0]}; {found[1]}")
            if primary == sqlite3.SQLITE_CANTOPEN:
                return DatabaseError(f"cannot open {path} ({detail}); check that it and its directory can be read")
            return Unwritable(f"cannot write {path} ({detail}); check its permissions")
        if primary == sqlite3.SQLITE_IOERR:
            free = free_bytes(path)
            if free is not None and free < MIN_FREE_BYTES:
                why, advice = _full(free)
                return Unwritable(f"cannot use {path}: {why}; {advice}")
            return DatabaseError(f"the disk failed reading or writing {path} ({detail}); check it, then try again")
        if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            return DatabaseError(
                f"{path} is busy: another servicedesk has been writing to it for over {BUSY_TIMEOUT_S} s; try again"
            )
    elif isinstance(error, UnicodeEncodeError) and error.reason == "surrogates not allowed":
        return InvalidInput(
            "a file or directory name given is not valid UTF-8 text (is the terminal set to GBK?); rename it first"
        )
    elif not isinstance(error, _VALUE_ERRORS):
        return None
    try:
        problem = store.damage() if store is not None else None
    except Exception:
        problem = None  # the explanation must not hide the error it explains
    return _damaged(store, problem) if problem else None


def _damaged(store, detail: str) -> Damaged:
    if store is not None:
        store.damaged = detail
    return Damaged(detail)
