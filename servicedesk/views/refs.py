"""Turning what a user typed (an id, a name, part of a name, a label) into a record."""

import difflib

from .. import names
from ..errors import Ambiguous, InvalidInput, NotFound
from ..i18n import _, language, pgettext
from ..models import word_key
from ..store import Store

_TABLES = {"enterprise": "enterprises", "officer": "officers"}


def noun_said(noun: str) -> str:
    """A record's noun as a message names it, in this command's language."""
    said = {
        "enterprise": pgettext("noun", "enterprise"),
        "officer": pgettext("noun", "officer"),
        "ticket": pgettext("noun", "ticket"),
        "visit": pgettext("noun", "visit"),
        "feedback": pgettext("noun", "feedback"),
        "service": pgettext("noun", "service"),
        "change set": pgettext("noun", "change set"),
    }
    return said.get(noun, noun)


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
        raise InvalidInput(_("give an {noun} name or id").format(noun=noun_said(noun)))
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
        matches, how = _by_pinyin(store, table, names.clean(text)), "pinyin"
    if len(matches) == 1:
        return matches[0]
    if matches:
        listed = ", ".join(f"{m['name']} (#{m['id']})" for m in matches[:8]) + (" …" if len(matches) > 8 else "")
        if how:
            said = _('"{text}" matches {n} {table} by pinyin: {listed}; use more of the name, or the id')
        else:
            said = _('"{text}" matches {n} {table}: {listed}; use more of the name, or the id')
        table_said = {"enterprises": pgettext("nouns", "enterprises"), "officers": pgettext("nouns", "officers")}[table]
        raise Ambiguous(said.format(text=text, n=len(matches), table=table_said, listed=listed))
    raise NotFound(
        _('no {noun} matches "{text}"').format(noun=noun_said(noun), text=text) + _hint(store, table, noun, text)
    )


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
    if close:
        return _("; did you mean {names}?").format(names=_(" or ").join(close))
    return _("; see `servicedesk {noun} list`").format(noun=noun)


def active(record: dict, noun: str) -> dict:
    """The record, unless it is archived: new work is not given to those who have left."""
    if record["archived"]:
        raise InvalidInput(_("{noun} {name} is archived").format(noun=noun_said(noun), name=record["name"]))
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
        raise InvalidInput(
            _('"{ref}" is not a {noun} number; write it as 12 or #12').format(ref=ref, noun=noun_said(noun))
        )
    if len(text) > 18:
        raise NotFound(_("no {noun} #{id}").format(noun=noun_said(noun), id=text))
    return int(text)


def ticket_id(ref: str | int) -> int:
    return number(ref, "ticket")


def ticket(store: Store, ref: str | int) -> dict:
    number = ticket_id(ref)
    found = store.row("SELECT * FROM tickets WHERE id = ?", (number,))
    if not found:
        raise NotFound(_("no ticket #{id}; see `servicedesk ticket list --status all`").format(id=number))
    return found


def categories(store: Store) -> list[dict]:
    return store.rows("SELECT * FROM categories ORDER BY position, code")


def category_aliases(store: Store, rows: list[dict] | None = None) -> dict[str, list[str]]:
    """code → its aliases (`category alias`), in the order they were added. A word that is
    now another category's code or label names that category instead, and is left out.
    `rows`: the categories, when the caller has read them already."""
    rows = categories(store) if rows is None else rows
    labels = {word_key(n): c["code"] for c in rows for n in (c["code"], c["label"], c["label_zh"]) if n}
    found: dict[str, list[str]] = {}
    for word, code in store.conn.execute("SELECT word, code FROM category_aliases ORDER BY rowid"):
        if labels.get(word_key(word), code) == code:
            found.setdefault(code, []).append(word)
    return found


def category_words(store: Store, rows: list[dict] | None = None) -> dict[str, str]:
    """Every name of a category as models.word_key reads it (full-width letters, spaces
    and case aside) → its code: codes, English and Chinese labels, aliases."""
    rows = categories(store) if rows is None else rows
    found = {word_key(w): code for code, words in category_aliases(store, rows).items() for w in words}
    for c in rows:
        found.update({word_key(n): c["code"] for n in (c["label"], c["label_zh"], c["code"]) if n})
    return found


def category(store: Store, ref: str) -> dict:
    """A category by code, English or Chinese label, or alias (case-insensitive). Two
    statements, the categories and their aliases (a ticket opens under the write lock)."""
    text = (ref or "").strip()
    rows = categories(store)
    code = category_words(store, rows).get(word_key(text)) if text else None
    if code:
        return next(c for c in rows if c["code"] == code)
    raise InvalidInput(
        _('unknown category "{text}"; choose one of: {categories}').format(
            text=text, categories=accepted_categories(store)
        )
    )


def accepted_categories(store: Store) -> str:
    """The categories as a clear line lists them: each code with the Chinese words for it."""
    words = category_aliases(store)
    listed = []
    for c in categories(store):
        others = words.get(c["code"])
        if language() == "zh":  # the Chinese words first, the code for scripts beside
            said = f"{c['label_zh']}（{c['code']}）" if c["label_zh"] else c["code"]
            listed.append(f"{said}：{'/'.join(others)}" if others else said)
        else:
            said = f"{c['code']} ({c['label_zh']})" if c["label_zh"] else c["code"]
            listed.append(f"{said} or {'/'.join(others)}" if others else said)
    return ("；" if language() == "zh" else "; ").join(listed)
