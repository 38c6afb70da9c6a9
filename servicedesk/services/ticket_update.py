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
from ..i18n import _, language, pgettext
from ..life import EVENT_FIELDS, Event, Refused, kind_said, replay, too_early, verb
from ..models import OUTCOME_LABELS, STATUS_LABELS

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


def _field(name: str) -> str:
    """A column as a difference names it: `closed on` in English, 办结日期 in Chinese."""
    if language() == "en":
        return name.replace("_", " ")
    return {
        "status": pgettext("field_status", "status"),
        "closed_on": pgettext("field_closed_on", "closed_on"),
        "outcome": pgettext("field_outcome", "outcome"),
        "resolution": pgettext("field_resolution", "resolution"),
        "owner": pgettext("field_owner", "owner"),
        "department": pgettext("field_department", "department"),
    }[name]


def _word(labels: dict, code: str | None) -> str | None:
    """A status or outcome code as people read it: the code in English, 已办结 in Chinese."""
    return code if language() == "en" or code is None else labels.get(code, code)


class TicketUpdate:
    """Compares rows with their tickets on file for a TicketImporter, and plans the events."""

    def __init__(self, importer):
        self.importer = importer
        self._names: dict[int, str] | None = None

    def name(self, officer_id: int | None) -> str:
        if officer_id is None:
            return _("nobody")
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
            to = _word(STATUS_LABELS, record["status"])
            if record["status"] == "closed":
                outcome_said = _word(OUTCOME_LABELS, record["outcome"])
                to = _("{status} on {date} ({outcome})").format(
                    status=to, date=record["closed_on"], outcome=outcome_said
                )
            said.append(f"{_field('status')} {_word(STATUS_LABELS, status)} → {to}")
        elif status == "closed":
            for field, old in (("closed_on", closed_on), ("outcome", outcome), ("resolution", resolution)):
                # An empty 办理结果 or 解决情况 says nothing about a close on file.
                if record[field] != old and (field == "closed_on" or record["_" + field] is not None):
                    changed[field] = True
                    new = record[field]
                    if field == "outcome":
                        old, new = _word(OUTCOME_LABELS, old), _word(OUTCOME_LABELS, new)
                    said.append(f"{_field(field)} {_short(old)} → {_short(new)}")
        if owner_id is not None and owner_id != stored_owner:
            changed["owner"] = True
            said.append(f"{_field('owner')} {self.name(stored_owner)} → {self.name(owner_id)}")
        if record["department"] is not None and record["department"] != department:
            changed["department"] = True
            said.append(f"{_field('department')} {_short(department)} → {_short(record['department'])}")
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
            return importer.fail(record, field, _("ticket #{id} {why}").format(id=ticket_id, why=message))

        target, day = record["status"] if record["_status"] else status, importer.since
        if status == "closed" and target == "closed":
            moved = next((f for f in ("closed_on", "outcome", "resolution") if f in changed), None)
            if moved:
                raise fail(moved, _("was closed on {date} ({outcome}); an import does not re-date or re-grade a "
                                    "close: reopen it first (`servicedesk ticket reopen {id}`) and import again")
                           .format(date=closed_on, outcome=_word(OUTCOME_LABELS, outcome), id=ticket_id))  # fmt: skip
            field = "owner" if "owner" in changed else "department"
            raise fail(field, _("was closed on {date}; reassign or refer it after reopening it "
                                "(`servicedesk ticket reopen {id}`)").format(date=closed_on, id=ticket_id))  # fmt: skip
        if status == "in_progress" and target == "open":
            raise fail("status", _("is in progress; a ticket does not go back to open (待办理)"))
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
        if any(on > self.importer.sheet.today.isoformat() for _kind, on, _fields in planned):
            raise fail("status", _("cannot change after today"))
        recorded = [Event(*r) for r in self.importer.store.conn.execute(_EVENTS, (ticket_id,))]
        before = replay(opened_on, due_on, recorded)
        for kind, on, _fields in planned:
            if why := too_early(before, kind, on):
                raise fail(
                    _COLUMN[kind], _("cannot be {kind} on {date}: {why}").format(kind=kind_said(kind), date=on, why=why)
                )
        new = [Event(_FIRST_NEW + i, kind, on, **fields) for i, (kind, on, fields) in enumerate(planned)]
        try:
            replay(opened_on, due_on, recorded + new)
        except Refused as e:
            said = {"date": e.event.on_date, "why": e.reason}
            if e.event.id >= _FIRST_NEW:
                message = _("cannot {verb} it on {date}: {why}").format(verb=verb(e.event.kind), **said)
                raise fail(_COLUMN[e.event.kind], message) from None
            message = _("would put its {kind} on {date} out of order ({why})").format(
                kind=kind_said(e.event.kind), **said
            )
            raise fail("status", message) from None
