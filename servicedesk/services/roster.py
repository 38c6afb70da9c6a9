"""Enterprises, officers, who looks after whom (assignments), and categories."""

import json
import re
from datetime import date
from enum import StrEnum

from .. import dates
from ..errors import InvalidInput
from ..models import Kind, Rank, clean_line, clean_text
from ..store import Store
from . import refs

ENTERPRISE_FIELDS = ("name", "sector", "kind", "contact", "phone", "address", "note")
OFFICER_FIELDS = ("name", "rank", "unit", "phone")


def _name(text: str | None, noun: str) -> str:
    name = clean_line(text)
    if not name:
        raise InvalidInput(f"the {noun} name cannot be empty")
    return name


def _unique(store: Store, table: str, name: str, noun: str, exclude: int | None = None) -> None:
    row = store.row(f"SELECT id FROM {table} WHERE name = ?", (name,))
    if row and row["id"] != exclude:
        raise InvalidInput(f'an {noun} named "{name}" already exists (#{row["id"]})')


def _clean_fields(fields: dict) -> dict:
    return {k: clean_text(v) if isinstance(v, str) else v for k, v in fields.items()}


# Enterprises ---------------------------------------------------------------


def record_change(store: Store, actor: str | None, subject: str, subject_id, action: str, detail=None) -> None:
    """One line in the append-only change log, inside the caller's transaction."""
    store.insert(
        "changes",
        {
            "at": dates.now_iso(),
            "actor": actor,
            "subject": subject,
            "subject_id": str(subject_id),
            "action": action,
            "detail": json.dumps(detail, ensure_ascii=False, default=str) if detail else None,
        },
    )


def _add(store: Store, table: str, noun: str, record: dict, actor: str | None) -> int:
    record["created_at"] = dates.now_iso()
    with store.write():
        _unique(store, table, record["name"], noun)
        new_id = store.insert(table, record)
        record_change(store, actor, noun, new_id, "added", {k: v for k, v in record.items() if v is not None})
    return new_id


def _edit(store: Store, table: str, noun: str, ref: str, changes: dict, actor: str | None) -> int:
    """Change the given fields of an enterprise or officer; returns its id."""
    changes = _clean_fields({k: str(v) if isinstance(v, StrEnum) else v for k, v in changes.items() if v is not None})
    with store.write():
        found = refs.resolve(store, noun, ref)
        if "name" in changes:
            changes["name"] = _name(changes["name"], noun)
            _unique(store, table, changes["name"], noun, exclude=found["id"])
        if changes:
            store.update(table, found["id"], changes)
            record_change(store, actor, noun, found["id"], "edited", changes)
    return found["id"]


def _archive(store: Store, table: str, noun: str, ref: str, on: date | None, actor: str | None) -> tuple[int, int]:
    """Archive an enterprise or officer and end its assignments; returns its id and how many ended."""
    day = (on or dates.today()).isoformat()
    with store.write():
        found = refs.resolve(store, noun, ref)
        store.conn.execute(f"UPDATE {table} SET archived = 1 WHERE id = ?", (found["id"],))
        ended = _end_assignments(store, f"{noun}_id", found["id"], day)
        record_change(store, actor, noun, found["id"], "archived", {"on": day, "assignments_ended": ended})
    return found["id"], ended


def add_enterprise(store: Store, name: str, *, actor: str | None = None, **fields) -> dict:
    record = _clean_fields({k: fields.get(k) for k in ENTERPRISE_FIELDS if k != "name"})
    record["name"] = _name(name, "enterprise")
    record["kind"] = str(record.get("kind") or Kind.enterprise)
    new_id = _add(store, "enterprises", "enterprise", record, actor)
    return enterprise_item(store, store.row("SELECT * FROM enterprises WHERE id = ?", (new_id,)))


def edit_enterprise(store: Store, ref: str, *, actor: str | None = None, **changes) -> dict:
    found = _edit(store, "enterprises", "enterprise", ref, changes, actor)
    return enterprise_item(store, store.row("SELECT * FROM enterprises WHERE id = ?", (found,)))


