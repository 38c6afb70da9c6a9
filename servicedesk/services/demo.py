"""A sample park (`servicedesk demo`): fictional enterprises, officers, weekly visits,
problem tickets with their history, and feedback — deterministic for a seed.

Rows are built directly with explicit ids (the database is empty, or emptied first) and
inserted in batches inside one transaction, then the derived as-of tables are rebuilt
once: a benchmark-sized park of a million tickets never sits in memory whole.

The default park is the worked example of domain.md: 65 enterprises visited every week
for 12 weeks ending last week, 92 problems of which 90 closed (all resolved) → 97.8%,
4 banners and 3 thank-you letters. Larger parks keep ~98% closed with an open backlog
that depends on the weekly intake, not on the length of the history.
"""

import operator
from contextlib import contextmanager
from datetime import date

from .. import dates, derive, names
from ..errors import ServicedeskError
from ..i18n import _
from ..store import Store
from . import demo_words as words
from .demo_park import DATA_TABLES, Park
from .ledgercopy import counted

DEFAULT_SEED = 1
MAX_WEEKS = 5200  # a century of history is plenty, and keeps the first week after year 1
# Replaced with the park too: its history starts with the demo (referring rows before the rows they refer to).
LOG_TABLES = ("changes", "changesets")


def _insert(store: Store, table: str, rows: list[dict], changeset: int) -> None:
    columns = list(rows[0])
    get = operator.itemgetter(*columns)
    store.insert_rows(table, [*columns, "changeset"], ((*get(r), changeset) for r in rows))


def holdings(store: Store) -> dict[str, int]:
    return {t: store.value(f"SELECT count(*) FROM {t}") for t in DATA_TABLES}


@contextmanager
def _bulk(store: Store, force: bool):
    """Empty the data tables (with force) and load them without their indexes, in one transaction.

    The history's append-only triggers are dropped for the delete, and the indexes for the
    load (building an index once is cheaper than keeping it sorted row by row); both come
    back from their own stored SQL, so the schema stays exactly as the migrations made it.
    A failure rolls all of it back and the old data stays.
    """
    conn = store.conn
    triggers = store.schema_objects("trigger", ("events", *LOG_TABLES)) if force else []
    indexes = store.schema_objects("index", ("visits", "tickets", "events", "feedback"))
    for drop, _sql in triggers:
        conn.execute(drop)
    if force:
        for table in derive.TABLES:
            conn.execute(f"DELETE FROM {table}")
        conn.execute("UPDATE categories SET changeset = NULL")
        for table in (*DATA_TABLES, *LOG_TABLES):  # referring rows before the rows they refer to
            conn.execute(f"DELETE FROM {table}")
    for drop, _sql in indexes:
        conn.execute(drop)
    yield
    for _drop, create in (*indexes, *triggers):
        conn.execute(create)


def build(
    store: Store,
    *,
    enterprises: int = 65,
    weeks: int = 12,
    seed: int = DEFAULT_SEED,
    problems: int | None = None,
    open_tickets: int | None = None,
    force: bool = False,
    today: date | None = None,
    actor: str | None = None,
) -> dict:
    """Fill an empty database (or, with force, an emptied one) with a demo park; returns its counts."""
    if enterprises < 1 or not 1 <= weeks <= MAX_WEEKS:
        raise ServicedeskError(_("a demo park needs at least 1 enterprise and 1 to {n} weeks").format(n=MAX_WEEKS))
    with store.write():
        held = holdings(store)
        if any(held.values()) and not force:
            # Name the enterprises; only a park without any says what else it holds.
            shown = {"enterprises": held["enterprises"]} if held["enterprises"] else held
            said = _(", ").join(counted(k, v) for k, v in shown.items() if v)
            raise ServicedeskError(
                _("{path} already holds {said}; use --force to replace them with the demo park").format(
                    path=store.path, said=said
                )
            )
        # The time limits as configured here (`category add --due-days` overrides the defaults).
        categories = [
            (r["code"], r["due_days"], r["label_zh"] or r["label"])
            for r in store.rows("SELECT * FROM categories ORDER BY position")
            if r["code"] in words.PROBLEMS
        ]
        park = Park(enterprises, weeks, seed, problems, open_tickets, today or dates.today(), categories)
        with _bulk(store, force=any(held.values())):
            changeset = store.changeset(actor)
            with store.bulk_load(DATA_TABLES):
                for table, batch in park.rows():
                    if not batch:
                        continue
                    _insert(store, table, batch, changeset)
                    park.counts[table] += len(batch)
        names.fill_keys(store)
        derive.rebuild(store.conn)
        store.analyze(derive.TABLES)
    return {
        **park.counts,
        "open": park.n_open,
        "closed": park.n_problems - park.n_open,
        "first_week": park.first_week,
        "last_week": park.last_week,
    }
