import dataclasses
import re
import subprocess
import sys
import time
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicedesk import dates
from servicedesk.dates import (
    FIRST_YEAR,
    LAST_YEAR,
    Limit,
    Week,
    parse_date,
    parse_due,
    parse_limit,
    parse_week,
    week_key,
    week_of,
)
from servicedesk.errors import DateError, ServicedeskError

# A Wednesday in ISO week 2022-W19 (Mon 05-09 … Sun 05-15).
TODAY = date(2022, 5, 11)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # numeric, in every separator officers use
        ("2022-05-10", date(2022, 5, 10)),
        ("2022-5-10", date(2022, 5, 10)),
        ("2022/5/10", date(2022, 5, 10)),
        ("2022.5.10", date(2022, 5, 10)),
        ("20220510", date(2022, 5, 10)),
        ("2021-12-31", date(2021, 12, 31)),
        ("2024-02-29", date(2024, 2, 29)),
        # as spreadsheets write a date cell with its time
        ("2022-05-10 00:00:00", date(2022, 5, 10)),
        ("2022-05-10T09:30", date(2022, 5, 10)),
        ("2022/5/10 9:30:15", date(2022, 5, 10)),
        ("2022-05-10T09:30:00+08:00", date(2022, 5, 10)),
        # Chinese calendar forms; no year: the latest such day not in the future (below)
        ("2022年5月10日", date(2022, 5, 10)),
        ("2022年5月10号", date(2022, 5, 10)),
        ("2021 年 12 月 3 日", date(2021, 12, 3)),
        ("5月10日", date(2022, 5, 10)),
        ("12月1号", date(2021, 12, 1)),
        # English month names, full or abbreviated, any case
        ("May 10 2022", date(2022, 5, 10)),
        ("May 10, 2022", date(2022, 5, 10)),
        ("10 May 2022", date(2022, 5, 10)),
        ("10 may, 2021", date(2021, 5, 10)),
        ("SEPT 3 2021", date(2021, 9, 3)),
        ("Dec. 25 2021", date(2021, 12, 25)),
        ("1st february 2022", date(2022, 2, 1)),
        ("june 3", date(2021, 6, 3)),
        # words
        ("today", TODAY),
        ("Yesterday", date(2022, 5, 10)),
        ("tomorrow", date(2022, 5, 12)),
        ("今天", TODAY),
        ("昨天", date(2022, 5, 10)),
        ("前天", date(2022, 5, 9)),
        ("明天", date(2022, 5, 12)),
        ("后天", date(2022, 5, 13)),
        ("月底", date(2022, 5, 31)),
        ("月初", date(2022, 5, 1)),
        # a bare weekday is that day of the current ISO week, even if already past
        ("monday", date(2022, 5, 9)),
        ("Mon", date(2022, 5, 9)),
        ("wed", TODAY),
        ("sunday", date(2022, 5, 15)),
        ("last monday", date(2022, 5, 2)),
        ("last sunday", date(2022, 5, 8)),
        ("next friday", date(2022, 5, 20)),
        ("this friday", date(2022, 5, 13)),
        ("周一", date(2022, 5, 9)),
        ("周日", date(2022, 5, 15)),
        ("周天", date(2022, 5, 15)),
        ("星期一", date(2022, 5, 9)),
        ("星期日", date(2022, 5, 15)),
        ("星期天", date(2022, 5, 15)),
        ("礼拜五", date(2022, 5, 13)),
        ("上周三", date(2022, 5, 4)),
        ("上个星期一", date(2022, 5, 2)),
        ("下周五", date(2022, 5, 20)),
        ("本周五", date(2022, 5, 13)),
        ("这周五", date(2022, 5, 13)),
        # two weeks away
        ("上上周五", date(2022, 4, 29)),
        ("上上个星期一", date(2022, 4, 25)),
        ("下下周五", date(2022, 5, 27)),
        ("下下个礼拜天", date(2022, 5, 29)),
        # offsets: no sign means ahead
        ("3d", date(2022, 5, 14)),
        ("+3d", date(2022, 5, 14)),
        ("-3d", date(2022, 5, 8)),
        ("0d", TODAY),
        ("2w", date(2022, 5, 25)),
        ("+2w", date(2022, 5, 25)),
        ("-1w", date(2022, 5, 4)),
        ("1m", date(2022, 6, 11)),
        ("-2m", date(2022, 3, 11)),
        ("3 days", date(2022, 5, 14)),
        # the same in Chinese: 前 is ago, 后 is ahead
        ("3天前", date(2022, 5, 8)),
        ("3天后", date(2022, 5, 14)),
        ("3日前", date(2022, 5, 8)),
        ("3天以前", date(2022, 5, 8)),
        ("3天之后", date(2022, 5, 14)),
        ("3 天前", date(2022, 5, 8)),
        ("0天前", TODAY),
        ("10天後", date(2022, 5, 21)),
        ("2周前", date(2022, 4, 27)),
        ("2个星期后", date(2022, 5, 25)),
        ("1个礼拜前", date(2022, 5, 4)),
        ("1个月前", date(2022, 4, 11)),
        ("3个月后", date(2022, 8, 11)),
        ("３天前", date(2022, 5, 8)),
        # whitespace, case and full-width input from Chinese IMEs
        ("  2022-05-10\n", date(2022, 5, 10)),
        ("２０２２－０５－１０", date(2022, 5, 10)),
        ("２０２２／５／１０", date(2022, 5, 10)),
        ("５月１０日", date(2022, 5, 10)),
        ("－３ｄ", date(2022, 5, 8)),
        ("\u22123d", date(2022, 5, 8)),
        ("LAST　MONDAY", date(2022, 5, 2)),
    ],
)
def test_parse_date_reads_every_documented_form(text, expected):
    assert parse_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("base", "text", "expected"),
    [
        (date(2022, 1, 31), "1m", date(2022, 2, 28)),  # clamps to the month's end
        (date(2024, 1, 31), "1m", date(2024, 2, 29)),
        (date(2022, 3, 31), "-1m", date(2022, 2, 28)),
        (date(2022, 11, 15), "3m", date(2023, 2, 15)),
        (date(2022, 3, 31), "1个月前", date(2022, 2, 28)),
        (date(2022, 1, 2), "3天前", date(2021, 12, 30)),
        (date(2022, 12, 5), "月底", date(2022, 12, 31)),
        (date(2024, 2, 5), "月底", date(2024, 2, 29)),
        (date(2023, 2, 5), "月底", date(2023, 2, 28)),
        (
            date(2022, 1, 2),
            "monday",
            date(2021, 12, 27),
        ),  # Sunday: its week began in 2021
        (date(2022, 1, 2), "5月10日", date(2021, 5, 10)),
        (date(2021, 12, 31), "tomorrow", date(2022, 1, 1)),
    ],
)
def test_parse_date_relative_forms_at_month_and_year_ends(base, text, expected):
    assert parse_date(text, today=base) == expected


