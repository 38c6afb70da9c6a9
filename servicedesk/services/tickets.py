"""Opening, moving and listing problem tickets; every change appends an event."""

from datetime import date, timedelta

from .. import dates, tally
from ..errors import InvalidInput, InvalidTransition
from ..models import Outcome, Rate, Status, StatusFilter, clean_line, clean_text
from ..store import Store
from . import refs, roster

# One query serves every list of tickets, so every list has cli.md's JSON shape.
ITEM_SQL = """
SELECT t.id, e.name AS enterprise, t.enterprise_id, t.category, t.title, t.status,
    t.outcome, t.priority, o.name AS owner, t.department, t.opened_on, t.due_on, t.closed_on
FROM tickets t
JOIN enterprises e ON e.id = t.enterprise_id
LEFT JOIN officers o ON o.id = t.owner_id
"""


def _with_overdue(row: dict, today: str) -> dict:
    row["overdue"] = row["status"] != Status.closed and row["due_on"] < today
    return row


def items(store: Store, where: str = "1", params: tuple | dict = (), order: str = "t.id", limit: int | None = None):
    sql = f"{ITEM_SQL} WHERE {where} ORDER BY {order}" + (" LIMIT ?" if limit is not None else "")
    if limit is not None:
        params = (*params, limit)
    today = dates.today().isoformat()
    return [_with_overdue(r, today) for r in store.rows(sql, params)]


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
) -> list[dict]:
    """Tickets, newest first; `since`/`until` bound the opening date."""
    where, params = [], []
    if status == StatusFilter.active:
        where.append("t.status IN ('open', 'in_progress')")
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
    if overdue:
        where.append("t.status IN ('open', 'in_progress') AND t.due_on < ?")
        params.append(dates.today().isoformat())
    if since:
        where.append("t.opened_on >= ?")
        params.append(since.isoformat())
    if until:
        where.append("t.opened_on <= ?")
        params.append(until.isoformat())
    return items(store, " AND ".join(where) or "1", tuple(params), "t.opened_on DESC, t.id DESC", limit)


def _not_future(day: date, what: str) -> str:
    if day > dates.today():
        raise InvalidInput(f"{what} {day.isoformat()} is in the future")
    return day.isoformat()


def _event(store: Store, ticket_id: int, kind: str, on: str, actor: str | None, **fields) -> None:
    record = {"ticket_id": ticket_id, "kind": kind, "on_date": on, "week": dates.week_key(date.fromisoformat(on))}
    record.update(at=dates.now_iso(), actor=actor, **fields)
    store.insert("events", record)


def default_owner(store: Store, enterprise_id: int, on: date, fallback: str | None) -> int | None:
    """The enterprise's officer when it has exactly one, else the `fallback` officer
    (who is acting, or who visited), else nobody."""
    assigned = roster.officers_of(store, enterprise_id, on)
    if len(assigned) == 1:
        return assigned[0]["id"]
    if fallback:
        found = store.row("SELECT id FROM officers WHERE name = ?", (fallback,))
        return found["id"] if found else None
    return None


def open_ticket(
    store: Store,
    enterprise: str,
    title: str,
    category: str,
    *,
    actor: str | None = None,
    owner: str | None = None,
    department: str | None = None,
    priority: str = "normal",
    due: date | None = None,
    on: date | None = None,
    visit_id: int | str | None = None,
) -> dict:
    if visit_id is not None:
        visit_id = refs.number(visit_id, "visit")
    with store.write():
        ticket_id = insert_ticket(
            store,
            enterprise,
            title,
            category,
            actor=actor,
            owner=owner,
            department=department,
            priority=priority,
            due=due,
            on=on,
            visit_id=visit_id,
        )
    return item(store, ticket_id)


