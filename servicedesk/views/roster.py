"""Enterprises and officers as lists show them, with who looks after whom on a day."""

from .. import dates, names
from ..models import assigned_sql
from ..store import Store


def officers_of(store: Store, enterprise_id: int, on: str | None = None) -> list[dict]:
    """The officers assigned to an enterprise on a day (default today), by name."""
    return store.rows(
        f"""SELECT o.* FROM assignments a JOIN officers o ON o.id = a.officer_id
        WHERE a.enterprise_id = :e AND {assigned_sql("a", ":day", ":day")} ORDER BY {names.order_by("o")}""",
        {"e": enterprise_id, "day": on or dates.today().isoformat()},
    )


def assigned_names(store: Store, on: str | None = None) -> dict[int, list[tuple[str, str]]]:
    """enterprise id → [(officer name, assigned since)] on a day (default today), earliest first."""
    found: dict[int, list[tuple[str, str]]] = {}
    for enterprise_id, name, start in store.conn.execute(
        f"""SELECT a.enterprise_id, o.name, a.start_on FROM assignments a JOIN officers o ON o.id = a.officer_id
        WHERE {assigned_sql("a", ":day", ":day")} ORDER BY a.start_on, a.id""",
        {"day": on or dates.today().isoformat()},
    ):
        found.setdefault(enterprise_id, []).append((name, start))
    return found


def enterprise_json(row: dict, officer_names: list[str]) -> dict:
    """The JSON shape of cli.md's `enterprise list`."""
    return {
        "id": row["id"],
        "name": row["name"],
        "sector": row["sector"],
        "kind": row["kind"],
        "contact": row["contact"],
        "phone": row["phone"],
        "address": row["address"],
        "officers": officer_names,
        "archived": bool(row["archived"]),
    }


def enterprise_item(store: Store, row: dict) -> dict:
    return enterprise_json(row, [o["name"] for o in officers_of(store, row["id"])])


def enterprise(store: Store, enterprise_id: int) -> dict:
    return enterprise_item(store, store.row("SELECT * FROM enterprises WHERE id = ?", (enterprise_id,)))


def list_enterprises(store: Store, sector: str | None = None, search: str | None = None, all_: bool = False):
    where, params = [], []
    if not all_:
        where.append("e.archived = 0")
    if sector:
        where.append("instr(lower(e.sector), lower(?)) > 0")
        params.append(sector)
    if search:
        where.append("(instr(lower(e.name), lower(?)) > 0 OR instr(lower(coalesce(e.note, '')), lower(?)) > 0)")
        params += [search, search]
    sql = "SELECT e.* FROM enterprises e" + (" WHERE " + " AND ".join(where) if where else "")
    officers: dict[int, list[str]] = {}
    for enterprise_id, name in store.conn.execute(
        f"""SELECT a.enterprise_id, o.name FROM assignments a JOIN officers o ON o.id = a.officer_id
        WHERE {assigned_sql("a", ":day", ":day")} ORDER BY {names.order_by("o")}""",
        {"day": dates.today().isoformat()},
    ):
        officers.setdefault(enterprise_id, []).append(name)
    rows = store.rows(f"{sql} ORDER BY {names.order_by('e')}", params)
    return [enterprise_json(row, officers.get(row["id"], [])) for row in rows]


def officer_item(store: Store, row: dict) -> dict:
    looked_after = [
        r["name"]
        for r in store.rows(
            f"""SELECT e.name FROM assignments a JOIN enterprises e ON e.id = a.enterprise_id
            WHERE a.officer_id = :o AND {assigned_sql("a", ":day", ":day")} ORDER BY {names.order_by("e")}""",
            {"o": row["id"], "day": dates.today().isoformat()},
        )
    ]
    return {
        "id": row["id"],
        "name": row["name"],
        "rank": row["rank"],
        "unit": row["unit"],
        "phone": row["phone"],
        "enterprises": looked_after,
        "archived": bool(row["archived"]),
    }


def officer(store: Store, officer_id: int) -> dict:
    return officer_item(store, store.row("SELECT * FROM officers WHERE id = ?", (officer_id,)))


def list_officers(store: Store, all_: bool = False) -> list[dict]:
    sql = "SELECT * FROM officers" + ("" if all_ else " WHERE archived = 0") + f" ORDER BY {names.order_by('')}"
    return [officer_item(store, r) for r in store.rows(sql)]