@pytest.mark.parametrize(
    ("base", "text", "expected"),
    [
        (date(2027, 1, 5), "12月28日", date(2026, 12, 28)),  # the field trial's case
        (date(2027, 1, 5), "Dec 28", date(2026, 12, 28)),
        (date(2027, 1, 5), "28 december", date(2026, 12, 28)),
        (date(2027, 1, 5), "１２月２８日", date(2026, 12, 28)),
        (date(2027, 3, 1), "2月29日", date(2024, 2, 29)),  # the latest Feb 29 there was
        (date(2024, 2, 28), "2月29日", date(2020, 2, 29)),
        (date(2103, 3, 1), "2月29日", date(2096, 2, 29)),  # 2100 is not a leap year
    ],
)
def test_a_date_without_its_year_is_the_latest_such_day_not_in_the_future(base, text, expected):
    assert parse_date(text, today=base) == expected


@pytest.mark.parametrize(
    ("base", "text", "expected"),
    [
        (date(2027, 1, 5), "12月28日", date(2027, 12, 28)),
        (date(2026, 12, 2), "1月5日", date(2027, 1, 5)),
        (date(2022, 5, 11), "june 3", date(2022, 6, 3)),
        (date(2022, 5, 11), "May 10", date(2023, 5, 10)),
        (date(2025, 3, 1), "2月29日", date(2028, 2, 29)),  # the next Feb 29 there is
        (date(2097, 1, 1), "2月29日", date(2104, 2, 29)),
    ],
)
def test_a_due_date_without_its_year_is_the_next_such_day(base, text, expected):
    assert parse_date(text, today=base, ahead=True) == expected


