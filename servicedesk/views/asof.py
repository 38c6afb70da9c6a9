"""Reading the derived tables (derive.py) as of a day: the counts of every figure, and
the tickets not closed then with their state on that day."""

from ..derive import FIGURES, indicator
from ..store import Store


def counts(store: Store, day: str, dim: str) -> dict[str, dict[str, int]]:
    """Per key of `dim` (category, owner, department): the count of every figure at the end of `day`."""
    later = ", ".join(f"SUM({f}) AS {f}" for f in FIGURES)
    shown = ", ".join(f"t.{f} - COALESCE(a.{f}, 0)" for f in FIGURES)
    rows = store.conn.execute(
        f"""SELECT t.key, {shown} FROM tally_totals t LEFT JOIN (
            SELECT key, {later} FROM tallies WHERE day > :day AND dim = :dim GROUP BY key
        ) a ON a.key = t.key
        WHERE t.dim = :dim""",
        {"day": day, "dim": dim},
    )
    return {r[0]: dict(zip(FIGURES, r[1:], strict=True)) for r in rows}


def total(per_key: dict[str, dict[str, int]]) -> dict[str, int]:
    """The counts summed over the keys: the whole park's."""
    return {f: sum(c[f] for c in per_key.values()) for f in FIGURES}


def park(store: Store, day: str) -> dict[str, int]:
    """The whole park's count of every figure at the end of `day`."""
    return total(counts(store, day, "category"))


# A span of ticket `t` in force at the end of :day.
SPAN_ON = "s.ticket_id = t.id AND s.from_on <= :day AND s.until_on > :day"


def pending(store: Store, day: str) -> list[dict]:
    """Tickets not closed at the end of `day`, with their state on that day (status, owner,
    department, due date in force, supervision).

    The spans first, then their tickets by id: PostgreSQL's planner puts the spans in force
    on a day at 30× their number at 100k tickets and 300× at 1M (it cannot know that a span
    not yet ended is rarely an unclosed one), and joined to the tickets it read and hashed
    every ticket: 1.1–1.4 s at 1M for 1,500 pending, analysed or not. Looked up by id, the
    tickets are found through their key on both backends (46–111 ms; SQLite's ~20 ms is
    unchanged)."""
    spans = store.rows(
        """SELECT s.ticket_id AS id, s.status, s.due_on, s.owner_id, s.department, s.supervised FROM spans s
        WHERE s.status IN ('open', 'in_progress') AND s.until_on > :day AND s.from_on <= :day""",
        {"day": day},
    )
    tickets = {}
    for at in range(0, len(spans), _IDS_AT_ONCE):
        ids = [s["id"] for s in spans[at : at + _IDS_AT_ONCE]]
        marks = ", ".join("?" for _ in ids)
        for r in store.conn.execute(f"SELECT id, category, opened_on FROM tickets WHERE id IN ({marks})", ids):
            tickets[r[0]] = r
    return [{"id": s["id"], "category": tickets[s["id"]][1], "opened_on": tickets[s["id"]][2], **s} for s in spans]


_IDS_AT_ONCE = 500  # ids per statement (SQLite allows 32,766 parameters; fewer keeps statements cached)


__all__ = ["FIGURES", "SPAN_ON", "counts", "indicator", "park", "pending", "total"]
