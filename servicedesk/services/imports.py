"""Importing a sheet: what every kind of import shares, and the run that drives one.

A run has two passes, so a bad file writes nothing and a big one is neither held in
memory nor read while holding the write lock:
1. every row is read and `parse`d into values (text, dates, codes; no database) and
   staged, a row at a time, in a temporary table (`Stage`); a bad row is noted
   (spreadsheets.Problems) and the reading goes on, so one run finds them all;
2. if no row was bad, inside one write transaction, each staged row is `plan`ned: names
   are looked up, rows already present set aside (or, with --update, their differences
   applied) and new records given ids and written a chunk at a time. A bad row found
   here (an unknown name) stops the writing and the transaction is rolled back.

A row is "already present" by a key (cli.md "Imports"). Keys are counted, not just seen:
a file that really holds two identical visits imports both, once; the stage says how
many earlier rows of the file had the same key.

The kinds: roster_import.py (officers, enterprises), record_import.py (visits,
feedback, services), ticket_import.py (the problem ledger).
"""

import difflib
import itertools
import marshal
from contextlib import nullcontext
from datetime import date

from .. import dates, names
from ..i18n import _
from ..models import assigned_between
from ..spreadsheets import Problems, RowError, Sheet
from ..store import Store

# What an imported closed ticket says about its settling when the file says nothing.
NO_RESOLUTION = "closed (imported without a resolution note)"
CHUNK = 2000  # rows planned between writes: what a run holds in memory (speed is the same from 2,000 to 20,000)
SHOWN = 20  # differences named one by one; beyond that, counted


class Stage:
    """The parsed rows of a file, in temporary tables until they are checked and written:
    SQLite keeps them on disk, so memory does not grow with the file. Records are kept a
    batch to a row (one marshal and one row per BUFFER records); their keys a row each.
    The tables go with the connection, or the next import's Stage: dropping them walks
    every page (0.3 s at 100k rows), where closing the connection deletes one file."""

    BUFFER = 2000

    def __init__(self, conn):
        self.conn = conn
        self.buffer: list[tuple] = []
        self.keys: list[tuple] = []
        self.batches = 0
        # A record is staged as its values with the number of its keys' layout: a tuple
        # loads three times faster than a dict, and the keys are the same row after row.
        self.layouts: dict[tuple, int] = {}
        conn.execute("DROP TABLE IF EXISTS temp.import_stage")
        conn.execute("DROP TABLE IF EXISTS temp.import_keys")
        conn.execute("CREATE TEMP TABLE import_stage (batch INTEGER PRIMARY KEY, records BLOB)")
        conn.execute("CREATE TEMP TABLE import_keys (key TEXT, line INTEGER)")

    def add(self, line: int, key: str | None, record: dict) -> None:
        layout = self.layouts.setdefault(tuple(record), len(self.layouts))
        self.buffer.append((layout, tuple(record.values())))
        if key is not None:
            self.keys.append((key, line))
        if len(self.buffer) >= self.BUFFER:
            self._write()

    def _write(self) -> None:
        outside = not self.conn.in_transaction
        self.batches += 1
        self.conn.execute(
            "INSERT INTO import_stage (batch, records) VALUES (?, ?)", (self.batches, marshal.dumps(self.buffer))
        )
        self.conn.executemany("INSERT INTO import_keys (key, line) VALUES (?, ?)", self.keys)
        if outside and self.conn.in_transaction:
            self.conn.commit()  # only the temp tables were written: no lock on the ledger is held
        self.buffer.clear()
        self.keys.clear()

    def close(self, counted: bool) -> None:
        """All rows are in; `counted`: whether earlier() will be asked (some records exist)."""
        if self.buffer:
            self._write()
        if counted:
            # Only needed when a row may match a record on file; built once, after the inserts.
            self.conn.execute("CREATE INDEX temp.import_keys_key ON import_keys(key, line)")

    def records(self):
        keys = {number: layout for layout, number in self.layouts.items()}
        for (blob,) in self.conn.execute("SELECT records FROM import_stage ORDER BY batch"):
            for layout, values in marshal.loads(blob):
                yield dict(zip(keys[layout], values, strict=True))

    def earlier(self, key: str, line: int) -> int:
        """How many rows before `line` have the same key."""
        found = self.conn.execute("SELECT count(*) FROM import_keys WHERE key = ? AND line < ?", (key, line))
        return found.fetchone()[0]


class Listed:
    """Lines of a kind (differences, changes): counted, and the first `limit` kept."""

    def __init__(self, limit: int | None = SHOWN):
        self.limit, self.count, self.lines = limit, 0, []

    def add(self, line: str) -> None:
        self.count += 1
        if self.limit is None or len(self.lines) < self.limit:
            self.lines.append(line)


