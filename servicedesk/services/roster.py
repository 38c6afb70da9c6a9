"""Enterprises, officers, who looks after whom (assignments), and categories."""

import json
import re
import warnings
from datetime import date
from enum import StrEnum

from .. import dates, names
from ..dates import Limit
from ..errors import InvalidInput, Notice
from ..i18n import _
from ..life import OPEN_END
from ..models import Kind, Rank, assigned_sql, clean_line, clean_text, word_key
from ..store import Store
from ..views import refs
from ..views import roster as views

ENTERPRISE_FIELDS = ("name", "sector", "kind", "contact", "phone", "address", "note")
OFFICER_FIELDS = ("name", "rank", "unit", "phone")


def _name(text: str | None, noun: str) -> str:
    name = clean_line(text)
    if not name:
        raise InvalidInput(_("the {noun} name cannot be empty").format(noun=refs.noun_said(noun)))
    return name


def _unique(store: Store, table: str, name: str, noun: str, exclude: int | None = None) -> None:
    row = store.row(f"SELECT id FROM {table} WHERE name = ?", (name,))
    if row and row["id"] != exclude:
        raise InvalidInput(
            _('an {noun} named "{name}" already exists (#{id})').format(
                noun=refs.noun_said(noun), name=name, id=row["id"]
            )
        )


def _clean_fields(fields: dict) -> dict:
    return {k: clean_text(v) if isinstance(v, str) else v for k, v in fields.items()}


# The change log -------------------------------------------------------------


def record_change(store: Store, actor: str | None, subject: str, subject_id, action: str, detail=None) -> None:
    """One line in the append-only change log, inside the caller's transaction and change set."""
    store.insert(
        "changes",
        {
            "at": dates.now_iso(),
            "actor": actor,
            "subject": subject,
            "subject_id": str(subject_id),
            "action": action,
            "detail": json.dumps(detail, ensure_ascii=False, default=str) if detail else None,
            "changeset": store.changeset(actor),
        },
    )


def _add(store: Store, table: str, noun: str, record: dict, actor: str | None) -> int:
    record["created_at"] = dates.now_iso()
    record["pinyin"] = names.keys(record["name"], person=table == "officers")
    with store.write():
        _unique(store, table, record["name"], noun)
        record["changeset"] = store.changeset(actor)
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
            # In the change log with the name, so that undo puts the old keys back with it.
            changes["pinyin"] = names.keys(changes["name"], person=table == "officers")
        changed = {k: [found[k], v] for k, v in changes.items() if found[k] != v}
        if changed:
            store.update(table, found["id"], {k: new for k, (_, new) in changed.items()})
            record_change(store, actor, noun, found["id"], "edited", changed)
    return found["id"]


def _archive(store: Store, table: str, noun: str, ref: str, on: date | None, actor: str | None) -> tuple[int, int]:
    """Archive an enterprise or officer and end its assignments; returns its id and how many ended."""
    day = (on or dates.today()).isoformat()
    with store.write():
        found = refs.resolve(store, noun, ref)
        store.conn.execute(f"UPDATE {table} SET archived = 1 WHERE id = ?", (found["id"],))
        ended = _end_assignments(store, f"{noun}_id", found["id"], day)
        record_change(store, actor, noun, found["id"], "archived", {"on": day, "ended": ended})
    return found["id"], len(ended)


def _end_assignments(store: Store, column: str, value: int, day: str) -> list[int]:
    """End the running assignments of an enterprise or officer on `day`; returns their ids."""
    ids = [
        r[0] for r in store.conn.execute(f"SELECT id FROM assignments WHERE {column} = ? AND end_on IS NULL", (value,))
    ]
    store.conn.execute(
        f"UPDATE assignments SET end_on = max(start_on, ?) WHERE {column} = ? AND end_on IS NULL", (day, value)
    )
    return ids


# Enterprises ---------------------------------------------------------------


