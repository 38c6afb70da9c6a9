"""Opening and moving problem tickets: every change appends a dated event, and the
ticket is replayed (life.py) so its state and the derived tables follow.

Each verb is one transaction and one change set (what `undo` reverses). An event that
does not fit the ticket's life at its date is refused, naming the event it conflicts with.
"""

import json
from datetime import date

from .. import dates, derive
from ..dates import Limit
from ..errors import InvalidInput, InvalidTransition
from ..i18n import _
from ..life import Event, EventKind, Refused, kind_said, too_early, verb
from ..models import Outcome, Status, clean_line, clean_text
from ..store import Store
from ..views import calendar as views_calendar
from ..views import refs
from ..views import tickets as views
from ..views.roster import officers_of
from . import calendar

K = EventKind


def not_future(day: date, what: str) -> str:
    if day > dates.today():
        raise InvalidInput(_("{what} {date} is in the future").format(what=what, date=day.isoformat()))
    return day.isoformat()


def default_owner(store: Store, enterprise_id: int, on: date, fallback: str | None) -> int | None:
    """The enterprise's officer when it has exactly one, else the `fallback` officer
    (who is acting, or who visited), else nobody."""
    assigned = officers_of(store, enterprise_id, on.isoformat())
    if len(assigned) == 1:
        return assigned[0]["id"]
    if fallback:
        found = store.row("SELECT id FROM officers WHERE name = ?", (fallback,))
        return found["id"] if found else None
    return None


def live(store: Store, ref: str | int) -> dict:
    """A ticket that can still be worked on: not deleted, not undone."""
    ticket = refs.ticket(store, ref)
    if ticket["removed"] == "deleted":
        raise InvalidTransition(
            _("ticket #{id} was deleted; `servicedesk ticket show {id}` says why").format(id=ticket["id"])
        )
    if ticket["removed"]:
        raise InvalidTransition(_("ticket #{id} was undone").format(id=ticket["id"]))
    return ticket


def duplicate_of(store: Store, enterprise_id: int, category: str, title: str) -> dict | None:
    """A live ticket still open with the same enterprise, category and title."""
    return store.row(
        """SELECT id, opened_on FROM tickets WHERE enterprise_id = ? AND category = ? AND title = ?
        AND removed IS NULL AND status != 'closed' ORDER BY id LIMIT 1""",
        (enterprise_id, category, title),
    )


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
    again=False,
    visit_is_new=False,
) -> derive.Opened:
    """Insert a ticket and its opening event inside the caller's transaction; the caller
    derives it (derive.opened) once everything it opens is in.

    With no `owner`, default_owner picks one, falling back to `fallback_owner` (default: the actor).
    `visit_is_new`: the caller has just inserted the visit `visit_id`, to this enterprise, in
    this transaction (visit log): it is not looked up again.
    """
    text = clean_line(title)
    if not text:
        raise InvalidInput(_("the problem description cannot be empty"))
    opened = on or dates.today()
    opened_on = not_future(opened, _("the opening date"))
    ent = enterprise if isinstance(enterprise, dict) else refs.active(refs.enterprise(store, enterprise), "enterprise")
    cat = refs.category(store, category)
    if not again and (twin := duplicate_of(store, ent["id"], cat["code"], text)):
        raise InvalidInput(
            _("already recorded as ticket #{id} (open since {date}); --again records another").format(
                id=twin["id"], date=twin["opened_on"]
            )
        )
    owner_id = (
        refs.active(refs.officer(store, owner), "officer")["id"]
        if owner
        else default_owner(store, ent["id"], opened, fallback_owner or actor)
    )
    due_on = due_date(store, opened, due, cat).isoformat()
    if due_on < opened_on:
        raise InvalidInput(
            _("the due date {due_on} is before the opening date {opened_on}").format(due_on=due_on, opened_on=opened_on)
        )
    if visit_id is not None and not visit_is_new:
        visit = store.row("SELECT enterprise_id FROM visits WHERE id = ? AND removed IS NULL", (visit_id,))
        if not visit:
            raise InvalidInput(_("no visit #{visit_id}").format(visit_id=visit_id))
        if visit["enterprise_id"] != ent["id"]:
            raise InvalidInput(_("visit #{visit_id} was to another enterprise").format(visit_id=visit_id))
    changeset = store.changeset(actor)
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
        "base_due_on": due_on,
        "status": str(Status.open),
        "changeset": changeset,
    }
    ticket_id = store.insert("tickets", record)
    fields = {"owner_id": owner_id, "department": record["department"], "due_on": due_on}
    opening = _event_record(store, ticket_id, K.opened, opened_on, actor, **fields)
    store.insert("events", opening, returning=False)  # (on a server, sent with what follows)
    return derive.Opened(ticket_id, cat["code"], due_on, Event(0, str(K.opened), opened_on, **fields))


