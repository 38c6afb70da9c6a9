"""What every command module shares: the state behind global options, formats, dates."""

import os
import sys
from datetime import date
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated

import typer

from ..i18n import _, language


class State:
    """The global options; the database is opened on first use, so `--help` never opens it."""

    def __init__(self, db_path: Path, acting: str | None, *, default_db: bool = False):
        from ..models import clean_line

        self.db_path = db_path
        self.default_db = default_db  # no --db or SERVICEDESK_DB: the file in the user data directory
        # Who acts is recorded on every change and shown in every view: cleaned like any text.
        self.acting_as = clean_line(acting)

    @cached_property
    def store(self):
        import shlex

        from ..dialect import shown_url
        from ..store import Store

        store = Store(self.db_path, notify=_notify)
        # Recorded with each change set. A file name that is not UTF-8 (--db, an import) is
        # kept as its bytes escaped, \xff: SQLite takes only valid text. A server's password is not kept.
        line = shlex.join(shown_url(a) for a in sys.argv[1:])
        store.command = line.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace") or None
        return store

    def opened_store(self):
        """The store, if this command opened it."""
        return self.__dict__.get("store")

    def close(self) -> None:
        if self.opened_store() is not None:
            self.store.close()

    @cached_property
    def acting(self) -> str | None:
        """--as as an officer's full name when it names one (王 → 王伟, as any officer
        reference reads); a name that is no officer's (the park office) is kept as typed."""
        if not self.acting_as:
            return None
        if not self.store.exists:  # a new ledger, created by this command's write: no officers yet
            return self.acting_as
        from ..views import refs

        return refs.acting_name(self.store, self.acting_as)

    @cached_property
    def actor(self) -> str:
        """Who is recorded on each change: --as, else the login name."""
        if self.acting:
            return self.acting
        import getpass

        from ..models import clean_line

        try:
            name = getpass.getuser()
        except Exception:  # no login name in some containers
            return "unknown"
        # From the environment (LOGNAME, USER): possibly escapes, possibly not UTF-8.
        return clean_line(name.encode("utf-8", "backslashreplace").decode()) or "unknown"


def _notify(line: str) -> None:
    """A line from the store for the person at the terminal (a new ledger, a migration)."""
    from .. import render

    render.message(line)


def state(ctx: typer.Context) -> State:
    return ctx.find_root().obj


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Short for --format json.")]
LimitOpt = Annotated[int | None, typer.Option("--limit", "-n", min=0, max=10**9, help="Show at most N rows.")]
TicketArg = Annotated[str, typer.Argument(metavar="ID", help="Ticket number: 12 or #12.")]


def fmt(format: Format, as_json: bool) -> str:
    return "json" if as_json else str(format)


def choice(enum: type[StrEnum], vocabulary: str) -> dict:
    """Option settings for a fixed choice that also reads its Chinese names (--channel 电话).

    A value outside the list is still Typer's usage error, exit 2, naming the choices.
    """
    codes = [member.value for member in enum]

    def parse(value):
        from ..models import word_key, words

        if isinstance(value, enum):
            return value
        table = words(vocabulary)
        code = table.get(word_key(value))
        if code not in codes:
            chinese = {c: [w for w, of in table.items() if of == c and not w.isascii()] for c in codes}
            listed = ", ".join(f"{c} ({'/'.join(chinese[c])})" if chinese[c] else c for c in codes)
            raise typer.BadParameter(_("{value!r} is not one of: {choices}").format(value=value, choices=listed))
        return enum(code)

    return {"parser": parse, "metavar": "|".join(codes)}


def parse_date(text: str | None) -> date | None:
    """A --date/--since/--until value, in any form dates.parse_date reads; None stays None."""
    if text is None:
        return None
    from .. import dates

    return dates.parse_date(text)


def parse_due(text: str | None):
    """A --due value: a date (a yearless one is the next such day) or a limit from the
    opening (10d, 15wd, 15个工作日) as a dates.Limit; None stays None."""
    if text is None:
        return None
    from .. import dates

    return dates.parse_due(text)


def parse_limit(text: str | None):
    """A --limit value (30d, 15wd, 15个工作日) as a dates.Limit; None stays None."""
    if text is None:
        return None
    from .. import dates
    from ..errors import InvalidInput

    found = dates.parse_limit(text)
    if found is None:
        raise InvalidInput(
            _('can\'t read the limit "{text}"; write 30d (calendar days) or 15wd / 15个工作日 (working days)').format(
                text=text
            )
        )
    return found


