"""Importing a problem ledger (问题台账): tickets with a history that agrees with their dates.

Each new ticket gets an `opened` event on its opening date, a `started` event when it is
in progress (or the row says when work started) and a `closed` event on its close date
with the outcome and resolution; a chunk of tickets at a time is then replayed
(derive.refresh), so as-of reports over imported tickets are right for every past week.

A row whose ticket is on file but has moved on (its status, close, owner or department)
is a difference: named, or with --update turned into the dated events that bring the
ticket there (ticket_update.py).
"""

import re
from datetime import timedelta

from .. import derive
from ..errors import DateError
from ..i18n import _, language
from ..life import Event, Refused, replay
from ..models import word_key
from ..spreadsheets import OUTCOME, PRIORITY, RESULT, STATUS, Row
from .imports import NO_RESOLUTION, Assignments, Importer
from .ticket_update import TicketUpdate

# The `history` column: every dated event a row's other columns cannot say (a reassignment,
# a referral, an extension, a close that was reopened, a follow-up…), so an export reads
# back in unchanged. Each entry is "DATE KIND[:ARG]"; ARG is what the kind carries.
HISTORY_KINDS = ("opened", "assigned", "referred", "started", "extended", "urged", "supervised", "closed",
                 "followed_up", "reopened")  # fmt: skip
TOLD_BY_COLUMNS = ("opened", "started", "closed")  # what a row's own columns can say
HISTORY_EXAMPLE = "2022-05-09 opened:王伟; 2022-05-12 closed:resolved; 2022-05-16 reopened"


def history_arg(kind: str, owner: str | None, department: str | None, outcome: str | None, due_on: str | None,
                result: str | None, redo: int) -> str | None:  # fmt: skip
    """What an entry of the `history` cell carries after its kind."""
    return {
        "opened": owner,
        "assigned": owner,
        "referred": department,
        "extended": due_on,
        "closed": outcome,
        "followed_up": result,
        "reopened": "redo" if redo else None,
    }.get(kind)


_ENTRY = re.compile(rf"^(?P<on>\S+)\s+(?P<kind>{'|'.join(HISTORY_KINDS)})(?::(?P<arg>.*))?$")
EARLIER_CLOSE = "closed (imported history)"
REOPENED = "reopened (imported history)"
EVENT_COLUMNS = ["ticket_id", "kind", "on_date", "week", "at", "actor", "note", "outcome", "owner_id", "department",
                 "changeset", "due_on", "result", "redo"]  # fmt: skip
_COLUMN_OF = {"opened": "opened_on", "started": "started_on", "closed": "closed_on"}  # where a row says each


# What a 办理时限 cell says when the problem has no deadline: the category's limit applies.
NO_DEADLINE = frozenset(word_key(w) for w in ("长期", "长期坚持", "长期推进", "持续", "无", "/", "-", "—"))
_SEP = "\x1f"  # between the parts of a row's key: no cell holds it
# What a ticket row of the tickets table holds, in the order tickets are written.
TICKET_COLUMNS = ("id", "enterprise_id", "visit_id", "category", "title", "priority", "owner_id", "department",
                  "opened_on", "opened_week", "due_on", "status", "outcome", "closed_on", "resolution")  # fmt: skip
MATCHED = "id, status, closed_on, outcome, resolution, owner_id, department, opened_on, base_due_on"