def due_date(store: Store, opened: date, due, category: dict | None = None) -> date:
    """A due date given as a date, as a dates.Limit from the opening day, or (None) by the
    category's time limit. The date is stored: reports never count working days again."""
    if isinstance(due, date):
        return due
    if views_calendar.known_years(store) is None:
        calendar.sync_package(store)  # once per ledger: lights need the holidays too
    return calendar.due(store, opened, due or category_limit(category))


def category_limit(category: dict) -> Limit:
    return Limit(category["due_days"], bool(category["due_working"]))


def open_ticket(store: Store, enterprise: str, title: str, category: str, *, actor: str | None = None, **options):
    """Open one ticket (ticket open); options as insert_ticket's."""
    if options.get("visit_id") is not None:
        options["visit_id"] = refs.number(options["visit_id"], "visit")
    with store.write():
        new = insert_ticket(store, enterprise, title, category, actor=actor, **options)
        derive.opened(store.conn, [new])
    return views.item(store, new.ticket_id)


def _event(store: Store, ticket_id: int, kind: EventKind, on: str, actor: str | None, **fields) -> int:
    return store.insert("events", _event_record(store, ticket_id, kind, on, actor, **fields))


def _event_record(store: Store, ticket_id: int, kind: EventKind, on: str, actor: str | None, **fields) -> dict:
    record = {"ticket_id": ticket_id, "kind": str(kind), "on_date": on, "week": dates.week_key(date.fromisoformat(on))}
    record.update(at=dates.now_iso(), actor=actor, changeset=store.changeset(actor), **fields)
    return record


def refused(ticket_id: int, kind: EventKind, day: str | None, new_event: int | None, e: Refused) -> InvalidTransition:
    """The one line a refused change gets: what it conflicts with, and why."""
    if day:
        what = _("cannot {verb} #{id} on {date}").format(verb=verb(kind), id=ticket_id, date=day)
    else:
        what = _("cannot {verb} #{id}").format(verb=verb(kind), id=ticket_id)
    if e.event.id == new_event:
        return InvalidTransition(what + _(": ") + e.reason)
    other = e.event
    if day and other.on_date > day:
        said = _("it was {kind} on {date}; date it on or after that")
        return InvalidTransition(what + _(": ") + said.format(kind=kind_said(other.kind), date=other.on_date))
    said = _("its {kind} on {date} would then be out of order ({why})")
    return InvalidTransition(what + _(": ") + said.format(kind=kind_said(other.kind), date=other.on_date, why=e.reason))


def record(store: Store, ticket: dict, kind: EventKind, on: str, actor: str | None, **fields):
    """Append one event to a ticket and replay it, inside the caller's transaction; returns its Life."""
    if why := too_early(derive.life(store.conn, ticket["id"]), kind, on):
        raise InvalidTransition(
            _("cannot {verb} #{id} on {on}: {why}").format(verb=verb(kind), id=ticket["id"], on=on, why=why)
        )
    event_id = _event(store, ticket["id"], kind, on, actor, **fields)
    try:
        return derive.refresh(store.conn, [ticket["id"]])[ticket["id"]]
    except Refused as e:
        raise refused(ticket["id"], kind, on, event_id, e) from None


def _verb(store: Store, ref, kind: EventKind, on: date | None, actor: str | None, **fields) -> dict:
    """The common shape of a ticket verb: one live ticket, one dated event, one transaction."""
    day = not_future(on or dates.today(), _("the {verb} date").format(verb=verb(kind)))
    with store.write():
        ticket = live(store, ref)
        record(store, ticket, kind, day, actor, **fields)
    return views.item(store, ticket["id"])


