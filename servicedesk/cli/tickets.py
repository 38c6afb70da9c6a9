"""ticket open | list | show | note | start | assign | refer | close | reopen | import"""

from typing import Annotated

import typer

from ..models import Outcome, Priority, StatusFilter
from .common import Format, FormatOpt, JsonOpt, LimitOpt, choice, figures_now, fmt, parse_date, state, stdin_is_terminal
from .transfer import add_import

app = typer.Typer(no_args_is_help=True, add_completion=False)  # its help: SUBCOMMANDS in cli/__init__.py

COLUMNS = ("id", "enterprise", "category", "title", "status", "priority", "owner", "opened_on", "due_on", "overdue")
HISTORY_COLUMNS = ("on", "at", "kind", "actor", "note", "owner", "department", "outcome")
TicketArg = Annotated[str, typer.Argument(metavar="ID", help="Ticket number: 12 or #12.")]
DateOpt = Annotated[str | None, typer.Option("--date", help="When it happened (default today): 2022-05-10, 昨天, -2d…")]


def _report_back(store, what: str) -> None:
    """One line: what changed, and what it did to the figures."""
    from .. import render

    render.say(f"{what} · {figures_now(store)}")


@app.command("open")
def open_(
    ctx: typer.Context,
    enterprise: Annotated[str, typer.Argument(metavar="ENTERPRISE", help="Id, name or part of the name.")],
    text: Annotated[str, typer.Argument(metavar="TEXT", help="What the problem is.")],
    category: Annotated[str, typer.Option("--category", "-c", help="financing/融资, labour/用工, permits/手续办理…")],
    owner: Annotated[str | None, typer.Option("--owner", help="The officer who chases it.")] = None,
    department: Annotated[str | None, typer.Option("--department", help="Department it is referred to.")] = None,
    priority: Annotated[
        Priority, typer.Option("--priority", help="低, 一般, 高, 紧急 also.", **choice(Priority, "priority"))
    ] = Priority.normal,
    due: Annotated[str | None, typer.Option("--due", help="Due date (default: the category's time limit).")] = None,
    date: DateOpt = None,
    visit: Annotated[str | None, typer.Option("--visit", help="The visit it was raised on (its number).")] = None,
    as_json: JsonOpt = False,
):
    """Open a ticket for a problem an enterprise raised.

    Example: servicedesk ticket open 天能 "缺焊工20人" --category 用工
    """
    from .. import render
    from ..services import tickets

    s = state(ctx)
    item = tickets.open_ticket(
        s.store,
        enterprise,
        text,
        category,
        actor=s.actor,
        owner=owner,
        department=department,
        priority=priority,
        due=parse_date(due),
        on=parse_date(date),
        visit_id=visit,
    )
    if as_json:
        render.print_data(item)
        return
    owner_text = f", owner {item['owner']}" if item["owner"] else ", no owner yet"
    _report_back(
        s.store, f"opened #{item['id']} ({item['category']}) for {item['enterprise']}{owner_text}, due {item['due_on']}"
    )


@app.command("list")
def list_(
    ctx: typer.Context,
    status: Annotated[
        StatusFilter, typer.Option("--status", help="active = open + in_progress.")
    ] = StatusFilter.active,
    category: Annotated[str | None, typer.Option("--category", "-c")] = None,
    enterprise: Annotated[str | None, typer.Option("--enterprise", "-e")] = None,
    owner: Annotated[str | None, typer.Option("--owner")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only tickets past their due date.")] = False,
    since: Annotated[str | None, typer.Option("--since", help="Opened on or after.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Opened on or before.")] = None,
    limit: LimitOpt = None,
    format: FormatOpt = Format.table,
    as_json: JsonOpt = False,
):
    """List tickets, newest first.

    Example: servicedesk ticket list --status open --owner 王伟 --json
    """
    from .. import render
    from ..services import tickets

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
    )
    render.print_rows(rows, fmt(format, as_json), COLUMNS, empty="no tickets match")