def add_enterprise(store: Store, name: str, *, actor: str | None = None, **fields) -> dict:
    record = _clean_fields({k: fields.get(k) for k in ENTERPRISE_FIELDS if k != "name"})
    record["name"] = _name(name, "enterprise")
    record["kind"] = str(record.get("kind") or Kind.enterprise)
    return views.enterprise(store, _add(store, "enterprises", "enterprise", record, actor))


def edit_enterprise(store: Store, ref: str, *, actor: str | None = None, **changes) -> dict:
    return views.enterprise(store, _edit(store, "enterprises", "enterprise", ref, changes, actor))


def archive_enterprise(store: Store, ref: str, on: date | None = None, *, actor: str | None = None):
    """Archive an enterprise and end its assignments; returns it and how many ended."""
    found, ended = _archive(store, "enterprises", "enterprise", ref, on, actor)
    return views.enterprise(store, found), ended


# Officers ------------------------------------------------------------------


def add_officer(store: Store, name: str, *, actor: str | None = None, **fields) -> dict:
    record = _clean_fields({k: fields.get(k) for k in OFFICER_FIELDS if k != "name"})
    record["name"] = _name(name, "officer")
    record["rank"] = str(record.get("rank") or Rank.staff)
    return views.officer(store, _add(store, "officers", "officer", record, actor))


def edit_officer(store: Store, ref: str, *, actor: str | None = None, **changes) -> dict:
    return views.officer(store, _edit(store, "officers", "officer", ref, changes, actor))


def archive_officer(store: Store, ref: str, on: date | None = None, *, actor: str | None = None):
    found, ended = _archive(store, "officers", "officer", ref, on, actor)
    return views.officer(store, found), ended


# Assignments ---------------------------------------------------------------


