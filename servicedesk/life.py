"""A ticket's life: the kinds of event, the transition table, and the replay of a ticket's
events into its states over time. No I/O: the services, the importer, the demo generator
and the derived tables (derive.py) all read a ticket's history through `replay`.

The replay is the one definition of what a history means. It checks that the events are
in the order of a ticket's life (domain.md "Corrections"), and turns them into:
- `spans`: the ticket's state from one day to the next change, for "as of D" figures;
- `activity`: the dated things that a week's own figures count (opened, closed, …);
- `state`: where the ticket stands now (the tickets table keeps it for lists).
"""

from dataclasses import dataclass
from enum import StrEnum
from operator import attrgetter
from typing import NamedTuple

from .i18n import _, language, pgettext
from .models import EVENT_LABELS, STATUS_LABELS, Outcome, Status

OPEN_END = "9999-12-31"  # the end of a span that has not ended


class EventKind(StrEnum):
    opened = "opened"
    started = "started"
    assigned = "assigned"
    referred = "referred"
    note = "note"
    closed = "closed"
    reopened = "reopened"
    edited = "edited"
    deleted = "deleted"
    extended = "extended"
    urged = "urged"
    supervised = "supervised"
    followed_up = "followed_up"


K = EventKind

# The transition table: the status each status-changing kind leads to, from each status it may follow.
TRANSITIONS: dict[EventKind, dict[Status | None, Status]] = {
    K.opened: {None: Status.open},
    K.started: {Status.open: Status.in_progress},
    K.closed: {Status.open: Status.closed, Status.in_progress: Status.closed},
    K.reopened: {Status.closed: Status.open},
}
# Things done to a ticket while it is being handled: between an opening (or reopening) and its close.
IN_CYCLE = frozenset({K.started, K.assigned, K.referred, K.extended, K.urged, K.supervised})
# Things done once it is closed.
AFTER_CLOSE = frozenset({K.followed_up})
# The verb a kind is refused with: "cannot close #12 on …".
VERBS = {
    K.opened: "open",
    K.started: "start",
    K.assigned: "assign",
    K.referred: "refer",
    K.note: "note on",
    K.closed: "close",
    K.reopened: "reopen",
    K.edited: "edit",
    K.deleted: "delete",
    K.extended: "extend",
    K.urged: "urge",
    K.supervised: "supervise",
    K.followed_up: "follow up",
}


def verb(kind) -> str:
    """The verb a refusal says, in this command's language: close / 办结."""
    said = {
        K.opened: pgettext("verb", "open"),
        K.started: pgettext("verb", "start"),
        K.assigned: pgettext("verb", "assign"),
        K.referred: pgettext("verb", "refer"),
        K.note: pgettext("verb", "note on"),
        K.closed: pgettext("verb", "close"),
        K.reopened: pgettext("verb", "reopen"),
        K.edited: pgettext("verb", "edit"),
        K.deleted: pgettext("verb", "delete"),
        K.extended: pgettext("verb", "extend"),
        K.urged: pgettext("verb", "urge"),
        K.supervised: pgettext("verb", "supervise"),
        K.followed_up: pgettext("verb", "follow up"),
    }
    return said[K(kind)]


def kind_said(kind) -> str:
    """An event's kind as a message names it: `closed` in English, 办结 in Chinese."""
    return str(kind) if language() == "en" else EVENT_LABELS.get(str(kind), str(kind))


SATISFIED = ("satisfied", "basically")  # results that count as satisfied (满意, 基本满意)


class Event(NamedTuple):
    """One recorded event, as the replay needs it (a row of the events table)."""

    id: int
    kind: str
    on_date: str
    owner_id: int | None = None
    department: str | None = None
    outcome: str | None = None
    note: str | None = None
    due_on: str | None = None
    result: str | None = None
    redo: int = 0


EVENT_FIELDS = Event._fields


class Refused(Exception):
    """An event that does not fit the ticket's life at its date. `event` is the one that
    broke the order: the new one, or an existing one that the new one would put out of order."""

    def __init__(self, event: Event, reason: str):
        super().__init__(reason)
        self.event, self.reason = event, reason


def next_status(status: Status | None, kind: EventKind) -> Status | None:
    """The status after an event; None when the kind cannot follow this status."""
    moves = TRANSITIONS.get(kind)
    if moves is None:
        return status
    return moves.get(status)


@dataclass(slots=True)
class State:
    """A ticket as of the end of a day: what every as-of figure is computed from. The
    replay changes one State in place, event by event, and keeps a tuple of it per span."""

    status: str = Status.open
    outcome: str | None = None  # of the latest close, while closed
    closed_on: str | None = None  # the latest close, while closed
    due_on: str = ""  # the due date in force (frozen at a close)
    owner_id: int | None = None
    department: str | None = None
    supervised: int = 0  # on the leadership's list until the ticket closes
    supervised_ever: int = 0
    urged: int = 0  # how many times so far
    extended: int = 0  # how many times so far
    ever_closed: int = 0
    reopened: int = 0  # ever reopened, for any reason
    redone: int = 0  # ever reopened by an unsatisfied follow-up
    follow_up: str | None = None  # the result of the latest close's follow-up, while closed
    last_result: str | None = None  # the latest follow-up's result, whenever it was


SPAN_FIELDS = tuple(State.__dataclass_fields__)
_span_fields = attrgetter(*SPAN_FIELDS)


@dataclass
class Life:
    """A ticket's replayed history."""

    state: State | None  # None: the ticket does not count (deleted, or its opening undone)
    spans: list[tuple[str, str, "State"]]  # (from_on, until_on, the state from one to the other)
    activity: list[tuple]  # (kind, on_date, outcome, result, redo)
    removed: str | None = None  # "deleted" or "undone"
    resolution: str | None = None  # the latest close's note, while closed
    owner_at_close: int | None = None  # who owned it when it last closed
    last_status: Event | None = None  # the latest opened/started/closed/reopened event
    opened_on: str | None = None


