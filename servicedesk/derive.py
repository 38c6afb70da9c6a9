"""Derived state that keeps as-of figures cheap however long the history grows.

Derived from the append-only events by life.replay, in the same transaction as the
change that moved them, and rebuilt from the events at any time (`doctor --repair`, or
when this module's VERSION changes — its tables are not history, so this module, not a
migration, owns their shape):

- `spans`: each ticket's state from one day to its next change (life.State). "As of D" is
  the span with from_on <= D < until_on; an index on (status, until_on) means the tickets
  not closed as of a recent day are read without the closed history.
- `activity`: the dated things a week's own figures count (opened, closed, reopened,
  extended, urged, supervised, followed_up), keyed by ISO week.
- `tallies`: daily changes to the cumulative counts of each figure in INDICATORS, per
  category, owner and department, with their sums in `tally_totals`; a count as of D is
  the total minus the changes dated after D.

Each cumulative figure is defined once, in INDICATORS, as a test on a ticket's span:
the tallies sum it over spans, and cohort reports (closure, departments) apply the same
test to the span in force on their day.
"""

import sqlite3
from collections.abc import Iterable
from datetime import date

from . import dates
from .life import EVENT_FIELDS, OPEN_END, SPAN_FIELDS, Event, Life, Refused, replay

VERSION = "1"  # bump when the derived tables or INDICATORS change: every ledger rebuilds them once
CHUNK = 5000  # tickets replayed per round of a rebuild


def _flag(test: str) -> str:
    return f"CASE WHEN {test} THEN 1 ELSE 0 END"


# figure → a test on one span's columns ({s} is the span's alias and a dot, or nothing).
INDICATORS = {
    "collected": "1",
    "closed": _flag("{s}status = 'closed'"),
    "solved": _flag("{s}status = 'closed' AND {s}outcome = 'resolved'"),
    "on_time": _flag("{s}status = 'closed' AND {s}closed_on <= {s}due_on"),
    "ever_closed": "{s}ever_closed",
    "reopened": "{s}reopened",
    "redone": "{s}redone",
    "followed": _flag("{s}status = 'closed' AND {s}follow_up IS NOT NULL"),
    "with_follow_up": _flag("{s}last_result IS NOT NULL"),
    "satisfied": _flag("{s}last_result IN ('satisfied', 'basically')"),
    "extended": _flag("{s}extended > 0"),
    "urged": _flag("{s}urged > 0"),
    "supervised": "{s}supervised_ever",
}
FIGURES = tuple(INDICATORS)
# The dimensions the tallies keep, each a key computed from a span and its ticket.
DIMENSIONS = {
    "category": "category",
    "owner": "COALESCE(CAST(owner_id AS TEXT), '')",
    "department": "COALESCE(department, '')",
}


def indicator(figure: str, alias: str = "s") -> str:
    """The SQL test of one figure on a span called `alias`: 1 when the ticket counts, else 0."""
    return INDICATORS[figure].format(s=f"{alias}." if alias else "")


def owner_key(owner_id: int | None) -> str:
    return "" if owner_id is None else str(owner_id)


_SPAN_COLUMNS = ("ticket_id", "from_on", "until_on", *SPAN_FIELDS)
_ACTIVITY_COLUMNS = ("ticket_id", "kind", "on_date", "week", "outcome", "result", "redo")
_COUNTS = ", ".join(f"{f} INTEGER NOT NULL DEFAULT 0" for f in FIGURES)
_SCHEMA = f"""
CREATE TABLE spans (
    ticket_id INTEGER NOT NULL, from_on TEXT NOT NULL, until_on TEXT NOT NULL,
    status TEXT NOT NULL, outcome TEXT, closed_on TEXT, due_on TEXT NOT NULL,
    owner_id INTEGER, department TEXT, supervised INTEGER NOT NULL, supervised_ever INTEGER NOT NULL,
    urged INTEGER NOT NULL, extended INTEGER NOT NULL, ever_closed INTEGER NOT NULL,
    reopened INTEGER NOT NULL, redone INTEGER NOT NULL, follow_up TEXT, last_result TEXT
);
CREATE INDEX spans_ticket ON spans(ticket_id, until_on);
CREATE INDEX spans_pending ON spans(status, until_on, from_on);
CREATE TABLE activity (
    ticket_id INTEGER NOT NULL, kind TEXT NOT NULL, on_date TEXT NOT NULL, week TEXT NOT NULL,
    outcome TEXT, result TEXT, redo INTEGER NOT NULL
);
CREATE INDEX activity_week ON activity(week, kind, ticket_id);
CREATE INDEX activity_ticket ON activity(ticket_id);
CREATE TABLE tallies (day TEXT NOT NULL, dim TEXT NOT NULL, key TEXT NOT NULL, {_COUNTS},
    PRIMARY KEY (day, dim, key));
CREATE TABLE tally_totals (dim TEXT NOT NULL, key TEXT NOT NULL, {_COUNTS}, PRIMARY KEY (dim, key));
"""
TABLES = ("spans", "activity", "tallies", "tally_totals")