def assign(store: Store, officer_ref: str, enterprise_refs: list[str], start: date | None = None, *, actor=None):
    """Start assignments from `start`; returns (officer, newly assigned names, already assigned names)."""
    day = (start or dates.today()).isoformat()
    added, already = [], []
    with store.write():
        officer = refs.active(refs.officer(store, officer_ref), "officer")
        for ref in enterprise_refs:
            ent = refs.active(refs.enterprise(store, ref), "enterprise")
            # Already looking after it on that day or later: nothing to start.
            current = store.row(
                f"SELECT 1 FROM assignments a WHERE officer_id = :o AND enterprise_id = :e AND {assigned_sql()}",
                {"o": officer["id"], "e": ent["id"], "start": day, "end": OPEN_END},
            )
            if current:
                already.append(ent["name"])
                continue
            assignment = store.insert(
                "assignments",
                {"officer_id": officer["id"], "enterprise_id": ent["id"], "start_on": day, "end_on": None,
                 "changeset": store.changeset(actor)},
            )  # fmt: skip
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
                raise InvalidInput(
                    _("{officer} is not assigned to {enterprise}").format(
                        officer=officer["name"], enterprise=ent["name"]
                    )
                )
            if day < current["start_on"]:
                raise InvalidInput(
                    _("{officer} was assigned to {enterprise} from {start}; --from {day} is before that").format(
                        officer=officer["name"], enterprise=ent["name"], start=current["start_on"], day=day
                    )
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
    store: Store,
    code: str,
    label: str | None,
    label_zh: str | None,
    due_days: int | None = None,
    *,
    limit=None,
    actor: str | None = None,
    edit: bool = False,
) -> dict:
    """Add a category, or change a known one: only what is given changes. The time limit
    is `limit` (a dates.Limit: 30d, 15wd) or `due_days` calendar days."""
    code = (code or "").strip().lower()
    if not _CODE.match(code):
        raise InvalidInput(
            _('"{code}" is not a category code; use lower-case letters, digits, - or _').format(code=code)
        )
    if due_days is not None:
        if not 1 <= due_days <= MAX_DUE_DAYS:
            raise InvalidInput(_("--due-days must be from 1 to {n}").format(n=MAX_DUE_DAYS))
        limit = Limit(due_days, False)
    label, label_zh = clean_text(label), clean_text(label_zh)
    with store.write():
        known = store.row("SELECT * FROM categories WHERE code = ?", (code,))
        if edit and not known:
            raise InvalidInput(
                _('no category "{code}"; add it with `servicedesk category add {code} --label …`').format(code=code)
            )
        if not known and not label:
            raise InvalidInput(_("a category needs a --label"))
        # A label is also a way to name the category, so it must not be another one's code
        # or label. Another's alias may become a label: the label wins (refs.category_aliases).
        aliases, taken = refs.category_aliases(store), []
        for other in store.rows("SELECT * FROM categories WHERE code != ?", (code,)):
            names = {word_key(n) for n in (other["code"], other["label"], other["label_zh"]) if n}
            others = {word_key(n) for n in aliases.get(other["code"], [])}
            for given_label in filter(None, (label, label_zh)):
                if word_key(given_label) in names:
                    raise InvalidInput(
                        _('"{label}" already names the category {code}; choose another label').format(
                            label=given_label, code=other["code"]
                        )
                    )
                if word_key(given_label) in others:
                    said = _('"{label}" was another name of {other}; it now names {code}')
                    taken.append(said.format(label=given_label, other=other["code"], code=code))
        for said in taken:
            warnings.warn(Notice(said), stacklevel=2)
        given = {"label": label, "label_zh": label_zh}
        if limit is not None:
            given.update(due_days=limit.days, due_working=int(limit.working))
        if known:
            changed = {k: [known[k], v] for k, v in given.items() if v is not None and known[k] != v}
            if changed:
                record_change(store, actor, "category", code, "edited", changed)
                sets = ", ".join(f"{k} = ?" for k in changed)
                store.conn.execute(
                    f"UPDATE categories SET {sets} WHERE code = ?", (*(v for _, v in changed.values()), code)
                )
        else:
            limit = limit or Limit(NEW_CATEGORY_DUE_DAYS, False)
            record_change(store, actor, "category", code, "added", given)
            position = store.value("SELECT coalesce(max(position), 0) + 1 FROM categories")
            store.insert(
                "categories",
                {
                    "code": code,
                    "label": label,
                    "label_zh": label_zh,
                    "due_days": limit.days,
                    "due_working": int(limit.working),
                    "position": position,
                    "changeset": store.changeset(actor),
                },
            )
    return store.row("SELECT * FROM categories WHERE code = ?", (code,))


def alias_category(store: Store, ref: str, words: list[str], *, actor: str | None = None):
    """More names for a category (融资问题, 融资难), in one change set; a word that names
    another category (by code, label or alias) is refused and nothing is added.
    Returns (the category, the words added, the words that already named it)."""
    cleaned = [clean_line(w) for w in words]
    for word in cleaned:
        if not word:
            raise InvalidInput(_("an alias cannot be empty"))
        if ":" in word or "：" in word:
            # --problem "CATEGORY:TEXT" splits at the first colon.
            raise InvalidInput(
                _('"{word}" holds a colon; --problem could not tell it from the problem\'s text').format(word=word)
            )
    with store.write():
        category = refs.category(store, ref)
        taken = refs.category_words(store)
        added, already = [], []
        for word in cleaned:
            owner = taken.get(word_key(word))
            if owner and owner != category["code"]:
                raise InvalidInput(
                    _('"{word}" already names the category {owner}; nothing added').format(word=word, owner=owner)
                )
            if owner:
                already.append(word)
                continue
            taken[word_key(word)] = category["code"]
            added.append(word)
        if added:
            changeset = store.changeset(actor)
            store.insert_rows(
                "category_aliases", ("word", "code", "changeset"), [(w, category["code"], changeset) for w in added]
            )
            record_change(store, actor, "category", category["code"], "aliased", {"words": added})
    return category, added, already
