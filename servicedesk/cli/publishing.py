"""copy, publish and serve: the whole ledger into another database, and a read-only site for leaders"""

from pathlib import Path
from typing import Annotated

import typer

from .common import state

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
    counts = ledgercopy.counts_said({t: tables[t] for t in _NOUNS})
    render.say(
        _("copied {source} to {dest}: {counts} ({rows} rows in {n} tables)").format(
            source=ledgercopy.shown(source),
            dest=ledgercopy.shown(dest),
            counts=counts,
            rows=sum(tables.values()),
            n=len(tables),
        )
    )


def publish(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="Directory to write (created 0700 if missing).")],
    with_contacts: Annotated[
        bool, typer.Option("--with-contacts", help="Publish the phone numbers of enterprises and officers too.")
    ] = False,
):
    """Write a read-only snapshot of the ledger for leaders to browse with Datasette.

    DIR/servicedesk.db is a consistent copy (mode 0600) with views of the problem ledger and
    the weekly figures; DIR/metadata.json gives Datasette the Chinese titles and the canned
    queries (this week's report, open and overdue, by department). Phone numbers are left
    out unless --with-contacts. Run it again to replace the snapshot.

    Example: servicedesk publish ~/site && servicedesk serve ~/site
    """
    from .. import render
    from ..i18n import _
    from ..render.progress import Bar
    from ..site import publish as write

    s = state(ctx)
    with Bar() as bar:
        result = write(str(s.db_path), directory, with_contacts=with_contacts, notify=render.message, progress=bar)
    tables = result["tables"]
    render.say(
        _("published {tickets} tickets and {weeks} weeks of figures to {directory}{contacts}").format(
            tickets=tables["tickets"],
            weeks=result["weeks"],
            directory=result["directory"],
            contacts=_(" (with phone numbers)") if with_contacts else "",
        )
    )
    render.message(_("next: servicedesk serve {directory}").format(directory=result["directory"]))


def serve(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="A directory written by publish.")],
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port to listen on (0: any free one).")] = 8001,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; 0.0.0.0 lets other machines in.")
    ] = "127.0.0.1",
):
    """Run Datasette on a published directory, read-only.

    Datasette comes with the web extra: pip install 'servicedesk\\[web]'.

    Example: servicedesk serve ~/site --port 8001
    """
    from ..site import serve as run

    run(directory, port=port, host=host)


def register(root: typer.Typer) -> None:
    root.command("copy")(copy)
    root.command("publish")(publish)
    root.command("serve")(serve)