# Undone change sets take their events with them (domain.md "Undo").
EFFECTIVE = "(e.changeset IS NULL OR e.changeset NOT IN (SELECT undoes FROM changesets WHERE undoes IS NOT NULL))"
_EVENTS = f"SELECT e.ticket_id, {', '.join('e.' + f for f in EVENT_FIELDS)} FROM events e WHERE {EFFECTIVE}"
PROJECTION = ("status", "outcome", "closed_on", "resolution", "owner_id", "department", "due_on", "supervised",
              "urged", "follow_up", "removed")  # fmt: skip


def _edges(where: str) -> str:
    """Each span of the chosen tickets as +1 on its first day and -1 on the day it ends,
    with every figure's test and every dimension's key: the tallies are their sums."""
    counts = ", ".join(f"{indicator(f, '')} AS {f}" for f in FIGURES)
    keys = ", ".join(f"{sql} AS k_{dim}" for dim, sql in DIMENSIONS.items())
    spans = f"(SELECT s.*, t.category FROM spans s JOIN tickets t ON t.id = s.ticket_id WHERE {where}) AS x"
    return f"""
        SELECT from_on AS day, 1 AS sign, {keys}, {counts} FROM {spans}
        UNION ALL
        SELECT until_on, -1, {keys}, {counts} FROM {spans} WHERE until_on < '{OPEN_END}'"""


def _deltas(where: str, factor: int = 1) -> str:
    """Per (day, dim, key): the change to each figure's count made by the chosen tickets' spans."""
    sums = ", ".join(f"SUM(sign * {f}) * {factor:d} AS {f}" for f in FIGURES)
    nonzero = " OR ".join(f"SUM(sign * {f}) != 0" for f in FIGURES)
    per_dimension = " UNION ALL ".join(
        f"SELECT day, '{dim}' AS dim, k_{dim} AS key, {sums} FROM edges GROUP BY day, k_{dim} HAVING {nonzero}"
        for dim in DIMENSIONS
    )
    return f"WITH edges AS ({_edges(where)}) {per_dimension}"


def _add(conn: sqlite3.Connection, where: str, params, factor: int) -> None:
    """Add (factor 1) or take away (-1) the chosen tickets' spans from the tallies."""
    columns = ", ".join(FIGURES)
    update = ", ".join(f"{f} = {{t}}.{f} + excluded.{f}" for f in FIGURES)
    conn.execute("DELETE FROM tally_deltas")
    conn.execute(f"INSERT INTO tally_deltas (day, dim, key, {columns}) {_deltas(where, factor)}", params)
    conn.execute(
        f"""INSERT INTO tallies (day, dim, key, {columns}) SELECT day, dim, key, {columns} FROM tally_deltas WHERE true
        ON CONFLICT (day, dim, key) DO UPDATE SET {update.format(t="tallies")}"""
    )
    sums = ", ".join(f"SUM({f})" for f in FIGURES)
    conn.execute(
        f"""INSERT INTO tally_totals (dim, key, {columns}) SELECT dim, key, {sums} FROM tally_deltas WHERE true
        GROUP BY dim, key ON CONFLICT (dim, key) DO UPDATE SET {update.format(t="tally_totals")}"""
    )
    # A row whose counts all came back to zero says nothing: gone, as a rebuild would never write it.
    zero = " AND ".join(f"{f} = 0" for f in FIGURES)
    conn.execute(
        f"""DELETE FROM tallies WHERE {zero} AND EXISTS (SELECT 1 FROM tally_deltas d
        WHERE d.day = tallies.day AND d.dim = tallies.dim AND d.key = tallies.key)"""
    )
    conn.execute(
        f"""DELETE FROM tally_totals WHERE {zero} AND EXISTS (SELECT 1 FROM tally_deltas d
        WHERE d.dim = tally_totals.dim AND d.key = tally_totals.key)"""
    )


