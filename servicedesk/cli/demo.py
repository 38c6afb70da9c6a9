"""demo: fill the database with a sample park and print its latest weekly report."""

from typing import Annotated

import typer

from ..i18n import _
from .common import state

# Ceilings that keep a mistyped size from filling the disk or the memory: the largest park
# is ~2M visits (bench/README's 1M-ticket park has 2000 × 520 = 1.04M) and 10M problems.
MAX_ENTERPRISES = 100_000
MAX_WEEKS = 5200  # services/demo.py's own: a century of history
MAX_ENTERPRISE_WEEKS = 2_000_000
MAX_PROBLEMS = 10_000_000


def demo(
    ctx: typer.Context,
    force: Annotated[
        bool, typer.Option("--force", help="Replace whatever the database holds with the demo park.")
    ] = False,
    enterprises: Annotated[
        int, typer.Option("--enterprises", min=1, max=MAX_ENTERPRISES, help="Enterprises in the park.")
    ] = 65,
    weeks: Annotated[
        int, typer.Option("--weeks", min=1, max=MAX_WEEKS, help="Weeks of history, ending last week.")
    ] = 12,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same park.")] = 1,
    problems: Annotated[
        int | None,
        typer.Option(
            "--problems",
            min=0,
            max=MAX_PROBLEMS,
            help="Problems raised in all (default: 92 per 65 enterprises × 12 weeks).",
        ),
    ] = None,
    open_tickets: Annotated[
        int | None,
        typer.Option(
            "--open",
            min=0,
            max=MAX_PROBLEMS,
            help="How many of the newest problems stay open (default: 2 for the default park, the same for longer history).",
        ),
    ] = None,
):
    """Fill the database with a sample park and print the weekly report of its last week.

    The default park: 65 fictional enterprises, officers one-to-one and one-to-many, 12 weeks of weekly visits ending last week, 92 problems of which 90 closed (97.8%), 4 banners and 3 thank-you letters.

    The same seed always builds the same park. A database that already holds data is refused unless --force is given.

    Example: servicedesk demo

    Benchmark-sized: servicedesk --db big.db demo --enterprises 2000 --weeks 520 --problems 1000000 --open 1500
    """
    if enterprises * weeks > MAX_ENTERPRISE_WEEKS:
        raise typer.BadParameter(
            _(
                "{enterprises:,} enterprises × {weeks:,} weeks is more than a demo park holds "
                "({most:,} enterprise-weeks, e.g. --enterprises 2000 --weeks 1000)"
            ).format(enterprises=enterprises, weeks=weeks, most=MAX_ENTERPRISE_WEEKS),
            param_hint="'--weeks'",
        )
    from .. import render
    from ..services import demo as park

    s = state(ctx)
    built = park.build(
        s.store,
        enterprises=enterprises,
        weeks=weeks,
        seed=seed,
        problems=problems,
        open_tickets=open_tickets,
        force=force,
        actor=s.actor,
    )
    week = built["last_week"]
    from .reports import print_weekly

    print_weekly(s.store, week, "table")
    said = _(
        "built a demo park: {enterprises} enterprises, {officers} officers, {visits} visits and {tickets} tickets "
        "({open} open) over {first_week}…{week}; next: servicedesk report weekly --week last"
    )
    render.message(said.format(week=week, **built))


def register(root: typer.Typer) -> None:
    root.command("demo")(demo)
