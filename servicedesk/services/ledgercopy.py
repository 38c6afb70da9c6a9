"""`copy`: a whole ledger from one database into another, a SQLite file or a PostgreSQL URL.

Every table is copied row by row through the Store interface (plain SELECTs on the
source, Store.insert_rows on the destination), ids kept, so the same path serves a file
and a server on either side; `publish` writes its snapshot through it too. The source is
opened only to be read and read as one snapshot; the destination is written in one
transaction, or not at all, and must hold no ledger data. The derived tables are not
copied: the destination rebuilds them from the events it was given.
"""

import os
from collections.abc import Callable
from pathlib import Path

from .. import derive, dialect
from ..errors import InvalidInput
from ..i18n import _, ngettext
from ..store import Store

# Every table the migrations create but the derived ones (derive.TABLES), parents before
# the rows that refer to them. tests/test_copy.py checks this against a new ledger's tables:
# a migration that adds a table adds it here.
TABLES = (
    "changesets",
    "categories",
    "category_aliases",
    "enterprises",
    "officers",
    "assignments",
    "visits",
    "tickets",
    "events",
    "feedback",
    "services",
    "changes",
    "calendar",
    "settings",
    "meta",
)
# A new ledger fills these with its defaults (categories, their aliases, the statutory
# calendar, bookkeeping): they are replaced by the source's. A row anywhere else, or a
# calendar day the park set, is ledger data, and every change a person makes records a
# change set, so a destination with none of these rows has never been used.
_DEFAULTS = ("category_aliases", "categories", "calendar", "meta")
_DATA = {t: "true" for t in TABLES if t not in _DEFAULTS} | {"calendar": "source = 'park'"}
BATCH = 5000  # rows read and written at a time: memory stays flat in the size of the ledger

Progress = Callable[[str, int, int | None], None]


def _open(location: str, *, read_only: bool = False, notify=None) -> Store:
    """The ledger in a file or, at a postgresql:// URL, on a server."""
    if "://" in location and not dialect.is_url(location):
        # Taken for a file name, it would make a folder called "mysql:".
        raise InvalidInput(
            _("{location} is a database URL, and servicedesk opens SQLite files and postgresql:// URLs").format(
                location=shown(location)
            )
        )
    return Store(location, notify=notify, read_only=read_only)


def shown(location) -> str:
    """A location as it may be printed: a URL's password masked (postgresql://me:***@host/db)."""
    return dialect.shown_url(str(location))


def holds_data(store: Store) -> dict[str, int]:
    """The ledger data in the store, table by table (empty for a new or never-used ledger)."""
    if not store.exists:
        return {}
    found = {}
    for table, where in _DATA.items():
        n = store.value(f"SELECT count(*) FROM {table} WHERE {where}")
        if n:
            found[table] = n
    return found


def counted(table: str, n: int) -> str:
    """A table's rows as a person reads them: `1 enterprise`, `67 enterprises`, 67 家企业."""
    said = {
        "changesets": ngettext("{n} changeset", "{n} changesets", n),
        "enterprises": ngettext("{n} enterprise", "{n} enterprises", n),
        "officers": ngettext("{n} officer", "{n} officers", n),
        "assignments": ngettext("{n} assignment", "{n} assignments", n),
        "visits": ngettext("{n} visit", "{n} visits", n),
        "tickets": ngettext("{n} ticket", "{n} tickets", n),
        "events": ngettext("{n} event", "{n} events", n),
        "feedback": ngettext("{n} feedback", "{n} feedback", n),
        "services": ngettext("{n} service", "{n} services", n),
        "changes": ngettext("{n} change", "{n} changes", n),
        "calendar": ngettext("{n} calendar day", "{n} calendar days", n),
        "settings": ngettext("{n} setting", "{n} settings", n),
    }.get(table)
    return said.format(n=n) if said else f"{n} {table}"


def counts_said(counts: dict[str, int]) -> str:
    """Several tables' rows, one after another: `67 enterprises, 19 officers`."""
    return _(", ").join(counted(t, n) for t, n in counts.items())


