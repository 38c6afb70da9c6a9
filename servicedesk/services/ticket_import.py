"""Importing a problem ledger (问题台账): tickets with a history that agrees with their dates.

Each new ticket gets an `opened` event on its opening date, a `started` event when it is
in progress (or the row says when work started) and a `closed` event on its close date
with the outcome and resolution, or the events of its `history` cell. Those events are
replayed once, when the row is planned: the replay checks them and its Life gives the
ticket's own columns and its spans (derive.add), so as-of reports over imported tickets
are right for every past week.

A row whose ticket is on file but has moved on (its status, close, owner or department)
is a difference: named, or with --update turned into the dated events that bring the
ticket there (ticket_update.py).
"""

from datetime import timedelta

from .. import derive
from ..i18n import _, language
from ..life import Event, Life, Refused, replay
from ..models import word_key
from ..spreadsheets import OUTCOME, PRIORITY, STATUS, Row
from . import ticket_history
from .imports import NO_RESOLUTION, Assignments, Importer
from .ticket_update import TicketUpdate

EVENT_COLUMNS = ["ticket_id", "kind", "on_date", "week", "at", "actor", "note", "outcome", "owner_id", "department",
                 "changeset", "due_on", "result", "redo"]  # fmt: skip
_COLUMN_OF = {"opened": "opened_on", "started": "started_on", "closed": "closed_on"}  # where a row says each


