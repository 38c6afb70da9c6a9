"""ticket open | list | show | note | start | assign | refer | close | reopen | edit | delete |
extend | urge | supervise | follow-up | import (list and show: cli/ticket_reading.py)"""

from typing import Annotated

import typer

from ..i18n import _
from ..models import FollowUpResult, Outcome, Priority
from . import ticket_reading
from .common import (
    JsonOpt,
    TicketArg,
    category_word,
    changes_said,
    choice,
    complete_category,
    complete_department,
    complete_enterprise,
    complete_officer,
    figures_now,
    parse_date,
    parse_due,
    state,
    stdin_is_terminal,
    word,
)
from .transfer import add_import

app = typer.Typer(no_args_is_help=True, add_completion=False)  # its help: SUBCOMMANDS in cli/__init__.py

DateOpt = Annotated[
    str | None, typer.Option("--date", "-d", help="When it happened (default today): 2022-05-10, 昨天, -2d…")
]
AgainOpt = Annotated[bool, typer.Option("--again", help="Record it although the same one is already on file.")]
PriorityOpt = Annotated[
    Priority | None, typer.Option("--priority", help="低, 一般, 高, 紧急 also.", **choice(Priority, "priority"))
]
ReasonOpt = Annotated[str, typer.Option("--reason", help="Why (required).")]
NoteOpt = Annotated[str | None, typer.Option("--note", help="A note for the history.")]


def _report_back(store, what: str) -> None:
    """One line: what changed, and what it did to the figures."""
    from .. import render

    render.say(f"{what} · {figures_now(store)}")


@app.command("open")
def open_(
    ctx: typer.Context,
    enterprise: Annotated[
        str,
        typer.Argument(metavar="ENTERPRISE", help="Id, name or part of the name.", shell_complete=complete_enterprise),
    ],
    text: Annotated[str, typer.Argument(metavar="TEXT", help="What the problem is.")],
    category: Annotated[
        str,
        typer.Option(
            "--category", "-c", help="financing/融资, labour/用工, permits/手续办理…", shell_complete=complete_category
        ),
    ],
    owner: Annotated[
        str | None, typer.Option("--owner", help="The officer who chases it.", shell_complete=complete_officer)
    ] = None,
    department: Annotated[
        str | None,
        typer.Option("--department", help="Department it is referred to.", shell_complete=complete_department),
    ] = None,
    priority: PriorityOpt = None,
    due: Annotated[
        str | None,
        typer.Option(
            "--due", help="Due date, or a limit from the opening: 10d, 15wd, 15个工作日 (default: the category's)."
        ),
    ] = None,
    date: DateOpt = None,
    visit: Annotated[str | None, typer.Option("--visit", help="The visit it was raised on (its number).")] = None,
    again: AgainOpt = False,
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
        priority=priority or Priority.normal,
        due=parse_due(due),
        on=parse_date(date),
        visit_id=visit,
        again=again,
    )
    if as_json:
        render.print_data(item)
        return
    category = category_word(s.store, item["category"])
    if item["owner"]:
        said = _("opened #{id} ({category}) for {enterprise}, owner {owner}, due {due}")
    else:
        said = _("opened #{id} ({category}) for {enterprise}, no owner yet, due {due}")
    fields = dict(id=item["id"], enterprise=item["enterprise"], owner=item["owner"], due=item["due_on"])
    _report_back(s.store, said.format(category=category, **fields))


app.command("list")(ticket_reading.list_)
app.command("show")(ticket_reading.show)


@app.command("note")
def note(
    ctx: typer.Context, ticket: TicketArg, text: Annotated[str, typer.Argument(metavar="TEXT")], date: DateOpt = None
):
    """Add a note to a ticket's history.

    Example: servicedesk ticket note 12 "已对接人社局，下周招聘会"
    """
    from .. import render
    from ..services import tickets

    s = state(ctx)
    item = tickets.add_note(s.store, ticket, text, s.actor, parse_date(date))
    render.say(_("noted on #{id}").format(id=item["id"]))


