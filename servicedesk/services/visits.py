"""Visits (走访), who was missed in a week, and feedback from enterprises."""

import re
from datetime import date

from .. import dates
from ..errors import InvalidInput
from ..models import Channel, FeedbackKind, clean_text
from ..store import Store
from . import refs, roster, tickets

_PROBLEM = re.compile(r"^\s*([^:：]+?)\s*[:：]\s*(.+)$", re.S)


def parse_problem(text: str) -> tuple[str, str]:
    """`用工：缺焊工20人` → ("用工", "缺焊工20人"); the colon may be full-width."""
    match = _PROBLEM.match(text or "")
    if not match or not clean_text(match.group(2)):
        raise InvalidInput(f'--problem "{text}" needs CATEGORY:TEXT, e.g. --problem "用工:缺焊工20人"')
    return match.group(1), match.group(2)


def _officer_for(store: Store, enterprise: dict, officer: str | None, acting: str | None, on: date) -> dict:
    if officer:
        return refs.active(refs.officer(store, officer), "officer")
    if acting:
        found = store.row("SELECT * FROM officers WHERE name = ?", (acting,))
        if found:
            return found
    assigned = roster.officers_of(store, enterprise["id"], on)
    if len(assigned) == 1:
        return assigned[0]
    who = (
        f"{enterprise['name']} has {len(assigned)} officers"
        if assigned
        else f"{enterprise['name']} has no officer assigned"
    )
    raise InvalidInput(f"who visited? {who}; give --officer NAME (or --as NAME)")


def log_visit(
    store: Store,
    enterprise: str,
    *,
    officer: str | None = None,
    acting: str | None = None,
    actor: str | None = None,
    on: date | None = None,
    channel: Channel = Channel.onsite,
    note: str | None = None,
    problems: list[str] = (),
) -> tuple[dict, list[dict]]:
    """Record a visit and open one ticket per problem, all in one transaction.

    `acting` is the --as officer (a default for who visited); `actor` is recorded as who logged it.
    """
    day = on or dates.today()
    if day > dates.today():
        raise InvalidInput(f"the visit date {day.isoformat()} is in the future")
    parsed = [parse_problem(p) for p in problems]
    with store.write():
        ent = refs.active(refs.enterprise(store, enterprise), "enterprise")
        who = _officer_for(store, ent, officer, acting, day)
        visit_id = store.insert(
            "visits",
            {
                "enterprise_id": ent["id"],
                "officer_id": who["id"],
                "visited_on": day.isoformat(),
                "week": dates.week_key(day),
                "channel": str(channel),
                "note": clean_text(note),
                "recorded_at": dates.now_iso(),
                "recorded_by": actor,
            },
        )
        ticket_ids = [
            tickets.insert_ticket(
                store, ent, text, category, actor=acting or actor, on=day, visit_id=visit_id, fallback_owner=who["name"]
            )
            for category, text in parsed
        ]
    return visit_item(store, visit_id), [tickets.item(store, t) for t in ticket_ids]


VISIT_SQL = """
SELECT v.id, e.name AS enterprise, v.enterprise_id, o.name AS officer, v.visited_on,
    v.channel, v.note,
    (SELECT group_concat(t.id) FROM tickets t WHERE t.visit_id = v.id) AS tickets
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
    week: str | None = None,
    since: date | None = None,
    until: date | None = None,
    enterprise: str | None = None,
    officer: str | None = None,
    limit: int | None = None,
) -> list[dict]:
    where, params = [], []
    if week:
        where.append("v.week = ?")
        params.append(str(dates.parse_week(week)))
    if since:
        where.append("v.visited_on >= ?")
        params.append(since.isoformat())
    if until:
        where.append("v.visited_on <= ?")
        params.append(until.isoformat())
    if enterprise:
        where.append("v.enterprise_id = ?")
        params.append(refs.enterprise(store, enterprise)["id"])
    if officer:
        where.append("v.officer_id = ?")
        params.append(refs.officer(store, officer)["id"])
    sql = VISIT_SQL + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY v.visited_on, v.id"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [_visit_json(r) for r in store.rows(sql, params)]


def missed(store: Store, week: dates.Week) -> list[dict]:
    """Enterprises with an assignment active on some day of the week and no visit in it,
    each with the officers assigned that week (not today's)."""
    span = {"start": week.start.isoformat(), "end": week.end.isoformat(), "week": week.key}
    active = roster.ACTIVE_IN_SPAN
    officers: dict[int, list[str]] = {}
    for r in store.rows(
        f"""SELECT DISTINCT a.enterprise_id, o.name FROM assignments a JOIN officers o ON o.id = a.officer_id
        WHERE {active} ORDER BY o.name""",
        span,
    ):
        officers.setdefault(r["enterprise_id"], []).append(r["name"])
    rows = store.rows(
        f"""SELECT e.* FROM enterprises e
        WHERE e.id IN (SELECT enterprise_id FROM assignments WHERE {active})
          AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.week = :week AND v.enterprise_id = e.id)
        ORDER BY e.name""",
        span,
    )
    return [roster.enterprise_json(r, officers.get(r["id"], [])) for r in rows]


# Feedback ------------------------------------------------------------------


def add_feedback(
    store: Store,
    enterprise: str,
    kind: FeedbackKind,
    *,
    score: int | None = None,
    ticket: str | None = None,
    on: date | None = None,
    note: str | None = None,
    actor: str | None = None,
) -> dict:
    day = on or dates.today()
    if day > dates.today():
        raise InvalidInput(f"the feedback date {day.isoformat()} is in the future")
    if score is not None and not 1 <= score <= 5:
        raise InvalidInput(f"--score must be from 1 to 5, not {score}")
    if kind == FeedbackKind.rating and score is None:
        raise InvalidInput("a rating needs --score 1-5")
    if kind != FeedbackKind.rating and score is not None:
        raise InvalidInput(f"--score goes with --kind rating, not {kind}")
    with store.write():
        ent = refs.enterprise(store, enterprise)
        ticket_id = None
        if ticket:
            found = refs.ticket(store, ticket)
            if found["enterprise_id"] != ent["id"]:
                raise InvalidInput(f"ticket #{found['id']} belongs to another enterprise")
            ticket_id = found["id"]
        feedback_id = store.insert(
            "feedback",
            {
                "enterprise_id": ent["id"],
                "kind": str(kind),
                "score": score,
                "ticket_id": ticket_id,
                "received_on": day.isoformat(),
                "week": dates.week_key(day),
                "note": clean_text(note),
                "recorded_at": dates.now_iso(),
                "recorded_by": actor,
            },
        )
    return list_feedback(store, feedback_id=feedback_id)[0]


def list_feedback(store: Store, since: date | None = None, until: date | None = None, feedback_id: int | None = None):
    where, params = [], []
    if feedback_id is not None:
        where.append("f.id = ?")
        params.append(feedback_id)
    if since:
        where.append("f.received_on >= ?")
        params.append(since.isoformat())
    if until:
        where.append("f.received_on <= ?")
        params.append(until.isoformat())
    return store.rows(
        """SELECT f.id, e.name AS enterprise, f.enterprise_id, f.kind, f.score, f.ticket_id AS ticket,
            f.received_on, f.note FROM feedback f JOIN enterprises e ON e.id = f.enterprise_id"""
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY f.received_on, f.id",
        params,
    )
