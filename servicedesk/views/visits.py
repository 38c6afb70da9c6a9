"""Visits, who was missed in a week, and feedback, as lists and reports show them.

Deleted or undone visits and feedback (a `removed` mark) are in no list and no figure.
"""

from datetime import date

from .. import dates
from ..models import assigned_sql
from ..store import Store
from . import roster

VISIT_SQL = """
SELECT v.id, e.name AS enterprise, v.enterprise_id, o.name AS officer, v.visited_on,
    v.channel, v.note,
    (SELECT group_concat(t.id) FROM tickets t WHERE t.visit_id = v.id AND t.removed IS NULL) AS tickets
FROM visits v JOIN enterprises e ON e.id = v.enterprise_id
LEFT JOIN officers o ON o.id = v.officer_id
"""


def _visit_json(row: dict) -> dict:
    row["tickets"] = sorted(int(t) for t in row["tickets"].split(",")) if row["tickets"] else []
    return row


def visit_item(store: Store, visit_id: int) -> dict:
    return _visit_json(store.row(VISIT_SQL + " WHERE v.id = ?", (visit_id,)))


def list_visits(
    store: Store,
    week: dates.Week | None = None,
    since: date | None = None,
    until: date | None = None,
    enterprise_id: int | None = None,
    officer_id: int | None = None,
    limit: int | None = None,
) -> list[dict]:
    where, params = ["v.removed IS NULL"], []
    if week:
        where.append("v.week = ?")
        params.append(week.key)
    if since:
        where.append("v.visited_on >= ?")
        params.append(since.isoformat())
    if until:
        where.append("v.visited_on <= ?")
        params.append(until.isoformat())
    if enterprise_id is not None:
        where.append("v.enterprise_id = ?")
        params.append(enterprise_id)
    if officer_id is not None:
        where.append("v.officer_id = ?")
        params.append(officer_id)
    sql = VISIT_SQL + " WHERE " + " AND ".join(where) + " ORDER BY v.visited_on, v.id"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [_visit_json(r) for r in store.rows(sql, params)]


def span(week: dates.Week) -> dict:
    """The parameters every query of a week takes: :start, :end (its Monday and Sunday), :week."""
    return {"start": week.start.isoformat(), "end": week.end.isoformat(), "week": week.key}


# The enterprises with an assignment on some day of the week (:start–:end).
ASSIGNED_IN_WEEK = f"SELECT enterprise_id FROM assignments a WHERE {assigned_sql()}"
# A live visit to enterprise `e` in the week :week.
VISITED_IN_WEEK = "EXISTS (SELECT 1 FROM visits v WHERE v.week = :week AND v.enterprise_id = {e} AND v.removed IS NULL)"


def missed(store: Store, week: dates.Week, officer_id: int | None = None) -> list[dict]:
    """Enterprises with an assignment active on some day of the week and no visit in it,
    each with the officers assigned that week (not today's); with `officer_id`, only
    the enterprises that officer looked after that week."""
    params = {**span(week), "officer": officer_id}
    mine = "" if officer_id is None else " AND a.officer_id = :officer"
    officers: dict[int, list[str]] = {}
    for r in store.rows(
        f"""SELECT DISTINCT a.enterprise_id, o.name FROM assignments a JOIN officers o ON o.id = a.officer_id
        WHERE {assigned_sql()} ORDER BY o.name""",
        params,
    ):
        officers.setdefault(r["enterprise_id"], []).append(r["name"])
    rows = store.rows(
        f"""SELECT e.* FROM enterprises e
        WHERE e.id IN ({ASSIGNED_IN_WEEK}{mine}) AND NOT {VISITED_IN_WEEK.format(e="e.id")}
        ORDER BY e.name""",
        params,
    )
    return [roster.enterprise_json(r, officers.get(r["id"], [])) for r in rows]


FEEDBACK_SQL = """SELECT f.id, e.name AS enterprise, f.enterprise_id, f.kind, f.score, f.ticket_id AS ticket,
    f.received_on, f.note FROM feedback f JOIN enterprises e ON e.id = f.enterprise_id"""


def feedback_item(store: Store, feedback_id: int) -> dict:
    return store.row(FEEDBACK_SQL + " WHERE f.id = ?", (feedback_id,))


def list_feedback(store: Store, since: date | None = None, until: date | None = None) -> list[dict]:
    where, params = ["f.removed IS NULL"], []
    if since:
        where.append("f.received_on >= ?")
        params.append(since.isoformat())
    if until:
        where.append("f.received_on <= ?")
        params.append(until.isoformat())
    return store.rows(FEEDBACK_SQL + " WHERE " + " AND ".join(where) + " ORDER BY f.received_on, f.id", params)