@pytest.mark.parametrize(
    ("base", "text", "expected"),
    [
        # month.day and month/day, as officers jot them
        (date(2026, 12, 2), "11.26", date(2026, 11, 26)),
        (date(2026, 12, 2), "11/26", date(2026, 11, 26)),
        (date(2026, 12, 2), "1.5", date(2026, 1, 5)),
        (date(2026, 12, 2), "01/05", date(2026, 1, 5)),
        (date(2026, 12, 2), "12.25", date(2025, 12, 25)),  # not yet this year
        (date(2027, 1, 5), "12/28", date(2026, 12, 28)),
        (date(2026, 12, 2), "１１．２６", date(2026, 11, 26)),
        (date(2026, 12, 2), "１１／２６", date(2026, 11, 26)),
        # a day of this month, or of the latest month where it is not in the future
        (date(2026, 12, 2), "3号", date(2026, 11, 3)),  # cli.md: 12-03 is tomorrow
        (date(2026, 12, 2), "2号", date(2026, 12, 2)),
        (date(2026, 12, 2), "1日", date(2026, 12, 1)),
        (date(2026, 12, 2), "3 号", date(2026, 11, 3)),
        (date(2026, 12, 2), "３号", date(2026, 11, 3)),
        (date(2027, 1, 5), "28号", date(2026, 12, 28)),
        (date(2026, 3, 15), "31号", date(2026, 1, 31)),  # no 31 February
        (date(2026, 5, 10), "31号", date(2026, 3, 31)),  # no 31 April
        (date(2026, 3, 15), "29号", date(2026, 1, 29)),  # 2026 has no February 29
        (date(2024, 3, 15), "29号", date(2024, 2, 29)),
    ],
)
def test_month_day_and_day_of_month_forms_for_an_event(base, text, expected):
    assert parse_date(text, today=base) == expected


@pytest.mark.parametrize(
    ("base", "text", "expected"),
    [
        (date(2026, 12, 2), "11.26", date(2027, 11, 26)),
        (date(2026, 12, 2), "12/25", date(2026, 12, 25)),
        (date(2026, 12, 2), "3号", date(2026, 12, 3)),
        (date(2026, 12, 2), "2日", date(2026, 12, 2)),
        (date(2026, 12, 2), "1号", date(2027, 1, 1)),
        (date(2026, 2, 1), "31号", date(2026, 3, 31)),
        (date(2026, 4, 5), "31号", date(2026, 5, 31)),
        (date(2026, 1, 30), "29号", date(2026, 3, 29)),
        (date(2028, 1, 30), "29号", date(2028, 2, 29)),
    ],
)
def test_month_day_and_day_of_month_forms_for_a_due_date(base, text, expected):
    assert parse_date(text, today=base, ahead=True) == expected


@pytest.mark.parametrize("text", ["13.1", "2.30", "0/5", "11/31", "0号", "32号", "00日"])
def test_month_day_and_day_of_month_forms_refuse_days_that_do_not_exist(text):
    with pytest.raises(DateError, match=re.escape(f'"{text}": no such day')):
        parse_date(text, today=TODAY)


@pytest.mark.parametrize("base", [date(2026, 12, 2), date(2024, 2, 29), date(2026, 12, 31), date(2027, 1, 1)])
def test_today_is_the_boundary_of_both_rules(base):
    yesterday, tomorrow = base - timedelta(days=1), base + timedelta(days=1)

    def yearless(d):
        return f"{d.month}月{d.day}日"

    # For an event today is not in the future, tomorrow is; for a due date today is not past.
    assert parse_date(yearless(base), today=base) == base
    assert parse_date(yearless(tomorrow), today=base) < base
    assert parse_date(yearless(base), today=base, ahead=True) == base
    assert parse_date(yearless(yesterday), today=base, ahead=True) > base


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yesterday", date(2022, 5, 10)),
        ("-3d", date(2022, 5, 8)),
        ("monday", date(2022, 5, 9)),
        ("上周三", date(2022, 5, 4)),
        ("月初", date(2022, 5, 1)),
        ("2020-01-01", date(2020, 1, 1)),
        ("2021年5月10日", date(2021, 5, 10)),
        ("May 10 2021", date(2021, 5, 10)),
    ],
)
def test_ahead_leaves_relative_words_and_full_dates_alone(text, expected):
    assert parse_date(text, today=TODAY, ahead=True) == expected == parse_date(text, today=TODAY)


