"""`undo`: reverse the acting person's last change set — whatever one command did.

A change set is one command's writes (store.changeset). Undoing it is itself a change
set that names the one it undoes: nothing is erased. Ticket events of an undone change
set drop out of every replay (derive.EFFECTIVE), so a ticket's history still shows them,
marked undone. Rows the change set created (visits, feedback, assignments) are marked,
and what it changed in place (an edit, an archive, an unassign, a delete mark) is put
back from the old values the change log kept.

Another person's later change to the same ticket, visit or record blocks the undo: it
would be silently overwritten otherwise.
"""

import json
from dataclasses import dataclass, field

from .. import derive
from ..errors import InvalidInput
from ..i18n import _, language, ngettext, pgettext
from ..life import kind_said
from ..store import Store

# A change set not undone yet.
_LIVE = "NOT EXISTS (SELECT 1 FROM changesets u WHERE u.undoes = {c}.id)"
_SHOWN = 8  # items named one by one; beyond that, counted


@dataclass
class Plan:
    changeset: dict
    tickets: list[int] = field(default_factory=list)  # whose events it recorded
    opened: list[int] = field(default_factory=list)  # tickets it created
    events: list[dict] = field(default_factory=list)  # on tickets it did not create
    created: dict[str, list[int]] = field(default_factory=dict)  # table → ids
    changes: list[dict] = field(default_factory=list)  # in-place changes, from the change log
    aliases: list[dict] = field(default_factory=list)  # category aliases it added (word, code)

    def said(self) -> list[str]:
        """What the undo reverses, a line each, for the person at the terminal."""
        lines = []
        if self.opened:
            n = len(self.opened)
            lines.append(ngettext("ticket {ids} opened", "tickets {ids} opened", n).format(ids=_ids(self.opened)))
        for e in self.events[:_SHOWN]:
            said = _("ticket #{id}: {kind} on {date}")
            lines.append(said.format(id=e["ticket_id"], kind=kind_said(e["kind"]), date=e["on_date"]))
        if len(self.events) > _SHOWN:
            lines.append(_("… and {n} more ticket events").format(n=len(self.events) - _SHOWN))
        for table, ids in self.created.items():
            if ids:
                lines.append(_added(table, len(ids)).format(ids=_ids(ids)))
        for code in dict.fromkeys(a["code"] for a in self.aliases):
            words = [a["word"] for a in self.aliases if a["code"] == code]
            said = _("category {code}: {words} added as other names")
            lines.append(said.format(code=code, words=(", " if language() == "en" else "、").join(words)))
        for c in self.changes[:_SHOWN]:
            subject, action = c["subject"], c["action"]
            if language() != "en":
                subject, action = _SUBJECTS().get(subject, subject), _ACTIONS().get(action, action)
            lines.append(
                f"{subject} {c['subject_id']}: {action}"
                if language() == "en"
                else f"{subject} {c['subject_id']}：{action}"
            )
        if len(self.changes) > _SHOWN:
            lines.append(_("… and {n} more changes").format(n=len(self.changes) - _SHOWN))
        return lines


def _ids(ids: list[int]) -> str:
    shown = ", ".join(f"#{i}" for i in ids[:_SHOWN])
    return shown + (_(" … ({n} in all)").format(n=len(ids)) if len(ids) > _SHOWN else "")


def _added(table: str, n: int) -> str:
    """`visits #3, #4 added`, with {ids} still to fill, in this command's language."""
    said = {
        "visits": ngettext("visit {ids} added", "visits {ids} added", n),
        "feedback": ngettext("feedback {ids} added", "feedbacks {ids} added", n),
        "services": ngettext("service {ids} added", "services {ids} added", n),
        "assignments": ngettext("assignment {ids} added", "assignments {ids} added", n),
        "enterprises": ngettext("enterprise {ids} added", "enterprises {ids} added", n),
        "officers": ngettext("officer {ids} added", "officers {ids} added", n),
        "categories": ngettext("categorie {ids} added", "categories {ids} added", n),
    }
    return said.get(table) or f"{table} {{ids}} added"


