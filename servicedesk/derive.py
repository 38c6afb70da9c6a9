"""Derived state that keeps as-of figures cheap however long the history grows.

Derived from the append-only events by life.replay, in the same transaction as the
change that moved them, and rebuilt from the events at any time (`doctor --repair`, or
when this module's VERSION changes — its tables are not history, so this module, not a
migration, owns their shape):

- `spans`: each ticket's state from one day to its next change (life.State). "As of D" is
  the span with from_on <= D < until_on; an index on (status, until_on) means the tickets
  not closed as of a recent day are read without the closed history.
- `activity`: the dated things a week's own figures count (opened, closed, reopened,
  extended, urged, supervised, followed_up), keyed by ISO week; `seq` is their order in
  the ticket's life (two closes on one day: the later one is the ticket's).
- `tallies`: daily changes to the cumulative counts of each figure in INDICATORS, per
  category and per owner, with their sums in `tally_totals`; a count as of D is the
  total minus the changes dated after D.

Each cumulative figure is defined once, in INDICATORS, as a test on a ticket's state;
each span stores the answers as the bits of its `flags`, the tallies sum them, and the
cohort reports (closure, departments) read the same bits of the span in force on their
day (indicator()).
"""

import functools
import sqlite3
from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from . import dates
from .i18n import _
from .life import EVENT_FIELDS, OPEN_END, SATISFIED, Event, Life, Refused, replay

VERSION = "4"  # bump when the derived tables or INDICATORS change: every ledger rebuilds them once
CHUNK = 5000  # tickets replayed per round of a rebuild
# Up to this many tickets or tally rows, a write names them in its statements; more (an
# import's, a rebuild's) go through a temporary table.
FEW = 500


# Each cumulative figure, defined once: does a ticket in state `s` (a life.State) count
# towards it? A span stores the answers as the bits of its `flags`.
INDICATORS = {
    "collected": "True",
    "closed": "s.status == 'closed'",
    "solved": "s.status == 'closed' and s.outcome == 'resolved'",
    "on_time": "s.status == 'closed' and s.closed_on <= s.due_on",
    "ever_closed": "s.ever_closed",
    "reopened": "s.reopened",
    "redone": "s.redone",
    "followed": "s.status == 'closed' and s.follow_up is not None",
    "with_follow_up": "s.last_result is not None",
    "satisfied": "s.last_result in SATISFIED",
    "extended": "s.extended > 0",
    "urged": "s.urged > 0",
    "supervised": "s.supervised_ever",
}
FIGURES = tuple(INDICATORS)
# The figures as one function (a span is tested for all of them at once, a million times in a rebuild).
flags = eval(  # noqa: S307 - our own constant expressions above, never user text
    "lambda s: " + " | ".join(f"(bool({test}) << {i})" for i, test in enumerate(INDICATORS.values())),
    {"SATISFIED": SATISFIED},
)
flags.__doc__ = "The figures a ticket in state `s` counts towards, as bits in FIGURES order."


def indicator(figure: str, alias: str = "s") -> str:
    """SQL for one figure on a span called `alias`: 1 when the ticket counts, else 0."""
    return f"(({alias + '.' if alias else ''}flags >> {FIGURES.index(figure)}) & 1)"


_SPAN_COLUMNS = ("ticket_id", "from_on", "until_on", "status", "closed_on", "due_on", "owner_id", "department",
                 "supervised", "flags")  # fmt: skip
