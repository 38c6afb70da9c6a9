"""Derived state that keeps as-of figures cheap however long the history grows.

Two tables are kept in step with the append-only events, in the same transaction:

- `pending`: the spans of days in which a ticket was not closed. "Open as of D" is the
  spans with from_on <= D < until_on; the index on until_on means a report for a recent
  week reads only the few spans that end after D, not the whole history.
- `tallies`: daily changes to the cumulative counts (collected, closed, solved, on time)
  per category and per owner, with their sums in `tally_totals`; the count as of D is
  the total minus the changes dated after D.

`rebuild` recomputes both from the events; a test checks it agrees with the
incremental updates, and bulk writers (import, demo) call it instead of bumping.
"""

import sqlite3

OPEN_END = "9999-12-31"

_BUMP = """
INSERT INTO {table} ({keys}, collected, closed, solved, on_time) VALUES ({marks}, ?, ?, ?, ?)
ON CONFLICT ({keys}) DO UPDATE SET
    collected = collected + excluded.collected, closed = closed + excluded.closed,
    solved = solved + excluded.solved, on_time = on_time + excluded.on_time
"""
_BUMP_DAY = _BUMP.format(table="tallies", keys="day, dim, key", marks="?, ?, ?")
_BUMP_TOTAL = _BUMP.format(table="tally_totals", keys="dim, key", marks="?, ?")


def owner_key(owner_id: int | None) -> str:
    return "" if owner_id is None else str(owner_id)


def bump(conn: sqlite3.Connection, day: str, dim: str, key: str, *, collected=0, closed=0, solved=0, on_time=0):
    counts = (collected, closed, solved, on_time)
    conn.execute(_BUMP_DAY, (day, dim, key, *counts))
    conn.execute(_BUMP_TOTAL, (dim, key, *counts))


def opened(conn, ticket_id: int, day: str, category: str, owner_id: int | None) -> None:
    conn.execute("INSERT INTO pending VALUES (?, ?, ?)", (ticket_id, day, OPEN_END))
    bump(conn, day, "category", category, collected=1)
    bump(conn, day, "owner", owner_key(owner_id), collected=1)


def closed(conn, ticket_id: int, day: str, category: str, outcome: str, due_on: str) -> None:
    conn.execute("UPDATE pending SET until_on = ? WHERE ticket_id = ? AND until_on = ?", (day, ticket_id, OPEN_END))
    bump(conn, day, "category", category, closed=1, solved=int(outcome == "resolved"), on_time=int(day <= due_on))


def reopened(conn, ticket_id: int, day: str, category: str, last_close: dict, due_on: str) -> None:
    """Undo the counts of the ticket's last close (a dict with on_date and outcome)."""
    conn.execute("INSERT INTO pending VALUES (?, ?, ?)", (ticket_id, day, OPEN_END))
    bump(
        conn,
        day,
        "category",
        category,
        closed=-1,
        solved=-int(last_close["outcome"] == "resolved"),
        on_time=-int(last_close["on_date"] <= due_on),
    )


def reassigned(conn, day: str, old_owner: int | None, new_owner: int | None) -> None:
    bump(conn, day, "owner", owner_key(old_owner), collected=-1)
    bump(conn, day, "owner", owner_key(new_owner), collected=1)


# The status events of each ticket in order, with their neighbours.
_STATUS = """
WITH s AS (
    SELECT e.ticket_id, e.kind, e.on_date, e.outcome,
        LEAD(e.on_date) OVER w AS next_on,
        LAG(e.on_date) OVER w AS prev_on,
        LAG(e.outcome) OVER w AS prev_outcome
    FROM events e WHERE e.kind IN ('opened', 'closed', 'reopened')
    WINDOW w AS (PARTITION BY e.ticket_id ORDER BY e.on_date, e.id)
)
"""