def _SUBJECTS() -> dict[str, str]:  # noqa: N802 - a table, made when asked (the language is set per command)
    return {
        "enterprise": pgettext("subject", "enterprise"),
        "officer": pgettext("subject", "officer"),
        "visit": pgettext("subject", "visit"),
        "feedback": pgettext("subject", "feedback"),
        "category": pgettext("subject", "category"),
        "assignment": pgettext("subject", "assignment"),
        "setting": pgettext("subject", "setting"),
        "calendar": pgettext("subject", "calendar"),
        "import": pgettext("subject", "import"),
    }


def _ACTIONS() -> dict[str, str]:  # noqa: N802
    return {
        "added": pgettext("action", "added"),
        "edited": pgettext("action", "edited"),
        "deleted": pgettext("action", "deleted"),
        "archived": pgettext("action", "archived"),
        "aliased": pgettext("action", "aliased"),
        "assigned": pgettext("action", "assigned"),
        "unassigned": pgettext("action", "unassigned"),
        "set": pgettext("action", "set"),
        "holiday": pgettext("action", "holiday"),
        "workday": pgettext("action", "workday"),
    }


CREATED = ("visits", "feedback", "services", "assignments", "enterprises", "officers", "categories")


def last_changeset(store: Store, actor: str | None) -> dict | None:
    """The acting person's latest change set that is neither an undo nor undone."""
    return store.row(
        f"""SELECT * FROM changesets c WHERE c.actor IS ? AND c.undoes IS NULL AND {_LIVE.format(c="c")}
        ORDER BY c.id DESC LIMIT 1""",
        (actor,),
    )


def plan(store: Store, changeset: dict) -> Plan:
    number = changeset["id"]
    p = Plan(changeset)
    p.opened = [r[0] for r in store.conn.execute("SELECT id FROM tickets WHERE changeset = ? ORDER BY id", (number,))]
    opened = set(p.opened)
    touched = set()
    # Read row by row: an import's change set holds an event or more for each of its tickets.
    for ticket_id, event_id, kind, on_date in store.conn.execute(
        "SELECT ticket_id, id, kind, on_date FROM events WHERE changeset = ? ORDER BY ticket_id, id", (number,)
    ):
        touched.add(ticket_id)
        if ticket_id not in opened:
            p.events.append({"ticket_id": ticket_id, "id": event_id, "kind": kind, "on_date": on_date})
    p.tickets = sorted(touched | opened)
    for table in CREATED:
        key = "code" if table == "categories" else "id"
        p.created[table] = [
            r[0] for r in store.conn.execute(f"SELECT {key} FROM {table} WHERE changeset = ?", (number,))
        ]
    p.aliases = store.rows("SELECT word, code FROM category_aliases WHERE changeset = ? ORDER BY rowid", (number,))
    p.changes = [
        c
        for c in store.rows("SELECT * FROM changes WHERE changeset = ? ORDER BY id", (number,))
        if (c["subject"], c["action"]) in _INVERSES
    ]
    return p


