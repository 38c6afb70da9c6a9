"""Turning the rows of an imported sheet into officers, enterprises, visits, tickets, feedback.

Each importer works in two stages, so a bad file writes nothing and a big file is not
read while holding the write lock:
1. `parse` reads one row's cells into values (text, dates, codes) — no database;
2. inside the write transaction, `plan` looks names up, sets aside rows already present
   and gives the new records their ids; `write` then bulk-inserts them.

A row is "already present" by a key (cli.md "Imports"); keys are counted, not just
seen, so a file that really holds two identical visits imports both, once.
"""

import difflib
import itertools
from collections import Counter
from datetime import date

from .. import dates
from ..errors import ImportFailed
from ..life import OPEN_END
from ..models import assigned_between, parse_amount
from ..spreadsheets import CHANNEL, FEEDBACK, KIND, RANK, SERVICE, YES_NO, Row, Sheet, split_names
from ..store import Store

# What an imported closed ticket says about its settling when the file says nothing.
NO_RESOLUTION = "closed (imported without a resolution note)"


class Names:
    """name → id for enterprises or officers; with `create`, unknown names become new records."""

    def __init__(self, store: Store, table: str, noun: str, *, create: bool, now: str):
        self.table, self.noun, self.create, self.now = table, noun, create, now
        self.ids = {name: id_ for name, id_ in store.conn.execute(f"SELECT name, id FROM {table}")}
        self.next_id = (store.value(f"SELECT max(id) FROM {table}") or 0) + 1
        self.new: list[dict] = []

    def id(self, importer: "Importer", record: dict, field: str) -> int:
        name = record[field]
        found = self.ids.get(name)
        if found is not None:
            return found
        if not self.create:
            close = difflib.get_close_matches(name, list(self.ids), n=3, cutoff=0.5)
            hint = f"; did you mean {' or '.join(close)}?" if close else ""
            raise importer.fail(
                record, field, f'no {self.noun} named "{name}"{hint} (import it first, or use --create-missing)'
            )
        found = self.ids[name] = self.next_id
        self.next_id += 1
        self.new.append({"id": found, "name": name, "created_at": self.now})
        return found

    def write(self, store: Store, changeset: int) -> None:
        bulk(store, self.table, ({**r, "changeset": changeset} for r in self.new))


def bulk(store: Store, table: str, rows, columns: list[str] | None = None) -> None:
    """Rows as dicts, or as tuples in the order of `columns`, through one prepared INSERT."""
    rows = iter(rows)
    if columns is None:
        first = next(rows, None)
        if first is None:
            return
        columns = list(first)
        rows = itertools.chain([first], rows)
        rows = (tuple(r[c] for c in columns) for r in rows)
    store.insert_rows(table, columns, rows)


class Assignments:
    """Every assignment, loaded once, to ask who looked after an enterprise on a day."""

    def __init__(self, store: Store):
        self.by_enterprise: dict[int, list[tuple]] = {}
        for officer_id, enterprise_id, start, end in store.conn.execute(
            "SELECT officer_id, enterprise_id, start_on, end_on FROM assignments"
        ):
            self.by_enterprise.setdefault(enterprise_id, []).append((officer_id, start, end))

    def on_duty(self, enterprise_id: int, day: str) -> set[int]:
        return {
            o for o, start, end in self.by_enterprise.get(enterprise_id, ()) if assigned_between(start, end, day, day)
        }


