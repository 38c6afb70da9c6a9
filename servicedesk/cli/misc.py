"""info, undo and doctor: the ledger itself"""

from typing import Annotated

import typer

from ..i18n import _, language, pgettext
from .common import JsonOpt, figures_now, state


def info(ctx: typer.Context, as_json: JsonOpt = False):
    """Where the database is, its schema version and what it holds.

    Example: servicedesk info --json
    """
    from .. import render
    from ..migrations import SCHEMA_VERSION

    s = state(ctx)
    data = {
        "database": str(s.store.path if s.store.url else s.db_path),
        "schema_version": SCHEMA_VERSION,
        "counts": s.store.table_counts(),
    }
    if as_json:
        render.print_data(data)
        return
    counts = data["counts"].items()
    if language() != "en":  # what each count is of, in people's words (an officer, not a 包联干部)
        said = {
            "enterprises": pgettext("count", "enterprises"),
            "officers": pgettext("count", "officers"),
            "assignments": pgettext("count", "assignments"),
            "visits": pgettext("count", "visits"),
            "tickets": pgettext("count", "tickets"),
            "events": pgettext("count", "events"),
            "feedback": pgettext("count", "feedback"),
            "changes": pgettext("count", "changes"),
        }
        counts = [(said.get(k, k), n) for k, n in counts]
    render.details([("database", data["database"]), ("schema", data["schema_version"]), *counts])


def undo(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would be undone; change nothing.")] = False,
):
    """Reverse your last change — whatever one command did (a visit with the problems it
    opened, a close, an edit, a whole import). The undo is recorded too; run it again to
    step further back. Another person's later change to the same thing blocks it.

    Example: servicedesk undo --dry-run
    """
    from .. import render
    from ..services import undo as service

    s = state(ctx)
    done = service.undo(s.store, s.actor, dry_run=dry_run)
    cs = done.changeset
    said = (
        _("would undo change set #{id} ({at}, {actor}: {command})")
        if dry_run
        else _("undid change set #{id} ({at}, {actor}: {command})")
    )
    render.say(
        said.format(id=cs["id"], at=cs["at"][:16].replace("T", " "), actor=cs["actor"], command=cs["command"] or "—")
    )
    for line in done.said():
        render.say(f"  {line}")
    if dry_run:
        render.message(_("nothing changed (--dry-run)"))
    else:
        render.message(figures_now(s.store))


def doctor(
    ctx: typer.Context,
    repair: Annotated[bool, typer.Option("--repair", help="Rebuild what can be rebuilt from the history.")] = False,
):
    """Check the ledger: SQLite's integrity check, no orphans, every ticket's state equal to
    the replay of its history, and the derived tables equal to a rebuild. Exit 1 on a problem.

    Example: servicedesk doctor --repair
    """
    from .. import render
    from ..services import doctor as service

    found = service.check(state(ctx).store, repair=repair)
    for line in found["repaired"]:
        render.say(_("repaired: {what}").format(what=line))
    for line in found["problems"]:
        render.say(_("problem: {what}").format(what=line))
    if found["problems"]:
        raise typer.Exit(1)
    if not found["repaired"]:
        render.say(_("the ledger is whole: integrity ok, history and derived tables agree"))


def register(root: typer.Typer) -> None:
    root.command("info")(info)
    root.command("undo")(undo)
    root.command("doctor")(doctor)
