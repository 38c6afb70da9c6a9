"""copy, publish and serve: the whole ledger into another database, and a read-only site for leaders"""

from typing import Annotated

import typer

_NOUNS = ("enterprises", "officers", "visits", "tickets", "events", "changesets")


def copy(
    source: Annotated[str, typer.Argument(metavar="SOURCE", help="The ledger to copy: a file or a PostgreSQL URL.")],
    dest: Annotated[
        str, typer.Argument(metavar="DEST", help="Where to copy it: a new or empty file, or a PostgreSQL URL.")
    ],
):
    """Copy the whole ledger — history, change log, deleted items, ids — into another database.

    The source is only read, as one snapshot; the destination is written in one transaction
    and must hold no ledger data (a missing file is created, mode 0600). Its derived tables
    are rebuilt from the history, so every report reads the same there.

    Example: servicedesk copy ~/servicedesk.db postgresql://office@db.park.local/servicedesk
    """
    from .. import render
    from ..i18n import _
    from ..render.progress import Bar
    from ..services import ledgercopy

    with Bar() as bar:
        result = ledgercopy.copy(source, dest, notify=render.message, progress=bar)
    tables = result["tables"]
    counts = ", ".join(f"{tables[t]} {t}" for t in _NOUNS)
    render.say(
        _("copied {source} to {dest}: {counts} ({rows} rows in {n} tables)").format(
            source=source, dest=dest, counts=counts, rows=sum(tables.values()), n=len(tables)
        )
    )


def register(root: typer.Typer) -> None:
    root.command("copy")(copy)
