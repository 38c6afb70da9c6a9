"""Everything the user sees. The only package that imports rich.

    columns.py  the column registry: what each column is, how wide, whether it may go
    tables.py   the one way a table is drawn: lists, show pages and report sections,
                on a terminal, in a pipe and in Markdown
    cells.py    one cell in each output: text for people, CSV and XLSX for spreadsheets
    sections.py a report's sections and the context their builders read
    weekly.py   the weekly report's parts, one function each; report.py the other reports
                and every report's terminal, Markdown and CSV; xlsx.py the workbook;
                labels.py the words in zh and en
    files.py    report files, private from the first byte; progress.py the import bar

User text is data: it goes into tables as plain text (never parsed as markup), into CSV
with formula prefixes neutralised, into Markdown inert, and into JSON verbatim.
"""

import csv
import io
import json
import os
import sys
from collections.abc import Sequence

from rich.console import Console
from rich.style import Style
from rich.text import Text

from ..i18n import _, language
from ..models import Rate, strip_control
from . import cells
from .columns import localise, resolve
from .tables import Table


class _Console(Console):
    def on_broken_pipe(self) -> None:
        # `servicedesk … | head` closed the pipe: stop quietly, with success, as lists do.
        self.quiet = True
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(0)


def console(stderr: bool = False, file=None) -> Console:
    stream = file or (sys.stderr if stderr else sys.stdout)
    # A pipe or file gets no colour and a wide line, so tables are not wrapped at 80.
    terminal = stream.isatty()
    return _Console(
        file=stream,
        emoji=False,
        highlight=False,
        markup=False,
        no_color=bool(os.environ.get("NO_COLOR")) or None,
        width=None if terminal else 240,
        soft_wrap=False,
    )


def _json_value(value):
    if isinstance(value, Rate):
        return value.value  # cli.md's shapes: a rate is its number
    raise TypeError(f"{type(value).__name__} is not JSON")


def to_json(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=_json_value)


def to_csv(rows: Sequence[dict], columns: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cells.sheet(row.get(c))[0] for c in columns])
    return out.getvalue()


def to_markdown(rows: Sequence[dict], columns: Sequence[str], headers: Sequence[str] | None = None) -> str:
    return "\n".join(Table(rows, columns, headers=headers).markdown()) + "\n"


def show(table: Table) -> None:
    """A table on stdout: fitted to a terminal, or plain whole lines straight into a pipe."""
    out = console()
    if out.is_terminal:
        out.print(table, crop=False)  # fitted already: rich need not measure every line again
    else:
        out.file.writelines(line + "\n" for line in table.plain_lines())


def print_rows(
    rows: Sequence[dict],
    fmt: str,
    columns: Sequence[str],
    headers=None,
    *,
    empty: str | None = None,
    words: dict[str, dict] | None = None,
    titles: dict[str, str] | None = None,
):
    """A list in the chosen format. JSON prints every field and CSV the given columns, as
    stored, for scripts; a table and Markdown are for people, in --lang (`words`: column →
    {code: label}, e.g. the park's categories; `titles`: column → the key of its heading in
    labels.py where the column's own reads wrong here, e.g. a holiday's name)."""
    if fmt == "json":
        sys.stdout.write(to_json(list(rows)) + "\n")
        return
    if fmt == "csv":
        sys.stdout.write(to_csv(rows, columns))
        return
    lang = language()
    if lang != "en":
        resolved = resolve(columns)
        rows = localise(list(rows), resolved, lang, words)
        headers = headers or _headers(resolved, lang, titles)
    if fmt == "markdown":
        sys.stdout.write(to_markdown(rows, columns, headers))
    elif not rows:
        message(empty or _("nothing to show"))
    else:
        show(Table(rows, columns, headers=headers))


def _headers(columns, lang: str, titles: dict[str, str] | None = None) -> list[str]:
    from .labels import labels

    words = labels(lang)
    return [words.get((titles or {}).get(c.name, ""), "") or c.header(lang) for c in columns]