class Names:
    """name → id for enterprises or officers; with `create`, unknown names become new records."""

    def __init__(self, store: Store, table: str, noun: str, *, create: bool, now: str):
        self.table, self.noun, self.create, self.now = table, noun, create, now
        self.ids = {name: id_ for name, id_ in store.conn.execute(f"SELECT name, id FROM {table}")}
        self.next_id = (store.value(f"SELECT max(id) FROM {table}") or 0) + 1
        self.new: list[dict] = []  # created and not written yet
        self.created = 0

    def id(self, importer: "Importer", record: dict, field: str) -> int:
        name = record[field]
        found = self.ids.get(name)
        if found is not None:
            return found
        if not self.create:
            close = difflib.get_close_matches(name, list(self.ids), n=3, cutoff=0.5)
            hint = _("; did you mean {names}?").format(names=_(" or ").join(close)) if close else ""
            if self.noun == "officer":
                said = _('no officer named "{name}"{hint} (import it first, or use --create-missing)')
            else:
                said = _('no enterprise named "{name}"{hint} (import it first, or use --create-missing)')
            raise importer.fail(record, field, said.format(name=name, hint=hint))
        return self.add(name, {"name": name, "created_at": self.now})

    def add(self, name: str, record: dict) -> int:
        """A new record under `name` (its other columns in `record`); returns its id."""
        found = self.ids[name] = self.next_id
        self.next_id += 1
        self.new.append({**record, "id": found})
        self.created += 1
        return found

    def write(self, store: Store, changeset: int | None) -> None:
        """Write the records created since the last write (none when `changeset` is None: not writing)."""
        if self.new and changeset is not None:
            bulk(store, self.table, ({**r, "changeset": changeset} for r in self.new))
        self.new.clear()


def bulk(store: Store, table: str, rows, columns: list[str] | None = None) -> None:
    """Rows as dicts, or as tuples in the order of `columns`, through one prepared INSERT."""
    rows = iter(rows)
    if columns is None:
        first = next(rows, None)
        if first is None:
            return
        columns = list(first)
        rows = itertools.chain([first], rows)
        rows = (tuple(r[c] for c in columns) for r in rows)
    store.insert_rows(table, columns, rows)


class Importer:
    """What every kind shares; subclasses name their table and fill in parse / plan.

    `plan` hands new rows to `add` (a tuple in `columns` order); they are written a
    chunk at a time while the run is `writing`, and only counted otherwise (--dry-run,
    or once a bad row has been met).
    """

    table = ""
    columns: tuple[str, ...] = ()
    updates = False  # whether this kind takes --update

    def __init__(self, store: Store, sheet: Sheet, *, actor: str, acting: str | None, create_missing: bool,
                 update: bool = False, since: date | None = None, list_changes: bool = False):  # fmt: skip
        self.store, self.sheet = store, sheet
        self.actor, self.acting, self.create_missing = actor, acting, create_missing
        self.update = update
        self.since = (since or sheet.today).isoformat()  # the day of changes the file does not date
        self.now = dates.now_iso()
        self.present = self.added = 0
        self.differs = Listed()
        self.changed = Listed(None if list_changes else SHOWN)
        self.pending: list[tuple] = []
        self.names: list[Names] = []
        self.stage: Stage | None = None
        self.writing = False
        self._changeset: int | None = None
        self._weeks: dict[str, str] = {}

    # Helpers for the kinds ----------------------------------------------------------

    def fail(self, record: dict, field: str, message: str) -> RowError:
        return self.sheet.error(record["_line"], field, message)

    def week(self, day: str) -> str:
        found = self._weeks.get(day)
        if found is None:
            found = self._weeks[day] = dates.week_key(date.fromisoformat(day))
        return found

    def lookups(self, table: str, noun: str) -> Names:
        names = Names(self.store, table, noun, create=self.create_missing, now=self.now)
        self.names.append(names)
        return names

    def changeset(self) -> int | None:
        """This import's change set, made on its first write; None while not writing."""
        if not self.writing:
            return None
        if self._changeset is None:
            self._changeset = self.store.changeset(self.actor)
        return self._changeset

    def matched(self, record: dict, found: list):
        """Which of the records on file with this row's key (`found`, in id order) this row
        is, counting the earlier rows of the file with the same key; None: it is new."""
        if not found:
            return None
        nth = self.stage.earlier(self.key(record), record["_line"])
        return found[nth] if nth < len(found) else None

    def differ(self, record: dict, what: str, changes: list[str]) -> None:
        """A row that matches a record on file but says otherwise: applied with --update
        (by the kind, before calling this), else named as not applied."""
        line = _("line {line}, {what}: {changes}").format(
            line=record["_line"], what=what, changes=_("; ").join(changes)
        )
        if self.update:
            self.changed.add(line)
        else:
            self.differs.add(line)

    def add(self, row: tuple) -> None:
        self.added += 1
        self.pending.append(row)
        if len(self.pending) >= CHUNK:
            self.flush()

    # What each kind fills in --------------------------------------------------------

    def parse(self, row) -> dict:
        raise NotImplementedError

    def key(self, record: dict) -> str | None:
        """The row's key as text, to count the earlier rows of the file that have it."""
        return None

    def exists(self) -> bool:
        """Whether a row may match a record on file (else the stage needs no index)."""
        return bool(self.store.value(f"SELECT 1 FROM {self.table} LIMIT 1"))

    def prepare(self) -> None:
        """Load what `plan` looks up; runs inside the write transaction."""

    def plan(self, record: dict) -> None:
        raise NotImplementedError

    def flush(self) -> None:
        """Write what was planned since the last flush (while writing), then forget it."""
        changeset = self.changeset() if self.pending or any(n.new for n in self.names) else None
        for lookup in self.names:
            lookup.write(self.store, changeset)
        if self.pending and changeset is not None:
            self.write_pending(changeset)
        self.pending.clear()

    def write_pending(self, changeset: int) -> None:
        bulk(self.store, self.table, ((*r, changeset) for r in self.pending), [*self.columns, "changeset"])

    def finish(self) -> None:
        """After the last row: write what is left."""
        self.flush()

    def counts(self) -> dict:
        created = {n.table: n.created for n in self.names if n.created}
        result = {"added": self.added, "present": self.present, "created": created}
        result["differs"], result["differences"] = self.differs.count, self.differs.lines
        if self.updates:
            result["updated"], result["changes"] = self.changed.count, self.changed.lines
        return result

    @property
    def wrote(self) -> bool:
        return self._changeset is not None


