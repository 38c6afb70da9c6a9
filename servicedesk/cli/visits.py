"""visit log | list | missing | import, and feedback add | list"""

from typing import Annotated

import typer

from ..models import Channel, FeedbackKind
from .common import Format, FormatOpt, JsonOpt, LimitOpt, choice, fmt, parse_date, state
from .transfer import add_import

app = typer.Typer(no_args_is_help=True, add_completion=False)  # the help of both: SUBCOMMANDS in cli/__init__.py
feedback_app = typer.Typer(no_args_is_help=True, add_completion=False)

COLUMNS = ("id", "visited_on", "enterprise", "officer", "channel", "note", "tickets")
ENTERPRISE_COLUMNS = ("id", "name", "sector", "officers")
FEEDBACK_COLUMNS = ("id", "received_on", "enterprise", "kind", "score", "ticket", "note")
WeekOpt = Annotated[str | None, typer.Option("--week", "-w", help="2022-W19, this/本周, last/上周, or a date in it.")]


@app.command("log")
def log(
    ctx: typer.Context,
    enterprise: Annotated[str, typer.Argument(metavar="ENTERPRISE", help="Id, name or part of the name.")],
    officer: Annotated[
        str | None,
        typer.Option("--officer", "-o", help="Who visited (default: --as, or the enterprise's one officer)."),
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
        list[str] | None, typer.Option("--problem", "-p", help="CATEGORY:TEXT; opens a ticket. Repeat for more.")
    ] = None,
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
    )
    if as_json:
        render.print_data(visit)
        return
    render.say(
        f"logged visit #{visit['id']}: {visit['officer']} → {visit['enterprise']} on {visit['visited_on']} ({visit['channel']})"
    )
    for t in opened:
        render.say(f"  opened #{t['id']} ({t['category']}) {t['title']}, due {t['due_on']}")


@app.command("list")
def list_(
    ctx: typer.Context,
    week: WeekOpt = None,
    since: Annotated[str | None, typer.Option("--since")] = None,
    until: Annotated[str | None, typer.Option("--until")] = None,
    enterprise: Annotated[str | None, typer.Option("--enterprise", "-e")] = None,
    officer: Annotated[str | None, typer.Option("--officer", "-o")] = None,
    limit: LimitOpt = None,
    format: FormatOpt = Format.table,
    as_json: JsonOpt = False,
):
    """List visits, oldest first (no filter: every visit).

    Example: servicedesk visit list --week last --officer 王伟
    """
    from .. import render
    from ..services import visits

    rows = visits.list_visits(
        state(ctx).store,
        week=week,
        since=parse_date(since),
        until=parse_date(until),
        enterprise=enterprise,
        officer=officer,
        limit=limit,
    )
    render.print_rows(rows, fmt(format, as_json), COLUMNS, empty="no visits match")


@app.command("missing")
def missing(ctx: typer.Context, week: WeekOpt = None, format: FormatOpt = Format.table, as_json: JsonOpt = False):
    """Enterprises assigned to an officer that week but not visited (default: this week).

    Example: servicedesk visit missing --week last
    """
    from .. import dates, render
    from ..services import visits

    w = dates.parse_week(week or "this")
    rows = visits.missed(state(ctx).store, w)
    render.print_rows(
        rows, fmt(format, as_json), ENTERPRISE_COLUMNS, empty=f"every assigned enterprise was visited in {w.key}"
    )


@feedback_app.command("add")
def feedback_add(
    ctx: typer.Context,
    enterprise: Annotated[str, typer.Argument(metavar="ENTERPRISE")],
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
):
    """Record feedback from an enterprise.

    Example: servicedesk feedback add 天能 --kind banner --ticket 12 --note "解决用工难题"
    """
    from .. import render
    from ..services import visits

    s = state(ctx)
    item = visits.add_feedback(
        s.store, enterprise, kind, score=score, ticket=ticket, on=parse_date(date), note=note, actor=s.actor
    )
    render.say(f"recorded {item['kind']} #{item['id']} from {item['enterprise']} on {item['received_on']}")


@feedback_app.command("list")
def feedback_list(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option("--since")] = None,
    until: Annotated[str | None, typer.Option("--until")] = None,
    format: FormatOpt = Format.table,
    as_json: JsonOpt = False,
):
    """List feedback, oldest first."""
    from .. import render
    from ..services import visits

    rows = visits.list_feedback(state(ctx).store, since=parse_date(since), until=parse_date(until))
    render.print_rows(rows, fmt(format, as_json), FEEDBACK_COLUMNS, empty="no feedback recorded")


add_import(app, "visit")
add_import(feedback_app, "feedback")
