"""visit log | list | missing | edit | delete | import, and feedback add | list | delete | import"""

from typing import Annotated

import typer

from ..i18n import _
from ..models import Channel, FeedbackKind
from .common import (
    Format,
    FormatOpt,
    JsonOpt,
    LimitOpt,
    category_word,
    changes_said,
    choice,
    complete_enterprise,
    complete_officer,
    complete_problem,
    fmt,
    parse_date,
    state,
    word,
)
from .transfer import add_import

app = typer.Typer(no_args_is_help=True, add_completion=False)  # the help of both: SUBCOMMANDS in cli/__init__.py
feedback_app = typer.Typer(no_args_is_help=True, add_completion=False)

COLUMNS = ("id", "visited_on", "enterprise", "officer", "channel", "note", "tickets")
ENTERPRISE_COLUMNS = ("id", "name", "sector", "officers")
FEEDBACK_COLUMNS = ("id", "received_on", "enterprise", "kind", "score", "ticket", "note")
WeekOpt = Annotated[str | None, typer.Option("--week", "-w", help="2022-W19, this/本周, last/上周, or a date in it.")]
AgainOpt = Annotated[bool, typer.Option("--again", help="Record it although the same one is already on file.")]
ReasonOpt = Annotated[str, typer.Option("--reason", help="Why (required).")]
ChannelHelp = "onsite 实地, online 线上, phone 电话, event 活动."


@app.command("log")
def log(
    ctx: typer.Context,
    enterprise: Annotated[
        str,
        typer.Argument(metavar="ENTERPRISE", help="Id, name or part of the name.", shell_complete=complete_enterprise),
    ],
    officer: Annotated[
        str | None,
        typer.Option(
            "--officer",
            "-o",
            help="Who visited (default: --as, or the enterprise's one officer).",
            shell_complete=complete_officer,
        ),
    ] = None,
    date: Annotated[str | None, typer.Option("--date", "-d", help="When (default today).")] = None,
    channel: Annotated[
        Channel,
        typer.Option(
            "--channel", help="onsite 实地, online 线上, phone 电话, event 活动.", **choice(Channel, "channel")
        ),
    ] = Channel.onsite,
    note: Annotated[str | None, typer.Option("--note", help="What was discussed.")] = None,
    problems: Annotated[
        list[str] | None,
        typer.Option(
            "--problem", "-p", help="CATEGORY:TEXT; opens a ticket. Repeat for more.", shell_complete=complete_problem
        ),
    ] = None,
    again: AgainOpt = False,
    as_json: JsonOpt = False,
):
    """Record a visit; each --problem opens a ticket linked to it.

    Example: servicedesk visit log 天能 --note "走访生产线" --problem "用工:缺焊工20人" --problem "融资：流动资金贷款500万"
    """
    from .. import render
    from ..services import visits

    s = state(ctx)
    visit, opened = visits.log_visit(
        s.store,
        enterprise,
        officer=officer,
        acting=s.acting,
        actor=s.actor,
        on=parse_date(date),
        channel=channel,
        note=note,
        problems=problems or [],
        again=again,
    )
    if as_json:
        render.print_data(visit)
        return
    render.say(
        _("logged visit #{id}: {officer} → {enterprise} on {date} ({channel})").format(
            id=visit["id"],
            officer=visit["officer"],
            enterprise=visit["enterprise"],
            date=visit["visited_on"],
            channel=word("channel", visit["channel"]),
        )
    )
    for t in opened:
        said = _("opened #{id} ({category}) {title}, due {due}").format(
            id=t["id"], category=category_word(s.store, t["category"]), title=t["title"], due=t["due_on"]
        )
        render.say("  " + said)


@app.command("list")
def list_(
    ctx: typer.Context,
    week: WeekOpt = None,
    since: Annotated[str | None, typer.Option("--since")] = None,
    until: Annotated[str | None, typer.Option("--until")] = None,
    enterprise: Annotated[str | None, typer.Option("--enterprise", "-e", shell_complete=complete_enterprise)] = None,
    officer: Annotated[str | None, typer.Option("--officer", "-o", shell_complete=complete_officer)] = None,
    limit: LimitOpt = None,
    format: FormatOpt = Format.table,
    as_json: JsonOpt = False,
):
    """List visits, oldest first (no filter: every visit).

    Example: servicedesk visit list --week last --officer 王伟
    """
    from .. import dates, render
    from ..views import refs, visits

    store = state(ctx).store
    rows = visits.list_visits(
        store,
        week=dates.parse_week(week) if week else None,
        since=parse_date(since),
        until=parse_date(until),
        enterprise_id=refs.enterprise(store, enterprise)["id"] if enterprise else None,
        officer_id=refs.officer(store, officer)["id"] if officer else None,
        limit=limit,
    )
    render.print_rows(
        rows, fmt(format, as_json), COLUMNS, empty=_("no visits match"), titles={"tickets": "visit_tickets"}
    )