def _conflict(store: Store, p: Plan, actor: str | None) -> str | None:
    """Another person's later, standing change to something this change set touched."""
    number = p.changeset["id"]
    if p.tickets:
        # The tickets it touched (p.tickets) by a subquery: an import's are too many to name.
        later = store.row(
            f"""SELECT e.ticket_id, e.kind, e.on_date, c.actor FROM events e JOIN changesets c ON c.id = e.changeset
            WHERE e.ticket_id IN (SELECT ticket_id FROM events WHERE changeset = :cs UNION SELECT id FROM tickets
            WHERE changeset = :cs) AND e.changeset > :cs AND c.actor IS NOT :actor AND {_LIVE.format(c="c")}
            ORDER BY e.id LIMIT 1""",
            {"cs": number, "actor": actor},
        )
        if later:
            return _("{actor} has since changed ticket #{id} ({kind} on {date})").format(
                actor=later["actor"], id=later["ticket_id"], kind=kind_said(later["kind"]), date=later["on_date"]
            )
    subjects = {(c["subject"], c["subject_id"]) for c in p.changes}
    subjects |= {("visit", str(i)) for i in p.created["visits"]}
    for subject, subject_id in sorted(subjects):
        later = store.row(
            f"""SELECT ch.action, c.actor FROM changes ch JOIN changesets c ON c.id = ch.changeset
            WHERE ch.subject = ? AND ch.subject_id = ? AND ch.changeset > ? AND c.actor IS NOT ? AND {_LIVE.format(c="c")}
            LIMIT 1""",
            (subject, subject_id, number, actor),
        )
        if later:
            subject_said, action = subject, later["action"]
            if language() != "en":
                subject_said, action = _SUBJECTS().get(subject, subject), _ACTIONS().get(action, action)
            return _("{actor} has since changed {subject} {id} ({action})").format(
                actor=later["actor"], subject=subject_said, id=subject_id, action=action
            )
    for table, column in (("enterprises", "enterprise_id"), ("officers", "officer_id")):
        for record_id in p.created[table]:
            used = store.row(
                f"""SELECT x.changeset, c.actor FROM (
                    SELECT changeset FROM visits WHERE {column} = :id
                    UNION ALL SELECT changeset FROM assignments WHERE {column} = :id
                    UNION ALL SELECT changeset FROM tickets WHERE {column if table == "enterprises" else "owner_id"} = :id
                ) x JOIN changesets c ON c.id = x.changeset
                WHERE x.changeset > :cs AND c.actor IS NOT :actor AND {_LIVE.format(c="c")} LIMIT 1""",
                {"id": record_id, "cs": number, "actor": actor},
            )
            if used:
                if table == "enterprises":
                    said = _("{actor} has since recorded work for enterprise #{id}")
                else:
                    said = _("{actor} has since recorded work for officer #{id}")
                return said.format(actor=used["actor"], id=record_id)
    return None


def undo(store: Store, actor: str | None, *, dry_run: bool = False) -> Plan:
    """Reverse `actor`'s last change set in one transaction (or, dry, say what it would)."""
    with store.write():
        changeset = last_changeset(store, actor)
        if changeset is None:
            raise InvalidInput(
                _("nothing to undo: {actor} made no change that is not undone yet").format(actor=actor or _("you"))
            )
        p = plan(store, changeset)
        if p.changeset["command"] and p.changeset["command"].split()[:1] == ["demo"]:
            raise InvalidInput(_("the demo park cannot be undone; build it again with `servicedesk demo --force`"))
        conflict = _conflict(store, p, actor)
        if conflict:
            raise InvalidInput(
                _("cannot undo change set #{id}: {conflict}; nothing undone").format(
                    id=changeset["id"], conflict=conflict
                )
            )
        if dry_run:
            return p
        store.changeset(actor, undoes=changeset["id"])
        _apply(store, p)
    return p


def _apply(store: Store, p: Plan) -> None:
    conn, number = store.conn, p.changeset["id"]
    if p.tickets:
        # Their events of this change set now fall out of the replay (derive.EFFECTIVE).
        derive.refresh(conn, p.tickets)
    conn.execute("UPDATE visits SET removed = 'undone' WHERE changeset = ?", (number,))
    conn.execute("UPDATE feedback SET removed = 'undone' WHERE changeset = ?", (number,))
    conn.execute("UPDATE services SET removed = 'undone' WHERE changeset = ?", (number,))
    # An assignment that ends on its first day covers nothing (models.assigned_between).
    conn.execute("UPDATE assignments SET end_on = start_on WHERE changeset = ?", (number,))
    for c in reversed(p.changes):
        _INVERSES[(c["subject"], c["action"])](conn, c["subject_id"], json.loads(c["detail"] or "{}"))
    for table in ("enterprises", "officers"):
        for record_id in p.created[table]:
            _retract(conn, table, record_id)
    conn.execute("DELETE FROM category_aliases WHERE changeset = ?", (number,))
    for code in p.created["categories"]:
        # Kept while tickets, or names another command gave it, refer to it.
        used = conn.execute(
            "SELECT 1 FROM tickets WHERE category = :c UNION ALL SELECT 1 FROM category_aliases WHERE code = :c LIMIT 1",
            {"c": code},
        ).fetchone()
        if not used:
            conn.execute("DELETE FROM categories WHERE code = ?", (code,))