def archive_enterprise(store: Store, ref: str, on: date | None = None, *, actor: str | None = None):
    """Archive an enterprise and end its assignments; returns it and how many ended."""
    found, ended = _archive(store, "enterprises", "enterprise", ref, on, actor)
    return enterprise_item(store, store.row("SELECT * FROM enterprises WHERE id = ?", (found,))), ended


def _end_assignments(store: Store, column: str, value: int, day: str) -> int:
    cursor = store.conn.execute(
        f"UPDATE assignments SET end_on = max(start_on, ?) WHERE {column} = ? AND end_on IS NULL",
        (day, value),
    )
    return cursor.rowcount


# An assignment covers part of [:start, :end]; one ended on its first day covers nothing.
ACTIVE_IN_SPAN = "start_on <= :end AND (end_on IS NULL OR (end_on > :start AND end_on > start_on))"


def officers_of(store: Store, enterprise_id: int, on: date | None = None) -> list[dict]:
    day = (on or dates.today()).isoformat()
    return store.rows(
        """SELECT o.* FROM assignments a JOIN officers o ON o.id = a.officer_id
        WHERE a.enterprise_id = ? AND a.start_on <= ? AND (a.end_on IS NULL OR a.end_on > ?)
        ORDER BY o.name""",
        (enterprise_id, day, day),
    )


def enterprise_item(store: Store, row: dict) -> dict:
    return enterprise_json(row, [o["name"] for o in officers_of(store, row["id"])])


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
    sql = "SELECT e.* FROM enterprises e" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY e.id"
    today = dates.today().isoformat()
    officers = {}
    for r in store.rows(
        """SELECT a.enterprise_id, o.name FROM assignments a JOIN officers o ON o.id = a.officer_id
        WHERE a.start_on <= ? AND (a.end_on IS NULL OR a.end_on > ?) ORDER BY o.name""",
        (today, today),
    ):
        officers.setdefault(r["enterprise_id"], []).append(r["name"])
    return [enterprise_json(row, officers.get(row["id"], [])) for row in store.rows(sql, params)]


# Officers ------------------------------------------------------------------


def add_officer(store: Store, name: str, *, actor: str | None = None, **fields) -> dict:
    record = _clean_fields({k: fields.get(k) for k in OFFICER_FIELDS if k != "name"})
    record["name"] = _name(name, "officer")
    record["rank"] = str(record.get("rank") or Rank.staff)
    new_id = _add(store, "officers", "officer", record, actor)
    return officer_item(store, store.row("SELECT * FROM officers WHERE id = ?", (new_id,)))


def edit_officer(store: Store, ref: str, *, actor: str | None = None, **changes) -> dict:
    found = _edit(store, "officers", "officer", ref, changes, actor)
    return officer_item(store, store.row("SELECT * FROM officers WHERE id = ?", (found,)))


def archive_officer(store: Store, ref: str, on: date | None = None, *, actor: str | None = None):
    found, ended = _archive(store, "officers", "officer", ref, on, actor)
    return officer_item(store, store.row("SELECT * FROM officers WHERE id = ?", (found,))), ended


def officer_item(store: Store, row: dict) -> dict:
    today = dates.today().isoformat()
    names = [
        r["name"]
        for r in store.rows(
            """SELECT e.name FROM assignments a JOIN enterprises e ON e.id = a.enterprise_id
            WHERE a.officer_id = ? AND a.start_on <= ? AND (a.end_on IS NULL OR a.end_on > ?)
            ORDER BY e.name""",
            (row["id"], today, today),
        )
    ]
    return {
        "id": row["id"],
        "name": row["name"],
        "rank": row["rank"],
        "unit": row["unit"],
        "phone": row["phone"],
        "enterprises": names,
        "archived": bool(row["archived"]),
    }


def list_officers(store: Store, all_: bool = False) -> list[dict]:
    sql = "SELECT * FROM officers" + ("" if all_ else " WHERE archived = 0") + " ORDER BY id"
    return [officer_item(store, r) for r in store.rows(sql)]


# Assignments ---------------------------------------------------------------