@app.command("show")
def show(ctx: typer.Context, ticket: TicketArg, format: FormatOpt = Format.table, as_json: JsonOpt = False):
    """A ticket's details and full history (csv and markdown: the history rows).

    Example: servicedesk ticket show 12
    """
    from .. import render
    from ..services import tickets

    item = tickets.show(state(ctx).store, ticket)
    chosen = fmt(format, as_json)
    if chosen == "json":
        render.print_data(item)
    elif chosen == "table":
        render.ticket(item)
    else:
        render.print_rows(item["history"], chosen, HISTORY_COLUMNS)


@app.command("note")
def note(ctx: typer.Context, ticket: TicketArg, text: Annotated[str, typer.Argument(metavar="TEXT")]):
    """Add a note to a ticket's history.

    Example: servicedesk ticket note 12 "已对接人社局，下周招聘会"
    """
    from .. import render
    from ..services import tickets

    s = state(ctx)
    item = tickets.add_note(s.store, ticket, text, s.actor)
    render.say(f"noted on #{item['id']}")


@app.command("start")
def start(ctx: typer.Context, ticket: TicketArg):
    """Mark a ticket in progress (办理中)."""
    from .. import render
    from ..services import tickets

    s = state(ctx)
    item = tickets.start(s.store, ticket, s.actor)
    render.say(f"#{item['id']} is in progress")


@app.command("assign")
def assign(ctx: typer.Context, ticket: TicketArg, officer: Annotated[str, typer.Argument(metavar="OFFICER")]):
    """Give a ticket to another officer.

    Example: servicedesk ticket assign 12 李娜
    """
    from .. import render
    from ..services import tickets

    s = state(ctx)
    item, changed = tickets.reassign(s.store, ticket, officer, s.actor)
    render.say(
        f"#{item['id']} is now owned by {item['owner']}"
        if changed
        else f"#{item['id']} is already owned by {item['owner']}"
    )


@app.command("refer")
def refer(ctx: typer.Context, ticket: TicketArg, department: Annotated[str, typer.Argument(metavar="DEPARTMENT")]):
    """Refer a ticket to a government department (交办/转办).

    Example: servicedesk ticket refer 12 人社局
    """
    from .. import render
    from ..services import tickets

    s = state(ctx)
    item = tickets.refer(s.store, ticket, department, s.actor)
    render.say(f"#{item['id']} referred to {item['department']}")


@app.command("close")
def close(
    ctx: typer.Context,
    ticket: TicketArg,
    resolution: Annotated[str | None, typer.Option("--resolution", "-r", help="How it was settled (required).")] = None,
    outcome: Annotated[
        Outcome,
        typer.Option(
            "--outcome", help="resolved 解决, explained 解释说明, withdrawn 撤回.", **choice(Outcome, "outcome")
        ),
    ] = Outcome.resolved,
    date: DateOpt = None,
):
    """Close a ticket (办结) with a resolution note.

    Example: servicedesk ticket close 12 --resolution "人社局专场招聘，已招到18人"
    """
    from ..services import tickets

    s = state(ctx)
    if not resolution and stdin_is_terminal():
        resolution = typer.prompt("Resolution (how was it settled?)")
    item = tickets.close(s.store, ticket, resolution, outcome, parse_date(date), s.actor)
    _report_back(s.store, f"closed #{item['id']} ({item['outcome']})")


@app.command("reopen")
def reopen(
    ctx: typer.Context,
    ticket: TicketArg,
    reason: Annotated[str, typer.Option("--reason", help="Why it is not settled after all (required).")],
    date: DateOpt = None,
):
    """Reopen a closed ticket.

    Example: servicedesk ticket reopen 12 --reason "企业反映招聘人员未到岗"
    """
    from ..services import tickets

    s = state(ctx)
    item = tickets.reopen(s.store, ticket, reason, parse_date(date), s.actor)
    _report_back(s.store, f"reopened #{item['id']}")


add_import(app, "ticket")
