"""report weekly | closure | trend

Each command computes one report dict (servicedesk/reports.py) and renders it in the
chosen format; no format recomputes a figure. `--output FILE` picks the format from the
extension and writes the file, mode 0600 (it may hold phone numbers). A .csv file gets a UTF-8 byte-order mark so that Excel
and WPS on Chinese Windows open it as UTF-8 instead of GBK mojibake (our own importers
accept the BOM); CSV on stdout stays plain UTF-8 for pipes.
"""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ..i18n import _, pgettext
from .common import Format, JsonOpt, parse_date, state

app = typer.Typer(no_args_is_help=True, add_completion=False)  # its help: SUBCOMMANDS in cli/__init__.py


class Lang(StrEnum):
    zh = "zh"
    en = "en"


class By(StrEnum):
    category = "category"
    officer = "officer"
    enterprise = "enterprise"
    sector = "sector"
    department = "department"
    week = "week"


EXTENSIONS = {".json": "json", ".csv": "csv", ".md": "markdown", ".xlsx": "xlsx"}


def _what(kind: str) -> str:
    return {
        "weekly": pgettext("wrote", "weekly report"),
        "closure": pgettext("wrote", "closure report"),
        "trend": pgettext("wrote", "trend"),
        "departments": pgettext("wrote", "department scorecard"),
        "agenda": pgettext("wrote", "agenda"),
    }[kind]


# No default: --output must be able to tell "not given" from an explicit --format table.
ReportFormatOpt = Annotated[
    Format | None, typer.Option("--format", "-f", help="table (default), json, csv or markdown.", show_default=False)
]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write to FILE; its extension (.json .csv .md .xlsx) picks the format. CSV files get a BOM for Excel.",
    ),
]
LangOpt = Annotated[Lang | None, typer.Option("--lang", help="Labels in zh or en (default: from the locale).")]


def output_format(format: Format | None, as_json: bool, output: Path | None) -> str:
    """The format to render: --json, else --format, else the file's extension, else table."""
    from ..errors import InvalidInput

    chosen = "json" if as_json else (str(format) if format else None)
    if output is None:
        return chosen or "table"
    by_extension = EXTENSIONS.get(output.suffix.lower())
    if by_extension is None:
        raise InvalidInput(
            _(
                'can\'t tell which format to write "{output}" in from its extension; use .json, .csv, .md or .xlsx'
            ).format(output=output)
        )
    if chosen and chosen != by_extension:
        raise InvalidInput(
            _('--format {chosen} does not match "{name}"; the extension picks the format').format(
                chosen=chosen, name=output.name
            )
        )
    return by_extension


def emit(kind: str, data: dict, fmt: str, lang: str | None = None, output: Path | None = None) -> None:
    """Render one computed report to stdout, or to `output` with a note on stderr."""
    import sys

    from .. import render
    from ..files import private_file
    from ..render import report

    if fmt == "xlsx":
        from ..render import xlsx

        book = xlsx.workbook(report.build(kind, data, lang))
        with private_file(output, binary=True) as f:
            book.save(f)
    elif fmt == "table" and output is None:
        out = render.console()
        # In a pipe the headline stays one line for grep; on a terminal it wraps to fit.
        out.print(report.table(report.build(kind, data, lang)), soft_wrap=not out.is_terminal)
        return
    else:
        if fmt == "json":
            text = render.to_json(data) + "\n"
        elif fmt == "csv":
            text = report.csv_text(report.build(kind, data, lang))
        else:
            text = report.markdown(report.build(kind, data, lang))
        if output is None:
            sys.stdout.write(text)
            return
        with private_file(output, encoding="utf-8-sig" if fmt == "csv" else "utf-8") as f:
            f.write(text)
    render.message(_("wrote the {what} to {path}").format(what=_what(kind), path=output))


def print_weekly(store, week, fmt="table", lang=None):
    """Print the weekly report of `week` (a dates.Week or what --week accepts); the demo calls this."""
    from .. import dates, reports

    if isinstance(week, str):
        week = dates.parse_week(week)
    emit("weekly", reports.weekly(store, week), str(fmt), lang)


@app.command("weekly")
def weekly(
    ctx: typer.Context,
    week: Annotated[
        str | None, typer.Option("--week", "-w", help="2022-W19, this/本周, last/上周, or a date in it.")
    ] = None,
    format: ReportFormatOpt = None,
    as_json: JsonOpt = False,
    output: OutputOpt = None,
    lang: LangOpt = None,
):
    """The weekly report with the closure rate (default: this week).

    Visits and who was missed, problems this week, the cumulative headline, by category
    and officer, the oldest open tickets, feedback and the trend.

    Example: servicedesk report weekly --week last --output 周报.xlsx
    """
    from .. import dates, reports

    fmt = output_format(format, as_json, output)
    w = dates.parse_week(week or "this")
    # The workbook is forwarded upward: it lists every open ticket, not only the oldest ten.
    emit("weekly", reports.weekly(state(ctx).store, w, every_open=fmt == "xlsx"), fmt, lang, output)


@app.command("closure")
def closure(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option("--since", help="Problems opened on or after this day.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="As of this day (default today).")] = None,
    by: Annotated[By, typer.Option("--by", help="Group the rows by this.")] = By.category,
    format: ReportFormatOpt = None,
    as_json: JsonOpt = False,
    output: OutputOpt = None,
    lang: LangOpt = None,
):
    """Collected, closed, solved, both rates, days to close and on-time closure, by group.

    Example: servicedesk report closure --since 2022-01-01 --by officer
    """
    from .. import reports
    from ..errors import InvalidInput

    fmt = output_format(format, as_json, output)
    first, last = parse_date(since), parse_date(until)
    if first and last and first > last:
        raise InvalidInput(
            _("--since {since} is after --until {until}").format(since=first.isoformat(), until=last.isoformat())
        )
    emit("closure", reports.closure(state(ctx).store, first, last, str(by)), fmt, lang, output)


@app.command("departments")
def departments(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option("--since", help="Problems opened on or after this day.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="As of this day (default today).")] = None,
    format: ReportFormatOpt = None,
    as_json: JsonOpt = False,
    output: OutputOpt = None,
    lang: LangOpt = None,
):
    """The department scorecard (部门考核): referred, closed, on time, overdue, extended, urged,
    supervised, redone and satisfaction, per department as of the day.

    Example: servicedesk report departments --since 2026-01-01
    """
    from .. import reports
    from ..errors import InvalidInput

    fmt = output_format(format, as_json, output)
    first, last = parse_date(since), parse_date(until)
    if first and last and first > last:
        raise InvalidInput(
            _("--since {since} is after --until {until}").format(since=first.isoformat(), until=last.isoformat())
        )
    emit("departments", reports.departments(state(ctx).store, first, last), fmt, lang, output)


@app.command("trend")
def trend(
    ctx: typer.Context,
    weeks: Annotated[int, typer.Option("--weeks", "-n", min=1, max=520, help="How many weeks.")] = 8,
    until: Annotated[str | None, typer.Option("--until", help="The last week is the one holding this day.")] = None,
    format: ReportFormatOpt = None,
    as_json: JsonOpt = False,
    output: OutputOpt = None,
    lang: LangOpt = None,
):
    """Weekly opened vs closed and the cumulative closure rate, as a chart.

    Example: servicedesk report trend --weeks 12
    """
    from .. import reports

    fmt = output_format(format, as_json, output)
    emit("trend", reports.trend(state(ctx).store, weeks, parse_date(until)), fmt, lang, output)