_ACTIVITY_COLUMNS = ("ticket_id", "seq", "kind", "on_date", "week", "outcome", "result", "redo")
_COUNTS = ", ".join(f"{f} INTEGER NOT NULL DEFAULT 0" for f in FIGURES)
_SCHEMA = f"""
CREATE TABLE spans (
    ticket_id INTEGER NOT NULL, from_on TEXT NOT NULL, until_on TEXT NOT NULL,
    status TEXT NOT NULL, closed_on TEXT, due_on TEXT NOT NULL, owner_id INTEGER, department TEXT,
    supervised INTEGER NOT NULL, flags INTEGER NOT NULL
);
CREATE INDEX spans_ticket ON spans(ticket_id, until_on);
CREATE TABLE activity (
    ticket_id INTEGER NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, on_date TEXT NOT NULL, week TEXT NOT NULL,
    outcome TEXT, result TEXT, redo INTEGER NOT NULL
);
CREATE TABLE tallies (day TEXT NOT NULL, dim TEXT NOT NULL, key TEXT NOT NULL, {_COUNTS},
    PRIMARY KEY (day, dim, key));
CREATE TABLE tally_totals (dim TEXT NOT NULL, key TEXT NOT NULL, {_COUNTS}, PRIMARY KEY (dim, key));
"""
# Made after a rebuild has filled the tables: building an index once is cheaper than keeping it sorted.
_INDEXES = """
CREATE INDEX spans_pending ON spans(status, until_on, from_on);
CREATE INDEX activity_week ON activity(week, kind, ticket_id);
CREATE INDEX activity_ticket ON activity(ticket_id);
"""
TABLES = ("spans", "activity", "tallies", "tally_totals")

# Undone change sets take their events with them (domain.md "Undo").
EFFECTIVE = "(e.changeset IS NULL OR e.changeset NOT IN (SELECT undoes FROM changesets WHERE undoes IS NOT NULL))"
_EVENTS = f"SELECT e.ticket_id, {', '.join('e.' + f for f in EVENT_FIELDS)} FROM events e WHERE {EFFECTIVE}"
PROJECTION = ("status", "outcome", "closed_on", "resolution", "owner_id", "department", "due_on", "supervised",
              "urged", "follow_up", "removed")  # fmt: skip


class Tally:
    """Changes to the tallies, summed in memory from spans and written in one statement
    each: a span counts +1 towards its figures (its flags) on its first day and -1 on the
    day it ends, under its category and its owner (the as-of counts reports read)."""

    FLUSH = 200_000  # distinct (day, dim, key, flags) held before a rebuild writes them out
    KEPT = 40_000  # held by an import's or a refresh's (about 15 MiB): their memory stays flat

    def __init__(self):
        self.counts: Counter = Counter()

    def add(self, spans: Iterable[tuple], factor: int) -> None:
        """spans: (from_on, until_on, category, owner_id, flags); factor 1 or -1."""
        counts = self.counts
        for first, until, category, owner_id, bits in spans:
            owner = "" if owner_id is None else str(owner_id)
            counts[(first, "category", category, bits)] += factor
            counts[(first, "owner", owner, bits)] += factor
            if until != OPEN_END:
                counts[(until, "category", category, bits)] -= factor
                counts[(until, "owner", owner, bits)] -= factor

    def write(self, conn: sqlite3.Connection) -> None:
        deltas: dict[tuple, list[int]] = {}
        for (day, dim, key, bits), n in self.counts.items():
            if n:
                counts = deltas.setdefault((day, dim, key), [0] * len(FIGURES))
                for i in _bits(bits):
                    counts[i] += n
        self.counts.clear()
        rows = [(*k, *v) for k, v in deltas.items() if any(v)]
        if not rows:
            return
        columns = ", ".join(FIGURES)
        update = ", ".join(f"{f} = {{t}}.{f} + excluded.{f}" for f in FIGURES)
        # A row whose counts all came back to zero says nothing: gone, as a rebuild would never write it.
        zero = " AND ".join(f"{f} = 0" for f in FIGURES)
        if len(rows) <= FEW:  # a command's own few: by key, with no temporary table
            self._write_few(conn, rows, columns, update, zero)
            return
        _temp_tables(conn)
        conn.execute("DELETE FROM tally_deltas")
        marks = ", ".join("?" for _ in range(3 + len(FIGURES)))
        conn.executemany(f"INSERT INTO tally_deltas (day, dim, key, {columns}) VALUES ({marks})", rows)
        conn.execute(
            f"""INSERT INTO tallies (day, dim, key, {columns}) SELECT day, dim, key, {columns} FROM tally_deltas
            WHERE true ON CONFLICT (day, dim, key) DO UPDATE SET {update.format(t="tallies")}"""
        )
        sums = ", ".join(f"SUM({f})" for f in FIGURES)
        conn.execute(
            f"""INSERT INTO tally_totals (dim, key, {columns}) SELECT dim, key, {sums} FROM tally_deltas WHERE true
            GROUP BY dim, key ON CONFLICT (dim, key) DO UPDATE SET {update.format(t="tally_totals")}"""
        )
        # Looked up by key from the deltas (a correlated EXISTS scanned all 1.3M tallies at 1M
        # tickets: 230 ms on every write).
        conn.execute(
            f"""DELETE FROM tallies WHERE (day, dim, key) IN (SELECT day, dim, key FROM tally_deltas)
            AND {zero}"""
        )
        conn.execute(f"DELETE FROM tally_totals WHERE (dim, key) IN (SELECT dim, key FROM tally_deltas) AND {zero}")

    @staticmethod
    def _write_few(conn: sqlite3.Connection, rows: list[tuple], columns: str, update: str, zero: str) -> None:
        """The same changes as write's, row by row through each table's key: on PostgreSQL the
        temporary table cost four statements more, and its making, in every write."""
        totals: dict[tuple, list[int]] = {}
        for _day, dim, key, *counts in rows:
            total = totals.setdefault((dim, key), [0] * len(FIGURES))
            for i, n in enumerate(counts):
                total[i] += n
        marks = ", ".join("?" for _ in range(2 + len(FIGURES)))
        conn.executemany(
            f"""INSERT INTO tallies (day, dim, key, {columns}) VALUES (?, {marks})
            ON CONFLICT (day, dim, key) DO UPDATE SET {update.format(t="tallies")}""",
            rows,
        )
        conn.executemany(
            f"""INSERT INTO tally_totals (dim, key, {columns}) VALUES ({marks})
            ON CONFLICT (dim, key) DO UPDATE SET {update.format(t="tally_totals")}""",
            [(*k, *v) for k, v in totals.items()],
        )
        conn.executemany(f"DELETE FROM tallies WHERE day = ? AND dim = ? AND key = ? AND {zero}", [r[:3] for r in rows])
        conn.executemany(f"DELETE FROM tally_totals WHERE dim = ? AND key = ? AND {zero}", list(totals))


