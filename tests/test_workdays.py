import subprocess
import sys
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicedesk.workdays import Calendar, Day, package_days

YEARS, PACKAGE_DAYS = package_days()


def package_calendar(*park: Day) -> Calendar:
    # Park entries first: the override must not depend on the order rows arrive in.
    return Calendar([*park, *PACKAGE_DAYS], YEARS)


def test_national_day_2026_ends_a_five_workday_limit_on_the_make_up_saturday():
    cal = package_calendar()
    opened = date(2026, 9, 28)  # Monday; 1–7 Oct is the holiday, Saturday 10 Oct is worked
    assert cal.add_workdays(opened, 5) == date(2026, 10, 10)
    assert cal.due(opened, 5, working=True) == date(2026, 10, 10)
    assert cal.due(opened, 5, working=False) == date(2026, 10, 3)
    assert cal.add_days(opened, 5) == date(2026, 10, 3)


def test_spring_festival_2026_counts_both_make_up_saturdays():
    cal = package_calendar()
    # Opened Thursday 12 Feb: 13 (Fri), 14 (Sat, 调休), 15–23 春节, 24, 25, 26, 27, 28 (Sat, 调休).
    assert cal.add_workdays(date(2026, 2, 12), 7) == date(2026, 2, 28)
    assert cal.is_workday(date(2026, 2, 14))
    assert not cal.is_workday(date(2026, 2, 16))
    # The holidays without their make-up days would give 13, 24, 25, 26, 27 Feb, 2, 3 March.
    holidays_only = Calendar([d for d in PACKAGE_DAYS if not d.workday], YEARS)
    assert holidays_only.add_workdays(date(2026, 2, 12), 7) == date(2026, 3, 3)


def test_a_park_holiday_pushes_the_due_date_later():
    closure = Day(date(2026, 9, 29), False, "园区停电", "park")
    # 30 Sep, 8, 9, 10 Oct, then the weekend: Monday 12 Oct.
    assert package_calendar(closure).add_workdays(date(2026, 9, 28), 5) == date(2026, 10, 12)


def test_a_park_workday_on_a_statutory_holiday_brings_the_due_date_earlier():
    worked = Day(date(2026, 10, 5), True, "园区值班", "park")
    # 29, 30 Sep, 5 Oct (the park's), 8, 9 Oct.
    cal = package_calendar(worked)
    assert cal.add_workdays(date(2026, 9, 28), 5) == date(2026, 10, 9)
    assert cal.is_workday(date(2026, 10, 5))


def test_a_year_unknown_to_package_and_park_counts_monday_to_friday_and_is_reported():
    cal = package_calendar()
    last = YEARS[-1]
    assert cal.unknown_years(last, last + 4) == list(range(last + 1, last + 5))
    assert cal.unknown_years(YEARS[0] - 1, YEARS[0]) == [YEARS[0] - 1]
    # 2030: 1 Oct is a Tuesday, yet without data it is a working day.
    assert cal.is_workday(date(2030, 10, 1))
    assert cal.add_workdays(date(2030, 9, 30), 5) == date(2030, 10, 7)


def test_a_park_entry_makes_its_year_known():
    year = YEARS[-1] + 1
    cal = package_calendar(Day(date(year, 1, 1), False, "元旦", "park"))
    assert year not in cal.unknown_years(year, year + 1)
    assert cal.unknown_years(year, year + 1) == [year + 1]


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2026, 3, 6), date(2026, 3, 10)),  # Friday counts itself, then Monday and Tuesday
        (date(2026, 3, 7), date(2026, 3, 11)),  # Saturday: Monday, Tuesday, Wednesday
        (date(2026, 9, 30), date(2026, 10, 9)),  # 30 Sep, then 1–7 Oct off: 8, 9 Oct
        (date(2026, 10, 3), date(2026, 10, 10)),  # inside the holiday: 8, 9 and the make-up 10 Oct
    ],
)
def test_nth_workday_from_counts_the_day_itself_and_skips_weekends_and_holidays(d, expected):
    assert package_calendar().nth_workday_from(d, 3) == expected


def test_negative_counts_are_refused():
    cal = package_calendar()
    with pytest.raises(ValueError):
        cal.add_workdays(date(2026, 1, 5), -1)
    with pytest.raises(ValueError):
        cal.nth_workday_from(date(2026, 1, 5), 0)


def test_month_names_holidays_and_marks_only_the_days_that_change_the_count():
    rows = {r.day.day: r for r in package_calendar().month(2026, 10)}
    assert len(rows) == 31
    assert (rows[1].workday, rows[1].name, rows[1].exception) == (False, "国庆节", True)
    assert (rows[3].workday, rows[3].name, rows[3].exception) == (False, "国庆节", False)  # a Saturday anyway
    assert (rows[10].workday, rows[10].name, rows[10].exception) == (True, "国庆节", True)
    assert (rows[12].workday, rows[12].name, rows[12].exception, rows[12].source) == (True, None, False, None)


def test_calendar_from_package_days_agrees_with_the_package_on_every_known_day():
    import chinese_calendar

    cal = package_calendar()
    assert YEARS.start <= 2026 < YEARS.stop  # the spec's own example needs 2026
    d, end = date(YEARS.start, 1, 1), date(YEARS.stop - 1, 12, 31)
    disagree = []
    while d <= end:
        if cal.is_workday(d) != chinese_calendar.is_workday(d):
            disagree.append(d)
        d += timedelta(days=1)
    assert disagree == []
    assert cal.unknown_years(YEARS.start, YEARS.stop - 1) == []
    with pytest.raises(NotImplementedError):  # the package's edge is where ours is
        chinese_calendar.is_workday(date(YEARS.stop, 1, 1))


def naive_add_workdays(cal: Calendar, start: date, n: int) -> date:
    d = start
    while n:
        d += timedelta(days=1)
        n -= cal.is_workday(d)
    return d


@given(
    start=st.dates(min_value=date(YEARS.start - 1, 1, 1), max_value=date(YEARS.stop, 12, 31)),
    n=st.integers(min_value=0, max_value=90),
    park=st.lists(st.tuples(st.integers(0, 120), st.booleans()), max_size=12),
)
def test_add_workdays_lands_on_the_nth_working_day_as_a_day_by_day_count_does(start, n, park):
    cal = package_calendar(*(Day(start + timedelta(days=k), w, None, "park") for k, w in park))
    due = cal.add_workdays(start, n)
    assert due == naive_add_workdays(cal, start, n)
    assert n == 0 or cal.is_workday(due)


def test_importing_the_module_does_not_import_the_holiday_package():
    check = (
        "import sys, servicedesk.workdays as w\n"
        "before = 'chinese_calendar' in sys.modules\n"
        "w.package_days()\n"
        "print(before, 'chinese_calendar' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True"]
