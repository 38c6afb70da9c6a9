"""Services delivered, as `service list` and the weekly report's part 11 show them."""

from datetime import date

from .. import dates
from ..models import SERVICE_LABELS, ServiceKind, yuan
from ..store import Store

ITEM_SQL = """SELECT s.id, e.name AS enterprise, s.enterprise_id, s.kind, s.served_on, s.quantity,
    s.amount_fen, o.name AS officer, s.note
FROM services s JOIN enterprises e ON e.id = s.enterprise_id LEFT JOIN officers o ON o.id = s.officer_id"""


def _item(row: dict) -> dict:
    row["amount"] = yuan(row.pop("amount_fen"))
    return {k: row[k] for k in ("id", "enterprise", "enterprise_id", "kind", "served_on", "quantity", "amount",
                                "officer", "note")}  # fmt: skip


def item(store: Store, service_id: int) -> dict:
    return _item(store.row(ITEM_SQL + " WHERE s.id = ?", (service_id,)))


def list_services(
    store: Store,
    week: dates.Week | None = None,
    since: date | None = None,
    until: date | None = None,
    kind: str | None = None,
    enterprise_id: int | None = None,
) -> list[dict]:
    where, params = ["s.removed IS NULL"], []
    if week:
        where.append("s.week = ?")
        params.append(week.key)
    if since:
        where.append("s.served_on >= ?")
        params.append(since.isoformat())
    if until:
        where.append("s.served_on <= ?")
        params.append(until.isoformat())
    if kind:
        where.append("s.kind = ?")
        params.append(kind)
    if enterprise_id is not None:
        where.append("s.enterprise_id = ?")
        params.append(enterprise_id)
    sql = ITEM_SQL + " WHERE " + " AND ".join(where) + " ORDER BY s.served_on, s.id"
    return [_item(r) for r in store.rows(sql, params)]


def _totals(store: Store, where: str, params) -> dict[str, dict]:
    rows = store.rows(
        f"""SELECT kind, count(DISTINCT enterprise_id) AS enterprises, count(*) AS records,
            SUM(quantity) AS quantity, SUM(amount_fen) AS amount_fen
        FROM services WHERE removed IS NULL AND {where} GROUP BY kind""",
        params,
    )
    return {
        r["kind"]: {
            "enterprises": r["enterprises"],
            "records": r["records"],
            "quantity": r["quantity"],
            "amount": yuan(r["amount_fen"]),
        }
        for r in rows
    }


def weekly(store: Store, week: dates.Week, day: str) -> list[dict]:
    """Part 11: per kind delivered to date, this week and to date (as of `day`)."""
    this_week = _totals(store, "week = ?", (week.key,))
    to_date = _totals(store, "served_on <= ?", (day,))
    empty = {"enterprises": 0, "records": 0, "quantity": None, "amount": None}
    return [
        {
            "kind": kind.value,
            "label": SERVICE_LABELS[kind.value],
            "this_week": this_week.get(kind.value, empty),
            "to_date": to_date[kind.value],
        }
        for kind in ServiceKind
        if kind.value in to_date
    ]