@functools.cache
def _bits(flags_value: int) -> tuple[int, ...]:
    return tuple(i for i in range(len(FIGURES)) if flags_value >> i & 1)


def _temp_tables(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS chosen_tickets (id INTEGER PRIMARY KEY)")
    conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS tally_deltas (day TEXT, dim TEXT, key TEXT, {_COUNTS})")


def refresh(conn: sqlite3.Connection, ticket_ids: Iterable[int], change=None) -> dict[int, Life]:
    """Replay the given tickets after a change to their events or their own columns.

    `change()`, when given, makes that change in between: their old spans are taken out
    of the tallies before it (a category edit moves a ticket between keys) and the new
    ones added after. Returns each ticket's Life when they are a command's few (up to
    FEW); many (an import's, an undo's) are replayed CHUNK at a time, so memory stays
    flat however many there are, and none is returned. Raises Refused when a ticket's
    history no longer fits its life; the caller's transaction then rolls back what was written.
    """
    ids = sorted(set(ticket_ids))
    if not ids:
        if change is not None:
            change()
        return {}
    few = len(ids) <= FEW
    if few:  # named in the statements (a command's own tickets)
        chosen, params = f"IN ({', '.join('?' for _ in ids)})", ids
    else:  # through a temporary table
        _temp_tables(conn)
        conn.execute("DELETE FROM chosen_tickets")
        conn.executemany("INSERT INTO chosen_tickets (id) VALUES (?)", ((i,) for i in ids))
        chosen, params = "IN (SELECT id FROM chosen_tickets)", ()
    tally = Tally()
    # Before the change: a category edit must take the old key's counts away.
    old = conn.execute(
        f"""SELECT s.from_on, s.until_on, t.category, s.owner_id, s.flags
        FROM spans s JOIN tickets t ON t.id = s.ticket_id WHERE s.ticket_id {chosen}""",
        params,
    )
    while spans := old.fetchmany(CHUNK):
        tally.add(spans, -1)
        if len(tally.counts) > Tally.KEPT:
            tally.write(conn)
    if change is not None:
        change()
    if few:
        rounds = [(chosen, params)]
    else:
        part = "IN (SELECT id FROM chosen_tickets WHERE id BETWEEN ? AND ?)"
        rounds = [(part, (ids[i], ids[min(i + CHUNK, len(ids)) - 1])) for i in range(0, len(ids), CHUNK)]
    lives: list = []
    for some, some_params in rounds:
        # Refused here leaves the caller's transaction to roll back what was written.
        lives = _replay(conn, some, some_params)
        conn.execute(f"DELETE FROM spans WHERE ticket_id {some}", some_params)
        conn.execute(f"DELETE FROM activity WHERE ticket_id {some}", some_params)
        _write(conn, lives, tally)
        if len(tally.counts) > Tally.KEPT:
            tally.write(conn)
    tally.write(conn)
    return {ticket_id: life for ticket_id, life, *_ in lives} if few else {}


class Opened(NamedTuple):
    """A ticket a command has just inserted, with its one event so far: its opening."""

    ticket_id: int
    category: str
    due_on: str  # its base due date
    opening: Event


def opened(conn: sqlite3.Connection, new: list[Opened]) -> None:
    """Tickets a command has just inserted (`ticket open`, `visit log`): their spans, activity
    and tallies from the replay of their opening, not read back from what was just written
    (on a server each read waits for it, under the write lock). Their tickets rows say what
    a new ticket's life does, as an import's do (add)."""
    lives = []
    for ticket in new:
        life = replay(ticket.opening.on_date, ticket.due_on, [ticket.opening])
        lives.append((ticket.ticket_id, life, projection(life, ()), ticket.category))
    tally = Tally()
    add(conn, lives, tally)
    tally.write(conn)


def add(conn: sqlite3.Connection, lives: list[tuple[int, Life, tuple, str]], tally: Tally) -> None:
    """New tickets, replayed by the caller from the events it wrote (an import): their
    spans and activity, and their counts into `tally`, which the caller writes (an import
    sums its chunks' counts, written every Tally.KEPT keys and at its end). `lives`: (ticket id, Life, its
    PROJECTION as written, category); the tickets row already says what the life does."""
    if lives:
        _write(conn, lives, tally, projected=True)


def life(conn: sqlite3.Connection, ticket_id: int) -> Life:
    """A ticket's replayed history, without writing anything."""
    return _replay(conn, "= ?", (ticket_id,))[0][1]


def _replay(
    conn: sqlite3.Connection, chosen: str, params, refused: list | None = None
) -> list[tuple[int, Life, tuple, str]]:
    """(ticket id, Life, projection as stored, category) for the tickets whose id is `chosen` (an SQL
    condition on an id: "IN (…)", "BETWEEN ? AND ?"), in id order. A history that does not
    fit its life raises Refused, or with a `refused` list is noted there and left out."""
    tickets = conn.execute(
        f"SELECT t.id, t.category, t.opened_on, t.base_due_on, {', '.join('t.' + c for c in PROJECTION)} FROM tickets t "
        f"WHERE t.id {chosen} ORDER BY t.id",
        params,
    ).fetchall()
    if not tickets:
        return []
    events: dict[int, list[Event]] = {}
    # In the order of each ticket's life (the index on ticket and day gives it): no sort in the replay.
    for row in conn.execute(f"{_EVENTS} AND e.ticket_id {chosen} ORDER BY e.ticket_id, e.on_date, e.id", params):
        events.setdefault(row[0], []).append(Event(*row[1:]))
    lives = []
    for ticket_id, category, opened_on, due_on, *stored in tickets:
        try:
            life = replay(opened_on, due_on, events.get(ticket_id, []), in_order=True)
        except Refused as e:
            if refused is None:
                raise
            refused.append((ticket_id, f"its {e.event.kind} on {e.event.on_date}: {e.reason}"))
            continue
        lives.append((ticket_id, life, tuple(stored), category))
    return lives


def projection(life: Life, stored: tuple) -> tuple:
    """The tickets row's own columns (PROJECTION) that the life says."""
    s = life.state
    if s is None:  # its opening was undone: it keeps its last columns, out of every list
        return (*stored[:-1], life.removed)
    return (s.status, s.outcome, s.closed_on, life.resolution, s.owner_id, s.department, s.due_on,
            s.supervised, s.urged, s.last_result, life.removed)  # fmt: skip


def _write(
    conn: sqlite3.Connection, lives: list[tuple[int, Life, tuple, str]], tally: Tally, projected: bool = False
) -> None:
    """The chosen tickets' spans and activity, their changes to the tallies (into `tally`),
    and their own columns where the replay says otherwise (unless `projected`: written from it)."""
    weeks: dict[str, str] = {}

    def week(day: str) -> str:
        if day not in weeks:
            weeks[day] = dates.week_key(date.fromisoformat(day))
        return weeks[day]

    marks = ", ".join("?" for _ in _SPAN_COLUMNS)
    spans = [
        (ticket_id, first, until, s.status, s.closed_on, s.due_on, s.owner_id, s.department, s.supervised, flags(s))
        for ticket_id, life, _, _ in lives
        for first, until, s in life.spans
    ]
    conn.executemany(f"INSERT INTO spans ({', '.join(_SPAN_COLUMNS)}) VALUES ({marks})", spans)
    category = {ticket_id: c for ticket_id, _, _, c in lives}
    tally.add(((first, until, category[t], owner, bits) for t, first, until, _, _, _, owner, _, _, bits in spans), 1)
    conn.executemany(
        f"INSERT INTO activity ({', '.join(_ACTIVITY_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (ticket_id, n, k, on, week(on), o, r, d)
            for ticket_id, life, _, _ in lives
            for n, (k, on, o, r, d) in enumerate(life.activity)
        ],
    )
    if projected:
        return
    changed = []
    for ticket_id, life, stored, _category in lives:
        now = projection(life, stored)
        if now != stored:
            changed.append((*now, ticket_id))
    if changed:
        sets = ", ".join(f"{c} = ?" for c in PROJECTION)
        conn.executemany(f"UPDATE tickets SET {sets} WHERE id = ?", changed)


