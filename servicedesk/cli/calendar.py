"""calendar show | holiday | workday, and the root command settings"""

from typing import Annotated

import typer

from ..i18n import _, language
from .common import Format, FormatOpt, JsonOpt, fmt, listed, state

app = typer.Typer(no_args_is_help=True, add_completion=False)  # its help: SUBCOMMANDS in cli/__init__.py

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
NameOpt = Annotated[str | None, typer.Option("--name", help="What it is: 厂区停电, 国庆节调休…")]


@app.command("show")
def show(
    ctx: typer.Context,
    month: Annotated[str | None, typer.Option("--month", help="A month, 2026-10 (default: this month).")] = None,
    year: Annotated[
        int | None, typer.Option("--year", min=1900, max=2999, help="A year: its holidays and make-up days.")
    ] = None,
    format: FormatOpt = Format.table,
    as_json: JsonOpt = False,
):
    """Working days and days off: every day of a month, or a year's holidays and make-up days.

    Example: servicedesk calendar show --month 2026-10
    """
    import re
    from datetime import date

    from .. import dates, render
    from ..errors import InvalidInput
    from ..services import calendar

    store = state(ctx).store
    if year is not None and month is not None:
        raise InvalidInput(_("give --month or --year, not both"))
    if year is not None:
        months = [(year, m) for m in range(1, 13)]
    else:
        if month is None:
            today = dates.today()
            chosen = (today.year, today.month)
        else:
            m = re.fullmatch(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*", month)
            if not m or not 1 <= int(m[2]) <= 12 or not 1900 <= int(m[1]) <= 2999:
                raise InvalidInput(_('can\'t read the month "{month}"; write it as 2026-10').format(month=month))
            chosen = (int(m[1]), int(m[2]))
        months = [chosen]
    first, last = date(months[0][0], months[0][1], 1), date(months[-1][0], months[-1][1], 28)
    cal = calendar.for_dates(store, first, last)
    rows = []
    for y, m in months:
        for d in cal.month(y, m):
            if year is not None and not d.exception:
                continue
            rows.append(
                {
                    "day": d.day.isoformat(),
                    "weekday": _WEEKDAYS[d.day.weekday()],
                    "workday": d.workday,
                    "name": d.name,
                    "source": d.source,
                }
            )
    unknown = cal.unknown_years(first.year, last.year)
    if unknown:
        render.message(
            _("warning: the holidays of {years} are not known yet; Monday–Friday shown").format(years=listed(unknown))
        )
    render.print_rows(
        rows,
        fmt(format, as_json),
        ("day", "weekday", "workday", "name", "source"),
        empty=_("no holidays"),
        titles={"name": "holiday_name"},
    )


@app.command("holiday")
def holiday(
    ctx: typer.Context,
    day: Annotated[str, typer.Argument(metavar="DATE", help="The first day off.")],
    to: Annotated[str | None, typer.Option("--to", help="The last day off (default: DATE).")] = None,
    name: NameOpt = None,
):
    """A holiday or closure the package does not know: not a working day.

    Example: servicedesk calendar holiday 2027-02-10 --to 2027-02-16 --name 春节
    """
    from .. import dates, render
    from ..services import calendar

    s = state(ctx)
    last = dates.parse_date(to, ahead=True) if to else None
    days = calendar.mark(s.store, dates.parse_date(day, ahead=True), last, workday=False, name=name, actor=s.actor)
    if len(days) > 1:
        render.say(_("{first} to {last} off work").format(first=days[0].isoformat(), last=days[-1].isoformat()))
    else:
        render.say(_("{day} off work").format(day=days[0].isoformat()))


@app.command("workday")
def workday(
    ctx: typer.Context,
    day: Annotated[str, typer.Argument(metavar="DATE", help="The weekend day worked.")],
    name: NameOpt = None,
):
    """A make-up working day (调休) the package does not know.

    Example: servicedesk calendar workday 2027-02-07 --name 春节调休
    """
    from .. import dates, render
    from ..services import calendar

    s = state(ctx)
    days = calendar.mark(s.store, dates.parse_date(day, ahead=True), None, workday=True, name=name, actor=s.actor)
    render.say(_("{day} is a working day").format(day=days[0].isoformat()))


def settings(
    ctx: typer.Context,
    key: Annotated[str | None, typer.Argument(metavar="KEY", help="park or yellow_days.")] = None,
    value: Annotated[str | None, typer.Argument(metavar="VALUE", help="The new value.")] = None,
    as_json: JsonOpt = False,
):
    """The park's settings: `park` (its name, heading the reports) and `yellow_days` (a ticket
    lights yellow this many working days before it is due; default 3).

    Example: servicedesk settings park 濮阳工业园区
    """
    from .. import render
    from ..errors import InvalidInput
    from ..services import calendar
    from ..views import calendar as views

    s = state(ctx)
    if value is not None:
        shown = calendar.set_setting(s.store, key, value, actor=s.actor)
        if language() == "en":
            render.say(f"{key} = {shown[key]}")
        else:
            from ..render.labels import labels

            render.say(f"{labels(None).get('field_' + key, key)} = {shown[key]}")
        return
    current = views.settings(s.store)
    if key is not None:
        if key not in current:
            raise InvalidInput(
                _('no setting "{key}"; the settings are: {keys}').format(key=key, keys=", ".join(current))
            )
        current = {key: current[key]}
    if as_json:
        render.print_data(current)
    else:
        render.details(list(current.items()))


def register(root: typer.Typer) -> None:
    root.command("settings")(settings)