@app.command("missing")
def missing(
    ctx: typer.Context,
    week: WeekOpt = None,
    officer: Annotated[
        str | None,
        typer.Option("--officer", "-o", help="Only this officer's enterprises.", shell_complete=complete_officer),
    ] = None,
    format: FormatOpt = Format.table,
    as_json: JsonOpt = False,
):
    """Enterprises assigned to an officer that week but not visited (default: this week).

    Example: servicedesk visit missing --week last --officer 王伟
    """
    from .. import dates, render
    from ..views import refs, visits

    store = state(ctx).store
    w = dates.parse_week(week or "this")
    rows = visits.missed(store, w, refs.officer(store, officer)["id"] if officer else None)
    render.print_rows(
        rows,
        fmt(format, as_json),
        ENTERPRISE_COLUMNS,
        empty=_("every assigned enterprise was visited in {week}").format(week=w.key),
    )


@feedback_app.command("add")
def feedback_add(
    ctx: typer.Context,
    enterprise: Annotated[str, typer.Argument(metavar="ENTERPRISE", shell_complete=complete_enterprise)],
    kind: Annotated[
        FeedbackKind,
        typer.Option(
            "--kind",
            help="banner 锦旗, letter 感谢信, praise 表扬, complaint 投诉, rating 满意度.",
            **choice(FeedbackKind, "feedback"),
        ),
    ],
    score: Annotated[int | None, typer.Option("--score", help="Satisfaction 1-5.")] = None,
    ticket: Annotated[str | None, typer.Option("--ticket", help="The ticket it is about.")] = None,
    date: Annotated[str | None, typer.Option("--date", "-d")] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    again: AgainOpt = False,
):
    """Record feedback from an enterprise.

    Example: servicedesk feedback add 天能 --kind banner --ticket 12 --note "解决用工难题"
    """
    from .. import render
    from ..services import visits

    s = state(ctx)
    item = visits.add_feedback(
        s.store,
        enterprise,
        kind,
        score=score,
        ticket=ticket,
        on=parse_date(date),
        note=note,
        actor=s.actor,
        again=again,
    )
    render.say(
        _("recorded {kind} #{id} from {enterprise} on {date}").format(
            kind=word("feedback", item["kind"]), id=item["id"], enterprise=item["enterprise"], date=item["received_on"]
        )
    )


@feedback_app.command("list")
def feedback_list(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option("--since")] = None,
    until: Annotated[str | None, typer.Option("--until")] = None,
    format: FormatOpt = Format.table,
    as_json: JsonOpt = False,
):
    """List feedback, oldest first.

    Example: servicedesk feedback list --since 2026-01-01 --format csv
    """
    from .. import render
    from ..views import visits

    rows = visits.list_feedback(state(ctx).store, since=parse_date(since), until=parse_date(until))
    render.print_rows(rows, fmt(format, as_json), FEEDBACK_COLUMNS, empty=_("no feedback recorded"))


@app.command("edit")
def edit(
    ctx: typer.Context,
    visit: Annotated[str, typer.Argument(metavar="ID", help="Visit number.")],
    date: Annotated[str | None, typer.Option("--date", "-d", help="The day it really took place.")] = None,
    officer: Annotated[
        str | None, typer.Option("--officer", "-o", help="Who really visited.", shell_complete=complete_officer)
    ] = None,
    channel: Annotated[
        Channel | None, typer.Option("--channel", help=ChannelHelp, **choice(Channel, "channel"))
    ] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
):
    """Correct a visit (what was always true); the change log keeps the old values.

    Example: servicedesk visit edit 48 --date 2026-11-26
    """
    from .. import render
    from ..services import visits

    s = state(ctx)
    item, changes = visits.edit_visit(
        s.store, visit, on=parse_date(date), officer=officer, channel=channel, note=note, actor=s.actor
    )
    if changes:
        render.say(_("corrected visit #{id}: {changes}").format(id=item["id"], changes=changes_said(changes)))
    else:
        render.say(_("visit #{id} already says that; nothing changed").format(id=item["id"]))


@app.command("delete")
def delete(ctx: typer.Context, visit: Annotated[str, typer.Argument(metavar="ID")], reason: ReasonOpt):
    """Delete a visit entered by mistake: out of every list and figure, kept in the file.

    Refused while tickets it opened are not deleted. Example: servicedesk visit delete 48 --reason "重复录入"
    """
    from .. import render
    from ..services import visits

    s = state(ctx)
    item = visits.delete_visit(s.store, visit, reason, actor=s.actor)
    render.say(
        _("deleted visit #{id} ({enterprise}, {date})").format(
            id=item["id"], enterprise=item["enterprise"], date=item["visited_on"]
        )
    )


@feedback_app.command("delete")
def feedback_delete(ctx: typer.Context, feedback: Annotated[str, typer.Argument(metavar="ID")], reason: ReasonOpt):
    """Delete feedback entered by mistake: out of every list and figure, kept in the file.

    Example: servicedesk feedback delete 7 --reason "重复录入"
    """
    from .. import render
    from ..services import visits

    s = state(ctx)
    item = visits.delete_feedback(s.store, feedback, reason, actor=s.actor)
    render.say(
        _("deleted feedback #{id} ({kind} from {enterprise}, {date})").format(
            id=item["id"], kind=word("feedback", item["kind"]), enterprise=item["enterprise"], date=item["received_on"]
        )
    )


add_import(app, "visit")
add_import(feedback_app, "feedback")