_REBUILD = (
    "DELETE FROM pending",
    "DELETE FROM tallies",
    "DELETE FROM tally_totals",
    _STATUS
    + """
    INSERT INTO pending (ticket_id, from_on, until_on)
    SELECT ticket_id, on_date, COALESCE(next_on, '9999-12-31') FROM s
    WHERE kind IN ('opened', 'reopened')
    """,
    _STATUS
    + """
    INSERT INTO tallies (day, dim, key, collected, closed, solved, on_time)
    SELECT s.on_date, 'category', t.category,
        SUM(s.kind = 'opened'),
        SUM(CASE s.kind WHEN 'closed' THEN 1 WHEN 'reopened' THEN -1 ELSE 0 END),
        SUM(CASE WHEN s.kind = 'closed' AND s.outcome = 'resolved' THEN 1
                 WHEN s.kind = 'reopened' AND s.prev_outcome = 'resolved' THEN -1 ELSE 0 END),
        SUM(CASE WHEN s.kind = 'closed' AND s.on_date <= t.due_on THEN 1
                 WHEN s.kind = 'reopened' AND s.prev_on <= t.due_on THEN -1 ELSE 0 END)
    FROM s JOIN tickets t ON t.id = s.ticket_id
    GROUP BY s.on_date, t.category
    """,
    """
    WITH o AS (
        SELECT kind, on_date, COALESCE(CAST(owner_id AS TEXT), '') AS owner,
            COALESCE(CAST(LAG(owner_id) OVER w AS TEXT), '') AS prev_owner
        FROM events WHERE kind IN ('opened', 'assigned')
        WINDOW w AS (PARTITION BY ticket_id ORDER BY on_date, id)
    )
    INSERT INTO tallies (day, dim, key, collected)
    SELECT day, 'owner', owner, SUM(n) FROM (
        SELECT on_date AS day, owner, 1 AS n FROM o
        UNION ALL
        SELECT on_date, prev_owner, -1 FROM o WHERE kind = 'assigned'
    ) GROUP BY day, owner
    """,
    """
    INSERT INTO tally_totals (dim, key, collected, closed, solved, on_time)
    SELECT dim, key, SUM(collected), SUM(closed), SUM(solved), SUM(on_time)
    FROM tallies GROUP BY dim, key
    """,
)


def rebuild(conn: sqlite3.Connection) -> None:
    """Recompute pending spans and tallies from the events (inside the caller's transaction)."""
    for statement in _REBUILD:
        conn.execute(statement)


def as_of(conn: sqlite3.Connection, day: str, dim: str) -> dict[str, dict[str, int]]:
    """Cumulative counts per key of `dim` at the end of `day`."""
    rows = conn.execute(
        """
        SELECT t.key,
            t.collected - COALESCE(a.collected, 0) AS collected,
            t.closed - COALESCE(a.closed, 0) AS closed,
            t.solved - COALESCE(a.solved, 0) AS solved,
            t.on_time - COALESCE(a.on_time, 0) AS on_time
        FROM tally_totals t LEFT JOIN (
            SELECT key, SUM(collected) AS collected, SUM(closed) AS closed,
                SUM(solved) AS solved, SUM(on_time) AS on_time
            FROM tallies WHERE day > ? AND dim = ? GROUP BY key
        ) a ON a.key = t.key
        WHERE t.dim = ?
        """,
        (day, dim, dim),
    )
    return {r[0]: {"collected": r[1], "closed": r[2], "solved": r[3], "on_time": r[4]} for r in rows}


def total(per_key: dict[str, dict[str, int]]) -> dict[str, int]:
    """The counts of as_of() summed over its keys: the whole park's."""
    return {k: sum(c[k] for c in per_key.values()) for k in ("collected", "closed", "solved", "on_time")}


def owner_as_of(ticket: str, day: str) -> str:
    """SQL for a ticket's owner id at the end of a day: its latest opened/assigned event up to
    then. `ticket` and `day` are SQL expressions (a column, a :parameter), never user text."""
    return f"""(SELECT e.owner_id FROM events e WHERE e.ticket_id = {ticket}
        AND e.kind IN ('opened', 'assigned') AND e.on_date <= {day}
        ORDER BY e.on_date DESC, e.id DESC LIMIT 1)"""


def open_as_of(conn: sqlite3.Connection, day: str) -> list[dict]:
    """Tickets not closed at the end of `day`, with their owner and status as of that day."""
    rows = conn.execute(
        f"""
        SELECT t.id, t.category, t.opened_on, t.due_on, {owner_as_of("t.id", ":d")} AS owner_id,
            (SELECT e.kind FROM events e WHERE e.ticket_id = t.id
                AND e.kind IN ('opened', 'started', 'reopened') AND e.on_date <= :d
                ORDER BY e.on_date DESC, e.id DESC LIMIT 1) AS last_kind
        FROM pending p JOIN tickets t ON t.id = p.ticket_id
        WHERE p.until_on > :d AND p.from_on <= :d
        """,
        {"d": day},
    )
    return [dict(r) for r in rows]