def insert_ticket(
    store: Store,
    enterprise,
    title,
    category,
    *,
    actor,
    owner=None,
    department=None,
    priority="normal",
    due=None,
    on=None,
    visit_id=None,
    fallback_owner=None,
) -> int:
    """Insert a ticket and its opening event inside the caller's transaction.

    With no `owner`, default_owner picks one, falling back to `fallback_owner` (default: the actor).
    """
    text = clean_line(title)
    if not text:
        raise InvalidInput("the problem description cannot be empty")
    opened = on or dates.today()
    opened_on = _not_future(opened, "the opening date")
    ent = enterprise if isinstance(enterprise, dict) else refs.active(refs.enterprise(store, enterprise), "enterprise")
    cat = refs.category(store, category)
    owner_id = (
        refs.active(refs.officer(store, owner), "officer")["id"]
        if owner
        else default_owner(store, ent["id"], opened, fallback_owner or actor)
    )
    due_on = (due or opened + timedelta(days=cat["due_days"])).isoformat()
    if due_on < opened_on:
        raise InvalidInput(f"the due date {due_on} is before the opening date {opened_on}")
    if visit_id is not None:
        visit = store.row("SELECT enterprise_id FROM visits WHERE id = ?", (visit_id,))
        if not visit:
            raise InvalidInput(f"no visit #{visit_id}")
        if visit["enterprise_id"] != ent["id"]:
            raise InvalidInput(f"visit #{visit_id} was to another enterprise")
    record = {
        "enterprise_id": ent["id"],
        "visit_id": visit_id,
        "category": cat["code"],
        "title": text,
        "priority": str(priority),
        "owner_id": owner_id,
        "department": clean_text(department),
        "opened_on": opened_on,
        "opened_week": dates.week_key(opened),
        "due_on": due_on,
        "status": str(Status.open),
    }
    ticket_id = store.insert("tickets", record)
    _event(store, ticket_id, "opened", opened_on, actor, owner_id=owner_id, department=record["department"])
    tally.opened(store.conn, ticket_id, opened_on, cat["code"], owner_id)
    return ticket_id


def _last_status_event(store: Store, ticket_id: int, kinds: tuple[str, ...]) -> dict:
    marks = ", ".join("?" for _ in kinds)
    return store.row(
        f"SELECT * FROM events WHERE ticket_id = ? AND kind IN ({marks}) ORDER BY on_date DESC, id DESC LIMIT 1",
        (ticket_id, *kinds),
    )


def _dated(store: Store, ticket: dict, on: date | None, verb: str) -> str:
    """The effective date of a status change: not in the future, not before the last one."""
    day = _not_future(on or dates.today(), f"the {verb} date")
    # `started` is left out: it has no --date, so it is dated today, and a close recorded
    # after it may rightly be back-dated before it.
    last = _last_status_event(store, ticket["id"], ("opened", "closed", "reopened"))
    if day < ticket["opened_on"]:
        raise InvalidTransition(
            f"ticket #{ticket['id']} was opened on {ticket['opened_on']}; cannot {verb} it on {day}"
        )
    if day < last["on_date"]:
        raise InvalidTransition(
            f"ticket #{ticket['id']} was {last['kind']} on {last['on_date']}; cannot {verb} it on an earlier date ({day})"
        )
    return day


def add_note(store: Store, ref: str, text: str, actor: str | None) -> dict:
    note = clean_text(text)
    if not note:
        raise InvalidInput("the note cannot be empty")
    with store.write():
        ticket = refs.ticket(store, ref)
        _event(store, ticket["id"], "note", dates.today().isoformat(), actor, note=note)
    return item(store, ticket["id"])


def start(store: Store, ref: str, actor: str | None) -> dict:
    with store.write():
        ticket = refs.ticket(store, ref)
        if ticket["status"] != Status.open:
            state = "already in progress" if ticket["status"] == Status.in_progress else "closed; reopen it first"
            raise InvalidTransition(f"ticket #{ticket['id']} is {state}")
        day = _dated(store, ticket, None, "start")
        store.conn.execute("UPDATE tickets SET status = 'in_progress' WHERE id = ?", (ticket["id"],))
        _event(store, ticket["id"], "started", day, actor)
    return item(store, ticket["id"])


def reassign(store: Store, ref: str, officer_ref: str, actor: str | None) -> tuple[dict, bool]:
    """Give the ticket a new owner; returns (ticket, changed)."""
    with store.write():
        ticket = refs.ticket(store, ref)
        officer = refs.active(refs.officer(store, officer_ref), "officer")
        if ticket["owner_id"] == officer["id"]:
            return item(store, ticket["id"]), False
        day = max(dates.today().isoformat(), ticket["opened_on"])
        store.conn.execute("UPDATE tickets SET owner_id = ? WHERE id = ?", (officer["id"], ticket["id"]))
        _event(store, ticket["id"], "assigned", day, actor, owner_id=officer["id"])
        tally.reassigned(store.conn, day, ticket["owner_id"], officer["id"])
    return item(store, ticket["id"]), True


