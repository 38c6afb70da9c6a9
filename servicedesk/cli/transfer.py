"""enterprise | officer | visit | ticket | feedback import, and the top-level export / backup"""

from pathlib import Path
from typing import Annotated

import typer

from ..i18n import _, pgettext
from .common import figures_now, listed, parse_date, state

FileArg = Annotated[
    Path,
    typer.Argument(
        metavar="FILE", help=".csv (UTF-8, UTF-8 with BOM or GB18030), .xlsx or .xls (the first sheet with a header)."
    ),
]
SheetOpt = Annotated[
    str | None,
    typer.Option("--sheet", metavar="NAME", help="The workbook's sheet to read (default: the first with a header)."),
]
UpdateOpt = Annotated[
    bool,
    typer.Option(
        "--update",
        help="Apply the rows that match a record on file but say otherwise (with --dry-run: list each change).",
    ),
]
FromOpt = Annotated[
    str | None,
    typer.Option(
        "--from",
        metavar="DATE",
        help="The day of what the file does not date: 包联 changes and a missing 包联日期; a ticket's reassignment, "
        "referral, start or reopening (default today).",
    ),
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
        "phone, address, note, officers, assigned_from. Officers named under 包联干部 are assigned from "
        "包联日期 (default today). An enterprise already on file (same name) that the file says otherwise "
        "about (its contact, phone, address, sector, or officers) is named and left as it is; --update "
        "applies the change, a change of officers as an unassign and an assign on the import day (--from).",
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
        "办理结果, 解决情况 — or the English field names of `ticket list --json`. A closed row needs 办结时间; "
        "with no 办理结果 it counts as resolved. A row matching a ticket on file (enterprise, category, "
        "description, opening date) is skipped; where its status, close, owner or department say otherwise "
        "it is named, and --update records the events that bring the ticket there (dated by the row, or on "
        "the import day: --from).",
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


def _noun(kind: str) -> str:
    """What an import of `kind` adds, as its summary line names it."""
    return {
        "officer": pgettext("imported", "officers"),
        "enterprise": pgettext("imported", "enterprises"),
        "visit": pgettext("imported", "visits"),
        "ticket": pgettext("imported", "tickets"),
        "service": pgettext("imported", "services"),
    }.get(kind) or pgettext("imported", "feedback records")


def _table(table: str) -> str:
    """A table an import also created rows in (officers a visit log names, …)."""
    return {
        "officers": pgettext("imported", "officers"),
        "enterprises": pgettext("imported", "enterprises"),
        "assignments": pgettext("imported", "assignments"),
    }.get(table, table)


def _run_import(ctx: typer.Context, kind: str, file: Path, dry_run: bool, options: dict) -> None:
    from .. import render
    from ..render.progress import Bar
    from ..services import transfer
    from ..spreadsheets import BadRows

    s = state(ctx)
    since = parse_date(options.pop("since", None))
    try:
        with Bar() as bar:
            result = transfer.import_file(
                s.store, kind, file, actor=s.actor, acting=s.acting, dry_run=dry_run, since=since, progress=bar,
                **options,
            )  # fmt: skip
    except BadRows as e:
        # One `error:` line as ever, then each bad row on a line of its own.
        render.error(str(e))
        for line in e.shown:
            render.message(f"  {_one_line(line)}")
        if e.more:
            render.message("  " + _("… and {n} more bad rows").format(n=e.more))
        raise typer.Exit(1) from None
    if result["ignored_columns"]:
        render.message(_("ignored columns: {columns}").format(columns=listed(result["ignored_columns"])))
    source = result["file"]
    if result.get("sheet"):
        source += _(" (sheet {sheet})").format(sheet=result["sheet"])
    if dry_run:
        line = _("would import {n} {noun} from {source} ({present} already present)")
    else:
        line = _("imported {n} {noun} from {source} ({present} already present)")
    line = line.format(n=result["added"], noun=_noun(kind), source=source, present=result["present"])
    extras = [_("{n} new {table}").format(n=n, table=_table(table)) for table, n in result["created"].items()]
    if result.get("assignments"):
        extras.append(_("{n} new assignments").format(n=result["assignments"]))
    if result.get("linked_to_visits"):
        extras.append(_("{n} linked to visits").format(n=result["linked_to_visits"]))
    if result.get("updated"):
        extras.append((_("would update {n}") if dry_run else _("updated {n}")).format(n=result["updated"]))
    if result["differs"]:
        extras.append(_("{n} differ from what is on file, not applied").format(n=result["differs"]))
    if extras:
        line += _("; ") + listed(extras)
    if kind == "ticket" and not dry_run:
        line += f" · {figures_now(s.store)}"
    if result.get("updated") and dry_run:
        # --dry-run --update: every change it would make, as data.
        for change in result["changes"]:
            render.say(_one_line(change))
    render.say(line)
    if result.get("updated") and not dry_run:
        _listed(_("updated:"), result["changes"], result["updated"])
    if result["differs"]:
        _listed(_("differs, not applied (--update applies it):"), result["differences"], result["differs"])
    if dry_run:
        render.message(_("nothing written (--dry-run)"))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _listed(title: str, lines: list[str], count: int) -> None:
    from .. import render

    render.message(title)
    for line in lines:
        render.message(f"  {_one_line(line)}")
    if count > len(lines):
        render.message("  " + _("… and {n} more").format(n=count - len(lines)))


def _import_command(kind: str, create: bool):
    title, body, example = _HELP[kind]
    doc = (
        f"{title}\n\n{body} All rows or none: every bad row is named with its line and column (the first 20), "
        f"and nothing is written until none is left.\n\nExample: {example}"
    )
    if kind in ("enterprise", "ticket"):

        def command(
            ctx: typer.Context,
            file: FileArg,
            dry_run: DryRunOpt = False,
            create_missing: CreateOpt = False,
            update: UpdateOpt = False,
            since: FromOpt = None,
            sheet: SheetOpt = None,
        ):
            options = {"create_missing": create_missing, "update": update, "since": since, "sheet": sheet}
            _run_import(ctx, kind, file, dry_run, options)

    elif create:

        def command(
            ctx: typer.Context,
            file: FileArg,
            dry_run: DryRunOpt = False,
            create_missing: CreateOpt = False,
            sheet: SheetOpt = None,
        ):
            _run_import(ctx, kind, file, dry_run, {"create_missing": create_missing, "sheet": sheet})

    else:

        def command(ctx: typer.Context, file: FileArg, dry_run: DryRunOpt = False, sheet: SheetOpt = None):
            _run_import(ctx, kind, file, dry_run, {"sheet": sheet})

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
        render.message("  " + _("{table}.csv, {table}.jsonl: {n} rows").format(table=table, n=rows))
    render.say(_("exported {n} tables to {path}").format(n=len(written), path=directory))


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
    said = _("backed up to {path} ({size:,} bytes): {enterprises} enterprises, {visits} visits, {tickets} tickets")
    render.say(said.format(path=result["file"], size=result["bytes"], **counts))


def add_import(noun_app: typer.Typer, kind: str) -> None:
    """Give a noun's group its `import FILE` command (each noun module calls this)."""
    noun_app.command("import")(_import_command(kind, create=kind != "officer"))


def register(root: typer.Typer) -> None:
    root.command("export")(export)
    root.command("backup")(backup)
