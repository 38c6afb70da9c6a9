"""An officer's week on one screen (`agenda`): assigned enterprises not visited yet this
week, and the officer's own tickets overdue, due soon and under supervision."""

from .. import dates
from ..store import Store
from ..views import calendar, refs, visits
from ..views import tickets as ticket_views
from .weekly import category_labels

_MINE = f"t.owner_id = ? AND {ticket_views.LIVE} AND {ticket_views.NOT_CLOSED}"


def agenda(store: Store, officer: dict, days: int = 3) -> dict:
    """`days`: what counts as due soon, in working days from today (today included)."""
    today = dates.today()
    week = dates.week_of(today)
    mine = (officer["id"],)
    with store.snapshot():
        soon = calendar.load(store, today).nth_workday_from(today, days).isoformat()
        order = "t.due_on, t.id"
        return {
            "officer": officer["name"],
            "date": today.isoformat(),
            "week": week.key,
            "days": days,
            "unvisited": visits.missed(store, week, officer["id"]),
            "overdue": ticket_views.items(store, f"{_MINE} AND t.due_on < ?", (*mine, today.isoformat()), order),
            "due_soon": ticket_views.items(
                store, f"{_MINE} AND t.due_on >= ? AND t.due_on <= ?", (*mine, today.isoformat(), soon), order
            ),
            "supervised": ticket_views.items(store, f"{_MINE} AND t.supervised = 1", mine, order),
            "categories": [{"category": c["code"], **category_labels(c)} for c in refs.categories(store)],
        }
