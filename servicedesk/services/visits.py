"""Visits (走访) with the problems they turn up, feedback from enterprises, and their
corrections: each command one transaction and one change set.

A correction of a visit or feedback item updates its row and writes what it was to the
append-only change log; a delete is a `removed` mark with its reason there, never a
removed row.
"""

import re
from datetime import date

from .. import dates, derive
from ..errors import InvalidInput, NotFound
from ..i18n import _
from ..models import Channel, FeedbackKind, clean_text
from ..store import Store
from ..views import refs
from ..views import tickets as ticket_views
from ..views import visits as views
from ..views.roster import officers_of
from . import tickets
from .roster import record_change

_PROBLEM = re.compile(r"^\s*([^:：]+?)\s*[:：]\s*(.+)$", re.S)


def parse_problem(text: str) -> tuple[str, str]:
    """`用工：缺焊工20人` → ("用工", "缺焊工20人"); the colon may be full-width."""
    match = _PROBLEM.match(text or "")
    if not match or not clean_text(match.group(2)):
        raise InvalidInput(
            _('--problem "{text}" needs CATEGORY:TEXT, e.g. --problem "用工:缺焊工20人"').format(text=text)
        )
    return match.group(1), match.group(2)


def _officer_for(store: Store, enterprise: dict, officer: str | None, acting: str | None, on: date) -> dict:
    if officer:
        return refs.active(refs.officer(store, officer), "officer")
    if acting:
        found = store.row("SELECT * FROM officers WHERE name = ?", (acting,))
        if found:
            return found
    assigned = officers_of(store, enterprise["id"], on.isoformat())
    if len(assigned) == 1:
        return assigned[0]
    who = (
        _("{enterprise} has {n} officers").format(enterprise=enterprise["name"], n=len(assigned))
        if assigned
        else _("{enterprise} has no officer assigned").format(enterprise=enterprise["name"])
    )
    raise InvalidInput(_("who visited? {who}; give --officer NAME (or --as NAME)").format(who=who))


def _same_visit(store: Store, enterprise_id: int, officer_id: int, day: str, note: str | None) -> dict | None:
    return store.row(
        """SELECT id FROM visits WHERE enterprise_id = ? AND visited_on = ? AND officer_id = ?
        AND note IS ? AND removed IS NULL ORDER BY id LIMIT 1""",
        (enterprise_id, day, officer_id, note),
    )


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
    again: bool = False,
) -> tuple[dict, list[dict]]:
    """Record a visit and open one ticket per problem, all in one transaction.

    `acting` is the --as officer (a default for who visited); `actor` is recorded as who
    logged it. The same visit logged twice (↑ Enter) is refused unless `again`.
    """
    day = on or dates.today()
    visited_on = tickets.not_future(day, _("the visit date"))
    parsed = [parse_problem(p) for p in problems]
    text = clean_text(note)
    with store.write():
        ent = refs.active(refs.enterprise(store, enterprise), "enterprise")
        who = _officer_for(store, ent, officer, acting, day)
        if not again and (twin := _same_visit(store, ent["id"], who["id"], visited_on, text)):
            raise InvalidInput(
                _("already recorded as visit #{id} on {date}; --again records another").format(
                    id=twin["id"], date=visited_on
                )
            )
        visit_id = store.insert(
            "visits",
            {
                "enterprise_id": ent["id"],
                "officer_id": who["id"],
                "visited_on": visited_on,
                "week": dates.week_key(day),
                "channel": str(channel),
                "note": text,
                "recorded_at": dates.now_iso(),
                "recorded_by": actor,
                "changeset": store.changeset(actor),
            },
        )
        new = [
            tickets.insert_ticket(
                store,
                ent,
                title,
                category,
                actor=acting or actor,
                on=day,
                visit_id=visit_id,
                fallback_owner=who["name"],
                again=again,
                visit_is_new=True,
            )  # fmt: skip
            for category, title in parsed
        ]
        derive.opened(store.conn, new)
    return views.visit_item(store, visit_id), [ticket_views.item(store, t.ticket_id) for t in new]


def _live_visit(store: Store, ref) -> dict:
    number = refs.number(ref, "visit")
    found = store.row("SELECT * FROM visits WHERE id = ?", (number,))
    if not found or found["removed"] == "undone":
        raise NotFound(_("no visit #{id}; see `servicedesk visit list`").format(id=number))
    if found["removed"]:
        raise InvalidInput(_("visit #{id} was deleted").format(id=number))
    return found


