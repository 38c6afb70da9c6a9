"""A ledger row whose ticket is on file but has moved on: what differs, and (with --update)
the dated events that bring the ticket where the row says.

The events are those the ticket verbs record: `reopened`, `assigned`, `referred`,
`started`, `closed`. The row dates a start (开始办理日期) and a close (办结时间); the rest
happen on the import day, or --from D, and never after the close the row records. Each
is checked against the ticket's life (life.replay) before anything is written, so a
row that cannot be applied names its line and column.

What no event can do is refused on the row: a close is not re-dated or re-graded by an
import (reopen the ticket first), a ticket in progress does not go back to open, and a
closed ticket is not reassigned or referred.
"""

from ..derive import EFFECTIVE
from ..life import EVENT_FIELDS, VERBS, Event, Refused, replay, too_early

# The column a refused event is named by.
_COLUMN = {"reopened": "status", "started": "status", "closed": "closed_on", "assigned": "owner",
           "referred": "department"}  # fmt: skip
_FIRST_NEW = 10**15  # ids of events not recorded yet: after every recorded one of the same day
_EVENTS = f"""SELECT {", ".join("e." + f for f in EVENT_FIELDS)} FROM events e
    WHERE e.ticket_id = ? AND {EFFECTIVE} ORDER BY e.on_date, e.id"""


def _short(text: str | None, width: int = 24) -> str:
    if not text:
        return "—"
    return text if len(text) <= width else text[: width - 1] + "…"


class TicketUpdate:
    """Compares rows with their tickets on file for a TicketImporter, and plans the events."""

    def __init__(self, importer):
        self.importer = importer
        self._names: dict[int, str] | None = None

    def name(self, officer_id: int | None) -> str:
        if officer_id is None:
            return "nobody"
        if self._names is None or officer_id not in self._names:
            self._names = {i: n for n, i in self.importer.officers.ids.items()}
        return self._names.get(officer_id, f"#{officer_id}")

    def compare(self, record: dict, stored: tuple, owner_id: int | None) -> None:
        """`owner_id`: the owner the row names (None: the row names nobody, so no change)."""
        importer = self.importer
        ticket_id, status, closed_on, outcome, resolution, stored_owner, department = stored[:7]
        said, changed = [], {}
        if not record["_status"]:
            pass  # the file does not say where the ticket stands
        elif record["status"] != status:
            to = record["status"]
            if to == "closed":
                to += f" on {record['closed_on']} ({record['outcome']})"
            said.append(f"status {status} → {to}")
        elif status == "closed":
            for field, old in (("closed_on", closed_on), ("outcome", outcome), ("resolution", resolution)):
                # An empty 办理结果 or 解决情况 says nothing about a close on file.
                if record[field] != old and (field == "closed_on" or record["_" + field] is not None):
                    changed[field] = True
                    said.append(f"{field.replace('_', ' ')} {_short(old)} → {_short(record[field])}")
        if owner_id is not None and owner_id != stored_owner:
            changed["owner"] = True
            said.append(f"owner {self.name(stored_owner)} → {self.name(owner_id)}")
        if record["department"] is not None and record["department"] != department:
            changed["department"] = True
            said.append(f"department {_short(department)} → {_short(record['department'])}")
        if not said:
            importer.present += 1
            return
        if importer.update:
            events = self._events(record, stored, owner_id, changed)
            importer.new_events.extend(events)
            importer.touched.append(ticket_id)
            if len(importer.touched) >= 1000:
                importer.flush()
        importer.differ(record, f"#{ticket_id} {_short(record['title'])}", said)

    def _events(self, record: dict, stored: tuple, owner_id: int | None, changed: dict) -> list[tuple]:
        importer = self.importer
        ticket_id, status, closed_on, outcome = stored[:4]
        opened_on, due_on = stored[7:9]

        def fail(field: str, message: str):
            return importer.fail(record, field, f"ticket #{ticket_id} {message}")

        target, day = record["status"] if record["_status"] else status, importer.since
        if status == "closed" and target == "closed":
            moved = next((f for f in ("closed_on", "outcome", "resolution") if f in changed), None)
            if moved:
                raise fail(moved, f"was closed on {closed_on} ({outcome}); an import does not re-date or re-grade a "
                           f"close: reopen it first (`servicedesk ticket reopen {ticket_id}`) and import again")  # fmt: skip
            field = "owner" if "owner" in changed else "department"
            raise fail(field, f"was closed on {closed_on}; reassign or refer it after reopening it "
                       f"(`servicedesk ticket reopen {ticket_id}`)")  # fmt: skip
        if status == "in_progress" and target == "open":
            raise fail("status", "is in progress; a ticket does not go back to open (待办理)")
        planned: list[tuple] = []  # (kind, day, fields)
        started = record["_started"]
        if status == "closed":
            note = f"reopened by the import of {importer.sheet.name} (line {record['_line']}: {target})"
            planned.append(("reopened", day, {"note": note}))
            status, started = "open", None  # work on it starts again after the reopening
        closing = target == "closed"
        # What happened while it was being handled lies before the close the row records.
        in_cycle = min(day, record["closed_on"]) if closing else day
        if "owner" in changed:
            planned.append(("assigned", in_cycle, {"owner_id": owner_id}))
        if "department" in changed:
            planned.append(("referred", in_cycle, {"department": record["department"]}))
        if status == "open" and (target == "in_progress" or (closing and started)):
            planned.append(("started", started or in_cycle, {}))
        if closing:
            planned.append(
                ("closed", record["closed_on"], {"note": record["resolution"], "outcome": record["outcome"]})
            )
        self._check(record, ticket_id, opened_on, due_on, planned, fail)
        return [importer._event(ticket_id, kind, on, **fields) for kind, on, fields in planned]

    def _check(self, record, ticket_id, opened_on, due_on, planned, fail) -> None:
        """The planned events in the ticket's life, as the ticket verbs check them."""
        if any(on > self.importer.sheet.today.isoformat() for _, on, _ in planned):
            raise fail("status", "cannot change after today")
        recorded = [Event(*r) for r in self.importer.store.conn.execute(_EVENTS, (ticket_id,))]
        before = replay(opened_on, due_on, recorded)
        for kind, on, _ in planned:
            if why := too_early(before, kind, on):
                raise fail(_COLUMN[kind], f"cannot be {kind} on {on}: {why}")
        new = [Event(_FIRST_NEW + i, kind, on, **fields) for i, (kind, on, fields) in enumerate(planned)]
        try:
            replay(opened_on, due_on, recorded + new)
        except Refused as e:
            if e.event.id >= _FIRST_NEW:
                raise fail(
                    _COLUMN[e.event.kind], f"cannot {VERBS[e.event.kind]} it on {e.event.on_date}: {e.reason}"
                ) from None
            raise fail(
                "status", f"would put its {e.event.kind} on {e.event.on_date} out of order ({e.reason})"
            ) from None