@pytest.mark.parametrize("text", ["2月30日", "13月1日", "feb 30"])
def test_a_due_date_on_a_day_no_year_has_is_refused(text):
    with pytest.raises(DateError, match=re.escape(f'"{text}": no such day')):
        parse_date(text, today=TODAY, ahead=True)


def test_a_yearless_date_that_falls_before_the_ledger_years_is_refused():
    with pytest.raises(DateError, match="outside 1900–2999"):
        parse_date("12月28日", today=date(1900, 1, 5))


def test_parse_date_defaults_to_the_local_today(monkeypatch):
    monkeypatch.setattr(dates, "today", lambda: TODAY)
    assert parse_date("yesterday") == date(2022, 5, 10)
    assert parse_week("last") == Week(2022, 18)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "2022-13-45",
        "2022-02-30",
        "2023-02-29",
        "0000-01-01",
        "2022-5/10",
        "13月1日",
        "2月30日",
        "May 32 2022",
        "Smarch 3 2022",
        "ma 3",
        "someday",
        "last",
        "next week",
        "周八",
        "上周",
        "上上周",
        "上上上周五",
        "天前",
        "-3天前",
        "3月前",
        "3天前后",
        "3x",
        "+999999w",
        "-99999m",
        "10",
        "2022",
        "2022-W19",
        "11/26/2022",
        "11.26.",
        "1126",
        "111.26",
        "号",
        "3号日",
        "٢٠٢٢-٠٥-١٠",  # Arabic-Indic digits are not what officers type
    ],
)
def test_parse_date_rejects_unreadable_input_naming_it(text):
    with pytest.raises(DateError) as caught:
        parse_date(text, today=TODAY)
    assert f'"{text.strip()}"' in str(caught.value)
    assert "try 2022-05-10" in str(caught.value)


def test_date_error_is_a_servicedesk_error_with_the_documented_message():
    with pytest.raises(ServicedeskError, match=re.escape('the date "2022-13-45"')):
        parse_date("2022-13-45", today=TODAY)


@pytest.mark.parametrize(
    ("text", "key", "start", "end"),
    [
        ("2022-W19", "2022-W19", date(2022, 5, 9), date(2022, 5, 15)),
        ("2022W19", "2022-W19", date(2022, 5, 9), date(2022, 5, 15)),
        ("2022-w19", "2022-W19", date(2022, 5, 9), date(2022, 5, 15)),
        ("2022-W1", "2022-W01", date(2022, 1, 3), date(2022, 1, 9)),
        ("2022年第19周", "2022-W19", date(2022, 5, 9), date(2022, 5, 15)),
        ("2020-W53", "2020-W53", date(2020, 12, 28), date(2021, 1, 3)),
        ("2026-W53", "2026-W53", date(2026, 12, 28), date(2027, 1, 3)),
        ("this", "2022-W19", date(2022, 5, 9), date(2022, 5, 15)),
        ("this week", "2022-W19", date(2022, 5, 9), date(2022, 5, 15)),
        ("本周", "2022-W19", date(2022, 5, 9), date(2022, 5, 15)),
        ("这周", "2022-W19", date(2022, 5, 9), date(2022, 5, 15)),
        ("last", "2022-W18", date(2022, 5, 2), date(2022, 5, 8)),
        ("上周", "2022-W18", date(2022, 5, 2), date(2022, 5, 8)),
        ("上个星期", "2022-W18", date(2022, 5, 2), date(2022, 5, 8)),
        ("next", "2022-W20", date(2022, 5, 16), date(2022, 5, 22)),
        ("下周", "2022-W20", date(2022, 5, 16), date(2022, 5, 22)),
        ("上上周", "2022-W17", date(2022, 4, 25), date(2022, 5, 1)),
        ("上上个星期", "2022-W17", date(2022, 4, 25), date(2022, 5, 1)),
        ("下下周", "2022-W21", date(2022, 5, 23), date(2022, 5, 29)),
        ("上上周五", "2022-W17", date(2022, 4, 25), date(2022, 5, 1)),
        # any date parse_date reads → the week containing it
        ("2022-05-15", "2022-W19", date(2022, 5, 9), date(2022, 5, 15)),
        ("yesterday", "2022-W19", date(2022, 5, 9), date(2022, 5, 15)),
        ("上周三", "2022-W18", date(2022, 5, 2), date(2022, 5, 8)),
        ("-7d", "2022-W18", date(2022, 5, 2), date(2022, 5, 8)),
        # year boundaries: the ISO year is not the calendar year
        ("2021-01-03", "2020-W53", date(2020, 12, 28), date(2021, 1, 3)),
        ("2021-01-04", "2021-W01", date(2021, 1, 4), date(2021, 1, 10)),
        ("2024-12-30", "2025-W01", date(2024, 12, 30), date(2025, 1, 5)),
        ("2022-01-01", "2021-W52", date(2021, 12, 27), date(2022, 1, 2)),
    ],
)
def test_parse_week_reads_keys_words_and_dates(text, key, start, end):
    week = parse_week(text, today=TODAY)
    assert (week.key, week.start, week.end, str(week)) == (key, start, end, key)
    assert week.start.weekday() == 0 and week.end.weekday() == 6


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("2021-W53", "2021 has no week 53"),
        ("2022-W53", "2022 has no week 53"),
        ("2022-W00", "2022 has no week 0"),
        ("2022-W54", "2022 has no week 54"),
        ("0000-W01", "outside 1900–2999"),
        ("someday", ""),
        ("", ""),
        ("2022-02-30", ""),
        ("W19", ""),
    ],
)
def test_parse_week_rejects_weeks_that_do_not_exist(text, why):
    with pytest.raises(DateError, match=re.escape(f'the week "{text}"')) as caught:
        parse_week(text, today=TODAY)
    assert why in str(caught.value)