class TicketImporter(Importer):
    table = "tickets"
    updates = True

    def __init__(self, store, sheet, **options):
        super().__init__(store, sheet, **options)
        self.categories: dict[str, tuple[str, int]] = {}
        for code, label, label_zh, due_days in store.conn.execute(
            "SELECT code, label, label_zh, due_days FROM categories ORDER BY position"
        ):
            for word in (code, label, label_zh):
                if word:
                    self.categories.setdefault(word_key(word), (code, due_days))
        zh_first = language() == "zh"  # for the error naming the valid categories
        self.category_names = ("、" if zh_first else ", ").join(
            (f"{zh}（{code}）" if zh_first else f"{code} ({zh})") if zh else code
            for code, zh in store.conn.execute("SELECT code, label_zh FROM categories ORDER BY position")
        )
        # The words offices write for a category (`category alias`: 融资问题, 用工难, 手续 …).
        for word, code in store.conn.execute("SELECT word, code FROM category_aliases"):
            found = next((v for v in self.categories.values() if v[0] == code), None)
            if found:
                self.categories.setdefault(word_key(word), found)
        self.linked = 0

    def _category(self, row: Row) -> tuple[str, int]:
        text = row.text("category", required=True)
        found = self.categories.get(self.sheet.key(text))
        if found is None:
            raise row.error(
                "category",
                _(
                    'unknown category "{text}"; use one of: {categories}, or a word added with '
                    "`servicedesk category alias`, or add the category with `servicedesk category add`"
                ).format(text=text, categories=self.category_names),
            )
        return found

    def _due(self, row: Row):
        text = row.values.get("due_on")
        if isinstance(text, str) and word_key(text) in NO_DEADLINE:
            return None
        return row.date("due_on", future=True)

    def parse(self, row: Row) -> dict:
        category, due_days = self._category(row)
        opened = row.date("opened_on", required=True)
        due = self._due(row) or opened + timedelta(days=due_days)
        started = row.date("started_on")
        closed = row.date("closed_on")
        outcome = said_outcome = row.choice("outcome", OUTCOME)
        status = row.choice("status", STATUS)
        # What the row says, as against what an empty cell defaults to: only that can differ
        # from a ticket on file (a ledger without a status column says nothing of it).
        status_said = status is not None or bool(closed or outcome)
        if status is None:
            status = "closed" if closed or outcome else "in_progress" if started else "open"
        elif status != "closed" and (closed or outcome):
            what = "a close date" if closed else "an outcome"
            raise row.error(
                "status",
                _('"{text}" says it is not closed, but the row has {what}').format(text=row.text("status"), what=what),
            )
        elif status == "open" and started:
            raise row.error(
                "status",
                _('"{text}" says work has not started, but the row has a start date').format(text=row.text("status")),
            )
        if due < opened:
            raise row.error(
                "due_on",
                _("{due} is before the opening date {opened}").format(due=due.isoformat(), opened=opened.isoformat()),
            )
        resolution = said_resolution = row.text("resolution")
        if status == "closed":
            if closed is None:
                raise row.error("closed_on", _("a closed ticket needs the date it was closed (办结时间)"))
            outcome = outcome or "resolved"
            resolution = resolution or NO_RESOLUTION
        visited = row.date("visited_on")
        record = {
            "_line": row.line,
            "enterprise": row.text("enterprise", required=True),
            "category": category,
            "title": row.text("title", required=True),
            "priority": row.choice("priority", PRIORITY, default="normal"),
            "owner": row.text("owner"),
            "department": row.text("department"),
            "opened_on": opened.isoformat(),
            "due_on": due.isoformat(),
            "status": status,
            "started_on": (started or opened).isoformat() if started or status == "in_progress" else None,
            "outcome": outcome,
            "closed_on": closed.isoformat() if closed else None,
            "resolution": resolution,
            "visited_on": visited.isoformat() if visited else None,
            "_status": status_said,
            "_started": started.isoformat() if started else None,
            "_outcome": said_outcome,
            "_resolution": said_resolution,
        }
        if row.has("history"):
            record["history"] = self._history(row, record)
            record["started_on"] = None  # the history says when, every time
        else:
            self._check_order(row, record)
        return record

    def _check_order(self, row: Row, record: dict) -> None:
        """The row's own dates (opened, started, closed) in the order of a ticket's life."""
        opened, started, closed = record["opened_on"], record["started_on"], record["closed_on"]
        if (started is None or started >= opened) and (closed is None or closed >= (started or opened)):
            # Opened, started, closed in the order of their dates is always a life (life.TRANSITIONS);
            # the replay is for the message when they are not.
            return
        events = [Event(0, "opened", record["opened_on"])]
        if record["started_on"]:
            events.append(Event(1, "started", record["started_on"]))
        if record["status"] == "closed":
            events.append(Event(2, "closed", record["closed_on"], outcome=record["outcome"]))
        try:
            replay(record["opened_on"], record["due_on"], events)
        except Refused as e:
            column = _COLUMN_OF[e.event.kind]
            raise row.error(
                column, _("{date} does not fit: {reason}").format(date=e.event.on_date, reason=e.reason)
            ) from None

    def _history(self, row: Row, record: dict) -> list[tuple[str, str, str | None]]:
        """The `history` cell replayed: it must start at the opening and end where the row's columns say."""
        entries = []
        for part in row.text("history").split(";"):
            if not part.strip():
                continue
            m = _ENTRY.match(part.strip())
            if not m:
                raise row.error(
                    "history",
                    _('cannot read "{entry}"; write entries like {example}').format(
                        entry=part.strip(), example=HISTORY_EXAMPLE
                    ),
                )
            try:
                day = self.sheet.parse_date(m["on"]).isoformat()
            except DateError as e:
                raise row.error("history", str(e)) from None
            entries.append((m["kind"], day, (m["arg"] or "").strip() or None))
        opened = [i for i, (kind, _, _) in enumerate(entries) if kind == "opened"]
        if opened != [0] or entries[0][1] != record["opened_on"]:
            raise row.error(
                "history",
                _("it must start with the opening on {opened_on}, once").format(opened_on=record["opened_on"]),
            )
        referred = any(kind == "referred" for kind, _, _ in entries)
        events = []
        for i, (kind, day, arg) in enumerate(entries):
            if day > self.sheet.today.isoformat():
                raise row.error("history", _("{kind} on {day} is in the future").format(kind=kind, day=day))
            entries[i] = (kind, day, arg := self._history_arg(row, kind, arg))
            # Owners stay names here: the replay only compares them.
            at_opening = record["department"] if kind == "opened" and not referred else None
            fields = {
                "owner_id": arg if kind in ("opened", "assigned") else None,
                "department": arg if kind == "referred" else at_opening,
                "outcome": arg if kind == "closed" else None,
                "due_on": arg if kind == "extended" else None,
                "result": arg if kind == "followed_up" else None,
                "redo": int(kind == "reopened" and arg == "redo"),
            }
            events.append(Event(i, kind, day, **fields))
        try:
            ends = replay(record["opened_on"], record["due_on"], events).state
        except Refused as e:
            raise row.error(
                "history",
                _("{kind} on {date} is out of order: {reason}").format(
                    kind=e.event.kind, date=e.event.on_date, reason=e.reason
                ),
            ) from None
        closed = ends.status == "closed"
        ended = _state(ends.status, ends.owner_id, ends.closed_on if closed else None, ends.outcome if closed else None,
                       ends.department)  # fmt: skip
        says = _state(record["status"], record["owner"], record["closed_on"], record["outcome"], record["department"])
        if ended != says:
            raise row.error(
                "history", _("it ends {ended}, but the row's other columns say {says}").format(ended=ended, says=says)
            )
        return entries

    def _history_arg(self, row: Row, kind: str, arg: str | None) -> str | None:
        """An entry's argument as stored: an outcome or result code, an ISO due date, a name."""
        if kind == "closed":
            found = OUTCOME.get(word_key(arg or "resolved"))
            if found is None:
                raise row.error(
                    "history", _('"{arg}" is not an outcome; use resolved, explained or withdrawn').format(arg=arg)
                )
            return found
        if kind == "followed_up":
            found = RESULT.get(word_key(arg or ""))
            if found is None:
                raise row.error(
                    "history",
                    _('"{arg}" is not a follow-up result; use satisfied, basically or unsatisfied').format(arg=arg),
                )
            return found
        if kind == "extended":
            try:
                return self.sheet.parse_date(arg or "").isoformat()
            except DateError as e:
                raise row.error("history", str(e)) from None
        if kind == "reopened":
            return "redo" if arg and word_key(arg) in ("redo", "重办") else None
        return arg

    def key(self, record: dict) -> str:
        return _SEP.join((record["enterprise"], record["category"], record["title"], record["opened_on"]))

    def prepare(self) -> None:
        self.enterprises = self.lookups("enterprises", "enterprise")
        self.officers = self.lookups("officers", "officer")
        # The enterprises with tickets: a row of any other one is new without a query.
        self.with_tickets = {r[0] for r in self.store.conn.execute("SELECT DISTINCT enterprise_id FROM tickets")}
        self.next_id = (self.store.value("SELECT max(id) FROM tickets") or 0) + 1
        # A ledger with no owner column gets `ticket open`'s rule: the enterprise's one officer.
        self.assigned = None if "owner" in self.sheet.columns else Assignments(self.store)
        self.updater = TicketUpdate(self)
        self.new_events: list[tuple] = []  # events of tickets on file, with --update
        self.touched: list[int] = []  # those tickets

    def _default_owner(self, enterprise_id: int, day: str) -> int | None:
        if self.assigned is None:
            return None
        on = self.assigned.on_duty(enterprise_id, day)
        return on.pop() if len(on) == 1 else None

    def _visit(self, enterprise_id: int, day: str, owner_id: int | None) -> int | None:
        """The visit the problem was raised on: that day's visit to the enterprise, by the owner if several."""
        found = self.store.conn.execute(
            "SELECT id, officer_id FROM visits WHERE enterprise_id = ? AND visited_on = ? ORDER BY id",
            (enterprise_id, day),
        ).fetchall()
        if not found:
            return None
        self.linked += 1
        return next((v for v, o in found if o == owner_id), found[0][0])

    def _on_file(self, record: dict, enterprise_id: int):
        """The ticket on file this row is, if any."""
        if enterprise_id not in self.with_tickets:
            return None
        found = self.store.conn.execute(
            f"""SELECT {MATCHED} FROM tickets WHERE enterprise_id = ? AND opened_on = ? AND category = ?
            AND title = ? AND removed IS NULL ORDER BY id""",
            (enterprise_id, record["opened_on"], record["category"], record["title"]),
        ).fetchall()
        return self.matched(record, found)

    def plan(self, record: dict) -> None:
        enterprise_id = self.enterprises.id(self, record, "enterprise")
        if record["owner"]:
            owner_id = self.officers.id(self, record, "owner")
        else:
            owner_id = self._default_owner(enterprise_id, record["opened_on"])
        stored = self._on_file(record, enterprise_id)
        if stored is not None:
            self.updater.compare(record, stored, owner_id if record["owner"] else None)
            return
        ticket_id = self.next_id
        self.next_id += 1
        history = None
        if "history" in record:
            history = [
                (kind, day, self.officers.id(self, {"_line": record["_line"], "history": arg}, "history") if arg else None)
                if kind in ("opened", "assigned")
                else (kind, day, arg)
                for kind, day, arg in record["history"]
            ]  # fmt: skip
        visited = record["visited_on"]
        visit_id = self._visit(enterprise_id, visited, owner_id) if visited else None
        ticket = (ticket_id, enterprise_id, visit_id, record["category"], record["title"], record["priority"], owner_id,
                  record["department"], record["opened_on"], self.week(record["opened_on"]), record["due_on"],
                  record["status"], record["outcome"], record["closed_on"], record["resolution"])  # fmt: skip
        self.add((ticket, record["started_on"], history))

    # Writing ---------------------------------------------------------------------------

    def _event(self, ticket_id: int, kind: str, day: str, note=None, outcome=None, owner_id=None, department=None,
               due_on=None, result=None, redo=0) -> tuple:  # fmt: skip
        """One event as a row in EVENT_COLUMNS order."""
        return (ticket_id, kind, day, self.week(day), self.now, self.actor, note, outcome, owner_id, department,
                self._changeset, due_on, result, redo)  # fmt: skip

    def _events(self):
        """Each new ticket's history, as rows in EVENT_COLUMNS order."""
        for t, started, history in self.pending:
            ticket_id, due_on, resolution = t[0], t[10], t[14]
            if history is not None:
                yield from self._replayed(ticket_id, t[11], t[7], due_on, resolution, history)
                continue
            yield self._event(ticket_id, "opened", t[8], owner_id=t[6], department=t[7], due_on=due_on)
            if started:
                yield self._event(ticket_id, "started", started)
            if t[11] == "closed":
                yield self._event(ticket_id, "closed", t[13], note=resolution, outcome=t[12])

    def _replayed(self, ticket_id: int, status: str, department: str | None, due_on: str, resolution: str | None,
                  history: list):  # fmt: skip
        last_close = max(i for i, (kind, _, _) in enumerate(history) if kind == "closed") if status == "closed" else -1
        referred = any(kind == "referred" for kind, _, _ in history)
        for i, (kind, day, arg) in enumerate(history):
            yield self._event(
                ticket_id,
                kind,
                day,
                note={"closed": resolution if i == last_close else EARLIER_CLOSE, "reopened": REOPENED}.get(kind),
                outcome=arg if kind == "closed" else None,
                owner_id=arg if kind in ("opened", "assigned") else None,
                department=arg if kind == "referred" else department if kind == "opened" and not referred else None,
                due_on=due_on if kind == "opened" else arg if kind == "extended" else None,
                result=arg if kind == "followed_up" else None,
                redo=int(kind == "reopened" and arg == "redo"),
            )

    def flush(self) -> None:
        """Write the tickets planned since the last flush with their events, and replay them."""
        busy = self.pending or self.new_events or any(n.new for n in self.names)
        changeset = self.changeset() if busy else None
        for lookup in self.names:
            lookup.write(self.store, changeset)
        if changeset is not None:
            rows = ((*t, t[10], changeset) for t, _, _ in self.pending)
            self.store.insert_rows("tickets", [*TICKET_COLUMNS, "base_due_on", "changeset"], rows)
            self.store.insert_rows("events", EVENT_COLUMNS, self._events())
            self.store.insert_rows("events", EVENT_COLUMNS, ((*e[:10], changeset, *e[11:]) for e in self.new_events))
            ids = [t[0] for t, _, _ in self.pending] + self.touched
            if ids:
                # Their spans and tallies; the new tickets' own columns are already as imported.
                derive.refresh(self.store.conn, ids)
        self.pending.clear()
        self.new_events.clear()
        self.touched.clear()

    def counts(self) -> dict:
        return {**super().counts(), "linked_to_visits": self.linked}


def format_history(events: list[tuple[str, str, str | None]]) -> str:
    """(on_date, kind, owner name or outcome) in order → the `history` cell."""
    return "; ".join(f"{on} {kind}" + (f":{arg}" if arg else "") for on, kind, arg in events)


def _state(status: str, owner: str | None, closed_on: str | None, outcome: str | None, department: str | None) -> str:
    closed = f" ({outcome}) on {closed_on}" if closed_on else ""
    return f"{status}{closed}, owner {owner or 'nobody'}, department {department or 'none'}"