@app.command("start")
def start(ctx: typer.Context, ticket: TicketArg, date: DateOpt = None):
    """Mark a ticket in progress (办理中).

    Example: servicedesk ticket start 12 --date 周二
    """
    from .. import render
    from ..services import tickets

    s = state(ctx)
    item = tickets.start(s.store, ticket, s.actor, parse_date(date))
    render.say(_("#{id} is in progress").format(id=item["id"]))


@app.command("assign")
def assign(
    ctx: typer.Context,
    ticket: TicketArg,
    officer: Annotated[str, typer.Argument(metavar="OFFICER", shell_complete=complete_officer)],
    date: DateOpt = None,
):
    """Give a ticket to another officer.

    Example: servicedesk ticket assign 12 李娜
    """
    from .. import render
    from ..services import tickets

    s = state(ctx)
    item, changed = tickets.reassign(s.store, ticket, officer, s.actor, parse_date(date))
    render.say(
        _("#{id} is now owned by {owner}").format(id=item["id"], owner=item["owner"])
        if changed
        else _("#{id} is already owned by {owner}").format(id=item["id"], owner=item["owner"])
    )


@app.command("refer")
def refer(
    ctx: typer.Context,
    ticket: TicketArg,
    department: Annotated[str, typer.Argument(metavar="DEPARTMENT", shell_complete=complete_department)],
    date: DateOpt = None,
):
    """Refer a ticket to a government department (交办/转办).

    Example: servicedesk ticket refer 12 人社局 --date 周二
    """
    from .. import render
    from ..services import tickets

    s = state(ctx)
    item = tickets.refer(s.store, ticket, department, s.actor, parse_date(date))
    render.say(_("#{id} referred to {department}").format(id=item["id"], department=item["department"]))


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
        resolution = typer.prompt(_("Resolution (how was it settled?)"), prompt_suffix=_(": "))
    item = tickets.close(s.store, ticket, resolution, outcome, parse_date(date), s.actor)
    _report_back(s.store, _("closed #{id} ({outcome})").format(id=item["id"], outcome=word("outcome", item["outcome"])))


@app.command("reopen")
def reopen(ctx: typer.Context, ticket: TicketArg, reason: ReasonOpt, date: DateOpt = None):
    """Reopen a closed ticket.

    Example: servicedesk ticket reopen 12 --reason "企业反映招聘人员未到岗"
    """
    from ..services import tickets

    s = state(ctx)
    item = tickets.reopen(s.store, ticket, reason, parse_date(date), s.actor)
    _report_back(s.store, _("reopened #{id}").format(id=item["id"]))


@app.command("edit")
def edit(
    ctx: typer.Context,
    ticket: TicketArg,
    title: Annotated[str | None, typer.Option("--title", help="The problem as it should read.")] = None,
    category: Annotated[
        str | None,
        typer.Option("--category", "-c", help="The category it always was.", shell_complete=complete_category),
    ] = None,
    enterprise: Annotated[
        str | None,
        typer.Option("--enterprise", "-e", help="The enterprise it is about.", shell_complete=complete_enterprise),
    ] = None,
    priority: PriorityOpt = None,
    due: Annotated[str | None, typer.Option("--due", help="The due date it was given.")] = None,
    opened: Annotated[str | None, typer.Option("--opened", help="The day it was really raised.")] = None,
):
    """Correct a ticket: what was always true (a wrong category, a typo). Past reports move
    with it, and the history keeps the old value.

    Example: servicedesk ticket edit 12 --category 融资
    """
    from ..services import tickets

    s = state(ctx)
    item, changes = tickets.edit(
        s.store,
        ticket,
        s.actor,
        title=title,
        category=category,
        enterprise=enterprise,
        priority=priority,
        due=parse_due(due),
        opened=parse_date(opened),
    )
    if not changes:
        from .. import render

        render.say(_("#{id} already says that; nothing changed").format(id=item["id"]))
        return
    _report_back(s.store, _("corrected #{id}: {changes}").format(id=item["id"], changes=changes_said(changes)))


