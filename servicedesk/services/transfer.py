"""Files in and out: importing a spreadsheet, exporting every table, backing the database up."""

import csv
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

from .. import dates
from ..derive import EFFECTIVE
from ..errors import InvalidInput
from ..files import private_file
from ..i18n import _
from ..spreadsheets import Sheet
from ..store import Store
from ..views.roster import assigned_names
from .imports import run
from .record_import import FeedbackImporter, ServiceImporter, VisitImporter
from .roster_import import EnterpriseImporter, OfficerImporter
from .ticket_history import HISTORY_KINDS, TOLD_BY_COLUMNS, format_history, history_arg
from .ticket_import import TicketImporter

IMPORTERS = {
    "officer": OfficerImporter,
    "enterprise": EnterpriseImporter,
    "visit": VisitImporter,
    "ticket": TicketImporter,
    "feedback": FeedbackImporter,
    "service": ServiceImporter,
}
Progress = Callable[[str, int, int | None], None]


def _quiet(stage: str, done: int, total: int | None) -> None:
    pass


def import_file(
    store: Store,
    kind: str,
    path: str | os.PathLike,
    *,
    actor: str,
    acting: str | None = None,
    dry_run: bool = False,
    create_missing: bool = False,
    update: bool = False,
    since: date | None = None,
    sheet: str | None = None,
    progress: Progress | None = None,
) -> dict:
    """Import every row of the file or none; returns what was (or would be) added and changed.

    Every row is read and checked before the write lock is taken, and every bad row is
    reported (spreadsheets.BadRows); names are then looked up and the new records written
    inside one transaction (services/imports.py). `update` applies the differences of
    rows that match a record on file (enterprise and ticket imports), dated `since`
    (default today) where the file gives no date; a dry run with `update` lists each.
    """
    importer_class = IMPORTERS[kind]
    if update and not importer_class.updates:
        raise InvalidInput(_("--update is for enterprise and ticket imports, not {kind} imports").format(kind=kind))
    if since is not None and since > dates.today():
        raise InvalidInput(_("--from {date} is in the future").format(date=since.isoformat()))
    if not dry_run:
        store.expect_write()  # names are read before the write that may create the ledger
    read = Sheet(Path(path), kind, sheet)
    importer = importer_class(store, read, actor=actor, acting=acting, create_missing=create_missing, update=update,
                              since=since, list_changes=dry_run and update)  # fmt: skip
    return run(importer, dry_run=dry_run, report=progress or _quiet)


# Export ------------------------------------------------------------------------

# The five tables an import reads back are written the way `import` reads them: names,
# not ids; the rest are written as stored.
_EXPORTS = {
    "officers": "SELECT id, name, rank, unit, phone, archived FROM officers ORDER BY id",
    "enterprises": """SELECT id, name, sector, kind, contact, phone, address, note, archived
        FROM enterprises ORDER BY id""",
    "assignments": """SELECT a.id, o.name AS officer, e.name AS enterprise, a.start_on, a.end_on
        FROM assignments a JOIN officers o ON o.id = a.officer_id JOIN enterprises e ON e.id = a.enterprise_id
        ORDER BY a.id""",
    "visits": """SELECT v.id, e.name AS enterprise, o.name AS officer, v.visited_on, v.channel, v.note
        FROM visits v JOIN enterprises e ON e.id = v.enterprise_id LEFT JOIN officers o ON o.id = v.officer_id
        WHERE v.removed IS NULL ORDER BY v.id""",
    "tickets": """SELECT t.id, e.name AS enterprise, t.category, t.title, t.opened_on, o.name AS owner,
            t.department, t.priority, t.base_due_on AS due_on, t.status,
            CASE WHEN t.status != 'open' THEN (SELECT max(ev.on_date) FROM events ev
                WHERE ev.ticket_id = t.id AND ev.kind = 'started') END AS started_on,
            t.closed_on, t.outcome, t.resolution, v.visited_on
        FROM tickets t JOIN enterprises e ON e.id = t.enterprise_id
        LEFT JOIN officers o ON o.id = t.owner_id LEFT JOIN visits v ON v.id = t.visit_id
        WHERE t.removed IS NULL ORDER BY t.id""",
    "events": """SELECT ev.id, ev.ticket_id AS ticket, ev.kind, ev.on_date, ev.week, ev.at, ev.actor,
            ev.note, ev.outcome, o.name AS owner, ev.department
        FROM events ev LEFT JOIN officers o ON o.id = ev.owner_id ORDER BY ev.id""",
    "feedback": """SELECT f.id, e.name AS enterprise, f.kind, f.score, f.ticket_id AS ticket, f.received_on, f.note
        FROM feedback f JOIN enterprises e ON e.id = f.enterprise_id WHERE f.removed IS NULL ORDER BY f.id""",
    "services": """SELECT s.id, e.name AS enterprise, s.kind, s.served_on, s.quantity,
            CASE WHEN s.amount_fen % 100 = 0 THEN s.amount_fen / 100 ELSE s.amount_fen / 100.0 END AS amount,
            o.name AS officer, s.note
        FROM services s JOIN enterprises e ON e.id = s.enterprise_id LEFT JOIN officers o ON o.id = s.officer_id
        WHERE s.removed IS NULL ORDER BY s.id""",
    "categories": """SELECT code, label, label_zh, due_days, due_working, position FROM categories
        ORDER BY position, code""",
}
_FLAGS = ("archived",)


