"""Importing the rosters: officers (干部名单) and enterprises (企业名单) with who looks after
each (包联干部). A name already on file is that record; with --update, an enterprise row
that says otherwise changes it (contact, phone, address, sector, and its officers)."""

from datetime import date

from ..i18n import _, pgettext
from ..life import OPEN_END
from ..models import assigned_between
from ..spreadsheets import KIND, RANK, YES_NO, Row, split_names
from .imports import Importer, Names
from .roster import record_change

# The columns of a known enterprise that an --update changes (cli.md "Imports").
UPDATED = ("sector", "contact", "phone", "address")


def _shown_as(column: str) -> str:
    """A column as a difference names it, in this command's language: phone, 联系电话."""
    return {
        "sector": pgettext("field_sector", "sector"),
        "contact": pgettext("field_contact", "contact"),
        "phone": pgettext("field_phone", "phone"),
        "address": pgettext("field_address", "address"),
    }[column]


def _unique_names(importer: Importer, record: dict, first_lines: dict) -> None:
    earlier = first_lines.setdefault(record["name"], record["_line"])
    if earlier != record["_line"]:
        raise importer.fail(
            record, "name", _('"{name}" is already on line {earlier}').format(name=record["name"], earlier=earlier)
        )


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

    def exists(self) -> bool:
        return False  # names are unique in a file: no row is counted against an earlier one

    def prepare(self) -> None:
        # Not in self.names: these are the records imported, not names created on the way.
        self.officers = Names(self.store, "officers", "officer", create=True, now=self.now)
        self.lines: dict[str, int] = {}

    def plan(self, record: dict) -> None:
        _unique_names(self, record, self.lines)
        if record["name"] in self.officers.ids:
            self.present += 1
            return
        del record["_line"]
        self.officers.add(record["name"], {**record, "created_at": self.now})
        self.added += 1

    def flush(self) -> None:
        self.officers.write(self.store, self.changeset() if self.officers.new else None)


