"""Tickets as lists and `ticket show` present them (cli.md's JSON shapes), current state.

A deleted or undone ticket (`removed`) is in no list; `ticket show` still shows it.
"""

import json
from datetime import date

from .. import dates
from ..derive import indicator
from ..life import OPEN_END
from ..models import Status, StatusFilter
from ..store import Store
from . import calendar, refs

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


def _item(row: dict, today: str, yellow_until: str) -> dict:
    not_closed = row["status"] != Status.closed
    row["overdue"] = not_closed and row["due_on"] < today
    row["light"] = calendar.light(row["due_on"], today, yellow_until) if not_closed else None
    row["supervised"] = bool(row["supervised"])
    return row


def items(store: Store, where: str = "1", params: tuple | dict = (), order: str = "t.id", limit: int | None = None):
    """Tickets matching `where` (SQL over `t`, our own fragments; values go in `params`)."""
    sql = f"{ITEM_SQL} WHERE {where} ORDER BY {order}" + (" LIMIT ?" if limit is not None else "")
    if limit is not None:
        params = (*params, limit)
    rows = store.rows(sql, params)
    if not rows:
        return rows
    today = dates.today()
    yellow_until = calendar.yellow_until(store, today)
    return [_item(r, today.isoformat(), yellow_until) for r in rows]


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
    light: str | None = None,
    due_within: int | None = None,
    awaiting_follow_up: bool = False,
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
    today = dates.today()
    if overdue or light == "red":
        where.append(f"{NOT_CLOSED} AND t.due_on < ?")
        params.append(today.isoformat())
    if light in ("yellow", "green"):
        where.append(f"{NOT_CLOSED} AND t.due_on >= ? AND t.due_on {'<=' if light == 'yellow' else '>'} ?")
        params += [today.isoformat(), calendar.yellow_until(store, today)]
    if due_within is not None:
        # Due on one of the next N working days, today included (not yet overdue).
        last = calendar.load(store, today).nth_workday_from(today, due_within)
        where.append(f"{NOT_CLOSED} AND t.due_on >= ? AND t.due_on <= ?")
        params += [today.isoformat(), last.isoformat()]
    if awaiting_follow_up:
        # Closed, and its latest close not followed up yet (the span it is in now says so).
        where.append(
            f"t.status = 'closed' AND EXISTS (SELECT 1 FROM spans s WHERE s.ticket_id = t.id "
            f"AND s.until_on = '{OPEN_END}' AND {indicator('followed')} = 0)"
        )
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
