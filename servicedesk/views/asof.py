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
    department, due date in force, supervision)."""
    return store.rows(
        """SELECT t.id, t.category, t.opened_on, s.status, s.due_on, s.owner_id, s.department, s.supervised
        FROM spans s JOIN tickets t ON t.id = s.ticket_id
        WHERE s.status IN ('open', 'in_progress') AND s.until_on > :day AND s.from_on <= :day""",
        {"day": day},
    )


__all__ = ["FIGURES", "SPAN_ON", "counts", "indicator", "park", "pending", "total"]
