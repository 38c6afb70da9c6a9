"""The SQL the rest of the code writes once, in SQLite's dialect, as PostgreSQL runs it.

Services, views and reports write their statements for SQLite; on a PostgreSQL ledger
each statement is translated once (and cached) for the few differences they use:
placeholders (`?`, `:name`), `%` (psycopg's own placeholder mark), `IS ?` (null-safe
equality), `INSERT OR IGNORE`, `group_concat`, `instr`, two-argument `max`/`min`,
`julianday` differences, `date(x, '±N days')`, `rowid`, the `temp.` schema, and in DDL
the column types (INTEGER → bigint, TEXT → text in the "C" collation so sorting and
comparing go by code point as in SQLite, BLOB → bytea), integer primary keys that number
rows as SQLite's rowid does (max + 1, so ids match a file ledger's), and the append-only
triggers. Text inside string literals is never rewritten.
"""

import functools
import re

URL_SCHEMES = ("postgresql://", "postgres://")


def is_url(text) -> bool:
    """Whether a --db value names a PostgreSQL server rather than a file."""
    return isinstance(text, str) and text.lower().startswith(URL_SCHEMES)


def shown_url(url: str) -> str:
    """The URL without its password, for messages."""
    return re.sub(r"([a-z][a-z0-9+.-]*://[^:/@\s]*):[^@/\s]*@", r"\1:***@", url, flags=re.IGNORECASE)


# The function every append-only trigger calls with its message (created with the schema).
REFUSE_FUNCTION = """
CREATE OR REPLACE FUNCTION servicedesk_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation'; END $$
"""
# Numbers rows without an id as SQLite numbers its rowids: one more than the largest.
ROWID_FUNCTION = """
CREATE OR REPLACE FUNCTION servicedesk_rowid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id IS NULL THEN
        EXECUTE format('SELECT coalesce(max(id), 0) + 1 FROM %I.%I', TG_TABLE_SCHEMA, TG_TABLE_NAME) INTO NEW.id;
    END IF;
    RETURN NEW;
END $$
"""