def create(conn: sqlite3.Connection) -> None:
    """Drop and create the derived tables, without their indexes (inside the caller's transaction)."""
    from .migrations import run_script

    for table in TABLES:
        conn.execute(f"DROP TABLE IF EXISTS {table}")
    run_script(conn, _SCHEMA)


def rebuild(conn: sqlite3.Connection, *, progress=None, strict: bool = True) -> list[tuple[int, str]]:
    """Recompute every derived table from the events (inside the caller's transaction).

    Tickets are replayed a chunk at a time, so memory stays flat in the size of the ledger.
    A history that no longer fits its life raises Refused, or (not `strict`) is left out
    of the figures and returned as (ticket id, why) for doctor to name.
    """
    refused: list[tuple[int, str]] | None = None if strict else []
    create(conn)
    _temp_tables(conn)
    tally = Tally()
    total = conn.execute("SELECT count(*) FROM tickets").fetchone()[0]
    last, done = 0, 0
    while True:
        top = conn.execute(
            "SELECT max(id) FROM (SELECT id FROM tickets WHERE id > ? ORDER BY id LIMIT ?) AS chunk", (last, CHUNK)
        ).fetchone()[0]
        if top is None:
            break
        lives = _replay(conn, "BETWEEN ? AND ?", (last + 1, top), refused)
        _write(conn, lives, tally)
        if len(tally.counts) > Tally.FLUSH:
            tally.write(conn)
        last, done = top, done + len(lives)
        if progress:
            progress(_("deriving"), done, total)
    from .migrations import run_script

    tally.write(conn)
    run_script(conn, _INDEXES)
    set_version(conn)
    return refused or []


def set_version(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT INTO meta (key, value) VALUES ('derived', ?) ON CONFLICT (key) DO UPDATE SET value = ?",
                 (VERSION, VERSION))  # fmt: skip


def is_current(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT value FROM meta WHERE key = 'derived'").fetchone()
    return row is not None and row[0] == VERSION
