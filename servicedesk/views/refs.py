"""Turning what a user typed (an id, a name, part of a name, a label) into a record."""

import difflib

from .. import names
from ..errors import Ambiguous, InvalidInput, NotFound
from ..models import word_key
from ..store import Store

_TABLES = {"enterprise": "enterprises", "officer": "officers"}


def resolve(store: Store, noun: str, ref: str) -> dict:
    """An enterprise or officer by id, exact name, unique case-insensitive substring of
    the name, or else by pinyin (names.py): a whole key, else the start of a key, else a
    part of one (tnd, TNDC, tianneng → 天能电池).

    Each way is tried only when the one before found nothing, and the best match of a
    way wins: with 天能 and 天能电池 on file, "天能" means 天能 and so does "tn".
    """
    table = _TABLES[noun]
    text = (ref or "").strip()
    if not text:
        raise InvalidInput(f"give an {noun} name or id")
    if text.isdecimal() and len(text) <= 18:
        found = store.row(f"SELECT * FROM {table} WHERE id = ?", (int(text),))
        if found:
            return found
    found = store.row(f"SELECT * FROM {table} WHERE name = ?", (text,))
    if found:
        return found
    matches = store.rows(
        f"SELECT * FROM {table} WHERE instr(lower(name), lower(?)) > 0 ORDER BY archived, {names.order_by()}",
        (text,),
    )
    how = ""
    if not matches and names.is_key(text):
        matches, how = _by_pinyin(store, table, names.clean(text)), " by pinyin"
    if len(matches) == 1:
        return matches[0]
    if matches:
        listed = ", ".join(f"{m['name']} (#{m['id']})" for m in matches[:8]) + (" …" if len(matches) > 8 else "")
        raise Ambiguous(f'"{text}" matches {len(matches)} {table}{how}: {listed}; use more of the name, or the id')
    raise NotFound(f'no {noun} matches "{text}"{_hint(store, table, noun, text)}')


def _by_pinyin(store: Store, table: str, typed: str) -> list[dict]:
    """The rows whose keys match best: whole keys, else starts of keys, else parts."""
    ranked: dict[int, list[dict]] = {}
    for row in store.rows(
        f"SELECT * FROM {table} WHERE instr(pinyin, ?) > 0 ORDER BY archived, {names.order_by()}", (typed,)
    ):
        ranked.setdefault(names.rank(row["pinyin"], typed), []).append(row)
    return ranked[min(ranked)] if ranked else []


def _hint(store: Store, table: str, noun: str, text: str) -> str:
    listed = [r[0] for r in store.conn.execute(f"SELECT name FROM {table}")]
    close = difflib.get_close_matches(text, listed, n=3, cutoff=0.3)
    return f"; did you mean {' or '.join(close)}?" if close else f"; see `servicedesk {noun} list`"


def active(record: dict, noun: str) -> dict:
    """The record, unless it is archived: new work is not given to those who have left."""
    if record["archived"]:
        raise InvalidInput(f"{noun} {record['name']} is archived")
    return record


def acting_name(store: Store, text: str) -> str:
    """Who --as names: an officer's full name when it matches one, else the text as typed.

    Several matches are a mistake (exit 1); no match is someone who is not an officer.
    """
    try:
        return officer(store, text)["name"]
    except NotFound:
        return text


def enterprise(store: Store, ref: str) -> dict:
    return resolve(store, "enterprise", ref)


def officer(store: Store, ref: str) -> dict:
    return resolve(store, "officer", ref)


def number(ref: str | int, noun: str = "ticket") -> int:
    """A record number written as 12 or #12."""
    text = str(ref).strip().lstrip("#＃")
    if not text.isdecimal():
        raise InvalidInput(f'"{ref}" is not a {noun} number; write it as 12 or #12')
    if len(text) > 18:
        raise NotFound(f"no {noun} #{text}")
    return int(text)


def ticket_id(ref: str | int) -> int:
    return number(ref, "ticket")


def ticket(store: Store, ref: str | int) -> dict:
    number = ticket_id(ref)
    found = store.row("SELECT * FROM tickets WHERE id = ?", (number,))
    if not found:
        raise NotFound(f"no ticket #{number}; see `servicedesk ticket list --status all`")
    return found


def categories(store: Store) -> list[dict]:
    return store.rows("SELECT * FROM categories ORDER BY position, code")


def category_aliases(store: Store) -> dict[str, list[str]]:
    """code → its aliases (`category alias`), in the order they were added. A word that is
    now another category's code or label names that category instead, and is left out."""
    labels = {word_key(n): c["code"] for c in categories(store) for n in (c["code"], c["label"], c["label_zh"]) if n}
    found: dict[str, list[str]] = {}
    for word, code in store.conn.execute("SELECT word, code FROM category_aliases ORDER BY rowid"):
        if labels.get(word_key(word), code) == code:
            found.setdefault(code, []).append(word)
    return found


def category_words(store: Store) -> dict[str, str]:
    """Every name of a category as models.word_key reads it (full-width letters, spaces
    and case aside) → its code: codes, English and Chinese labels, aliases."""
    found = {word_key(w): code for code, words in category_aliases(store).items() for w in words}
    for c in categories(store):
        found.update({word_key(n): c["code"] for n in (c["label"], c["label_zh"], c["code"]) if n})
    return found


def category(store: Store, ref: str) -> dict:
    """A category by code, English or Chinese label, or alias (case-insensitive)."""
    text = (ref or "").strip()
    code = category_words(store).get(word_key(text)) if text else None
    if code:
        return store.row("SELECT * FROM categories WHERE code = ?", (code,))
    raise InvalidInput(f'unknown category "{text}"; choose one of: {accepted_categories(store)}')


def accepted_categories(store: Store) -> str:
    """The categories as a clear line lists them: each code with the Chinese words for it."""
    words = category_aliases(store)
    listed = []
    for c in categories(store):
        said = f"{c['code']} ({c['label_zh']})" if c["label_zh"] else c["code"]
        others = words.get(c["code"])
        listed.append(f"{said} or {'/'.join(others)}" if others else said)
    return "; ".join(listed)
