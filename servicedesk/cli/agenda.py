"""agenda: an officer's week on one screen"""

from typing import Annotated

import typer

from ..i18n import _
from .common import JsonOpt, complete_officer, state
from .reports import LangOpt, OutputOpt, ReportFormatOpt, emit, output_format


def agenda(
    ctx: typer.Context,
    officer: Annotated[
        str | None, typer.Option("--officer", "-o", help="Whose week (default: --as).", shell_complete=complete_officer)
    ] = None,
    days: Annotated[int, typer.Option("--days", min=1, max=60, help="Due soon: within this many working days.")] = 3,
    format: ReportFormatOpt = None,
    as_json: JsonOpt = False,
    output: OutputOpt = None,
    lang: LangOpt = None,
):
    """An officer's week: assigned enterprises not visited yet this week, and their own tickets
    overdue, due soon and under supervision (督办).

    Example: servicedesk --as 王伟 agenda
    """
    from .. import reports
    from ..errors import InvalidInput
    from ..views import refs

    s = state(ctx)
    who = officer or s.acting
    if not who:
        raise InvalidInput(
            _("whose week? give --officer NAME, or say who you are with --as NAME (SERVICEDESK_OFFICER)")
        )
    found = refs.officer(s.store, who)
    fmt = output_format(format, as_json, output)
    emit("agenda", reports.agenda(s.store, found, days), fmt, lang, output)


def register(root: typer.Typer) -> None:
    root.command("agenda")(agenda)
