"""A read-only site for leaders: `publish` writes a snapshot of the ledger and its Datasette
metadata into a directory, `serve` runs Datasette on it.

    DIR/servicedesk.db   a SQLite copy of the ledger made through `copy`'s path (so from a
                         file or a PostgreSQL server alike), plus the views of snapshot.py,
                         without phone numbers unless asked; one file, no -wal beside it
    DIR/metadata.json    Chinese titles, hidden internals, canned queries (metadata.py)

Both are written beside their final names and renamed into place, so a site serving the
directory never sees half a snapshot; 0600, in a directory made 0700.
"""

import json
import os
from pathlib import Path

from .. import dates
from ..errors import InvalidInput
from ..files import private_file
from ..i18n import _
from ..services import ledgercopy
from ..store import Store
from ..views import calendar as calendar_views
from . import snapshot
from .metadata import DATABASE, metadata

SNAPSHOT = f"{DATABASE}.db"
METADATA = "metadata.json"


def _folder(directory: str | os.PathLike) -> Path:
    folder = Path(directory).expanduser()
    if folder.exists() and not folder.is_dir():
        raise InvalidInput(_("{path} is a file; publish writes a directory").format(path=folder))
    for name in (SNAPSHOT, METADATA):
        path = folder / name
        if (path.exists() or path.is_symlink()) and not path.is_file():
            raise InvalidInput(_("{path} is not a regular file; left it untouched").format(path=path))
    return folder


def publish(
    source: str | os.PathLike,
    directory: str | os.PathLike,
    *,
    with_contacts: bool = False,
    notify=None,
    progress=None,
) -> dict:
    """Write DIR/servicedesk.db and DIR/metadata.json from the ledger at `source`; returns
    {"directory", "database", "metadata", "tables": {table: rows}, "weeks"}."""
    from ..ledgerfile import remove_stale_partials

    folder = _folder(directory)
    src = Store(str(source), notify=notify, read_only=True)
    try:
        if not src.exists:
            raise InvalidInput(_("no ledger at {source} to publish").format(source=source))
        if not folder.exists():
            folder.mkdir(parents=True)
            os.chmod(folder, 0o700)
        remove_stale_partials(folder, SNAPSHOT)
        remove_stale_partials(folder, METADATA)
        partial = folder / f".{SNAPSHOT}.{os.getpid()}.partial"
        partial_meta = folder / f".{METADATA}.{os.getpid()}.partial"
        try:
            target = Store(partial)
            try:
                with src.snapshot():
                    counts = ledgercopy.copy_into(src, target, progress=progress)
                with target.write():
                    if not with_contacts:
                        snapshot.remove_contacts(target)
                    snapshot.add_views(target)
                park = calendar_views.settings(target)["park"]
                weeks = target.value("SELECT count(*) FROM weeks")
            finally:
                target.close()
            one_file(partial)
            published_at = dates.now_iso()[:16].replace("T", " ")
            with private_file(partial_meta) as f:
                json.dump(metadata(park, published_at, with_contacts), f, ensure_ascii=False, indent=2)
            os.replace(partial, folder / SNAPSHOT)
            os.replace(partial_meta, folder / METADATA)
        finally:
            for leftover in (partial, partial_meta, *(Path(f"{partial}{s}") for s in ("-wal", "-shm", "-journal"))):
                leftover.unlink(missing_ok=True)
    finally:
        src.close()
    return {
        "directory": str(folder),
        "database": str(folder / SNAPSHOT),
        "metadata": str(folder / METADATA),
        "tables": counts,
        "weeks": weeks,
    }


def one_file(path: Path) -> None:
    """SQLite only: the snapshot out of WAL mode, so it is one file that Datasette opens
    `--immutable` and a copy of it is whole."""
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode = DELETE")
    finally:
        conn.close()


def serve(directory: str | os.PathLike, *, port: int = 8001, host: str = "127.0.0.1") -> None:
    """Run Datasette on a published directory, read-only, until interrupted."""
    import importlib.util

    folder = Path(directory).expanduser()
    database = folder / SNAPSHOT
    if not database.is_file():
        raise InvalidInput(
            _("no published ledger in {dir}; write one first: servicedesk publish {dir}").format(dir=folder)
        )
    if importlib.util.find_spec("datasette") is None:
        raise InvalidInput(_("serve needs Datasette, which is not installed: pip install 'servicedesk[web]'"))
    from datasette.cli import cli  # not at the top: only serve pays for importing Datasette

    args = ["serve", "--immutable", str(database), "--host", host, "--port", str(port)]
    args += ["--setting", "suggest_facets", "off"]  # facets offered on every count column are noise here
    # The weekly figures of a large park take a second or two: more than Datasette's default 1 s.
    args += ["--setting", "sql_time_limit_ms", "10000"]
    if (folder / METADATA).is_file():
        args += ["--metadata", str(folder / METADATA)]
    cli.main(args=args, prog_name="datasette")