def refer(store: Store, ref: str, department: str, actor: str | None) -> dict:
    dept = clean_text(department)
    if not dept:
        raise InvalidInput("name the department the ticket is referred to")
    with store.write():
        ticket = refs.ticket(store, ref)
        store.conn.execute("UPDATE tickets SET department = ? WHERE id = ?", (dept, ticket["id"]))
        _event(store, ticket["id"], "referred", dates.today().isoformat(), actor, department=dept)
    return item(store, ticket["id"])


def close(store: Store, ref: str, resolution: str, outcome: Outcome, on: date | None, actor: str | None) -> dict:
    text = clean_text(resolution)
    if not text:
        raise InvalidInput("closing needs a resolution note: --resolution TEXT")
    with store.write():
        ticket = refs.ticket(store, ref)
        if ticket["status"] == Status.closed:
            raise InvalidTransition(
                f"ticket #{ticket['id']} is already closed ({ticket['outcome']}, {ticket['closed_on']}); "
                f"reopen it first: servicedesk ticket reopen {ticket['id']} --reason TEXT"
            )
        day = _dated(store, ticket, on, "close")
        store.conn.execute(
            "UPDATE tickets SET status = 'closed', outcome = ?, closed_on = ?, resolution = ? WHERE id = ?",
            (str(outcome), day, text, ticket["id"]),
        )
        _event(store, ticket["id"], "closed", day, actor, note=text, outcome=str(outcome))
        tally.closed(store.conn, ticket["id"], day, ticket["category"], str(outcome), ticket["due_on"])
    return item(store, ticket["id"])


def reopen(store: Store, ref: str, reason: str, on: date | None, actor: str | None) -> dict:
    text = clean_text(reason)
    if not text:
        raise InvalidInput("reopening needs a reason: --reason TEXT")
    with store.write():
        ticket = refs.ticket(store, ref)
        if ticket["status"] != Status.closed:
            raise InvalidTransition(
                f"ticket #{ticket['id']} is {ticket['status'].replace('_', ' ')}; only a closed ticket can be reopened"
            )
        day = _dated(store, ticket, on, "reopen")
        last_close = _last_status_event(store, ticket["id"], ("closed",))
        store.conn.execute(
            "UPDATE tickets SET status = 'open', outcome = NULL, closed_on = NULL, resolution = NULL WHERE id = ?",
            (ticket["id"],),
        )
        _event(store, ticket["id"], "reopened", day, actor, note=text)
        tally.reopened(store.conn, ticket["id"], day, ticket["category"], last_close, ticket["due_on"])
    return item(store, ticket["id"])


def history(store: Store, ticket_id: int) -> list[dict]:
    rows = store.rows(
        """SELECT ev.on_date AS "on", ev.at, ev.actor, ev.kind, ev.note, ev.outcome,
            o.name AS owner, ev.department
        FROM events ev LEFT JOIN officers o ON o.id = ev.owner_id
        WHERE ev.ticket_id = ? ORDER BY ev.on_date, ev.id""",
        (ticket_id,),
    )
    for r in rows:
        for key in ("outcome", "owner", "department"):
            if r[key] is None:
                del r[key]
    return rows


def show(store: Store, ref: str) -> dict:
    ticket = refs.ticket(store, ref)
    shown = item(store, ticket["id"])
    shown.update(visit_id=ticket["visit_id"], resolution=ticket["resolution"], history=history(store, ticket["id"]))
    return shown


def cumulative(store: Store, on: date | None = None) -> dict:
    """Collected / closed / closure rate as of a day: the figure each change reports back."""
    sums = tally.total(tally.as_of(store.conn, (on or dates.today()).isoformat(), "category"))
    return {
        "collected": sums["collected"],
        "closed": sums["closed"],
        "closure_rate": Rate(sums["closed"], sums["collected"]),
    }