class Importer:
    """What every kind shares; subclasses name their table and fill in parse / plan / write."""

    table = ""

    def __init__(self, store: Store, sheet: Sheet, *, actor: str, acting: str | None, create_missing: bool):
        self.store, self.sheet = store, sheet
        self.actor, self.acting, self.create_missing = actor, acting, create_missing
        self.now = dates.now_iso()
        self.present = 0
        self.new: list[dict] = []
        self.names: list[Names] = []
        self._weeks: dict[str, str] = {}

    def fail(self, record: dict, field: str, message: str) -> ImportFailed:
        return self.sheet.error(record["_line"], field, message)

    def week(self, day: str) -> str:
        found = self._weeks.get(day)
        if found is None:
            found = self._weeks[day] = dates.week_key(date.fromisoformat(day))
        return found

    def lookups(self, table: str, noun: str) -> Names:
        names = Names(self.store, table, noun, create=self.create_missing, now=self.now)
        self.names.append(names)
        return names

    def counted(self, sql: str) -> Counter:
        """key → how many records on file have it, from a query ending in count(*)."""
        return Counter({tuple(r[:-1]): r[-1] for r in self.store.conn.execute(sql)})

    def is_present(self, seen: Counter, key: tuple) -> bool:
        if seen[key] > 0:
            seen[key] -= 1
            self.present += 1
            return True
        return False

    def parse(self, row: Row) -> dict:
        raise NotImplementedError

    def prepare(self) -> None:
        """Load what `plan` looks up; runs inside the write transaction."""

    def plan(self, record: dict) -> None:
        raise NotImplementedError

    def write(self) -> None:
        changeset = self.store.changeset(self.actor)
        for names in self.names:
            names.write(self.store, changeset)
        bulk(self.store, self.table, ({**r, "changeset": changeset} for r in self.new))

    def counts(self) -> dict:
        created = {n.table: len(n.new) for n in self.names if n.new}
        return {"added": len(self.new), "present": self.present, "created": created}


def _unique_names(importer: Importer, record: dict, first_lines: dict) -> None:
    earlier = first_lines.setdefault(record["name"], record["_line"])
    if earlier != record["_line"]:
        raise importer.fail(record, "name", f'"{record["name"]}" is already on line {earlier}')


class OfficerImporter(Importer):
    table = "officers"

    def parse(self, row: Row) -> dict:
        return {
            "_line": row.line,
            "name": row.text("name", required=True),
            "rank": row.choice("rank", RANK, default="staff"),
            "unit": row.text("unit"),
            "phone": row.text("phone"),
            "archived": int(row.choice("archived", YES_NO, default="no") == "yes"),
        }

    def prepare(self) -> None:
        # Only for the ids: this importer writes the full records itself.
        self.officers = Names(self.store, "officers", "officer", create=True, now=self.now)
        self.lines: dict[str, int] = {}

    def plan(self, record: dict) -> None:
        _unique_names(self, record, self.lines)
        if record["name"] in self.officers.ids:
            self.present += 1
            return
        record["id"] = self.officers.id(self, record, "name")
        record["created_at"] = self.now
        del record["_line"]
        self.new.append(record)


