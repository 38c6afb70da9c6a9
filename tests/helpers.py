"""Assertions and fixture builders shared by the test modules."""

import getpass
import sqlite3
from contextlib import contextmanager
from datetime import date

from servicedesk.models import FeedbackKind, Outcome
from servicedesk.services import roster, tickets, visits
from servicedesk.store import Store

# The keys of a ticket in `ticket list --json` (cli.md).
TICKET_KEYS = {
    "id",
    "enterprise",
    "enterprise_id",
    "category",
    "title",
    "status",
    "outcome",
    "priority",
    "owner",
    "department",
    "opened_on",
    "due_on",
    "closed_on",
    "overdue",
    "supervised",
    "urged",
    "follow_up",
    "light",
}


def assert_user_error(result, *fragments):
    """Exit 1, one `error:` line on stderr naming the fragments, no traceback."""
    assert result.exit_code == 1, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.stdout + result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def table_rows(db) -> dict:
    """Every table's rows, for "a refused command changes nothing": a refusal that left
    a row anywhere (a change-log line, a change set, a derived tally) shows here."""
    if isinstance(db, str):  # a PostgreSQL database
        import psycopg

        with psycopg.connect(db) as conn:
            tables = [
                r[0]
                for r in conn.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1"
                )
            ]
            return {t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    conn = sqlite3.connect(db)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    finally:
        conn.close()


def connect(db, **options):
    """A connection to the test's ledger, file or PostgreSQL database (whose statements are
    written for SQLite and translated, as the store's are)."""
    if isinstance(db, str):
        from servicedesk import pgconnection

        return pgconnection.connect(db)
    return sqlite3.connect(db, **options)


def _day(value) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


class Services:
    """The write services on one open store, acting as the CLI acts (as the login name).

    For fixture data a test is not about: one service call costs a fraction of a CLI run,
    which parses arguments, opens and checks the file, and renders a reply every time.
    Dates may be given as ISO strings.
    """

    def __init__(self, store: Store):
        self.store = store
        self.actor = getpass.getuser()

    def enterprise(self, name: str, **fields) -> dict:
        return roster.add_enterprise(self.store, name, actor=self.actor, **fields)

    def officer(self, name: str, **fields) -> dict:
        return roster.add_officer(self.store, name, actor=self.actor, **fields)

    def assign(self, officer: str, *enterprises: str, start) -> None:
        roster.assign(self.store, officer, list(enterprises), _day(start), actor=self.actor)

    def visit(self, enterprise: str, on, *, problems=(), **options) -> dict:
        visit, _ = visits.log_visit(
            self.store, enterprise, on=_day(on), problems=list(problems), actor=self.actor, **options
        )
        return visit

    def feedback(self, enterprise: str, kind: str, on, **options) -> dict:
        return visits.add_feedback(self.store, enterprise, FeedbackKind(kind), on=_day(on), actor=self.actor, **options)

    def ticket(self, enterprise: str, title: str, category: str, on, **options) -> int:
        if "due" in options:
            options["due"] = _day(options["due"])
        item = tickets.open_ticket(self.store, enterprise, title, category, actor=self.actor, on=_day(on), **options)
        return item["id"]

    def start(self, ref, on=None) -> None:
        tickets.start(self.store, str(ref), self.actor, _day(on))

    def reassign(self, ref, officer: str, on=None) -> None:
        tickets.reassign(self.store, str(ref), officer, self.actor, _day(on))

    def close(self, ref, resolution: str, on, outcome: str = "resolved") -> None:
        tickets.close(self.store, str(ref), resolution, Outcome(outcome), _day(on), self.actor)

    def reopen(self, ref, reason: str, on) -> None:
        tickets.reopen(self.store, str(ref), reason, _day(on), self.actor)


@contextmanager
def services(db):
    """Services on the database file `db`, closed again at the end of the block."""
    store = Store(db)
    try:
        yield Services(store)
    finally:
        store.close()