def assign(store: Store, officer_ref: str, enterprise_refs: list[str], start: date | None = None, *, actor=None):
    """Start assignments from `start`; returns (officer, newly assigned names, already assigned names)."""
    day = (start or dates.today()).isoformat()
    added, already = [], []
    with store.write():
        officer = refs.active(refs.officer(store, officer_ref), "officer")
        for ref in enterprise_refs:
            ent = refs.active(refs.enterprise(store, ref), "enterprise")
            current = store.row(
                "SELECT * FROM assignments WHERE officer_id = ? AND enterprise_id = ? AND (end_on IS NULL OR end_on > ?)",
                (officer["id"], ent["id"], day),
            )
            if current:
                already.append(ent["name"])
                continue
            assignment = store.insert(
                "assignments",
                {"officer_id": officer["id"], "enterprise_id": ent["id"], "start_on": day, "end_on": None},
            )
            record_change(
                store,
                actor,
                "assignment",
                assignment,
                "assigned",
                {"officer": officer["name"], "enterprise": ent["name"], "from": day},
            )
            added.append(ent["name"])
    return officer, added, already


def unassign(store: Store, officer_ref: str, enterprise_refs: list[str], end: date | None = None, *, actor=None):
    """End assignments: `end` is the first day no longer assigned."""
    day = (end or dates.today()).isoformat()
    ended = []
    with store.write():
        officer = refs.officer(store, officer_ref)
        for ref in enterprise_refs:
            ent = refs.enterprise(store, ref)
            current = store.row(
                "SELECT * FROM assignments WHERE officer_id = ? AND enterprise_id = ? AND end_on IS NULL",
                (officer["id"], ent["id"]),
            )
            if not current:
                raise InvalidInput(f"{officer['name']} is not assigned to {ent['name']}")
            if day < current["start_on"]:
                raise InvalidInput(
                    f"{officer['name']} was assigned to {ent['name']} from {current['start_on']}; "
                    f"--from {day} is before that"
                )
            store.conn.execute("UPDATE assignments SET end_on = ? WHERE id = ?", (day, current["id"]))
            record_change(
                store,
                actor,
                "assignment",
                current["id"],
                "unassigned",
                {"officer": officer["name"], "enterprise": ent["name"], "from": day},
            )
            ended.append(ent["name"])
    return officer, ended


# Categories ----------------------------------------------------------------

_CODE = re.compile(r"^[a-z][a-z0-9_-]{0,30}$")


NEW_CATEGORY_DUE_DAYS = 15
MAX_DUE_DAYS = 3650


def add_category(
    store: Store, code: str, label: str, label_zh: str | None, due_days: int | None, *, actor: str | None = None
) -> dict:
    """Add a category, or change a known one: only what is given changes (--due-days overrides a default)."""
    code = (code or "").strip().lower()
    if not _CODE.match(code):
        raise InvalidInput(f'"{code}" is not a category code; use lower-case letters, digits, - or _')
    if due_days is not None and not 1 <= due_days <= MAX_DUE_DAYS:
        raise InvalidInput(f"--due-days must be from 1 to {MAX_DUE_DAYS}")
    label, label_zh = clean_text(label), clean_text(label_zh)
    if not label:
        raise InvalidInput("a category needs a --label")
    with store.write():
        # A label is also a way to name the category, so it must not name another one.
        for other in store.rows("SELECT * FROM categories WHERE code != ?", (code,)):
            names = {other["code"], (other["label"] or "").lower(), other["label_zh"]}
            clash = next((n for n in (label.lower(), label_zh) if n and n in names), None)
            if clash:
                raise InvalidInput(f'"{clash}" already names the category {other["code"]}; choose another label')
        known = store.row("SELECT 1 FROM categories WHERE code = ?", (code,))
        given = {"label": label, "label_zh": label_zh, "due_days": due_days}
        record_change(store, actor, "category", code, "edited" if known else "added", given)
        if known:
            store.conn.execute(
                """UPDATE categories SET label = ?, label_zh = coalesce(?, label_zh),
                due_days = coalesce(?, due_days) WHERE code = ?""",
                (label, label_zh, due_days, code),
            )
        else:
            position = store.value("SELECT coalesce(max(position), 0) + 1 FROM categories")
            store.insert(
                "categories",
                {
                    "code": code,
                    "label": label,
                    "label_zh": label_zh,
                    "due_days": NEW_CATEGORY_DUE_DAYS if due_days is None else due_days,
                    "position": position,
                },
            )
    return store.row("SELECT * FROM categories WHERE code = ?", (code,))