def _tables(store: Store) -> list[str]:
    names = store.table_names()
    names = [n for n in names if not n.startswith("sqlite_")]
    return [n for n in _EXPORTS if n in names] + sorted(n for n in names if n not in _EXPORTS)


def _enterprise_officers(current: dict, row: dict) -> None:
    """The roster's 包联 columns: today's officers, and when each started (one date when all agree)."""
    pairs = current.get(row["id"], [])
    starts = [s for _, s in pairs]
    row["officers"] = "; ".join(n for n, _ in pairs) or None
    row["assigned_from"] = (starts[0] if len(set(starts)) == 1 else "; ".join(starts)) if starts else None


class _Histories:
    """The `history` column, for the tickets whose columns alone would lose part of their
    life (a reassignment, a referral, an extension, a reopen, a follow-up…): read in ticket
    order beside the tickets, a ticket's entries at a time, never the whole ledger's at once."""

    def __init__(self, store: Store):
        kinds = ", ".join(f"'{k}'" for k in HISTORY_KINDS)
        told = ", ".join(f"'{k}'" for k in TOLD_BY_COLUMNS)
        self.cursor = store.stream(
            f"""SELECT e.ticket_id, CASE WHEN e.kind = 'opened' THEN t.opened_on ELSE e.on_date END AS day, e.kind,
                o.name, e.department, e.outcome, e.due_on, e.result, e.redo
            FROM events e JOIN tickets t ON t.id = e.ticket_id LEFT JOIN officers o ON o.id = e.owner_id
            WHERE e.kind IN ({kinds}) AND {EFFECTIVE}
              AND e.ticket_id IN (SELECT e.ticket_id FROM events e WHERE e.kind NOT IN ({told}) AND {EFFECTIVE})
            ORDER BY e.ticket_id, day, e.kind != 'opened', e.id"""
        )
        self.rows = iter(self.cursor)
        self.next = next(self.rows, None)

    def of(self, ticket_id: int) -> str | None:
        """The ticket's history cell; asked in increasing ticket id order."""
        while self.next is not None and self.next[0] < ticket_id:  # a removed ticket's
            self.next = next(self.rows, None)
        entries = []
        while self.next is not None and self.next[0] == ticket_id:
            _ticket, on, kind, owner, department, outcome, due_on, result, redo = self.next
            entries.append((on, kind, history_arg(kind, owner, department, outcome, due_on, result, redo)))
            if kind == "opened" and department:
                # The department it was opened with, as a referral on its first day: the history says them all.
                entries.append((on, "referred", department))
            self.next = next(self.rows, None)
        return format_history(entries) if entries else None

    def close(self) -> None:
        self.cursor.close()


def _rows(store: Store, table: str) -> tuple[list[str], Iterator[dict]]:
    """A table as `export` writes it (its columns, and its rows one at a time, read as they
    are written: a 1M-ticket ledger's never all in memory), inside the caller's snapshot."""
    cursor = store.stream(_EXPORTS.get(table) or f'SELECT * FROM "{table}"')
    columns = [d[0] for d in cursor.description]
    flags = [flag for flag in _FLAGS if flag in columns]
    current = assigned_names(store) if table == "enterprises" else None
    histories = _Histories(store) if table == "tickets" else None

    def rows() -> Iterator[dict]:
        for values in cursor:
            row = dict(zip(columns, values, strict=True))
            for flag in flags:
                row[flag] = bool(row[flag])
            if current is not None:
                _enterprise_officers(current, row)
            if histories is not None:
                row["history"] = histories.of(row["id"])
            yield row
        cursor.close()
        if histories is not None:
            histories.close()

    extra = ["officers", "assigned_from"] if current is not None else ["history"] if histories is not None else []
    return columns + extra, rows()


def ledger(store: Store, ids: list[int]) -> tuple[list[str], list[dict]]:
    """The problem ledger (问题台账) of the given tickets, in their order, as `export` writes
    it for `ticket import` to read back: names, not ids, and a history column where needed."""
    wanted = set(ids)
    with store.snapshot():
        columns, rows = _rows(store, "tickets")
        by_id = {row["id"]: row for row in rows if row["id"] in wanted}
    return columns, [by_id[i] for i in ids if i in by_id]


