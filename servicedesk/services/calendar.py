"""The park's calendar and settings: the package's holidays copied into the ledger when a
due date needs them, the park's own holidays and make-up days, and `settings`."""

import warnings
from datetime import date, timedelta

from ..errors import InvalidInput, Notice
from ..i18n import _
from ..models import clean_line
from ..store import Store
from ..views import calendar as views
from ..workdays import Calendar
from .roster import record_change

MAX_HOLIDAY_DAYS = 60


def sync_package(store: Store) -> range:
    """Copy the chinese-calendar package's days into the ledger (imports the package)."""
    from ..workdays import package_days

    years, days = package_days()
    with store.write():
        store.conn.execute("DELETE FROM calendar WHERE source = 'package'")
        store.conn.executemany(
            "INSERT INTO calendar (day, source, workday, name) VALUES (?, 'package', ?, ?)",
            [(d.day.isoformat(), int(d.workday), d.name) for d in days],
        )
        value = f"{years.start}-{years.stop - 1}"
        store.conn.execute(
            "INSERT INTO meta (key, value) VALUES ('calendar_years', ?) ON CONFLICT (key) DO UPDATE SET value = ?",
            (value, value),
        )
    return years


def for_dates(store: Store, *days: date) -> Calendar:
    """The calendar to count working days over `days`: the package's copy is made (or
    renewed, in case a newer package knows more years) when the ledger lacks one of them."""
    known = views.known_years(store)
    if known is None or any(d.year not in known for d in days):
        sync_package(store)
    return views.load(store)


def due(store: Store, opened: date, limit) -> date:
    """A due date from an opening day and a dates.Limit (the opening day not counted)."""
    if not limit.working:
        return opened + timedelta(days=limit.days)
    # Working days run past the limit's calendar span by weekends and holidays: a year's margin.
    calendar = for_dates(store, opened, opened + timedelta(days=limit.days * 2 + 40))
    found = calendar.due(opened, limit.days, True)
    unknown = calendar.unknown_years(opened.year, found.year)
    if unknown:
        years = ", ".join(str(y) for y in unknown)
        warnings.warn(
            Notice(
                _(
                    "the holidays of {years} are not known yet, so Monday–Friday were counted; "
                    "add them with `servicedesk calendar holiday` / `calendar workday`"
                ).format(years=years)
            ),
            stacklevel=2,
        )
    return found


def mark(
    store: Store, first: date, last: date | None, *, workday: bool, name: str | None, actor: str | None
) -> list[date]:
    """The park's own holiday (from `first` to `last`) or make-up working day."""
    last = last or first
    if last < first:
        raise InvalidInput(_("--to {last} is before {first}").format(last=last.isoformat(), first=first.isoformat()))
    if (last - first).days >= MAX_HOLIDAY_DAYS:
        raise InvalidInput(_("a holiday is at most {n} days long; give the dates in parts").format(n=MAX_HOLIDAY_DAYS))
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    text = clean_line(name)
    with store.write():
        changeset = store.changeset(actor)
        for d in days:
            old = store.row("SELECT workday, name FROM calendar WHERE day = ? AND source = 'park'", (d.isoformat(),))
            store.conn.execute(
                """INSERT INTO calendar (day, source, workday, name, changeset) VALUES (?, 'park', ?, ?, ?)
                ON CONFLICT (day, source) DO UPDATE SET workday = excluded.workday, name = excluded.name,
                changeset = excluded.changeset""",
                (d.isoformat(), int(workday), text, changeset),
            )
            record_change(store, actor, "calendar", d.isoformat(), "workday" if workday else "holiday",
                          {"workday": [old and old["workday"], int(workday)], "name": [old and old["name"], text]})  # fmt: skip
    return days


def set_setting(store: Store, key: str, value: str | None, *, actor: str | None) -> dict:
    if key not in views.SETTINGS:
        raise InvalidInput(
            _('no setting "{key}"; the settings are: {keys}').format(key=key, keys=", ".join(views.SETTINGS))
        )
    text = clean_line(value)
    if key == "yellow_days" and (not (text or "").isdecimal() or not 1 <= int(text) <= 30):
        raise InvalidInput(_('yellow_days is a number of working days from 1 to 30, not "{value}"').format(value=value))
    with store.write():
        old = views.settings(store)[key]
        store.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, text),
        )
        record_change(store, actor, "setting", key, "set", {"value": [old, text]})
    return views.settings(store)