@app.command("delete")
def delete(ctx: typer.Context, ticket: TicketArg, reason: ReasonOpt):
    """Delete a ticket entered by mistake: out of every list and figure, kept in the file
    (`ticket show` still shows it, with the reason).

    Example: servicedesk ticket delete 12 --reason "重复录入"
    """
    from ..services import tickets

    s = state(ctx)
    item = tickets.delete(s.store, ticket, reason, s.actor)
    _report_back(s.store, _("deleted #{id}").format(id=item["id"]))


@app.command("extend")
def extend(
    ctx: typer.Context,
    ticket: TicketArg,
    due: Annotated[str, typer.Option("--due", help="The new due date, or a limit added to the current one: 10wd.")],
    reason: ReasonOpt,
    date: DateOpt = None,
):
    """Extend a ticket's time limit (延期), asked before the current due date passes.

    Example: servicedesk ticket extend 12 --due 2026-12-31 --reason "待省厅批复"
    """
    from .. import render
    from ..services import tickets

    s = state(ctx)
    item = tickets.extend(s.store, ticket, parse_due(due), reason, parse_date(date), s.actor)
    render.say(_("#{id} is now due {due}").format(id=item["id"], due=item["due_on"]))


@app.command("urge")
def urge(ctx: typer.Context, ticket: TicketArg, note: NoteOpt = None, date: DateOpt = None):
    """Urge whoever holds a ticket (催办).

    Example: servicedesk ticket urge 12 --note "请本周内答复"
    """
    from .. import render
    from ..services import tickets

    s = state(ctx)
    item = tickets.urge(s.store, ticket, note, parse_date(date), s.actor)
    render.say(_("urged #{id} ({n} so far)").format(id=item["id"], n=item["urged"]))


@app.command("supervise")
def supervise(ctx: typer.Context, ticket: TicketArg, note: NoteOpt = None, date: DateOpt = None):
    """Put a ticket on the leadership's list (督办) until it closes.

    Example: servicedesk ticket supervise 12 --note "县领导督办"
    """
    from .. import render
    from ..services import tickets

    s = state(ctx)
    item = tickets.supervise(s.store, ticket, note, parse_date(date), s.actor)
    render.say(_("#{id} is supervised until it closes").format(id=item["id"]))


@app.command("follow-up")
def follow_up(
    ctx: typer.Context,
    ticket: TicketArg,
    result: Annotated[
        FollowUpResult,
        typer.Option(
            "--result",
            help="satisfied 满意, basically 基本满意, unsatisfied 不满意.",
            **choice(FollowUpResult, "result"),
        ),
    ],
    score: Annotated[int | None, typer.Option("--score", help="Satisfaction 1-5.")] = None,
    note: NoteOpt = None,
    date: DateOpt = None,
    keep_closed: Annotated[
        bool, typer.Option("--keep-closed", help="Unsatisfied for reasons outside the park's control: no redo.")
    ] = False,
):
    """Record the enterprise's verdict on a close (回访); unsatisfied reopens it as a redo (重办).

    Not by the officer who owned it at the close. Example: servicedesk --as 李娜 ticket follow-up 12 --result 满意
    """
    from ..services import tickets

    s = state(ctx)
    item, redo = tickets.follow_up(
        s.store,
        ticket,
        str(result),
        score=score,
        note=note,
        on=parse_date(date),
        keep_closed=keep_closed,
        actor=s.actor,
    )
    said = _("followed up #{id}: {result}; reopened as a redo (重办)") if redo else _("followed up #{id}: {result}")
    _report_back(s.store, said.format(id=item["id"], result=word("result", result)))


add_import(app, "ticket")