def replay(opened_on: str, due_on: str, events: list[Event], in_order: bool = False) -> Life:
    """Replay a ticket's effective events (undone ones already left out) from its opening.

    `opened_on` and `due_on` are the ticket's own (corrected) opening and due dates; the
    events are in any order, or `in_order` of their date and recording. Raises Refused for
    the first event that does not fit.
    """
    if in_order:
        # Only the opening may be out of place: `edit --opened` moves it.
        ordered = list(events)
        at = next((i for i, e in enumerate(ordered) if e.kind == "opened"), None)
        if at:
            ordered.insert(0, ordered.pop(at))
    else:
        # The opening is the ticket's first event, on its opening day (which `edit --opened` may move).
        ordered = sorted(events, key=lambda e: (opened_on, 0, e.id) if e.kind == "opened" else (e.on_date, 1, e.id))
    first = ordered[0] if ordered else None
    if first is None or first.kind != "opened":
        if not any(e.kind == "opened" for e in ordered):
            return Life(None, [], [], removed="undone")
        raise Refused(first, _("it was opened on {date}").format(date=opened_on))
    state = State(due_on=due_on, owner_id=first.owner_id, department=first.department)
    spans: list[tuple] = []
    activity: list[tuple] = [("opened", opened_on, None, None, 0)]
    life = Life(state, spans, activity, last_status=first, opened_on=opened_on)
    day, deleted = opened_on, False
    for event in ordered[1:]:
        if event.on_date < opened_on:
            raise Refused(event, _("it was opened on {date}").format(date=opened_on))
        if event.on_date != day:
            spans.append((day, event.on_date, State(*_span_fields(state))))
            day = event.on_date
        _apply(life, state, event)
        if event.kind in TRANSITIONS:
            life.last_status = event
        deleted = deleted or event.kind == K.deleted
    spans.append((day, OPEN_END, State(*_span_fields(state))))
    if deleted:
        # Out of every figure; its last state stays for `ticket show`.
        life.removed, life.spans, life.activity = "deleted", [], []
    return life


def _apply(life: Life, s: State, e: Event) -> None:
    """Change the state by one event, or raise Refused."""
    kind = e.kind
    closed = s.status == Status.closed
    if kind in TRANSITIONS:
        if next_status(s.status, kind) is None:
            raise Refused(e, _why_not(s, K(kind)))
    elif kind in IN_CYCLE and closed:
        raise Refused(
            e, _("it was closed on {date}; reopen it first, or date it before the close").format(date=s.closed_on)
        )
    elif kind in AFTER_CLOSE and not closed:
        raise Refused(e, _("it is not closed then"))
    if kind == K.started:
        s.status = Status.in_progress
    elif kind == K.assigned:
        s.owner_id = e.owner_id
    elif kind == K.referred:
        s.department = e.department
    elif kind == K.closed:
        life.activity.append((kind, e.on_date, e.outcome, None, 0))
        life.resolution, life.owner_at_close = e.note, s.owner_id
        s.status, s.outcome, s.closed_on = Status.closed, e.outcome or Outcome.resolved, e.on_date
        s.supervised, s.ever_closed, s.follow_up = 0, 1, None
    elif kind == K.reopened:
        life.activity.append((kind, e.on_date, None, None, int(bool(e.redo))))
        life.resolution = None
        s.status, s.outcome, s.closed_on, s.follow_up = Status.open, None, None, None
        s.reopened, s.redone = 1, s.redone or int(bool(e.redo))
    elif kind == K.extended:
        if e.on_date > s.due_on:
            raise Refused(e, _("its due date {date} had passed").format(date=s.due_on))
        if not e.due_on or e.due_on <= s.due_on:
            raise Refused(e, _("the new due date {new} is not after {old}").format(new=e.due_on, old=s.due_on))
        life.activity.append((kind, e.on_date, None, None, 0))
        s.due_on, s.extended = e.due_on, s.extended + 1
    elif kind == K.urged:
        life.activity.append((kind, e.on_date, None, None, 0))
        s.urged += 1
    elif kind == K.supervised:
        life.activity.append((kind, e.on_date, None, None, 0))
        s.supervised = s.supervised_ever = 1
    elif kind == K.followed_up:
        life.activity.append((kind, e.on_date, None, e.result, 0))
        s.follow_up = s.last_result = e.result
    # note, edited, deleted: nothing a figure counts


def too_early(life: Life, kind: str, day: str) -> str | None:
    """Why a new close or reopen dated `day` comes too early, if it does: it is dated no
    earlier than the ticket's previous change of status (domain.md "Corrections")."""
    last = life.last_status
    if life.opened_on and day < life.opened_on:
        return _("it was opened on {date}").format(date=life.opened_on)
    if kind in (K.closed, K.reopened) and last is not None and day < last.on_date:
        return _("it was {kind} on {date}; date it on or after that").format(
            kind=kind_said(last.kind), date=last.on_date
        )
    return None


def _why_not(s: State, kind: EventKind) -> str:
    if kind == K.opened:
        return _("it is already open")
    if s.status == Status.closed:
        return (
            _("it is already closed (on {date}); reopen it first").format(date=s.closed_on)
            if kind == K.closed
            else _("it was closed on {date}; reopen it first, or date it before the close").format(date=s.closed_on)
        )
    if kind == K.started:
        return _("it is already in progress")
    status = s.status.replace("_", " ") if language() == "en" else STATUS_LABELS.get(str(s.status), str(s.status))
    return _("only a closed ticket can be reopened; it is {status}").format(status=status)
