"""The `history` column of a problem ledger: every dated event a row's other columns
cannot say, read from its cell and turned into the events of a new ticket, and written
back by `export` (transfer.py) so an export reads back in unchanged."""

import re

from ..errors import DateError
from ..i18n import _
from ..life import Event
from ..spreadsheets import OUTCOME, RESULT, Row

# Each entry is "DATE KIND[:ARG]" (a reassignment, a referral, an extension, a close that was
# reopened, a follow-up…); ARG is what the kind carries.
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


def read(row: Row, record: dict) -> list[tuple[str, str, str | None]]:
    """A row's `history` cell read: (kind, ISO day, argument) entries that start at the
    opening. Whether they are a life that ends where the row's other columns say is the
    importer's replay (TicketImporter._life)."""
    entries = []
    for part in row.text("history").split(";"):
        part = part.strip()
        if not part:
            continue
        m = _ENTRY.match(part)
        if not m:
            raise row.error(
                "history",
                _('cannot read "{entry}"; write entries like {example}').format(entry=part, example=HISTORY_EXAMPLE),
            )
        try:
            day = row.sheet.parse_date(m["on"]).isoformat()
        except DateError as e:
            raise row.error("history", str(e)) from None
        entries.append((m["kind"], day, (m["arg"] or "").strip() or None))
    opened = [i for i, (kind, _, _) in enumerate(entries) if kind == "opened"]
    if opened != [0] or entries[0][1] != record["opened_on"]:
        raise row.error(
            "history",
            _("it must start with the opening on {opened_on}, once").format(opened_on=record["opened_on"]),
        )
    today = row.sheet.today.isoformat()
    for i, (kind, day, arg) in enumerate(entries):
        if day > today:
            raise row.error("history", _("{kind} on {day} is in the future").format(kind=kind, day=day))
        entries[i] = (kind, day, _argument(row, kind, arg))
    return entries


def _argument(row: Row, kind: str, arg: str | None) -> str | None:
    """An entry's argument as stored: an outcome or result code, an ISO due date, a name."""
    if kind == "closed":
        found = OUTCOME.get(row.sheet.key(arg or "resolved"))
        if found is None:
            raise row.error(
                "history", _('"{arg}" is not an outcome; use resolved, explained or withdrawn').format(arg=arg)
            )
        return found
    if kind == "followed_up":
        found = RESULT.get(row.sheet.key(arg or ""))
        if found is None:
            raise row.error(
                "history",
                _('"{arg}" is not a follow-up result; use satisfied, basically or unsatisfied').format(arg=arg),
            )
        return found
    if kind == "extended":
        try:
            return row.sheet.parse_date(arg or "").isoformat()
        except DateError as e:
            raise row.error("history", str(e)) from None
    if kind == "reopened":
        return "redo" if arg and row.sheet.key(arg) in ("redo", "重办") else None
    return arg


def events(record: dict, history: list) -> list[Event]:
    """The events of a `history` cell, its owners as ids, in the order of the cell."""
    status, department, resolution = record["status"], record["department"], record["resolution"]
    last_close = max(i for i, (kind, _, _) in enumerate(history) if kind == "closed") if status == "closed" else -1
    referred = any(kind == "referred" for kind, _, _ in history)
    return [
        Event(
            i,
            kind,
            day,
            note={"closed": resolution if i == last_close else EARLIER_CLOSE, "reopened": REOPENED}.get(kind),
            outcome=arg if kind == "closed" else None,
            owner_id=arg if kind in ("opened", "assigned") else None,
            department=arg if kind == "referred" else department if kind == "opened" and not referred else None,
            due_on=record["due_on"] if kind == "opened" else arg if kind == "extended" else None,
            result=arg if kind == "followed_up" else None,
            redo=int(kind == "reopened" and arg == "redo"),
        )
        for i, (kind, day, arg) in enumerate(history)
    ]


def format_history(events: list[tuple[str, str, str | None]]) -> str:
    """(on_date, kind, owner name or outcome) in order → the `history` cell."""
    return "; ".join(f"{on} {kind}" + (f":{arg}" if arg else "") for on, kind, arg in events)


def describe(status: str, owner: str | None, closed_on: str | None, outcome: str | None, department: str | None) -> str:
    """Where a ticket ends, as an error names it."""
    closed = f" ({outcome}) on {closed_on}" if closed_on else ""
    return f"{status}{closed}, owner {owner or 'nobody'}, department {department or 'none'}"