def figures_now(store) -> str:
    """What a change did to the figures, for the end of its one-line report."""
    from .. import dates
    from ..models import Rate
    from ..views import asof

    c = asof.park(store, dates.today().isoformat())
    rate = Rate(c["closed"], c["collected"])
    return _("cumulative {closed}/{collected} closed, {rate}").format(
        closed=c["closed"], collected=c["collected"], rate=rate
    )


def word(vocabulary: str, code) -> str:
    """A code as people read it in this command's language: `onsite` in English, 实地 in
    Chinese (the domain's own names, models.*_LABELS). Never stored, never in JSON."""
    if code is None or language() == "en":
        return "" if code is None else str(code)
    from .. import models

    table = {
        "status": models.STATUS_LABELS,
        "outcome": models.OUTCOME_LABELS,
        "priority": models.PRIORITY_LABELS,
        "channel": models.CHANNEL_LABELS,
        "rank": models.RANK_LABELS,
        "kind": models.KIND_LABELS,
        "feedback": models.FEEDBACK_LABELS,
        "service": models.SERVICE_LABELS,
        "result": models.RESULT_LABELS,
        "light": models.LIGHT_LABELS,
        "event": models.EVENT_LABELS,
    }[vocabulary]
    return table.get(str(code), str(code))


def category_words(store) -> dict[str, str]:
    """The park's categories as people read them: {code: 用工} in Chinese, {} in English
    (lists show the code, as JSON does)."""
    if language() == "en":
        return {}
    from ..views import refs

    return {c["code"]: c["label_zh"] or c["label"] for c in refs.categories(store)}


def category_word(store, code: str) -> str:
    return category_words(store).get(code, code)


def os_error(e: OSError) -> str:
    """A file the system refused (`--output`, `export DIR`), as one line: the system's words in
    English, the common ones said in Chinese."""
    why = e.strerror or str(e)
    if language() != "en":
        import errno

        why = {
            errno.ENOENT: _("no such file or folder"),
            errno.EACCES: _("permission denied"),
            errno.EPERM: _("permission denied"),
            errno.ENOSPC: _("the disk is full"),
            errno.EROFS: _("the file system is read-only"),
            errno.EISDIR: _("it is a folder"),
            errno.ENOTDIR: _("part of the path is not a folder"),
            errno.EEXIST: _("it is there already"),
        }.get(e.errno, why)
    if e.filename:
        return _("{why}: {file}").format(why=why, file=e.filename)
    return why if language() != "en" else str(e)


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


# Shell completion --------------------------------------------------------------------
#
# Typer calls these on every TAB (_SERVICEDESK_COMPLETE=complete_bash …), so they read the
# database through a read-only sqlite3 connection (on a server, a read-only session,
# pgconnection.peek) and import nothing heavy: no Store (it may migrate), no sqlite_utils, no
# rich, no pypinyin (names.py matches the stored keys).
# They are `shell_complete` callbacks, not Typer's `autocompletion`: that one keeps only
# values that start with what was typed, and `tnd` must offer 天能电池.
#
# What TAB offers is what the reference resolves to (views/refs.py): names that start with
# the text, then names that hold it; only when no name holds it, the names whose pinyin
# keys match it best.


def _completion_db(ctx: typer.Context):
    """(connection, the errors its statements raise) to the ledger --db / SERVICEDESK_DB
    names, read-only; None when there is no file, it cannot be read, or the server cannot
    be reached."""
    import sqlite3

    from .. import dialect

    location = ctx.find_root().params.get("db")
    if location is None:
        from . import default_db

        location = default_db()
    if dialect.is_url(str(location)):
        from .. import pgconnection

        return pgconnection.peek(str(location))
    path = Path(location).expanduser()
    if not path.is_file():
        return None
    # As store._inspect: with no -wal or -journal beside it, `immutable` creates nothing.
    busy = any(path.with_name(path.name + s).exists() for s in ("-wal", "-journal"))
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro{'' if busy else '&immutable=1'}", uri=True)
    except sqlite3.Error:
        return None
    return conn, sqlite3.Error


def _query(ctx: typer.Context, sql: str, params=()) -> list[tuple]:
    opened = _completion_db(ctx)
    if opened is None:
        return []
    conn, errors = opened
    try:
        return [tuple(r) for r in conn.execute(sql, params).fetchall()]
    except errors:  # not a servicedesk ledger, or one not migrated yet
        return []
    finally:
        conn.close()


