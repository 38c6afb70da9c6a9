"""enterprise | officer | visit | ticket | feedback import, and the top-level export / backup"""

from pathlib import Path
from typing import Annotated

import typer

from .common import figures_now, state

FileArg = Annotated[
    Path, typer.Argument(metavar="FILE", help=".csv (UTF-8, UTF-8 with BOM or GB18030) or .xlsx (first sheet).")
]
DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Check every row and say what would be added; write nothing.")
]
CreateOpt = Annotated[
    bool,
    typer.Option("--create-missing", help="Add the enterprises and officers the file names that are not on file yet."),
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Overwrite what is already there.")]

# kind → (help text, an example row of headers); the docstring is the command's help.
_HELP = {
    "officer": (
        "Import officers (干部 / 首席服务员) from a spreadsheet.",
        "Headers: 姓名, 职级 (县级/科级/首席服务员/工作人员), 单位, 电话 — or name, rank, unit, phone. "
        "An officer already on file (same name) is left as it is.",
        "servicedesk officer import 干部名单.xlsx",
    ),
    "enterprise": (
        "Import the enterprise roster from a spreadsheet.",
        "Headers: 企业名称, 行业, 联系人, 联系电话, 地址, 备注, 包联干部, 包联日期 — or name, sector, contact, "
        "phone, address, note, officers, assigned_from. An enterprise already on file (same name) is left as "
        "it is; officers named under 包联干部 are assigned from 包联日期 (default today).",
        "servicedesk enterprise import 企业名单.csv --dry-run",
    ),
    "visit": (
        "Import a visit log (走访记录) from a spreadsheet.",
        "Headers: 企业名称, 走访人, 走访日期, 方式, 走访情况 — or enterprise, officer, visited_on, channel, "
        "note. A row matching a visit on file (enterprise, officer, date, note) is skipped.",
        "servicedesk visit import 走访记录.xlsx",
    ),
    "ticket": (
        "Import a problem ledger (问题台账) from a spreadsheet.",
        "Headers: 企业名称, 问题类别, 问题描述, 提出日期, 责任人, 责任单位, 办理时限, 办理状态, 办结时间, "
        "办理结果, 解决情况 — or the English field names of `ticket list --json`. A row matching a ticket on "
        "file (enterprise, category, description, opening date) is skipped. A closed row needs 办结时间; "
        "with no 办理结果 it counts as resolved.",
        "servicedesk ticket import 问题台账.xlsx --dry-run",
    ),
    "service": (
        "Import services delivered (服务企业) from a spreadsheet.",
        "Headers: 企业名称, 服务类型, 服务日期, 数量, 金额, 服务人, 备注 — or enterprise, kind, served_on, quantity, "
        "amount, officer, note. Amounts in yuan: 25170000, 2517万, 1.2亿. A row matching a service on file "
        "(enterprise, kind, date) is skipped.",
        "servicedesk service import 服务台账.xlsx",
    ),
    "feedback": (
        "Import feedback (锦旗, 感谢信, …) from a spreadsheet.",
        "Headers: 企业名称, 类型, 评分, 问题编号, 日期, 备注 — or enterprise, kind, score, ticket, received_on, "
        "note. A row matching feedback on file (enterprise, kind, date, note) is skipped.",
        "servicedesk feedback import 反馈.csv",
    ),
}
_NOUNS = {
    "officer": "officers",
    "enterprise": "enterprises",
    "visit": "visits",
    "ticket": "tickets",
    "service": "services",
}


def _run_import(ctx: typer.Context, kind: str, file: Path, dry_run: bool, create_missing: bool) -> None:
    from .. import render
    from ..render.progress import Bar
    from ..services import transfer

    s = state(ctx)
    with Bar() as bar:
        result = transfer.import_file(
            s.store,
            kind,
            file,
            actor=s.actor,
            acting=s.acting,
            dry_run=dry_run,
            create_missing=create_missing,
            progress=bar,
        )
    if result["ignored_columns"]:
        render.message(f"ignored columns: {', '.join(result['ignored_columns'])}")
    noun = _NOUNS.get(kind, "feedback records")
    verb = "would import" if dry_run else "imported"
    line = f"{verb} {result['added']} {noun} from {result['file']} ({result['present']} already present)"
    extras = [f"{n} new {table}" for table, n in result["created"].items()]
    if result.get("assignments"):
        extras.append(f"{result['assignments']} new assignments")
    if result.get("linked_to_visits"):
        extras.append(f"{result['linked_to_visits']} linked to visits")
    if extras:
        line += "; " + ", ".join(extras)
    if kind == "ticket" and not dry_run:
        line += f" · {figures_now(s.store)}"
    render.say(line)
    if dry_run:
        render.message("nothing written (--dry-run)")


def _import_command(kind: str, create: bool):
    title, body, example = _HELP[kind]
    doc = f"{title}\n\n{body} All rows or none: a bad row stops the import, naming its line and column.\n\nExample: {example}"
    if create:

        def command(ctx: typer.Context, file: FileArg, dry_run: DryRunOpt = False, create_missing: CreateOpt = False):
            _run_import(ctx, kind, file, dry_run, create_missing)

    else:

        def command(ctx: typer.Context, file: FileArg, dry_run: DryRunOpt = False):
            _run_import(ctx, kind, file, dry_run, False)

    command.__doc__ = doc
    command.__name__ = f"{kind}_import"
    return command


def export(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="Directory to write (created if missing).")],
    force: ForceOpt = False,
):
    """Write every table as CSV (for Excel/WPS) and JSON lines, readable back in by the imports.

    officers, enterprises, visits, tickets and feedback use the import headers, with names
    rather than ids, so a new database takes them back in that order:
    officer import, enterprise import, visit import, ticket import, feedback import.

    Example: servicedesk export 导出-2022-05-15
    """
    from .. import render
    from ..services import transfer

    written = transfer.export(state(ctx).store, directory, force=force)
    for table, rows in written:
        render.message(f"  {table}.csv, {table}.jsonl: {rows} rows")
    render.say(f"exported {len(written)} tables to {directory}")


def backup(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="Where to write the copy.")],
    force: ForceOpt = False,
):
    """A consistent copy of the database, safe to take while others are writing (mode 0600).

    Example: servicedesk backup ~/备份/servicedesk-2022-05-15.db
    """
    from .. import render
    from ..services import transfer

    result = transfer.backup(state(ctx).store, file, force=force)
    counts = result["counts"]
    render.say(
        f"backed up to {result['file']} ({result['bytes']:,} bytes): {counts['enterprises']} enterprises, "
        f"{counts['visits']} visits, {counts['tickets']} tickets"
    )


def add_import(noun_app: typer.Typer, kind: str) -> None:
    """Give a noun's group its `import FILE` command (each noun module calls this)."""
    noun_app.command("import")(_import_command(kind, create=kind != "officer"))


def register(root: typer.Typer) -> None:
    root.command("export")(export)
    root.command("backup")(backup)
