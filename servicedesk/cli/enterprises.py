"""enterprise add | list | show | edit | archive | import"""

from typing import Annotated

import typer

from ..i18n import _
from ..models import Kind
from .common import Format, FormatOpt, JsonOpt, category_words, choice, complete_enterprise, fmt, state
from .transfer import add_import

app = typer.Typer(no_args_is_help=True, add_completion=False)  # its help: SUBCOMMANDS in cli/__init__.py

COLUMNS = ("id", "name", "sector", "kind", "contact", "phone", "officers", "archived")
SectorOpt = Annotated[str | None, typer.Option("--sector", help="e.g. 化工, hydrogen energy.")]
KindOpt = Annotated[
    Kind | None,
    typer.Option("--kind", help="An enterprise 企业 or a project under construction 项目.", **choice(Kind, "kind")),
]
ContactOpt = Annotated[str | None, typer.Option("--contact", help="Contact person.")]
PhoneOpt = Annotated[str | None, typer.Option("--phone")]
AddressOpt = Annotated[str | None, typer.Option("--address")]
NoteOpt = Annotated[str | None, typer.Option("--note")]


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The enterprise's name.")],
    sector: SectorOpt = None,
    kind: KindOpt = None,
    contact: ContactOpt = None,
    phone: PhoneOpt = None,
    address: AddressOpt = None,
    note: NoteOpt = None,
):
    """Add an enterprise.

    Example: servicedesk enterprise add 天能电池 --sector 新型功能材料 --contact 李强 --phone 13800000000
    """
    from .. import render
    from ..services import roster

    s = state(ctx)
    item = roster.add_enterprise(
        s.store, name, actor=s.actor, sector=sector, kind=kind, contact=contact, phone=phone, address=address, note=note
    )
    render.say(_("added enterprise #{id} {name}").format(id=item["id"], name=item["name"]))
    render.message(_("next: servicedesk assign OFFICER {id}").format(id=item["id"]))


@app.command("list")
def list_(
    ctx: typer.Context,
    sector: SectorOpt = None,
    search: Annotated[str | None, typer.Option("--search", help="Part of the name or note.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Include archived enterprises.")] = False,
    format: FormatOpt = Format.table,
    as_json: JsonOpt = False,
):
    """List enterprises with their officers.

    Example: servicedesk enterprise list --sector 化工 --format csv > 企业.csv
    """
    from .. import render
    from ..views import roster

    rows = roster.list_enterprises(state(ctx).store, sector=sector, search=search, all_=all_)
    empty = (
        _("no enterprises match")
        if sector or search
        else _("no enterprises; add one with `servicedesk enterprise add NAME`")
    )
    if not all_:
        empty += _(" (archived ones are left out: add --all)")
    render.print_rows(rows, fmt(format, as_json), COLUMNS, empty=empty)


@app.command("show")
def show(
    ctx: typer.Context,
    ref: Annotated[
        str,
        typer.Argument(metavar="ENTERPRISE", help="Id, name or part of the name.", shell_complete=complete_enterprise),
    ],
    as_json: JsonOpt = False,
):
    """Profile, officers, recent visits and open tickets of one enterprise.

    Example: servicedesk enterprise show 天能
    """
    from .. import render
    from ..views import refs, roster, tickets, visits

    store = state(ctx).store
    row = refs.enterprise(store, ref)
    item = roster.enterprise_item(store, row)
    item["note"] = row["note"]
    item["recent_visits"] = visits.list_visits(store, enterprise_id=row["id"])[-5:]
    item["open_tickets"] = tickets.list_tickets(store, enterprise=str(row["id"]))
    if as_json:
        render.print_data(item)
        return
    render.details(
        [
            (k, item[k])
            for k in ("id", "name", "sector", "kind", "contact", "phone", "address", "note", "officers", "archived")
        ]
    )
    render.section(
        _("Recent visits"), item["recent_visits"], ("id", "visited_on", "officer", "channel", "note", "tickets")
    )
    render.section(
        _("Open tickets"),
        item["open_tickets"],
        ("id", "category", "title", "status", "owner", "opened_on", "due_on", "overdue"),
        words={"category": category_words(store)},
    )


@app.command("edit")
def edit(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="ENTERPRISE", shell_complete=complete_enterprise)],
    name: Annotated[str | None, typer.Option("--name", help="A new name.")] = None,
    sector: SectorOpt = None,
    kind: KindOpt = None,
    contact: ContactOpt = None,
    phone: PhoneOpt = None,
    address: AddressOpt = None,
    note: NoteOpt = None,
):
    """Change an enterprise's details.

    Example: servicedesk enterprise edit 天能 --phone 13900000000
    """
    from .. import render
    from ..services import roster

    s = state(ctx)
    item = roster.edit_enterprise(
        s.store,
        ref,
        actor=s.actor,
        name=name,
        sector=sector,
        kind=kind,
        contact=contact,
        phone=phone,
        address=address,
        note=note,
    )
    render.say(_("updated enterprise #{id} {name}").format(id=item["id"], name=item["name"]))


@app.command("archive")
def archive(
    ctx: typer.Context, ref: Annotated[str, typer.Argument(metavar="ENTERPRISE", shell_complete=complete_enterprise)]
):
    """Archive an enterprise (it has left the park); its assignments end today, history stays.

    Example: servicedesk enterprise archive 天能
    """
    from .. import render
    from ..services import roster

    s = state(ctx)
    item, ended = roster.archive_enterprise(s.store, ref, actor=s.actor)
    said = _("archived enterprise #{id} {name}").format(id=item["id"], name=item["name"])
    if ended:
        said += _("; ended {n} assignment(s)").format(n=ended)
    render.say(said)


add_import(app, "enterprise")
