"""service log | list | import: services delivered to enterprises (服务企业)"""

from typing import Annotated

import typer

from ..i18n import _
from ..models import ServiceKind
from .common import (
    Format,
    FormatOpt,
    JsonOpt,
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

COLUMNS = ("id", "served_on", "enterprise", "kind", "quantity", "amount", "officer", "note")
KindHelp = (
    "diagnosis 诊断, training 培训, briefing 政策宣讲, pass 车辆通行证, funds 资金申报, financing 融资对接, other 其他."
)


@app.command("log")
def log(
    ctx: typer.Context,
    enterprise: Annotated[
        str,
        typer.Argument(metavar="ENTERPRISE", help="Id, name or part of the name.", shell_complete=complete_enterprise),
    ],
    kind: Annotated[ServiceKind, typer.Option("--kind", help=KindHelp, **choice(ServiceKind, "service"))],
    date: Annotated[str | None, typer.Option("--date", "-d", help="When (default today).")] = None,
    qty: Annotated[int | None, typer.Option("--qty", help="How many: passes issued, people trained.")] = None,
    amount: Annotated[str | None, typer.Option("--amount", help="Yuan: 25170000, 25,170,000, 2517万, 1.2亿.")] = None,
    officer: Annotated[
        str | None,
        typer.Option("--officer", "-o", help="Who delivered it (default: --as).", shell_complete=complete_officer),
    ] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    again: Annotated[bool, typer.Option("--again", help="Record it although the same one is on file.")] = False,
    as_json: JsonOpt = False,
):
    """Record a service delivered to an enterprise, with its quantity or amount.

    Example: servicedesk service log 天能 --kind funds --amount 2517万 --note "专项资金申报"
    """
    from .. import render
    from ..services import delivered

    s = state(ctx)
    item = delivered.log_service(
        s.store, enterprise, kind, on=parse_date(date), quantity=qty, amount=amount, officer=officer, note=note,
        actor=s.actor, again=again,
    )  # fmt: skip
    if as_json:
        render.print_data(item)
        return
    said = [_("qty {n}").format(n=item["quantity"])] if item["quantity"] is not None else []
    said += [_("{amount:,} yuan").format(amount=item["amount"])] if item["amount"] is not None else []
    line = _("recorded service #{id} ({kind}) for {enterprise} on {date}").format(
        id=item["id"], kind=word("service", item["kind"]), enterprise=item["enterprise"], date=item["served_on"]
    )
    render.say(line + (_(": {details}").format(details=listed(said)) if said else ""))


@app.command("list")
def list_(
    ctx: typer.Context,
    week: Annotated[str | None, typer.Option("--week", "-w", help="2022-W19, this/本周, last/上周.")] = None,
    since: Annotated[str | None, typer.Option("--since")] = None,
    until: Annotated[str | None, typer.Option("--until")] = None,
    kind: Annotated[ServiceKind | None, typer.Option("--kind", help=KindHelp, **choice(ServiceKind, "service"))] = None,
    enterprise: Annotated[str | None, typer.Option("--enterprise", "-e", shell_complete=complete_enterprise)] = None,
    format: FormatOpt = Format.table,
    as_json: JsonOpt = False,
):
    """List services delivered, oldest first.

    Example: servicedesk service list --week last --kind pass
    """
    from .. import dates, render
    from ..views import delivered, refs

    store = state(ctx).store
    rows = delivered.list_services(
        store,
        week=dates.parse_week(week) if week else None,
        since=parse_date(since),
        until=parse_date(until),
        kind=str(kind) if kind else None,
        enterprise_id=refs.enterprise(store, enterprise)["id"] if enterprise else None,
    )
    render.print_rows(rows, fmt(format, as_json), COLUMNS, empty=_("no services recorded"))


add_import(app, "service")