class EnterpriseImporter(Importer):
    """The roster; an `officers` column (包联干部) also assigns them from `assigned_from`."""

    table = "enterprises"

    def parse(self, row: Row) -> dict:
        officers = split_names(row.text("officers"))
        starts = self._starts(row)
        if len(starts) > 1 and len(starts) != len(officers):
            raise row.error("assigned_from", f"{len(starts)} dates for {len(officers)} officers; give one, or one each")
        starts = starts * len(officers) if len(starts) == 1 else starts or [self.sheet.today] * len(officers)
        return {
            "_line": row.line,
            "name": row.text("name", required=True),
            "sector": row.text("sector"),
            "kind": row.choice("kind", KIND, default="enterprise"),
            "contact": row.text("contact"),
            "phone": row.text("phone"),
            "address": row.text("address"),
            "note": row.text("note"),
            "archived": int(row.choice("archived", YES_NO, default="no") == "yes"),
            "_officers": list(zip(officers, (d.isoformat() for d in starts), strict=True)),
        }

    def _starts(self, row: Row) -> list[date]:
        value = row.values.get("assigned_from")
        if value is None or isinstance(value, date):
            return [row.date("assigned_from", future=True)] if value is not None else []
        days = []
        for part in split_names(str(value).replace("、", ";")):
            single = Row(self.sheet, row.line, {"assigned_from": part})
            days.append(single.date("assigned_from", future=True))
        return days

    def prepare(self) -> None:
        # Only for the ids: this importer writes the full records itself.
        self.enterprises = Names(self.store, "enterprises", "enterprise", create=True, now=self.now)
        self.officers = self.lookups("officers", "officer")
        self.lines: dict[str, int] = {}
        self.spans: dict[tuple[int, int], list] = {}
        for officer_id, enterprise_id, start, end in self.store.conn.execute(
            "SELECT officer_id, enterprise_id, start_on, end_on FROM assignments"
        ):
            self.spans.setdefault((officer_id, enterprise_id), []).append((start, end))
        self.assignments: list[dict] = []
        self.archived = {r[0] for r in self.store.conn.execute("SELECT id FROM enterprises WHERE archived = 1")}

    def plan(self, record: dict) -> None:
        _unique_names(self, record, self.lines)
        known = record["name"] in self.enterprises.ids
        enterprise_id = self.enterprises.id(self, record, "name")
        # An archived enterprise is looked after by nobody, as `assign` would refuse.
        officers = [] if record["archived"] or enterprise_id in self.archived else record["_officers"]
        del record["_officers"]
        for name, start in officers:
            officer_id = self.officers.id(self, {"_line": record["_line"], "officers": name}, "officers")
            spans = self.spans.setdefault((officer_id, enterprise_id), [])
            if any(assigned_between(s, e, start, OPEN_END) for s, e in spans):
                continue  # already looks after it then or later, as `assign` would say
            spans.append((start, None))
            self.assignments.append(
                {"officer_id": officer_id, "enterprise_id": enterprise_id, "start_on": start, "end_on": None}
            )
        if known:
            self.present += 1
            return
        record.update(id=enterprise_id, created_at=self.now)
        del record["_line"]
        self.new.append(record)

    def write(self) -> None:
        super().write()
        changeset = self.store.changeset(self.actor)
        bulk(self.store, "assignments", ({**a, "changeset": changeset} for a in self.assignments))

    def counts(self) -> dict:
        return {**super().counts(), "assignments": len(self.assignments)}


class VisitImporter(Importer):
    table = "visits"

    def parse(self, row: Row) -> dict:
        return {
            "_line": row.line,
            "enterprise": row.text("enterprise", required=True),
            "officer": row.text("officer"),
            "visited_on": row.date("visited_on", required=True).isoformat(),
            "channel": row.choice("channel", CHANNEL, default="onsite"),
            "note": row.text("note"),
        }

    def prepare(self) -> None:
        self.enterprises = self.lookups("enterprises", "enterprise")
        self.officers = self.lookups("officers", "officer")
        self.seen = self.counted(
            "SELECT enterprise_id, officer_id, visited_on, note, count(*) FROM visits WHERE removed IS NULL GROUP BY 1, 2, 3, 4"
        )
        self.assigned = Assignments(self.store)
        acting = self.acting and self.officers.ids.get(self.acting)
        self.acting_id = acting or None

    def _visitor(self, record: dict, enterprise_id: int) -> int:
        """Like `visit log`: the officer named, else --as, else the enterprise's one officer that day."""
        if record["officer"]:
            return self.officers.id(self, record, "officer")
        if self.acting_id:
            return self.acting_id
        day = record["visited_on"]
        on_duty = self.assigned.on_duty(enterprise_id, day)
        if len(on_duty) == 1:
            return on_duty.pop()
        who = f"{len(on_duty)} officers" if on_duty else "no officer assigned"
        raise self.fail(
            record, "officer", f"who visited? {record['enterprise']} has {who} on {day}; fill in the officer"
        )

    def plan(self, record: dict) -> None:
        enterprise_id = self.enterprises.id(self, record, "enterprise")
        officer_id = self._visitor(record, enterprise_id)
        if self.is_present(self.seen, (enterprise_id, officer_id, record["visited_on"], record["note"])):
            return
        self.new.append(
            {
                "enterprise_id": enterprise_id,
                "officer_id": officer_id,
                "visited_on": record["visited_on"],
                "week": self.week(record["visited_on"]),
                "channel": record["channel"],
                "note": record["note"],
                "recorded_at": self.now,
                "recorded_by": self.actor,
            }
        )


