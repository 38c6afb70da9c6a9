"""category list | add | edit | alias"""

from typing import Annotated

import typer

from ..i18n import _, language
from .common import Format, FormatOpt, JsonOpt, complete_category, fmt, listed, parse_limit, state

app = typer.Typer(no_args_is_help=True, add_completion=False)  # its help: SUBCOMMANDS in cli/__init__.py

LimitOpt = Annotated[
    str | None,
    typer.Option(
        "--limit", help="Time limit from the opening: 30d (calendar days) or 15wd / 15个工作日 (working days)."
    ),
]


def _said(row: dict) -> str:
    if row["due_working"]:
        said = _("category {code} ({label}): due in {n} working days")
    else:
        said = _("category {code} ({label}): due in {n} days")
    return said.format(code=row["code"], label=row["label_zh"] or row["label"], n=row["due_days"])


@app.command("list")
def category_list(ctx: typer.Context, format: FormatOpt = Format.table, as_json: JsonOpt = False):
    """Categories with their Chinese labels, other names (aliases) and time limits (30d:
    calendar days; 15wd: working days).

    Example: servicedesk category list --format csv
    """
    from .. import render
    from ..views import refs

    store = state(ctx).store
    rows, aliases = refs.categories(store), refs.category_aliases(store)
    for row in rows:
        row["limit"] = f"{row['due_days']}{'wd' if row['due_working'] else 'd'}"
        row["aliases"] = aliases.get(row["code"], [])
    chosen = fmt(format, as_json)
    if chosen in ("table", "markdown") and language() == "zh":
        # For people: 15个工作日, not 15wd (the codes stay in JSON and CSV).
        for row in rows:
            said = _("{n} working days") if row["due_working"] else _("{n} days")
            row["limit"] = said.format(n=row["due_days"])
        # the English label is for English readers; Chinese ones read label_zh
        render.print_rows(rows, chosen, ("code", "label_zh", "limit", "aliases"))
        return
    render.print_rows(rows, chosen, ("code", "label", "label_zh", "limit", "aliases"))


@app.command("add")
def category_add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(metavar="CODE", help="Short code, e.g. environment.")],
    label: Annotated[str, typer.Option("--label", help="English label.")],
    label_zh: Annotated[str | None, typer.Option("--label-zh", help="Chinese label, e.g. 环保.")] = None,
    due_days: Annotated[
        int | None, typer.Option("--due-days", help="Calendar days from opening to the due date (new: 15).")
    ] = None,
    limit: LimitOpt = None,
):
    """Add a category, or change an existing one's labels and time limit.

    Example: servicedesk category add environment --label Environment --label-zh 环保 --limit 20wd
    """
    from .. import render
    from ..errors import InvalidInput
    from ..services import roster

    if due_days is not None and limit:
        raise InvalidInput(_("give the time limit once: --due-days N or --limit 30d|15wd"))
    s = state(ctx)
    row = roster.add_category(s.store, code, label, label_zh, due_days, limit=parse_limit(limit), actor=s.actor)
    render.say(_said(row))


@app.command("edit")
def category_edit(
    ctx: typer.Context,
    code: Annotated[
        str, typer.Argument(metavar="CODE", help="The category's code or label.", shell_complete=complete_category)
    ],
    label: Annotated[str | None, typer.Option("--label", help="English label.")] = None,
    label_zh: Annotated[str | None, typer.Option("--label-zh", help="Chinese label.")] = None,
    limit: LimitOpt = None,
):
    """Change a category's labels or time limit; tickets already open keep their due dates.

    Example: servicedesk category edit labour --limit 15wd
    """
    from .. import render
    from ..services import roster
    from ..views import refs

    s = state(ctx)
    found = refs.category(s.store, code)
    row = roster.add_category(
        s.store, found["code"], label, label_zh, limit=parse_limit(limit), actor=s.actor, edit=True
    )
    render.say(_said(row))


@app.command("alias")
def category_alias(
    ctx: typer.Context,
    code: Annotated[
        str, typer.Argument(metavar="CODE", help="The category's code or label.", shell_complete=complete_category)
    ],
    words: Annotated[list[str], typer.Argument(metavar="WORD...", help="More names for it, as offices write them.")],
):
    """Give a category more names, for --category, --problem and imports (undo takes them back).

    Example: servicedesk category alias financing 融资问题 融资难
    """
    from .. import render
    from ..services import roster

    s = state(ctx)
    row, added, already = roster.alias_category(s.store, code, words, actor=s.actor)
    fields = dict(code=row["code"], label=row["label_zh"] or row["label"])
    if added:
        render.say(_("category {code} ({label}) is also called {words}").format(words=listed(added), **fields))
    if already:
        render.message(
            _("category {code} ({label}) was already called {words}").format(words=listed(already), **fields)
        )
