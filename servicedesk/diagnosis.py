"""What went wrong with a ledger: SQLite's codes, damage, a stored value of the wrong kind.

`explain` turns an exception that a command did not expect into the user's problem (a full
disk, a read-only file, damage) or says it is a bug; `damage` looks for the damage that
SQLite's quick check or a stored value shows. Only the error path pays for them.
"""

import sqlite3
from pathlib import Path

from .errors import Damaged, DatabaseError, InvalidInput, ServicedeskError, Unwritable
from .i18n import _
from .ledgerfile import BUSY_TIMEOUT_S, MIN_FREE_BYTES, code, free_bytes, full, unwritable


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
            return _("SQLite's check found {problems}").format(problems="; ".join(problems)[:300])
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
    return _("{table} #{rowid} has {name} = {value}").format(
        table=table, rowid=rowid, name=name, value=f"{shown!r:.80}"
    )


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
                _(
                    "the disk holding {path} is full; nothing was recorded — free some space, then run the command again"
                ).format(path=path)
            )
        if primary in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM, sqlite3.SQLITE_AUTH):
            found = unwritable(path)
            if found:
                said = _("cannot record anything in {path}: {why}; {advice}")
                return Unwritable(said.format(path=path, why=found[0], advice=found[1]))
            if primary == sqlite3.SQLITE_CANTOPEN:
                said = _("cannot open {path} ({detail}); check that it and its directory can be read")
                return DatabaseError(said.format(path=path, detail=detail))
            return Unwritable(
                _("cannot write {path} ({detail}); check its permissions").format(path=path, detail=detail)
            )
        if primary == sqlite3.SQLITE_IOERR:
            free = free_bytes(path)
            if free is not None and free < MIN_FREE_BYTES:
                why, advice = full(free)
                return Unwritable(_("cannot use {path}: {why}; {advice}").format(path=path, why=why, advice=advice))
            said = _("the disk failed reading or writing {path} ({detail}); check it, then try again")
            return DatabaseError(said.format(path=path, detail=detail))
        if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            said = _("{path} is busy: another servicedesk has been writing to it for over {seconds} s; try again")
            return DatabaseError(said.format(path=path, seconds=BUSY_TIMEOUT_S))
    elif _server_trouble(error):
        detail = " ".join(str(error).split())[:300]
        said = _("the PostgreSQL server of {path} failed the command ({detail}); nothing was recorded — try again")
        return DatabaseError(said.format(path=path, detail=detail))
    elif isinstance(error, UnicodeEncodeError) and error.reason == "surrogates not allowed":
        return InvalidInput(
            _("a file or directory name given is not valid UTF-8 text (is the terminal set to GBK?); rename it first")
        )
    elif not isinstance(error, _VALUE_ERRORS):
        return None
    try:
        problem = store.damage() if store is not None else None
    except Exception:
        problem = None  # the explanation must not hide the error it explains
    return _damaged(store, problem) if problem else None


def _server_trouble(error: BaseException) -> bool:
    """A PostgreSQL server gone, shut down or out of resources (psycopg's OperationalError),
    recognised without importing psycopg."""
    return any(c.__name__ == "OperationalError" and c.__module__.startswith("psycopg") for c in type(error).__mro__)


def _damaged(store, detail: str) -> Damaged:
    if store is not None:
        store.damaged = detail
    return Damaged(detail)