# What a 办理时限 cell says when the problem has no deadline: the category's limit applies.
NO_DEADLINE = frozenset(word_key(w) for w in ("长期", "长期坚持", "长期推进", "持续", "无", "/", "-", "—"))
BULK_TABLES = ("tickets", "events", "spans", "activity")  # what an import writes a row (or more) per ticket to
_SEP = "\x1f"  # between the parts of a row's key: no cell holds it
# A new ticket's row: its own columns, then what the replay of its events says (derive.PROJECTION).
NEW_TICKET_COLUMNS = ("id", "enterprise_id", "visit_id", "category", "title", "priority", "opened_on", "opened_week",
                      "base_due_on", *derive.PROJECTION)  # fmt: skip
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
        if isinstance(text, str) and self.sheet.key(text) in NO_DEADLINE:
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
            record["history"] = ticket_history.read(row, record)
            record["started_on"] = None  # the history says when, every time
        return record

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
        # The new tickets' counts, summed over the chunks and written when it holds Tally.KEPT
        # keys and at the end: a chunk's tickets share most of their days with the next chunk's.
        self.tally = derive.Tally()
        # Into a ledger with no tickets yet (a park's first import of its ledger) no row can be
        # on file, so nothing is looked up in these tables until the end: their indexes are
        # built once then instead of kept sorted row by row.
        self.dropped = self.store.drop_indexes(BULK_TABLES) if self.writing and not self.with_tickets else []

    def _default_owner(self, enterprise_id: int, day: str) -> int | None:
        if self.assigned is None:
            return None
        on = self.assigned.on_duty(enterprise_id, day)
        return on.pop() if len(on) == 1 else None

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
        if "history" in record:
            history = [
                (kind, day, self.officers.id(self, {"_line": record["_line"], "history": arg}, "history") if arg else None)
                if kind in ("opened", "assigned")
                else (kind, day, arg)
                for kind, day, arg in record["history"]
            ]  # fmt: skip
            events = ticket_history.events(record, history)
        else:
            events = self._told(record, owner_id)
        life = self._life(record, events, owner_id)
        visited = (record["visited_on"], owner_id) if record["visited_on"] else None
        ticket = (ticket_id, enterprise_id, None, record["category"], record["title"], record["priority"],
                  record["opened_on"], self.week(record["opened_on"]), record["due_on"],
                  *derive.projection(life, ()))  # fmt: skip
        self.add((ticket, events, life, visited))

    def _told(self, record: dict, owner_id: int | None) -> list[Event]:
        """The events a row's own columns say: opened, started, closed."""
        events = [Event(0, "opened", record["opened_on"], owner_id=owner_id, department=record["department"],
                        due_on=record["due_on"])]  # fmt: skip
        if record["started_on"]:
            events.append(Event(1, "started", record["started_on"]))
        if record["status"] == "closed":
            events.append(Event(2, "closed", record["closed_on"], outcome=record["outcome"], note=record["resolution"]))
        return events

    def _life(self, record: dict, events: list[Event], owner_id: int | None) -> Life:
        """A new ticket's events replayed, once: they must be a life (in the order of its
        dates) that ends where the row's columns say. Its spans are written from this Life."""
        told = "history" not in record
        try:
            life = replay(record["opened_on"], record["due_on"], events)
        except Refused as e:
            if told:  # the row's own dates out of order: name the column that is
                column, message = _COLUMN_OF[e.event.kind], _("{date} does not fit: {reason}")
            else:
                column, message = "history", _("{kind} on {date} is out of order: {reason}")
            said = message.format(kind=e.event.kind, date=e.event.on_date, reason=e.reason)
            raise self.fail(record, column, said) from None
        if told:
            return life  # opened, started, closed in the order of their dates end where the row says
        s = life.state
        closed = s.status == "closed"
        ended = (s.status, s.owner_id, s.closed_on if closed else None, s.outcome if closed else None, s.department)
        said_owner = owner_id if record["owner"] else None
        says = (record["status"], said_owner, record["closed_on"], record["outcome"], record["department"])
        if ended != says:
            name = self.updater.name
            raise self.fail(
                record,
                "history",
                _("it ends {ended}, but the row's other columns say {says}").format(
                    ended=ticket_history.describe(*ended[:1], name(ended[1]), *ended[2:]),
                    says=ticket_history.describe(*says[:1], name(said_owner), *says[2:]),
                ),
            )
        return life

    # Writing ---------------------------------------------------------------------------

    def _event(self, ticket_id: int, kind: str, day: str, note=None, outcome=None, owner_id=None, department=None,
               due_on=None, result=None, redo=0) -> tuple:  # fmt: skip
        """One event as a row in EVENT_COLUMNS order."""
        return (ticket_id, kind, day, self.week(day), self.now, self.actor, note, outcome, owner_id, department,
                self._changeset, due_on, result, redo)  # fmt: skip

    def _event_rows(self):
        """Each new ticket's events, as rows in EVENT_COLUMNS order."""
        for ticket, events, *_rest in self.pending:
            for e in events:
                yield self._event(ticket[0], e.kind, e.on_date, e.note, e.outcome, e.owner_id, e.department, e.due_on,
                                  e.result, e.redo)  # fmt: skip

    def _link_visits(self) -> None:
        """The visit each planned ticket was raised on: that day's visit to its enterprise, by
        its owner if there were several. One query for the chunk, not one per row."""
        wanted = [(n, t[1], visited[0]) for n, (t, _, _, visited) in enumerate(self.pending) if visited]
        if not wanted:
            return
        conn = self.store.conn
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS import_visits (n INTEGER PRIMARY KEY, enterprise_id INTEGER, "
                     "visited_on TEXT)")  # fmt: skip
        conn.execute("DELETE FROM import_visits")
        conn.executemany("INSERT INTO import_visits (n, enterprise_id, visited_on) VALUES (?, ?, ?)", wanted)
        found: dict[int, list[tuple]] = {}
        for n, visit_id, officer_id in conn.execute(
            """SELECT w.n, v.id, v.officer_id FROM import_visits w
            JOIN visits v ON v.enterprise_id = w.enterprise_id AND v.visited_on = w.visited_on ORDER BY w.n, v.id"""
        ):
            found.setdefault(n, []).append((visit_id, officer_id))
        for n, visits in found.items():
            ticket, events, life, (_day, owner_id) = self.pending[n]
            visit_id = next((v for v, o in visits if o == owner_id), visits[0][0])
            self.pending[n] = ((*ticket[:2], visit_id, *ticket[3:]), events, life, None)
        self.linked += len(found)

    def flush(self) -> None:
        """Write the tickets planned since the last flush with their events and derived rows."""
        self._link_visits()
        busy = self.pending or self.new_events or any(n.new for n in self.names)
        changeset = self.changeset() if busy else None
        for lookup in self.names:
            lookup.write(self.store, changeset)
        if changeset is not None:
            rows = ((*t, changeset) for t, *_ in self.pending)
            self.store.insert_rows("tickets", [*NEW_TICKET_COLUMNS, "changeset"], rows)
            self.store.insert_rows("events", EVENT_COLUMNS, self._event_rows())
            self.store.insert_rows("events", EVENT_COLUMNS, ((*e[:10], changeset, *e[11:]) for e in self.new_events))
            # The new tickets' spans and tallies from the lives `plan` replayed; the tickets an
            # --update moved on are replayed from their events.
            derive.add(self.store.conn, [(t[0], life, t[9:], t[3]) for t, _, life, _ in self.pending], self.tally)
            if len(self.tally.counts) > derive.Tally.KEPT:
                self.tally.write(self.store.conn)
            if self.touched:
                derive.refresh(self.store.conn, self.touched)
        self.pending.clear()
        self.new_events.clear()
        self.touched.clear()

    def finish(self) -> None:
        super().finish()
        if self.writing:
            self.tally.write(self.store.conn)
        self.store.restore_indexes(self.dropped)

    def counts(self) -> dict:
        return {**super().counts(), "linked_to_visits": self.linked}