def _for_shell(values: list[str]) -> list[str]:
    """Bash puts a completion on the line as it is: a space in a name would split it."""
    if os.environ.get("_SERVICEDESK_COMPLETE", "").startswith("complete_bash"):
        return [v.replace("\\", "\\\\").replace(" ", "\\ ") for v in values]
    return values


def _by_name(words: list[str], typed: str) -> list[str]:
    """The words that start with the typed text, then those that hold it (case aside)."""
    low = typed.lower()
    starts = [w for w in words if w.lower().startswith(low)]
    return starts + [w for w in words if low in w.lower() and w not in starts]


def _complete_names(ctx: typer.Context, table: str, typed: str) -> list[str]:
    from .. import names

    key = names.clean(typed) if names.is_key(typed) else ""
    rows = _query(
        ctx,
        f"""SELECT name, pinyin FROM {table}
        WHERE archived = 0 AND (instr(lower(name), lower(:t)) > 0 OR (:k != '' AND instr(pinyin, :k) > 0))
        ORDER BY {names.order_by()}""",
        {"t": typed, "k": key},
    )
    found = _by_name([name for name, _ in rows], typed)
    if not found and key:
        ranked: dict[int, list[str]] = {}
        for name, keys in rows:
            ranked.setdefault(names.rank(keys, key), []).append(name)
        found = ranked[min(ranked)] if ranked else []
    return _for_shell(found)


def complete_enterprise(ctx: typer.Context, param, incomplete: str) -> list[str]:
    """Enterprises by name or pinyin (天<TAB>, tnd<TAB> → 天能电池)."""
    return _complete_names(ctx, "enterprises", incomplete)


def complete_officer(ctx: typer.Context, param, incomplete: str) -> list[str]:
    """Officers by name or pinyin (ww<TAB> → 王伟)."""
    return _complete_names(ctx, "officers", incomplete)


def _category_words(ctx: typer.Context) -> list[str]:
    rows = _query(
        ctx,
        """SELECT code, label_zh FROM categories ORDER BY position, code""",
    )
    aliases = _query(ctx, "SELECT word FROM category_aliases ORDER BY code, rowid")
    return list(dict.fromkeys([*(w for row in rows for w in row if w), *(w for (w,) in aliases)]))


def complete_category(ctx: typer.Context, param, incomplete: str) -> list[str]:
    """Category codes, Chinese labels and aliases (融<TAB> → 融资, 融资问题, 融资难)."""
    return _for_shell(_by_name(_category_words(ctx), incomplete))


def complete_problem(ctx: typer.Context, param, incomplete: str) -> list[str]:
    """--problem CATEGORY:TEXT: the category word, then the colon (用<TAB> → 用工:)."""
    if ":" in incomplete or "：" in incomplete:
        return []
    return _for_shell([f"{w}:" for w in _by_name(_category_words(ctx), incomplete)])


def complete_department(ctx: typer.Context, param, incomplete: str) -> list[str]:
    """Departments tickets were referred to lately (人<TAB> → 人社局)."""
    # The latest tickets by rowid, not all of them: a DISTINCT over a million tickets
    # would not feel instant, and the departments in use are those of recent referrals.
    rows = _query(
        ctx,
        """SELECT department FROM (SELECT department FROM tickets ORDER BY id DESC LIMIT 5000) AS recent
        WHERE department IS NOT NULL AND department != '' GROUP BY department ORDER BY count(*) DESC""",
    )
    return _for_shell(_by_name([d for (d,) in rows], incomplete))


def changes_said(changes: dict) -> str:
    """A correction's changes, `priority normal → high`, with the field and its codes in
    this command's language."""
    if language() == "en":
        return "; ".join(f"{k} {old} → {new}" for k, (old, new) in changes.items())
    from ..render.labels import labels

    names = labels(None)
    vocab = {"priority": "priority", "channel": "channel", "status": "status", "outcome": "outcome"}

    def shown(field, value):
        return word(vocab[field], value) if field in vocab and value is not None else value

    return "；".join(f"{names.get(k, k)} {shown(k, old)} → {shown(k, new)}" for k, (old, new) in changes.items())


def listed(names) -> str:
    """Names one after another: `a, b` in English, `a、b` in Chinese."""
    return ("、" if language() == "zh" else ", ").join(map(str, names))
