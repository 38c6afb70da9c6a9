"""Tickets as lists and `ticket show` present them (cli.md's JSON shapes), current state.

A deleted or undone ticket (`removed`) is in no list; `ticket show` still shows it.
"""

import json
from datetime import date

from .. import dates
from ..models import Status, StatusFilter
from ..store import Store
from . import refs

# One query serves every list of tickets, so every list has cli.md's JSON shape.
ITEM_SQL = """
SELECT t.id, e.name AS enterprise, t.enterprise_id, t.category, t.title, t.status,
    t.outcome, t.priority, o.name AS owner, t.department, t.opened_on, t.due_on, t.closed_on,
    t.supervised, t.urged, t.follow_up
FROM tickets t
JOIN enterprises e ON e.id = t.enterprise_id
LEFT JOIN officers o ON o.id = t.owner_id
"""
LIVE = "t.removed IS NULL"
NOT_CLOSED = "t.status IN ('open', 'in_progress')"


def _item(row: dict, today: str) -> dict:
    row["overdue"] = row["status"] != Status.closed and row["due_on"] < today
    row["supervised"] = bool(row["supervised"])
    return row


def items(store: Store, where: str = "1", params: tuple | dict = (), order: str = "t.id", limit: int | None = None):
    """Tickets matching `where` (SQL over `t`, our own fragments; values go in `params`)."""
    sql = f"{ITEM_SQL} WHERE {where} ORDER BY {order}" + (" LIMIT ?" if limit is not None else "")
    if limit is not None:
        params = (*params, limit)
    today = dates.today().isoformat()
    return [_item(r, today) for r in store.rows(sql, params)]


def item(store: Store, ticket_id: int) -> dict:
    return items(store, "t.id = ?", (ticket_id,))[0]


def list_tickets(
    store: Store,
    status: StatusFilter = StatusFilter.active,
    category: str | None = None,
    enterprise: str | None = None,
    owner: str | None = None,
    overdue: bool = False,
    since: date | None = None,
    until: date | None = None,
    limit: int | None = None,
    department: str | None = None,
    supervised: bool = False,
) -> list[dict]:
    """Live tickets, newest first; `since`/`until` bound the opening date."""
    where, params = [LIVE], []
    if status == StatusFilter.active:
        where.append(NOT_CLOSED)
    elif status != StatusFilter.all:
        where.append("t.status = ?")
        params.append(str(status))
    if category:
        where.append("t.category = ?")
        params.append(refs.category(store, category)["code"])
    if enterprise:
        where.append("t.enterprise_id = ?")
        params.append(refs.enterprise(store, enterprise)["id"])
    if owner:
        where.append("t.owner_id = ?")
        params.append(refs.officer(store, owner)["id"])
    if department:
        where.append("t.department = ?")
        params.append(department.strip())
    if supervised:
        where.append(f"t.supervised = 1 AND {NOT_CLOSED}")
    if overdue:
        where.append(f"{NOT_CLOSED} AND t.due_on < ?")
        params.append(dates.today().isoformat())
    if since:
        where.append("t.opened_on >= ?")
        params.append(since.isoformat())
    if until:
        where.append("t.opened_on <= ?")
        params.append(until.isoformat())
    return items(store, " AND ".join(where), tuple(params), "t.opened_on DESC, t.id DESC", limit)


def history(store: Store, ticket: dict) -> list[dict]:
    """Every event recorded on the ticket, in the order of its life (effective date, then
    recording order), undone ones included and marked."""
    rows = store.rows(
        """SELECT ev.id, CASE WHEN ev.kind = 'opened' THEN :opened ELSE ev.on_date END AS "on", ev.at, ev.actor,
            ev.kind, ev.note, ev.outcome, o.name AS owner, ev.department, ev.due_on, ev.result, ev.score, ev.redo,
            ev.detail, u.id AS undone_by
        FROM events ev LEFT JOIN officers o ON o.id = ev.owner_id
        LEFT JOIN changesets u ON u.undoes = ev.changeset
        WHERE ev.ticket_id = :id ORDER BY "on", ev.kind != 'opened', ev.id""",
        {"id": ticket["id"], "opened": ticket["opened_on"]},
    )
    for r in rows:
        del r["id"]
        r["redo"] = bool(r["redo"]) if r["kind"] == "reopened" else None
        r["undone"] = r.pop("undone_by") is not None or None
        detail = r.pop("detail")
        if detail:
            r["changes"] = json.loads(detail)
        for key in ("outcome", "owner", "department", "due_on", "result", "score", "redo", "undone"):
            if r[key] is None:
                del r[key]
    return rows


def show(store: Store, ref: str) -> dict:
    ticket = refs.ticket(store, ref)
    shown = item(store, ticket["id"])
    shown.update(visit_id=ticket["visit_id"], resolution=ticket["resolution"], history=history(store, ticket))
    if ticket["removed"]:
        shown["removed"] = ticket["removed"]
    return shown
