"""The ledger file itself: what is at a path, whether it can be written, the copies beside it.

All of this is decided before SQLite may write a byte: a special file, or a foreign or
newer SQLite file, is refused untouched, with nothing created beside it; a ledger that can
only be read (read-only file, directory or mount, a full disk) is read without the -wal
and -shm a read-write open would leave. Also the copy kept before migrating, and the
partial copies a killed process left. What went wrong afterwards is diagnosis.py's.
"""

import errno
import os
import sqlite3
import stat
import time
from contextlib import suppress
from pathlib import Path

from .errors import Damaged, DatabaseError, ServicedeskError, Unwritable
from .i18n import _
from .migrations import APPLICATION_ID, SCHEMA_VERSION

BUSY_TIMEOUT_S = 15  # a second terminal waits this long for the first one's write
# Below this much free space a ledger is opened read-only: SQLite could not make the 32 KB
# -shm that a read-write open of a WAL file needs, and would leave a truncated one behind.
MIN_FREE_BYTES = 256 * 1024


def _special(mode: int) -> str:
    """What a path that is not a regular file is, as the refusal names it."""
    if stat.S_ISCHR(mode):
        return _("a character device")
    if stat.S_ISBLK(mode):
        return _("a block device")
    if stat.S_ISFIFO(mode):
        return _("a named pipe (FIFO)")
    if stat.S_ISSOCK(mode):
        return _("a socket")
    return _("a special file")


# What is at the path ----------------------------------------------------------------


def regular_file(path: Path) -> os.stat_result | None:
    """The regular file at path, or None when there is none; anything else is refused."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise DatabaseError(
                _("{path} is a symbolic link to a file that does not exist").format(path=path)
            ) from None
        return None
    except NotADirectoryError:
        raise DatabaseError(
            _("{path} cannot be a database file: part of its path is not a directory").format(path=path)
        ) from None
    except OSError as e:
        raise DatabaseError(_("cannot use {path}: {strerror}").format(path=path, strerror=e.strerror)) from None
    if stat.S_ISDIR(st.st_mode):
        raise DatabaseError(_("{path} is a directory, not a database file").format(path=path))
    if not stat.S_ISREG(st.st_mode):
        raise DatabaseError(
            _(
                "{path} is {kind}, not a regular file; a ledger lives only in an ordinary file: left it untouched"
            ).format(path=path, kind=_special(st.st_mode))
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
            raise DatabaseError(_("{path} is not a SQLite database; left it untouched").format(path=path)) from None
        if code(e) == sqlite3.SQLITE_CORRUPT:
            raise Damaged(f"{e} ({path})") from None
        raise DatabaseError(
            _("{path} cannot be read as a database ({e}); left it untouched").format(path=path, e=e)
        ) from None


def _inspect(path: Path) -> tuple[int, int, int]:
    """(application_id, user_version, number of tables), read without writing a byte or
    creating anything beside the file.

    Only SQLite opens the file: closing any other descriptor on it would drop the POSIX
    locks of this process's open connections, and another process could then delete
    the -wal they are using ("disk I/O error", or worse).
    """
    if not os.access(path, os.R_OK):
        raise DatabaseError(_("cannot read {path}: permission denied").format(path=path))
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
        _(
            "{path} was written by a newer servicedesk (schema {version}, this one knows {known}); "
            "upgrade servicedesk to open it"
        ).format(path=path, version=version, known=SCHEMA_VERSION)
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
        raise DatabaseError(
            _("{path} is a SQLite file but not a servicedesk database; left it untouched").format(path=path)
        )
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


def full(free: int) -> tuple[str, str]:
    why = _("the disk holding it is full ({kb} KB free)").format(kb=free // 1024)
    return why, _("free some space, then run the command again")


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
        return _("it is on a read-only file system"), _("copy it to a writable disk, or remount that one read-write")
    if path.exists() and not os.access(path, os.W_OK):
        if os.geteuid() == 0:  # root writes any file that is not marked immutable
            return _("the file is marked immutable"), _("clear that (`chattr -i {path}`), or work on a copy").format(
                path=path
            )
        return _("the file is read-only"), _("make it writable (`chmod u+w {path}`), or work on a copy").format(
            path=path
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        return (
            _("its directory {folder} is read-only, and SQLite writes a -wal and a -shm file beside the ledger").format(
                folder=folder
            ),
            _("make the directory writable, or work on a copy elsewhere"),
        )
    free = fs.f_bavail * fs.f_frsize
    if free < MIN_FREE_BYTES and side_file(path, "-shm") is None:
        return full(free)
    return None


def cannot_create(path: Path, e: OSError) -> ServicedeskError:
    if e.errno in (errno.ENOSPC, errno.EDQUOT):
        return Unwritable(
            _("cannot create {path}: the disk is full; free some space, then run the command again").format(path=path)
        )
    if e.errno == errno.EROFS:
        return Unwritable(
            _("cannot create {path}: the file system is read-only; choose a --db on a writable disk").format(path=path)
        )
    if e.errno in (errno.EACCES, errno.EPERM):
        return Unwritable(
            _("cannot create {path}: permission denied; choose a --db in a directory you can write").format(path=path)
        )
    return DatabaseError(_("cannot create {path}: {strerror}").format(path=path, strerror=e.strerror))


def make_private_file(path: Path) -> bool:
    """A private regular file at the path; True when made here. An empty one already there is
    made private too; anything that is not a regular file is refused untouched."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        made = True
    except FileExistsError:
        if regular_file(path) is None:
            raise DatabaseError(_("{path} vanished while it was being created; try again").format(path=path)) from None
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
        made = False
    except OSError as e:
        raise cannot_create(path, e) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise DatabaseError(_("{path} is not a regular file; left it untouched").format(path=path))
        if st.st_size == 0:
            # It will hold phone numbers. Someone else's empty file stays as it is: SQLite
            # says so if it cannot write it.
            with suppress(PermissionError):
                os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
    return made


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
                    _("another servicedesk has been creating {path} for over {seconds} s; try again").format(
                        path=path, seconds=BUSY_TIMEOUT_S
                    )
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


def keep_copy(path: Path, version: int) -> Path:
    """NAME.bak-schemaN beside the file, 0600, before migrating it: a connection of its own
    reads the last commit through SQLite's backup API while the caller holds the write lock
    (so no other process changes it meanwhile); never over an earlier copy."""
    base = path.with_name(f"{path.name}.bak-schema{version}")
    partial = path.with_name(f".{base.name}.{os.getpid()}.partial")
    try:
        remove_stale_partials(partial.parent, base.name)
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        os.close(fd)
        source = sqlite3.connect(uri(path, mode="ro"), uri=True, timeout=BUSY_TIMEOUT_S)
        try:
            target = sqlite3.connect(partial)
            try:
                source.backup(target)
            finally:
                target.close()
        finally:
            source.close()
        for n in range(1, 1000):
            name = base if n == 1 else base.with_name(f"{base.name}.{n}")
            try:
                os.link(partial, name)  # never over an earlier copy
                return name
            except FileExistsError:
                continue
        raise OSError(_("{base} and 999 more copies are there already").format(base=base))
    except (OSError, sqlite3.Error) as e:
        raise Unwritable(
            _(
                "cannot keep a copy of {path} before migrating it from schema {version} ({e}); "
                "nothing was changed — free some space or make its directory writable, then try again"
            ).format(path=path, version=version, e=e)
        ) from None
    finally:
        partial.unlink(missing_ok=True)
