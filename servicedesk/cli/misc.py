"""category list | add, and info"""

from typing import Annotated

import typer

from .common import Format, FormatOpt, JsonOpt, fmt, state

category_app = typer.Typer(no_args_is_help=True, add_completion=False)  # its help: SUBCOMMANDS in cli/__init__.py


@category_app.command("list")
def category_list(ctx: typer.Context, format: FormatOpt = Format.table, as_json: JsonOpt = False):
    """Categories with their Chinese labels and default days to the due date."""
    from .. import render
    from ..services import refs

    rows = refs.categories(state(ctx).store)
    render.print_rows(rows, fmt(format, as_json), ("code", "label", "label_zh", "due_days"))


@category_app.command("add")
def category_add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(metavar="CODE", help="Short code, e.g. environment.")],
    label: Annotated[str, typer.Option("--label", help="English label.")],
    label_zh: Annotated[str | None, typer.Option("--label-zh", help="Chinese label, e.g. 环保.")] = None,
    due_days: Annotated[
        int | None, typer.Option("--due-days", help="Days from opening to the due date (new categories: 15).")
    ] = None,
):
    """Add a category, or change an existing one's labels and time limit.

    Example: servicedesk category add environment --label Environment --label-zh 环保 --due-days 20
    """
    from .. import render
    from ..services import roster

    s = state(ctx)
    row = roster.add_category(s.store, code, label, label_zh, due_days, actor=s.actor)
    render.say(f"category {row['code']} ({row['label_zh'] or row['label']}): due in {row['due_days']} days")


def info(ctx: typer.Context, as_json: JsonOpt = False):
    """Where the database is, its schema version and what it holds."""
    from .. import render
    from ..migrations import SCHEMA_VERSION

    s = state(ctx)
    data = {"database": str(s.db_path), "schema_version": SCHEMA_VERSION, "counts": s.store.table_counts()}
    if as_json:
        render.print_data(data)
        return
    render.details([("database", data["database"]), ("schema", data["schema_version"]), *data["counts"].items()])


def register(root: typer.Typer) -> None:
    root.command("info")(info)