def add_note(store: Store, ref: str, text: str, actor: str | None, on: date | None = None) -> dict:
    note = clean_text(text)
    if not note:
        raise InvalidInput(_("the note cannot be empty"))
    return _verb(store, ref, K.note, on, actor, note=note)


def start(store: Store, ref: str, actor: str | None, on: date | None = None) -> dict:
    return _verb(store, ref, K.started, on, actor)


def reassign(store: Store, ref: str, officer_ref: str, actor: str | None, on: date | None = None):
    """Give the ticket a new owner; returns (ticket, changed)."""
    day = not_future(on or dates.today(), _("the {verb} date").format(verb=verb(K.assigned)))
    with store.write():
        ticket = live(store, ref)
        officer = refs.active(refs.officer(store, officer_ref), "officer")
        if ticket["owner_id"] == officer["id"]:
            return views.item(store, ticket["id"]), False
        record(store, ticket, K.assigned, day, actor, owner_id=officer["id"])
    return views.item(store, ticket["id"]), True


def refer(store: Store, ref: str, department: str, actor: str | None, on: date | None = None) -> dict:
    dept = clean_line(department)
    if not dept:
        raise InvalidInput(_("name the department the ticket is referred to"))
    return _verb(store, ref, K.referred, on, actor, department=dept)


def close(store: Store, ref: str, resolution: str, outcome: Outcome, on: date | None, actor: str | None) -> dict:
    text = clean_text(resolution)
    if not text:
        raise InvalidInput(_("closing needs a resolution note: --resolution TEXT"))
    return _verb(store, ref, K.closed, on, actor, note=text, outcome=str(outcome))


def reopen(store: Store, ref: str, reason: str, on: date | None, actor: str | None) -> dict:
    text = clean_text(reason)
    if not text:
        raise InvalidInput(_("reopening needs a reason: --reason TEXT"))
    return _verb(store, ref, K.reopened, on, actor, note=text)


def extend(store: Store, ref: str, due, reason: str, on: date | None, actor: str | None) -> dict:
    """延期: a new due date (or a dates.Limit added to the one in force), asked before the
    one in force has passed."""
    text = clean_text(reason)
    if not text:
        raise InvalidInput(_("an extension needs a reason: --reason TEXT"))
    day = not_future(on or dates.today(), _("the {verb} date").format(verb=verb(K.extended)))
    with store.write():
        ticket = live(store, ref)
        new_due = due_date(store, date.fromisoformat(ticket["due_on"]), due)
        record(store, ticket, K.extended, day, actor, note=text, due_on=new_due.isoformat())
    return views.item(store, ticket["id"])


def urge(store: Store, ref: str, note: str | None, on: date | None, actor: str | None) -> dict:
    return _verb(store, ref, K.urged, on, actor, note=clean_text(note))


def supervise(store: Store, ref: str, note: str | None, on: date | None, actor: str | None) -> dict:
    return _verb(store, ref, K.supervised, on, actor, note=clean_text(note))


def follow_up(
    store: Store,
    ref: str,
    result: str,
    *,
    score: int | None = None,
    note: str | None = None,
    on: date | None = None,
    keep_closed: bool = False,
    actor: str | None = None,
) -> tuple[dict, bool]:
    """回访: the enterprise's verdict on a close; `unsatisfied` reopens it as a redo (重办)
    unless the reason lies outside the park's control. Returns (ticket, reopened)."""
    if score is not None and not 1 <= score <= 5:
        raise InvalidInput(_("--score must be from 1 to 5, not {score}").format(score=score))
    day = not_future(on or dates.today(), _("the follow-up date"))
    redo = result == "unsatisfied" and not keep_closed
    with store.write():
        ticket = live(store, ref)
        if ticket["status"] != Status.closed:
            raise InvalidTransition(
                _("ticket #{id} is not closed; a follow-up asks about a close").format(id=ticket["id"])
            )
        life = derive.life(store.conn, ticket["id"])
        grader = store.row("SELECT id, name FROM officers WHERE name = ?", (actor,)) if actor else None
        if grader and grader["id"] == life.owner_at_close:
            raise InvalidInput(
                _(
                    "{officer} owned #{id} when it closed, and nobody grades their own work; "
                    "the follow-up is recorded by another officer (--as NAME)"
                ).format(officer=grader["name"], id=ticket["id"])
            )
        detail = json.dumps({"keep_closed": True}) if keep_closed and result == "unsatisfied" else None
        fields = {"result": result, "score": score, "note": clean_text(note), "detail": detail}
        record(store, ticket, K.followed_up, day, actor, **fields)
        if redo:
            record(store, ticket, K.reopened, day, actor, note=f"重办: {clean_text(note) or result}", redo=1)
    return views.item(store, ticket["id"]), redo


