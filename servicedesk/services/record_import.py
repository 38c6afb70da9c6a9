"""Importing what happened: visits (走访记录), feedback (锦旗, 感谢信, …) and services
delivered (服务台账). Each row is a new record unless one on file has its key.

A row's key is counted against the records on file with one indexed query (only for an
enterprise that has any): memory stays flat however many the ledger already holds.
"""

from ..i18n import _
from ..models import parse_amount
from ..spreadsheets import CHANNEL, FEEDBACK, SERVICE, Row
from .imports import Assignments, Importer

_SEP = "\x1f"  # between the parts of a row's key: no cell holds it


class _Keyed(Importer):
    """A kind whose rows are matched by counting the records on file with the same key."""

    # SQL counting the live records with a key; its parameters come from `probe`.
    count_sql = ""

    def prepare(self) -> None:
        self.enterprises = self.lookups("enterprises", "enterprise")
        # The enterprises with records: a row of any other one is new without a query.
        self.with_records = {r[0] for r in self.store.conn.execute(f"SELECT DISTINCT enterprise_id FROM {self.table}")}

    def is_present(self, record: dict, enterprise_id: int, params: tuple) -> bool:
        if enterprise_id not in self.with_records:
            return False
        on_file = self.store.conn.execute(self.count_sql, params).fetchone()[0]
        if on_file and self.matched(record, range(on_file)) is not None:
            self.present += 1
            return True
        return False


class VisitImporter(_Keyed):
    table = "visits"
    columns = ("enterprise_id", "officer_id", "visited_on", "week", "channel", "note", "recorded_at", "recorded_by")
    count_sql = """SELECT count(*) FROM visits WHERE enterprise_id = ? AND visited_on = ? AND officer_id IS ?
        AND note IS ? AND removed IS NULL"""

    def parse(self, row: Row) -> dict:
        return {
            "_line": row.line,
            "enterprise": row.text("enterprise", required=True),
            "officer": row.text("officer"),
            "visited_on": row.date("visited_on", required=True).isoformat(),
            "channel": row.choice("channel", CHANNEL, default="onsite"),
            "note": row.text("note"),
        }

    def key(self, record: dict) -> str:
        # The officer as written: a row that leaves it to the enterprise's one officer and
        # a row that names that officer count apart here, though they are the same visit.
        return _SEP.join((record["enterprise"], record["officer"] or "", record["visited_on"], record["note"] or ""))

    def prepare(self) -> None:
        super().prepare()
        self.officers = self.lookups("officers", "officer")
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
        who = _("{n} officers").format(n=len(on_duty)) if on_duty else _("no officer assigned")
        raise self.fail(
            record,
            "officer",
            _("who visited? {enterprise} has {who} on {day}; fill in the officer").format(
                enterprise=record["enterprise"], who=who, day=day
            ),
        )

    def plan(self, record: dict) -> None:
        enterprise_id = self.enterprises.id(self, record, "enterprise")
        officer_id = self._visitor(record, enterprise_id)
        day = record["visited_on"]
        if self.is_present(record, enterprise_id, (enterprise_id, day, officer_id, record["note"])):
            return
        self.add((enterprise_id, officer_id, day, self.week(day), record["channel"], record["note"], self.now,
                  self.actor))  # fmt: skip


class FeedbackImporter(_Keyed):
    table = "feedback"
    columns = ("enterprise_id", "kind", "score", "ticket_id", "received_on", "week", "note", "recorded_at",
               "recorded_by")  # fmt: skip
    count_sql = """SELECT count(*) FROM feedback WHERE received_on = ? AND enterprise_id = ? AND kind = ?
        AND note IS ? AND removed IS NULL"""

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
            raise row.error("kind", _("the kind is empty"))
        if record["score"] is not None and not 1 <= record["score"] <= 5:
            raise row.error("score", _("a score is 1 to 5, not {score}").format(score=record["score"]))
        if record["kind"] == "rating" and record["score"] is None:
            raise row.error("score", _("a rating needs a score from 1 to 5"))
        return record

    def key(self, record: dict) -> str:
        return _SEP.join((record["enterprise"], record["kind"], record["received_on"], record["note"] or ""))

    def plan(self, record: dict) -> None:
        enterprise_id = self.enterprises.id(self, record, "enterprise")
        if record["ticket"] is not None:
            owner = self.store.value("SELECT enterprise_id FROM tickets WHERE id = ?", (record["ticket"],))
            if owner != enterprise_id:
                why = _("there is no such ticket") if owner is None else _("it belongs to another enterprise")
                raise self.fail(record, "ticket", _("ticket #{ticket}: {why}").format(ticket=record["ticket"], why=why))
        day = record["received_on"]
        if self.is_present(record, enterprise_id, (day, enterprise_id, record["kind"], record["note"])):
            return
        self.add((enterprise_id, record["kind"], record["score"], record["ticket"], day, self.week(day),
                  record["note"], self.now, self.actor))  # fmt: skip


class ServiceImporter(_Keyed):
    """Services delivered (服务台账): one row a service, matched by (enterprise, kind, date)."""

    table = "services"
    columns = ("enterprise_id", "kind", "served_on", "week", "quantity", "amount_fen", "officer_id", "note",
               "recorded_at", "recorded_by")  # fmt: skip
    count_sql = """SELECT count(*) FROM services WHERE enterprise_id = ? AND served_on = ? AND kind = ?
        AND removed IS NULL"""

    def parse(self, row: Row) -> dict:
        kind = row.choice("kind", SERVICE)
        if kind is None:
            raise row.error("kind", _("the kind of service is empty"))
        quantity = row.integer("quantity")
        if quantity is not None and quantity <= 0:
            raise row.error("quantity", _("a quantity is a count from 1, not {quantity}").format(quantity=quantity))
        amount = row.text("amount")
        fen = parse_amount(amount) if amount else None
        if amount and fen is None:
            raise row.error(
                "amount", _('"{amount}" is not an amount in yuan (25170000, 2517万, 1.2亿)').format(amount=amount)
            )
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

    def key(self, record: dict) -> str:
        return _SEP.join((record["enterprise"], record["kind"], record["served_on"]))

    def prepare(self) -> None:
        super().prepare()
        self.officers = self.lookups("officers", "officer")

    def plan(self, record: dict) -> None:
        enterprise_id = self.enterprises.id(self, record, "enterprise")
        officer_id = self.officers.id(self, record, "officer") if record["officer"] else None
        day = record["served_on"]
        if self.is_present(record, enterprise_id, (enterprise_id, day, record["kind"])):
            return
        self.add((enterprise_id, record["kind"], day, self.week(day), record["quantity"], record["amount_fen"],
                  officer_id, record["note"], self.now, self.actor))  # fmt: skip