@pytest.mark.parametrize(
    ("d", "key"),
    [
        (date(2022, 5, 11), "2022-W19"),
        (date(2021, 1, 3), "2020-W53"),
        (date(2024, 12, 30), "2025-W01"),
        (date(2022, 1, 9), "2022-W01"),
    ],
)
def test_week_key_uses_the_iso_year_and_pads_the_number(d, key):
    assert week_key(d) == key
    assert week_of(d).key == key
    assert d in week_of(d)


def test_week_previous_crosses_year_boundaries():
    assert Week(2021, 1).previous() == Week(2020, 53)
    assert Week(2022, 19).previous(19) == Week(2021, 52)
    assert Week(2020, 53).previous(-1) == Week(2021, 1)
    assert Week(2022, 19).previous(0) == Week(2022, 19)


def test_weeks_sort_and_hash_by_year_and_number():
    weeks = [Week(2022, 1), Week(2020, 53), Week(2021, 52)]
    assert sorted(weeks) == [Week(2020, 53), Week(2021, 52), Week(2022, 1)]
    assert len({Week(2022, 19), week_of(TODAY)}) == 1


def test_week_without_such_number_is_a_value_error():
    with pytest.raises(ValueError):
        Week(2021, 53)


def test_today_and_now_follow_tz_set_at_run_time(monkeypatch):
    try:
        monkeypatch.setenv("TZ", "Etc/GMT-14")  # POSIX sign: this is UTC+14
        assert dates.now_iso().endswith("+14:00")
        ahead = dates.today()
        monkeypatch.setenv("TZ", "Etc/GMT+12")
        assert dates.now_iso().endswith("-12:00")
        # 26 hours apart: the two local dates differ by one or two days
        assert ahead - dates.today() in (timedelta(days=1), timedelta(days=2))
    finally:
        monkeypatch.undo()
        time.tzset()