def edit_visit(
    store: Store,
    ref,
    *,
    on: date | None = None,
    officer: str | None = None,
    channel: Channel | None = None,
    note: str | None = None,
    actor: str | None = None,
) -> tuple[dict, dict]:
    """Correct a visit (what was always true); returns (visit, {field: [old, new]})."""
    with store.write():
        visit = _live_visit(store, ref)
        columns = {}
        if on is not None:
            columns["visited_on"] = tickets.not_future(on, _("the visit date"))
            columns["week"] = dates.week_key(on)
        if officer is not None:
            columns["officer_id"] = refs.officer(store, officer)["id"]
        if channel is not None:
            columns["channel"] = str(channel)
        if note is not None:
            columns["note"] = clean_text(note)
        changes = {c: [visit[c], v] for c, v in columns.items() if visit[c] != v and c != "week"}
        if changes:
            # Problems found on the visit are dated with it: a later visit date must not leave one before it.
            if "visited_on" in changes:
                early = store.value(
                    "SELECT min(opened_on) FROM tickets WHERE visit_id = ? AND removed IS NULL", (visit["id"],)
                )
                if early is not None and early < columns["visited_on"]:
                    raise InvalidInput(
                        _("visit #{id} turned up problems opened on {date}; it cannot have been later").format(
                            id=visit["id"], date=early
                        )
                    )
            sets = ", ".join(f"{c} = ?" for c in columns)
            store.conn.execute(f"UPDATE visits SET {sets} WHERE id = ?", (*columns.values(), visit["id"]))
            record_change(store, actor, "visit", visit["id"], "edited", changes)
    return views.visit_item(store, visit["id"]), changes


def delete_visit(store: Store, ref, reason: str, actor: str | None = None) -> dict:
    """Entered by mistake: out of every list and figure, kept in the file with the reason."""
    text = clean_text(reason)
    if not text:
        raise InvalidInput(_("a delete needs a reason: --reason TEXT"))
    with store.write():
        visit = _live_visit(store, ref)
        opened = [r["id"] for r in store.rows(
            "SELECT id FROM tickets WHERE visit_id = ? AND removed IS NULL ORDER BY id", (visit["id"],)
        )]  # fmt: skip
        if opened:
            listed = _(", ").join(f"#{t}" for t in opened)
            raise InvalidInput(
                _(
                    "visit #{id} opened tickets {tickets}; delete them first "
                    "(servicedesk ticket delete {first} --reason …), or undo the visit"
                ).format(id=visit["id"], tickets=listed, first=opened[0])
            )
        store.conn.execute("UPDATE visits SET removed = 'deleted' WHERE id = ?", (visit["id"],))
        record_change(store, actor, "visit", visit["id"], "deleted", {"reason": text})
    return views.visit_item(store, visit["id"])


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
    again: bool = False,
) -> dict:
    day = on or dates.today()
    received_on = tickets.not_future(day, _("the feedback date"))
    if score is not None and not 1 <= score <= 5:
        raise InvalidInput(_("--score must be from 1 to 5, not {score}").format(score=score))
    if kind == FeedbackKind.rating and score is None:
        raise InvalidInput(_("a rating needs --score 1-5"))
    if kind != FeedbackKind.rating and score is not None:
        raise InvalidInput(_("--score goes with --kind rating, not {kind}").format(kind=kind))
    with store.write():
        ent = refs.enterprise(store, enterprise)
        ticket_id = None
        if ticket:
            found = refs.ticket(store, ticket)
            if found["enterprise_id"] != ent["id"] or found["removed"]:
                why = _("was deleted") if found["removed"] else _("belongs to another enterprise")
                raise InvalidInput(_("ticket #{id} {why}").format(id=found["id"], why=why))
            ticket_id = found["id"]
        twin = store.row(
            "SELECT id FROM feedback WHERE enterprise_id = ? AND kind = ? AND received_on = ? AND removed IS NULL",
            (ent["id"], str(kind), received_on),
        )
        if twin and not again:
            raise InvalidInput(
                _("already recorded as feedback #{id} on {date}; --again records another").format(
                    id=twin["id"], date=received_on
                )
            )
        feedback_id = store.insert(
            "feedback",
            {
                "enterprise_id": ent["id"],
                "kind": str(kind),
                "score": score,
                "ticket_id": ticket_id,
                "received_on": received_on,
                "week": dates.week_key(day),
                "note": clean_text(note),
                "recorded_at": dates.now_iso(),
                "recorded_by": actor,
                "changeset": store.changeset(actor),
            },
        )
    return views.feedback_item(store, feedback_id)


def delete_feedback(store: Store, ref, reason: str, actor: str | None = None) -> dict:
    text = clean_text(reason)
    if not text:
        raise InvalidInput(_("a delete needs a reason: --reason TEXT"))
    number = refs.number(ref, "feedback")
    with store.write():
        found = store.row("SELECT * FROM feedback WHERE id = ?", (number,))
        if not found or found["removed"] == "undone":
            raise NotFound(_("no feedback #{id}; see `servicedesk feedback list`").format(id=number))
        if found["removed"]:
            raise InvalidInput(_("feedback #{id} was deleted already").format(id=number))
        store.conn.execute("UPDATE feedback SET removed = 'deleted' WHERE id = ?", (number,))
        record_change(store, actor, "feedback", number, "deleted", {"reason": text})
    return views.feedback_item(store, number)
