"""The working-day calendar as the ledger keeps it, and the park's settings.

Reads only the `calendar` table (the package's days copied in by services/calendar.py,
and the park's own entries), so lists and reports never import the holiday package.
"""

from datetime import date

from ..store import Store
from ..workdays import Calendar, Day

SETTINGS = {"park": None, "yellow_days": "3"}  # every setting and its default


def known_years(store: Store) -> range | None:
    """The years the package's copy covers, or None when the ledger has no copy yet."""
    value = store.value("SELECT value FROM meta WHERE key = 'calendar_years'")
    if not value:
        return None
    first, last = (int(y) for y in value.split("-"))
    return range(first, last + 1)


def load(store: Store, first: date | None = None, last: date | None = None) -> Calendar:
    """The calendar from the ledger; with `first`/`last`, only the days in between are read
    (a light needs the next few weeks, not twenty years)."""
    where, params = [], []
    if first:
        where.append("day >= ?")
        params.append(first.isoformat())
    if last:
        where.append("day <= ?")
        params.append(last.isoformat())
    rows = store.rows(
        "SELECT day, workday, name, source FROM calendar" + (" WHERE " + " AND ".join(where) if where else ""),
        params,
    )
    days = [Day(date.fromisoformat(r["day"]), bool(r["workday"]), r["name"], r["source"]) for r in rows]
    return Calendar(days, known_years(store) or ())


def settings(store: Store) -> dict[str, str | None]:
    """Every setting, with its default where the park has not set it."""
    stored = dict(store.conn.execute("SELECT key, value FROM settings"))
    return {key: stored.get(key, default) for key, default in SETTINGS.items()}


def yellow_days(store: Store) -> int:
    return int(settings(store)["yellow_days"])


def light(due_on: str | None, day: str, yellow_until: str) -> str | None:
    """A ticket's light on `day` (domain.md): red once overdue, yellow when due within the
    next working days up to `yellow_until`, else green; None without a due date."""
    if due_on is None:
        return None
    if due_on < day:
        return "red"
    return "yellow" if due_on <= yellow_until else "green"


def yellow_until(store: Store, day: date) -> str:
    """The last day a due date lights yellow on `day`: the yellow_days-th working day from it."""
    from datetime import timedelta

    span = yellow_days(store)
    calendar = load(store, day, day + timedelta(days=span * 3 + 30))
    return calendar.nth_workday_from(day, span).isoformat()