def test_importing_dates_compiles_no_pattern():
    # dates is on the CLI's start-up path: its patterns compile on first use, not at import.
    spy = (
        "import dataclasses, datetime, re, sys, time, unicodedata; compiled = []; compile = re.compile; "
        "re.compile = lambda *a, **k: compiled.append(a[0]) or compile(*a, **k); "
        "import servicedesk.dates; print(compiled); sys.exit(bool(compiled))"
    )
    run = subprocess.run([sys.executable, "-c", spy], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_now_iso_has_seconds_precision_and_an_offset():
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", dates.now_iso())


# --- time limits ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10d", Limit(10, working=False)),
        ("10天", Limit(10, working=False)),
        ("10 days", Limit(10, working=False)),
        ("1 day", Limit(1, working=False)),
        ("10 D", Limit(10, working=False)),
        ("30个自然日", Limit(30, working=False)),
        ("10天内", Limit(10, working=False)),
        ("3650d", Limit(3650, working=False)),
        ("15wd", Limit(15, working=True)),
        ("15 wd", Limit(15, working=True)),
        ("15WD", Limit(15, working=True)),
        ("15工作日", Limit(15, working=True)),
        ("15个工作日", Limit(15, working=True)),
        ("15 个工作日", Limit(15, working=True)),
        ("15个工作日内", Limit(15, working=True)),
        ("15个工作日以内", Limit(15, working=True)),
        ("15 working days", Limit(15, working=True)),
        ("1 Working Day", Limit(1, working=True)),
        ("015wd", Limit(15, working=True)),
        ("１５个工作日", Limit(15, working=True)),
        ("１５ｗｄ", Limit(15, working=True)),
    ],
)
def test_parse_limit_reads_calendar_and_working_days(text, expected):
    assert parse_limit(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "10",
        "d",
        "wd",
        "+10d",
        "-3d",
        "2w",
        "1m",
        "3天后",
        "3天前",
        "10日",
        "10号",
        "2022-05-10",
        "next friday",
        "10 weeks",
    ],
)
def test_parse_limit_returns_none_for_what_is_not_a_limit(text):
    assert parse_limit(text) is None


@pytest.mark.parametrize("text", ["0d", "0wd", "00天", "3651d", "3651个工作日", "99999wd", "9" * 5000 + "d"])
def test_parse_limit_refuses_a_limit_outside_one_to_3650_days_naming_it(text):
    with pytest.raises(DateError, match="a limit is 1 to 3650 days") as caught:
        parse_limit(text)
    assert f'the limit "{text}"' in str(caught.value)


def test_a_limit_prints_as_it_is_written_and_is_frozen():
    assert (str(Limit(30, False)), str(Limit(15, True))) == ("30d", "15wd")
    assert parse_limit(str(Limit(15, True))) == Limit(15, True)
    assert len({Limit(10, False), Limit(10, False), Limit(10, True)}) == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        Limit(10, False).days = 11


@pytest.mark.parametrize(
    ("base", "text", "expected"),
    [
        (TODAY, "10d", Limit(10, working=False)),
        (TODAY, "15个工作日", Limit(15, working=True)),
        (TODAY, "15wd", Limit(15, working=True)),
        # signed offsets and other relative words stay dates counted from today
        (TODAY, "+10d", date(2022, 5, 21)),
        (TODAY, "-3d", date(2022, 5, 8)),
        (TODAY, "3天后", date(2022, 5, 14)),
        (TODAY, "2w", date(2022, 5, 25)),
        (TODAY, "next friday", date(2022, 5, 20)),
        (TODAY, "2022-06-30", date(2022, 6, 30)),
        # without a year (or month): the next such day
        (date(2027, 1, 5), "12月28日", date(2027, 12, 28)),
        (date(2027, 1, 5), "Dec 28", date(2027, 12, 28)),
        (date(2026, 12, 2), "11.26", date(2027, 11, 26)),
        (date(2026, 12, 2), "3号", date(2026, 12, 3)),
        (date(2026, 12, 2), "10日", date(2026, 12, 10)),  # 日 is a day of the month, 天 a limit
    ],
)
def test_parse_due_reads_a_limit_or_a_date_ahead(base, text, expected):
    assert parse_due(text, today=base) == expected


def test_3d_is_three_days_ahead_for_a_date_but_a_limit_for_a_due():
    assert parse_date("10d", today=TODAY) == date(2022, 5, 21)
    assert parse_due("10d", today=TODAY) == Limit(10, working=False)


def test_parse_due_defaults_to_the_local_today(monkeypatch):
    monkeypatch.setattr(dates, "today", lambda: date(2027, 1, 5))
    assert parse_due("12月28日") == date(2027, 12, 28)


@pytest.mark.parametrize(
    ("text", "why"), [("someday", ""), ("2月30日", ": no such day"), ("0d", ": a limit is 1 to 3650")]
)
def test_parse_due_names_the_value_and_suggests_a_limit(text, why):
    with pytest.raises(DateError, match=re.escape(f'"{text}"{why}')) as caught:
        parse_due(text, today=TODAY)
    assert "15wd" in str(caught.value)


# --- properties -----------------------------------------------------------------------

# Characters the grammar cares about, so generated text reaches deep into each form.
_DATE_ALPHABET = "0123456789０１２-/.+－／ 年月日号周星期礼拜上下本这个天底初前后工作内dwmaytsW"
_texts = st.text() | st.text(alphabet=_DATE_ALPHABET, max_size=12)
_days = st.dates()
_ledger_days = st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31))