# Corrections -------------------------------------------------------------------------

EDITABLE = ("title", "category", "enterprise", "priority", "due", "opened")
_SHOWN = {"enterprise_id": "enterprise", "base_due_on": "due_on"}  # a column → its name in the history


def edit(store: Store, ref: str, actor: str | None, **given) -> tuple[dict, dict]:
    """A retroactive correction: what was always true. Returns (ticket, {field: [old, new]})."""
    given = {k: v for k, v in given.items() if v is not None}
    if not given:
        raise InvalidInput(_("say what to correct: {options}").format(options=", ".join("--" + f for f in EDITABLE)))
    with store.write():
        ticket = live(store, ref)
        columns = {c: v for c, v in _corrected(store, ticket, given).items() if ticket[c] != v}
        if not columns:
            return views.item(store, ticket["id"]), {}
        changes = {_SHOWN.get(c, c): [ticket[c], v] for c, v in columns.items()}
        if "enterprise_id" in columns:
            names = dict(
                store.conn.execute("SELECT id, name FROM enterprises WHERE id IN (?, ?)", changes["enterprise"])
            )
            changes["enterprise"] = [names[i] for i in changes["enterprise"]]
        if "opened_on" in columns:
            columns["opened_week"] = dates.week_key(date.fromisoformat(columns["opened_on"]))
        event_id = _event(store, ticket["id"], K.edited, dates.today().isoformat(), actor,
                          detail=json.dumps(changes, ensure_ascii=False))  # fmt: skip
        sets = ", ".join(f"{c} = ?" for c in columns)

        def correct():
            store.conn.execute(f"UPDATE tickets SET {sets} WHERE id = ?", (*columns.values(), ticket["id"]))

        try:
            derive.refresh(store.conn, [ticket["id"]], change=correct)
        except Refused as e:
            raise refused(ticket["id"], K.edited, None, event_id, e) from None
    return views.item(store, ticket["id"]), changes


def _corrected(store: Store, ticket: dict, given: dict) -> dict:
    """The tickets columns that the given corrections set (column names are ours)."""
    columns = {}
    if "title" in given:
        columns["title"] = clean_line(given["title"])
        if not columns["title"]:
            raise InvalidInput(_("the problem description cannot be empty"))
    if "category" in given:
        columns["category"] = refs.category(store, given["category"])["code"]
    if "priority" in given:
        columns["priority"] = str(given["priority"])
    if "enterprise" in given:
        ent = refs.active(refs.enterprise(store, given["enterprise"]), "enterprise")
        if ticket["visit_id"] is not None and ent["id"] != ticket["enterprise_id"]:
            raise InvalidInput(
                _(
                    "ticket #{id} was raised on visit #{visit}; correct the visit's enterprise "
                    "by undoing or deleting that visit instead"
                ).format(id=ticket["id"], visit=ticket["visit_id"])
            )
        columns["enterprise_id"] = ent["id"]
    if "opened" in given:
        columns["opened_on"] = not_future(given["opened"], _("the opening date"))
    opened = columns.get("opened_on", ticket["opened_on"])
    if "due" in given:
        columns["base_due_on"] = due_date(store, date.fromisoformat(opened), given["due"]).isoformat()
    due = columns.get("base_due_on", ticket["base_due_on"])
    if due < opened:
        raise InvalidInput(_("the due date {due} is before the opening date {opened}").format(due=due, opened=opened))
    return columns


def delete(store: Store, ref: str, reason: str, actor: str | None) -> dict:
    """Entered by mistake: out of every list and figure, kept in the file with its reason."""
    text = clean_text(reason)
    if not text:
        raise InvalidInput(_("a delete needs a reason: --reason TEXT"))
    with store.write():
        ticket = live(store, ref)
        record(store, ticket, K.deleted, dates.today().isoformat(), actor, note=text)
    return views.item(store, ticket["id"])