def run(importer: Importer, *, dry_run: bool, report) -> dict:
    """Read, check and (unless `dry_run`) write one sheet; all rows or none."""
    store, sheet = importer.store, importer.sheet
    problems = Problems(sheet.name)
    stage = importer.stage = Stage(store.conn)
    rows, reading = 0, _("reading {file}").format(file=sheet.name)
    for row in sheet.rows():
        rows += 1
        try:
            record = importer.parse(row)
        except RowError as e:
            problems.add(e)
            continue
        stage.add(row.line, importer.key(record), record)
        if rows % 1000 == 0:
            report(reading, rows, max(sheet.estimated_rows, rows))
    report(reading, rows, rows)
    stage.close(counted=importer.exists())
    importer.writing = not dry_run and not problems
    with store.write() if importer.writing else nullcontext():
        importer.prepare()
        for done, record in enumerate(stage.records(), start=1):
            try:
                importer.plan(record)
            except RowError as e:
                problems.add(e)
                importer.writing = False  # the transaction rolls back: stop adding to it
            if done % 5000 == 0:
                report(_("checking names") if problems or dry_run else _("writing"), done, rows)
        if problems:
            raise problems.error()
        importer.finish()
        result = {
            "kind": sheet.kind,
            "file": sheet.name,
            "sheet": sheet.sheet,
            "rows": rows,
            "dry_run": dry_run,
            "ignored_columns": sheet.ignored,
            **importer.counts(),
        }
        if importer.wrote:
            from .roster import record_change

            names.fill_keys(store)  # the pinyin keys of the enterprises and officers it added
            summary = {k: v for k, v in result.items() if k not in ("differences", "changes")}
            record_change(store, importer.actor, "import", sheet.name, f"{sheet.kind}s imported", summary)
    return result


class Assignments:
    """Every assignment, loaded once, to ask who looked after an enterprise on a day."""

    def __init__(self, store: Store):
        self.by_enterprise: dict[int, list[tuple]] = {}
        for officer_id, enterprise_id, start, end in store.conn.execute(
            "SELECT officer_id, enterprise_id, start_on, end_on FROM assignments"
        ):
            self.by_enterprise.setdefault(enterprise_id, []).append((officer_id, start, end))

    def on_duty(self, enterprise_id: int, day: str) -> set[int]:
        return {
            o for o, start, end in self.by_enterprise.get(enterprise_id, ()) if assigned_between(start, end, day, day)
        }
