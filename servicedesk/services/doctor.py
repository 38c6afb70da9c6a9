"""`doctor`: is the ledger whole? SQLite's own integrity check (on PostgreSQL: the schema's
triggers, indexes and foreign keys all in force), foreign keys, every ticket's state equal
to the replay of its history, and the derived tables equal to a rebuild from the events.
With `repair`, what can be rebuilt is rebuilt."""

from .. import derive
from ..i18n import _
from ..store import Store


class _Undo(Exception):
    """Rolls back a rebuild made only to compare."""


def check(store: Store, *, repair: bool = False) -> dict:
    """{"problems": [...], "repaired": [...]}: each problem named, one line each."""
    conn = store.conn
    problems: list[str] = []
    integrity = store.integrity()
    whole = integrity == ["ok"]
    if not whole:
        problems += [f"integrity: {line}" for line in integrity[:20]]
        if not store.url:  # a damaged file is read no further
            return {"problems": problems, "repaired": []}
    for table, rowid, parent in store.orphans()[:20]:
        said = _("orphan: {table} row {rowid} refers to a missing {parent} row")
        problems.append(said.format(table=table, rowid=rowid, parent=parent))
    if not whole:  # a server's schema not as the migrations made it: nothing is rebuilt on it
        return {"problems": problems, "repaired": []}
    derived: list[str] = []
    try:
        with store.write():
            kept = all(store.has_table(t) for t in derive.TABLES)
            if kept:  # a copy of each derived table, to compare with a rebuild
                for t in derive.TABLES:
                    conn.execute(f"DROP TABLE IF EXISTS temp.doctor_{t}")
                    conn.execute(f"CREATE TEMP TABLE doctor_{t} AS SELECT * FROM {t}")
            stored = {
                r[0]: tuple(r[1:]) for r in conn.execute(f"SELECT id, {', '.join(derive.PROJECTION)} FROM tickets")
            }
            refused = derive.rebuild(conn, strict=False)
            for ticket_id, why in refused:
                problems.append(_("ticket #{id}: its history is out of order ({why})").format(id=ticket_id, why=why))
            now = {r[0]: tuple(r[1:]) for r in conn.execute(f"SELECT id, {', '.join(derive.PROJECTION)} FROM tickets")}
            for ticket_id in sorted(k for k in now if now[k] != stored.get(k))[:20]:
                derived.append(
                    _("ticket #{id}: its stored state differs from the replay of its history").format(id=ticket_id)
                )
            if not kept:
                derived.append(_("derived tables: missing"))
            else:
                derived += [_("derived table {table}: differs from a rebuild from the events").format(table=t) for t in derive.TABLES
                            if _differ(conn, t)]  # fmt: skip
            if not repair:
                raise _Undo
            store.analyze(derive.TABLES)
    except _Undo:
        pass
    if repair:
        return {"problems": problems, "repaired": derived}
    return {"problems": problems + derived, "repaired": []}


def _differ(conn, table: str) -> bool:
    """Whether the rebuilt table and the copy kept before the rebuild hold different rows."""
    for a, b in ((table, f"doctor_{table}"), (f"doctor_{table}", table)):
        if conn.execute(f"SELECT 1 FROM (SELECT * FROM {a} EXCEPT SELECT * FROM {b}) AS extra LIMIT 1").fetchone():
            return True
    return (
        conn.execute(f"SELECT count(*) FROM {table}").fetchone()
        != conn.execute(f"SELECT count(*) FROM doctor_{table}").fetchone()
    )
