"""Pinyin search keys for the names of enterprises and officers.

An officer types names through an IME, so `tnd` or `tianneng` should find 天能电池. The
keys are made when a name is written (add, edit, import, the demo) and stored in the
`pinyin` column, because pypinyin costs ~260 ms to import: reads match the stored keys
in SQL and never import it. This module imports pypinyin only inside the functions that
make keys.

A name's keys, space-separated: its full pinyin without tones (tiannengdianchi), then
its initials (tndc), then the same for the other reading of a common 多音字 in names
(曾伟: cengwei cw zengwei zw). Latin letters and digits stay as written, lower-cased
(ABC电池2号: abcdianchi2hao abcdc2h); other characters are left out. The first key is
the one lists sort by.

Rows written before the keys existed (a ledger migrated from schema 4), or by a version
of this module that made other keys, are brought up to date by `upkeep` before the first
write of a command (store.Store.write), in a transaction of their own, once.
"""

import re
import sqlite3
import unicodedata
from functools import cache

VERSION = "1"  # bump when keys() changes: every ledger's keys are made again on its next write
TABLES = ("enterprises", "officers")
_META = "name_keys"

# Characters read differently in names (surnames above all) than pypinyin's default: the
# other reading is stored too. Only these: every extra key is one more chance for a typed
# reference to match two names.
OTHER_READINGS = {
    "曾": "zeng ceng",
    "单": "shan dan",
    "解": "xie jie",
    "仇": "qiu chou",
    "区": "ou qu",
    "查": "zha cha",
    "朴": "piao pu",
    "覃": "qin tan",
    "尉": "yu wei",
    "缪": "miao mou",
    "乐": "yue le",
    "盖": "ge gai",
    "翟": "zhai di",
    "种": "chong zhong",
    "长": "zhang chang",
    "重": "zhong chong",
    "行": "hang xing",
    "朝": "chao zhao",
    "厦": "sha xia",
    "藏": "zang cang",
    "柏": "bo bai",
    "盛": "cheng sheng",
}
# A person's name begins with the surname, and these surnames are not read as pypinyin
# reads the character: 曾伟 is Zeng Wei, sorted under Z.
SURNAMES = {"曾": "zeng", "单": "shan", "解": "xie", "仇": "qiu", "区": "ou", "查": "zha", "朴": "piao",
            "覃": "qin", "缪": "miao", "盖": "ge", "翟": "zhai", "种": "chong", "朝": "chao", "柏": "bai"}  # fmt: skip
_MAX_READINGS = 3  # the default reading and at most two others per name
_NOT_KEY = re.compile(r"[^a-z0-9]+")


def clean(text: str) -> str:
    """What a typed reference is matched with: lower-case Latin letters and digits only
    (full-width ones too); '' when it holds nothing else (Chinese, say)."""
    return _NOT_KEY.sub("", unicodedata.normalize("NFKC", text or "").lower())


def is_key(text: str) -> bool:
    """Whether typed text can be pinyin: Latin letters and digits, with spaces or an
    apostrophe (xi'an) between, and at least one letter or digit."""
    normal = unicodedata.normalize("NFKC", text or "")
    return normal.isascii() and bool(clean(normal))


@cache
def _segment(segment: str) -> tuple[tuple[str, str, bool], ...]:
    """(character, default reading, is Chinese) for each character of a segment pypinyin
    cut; a run of other text is one item, its reading the run itself, cleaned."""
    from pypinyin import lazy_pinyin
    from pypinyin.constants import RE_HANS

    if not RE_HANS.match(segment):
        return ((segment, clean(segment), False),)
    readings = [clean(r) for r in lazy_pinyin(segment, errors="default")]
    if len(readings) != len(segment):  # not one syllable per character: keep the segment whole
        return ((segment, "".join(readings), False),)
    return tuple((char, reading, True) for char, reading in zip(segment, readings, strict=True))


def _readings(name: str, person: bool) -> list[list[tuple[str, bool]]]:
    """Each reading of the name as (syllable, is Chinese) items, a run of Latin letters and
    digits being one item: pypinyin's (a person's surname as a surname), then the other
    reading of one 多音字 at a time."""
    from pypinyin.seg.simpleseg import seg

    items = [item for segment in seg(name) for item in _segment(segment)]
    default = [(reading, han) for _, reading, han in items]
    if person and items and items[0][2] and items[0][0] in SURNAMES:
        default[0] = (SURNAMES[items[0][0]], True)
    found = [default]
    for i, (char, _, han) in enumerate(items):
        for other in OTHER_READINGS.get(char, "").split() if han else ():
            if other != default[i][0] and len(found) < _MAX_READINGS:
                found.append([*default[:i], (other, True), *default[i + 1 :]])
    return found


def keys(name: str, person: bool = False) -> str:
    """The search keys of one name (a person's: an officer's), space-separated, the
    default full pinyin first."""
    normal = unicodedata.normalize("NFKC", name or "")
    out: list[str] = []
    for reading in _readings(normal, person):
        full = "".join(s for s, _ in reading)
        initials = "".join(s[:1] if han else s for s, han in reading)
        for key in (full, initials):
            if key and key not in out:
                out.append(key)
    return " ".join(out)


def _conn(store) -> sqlite3.Connection:
    return getattr(store, "conn", store)


def fill_keys(store) -> int:
    """Give every enterprise and officer without keys its keys; returns how many.

    For whatever writes names in bulk (imports, the demo): call it inside the write's
    transaction, after the rows are in. pypinyin is imported only when a key is missing.
    """
    conn, filled = _conn(store), 0
    for table in TABLES:
        rows = conn.execute(f"SELECT id, name FROM {table} WHERE pinyin IS NULL").fetchall()
        if rows:
            person = table == "officers"
            conn.executemany(f"UPDATE {table} SET pinyin = ? WHERE id = ?", [(keys(n, person), i) for i, n in rows])
            filled += len(rows)
    return filled


def is_current(store) -> bool:
    row = _conn(store).execute("SELECT value FROM meta WHERE key = ?", (_META,)).fetchone()
    return row is not None and row[0] == VERSION


def upkeep(store) -> None:
    """Make the keys of every name again when this module's VERSION is not the one they
    were made with (or they were never made), inside the caller's write transaction."""
    conn = _conn(store)
    if is_current(conn):
        return
    for table in TABLES:
        conn.execute(f"UPDATE {table} SET pinyin = NULL WHERE pinyin IS NOT NULL")
    fill_keys(conn)
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (_META, VERSION),
    )


def order_by(alias: str = "") -> str:
    """ORDER BY terms that put names in pinyin order (a row's first key is its full
    pinyin); rows whose keys are not made yet come last, by name. `alias` is SQL of ours."""
    a = f"{alias}." if alias else ""
    return f"{a}pinyin IS NULL, {a}pinyin, {a}name, {a}id"


def rank(keys_text: str | None, typed: str) -> int | None:
    """How well typed text (cleaned) matches a row's keys: 0 a whole key, 1 the start of
    a key, 2 inside one; None when it does not match."""
    best = None
    for key in (keys_text or "").split():
        if key == typed:
            return 0
        if key.startswith(typed):
            best = 1
        elif best is None and typed in key:
            best = 2
    return best