def _retract(conn, table: str, record_id: int) -> None:
    """A record the undone command added: gone when nothing refers to it, else archived
    (undone visits and tickets still refer to it). The change log keeps what it was."""
    column = "enterprise_id" if table == "enterprises" else "officer_id"
    owner = "enterprise_id" if table == "enterprises" else "owner_id"
    used = conn.execute(
        f"""SELECT 1 FROM visits WHERE {column} = :id UNION ALL SELECT 1 FROM assignments WHERE {column} = :id
        UNION ALL SELECT 1 FROM tickets WHERE {owner} = :id LIMIT 1""",
        {"id": record_id},
    ).fetchone()
    if used:
        conn.execute(f"UPDATE {table} SET archived = 1 WHERE id = ?", (record_id,))
    else:
        conn.execute(f"DELETE FROM {table} WHERE id = ?", (record_id,))


def _restore(table: str, key: str = "id"):
    def inverse(conn, subject_id, detail):
        columns = {name: old for name, (old, _new) in detail.items()}
        if table == "visits" and "visited_on" in columns:
            from datetime import date

            from .. import dates

            columns["week"] = dates.week_key(date.fromisoformat(columns["visited_on"]))
        sets = ", ".join(f"{c} = ?" for c in columns)
        conn.execute(f"UPDATE {table} SET {sets} WHERE {key} = ?", (*columns.values(), subject_id))

    return inverse


def _unarchive(table: str):
    def inverse(conn, subject_id, detail):
        conn.execute(f"UPDATE {table} SET archived = 0 WHERE id = ?", (subject_id,))
        for assignment in detail.get("ended", []):
            conn.execute("UPDATE assignments SET end_on = NULL WHERE id = ?", (assignment,))

    return inverse


def _unmark(table: str):
    def inverse(conn, subject_id, detail):
        conn.execute(f"UPDATE {table} SET removed = NULL WHERE id = ?", (subject_id,))

    return inverse


def _uncalendar(conn, day, detail):
    """A park calendar entry back to what it was: none, or the earlier entry."""
    old_workday, old_name = detail["workday"][0], detail["name"][0]
    if old_workday is None:
        conn.execute("DELETE FROM calendar WHERE day = ? AND source = 'park'", (day,))
    else:
        conn.execute(
            "UPDATE calendar SET workday = ?, name = ? WHERE day = ? AND source = 'park'", (old_workday, old_name, day)
        )


# (subject, action) in the change log → how to put it back.
_INVERSES = {
    ("enterprise", "edited"): _restore("enterprises"),
    ("officer", "edited"): _restore("officers"),
    ("category", "edited"): _restore("categories", "code"),
    ("visit", "edited"): _restore("visits"),
    ("enterprise", "archived"): _unarchive("enterprises"),
    ("officer", "archived"): _unarchive("officers"),
    ("assignment", "unassigned"): lambda conn, subject_id, detail: conn.execute(
        "UPDATE assignments SET end_on = NULL WHERE id = ?", (subject_id,)
    ),
    ("calendar", "holiday"): _uncalendar,
    ("calendar", "workday"): _uncalendar,
    ("setting", "set"): lambda conn, key, detail: conn.execute(
        "UPDATE settings SET value = ? WHERE key = ?", (detail["value"][0], key)
    ),
    ("visit", "deleted"): _unmark("visits"),
    ("feedback", "deleted"): _unmark("feedback"),
}