@given(text=_texts, base=_days)
def test_parse_date_returns_a_date_or_raises_date_error(text, base):
    try:
        assert isinstance(parse_date(text, today=base), date)
    except DateError as e:
        assert text.strip() in str(e)


@given(text=_texts, base=_days)
def test_parse_week_returns_a_week_or_raises_date_error(text, base):
    try:
        assert isinstance(parse_week(text, today=base), Week)
    except DateError as e:
        assert text.strip() in str(e)


@given(text=_texts, base=_days)
def test_parse_due_returns_a_date_or_a_limit_or_raises_date_error(text, base):
    try:
        limit = parse_limit(text)
        assert limit is None or 1 <= limit.days <= 3650
        assert isinstance(parse_due(text, today=base), date | Limit)
    except DateError as e:
        assert text.strip() in str(e)


@given(days=st.integers(1, 3650), working=st.booleans())
def test_limits_round_trip_through_their_text(days, working):
    assert parse_limit(str(Limit(days, working))) == Limit(days, working) == parse_due(str(Limit(days, working)))


def _walk(base: date, ahead: bool, wanted) -> date:
    # The oracle: step a day at a time from today, the way the rule is worded.
    step = timedelta(days=1 if ahead else -1)
    d = base
    while not wanted(d):
        d += step
    return d


_MONTH_DAY_FORMS = ["{m}月{d}日", "{m}月{d}号", "{m}.{d}", "{m}/{d}", "{name} {d}", "{d} {name}"]
_yearless_bases = st.dates(min_value=date(1910, 1, 1), max_value=date(2990, 12, 31))


@given(base=_yearless_bases, day=st.dates(date(2000, 1, 1), date(2000, 12, 31)), form=st.sampled_from(_MONTH_DAY_FORMS))
def test_a_yearless_date_is_the_nearest_one_never_in_the_future_for_an_event_never_past_for_a_due(base, day, form):
    text = form.format(m=day.month, d=day.day, name=dates._MONTHS[day.month - 1])
    event, due = parse_date(text, today=base), parse_date(text, today=base, ahead=True)
    assert event <= base <= due
    assert event == _walk(base, False, lambda d: (d.month, d.day) == (day.month, day.day))
    assert due == _walk(base, True, lambda d: (d.month, d.day) == (day.month, day.day))
    assert parse_due(text, today=base) == due


@given(base=_yearless_bases, day=st.integers(1, 31), form=st.sampled_from(["{d}号", "{d}日"]))
def test_a_day_of_the_month_is_the_nearest_one_never_in_the_future_for_an_event_never_past_for_a_due(base, day, form):
    text = form.format(d=day)
    event, due = parse_date(text, today=base), parse_date(text, today=base, ahead=True)
    assert event <= base <= due
    assert event == _walk(base, False, lambda d: d.day == day)
    assert due == _walk(base, True, lambda d: d.day == day)


@given(d=_ledger_days)
def test_iso_dates_and_week_keys_round_trip(d):
    assert parse_date(d.isoformat()) == d
    assert week_key(d) == f"{d.isocalendar()[0]:04d}-W{d.isocalendar()[1]:02d}"
    week = week_of(d)
    assert week.start <= d <= week.end
    if FIRST_YEAR <= week.year <= LAST_YEAR:  # 1900-01-01 is in 1900-W01; 2999-12-31 may be in 3000-W01
        assert parse_week(week.key) == week


@pytest.mark.parametrize("text", ["+999999w", "-99999m", "999999天后", "99999个月前"])
def test_offsets_past_the_ledger_years_say_so(text):
    with pytest.raises(DateError, match=re.escape(f'"{text}": outside 1900–2999')):
        parse_date(text, today=TODAY)


@pytest.mark.parametrize("text", ["0001-01-01", "0202-05-10", "3000-01-01", "9999-12-31"])
def test_dates_outside_the_ledger_years_are_refused(text):
    with pytest.raises(DateError, match="outside 1900–2999"):
        parse_date(text)


@pytest.mark.parametrize("text", ["0001-W01", "9999-W52"])
def test_weeks_outside_the_ledger_years_are_refused(text):
    with pytest.raises(DateError, match="outside 1900–2999"):
        parse_week(text)
