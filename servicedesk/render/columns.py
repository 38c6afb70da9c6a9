"""The columns every table is drawn with: one registry for lists and report sections.

After Taskwarrior's report columns, a column is an object that knows its label, its kind
(what its cells hold, which decides alignment and how it may break), how narrow text may
get, and whether it gives way on a narrow terminal. render/tables.py draws any rows under
any of these columns, on a terminal, in a pipe and in Markdown alike.

Lists name their columns by the JSON field (`ticket list`: id, enterprise, title, …) and
head them with that name, as CSV does; report sections use the same names where they mean
the same thing and are headed in --lang (labels.py). Where a report's figure shares a name
with a list field of another kind, it gets its own name (`officer_tickets`, a count, where
a visit's `tickets` lists ticket ids).

Adding a report section: register the columns it needs here (name, kind, the label's key
in labels.py, `drop` if it may go), give the labels in labels.py, and build its rows as
dicts keyed by those names (render/weekly.py says how). An unregistered name is drawn as
text.
"""

from dataclasses import dataclass
from enum import StrEnum

from . import labels as _labels


class Kind(StrEnum):
    id = "id"  # 12, #12: never breaks
    date = "date"  # 2022-05-10, and moments: never breaks
    number = "number"  # counts, days, scores, flags: never breaks
    rate = "rate"  # 97.8% (90/92): breaks only before its counts
    code = "code"  # a word from a fixed list (status, priority, week, phone): never breaks
    text = "text"  # names, titles, notes: wraps, and shares the width left over


RIGHT = frozenset({Kind.id, Kind.number, Kind.rate})  # right-aligned, header too
WRAPS = frozenset({Kind.rate, Kind.text})  # the rest never break


@dataclass(frozen=True)
class Column:
    name: str  # the row's key
    kind: Kind = Kind.text
    label: str = ""  # its key in labels.py, when not the name
    drop: int = 0  # 0: always shown; else it gives way on a narrow terminal, lowest first
    min_width: int = 12  # text: the least it keeps before minor columns give way

    @property
    def right(self) -> bool:
        return self.kind in RIGHT

    @property
    def wraps(self) -> bool:
        return self.kind in WRAPS

    def header(self, lang: str | None = None) -> str:
        """Lists are headed by field names (lang None), as JSON and CSV are; reports in --lang."""
        if lang is None:
            return self.name
        return _labels.labels(lang).get(self.label or self.name, self.name)


def _columns(*columns: Column) -> dict[str, Column]:
    return {c.name: c for c in columns}


ID, DATE, NUMBER, RATE, CODE, TEXT = Kind.id, Kind.date, Kind.number, Kind.rate, Kind.code, Kind.text