_LEADING_COMMENTS = re.compile(r"^(?:\s*--[^\n]*\n)*\s*")
_LITERAL = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*")
_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
_TRIGGER = re.compile(
    r"CREATE\s+TRIGGER\s+(\w+)\s+(BEFORE|AFTER)\s+(UPDATE|DELETE|INSERT)\s+ON\s+(\w+)\s+"
    r"BEGIN\s+SELECT\s+RAISE\s*\(\s*ABORT\s*,\s*('(?:[^']|'')*')\s*\)\s*;\s*END\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_DATE_SHIFT = re.compile(r"\bdate\(\s*([\w.]+)\s*,\s*'([+-]?\d+) days'\s*\)", re.IGNORECASE)
_JULIAN = re.compile(r"\bjulianday\(\s*([\w.]+)\s*\)\s*-\s*julianday\(\s*([\w.]+)\s*\)", re.IGNORECASE)
_GROUP_CONCAT = re.compile(r"\bgroup_concat\(\s*([^(),]+)\s*\)", re.IGNORECASE)
_IS = re.compile(r"\bIS\s", re.IGNORECASE)
_WHOLE_TABLE_IN = re.compile(r"(?<!NOT )\bIN\s*\(\s*SELECT\s+(\w+)\s+FROM\s+(\w+)\s*\)", re.IGNORECASE)
_ID_PK = re.compile(r"\b(\w+)\s+INTEGER\s+PRIMARY\s+KEY\b", re.IGNORECASE)
_CREATE_TABLE = re.compile(r"^\s*CREATE\s+(TEMP\s+|TEMPORARY\s+)?TABLE\s+(IF\s+NOT\s+EXISTS\s+)?(\w+)", re.IGNORECASE)


@functools.lru_cache(maxsize=4096)
def translate(sql: str) -> str:
    """PostgreSQL's version of one statement written for SQLite."""
    sql = _LEADING_COMMENTS.sub("", sql)
    trigger = _TRIGGER.match(sql.strip())
    if trigger:
        name, when, event, table, message = trigger.groups()
        return (
            f"CREATE TRIGGER {name} {when} {event} ON {table} FOR EACH ROW "
            f"EXECUTE FUNCTION servicedesk_refuse({message.replace('%', '%%')})"
        )
    index = _INDEX.match(sql.strip())
    if index:  # NULL first, as SQLite sorts it (and as every ORDER BY here asks)
        columns = ", ".join(c.strip() + " NULLS FIRST" for c in index.group(2).split(","))
        sql = f"{index.group(1)}({columns})"
    head = sql.lstrip()[:40].upper()
    extra = ""
    if head.startswith(("CREATE TABLE", "CREATE TEMP", "ALTER TABLE")):
        created = _CREATE_TABLE.match(sql)
        if created and not created.group(1) and _ID_PK.search(sql):
            table = created.group(3)
            extra = (
                f"; CREATE TRIGGER {table}_rowid BEFORE INSERT ON {table} FOR EACH ROW "
                "EXECUTE FUNCTION servicedesk_rowid()"
            )
        sql = _ID_PK.sub(r"\1 BIGINT PRIMARY KEY", sql)
    ddl = head.startswith(("CREATE TABLE", "CREATE TEMP", "ALTER TABLE"))
    parts, at = [], 0
    for m in _LITERAL.finditer(sql):
        parts.append(_code(sql[at : m.start()], ddl))
        parts.append(m.group(0).replace("%", "%%"))
        at = m.end()
    parts.append(_code(sql[at:], ddl))
    out = "".join(parts)
    out = _nulls_as_sqlite(out)
    if "date(" in out.lower():
        out = _DATE_SHIFT.sub(r"to_char(CAST(\1 AS date) + (\2), 'YYYY-MM-DD')", out)
    if head.startswith("INSERT") and re.match(r"\s*INSERT\s+OR\s+IGNORE\b", out, re.IGNORECASE):
        out = re.sub(r"^\s*INSERT\s+OR\s+IGNORE\b", "INSERT", out, flags=re.IGNORECASE).rstrip().rstrip(";")
        out += " ON CONFLICT DO NOTHING"
    return out + extra


def _code(text: str, ddl: bool) -> str:
    """One stretch of SQL outside string literals. Each rewrite is tried only where a word
    it needs is present: a write's statements are translated while it holds the write lock,
    once in each process (every command is one), and most need none of them."""
    if not text:
        return text
    text = text.replace("%", "%%").replace("?", "%s")
    lower = text.lower()
    if ":" in text:
        text = _NAMED.sub(r"%(\1)s", text)
    if _IS.search(text):
        text = re.sub(r"\bIS\s+NOT\s+(?!NULL\b|DISTINCT\b|TRUE\b|FALSE\b)", "IS DISTINCT FROM ", text, flags=re.I)
        text = re.sub(r"\bIS\s+(?!NOT\b|NULL\b|DISTINCT\b|TRUE\b|FALSE\b)", "IS NOT DISTINCT FROM ", text, flags=re.I)
    if "group_concat" in lower:
        text = _GROUP_CONCAT.sub(r"string_agg(CAST(\1 AS TEXT), ',')", text)
    if "instr(" in lower:
        text = re.sub(r"\binstr\(", "strpos(", text, flags=re.IGNORECASE)
    if "julianday" in lower:
        text = _JULIAN.sub(r"(CAST(\1 AS date) - CAST(\2 AS date))", text)
    if "rowid" in lower:
        text = re.sub(r"\browid\b", "ctid", text, flags=re.IGNORECASE)
    if "temp." in lower:
        text = re.sub(r"\btemp\.(?=\w)", "pg_temp.", text, flags=re.IGNORECASE)
        text = re.sub(r"(CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?)pg_temp\.", r"\1", text, flags=re.I)
    if "max(" in lower or "min(" in lower:
        text = _scalar_extremes(text)
    if "select" in lower:
        # A temporary table of chosen ids has no statistics: as an array, its ids are looked up
        # through the index instead of a scan of the whole table they choose from.
        text = _WHOLE_TABLE_IN.sub(r"= ANY(ARRAY(SELECT \1 FROM \2))", text)
    if ddl:
        text = re.sub(r"\bINTEGER\b", "BIGINT", text, flags=re.IGNORECASE)
        text = re.sub(r"\bTEXT\b", 'TEXT COLLATE "C"', text, flags=re.IGNORECASE)
        text = re.sub(r"\bBLOB\b", "BYTEA", text, flags=re.IGNORECASE)
    return text


_ID = re.compile(r"(\w+\.)?id(\s+(ASC|DESC))?", re.IGNORECASE)
_INDEX = re.compile(r"^(CREATE\s+(?:UNIQUE\s+)?INDEX\s+.*?\bON\s+\w+\s*)\((.*)\)\s*;?\s*$", re.IGNORECASE | re.DOTALL)
_ORDER_BY = re.compile(r"\bORDER\s+BY\s", re.IGNORECASE)
_ORDER_END = re.compile(r"\b(LIMIT|OFFSET|UNION|EXCEPT|INTERSECT|ROWS|RANGE|GROUPS|WINDOW|FOR)\b", re.IGNORECASE)


def _nulls_as_sqlite(sql: str) -> str:
    """NULL sorts first in SQLite and last in PostgreSQL: each ORDER BY item says which."""
    out, at = [], 0
    for m in _ORDER_BY.finditer(sql):
        if m.start() < at or _in_literal(sql, m.start()):
            continue
        out.append(sql[at : m.end()])
        i, depth, item_start, items = m.end(), 0, m.end(), []
        while i < len(sql):
            c = sql[i]
            if c == "'":
                i = sql.index("'", i + 1) + 1
                while i < len(sql) and sql[i] == "'":
                    i = sql.index("'", i + 1) + 1
                continue
            if c == "(":
                depth += 1
            elif c == ")":
                if depth == 0:
                    break
                depth -= 1
            elif c == "," and depth == 0:
                items.append(sql[item_start:i])
                item_start = i + 1
            elif (
                c == ";"
                and depth == 0
                or depth == 0
                and c.isalpha()
                and not (sql[i - 1].isalnum() or sql[i - 1] == "_")
                and _ORDER_END.match(sql, i)
            ):
                break
            i += 1
        items.append(sql[item_start:i])
        out.append(",".join(_with_nulls(item) for item in items))
        at = i
    out.append(sql[at:])
    return "".join(out)


def _with_nulls(item: str) -> str:
    stripped = item.rstrip()
    if re.search(r"\bNULLS\s+(FIRST|LAST)$", stripped, re.IGNORECASE) or _ID.fullmatch(stripped.strip()):
        return item  # an id is never NULL: its primary key index keeps serving the order
    nulls = " NULLS LAST" if re.search(r"\bDESC$", stripped, re.IGNORECASE) else " NULLS FIRST"
    return stripped + nulls + item[len(stripped) :]


def _in_literal(sql: str, pos: int) -> bool:
    return sql.count("'", 0, pos) % 2 == 1


def _scalar_extremes(text: str) -> str:
    """max(a, b) and min(a, b), SQLite's scalar forms, as GREATEST and LEAST (the one-argument
    aggregates stay)."""
    out, at = [], 0
    for m in re.finditer(r"\b(max|min)\(", text, re.IGNORECASE):
        if m.start() < at:
            continue
        depth, i, comma = 1, m.end(), False
        while i < len(text) and depth:
            c = text[i]
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
            elif c == "," and depth == 1:
                comma = True
            i += 1
        if comma:
            out.append(text[at : m.start()])
            out.append("GREATEST(" if m.group(1).lower() == "max" else "LEAST(")
            at = m.end()
    out.append(text[at:])
    return "".join(out)
