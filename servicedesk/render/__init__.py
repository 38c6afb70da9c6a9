"""Everything the user sees. The only package that imports rich.

User text is data: it goes into tables as `rich.text.Text` (never parsed as markup),
into CSV and XLSX with formula prefixes neutralised, and into JSON verbatim.
"""

import csv
import io
import json
import os
import sys
from collections.abc import Sequence

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from ..models import Rate, strip_control
from . import cells

# Free-text columns share what width is left; the others (ids, dates, codes) never wrap.
_FLEX = {"name", "enterprise", "title", "note", "owner", "officer", "officers", "enterprises", "sector", "contact",
         "address", "unit", "label", "label_zh", "actor", "department", "resolution"}  # fmt: skip


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


def text_cell(value) -> Text:
    if value is None:
        return Text("—", style="dim")
    if isinstance(value, bool):
        return Text("yes" if value else "")
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(v) for v in value)
    if isinstance(value, float):
        value = f"{value:.1f}"
    if isinstance(value, Rate):
        value = value.full()
    return Text(str(value))


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


def _md_cell(value) -> str:
    """A list cell in Markdown: shown as in a table, then escaped."""
    return md_escape(text_cell(value).plain)


_MD_SPECIAL = str.maketrans({"\\": "\\\\", "|": "\\|", "&": "&amp;", "<": "&lt;", ">": "&gt;"})


def md_escape(text: str) -> str:
    """User text inside a Markdown table cell: a | would end the cell, a newline the row, a
    backslash eat the next character, and <…> reach the reader as HTML."""
    text = text.translate(_MD_SPECIAL)
    return text.replace("\r\n", "<br>").replace("\n", "<br>").replace("\r", "<br>")


def to_markdown(rows: Sequence[dict], columns: Sequence[str], headers: Sequence[str] | None = None) -> str:
    headers = headers or columns
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(_md_cell(row.get(c)) for c in columns) + " |" for row in rows]
    return "\n".join(lines) + "\n"


FAST_ROWS = 100  # longer tables skip rich.Table, whose layout costs ~0.4 ms a row


class PlainTable:
    """Pre-aligned lines in the look of box.SIMPLE_HEAD, for long tables (no wrapping)."""

    def __init__(self, headers, rows, right=()):
        cells = [[str(h) for h in headers], *([c.replace("\n", " ") for c in r] for r in rows)]
        widths = [max(cell_len(r[i]) for r in cells) for i in range(len(headers))]

        def line(r):
            return "  " + "   ".join(
                (" " * (w - cell_len(c)) + c) if i in right else (c + " " * (w - cell_len(c)))
                for i, (c, w) in enumerate(zip(r, widths, strict=True))
            )

        total = sum(widths) + 3 * (len(widths) - 1) + 4
        self.lines = [line(cells[0]), " " + "─" * (total - 2), *(line(r) for r in cells[1:])]

    def __rich_console__(self, console, options):
        from rich.segment import Segment

        for text in self.lines:
            yield Segment(text)
            yield Segment.line()


# Dropped first, in this order, when a table does not fit the terminal.
_EXPENDABLE = ("priority", "opened_on", "kind", "archived", "contact", "address", "phone", "channel", "category")
_FLEX_MIN = 12  # the least a free-text column is worth showing


def _fit(rows: Sequence[dict], columns: Sequence[str], headers: Sequence[str], width: int | None):
    """The columns (and their headers) that fit `width`: fixed ones at their widest, text at _FLEX_MIN."""
    kept = list(zip(columns, headers, strict=True))
    if width is None:
        return kept

    def needed(pairs):
        total = 0
        for column, header in pairs:
            widest = max([cell_len(header), *(cell_len(text_cell(r.get(column)).plain) for r in rows[:200])])
            total += 3 + (_FLEX_MIN if column in _FLEX else widest)
        return total

    for column in _EXPENDABLE:
        if needed(kept) <= width:
            break
        kept = [pair for pair in kept if pair[0] != column]
    return kept


def table(
    rows: Sequence[dict],
    columns: Sequence[str],
    headers=None,
    title: str | None = None,
    width: int | None = None,
    plain: bool = False,
):
    """The rows as a table: a rich Table, or with `plain` (and beyond FAST_ROWS rows) pre-aligned text.

    With a terminal `width`, minor columns give way to the main ones.
    """
    from rich import box
    from rich.table import Table

    kept = _fit(rows, columns, headers or columns, width)
    if (plain or len(rows) > FAST_ROWS) and title is None:
        return PlainTable([h for _, h in kept], [[text_cell(row.get(c)).plain for c, _ in kept] for row in rows])
    t = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left")
    for column, header in kept:
        flex = column in _FLEX
        t.add_column(header, overflow="fold", no_wrap=not flex, ratio=1 if flex else None)
    for row in rows:
        t.add_row(*(text_cell(row.get(column)) for column, _ in kept))
    return t


def print_rows(rows: Sequence[dict], fmt: str, columns: Sequence[str], headers=None, *, empty: str = "nothing to show"):
    """A list in the chosen format. JSON prints every field; the others the given columns."""
    if fmt == "json":
        sys.stdout.write(to_json(list(rows)) + "\n")
    elif fmt == "csv":
        sys.stdout.write(to_csv(rows, columns))
    elif fmt == "markdown":
        sys.stdout.write(to_markdown(rows, columns, headers))
    elif not rows:
        message(empty)
    else:
        out = console()
        # A pipe or file gets plain aligned text: the same table, without rich's layout cost.
        terminal = out.is_terminal
        out.print(table(rows, columns, headers, width=out.width if terminal else None, plain=not terminal))


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
    console(stderr=True).print(Text("error: ", style="bold red") + Text(line), soft_wrap=True)


def details(pairs: Sequence[tuple[str, object]], title: str | None = None) -> None:
    """A record as aligned `label  value` lines."""
    from rich.table import Table

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    for label, value in pairs:
        grid.add_row(Text(label), text_cell(value))
    out = console()
    if title:
        out.print(Text(title, style="bold"))
    out.print(grid)


def section(title: str, rows: Sequence[dict], columns: Sequence[str]) -> None:
    """A titled table inside a `show` page; says "none" when empty."""
    out = console()
    out.print()
    out.print(Text(title, style="bold"))
    if rows:
        out.print(table(rows, columns))
    else:
        out.print(Text("  none", style="dim"))


def ticket(item: dict) -> None:
    """`ticket show`: the ticket, then its history oldest first."""
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
    )
    section("History", item["history"], ("on", "kind", "actor", "note", "owner", "department", "outcome"))