def export(store: Store, directory: str | os.PathLike, *, force: bool = False) -> list[tuple[str, int]]:
    """Every table as NAME.csv (for spreadsheets) and NAME.jsonl; returns (table, rows) pairs."""
    from ..models import safe_cell

    target = Path(directory).expanduser()
    if target.exists() and not target.is_dir():
        raise InvalidInput(_("{target} is a file; export writes a directory of files").format(target=target))
    tables = _tables(store)
    files = [target / f"{t}{ext}" for t in tables for ext in (".csv", ".jsonl")]
    clash = [f.name for f in files if f.exists()]
    if clash and not force:
        shown = ", ".join(clash[:4]) + (" …" if len(clash) > 4 else "")
        raise InvalidInput(
            _("{target} already holds {shown}; use --force to overwrite, or export to a new directory").format(
                target=target, shown=shown
            )
        )
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    written = []
    # One snapshot: a concurrent write never splits the files. Each table is read as it is
    # written, into both its files at once.
    with store.snapshot():
        for table in tables:
            columns, rows = _rows(store, table)
            count = 0
            # The BOM tells Excel the file is UTF-8; import reads it with or without.
            with private_file(target / f"{table}.csv", encoding="utf-8-sig") as f, \
                    private_file(target / f"{table}.jsonl") as g:  # fmt: skip
                writer = csv.writer(f)
                writer.writerow(columns)
                for row in rows:
                    writer.writerow(["" if row[c] is None else safe_cell(row[c]) for c in columns])
                    g.write(json.dumps(row, ensure_ascii=False) + "\n")
                    count += 1
            written.append((table, count))
    return written


# Backup ------------------------------------------------------------------------


def backup(store: Store, target: str | os.PathLike, *, force: bool = False) -> dict:
    """A consistent copy of the database, taken while other terminals may be writing.

    Written to a hidden `.NAME.PID.partial` beside the target and renamed into place once
    SQLite has checked it; partials left by a backup that was killed are removed first.
    """
    import stat

    from ..errors import Damaged, Unwritable
    from ..ledgerfile import code, remove_stale_partials

    if store.url:
        raise InvalidInput(
            _(
                "backup copies a ledger file; {url} is a PostgreSQL database: back it up with its server's pg_dump,"
                " or copy it into a ledger file with `servicedesk copy {url} FILE`"
            ).format(url=store.path)
        )
    path = Path(target).expanduser()
    if path.is_dir():
        raise InvalidInput(
            _("{path} is a directory; give the backup a file name, e.g. {example}").format(
                path=path, example=path / "servicedesk-backup.db"
            )
        )
    if path.exists():
        if not stat.S_ISREG(path.stat().st_mode):
            raise InvalidInput(_("{path} is not a regular file; give the backup a file name").format(path=path))
        if path.resolve() == store.path.resolve():
            raise InvalidInput(_("{path} is the database itself; back it up to another file").format(path=path))
        if not force:
            raise InvalidInput(_("{path} already exists; use --force to overwrite it").format(path=path))
    source = store.conn  # no ledger, nothing to back up: refused before anything is written
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_partials(path.parent, path.name)
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        os.close(fd)
    except OSError as e:
        raise Unwritable(_("cannot write {path}: {strerror}").format(path=path, strerror=e.strerror)) from None
    try:
        copy = sqlite3.connect(partial)
        try:
            # One step (pages=-1) copies a single read snapshot: WAL lets writers go on meanwhile.
            source.backup(copy, pages=-1)
            problems = [r[0] for r in copy.execute("PRAGMA quick_check(5)")]
            counts = {
                t: copy.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                for t in ("enterprises", "officers", "visits", "tickets", "events", "feedback")
            }
        except sqlite3.DatabaseError as e:
            if code(e) in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
                raise Damaged(
                    _("{e} (copying {path}); {path2} was not written").format(e=e, path=store.path, path2=path)
                ) from None
            if code(e) == sqlite3.SQLITE_FULL:
                raise Unwritable(
                    _("cannot write {path}: the disk is full; free some space, then try again").format(path=path)
                ) from None
            raise Unwritable(_("cannot write {path} ({e}); it was not written").format(path=path, e=e)) from None
        finally:
            copy.close()
        if problems != ["ok"]:
            many = _("{n} problems").format(n=len(problems)) if len(problems) < 5 else _("5 or more problems")
            raise Damaged(
                _("SQLite's check of the copy found {many}, the first: {problem}; {path} was not written").format(
                    many=many, problem=problems[0][:120], path=path
                )
            )
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return {"file": str(path), "bytes": path.stat().st_size, "counts": counts}