# `drop` ranks: the lowest goes first. Spaced by ten so a new column slots in between.
REGISTRY: dict[str, Column] = _columns(
    # who and what
    Column("id", ID),
    Column("ticket", ID),
    Column("visit_id", ID),
    Column("code", CODE),
    Column("name", TEXT),
    Column("enterprise", TEXT),
    Column("officer", TEXT),
    Column("owner", TEXT),
    Column("actor", TEXT),
    Column("officers", TEXT),
    Column("enterprises", TEXT),  # an officer's enterprises, by name
    Column("tickets", TEXT),  # a visit's tickets, by id
    Column("sector", TEXT),
    Column("department", TEXT),
    Column("unit", TEXT),
    Column("label", TEXT),
    Column("label_zh", TEXT),
    Column("kind", CODE),  # an enterprise's, a history event's, a feedback's
    Column("rank", CODE),
    Column("contact", TEXT, drop=50),
    Column("phone", CODE, drop=70),
    Column("address", TEXT, drop=60),
    Column("archived", CODE, drop=40),
    # tickets
    Column("category", TEXT, drop=150, min_width=10),  # a code in lists, the park's label in reports
    Column("title", TEXT),
    Column("note", TEXT),
    Column("resolution", TEXT),
    Column("status", CODE),
    Column("outcome", CODE),
    Column("priority", CODE, drop=10),
    Column("channel", CODE, drop=80),
    Column("score", NUMBER),
    Column("due_days", NUMBER),
    Column("overdue", NUMBER),  # a flag in lists (yes), a count in reports
    Column("light", CODE),  # red, yellow, green: how near the due date
    Column("supervised", NUMBER),  # a flag on a ticket, a count in reports
    Column("urged", NUMBER),
    Column("extended", NUMBER),
    Column("follow_up", CODE),
    Column("result", CODE),  # a follow-up's
    Column("limit", CODE),  # a category's time limit: 30d, 15wd
    Column("days_open", NUMBER, drop=15),  # the due date and the overdue column say the urgent part
    # dates and moments
    Column("opened_on", DATE, drop=25),
    Column("due_on", DATE),
    Column("closed_on", DATE),
    Column("visited_on", DATE),
    Column("received_on", DATE),
    Column("on", DATE),
    Column("at", DATE, drop=20),
    Column("week", CODE),
    Column("day", DATE),  # the calendar's
    Column("weekday", CODE),
    Column("workday", CODE),
    Column("source", CODE),
    # services delivered
    Column("served_on", DATE),
    Column("quantity", NUMBER),
    Column("amount", NUMBER),
    Column("records", NUMBER),
    # a record (`… show`) and a report's figures, as label/value lines
    Column("field", TEXT),
    Column("detail", TEXT, min_width=20),
    Column("figure", TEXT),
    Column("value", NUMBER),  # a figure's count or rate
    Column("collected", NUMBER),
    Column("closed", NUMBER, drop=110),  # its count is in the closure rate beside it
    Column("solved", NUMBER, drop=90),  # … in the resolution rate
    Column("on_time", NUMBER, drop=100),  # … in the on-time rate
    Column("open", NUMBER),
    Column("opened", NUMBER),
    Column("closed_cumulative", NUMBER),
    Column("this_week", NUMBER),
    Column("to_date", NUMBER),
    Column("officer_enterprises", NUMBER, label="enterprises"),
    Column("officer_visits", NUMBER, label="visits"),
    Column("officer_tickets", NUMBER, label="tickets"),
    Column("closure_rate", RATE),
    Column("resolution_rate", RATE),
    Column("on_time_rate", RATE),
    Column("satisfaction_rate", RATE),
    Column("follow_up_rate", RATE),
    Column("redo_rate", RATE),
    Column("reopen_rate", RATE),
    Column("referred", NUMBER),
    Column("redone", NUMBER),
    Column("red", NUMBER),
    Column("yellow", NUMBER),
    Column("green", NUMBER),
    Column("service", TEXT),
    Column("served_enterprises", NUMBER),
    Column("week_records", NUMBER),
    Column("median_days_to_close", NUMBER, drop=130),
    Column("p90_days_to_close", NUMBER, drop=120),
)


def column(name: str) -> Column:
    """The registered column, or plain text for a field nobody registered yet."""
    found = REGISTRY.get(name)
    return found if found is not None else Column(name)


def resolve(columns) -> list[Column]:
    """Names or Columns → Columns."""
    return [c if isinstance(c, Column) else column(c) for c in columns]


# The words a code column shows in Chinese: the domain's own names for its codes (models),
# the same that the options and imports read.
def _vocabularies() -> dict[str, dict[str, str]]:
    from .. import models

    kinds = {**models.KIND_LABELS, **models.FEEDBACK_LABELS, **models.SERVICE_LABELS, **models.EVENT_LABELS}
    return {
        "status": models.STATUS_LABELS,
        "outcome": models.OUTCOME_LABELS,
        "priority": models.PRIORITY_LABELS,
        "channel": models.CHANNEL_LABELS,
        "rank": models.RANK_LABELS,
        "kind": kinds,
        "light": models.LIGHT_LABELS,
        "result": models.RESULT_LABELS,
        "follow_up": models.RESULT_LABELS,
        "source": models.SOURCE_LABELS,
        "weekday": models.WEEKDAY_LABELS,
    }


def localise(rows: list[dict], columns: list[Column], lang: str, words: dict[str, dict] | None = None) -> list[dict]:
    """Rows as people read them in `lang`: in Chinese, codes become the domain's Chinese
    names, flags 是, lists are joined with 、, and `words` (column → {code: label}, e.g. the
    park's categories) apply."""
    if lang != "zh":
        return list(rows)
    vocab = {**_vocabularies(), **(words or {})}
    yes = _labels.labels(lang)["yes"]
    shown = [c.name for c in columns]
    out = []
    for row in rows:
        row = dict(row)
        for name in shown:
            value = row.get(name)
            if isinstance(value, bool):
                row[name] = yes if value else ""
            elif isinstance(value, str) and name in vocab:
                row[name] = vocab[name].get(value, value)
            elif isinstance(value, list | tuple):  # names one after another, as Chinese lists them
                row[name] = "、".join(str(v) for v in value)
        out.append(row)
    return out