class EnterpriseImporter(Importer):
    """The roster; an `officers` column (包联干部) also assigns them from `assigned_from`."""

    table = "enterprises"
    updates = True

    def parse(self, row: Row) -> dict:
        officers = split_names(row.text("officers"))
        starts = self._starts(row)
        if len(starts) > 1 and len(starts) != len(officers):
            raise row.error(
                "assigned_from",
                _("{dates} dates for {officers} officers; give one, or one each").format(
                    dates=len(starts), officers=len(officers)
                ),
            )
        default = [date.fromisoformat(self.since)]
        starts = starts * len(officers) if len(starts) == 1 else starts or default * len(officers)
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

    def exists(self) -> bool:
        return False  # names are unique in a file

    def prepare(self) -> None:
        # Not in self.names: these are the records imported, not names created on the way.
        self.enterprises = Names(self.store, "enterprises", "enterprise", create=True, now=self.now)
        self.officers = self.lookups("officers", "officer")
        self.officer_names = {i: n for n, i in self.officers.ids.items()}
        self.archived_officers = {r[0] for r in self.store.conn.execute("SELECT id FROM officers WHERE archived = 1")}
        self.lines: dict[str, int] = {}
        self.stored = {
            r[0]: dict(zip(("id", "archived", *UPDATED), r, strict=True))
            for r in self.store.conn.execute(f"SELECT id, archived, {', '.join(UPDATED)} FROM enterprises")
        }
        self.spans: dict[tuple[int, int], list] = {}  # (officer, enterprise) → [(start, end, assignment id)]
        self.running: dict[int, dict[int, tuple[int, str]]] = {}  # enterprise → officer → (assignment, start)
        for assignment_id, officer_id, enterprise_id, start, end in self.store.conn.execute(
            "SELECT id, officer_id, enterprise_id, start_on, end_on FROM assignments"
        ):
            self.spans.setdefault((officer_id, enterprise_id), []).append((start, end))
            if end is None:
                self.running.setdefault(enterprise_id, {})[officer_id] = (assignment_id, start)
        self.assignments: list[tuple[int, int, str]] = []  # new ones: (officer, enterprise, start)
        self.new_assignments = 0
        self.edits: list[tuple[int, dict]] = []  # (enterprise, {column: [old, new]}), with --update
        # (assign | unassign, officer, enterprise, day, assignment id), with --update
        self.moves: list[tuple[str, int, int, str, int | None]] = []

    def plan(self, record: dict) -> None:
        _unique_names(self, record, self.lines)
        named = record.pop("_officers")
        stored = self.stored.get(self.enterprises.ids.get(record["name"]))
        if stored is None:
            fields = {k: v for k, v in record.items() if k != "_line"}
            enterprise_id = self.enterprises.add(record["name"], {**fields, "created_at": self.now})
            self.added += 1
            if not record["archived"]:  # an archived enterprise is looked after by nobody
                for name, start in named:
                    self._assign(record, name, enterprise_id, start)
            return
        enterprise_id = stored["id"]
        changes = {c: [stored[c], record[c]] for c in UPDATED if record[c] is not None and record[c] != stored[c]}
        said = [f"{_shown_as(c)} {old or '—'} → {new}" for c, (old, new) in changes.items()]
        moves = [] if stored["archived"] else self._officer_changes(record, enterprise_id, named)
        if moves:
            before = "、".join(sorted(self.officer_names[o] for o in self.running[enterprise_id]))
            after = "、".join(dict.fromkeys(name for name, _ in named))
            said.append(_("officers {before} → {after} from {day}").format(before=before, after=after, day=self.since))
        if not said:
            self.present += 1
            return
        if self.update:
            if changes:
                self.edits.append((enterprise_id, changes))
            self.moves.extend(moves)
            self.new_assignments += sum(1 for kind, *_ in moves if kind == "assign")
        self.differ(record, record["name"], said)

    def _officer(self, record: dict, name: str) -> int:
        officer_id = self.officers.id(self, {"_line": record["_line"], "officers": name}, "officers")
        self.officer_names.setdefault(officer_id, name)
        return officer_id

    def _assign(self, record: dict, name: str, enterprise_id: int, start: str) -> None:
        """A new assignment from `start`, unless the officer already looks after it then or later."""
        officer_id = self._officer(record, name)
        spans = self.spans.setdefault((officer_id, enterprise_id), [])
        if any(assigned_between(s, e, start, OPEN_END) for s, e in spans):
            return  # as `assign` would say: already assigned
        spans.append((start, None))
        self.assignments.append((officer_id, enterprise_id, start))
        self.new_assignments += 1

    def _officer_changes(self, record: dict, enterprise_id: int, named: list[tuple[str, str]]) -> list[tuple]:
        """What brings a known enterprise's officers to those the row names.

        An enterprise nobody looks after gets them as new assignments (from 包联日期), as
        a new one would; one whose officers differ changes on the import day (--from):
        those no longer named are unassigned then, and those newly named assigned.
        """
        if not named:
            return []  # an empty cell says nothing about who looks after it
        running = self.running.get(enterprise_id, {})
        if not running:
            for name, start in named:
                self._assign(record, name, enterprise_id, start)
            return []
        ids = {self._officer(record, name): name for name, _ in named}
        if set(ids) == set(running):
            return []
        day, moves = self.since, []
        for officer_id, (assignment_id, start) in running.items():
            if officer_id not in ids:
                if day < start and self.update:
                    raise self.fail(record, "officers", _("{name} looks after it from {start}, after {day}; unassign "
                                    "from a later day (--from)").format(name=self.officer_names[officer_id], start=start,
                                                                        day=day))  # fmt: skip
                moves.append(("unassign", officer_id, enterprise_id, day, assignment_id))
        for officer_id, name in ids.items():
            if officer_id not in running:
                spans = self.spans.get((officer_id, enterprise_id), [])
                if self.update and officer_id in self.archived_officers:
                    raise self.fail(
                        record,
                        "officers",
                        _("officer {name} is archived; new work is not given to them").format(name=name),
                    )
                if self.update and any(assigned_between(s, e, day, OPEN_END) for s, e in spans):
                    raise self.fail(
                        record,
                        "officers",
                        _("{name} is already assigned to it on or after {day}").format(name=name, day=day),
                    )
                moves.append(("assign", officer_id, enterprise_id, day, None))
        return moves

    def flush(self) -> None:
        changeset = self.changeset() if self.enterprises.new or self.assignments or self.edits or self.moves else None
        self.enterprises.write(self.store, changeset)
        for lookup in self.names:
            lookup.write(self.store, changeset)
        if changeset is not None:
            self._write(changeset)
        self.assignments.clear()
        self.edits.clear()
        self.moves.clear()

    def _write(self, changeset: int) -> None:
        store = self.store
        store.insert_rows("assignments", ["officer_id", "enterprise_id", "start_on", "changeset"],
                          ((*a, changeset) for a in self.assignments))  # fmt: skip
        # As `enterprise edit`, `unassign` and `assign` record them, so `undo` puts them back.
        for enterprise_id, changes in self.edits:
            sets = ", ".join(f"{c} = ?" for c in changes)  # our column names
            values = (*(new for _, new in changes.values()), enterprise_id)
            store.conn.execute(f"UPDATE enterprises SET {sets} WHERE id = ?", values)
            record_change(store, self.actor, "enterprise", enterprise_id, "edited", changes)
        names = dict(store.conn.execute("SELECT id, name FROM enterprises")) if self.moves else {}
        for kind, officer_id, enterprise_id, day, assignment_id in self.moves:
            detail = {"officer": self.officer_names[officer_id], "enterprise": names[enterprise_id], "from": day}
            if kind == "unassign":
                store.conn.execute("UPDATE assignments SET end_on = ? WHERE id = ?", (day, assignment_id))
                record_change(store, self.actor, "assignment", assignment_id, "unassigned", detail)
            else:
                assignment_id = store.insert("assignments", {"officer_id": officer_id, "enterprise_id": enterprise_id,
                                                             "start_on": day, "changeset": changeset})  # fmt: skip
                record_change(store, self.actor, "assignment", assignment_id, "assigned", detail)

    def counts(self) -> dict:
        return {**super().counts(), "assignments": self.new_assignments}
