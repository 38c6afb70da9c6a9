"""officer add | list | show | edit | archive, and the top-level assign / unassign"""

from typing import Annotated

import typer

from ..i18n import _
from ..models import Rank
from .common import (
    Format,
    FormatOpt,
    JsonOpt,
    category_words,
    choice,
    complete_enterprise,
    complete_officer,
    fmt,
    listed,
    parse_date,
    state,
    word,
)
from .transfer import add_import

app = typer.Typer(no_args_is_help=True, add_completion=False)  # its help: SUBCOMMANDS in cli/__init__.py

COLUMNS = ("id", "name", "rank", "unit", "phone", "enterprises", "archived")
RankOpt = Annotated[
    Rank | None,
    typer.Option("--rank", help="county 县级, section 科级, chief 首席服务员, staff 工作人员.", **choice(Rank, "rank")),
]
UnitOpt = Annotated[str | None, typer.Option("--unit", help="The officer's unit or department.")]
PhoneOpt = Annotated[str | None, typer.Option("--phone")]


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME")],
    rank: RankOpt = None,
    unit: UnitOpt = None,
    phone: PhoneOpt = None,
):
    """Add an officer.

    Example: servicedesk officer add 王伟 --rank chief --unit 园区管委会
    """
    from .. import render
    from ..services import roster

    s = state(ctx)
    item = roster.add_officer(s.store, name, actor=s.actor, rank=rank, unit=unit, phone=phone)
    render.say(
        _("added officer #{id} {name} ({rank})").format(
            id=item["id"], name=item["name"], rank=word("rank", item["rank"])
        )
    )
    import shlex

    render.message(_("next: servicedesk assign {name} ENTERPRISE...").format(name=shlex.quote(item["name"])))


@app.command("list")
def list_(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Include archived officers.")] = False,
    format: FormatOpt = Format.table,
    as_json: JsonOpt = False,
):
    """List officers and the enterprises each looks after.

    Example: servicedesk officer list --all
    """
    from .. import render
    from ..views import roster

    rows = roster.list_officers(state(ctx).store, all_=all_)
    render.print_rows(
        rows,
        fmt(format, as_json),
        COLUMNS,
        empty=_("no officers yet; add one with `servicedesk officer add NAME`"),
        titles={"name": "officer_name"},
    )


@app.command("show")
def show(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="OFFICER", shell_complete=complete_officer)],
    as_json: JsonOpt = False,
):
    """One officer: details, enterprises and the tickets they own.

    Example: servicedesk officer show 王伟
    """
    from .. import render
    from ..views import refs, roster, tickets

    store = state(ctx).store
    item = roster.officer_item(store, refs.officer(store, ref))
    item["open_tickets"] = tickets.list_tickets(store, owner=str(item["id"]))
    if as_json:
        render.print_data(item)
        return
    render.details([(k, item[k]) for k in COLUMNS], titles={"name": "officer_name"})
    render.section(
        _("Open tickets"),
        item["open_tickets"],
        ("id", "enterprise", "category", "title", "status", "due_on", "overdue"),
        words={"category": category_words(store)},
    )


@app.command("edit")
def edit(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="OFFICER", shell_complete=complete_officer)],
    name: Annotated[str | None, typer.Option("--name", help="A new name.")] = None,
    rank: RankOpt = None,
    unit: UnitOpt = None,
    phone: PhoneOpt = None,
):
    """Change an officer's details.

    Example: servicedesk officer edit 王伟 --rank chief --phone 13900000000
    """
    from .. import render
    from ..services import roster

    s = state(ctx)
    item = roster.edit_officer(s.store, ref, actor=s.actor, name=name, rank=rank, unit=unit, phone=phone)
    render.say(_("updated officer #{id} {name}").format(id=item["id"], name=item["name"]))


@app.command("archive")
def archive(
    ctx: typer.Context, ref: Annotated[str, typer.Argument(metavar="OFFICER", shell_complete=complete_officer)]
):
    """Archive an officer who has left; their assignments end today, history stays.

    Example: servicedesk officer archive 王伟
    """
    from .. import render
    from ..services import roster

    s = state(ctx)
    item, ended = roster.archive_officer(s.store, ref, actor=s.actor)
    said = _("archived officer #{id} {name}").format(id=item["id"], name=item["name"])
    if ended:
        said += _("; ended {n} assignment(s)").format(n=ended)
    render.say(said)


FromOpt = Annotated[str | None, typer.Option("--from", help="The first day (default today).")]


def assign(
    ctx: typer.Context,
    officer: Annotated[str, typer.Argument(metavar="OFFICER", shell_complete=complete_officer)],
    enterprises: Annotated[list[str], typer.Argument(metavar="ENTERPRISE...", shell_complete=complete_enterprise)],
    start: FromOpt = None,
):
    """Start looking after enterprises (包联), from --from on.

    Example: servicedesk assign 王伟 天能电池 华鑫化工 --from 2022-05-09
    """
    from .. import render
    from ..services import roster

    s = state(ctx)
    who, added, already = roster.assign(s.store, officer, enterprises, parse_date(start), actor=s.actor)
    if added:
        render.say(_("{officer} now looks after {enterprises}").format(officer=who["name"], enterprises=listed(added)))
    if already:
        render.message(
            _("{officer} already looks after {enterprises}").format(officer=who["name"], enterprises=listed(already))
        )


def unassign(
    ctx: typer.Context,
    officer: Annotated[str, typer.Argument(metavar="OFFICER", shell_complete=complete_officer)],
    enterprises: Annotated[list[str], typer.Argument(metavar="ENTERPRISE...", shell_complete=complete_enterprise)],
    end: Annotated[str | None, typer.Option("--from", help="The first day no longer assigned (default today).")] = None,
):
    """Stop looking after enterprises; past weeks keep who was assigned then.

    Example: servicedesk unassign 王伟 天能电池 --from 2022-06-01
    """
    from .. import render
    from ..services import roster

    s = state(ctx)
    who, ended = roster.unassign(s.store, officer, enterprises, parse_date(end), actor=s.actor)
    render.say(
        _("{officer} no longer looks after {enterprises}").format(officer=who["name"], enterprises=listed(ended))
    )


def register(root: typer.Typer) -> None:
    root.command("assign")(assign)
    root.command("unassign")(unassign)


add_import(app, "officer")