def print_data(data) -> None:
    sys.stdout.write(to_json(data) + "\n")


def say(text: str) -> None:
    """A one-line result on stdout, printed literally."""
    console().print(Text(strip_control(text)), soft_wrap=True)


def message(text: str) -> None:
    """A note for the person at the terminal, on stderr."""
    console(stderr=True).print(Text(strip_control(text), style="dim"), soft_wrap=True)


def error(text: str) -> None:
    """One line on stderr: `error: …`. Messages may quote a file's cells: no escapes get through."""
    line = strip_control(text.replace("\r", " ").replace("\n", " "))
    console(stderr=True).print(Text(_("error: "), style="bold red") + Text(line), soft_wrap=True)


def usage_error(text: str, *, usage: str | None, hint: str | None, title: str) -> None:
    """A usage error (exit 2) in the frame Typer draws for one: the usage line, how to get
    help, then the error in a red box, on stderr (as wide as the terminal, 80 in a pipe)."""
    from rich.panel import Panel

    width = os.environ.get("TERMINAL_WIDTH")  # as Typer reads it
    out = _Console(
        file=sys.stderr,
        emoji=False,
        highlight=False,
        markup=False,
        no_color=bool(os.environ.get("NO_COLOR")) or None,
        width=int(width) if width and width.isdigit() else None,
    )
    if usage:
        out.print(Text(strip_control(usage), style="bold"))
    if hint:
        out.print(Text(strip_control(hint), style="dim"))
    out.print(Panel(Text(strip_control(text)), border_style="red", title=title, title_align="left"))


def aborted(text: str) -> None:
    """A prompt given up on (Ctrl-D), on a line of its own on stderr."""
    out = console(stderr=True)
    out.print()
    out.print(Text(text, style="red"))


def details(
    pairs: Sequence[tuple[str, object]],
    title: str | None = None,
    words: dict[str, dict] | None = None,
    titles: dict[str, str] | None = None,
) -> None:
    """A record as aligned `label  value` lines: each label a field's name, shown in --lang
    (labels.py's `field_NAME`, or the key `titles` gives it), and its value as lists show
    it (codes in Chinese)."""
    if title:
        console().print(Text(title, style="bold"))
    lang = language()
    if lang != "en":
        from .labels import labels

        said = labels(lang)
        record = localise([dict(pairs)], resolve([name for name, _value in pairs]), lang, words)[0]
        keys = {name: (titles or {}).get(name, f"field_{name}") for name, _value in pairs}
        pairs = [(said.get(keys[name], name), record[name]) for name, _value in pairs]
    rows = [{"field": label, "detail": value} for label, value in pairs]
    show(Table(rows, ("field", "detail"), header=False, edge=0, gap=2, first_style=Style(bold=True)))


def section(title: str, rows: Sequence[dict], columns: Sequence[str], words: dict[str, dict] | None = None) -> None:
    """A titled table inside a `show` page; says "none" when empty."""
    out = console()
    out.print()
    out.print(Text(title, style="bold"))
    lang = language()
    headers = None
    if lang != "en":
        resolved = resolve(columns)
        rows = localise(list(rows), resolved, lang, words)
        headers = _headers(resolved, lang)
    if rows:
        show(Table(rows, columns, headers=headers))
    else:
        out.print(Text("  " + _("none"), style="dim"))


def ticket(item: dict, words: dict[str, dict] | None = None) -> None:
    """`ticket show`: the ticket, then its history oldest first (`words`: the park's
    category labels, as print_rows takes them)."""
    details(
        [
            (k, item.get(k))
            for k in (
                "enterprise",
                "category",
                "title",
                "status",
                "outcome",
                "priority",
                "owner",
                "department",
                "opened_on",
                "due_on",
                "closed_on",
                "overdue",
                "visit_id",
                "resolution",
            )
        ],
        title=f"#{item['id']}",
        words=words,
    )
    section(_("History"), item["history"], ("on", "kind", "actor", "note", "owner", "department", "outcome"))
