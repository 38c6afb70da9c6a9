"""Working days (工作日) on the statutory calendar: Monday to Friday, minus the holidays the
State Council announces, plus its make-up working days (调休), plus the park's own entries.

Two halves, so that `--help` and `ticket list` never pay for the holiday package:

- `package_days()` is the only place that imports `chinese_calendar`; the commands that set a
  due date or show the calendar call it (and the store may keep its rows).
- `Calendar` does the arithmetic from plain `Day` rows and the years they cover, whatever
  they came from, with the standard library only.

A year neither the package nor the park knows counts Monday to Friday; `unknown_years`
lets the caller say so in one line instead of failing.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

Source = Literal["package", "park"]

_WEEK = 7
_WORKDAYS_PER_WEEK = 5


@dataclass(frozen=True)
class Day:
    """A day whose status or name the calendar records: `Day(date(2026, 10, 10), True, "国庆节", "package")`."""

    day: date
    workday: bool
    name: str | None
    source: Source

    @property
    def exception(self) -> bool:
        """True when it breaks the Monday-to-Friday rule: a weekday off or a weekend worked."""
        return self.workday != _is_weekday(self.day)


@dataclass(frozen=True)
class MonthDay:
    """One row of `calendar show --month`. `source` is None for an ordinary day."""

    day: date
    workday: bool
    name: str | None
    exception: bool
    source: Source | None


def _is_weekday(d: date) -> bool:
    return d.weekday() < 5


def package_days() -> tuple[range, list[Day]]:
    """The years the `chinese-calendar` package covers and the days it records in them.

    The days are every day of each statutory holiday, weekends included (so the month view
    can name them), and every make-up working day, each with the holiday's Chinese name
    (春节, 国庆节, …). The weekday holidays and the weekend make-up days are the exceptions
    that change the count (`Day.exception`).

    Imports the package (a few milliseconds), once per process.
    """
    years, days = _package_days()
    return years, list(days)


@functools.cache
def _package_days() -> tuple[range, tuple[Day, ...]]:
    # The package's public module is only utils + constants; `holidays` and `workdays` map a
    # date to a `Holiday` enum value (its English name), and `is_workday` raises
    # NotImplementedError outside min(holidays).year..max(holidays).year.
    from chinese_calendar import Holiday, holidays, workdays

    def chinese(value: str) -> str:
        try:
            return Holiday(value).chinese
        except ValueError:  # a name added to the data before the enum learns it
            return value

    years = range(min(holidays).year, max(holidays).year + 1)
    days = [Day(d, False, chinese(v), "package") for d, v in holidays.items()]
    days += [Day(d, True, chinese(v), "package") for d, v in workdays.items()]
    days.sort(key=lambda x: x.day)
    return years, tuple(days)


class Calendar:
    """Working-day arithmetic over recorded days; no import of the holiday package.

    `Calendar(days, known_years)`: `days` from `package_days()` and the park's table, in any
    order; for the same date a park entry overrides the package's, and among entries of one
    source the last one wins. A year is known if it is in `known_years` or the park has an
    entry in it.

        years, days = package_days()
        cal = Calendar(days + park_days, years)
        cal.add_workdays(date(2026, 9, 28), 5)  # date(2026, 10, 10), a make-up Saturday
    """

    def __init__(self, days: Iterable[Day], known_years: Iterable[int]) -> None:
        chosen: dict[date, Day] = {}
        for entry in days:
            held = chosen.get(entry.day)
            if held is None or entry.source == "park" or held.source != "park":
                chosen[entry.day] = entry
        self._days = chosen
        self._known = set(known_years) | {d.day.year for d in chosen.values() if d.source == "park"}
        # Ordinal → workday for the days that break Monday-to-Friday; arithmetic in ordinals
        # is the fast path (date(1, 1, 1), ordinal 1, is a Monday).
        self._exceptions = {d.day.toordinal(): d.workday for d in chosen.values() if d.exception}
        self._ordered = sorted(self._exceptions)

    def _workday_ordinal(self, o: int) -> bool:
        flag = self._exceptions.get(o)
        if flag is not None:
            return flag
        return (o - 1) % _WEEK < _WORKDAYS_PER_WEEK

    def is_workday(self, d: date) -> bool:
        """Monday to Friday, unless a holiday or a make-up working day says otherwise."""
        return self._workday_ordinal(d.toordinal())

    def add_workdays(self, start: date, n: int) -> date:
        """The n-th working day after `start`, `start` not counted (n = 0 gives `start`).

        Opened Monday 2026-09-28 with 5 working days: 29, 30 Sep, 8, 9, 10 Oct → 2026-10-10.
        """
        if n < 0:
            raise ValueError(f"a number of working days can't be negative: {n}")
        o = start.toordinal()
        left = n
        ahead = self._ordered
        while left:
            if left > _WORKDAYS_PER_WEEK:
                # Seven days without an exception hold exactly five working days: jump whole
                # weeks up to the next exception, keeping at least one working day to step to
                # (with five left, the fifth may fall before the seventh day).
                i = bisect.bisect_right(ahead, o)
                clear = (ahead[i] - o - 1) if i < len(ahead) else left * _WEEK
                weeks = min((left - 1) // _WORKDAYS_PER_WEEK, clear // _WEEK)
                if weeks:
                    o += weeks * _WEEK
                    left -= weeks * _WORKDAYS_PER_WEEK
                    continue
            o += 1
            if self._workday_ordinal(o):
                left -= 1
        return date.fromordinal(o)

    @staticmethod
    def add_days(start: date, n: int) -> date:
        """`start` plus n calendar days."""
        return start + timedelta(days=n)

    def due(self, start: date, limit_days: int, working: bool) -> date:
        """The due date of a limit counted from `start`: `15wd` → `due(start, 15, True)`, `30d` → `due(start, 30, False)`."""
        return self.add_workdays(start, limit_days) if working else self.add_days(start, limit_days)

    def nth_workday_from(self, d: date, k: int) -> date:
        """The k-th working day counting `d` itself when it is one (k ≥ 1).

        The yellow light: a ticket due between D and `nth_workday_from(D, 3)` is due within
        the next 3 working days, D included.
        """
        if k < 1:
            raise ValueError(f"k counts working days from 1: {k}")
        return self.add_workdays(d - timedelta(days=1), k)

    def unknown_years(self, first: int, last: int) -> list[int]:
        """Years in first..last that neither the package nor the park knows (Monday to Friday is used)."""
        return [y for y in range(first, last + 1) if y not in self._known]

    def month(self, year: int, month: int) -> list[MonthDay]:
        """Every day of the month with its working-day flag, name and whether it is an exception."""
        first = date(year, month, 1)
        rows = []
        d = first
        while d.month == month:
            entry = self._days.get(d)
            rows.append(
                MonthDay(
                    day=d,
                    workday=self.is_workday(d),
                    name=entry.name if entry else None,
                    exception=entry.exception if entry else False,
                    source=entry.source if entry else None,
                )
            )
            d += timedelta(days=1)
        return rows