def _refuse_if_used(store: Store, location) -> None:
    found = holds_data(store)
    if found:
        counts = counts_said(dict(list(found.items())[:4]))
        raise InvalidInput(
            _(
                "{dest} already holds a ledger ({counts}); copy writes only into a new or empty one: left it untouched"
            ).format(dest=shown(location), counts=counts)  # fmt: skip
        )


def _same_file(a: str, b: str) -> bool:
    if "://" in a or "://" in b:
        return a == b
    return Path(a).expanduser().resolve() == Path(b).expanduser().resolve()


def _columns(store: Store, table: str) -> list[str]:
    cursor = store.conn.execute(f"SELECT * FROM {table} WHERE 1 = 0")
    return [d[0] for d in cursor.description]


def copy(
    source: str | os.PathLike,
    dest: str | os.PathLike,
    *,
    notify: Callable[[str], None] | None = None,
    progress: Progress | None = None,
) -> dict:
    """Copy the whole ledger at `source` into `dest` (made when missing); returns
    {"source", "dest", "created", "tables": {table: rows}}."""
    source, dest = str(source), str(dest)
    if _same_file(source, dest):
        raise InvalidInput(_("{source} and {dest} are the same ledger; copy it to another").format(
            source=shown(source), dest=shown(dest)))  # fmt: skip
    src = _open(source, read_only=True, notify=notify)
    try:
        if not src.exists:
            raise InvalidInput(_("no ledger at {source} to copy").format(source=shown(source)))
        # Looked at without writing first: a used ledger of an older schema is refused, not migrated.
        look = _open(dest, read_only=True)  # says nothing: a refusal is one line
        try:
            _refuse_if_used(look, dest)
            created = not look.exists
        finally:
            look.close()
        target = _open(dest, notify=notify)
        try:
            with src.snapshot():
                counts = copy_into(src, target, dest, progress=progress)
        finally:
            target.close()
    finally:
        src.close()
    return {"source": source, "dest": dest, "created": created, "tables": counts}


def copy_into(src: Store, target: Store, dest: str = "", *, progress: Progress | None = None) -> dict[str, int]:
    """Every table of `src` into the unused ledger `target`, in one transaction on it, then its
    derived tables rebuilt; returns the rows copied per table (checked against the source's).
    The caller holds `src` in one snapshot."""
    report = progress or (lambda stage, done, total: None)
    totals = {t: src.value(f"SELECT count(*) FROM {t}") for t in TABLES}
    with target.write():
        _refuse_if_used(target, dest or target.path)  # again, under the write lock
        for table in _DEFAULTS:  # aliases before the categories they name
            target.conn.execute(f"DELETE FROM {table}")
        with target.bulk_load(TABLES):
            for table in TABLES:
                _copy_table(src, target, table, totals[table], report)
        refused = derive.rebuild(target.conn, strict=False, progress=report)
        target.analyze(derive.TABLES)
        target.advance_ids(t for t in TABLES if "id" in _columns(target, t))
        copied = {t: target.value(f"SELECT count(*) FROM {t}") for t in TABLES}
        if copied != totals:
            differ = [t for t in TABLES if copied[t] != totals[t]]
            raise InvalidInput(_("the copy of {tables} does not hold the source's rows; nothing was written")
                               .format(tables=", ".join(differ)))  # fmt: skip
    if refused:
        target.notify(
            _(
                "{n} tickets' histories do not replay (as in the source; `servicedesk doctor` names them): "
                "left out of the figures"
            ).format(n=len(refused))  # fmt: skip
        )
    return copied


def _copy_table(src: Store, target: Store, table: str, total: int, report: Progress) -> None:
    columns = _columns(src, table)
    if sorted(columns) != sorted(_columns(target, table)):
        raise InvalidInput(_("{table} has other columns in the source than in the destination; nothing was written")
                           .format(table=table))  # fmt: skip
    # In id order, so a row that refers to an earlier one of its table (a change set that
    # undoes another) is written after it.
    order = " ORDER BY id" if "id" in columns else ""
    cursor = src.stream(f"SELECT {', '.join(columns)} FROM {table}{order}")
    done = 0
    while True:
        rows = cursor.fetchmany(BATCH)
        if not rows:
            break
        target.insert_rows(table, columns, (tuple(r) for r in rows))
        done += len(rows)
        report(_("copying {table}").format(table=table), done, total)
    cursor.close()
