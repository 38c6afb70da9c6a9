"""Importing a problem ledger (问题台账): tickets with a history that agrees with their dates.

Each new ticket gets an `opened` event on its opening date, a `started` event when it is
in progress (or the row says when work started) and a `closed` event on its close date
with the outcome and resolution; the tallies are then rebuilt once, so as-of reports
over imported tickets are right for every past week.
"""

import re
from collections import namedtuple
from datetime import timedelta

from .. import derive
from ..errors import DateError
from ..life import Event, Refused, replay
from ..models import word_key
from ..spreadsheets import OUTCOME, PRIORITY, RESULT, STATUS, Row
from .imports import NO_RESOLUTION, Assignments, Importer, bulk

Ticket = namedtuple(
    "Ticket",
    "id enterprise_id visit_id category title priority owner_id department "
    "opened_on opened_week due_on status outcome closed_on resolution",
)
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


class TicketImporter(Importer):
    table = "tickets"

    def __init__(self, store, sheet, **options):
        super().__init__(store, sheet, **options)
        self.categories = {}
        for code, label, label_zh, due_days in store.conn.execute(
            "SELECT code, label, label_zh, due_days FROM categories ORDER BY position"
        ):
            for word in (code, label, label_zh):
                if word:
                    self.categories.setdefault(word.lower(), (code, due_days))
        self.started: dict[int, str] = {}
        self.histories: dict[int, list[tuple]] = {}
        self.linked = 0

    def _category(self, row: Row) -> tuple[str, int]:
        text = row.text("category", required=True)
        found = self.categories.get(text.lower())
        if found is None:
            codes = sorted({code for code, _ in self.categories.values()})
            raise row.error(
                "category",
                f'unknown category "{text}"; use one of: {", ".join(codes)} or its Chinese label, '
                "or add it first with `servicedesk category add`",
            )
        return found

    def parse(self, row: Row) -> dict:
        category, due_days = self._category(row)
        opened = row.date("opened_on", required=True)
        due = row.date("due_on", future=True) or opened + timedelta(days=due_days)
        started = row.date("started_on")
        closed = row.date("closed_on")
        outcome = row.choice("outcome", OUTCOME)
        status = row.choice("status", STATUS)
        if status is None:
            status = "closed" if closed or outcome else "in_progress" if started else "open"
        elif status != "closed" and (closed or outcome):
            what = "a close date" if closed else "an outcome"
            raise row.error("status", f'"{row.text("status")}" says it is not closed, but the row has {what}')
        elif status == "open" and started:
            raise row.error("status", f'"{row.text("status")}" says work has not started, but the row has a start date')
        if due < opened:
            raise row.error("due_on", f"{due.isoformat()} is before the opening date {opened.isoformat()}")
        resolution = row.text("resolution")
        if status == "closed":
            if closed is None:
                raise row.error("closed_on", "a closed ticket needs the date it was closed (办结时间)")
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
        }
        if row.has("history"):
            record["history"] = self._history(row, record)
            record["started_on"] = None  # the history says when, every time
        else:
            self._check_order(row, record)
        return record

    def _check_order(self, row: Row, record: dict) -> None:
        """The row's own dates (opened, started, closed) in the order of a ticket's life."""
        events = [Event(0, "opened", record["opened_on"])]
        if record["started_on"]:
            events.append(Event(1, "started", record["started_on"]))
        if record["status"] == "closed":
            events.append(Event(2, "closed", record["closed_on"], outcome=record["outcome"]))
        try:
            replay(record["opened_on"], record["due_on"], events)
        except Refused as e:
            column = _COLUMN_OF[e.event.kind]
            raise row.error(column, f"{e.event.on_date} does not fit: {e.reason}") from None

    def _history(self, row: Row, record: dict) -> list[tuple[str, str, str | None]]:
        """The `history` cell replayed: it must start at the opening and end where the row's columns say."""
        entries = []
        for part in row.text("history").split(";"):
            if not part.strip():
                continue
            m = _ENTRY.match(part.strip())
            if not m:
                raise row.error("history", f'cannot read "{part.strip()}"; write entries like {HISTORY_EXAMPLE}')
            try:
                day = self.sheet.parse_date(m["on"]).isoformat()
            except DateError as e:
                raise row.error("history", str(e)) from None
            entries.append((m["kind"], day, (m["arg"] or "").strip() or None))
        opened = [i for i, (kind, _, _) in enumerate(entries) if kind == "opened"]
        if opened != [0] or entries[0][1] != record["opened_on"]:
            raise row.error("history", f"it must start with the opening on {record['opened_on']}, once")
        referred = any(kind == "referred" for kind, _, _ in entries)
        events = []
        for i, (kind, day, arg) in enumerate(entries):
            if day > self.sheet.today.isoformat():
                raise row.error("history", f"{kind} on {day} is in the future")
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
            raise row.error("history", f"{e.event.kind} on {e.event.on_date} is out of order: {e.reason}") from None
        closed = ends.status == "closed"
        ended = _state(ends.status, ends.owner_id, ends.closed_on if closed else None, ends.outcome if closed else None,
                       ends.department)  # fmt: skip
        says = _state(record["status"], record["owner"], record["closed_on"], record["outcome"], record["department"])
        if ended != says:
            raise row.error("history", f"it ends {ended}, but the row's other columns say {says}")
        return entries

    def _history_arg(self, row: Row, kind: str, arg: str | None) -> str | None:
        """An entry's argument as stored: an outcome or result code, an ISO due date, a name."""
        if kind == "closed":
            found = OUTCOME.get(word_key(arg or "resolved"))
            if found is None:
                raise row.error("history", f'"{arg}" is not an outcome; use resolved, explained or withdrawn')
            return found
        if kind == "followed_up":
            found = RESULT.get(word_key(arg or ""))
            if found is None:
                raise row.error(
                    "history", f'"{arg}" is not a follow-up result; use satisfied, basically or unsatisfied'
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

    def prepare(self) -> None:
        self.enterprises = self.lookups("enterprises", "enterprise")
        self.officers = self.lookups("officers", "officer")
        self.seen = self.counted(
            "SELECT enterprise_id, category, title, opened_on, count(*) FROM tickets WHERE removed IS NULL GROUP BY 1, 2, 3, 4"
        )
        self.next_id = (self.store.value("SELECT max(id) FROM tickets") or 0) + 1
        self.visits: dict[tuple[int, str], list[tuple[int, int]]] | None = None
        # A ledger with no owner column gets `ticket open`'s rule: the enterprise's one officer.
        self.assigned = None if "owner" in self.sheet.columns else Assignments(self.store)

    def _default_owner(self, enterprise_id: int, day: str) -> int | None:
        if self.assigned is None:
            return None
        on = self.assigned.on_duty(enterprise_id, day)
        return on.pop() if len(on) == 1 else None

    def _visit(self, enterprise_id: int, day: str, owner_id: int | None) -> int | None:
        """The visit the problem was raised on: that day's visit to the enterprise, by the owner if several."""
        if self.visits is None:
            self.visits = {}
            for visit_id, e, on, officer_id in self.store.conn.execute(
                "SELECT id, enterprise_id, visited_on, officer_id FROM visits ORDER BY id"
            ):
                self.visits.setdefault((e, on), []).append((visit_id, officer_id))
        found = self.visits.get((enterprise_id, day))
        if not found:
            return None
        self.linked += 1
        return next((v for v, o in found if o == owner_id), found[0][0])

    def plan(self, record: dict) -> None:
        enterprise_id = self.enterprises.id(self, record, "enterprise")
        if record["owner"]:
            owner_id = self.officers.id(self, record, "owner")
        else:
            owner_id = self._default_owner(enterprise_id, record["opened_on"])
        if self.is_present(self.seen, (enterprise_id, record["category"], record["title"], record["opened_on"])):
            return
        ticket_id = self.next_id
        self.next_id += 1
        if record["started_on"]:
            self.started[ticket_id] = record["started_on"]
        if "history" in record:
            self.histories[ticket_id] = [
                (
                    kind,
                    day,
                    self.officers.id(self, {"_line": record["_line"], "history": arg}, "history") if arg else None,
                )
                if kind in ("opened", "assigned")
                else (kind, day, arg)
                for kind, day, arg in record["history"]
            ]
        visited = record["visited_on"]
        record.update(
            id=ticket_id,
            enterprise_id=enterprise_id,
            owner_id=owner_id,
            visit_id=self._visit(enterprise_id, visited, owner_id) if visited else None,
            opened_week=self.week(record["opened_on"]),
        )
        # A tuple, not the dict: a 100k-row ledger is held whole until it is written.
        self.new.append(Ticket(*(record[c] for c in Ticket._fields)))

    def _event(self, t: Ticket, kind: str, day: str, **fields) -> tuple:
        """One event of a new ticket as a row in EVENT_COLUMNS order."""
        fields.setdefault("redo", 0)
        base = {"ticket_id": t.id, "kind": kind, "on_date": day, "week": self.week(day), "at": self.now,
                "actor": self.actor, "changeset": self.changeset}  # fmt: skip
        return tuple({**base, **fields}.get(c) for c in EVENT_COLUMNS)

    def _events(self):
        """Each new ticket's history, as rows in EVENT_COLUMNS order."""
        for t in self.new:
            if t.id in self.histories:
                yield from self._replayed(t)
                continue
            yield self._event(t, "opened", t.opened_on, owner_id=t.owner_id, department=t.department, due_on=t.due_on)
            started = self.started.get(t.id)
            if started:
                yield self._event(t, "started", started)
            if t.status == "closed":
                yield self._event(t, "closed", t.closed_on, note=t.resolution, outcome=t.outcome)

    def _replayed(self, t: Ticket):
        history = self.histories[t.id]
        last_close = (
            max(i for i, (kind, _, _) in enumerate(history) if kind == "closed") if t.status == "closed" else -1
        )
        referred = any(kind == "referred" for kind, _, _ in history)
        for i, (kind, day, arg) in enumerate(history):
            yield self._event(
                t,
                kind,
                day,
                note={"closed": t.resolution if i == last_close else EARLIER_CLOSE, "reopened": REOPENED}.get(kind),
                outcome=arg if kind == "closed" else None,
                owner_id=arg if kind in ("opened", "assigned") else None,
                department=arg if kind == "referred" else t.department if kind == "opened" and not referred else None,
                due_on=t.due_on if kind == "opened" else arg if kind == "extended" else None,
                result=arg if kind == "followed_up" else None,
                redo=int(kind == "reopened" and arg == "redo"),
            )

    def write(self) -> None:
        self.changeset = self.store.changeset(self.actor)
        for names in self.names:
            names.write(self.store, self.changeset)
        columns = [*Ticket._fields, "base_due_on", "changeset"]
        bulk(self.store, "tickets", ((*t, t.due_on, self.changeset) for t in self.new), columns)
        bulk(self.store, "events", self._events(), EVENT_COLUMNS)
        if self.new:
            # The new tickets' spans and tallies; their projection columns are already as imported.
            derive.refresh(self.store.conn, (t.id for t in self.new))

    def counts(self) -> dict:
        return {**super().counts(), "linked_to_visits": self.linked}


def format_history(events: list[tuple[str, str, str | None]]) -> str:
    """(on_date, kind, owner name or outcome) in order → the `history` cell."""
    return "; ".join(f"{on} {kind}" + (f":{arg}" if arg else "") for on, kind, arg in events)


def _state(status: str, owner: str | None, closed_on: str | None, outcome: str | None, department: str | None) -> str:
    closed = f" ({outcome}) on {closed_on}" if closed_on else ""
    return f"{status}{closed}, owner {owner or 'nobody'}, department {department or 'none'}"
