"""ticket list | show: the ledger read, on the screen or into a file (registered by cli/tickets.py)."""

from pathlib import Path
from typing import Annotated

import typer

from ..i18n import _
from ..models import Light, StatusFilter
from .common import (
    Format,
    FormatOpt,
    JsonOpt,
    LimitOpt,
    TicketArg,
    category_words,
    choice,
    complete_category,
    complete_department,
    complete_enterprise,
    complete_officer,
    fmt,
    parse_date,
    state,
)

COLUMNS = ("id", "enterprise", "category", "title", "status", "priority", "owner", "opened_on", "due_on", "light")
HISTORY_COLUMNS = ("on", "at", "kind", "actor", "note", "owner", "department", "outcome", "due_on", "result")


def list_(
    ctx: typer.Context,
    status: Annotated[
        StatusFilter | None,
        typer.Option(
            "--status",
            help="active = open + in_progress (the default; all with --output); 未办结, 待办理, 办理中, 已办结, 全部 also.",
            show_default=False,
            **choice(StatusFilter, "status_filter"),
        ),
    ] = None,
    category: Annotated[str | None, typer.Option("--category", "-c", shell_complete=complete_category)] = None,
    enterprise: Annotated[str | None, typer.Option("--enterprise", "-e", shell_complete=complete_enterprise)] = None,
    owner: Annotated[str | None, typer.Option("--owner", shell_complete=complete_officer)] = None,
    department: Annotated[
        str | None,
        typer.Option("--department", help="Referred to this department.", shell_complete=complete_department),
    ] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only tickets past their due date.")] = False,
    supervised: Annotated[bool, typer.Option("--supervised", help="Only tickets under supervision (督办).")] = False,
    light: Annotated[
        Light | None,
        typer.Option(
            "--light", help="red (overdue), yellow (due soon) or green; 红/黄/绿 also.", **choice(Light, "light")
        ),
    ] = None,
    due_within: Annotated[
        int | None, typer.Option("--due-within", min=1, max=365, help="Due within N working days (today included).")
    ] = None,
    awaiting_follow_up: Annotated[
        bool, typer.Option("--awaiting-follow-up", help="Closed, and the close not followed up (回访) yet.")
    ] = False,
    since: Annotated[str | None, typer.Option("--since", help="Opened on or after.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Opened on or before.")] = None,
    limit: LimitOpt = None,
    format: FormatOpt = Format.table,
    as_json: JsonOpt = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the ledger (问题台账) to FILE.xlsx or FILE.csv: every column, headers in --lang, "
            "readable back by `ticket import` (default --status all).",
        ),
    ] = None,
    lang: Annotated[str | None, typer.Option("--lang", metavar="zh|en", help="The file's language.")] = None,
):
    """List tickets, newest first.

    Example: servicedesk ticket list --status open --owner 王伟 --json
    """
    from .. import render
    from ..views import tickets

    if status is None:  # a ledger written to a file is the whole ledger unless narrowed
        status = StatusFilter.all if output is not None else StatusFilter.active
    rows = tickets.list_tickets(
        state(ctx).store,
        status=status,
        category=category,
        enterprise=enterprise,
        owner=owner,
        overdue=overdue,
        since=parse_date(since),
        until=parse_date(until),
        limit=limit,
        department=department,
        supervised=supervised,
        light=str(light) if light else None,
        due_within=due_within,
        awaiting_follow_up=awaiting_follow_up,
    )
    if output is not None:
        _write_ledger(state(ctx).store, rows, output, lang)
        return
    render.print_rows(
        rows,
        fmt(format, as_json),
        COLUMNS,
        empty=_("no tickets match"),
        words={"category": category_words(state(ctx).store)},
    )


def _write_ledger(store, rows: list[dict], output: Path, lang: str | None) -> None:
    from .. import render
    from ..errors import InvalidInput
    from ..render import ledger
    from ..services import transfer
    from ..views import refs

    if output.suffix.lower() not in (".xlsx", ".csv"):
        raise InvalidInput(_('a ledger is written as .xlsx or .csv, not "{name}"').format(name=output.name))
    if output.is_dir():
        raise InvalidInput(
            _("{path} is a directory; give the ledger a file name, e.g. {example}").format(
                path=output, example=output / "台账.xlsx"
            )
        )
    columns, ledger_rows = transfer.ledger(store, [r["id"] for r in rows])
    categories = {c["code"]: c["label_zh"] or c["label"] for c in refs.categories(store)}
    ledger.write(output, columns, ledger_rows, categories, lang)
    render.message(_("wrote {n} tickets to {path}").format(n=len(ledger_rows), path=output))


def show(ctx: typer.Context, ticket: TicketArg, format: FormatOpt = Format.table, as_json: JsonOpt = False):
    """A ticket's details and full history (csv and markdown: the history rows).

    Example: servicedesk ticket show 12
    """
    from .. import render
    from ..views import tickets

    item = tickets.show(state(ctx).store, ticket)
    chosen = fmt(format, as_json)
    if chosen == "json":
        render.print_data(item)
    elif chosen == "table":
        render.ticket(item, words={"category": category_words(state(ctx).store)})
    else:
        render.print_rows(item["history"], chosen, HISTORY_COLUMNS)