def _temp_tables(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS chosen_tickets (id INTEGER PRIMARY KEY)")
    conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS tally_deltas (day TEXT, dim TEXT, key TEXT, {_COUNTS})")


def refresh(conn: sqlite3.Connection, ticket_ids: Iterable[int], change=None) -> dict[int, Life]:
    """Replay the given tickets after a change to their events or their own columns.

    `change()`, when given, makes that change in between: their old spans are taken out
    of the tallies before it (a category edit moves a ticket between keys) and the new
    ones added after. Returns each ticket's Life. Raises Refused when a ticket's history
    no longer fits its life; the caller's transaction then rolls back what was written.
    """
    ids = sorted(set(ticket_ids))
    _temp_tables(conn)
    conn.execute("DELETE FROM chosen_tickets")
    conn.executemany("INSERT INTO chosen_tickets (id) VALUES (?)", [(i,) for i in ids])
    where = "s.ticket_id IN (SELECT id FROM chosen_tickets)"
    _add(conn, where, (), -1)  # before the change: a category edit must take the old key's counts away
    if change is not None:
        change()
    # Refused here leaves the caller's transaction to roll back what was written.
    lives = _replay(conn, "IN (SELECT id FROM chosen_tickets)", ())
    conn.execute("DELETE FROM spans WHERE ticket_id IN (SELECT id FROM chosen_tickets)")
    conn.execute("DELETE FROM activity WHERE ticket_id IN (SELECT id FROM chosen_tickets)")
    _write(conn, lives)
    _add(conn, where, (), 1)
    return {ticket_id: life for ticket_id, life, _ in lives}


def life(conn: sqlite3.Connection, ticket_id: int) -> Life:
    """A ticket's replayed history, without writing anything."""
    return _replay(conn, "= ?", (ticket_id,))[0][1]


def _replay(
    conn: sqlite3.Connection, chosen: str, params, refused: list | None = None
) -> list[tuple[int, Life, tuple]]:
    """(ticket id, Life, projection as stored) for the tickets whose id is `chosen` (an SQL
    condition on an id: "IN (…)", "BETWEEN ? AND ?"), in id order. A history that does not
    fit its life raises Refused, or with a `refused` list is noted there and left out."""
    tickets = conn.execute(
        f"SELECT t.id, t.opened_on, t.base_due_on, {', '.join('t.' + c for c in PROJECTION)} FROM tickets t "
        f"WHERE t.id {chosen} ORDER BY t.id",
        params,
    ).fetchall()
    if not tickets:
        return []
    events: dict[int, list[Event]] = {}
    for row in conn.execute(f"{_EVENTS} AND e.ticket_id {chosen}", params):
        events.setdefault(row[0], []).append(Event(*row[1:]))
    lives = []
    for ticket_id, opened_on, due_on, *stored in tickets:
        try:
            life = replay(opened_on, due_on, events.get(ticket_id, []))
        except Refused as e:
            if refused is None:
                raise
            refused.append((ticket_id, f"its {e.event.kind} on {e.event.on_date}: {e.reason}"))
            continue
        lives.append((ticket_id, life, tuple(stored)))
    return lives


def projection(life: Life, stored: tuple) -> tuple:
    """The tickets row's own columns (PROJECTION) that the life says."""
    s = life.state
    if s is None:  # its opening was undone: it keeps its last columns, out of every list
        return (*stored[:-1], life.removed)
    return (s.status, s.outcome, s.closed_on, life.resolution, s.owner_id, s.department, s.due_on,
            s.supervised, s.urged, s.last_result, life.removed)  # fmt: skip


def _write(conn: sqlite3.Connection, lives: list[tuple[int, Life, tuple]]) -> None:
    weeks: dict[str, str] = {}

    def week(day: str) -> str:
        if day not in weeks:
            weeks[day] = dates.week_key(date.fromisoformat(day))
        return weeks[day]

    marks = ", ".join("?" for _ in _SPAN_COLUMNS)
    conn.executemany(
        f"INSERT INTO spans ({', '.join(_SPAN_COLUMNS)}) VALUES ({marks})",
        [(ticket_id, *span) for ticket_id, life, _ in lives for span in life.spans],
    )
    conn.executemany(
        f"INSERT INTO activity ({', '.join(_ACTIVITY_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(ticket_id, k, on, week(on), o, r, d) for ticket_id, life, _ in lives for k, on, o, r, d in life.activity],
    )
    changed = []
    for ticket_id, life, stored in lives:
        now = projection(life, stored)
        if now != stored:
            changed.append((*now, ticket_id))
    if changed:
        sets = ", ".join(f"{c} = ?" for c in PROJECTION)
        conn.executemany(f"UPDATE tickets SET {sets} WHERE id = ?", changed)


def create(conn: sqlite3.Connection) -> None:
    """Drop and create the derived tables (inside the caller's transaction)."""
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
    total = conn.execute("SELECT count(*) FROM tickets").fetchone()[0]
    last, done = 0, 0
    while True:
        top = conn.execute(
            "SELECT max(id) FROM (SELECT id FROM tickets WHERE id > ? ORDER BY id LIMIT ?)", (last, CHUNK)
        ).fetchone()[0]
        if top is None:
            break
        lives = _replay(conn, "BETWEEN ? AND ?", (last + 1, top), refused)
        _write(conn, lives)
        last, done = top, done + len(lives)
        if progress:
            progress("deriving", done, total)
    _sum_all(conn)
    set_version(conn)
    return refused or []


def _sum_all(conn: sqlite3.Connection) -> None:
    columns = ", ".join(FIGURES)
    conn.execute(f"INSERT INTO tallies (day, dim, key, {columns}) {_deltas('1')}")
    sums = ", ".join(f"SUM({f})" for f in FIGURES)
    nonzero = " OR ".join(f"SUM({f}) != 0" for f in FIGURES)
    conn.execute(
        f"""INSERT INTO tally_totals (dim, key, {columns}) SELECT dim, key, {sums} FROM tallies
        GROUP BY dim, key HAVING {nonzero}"""
    )


def set_version(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT INTO meta (key, value) VALUES ('derived', ?) ON CONFLICT (key) DO UPDATE SET value = ?",
                 (VERSION, VERSION))  # fmt: skip


def is_current(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT value FROM meta WHERE key = 'derived'").fetchone()
    return row is not None and row[0] == VERSION
