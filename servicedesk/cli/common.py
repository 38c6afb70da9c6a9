"""What every command module shares: the state behind global options, formats, dates."""

import sys
from datetime import date
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated

import typer


class State:
    """The global options; the database is opened on first use, so `--help` never opens it."""

    def __init__(self, db_path: Path, acting: str | None):
        self.db_path = db_path
        self.acting_as = acting.strip() if acting and acting.strip() else None

    @cached_property
    def store(self):
        import shlex

        from ..store import Store

        store = Store(self.db_path)
        store.command = shlex.join(sys.argv[1:]) if sys.argv[1:] else None  # recorded with each change set
        return store

    def close(self) -> None:
        if "store" in self.__dict__:  # opened by this command
            self.store.close()

    @cached_property
    def acting(self) -> str | None:
        """--as as an officer's full name when it names one (王 → 王伟, as any officer
        reference reads); a name that is no officer's (the park office) is kept as typed."""
        if not self.acting_as:
            return None
        from ..views import refs

        return refs.acting_name(self.store, self.acting_as)

    @cached_property
    def actor(self) -> str:
        """Who is recorded on each change: --as, else the login name."""
        if self.acting:
            return self.acting
        import getpass

        try:
            return getpass.getuser()
        except Exception:  # no login name in some containers
            return "unknown"


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
            raise typer.BadParameter(f"{value!r} is not one of: {listed}")
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
            f'can\'t read the limit "{text}"; write 30d (calendar days) or 15wd / 15个工作日 (working days)'
        )
    return found


def figures_now(store) -> str:
    """What a change did to the figures, for the end of its one-line report."""
    from .. import dates
    from ..models import Rate
    from ..views import asof

    c = asof.park(store, dates.today().isoformat())
    return f"cumulative {c['closed']}/{c['collected']} closed, {Rate(c['closed'], c['collected'])}"


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty()