class FeedbackImporter(Importer):
    table = "feedback"

    def parse(self, row: Row) -> dict:
        record = {
            "_line": row.line,
            "enterprise": row.text("enterprise", required=True),
            "kind": row.choice("kind", FEEDBACK),
            "score": row.integer("score"),
            "ticket": row.integer("ticket"),
            "received_on": row.date("received_on", required=True).isoformat(),
            "note": row.text("note"),
        }
        if record["kind"] is None:
            raise row.error("kind", "the kind is empty")
        if record["score"] is not None and not 1 <= record["score"] <= 5:
            raise row.error("score", f"a score is 1 to 5, not {record['score']}")
        if record["kind"] == "rating" and record["score"] is None:
            raise row.error("score", "a rating needs a score from 1 to 5")
        return record

    def prepare(self) -> None:
        self.enterprises = self.lookups("enterprises", "enterprise")
        self.seen = self.counted(
            "SELECT enterprise_id, kind, received_on, note, count(*) FROM feedback WHERE removed IS NULL GROUP BY 1, 2, 3, 4"
        )

    def plan(self, record: dict) -> None:
        enterprise_id = self.enterprises.id(self, record, "enterprise")
        if record["ticket"] is not None:
            owner = self.store.value("SELECT enterprise_id FROM tickets WHERE id = ?", (record["ticket"],))
            if owner != enterprise_id:
                why = "there is no such ticket" if owner is None else "it belongs to another enterprise"
                raise self.fail(record, "ticket", f"ticket #{record['ticket']}: {why}")
        if self.is_present(self.seen, (enterprise_id, record["kind"], record["received_on"], record["note"])):
            return
        self.new.append(
            {
                "enterprise_id": enterprise_id,
                "kind": record["kind"],
                "score": record["score"],
                "ticket_id": record["ticket"],
                "received_on": record["received_on"],
                "week": self.week(record["received_on"]),
                "note": record["note"],
                "recorded_at": self.now,
                "recorded_by": self.actor,
            }
        )


class ServiceImporter(Importer):
    """Services delivered (服务台账): one row a service, matched by (enterprise, kind, date)."""

    table = "services"

    def parse(self, row: Row) -> dict:
        kind = row.choice("kind", SERVICE)
        if kind is None:
            raise row.error("kind", "the kind of service is empty")
        quantity = row.integer("quantity")
        if quantity is not None and quantity <= 0:
            raise row.error("quantity", f"a quantity is a count from 1, not {quantity}")
        amount = row.text("amount")
        fen = parse_amount(amount) if amount else None
        if amount and fen is None:
            raise row.error("amount", f'"{amount}" is not an amount in yuan (25170000, 2517万, 1.2亿)')
        return {
            "_line": row.line,
            "enterprise": row.text("enterprise", required=True),
            "kind": kind,
            "served_on": row.date("served_on", required=True).isoformat(),
            "quantity": quantity,
            "amount_fen": fen,
            "officer": row.text("officer"),
            "note": row.text("note"),
        }

    def prepare(self) -> None:
        self.enterprises = self.lookups("enterprises", "enterprise")
        self.officers = self.lookups("officers", "officer")
        self.seen = self.counted(
            "SELECT enterprise_id, kind, served_on, count(*) FROM services WHERE removed IS NULL GROUP BY 1, 2, 3"
        )

    def plan(self, record: dict) -> None:
        enterprise_id = self.enterprises.id(self, record, "enterprise")
        officer_id = self.officers.id(self, record, "officer") if record["officer"] else None
        if self.is_present(self.seen, (enterprise_id, record["kind"], record["served_on"])):
            return
        self.new.append(
            {
                "enterprise_id": enterprise_id,
                "kind": record["kind"],
                "served_on": record["served_on"],
                "week": self.week(record["served_on"]),
                "quantity": record["quantity"],
                "amount_fen": record["amount_fen"],
                "officer_id": officer_id,
                "note": record["note"],
                "recorded_at": self.now,
                "recorded_by": self.actor,
            }
        )
