"""Every way an officer writes a date, a week or a time limit → a `date`, `Week` or `Limit`.

Imported on the CLI's start-up path, so only the standard library and hand-written
regexes: no dateutil, and no calendar (it drags in locale).
"""

from __future__ import annotations

import re
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from servicedesk.errors import DateError
from servicedesk.i18n import _, pgettext


def _hint(what: str) -> str:
    return {
        "date": _("try 2022-05-10, 5月10日, yesterday, last monday or -3d"),
        "week": _("try 2022-W19, this, last, next or any date in the week"),
        "due date": _("try 2022-05-10, 5月10日, next friday, +3d, or a limit from the opening: 10d, 15wd, 15个工作日"),
        "limit": _("try 10d, 10天, 15wd or 15个工作日"),
    }[what]


def _unreadable(what: str, text: str, why: str = "") -> DateError:
    said = {
        "date": pgettext("unreadable", "date"),
        "week": pgettext("unreadable", "week"),
        "due date": pgettext("unreadable", "due date"),
        "limit": pgettext("unreadable", "limit"),
    }[what]
    return DateError(
        _('can\'t read the {what} "{text}"{why}; {hint}').format(
            what=said, text=text.strip(), why=why, hint=_hint(what)
        )
    )


def _local_now() -> datetime:
    if hasattr(time, "tzset"):  # not on Windows
        # The C library reads TZ once at start-up; tests and CliRunner(env=...) set it later.
        time.tzset()
    return datetime.now().astimezone()


def today() -> date:
    """The local date (TZ respected)."""
    return _local_now().date()


def now_iso() -> str:
    """The current moment with its UTC offset, e.g. 2022-05-18T09:30:12+08:00."""
    return _local_now().isoformat(timespec="seconds")


@dataclass(frozen=True, order=True)
class Week:
    """An ISO week, Monday to Sunday: `Week(2022, 19)`. ValueError if the year lacks it."""

    year: int
    number: int
    start: date = field(init=False, compare=False)  # Monday
    end: date = field(init=False, compare=False)  # Sunday
    key: str = field(init=False, compare=False)  # "2022-W19"

    def __post_init__(self) -> None:
        start = date.fromisocalendar(self.year, self.number, 1)
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", start + timedelta(days=6))
        object.__setattr__(self, "key", f"{self.year:04d}-W{self.number:02d}")

    def previous(self, n: int = 1) -> Week:
        """The week n weeks earlier; a negative n goes forward."""
        return week_of(self.start - timedelta(weeks=n))

    def __contains__(self, d: date) -> bool:
        return self.start <= d <= self.end

    def __str__(self) -> str:
        return self.key


def week_of(d: date) -> Week:
    year, number, _ = d.isocalendar()
    return Week(year, number)


def week_key(d: date) -> str:
    year, number, _ = d.isocalendar()
    return f"{year:04d}-W{number:02d}"


# --- reading dates ------------------------------------------------------------------

_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december"]  # fmt: skip
_DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_CN_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_CN_WEEK = "(?:周|週|星期|礼拜|禮拜)"
_CN_SHIFT = "(?:(?P<shift>上上|下下|[本这這上下])个?)"
# How many weeks a prefix moves away from the current ISO week.
_SHIFTS = {
    **dict.fromkeys([None, "this", "本", "这", "這"], 0),
    **dict.fromkeys(["last", "上"], -1),
    **dict.fromkeys(["next", "下"], 1),
    "上上": -2,  # the week before last
    "下下": 2,
}
_DAY_WORDS = {
    **dict.fromkeys(["today", "今天", "今日"], 0),
    **dict.fromkeys(["yesterday", "昨天", "昨日"], -1),
    **dict.fromkeys(["tomorrow", "明天", "明日"], 1),
    "前天": -2,
    "大前天": -3,
    "后天": 2,
    "大后天": 3,
}
# Word processors turn "-3d" into a minus sign or dash, which NFKC leaves alone.
_DASHES = str.maketrans(dict.fromkeys("\u2212\u2013\u2014", "-"))


# A time after a date, as spreadsheets write it (2022-05-10 00:00:00, 2022-05-10T09:30).
_TIME_SUFFIX = r"(?<=\d)(?:t| )\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?$"


def _normalise(text: str) -> str:
    # Chinese IMEs type full-width digits and punctuation (２０２２／５／１０); NFKC folds them.
    s = unicodedata.normalize("NFKC", text).translate(_DASHES).strip().lower()
    return re.sub(_TIME_SUFFIX, "", re.sub(r"\s+", " ", s))  # compiled on first use, as _match


def _by_prefix(word: str, names: list[str]) -> int | None:
    # "tue", "tues" and "tuesday" all name Tuesday; three letters are never ambiguous.
    if len(word) >= 3:
        for i, name in enumerate(names):
            if name.startswith(word):
                return i
    return None


def _month_start(d: date) -> date:
    return d.replace(day=1)


def _month_end(d: date) -> date:
    if d.month == 12:
        return d.replace(day=31)
    return date(d.year, d.month + 1, 1) - timedelta(days=1)


def _add_months(d: date, n: int) -> date:
    # Calendar-month arithmetic: Jan 31 + 1m is the last day of February, not March 3.
    # Imported here: "+1m" is rare, and dateutil would cost every start-up ~10 ms.
    from dateutil.relativedelta import relativedelta

    try:
        return d + relativedelta(months=n)
    except ValueError:  # year 0 or 10000: far outside the ledger, not a day that is missing
        raise OverflowError(n) from None


def _ymd(m: re.Match[str], base: date, ahead: bool) -> date | None:
    month = m["m"]
    if not month.isdigit():
        index = _by_prefix(month.rstrip("."), _MONTHS)
        if index is None:
            return None  # a word that names no month ("last 3"): let other forms try
        month = index + 1
    if year := m.groupdict().get("y"):  # 11.26 has no year group; 5月10日 has an unmatched one
        return date(int(year), int(month), int(m["d"]))
    return _yearless(int(month), int(m["d"]), base, ahead)


def _yearless(month: int, day: int, base: date, ahead: bool) -> date:
    # An event written 12月28日 on 2027-01-05 happened last December, not next; a due
    # date is the next such day. Today counts as both. Feb 29 may be up to 8 years away.
    date(2000, month, day)  # ValueError for a day no year has: 2月30日, 13月1日
    step = 1 if ahead else -1
    for year in range(base.year, base.year + 9 * step, step):
        try:
            found = date(year, month, day)
        except ValueError:  # Feb 29 outside a leap year; year 0 or 10000
            continue
        if (found >= base) if ahead else (found <= base):
            return found
    raise OverflowError  # only near year 1 or 9999


def _day_of_month(m: re.Match[str], base: date, ahead: bool) -> date:
    # 3号 is this month's 3rd unless that is still to come (an event) or already past (a
    # due date); then the month before or after. 31号 skips months without a 31st.
    day = int(m["d"])
    if not 1 <= day <= 31:
        raise ValueError(day)
    step = 1 if ahead else -1
    month = base.year * 12 + base.month - 1
    for n in range(month, month + 4 * step, step):
        try:
            found = date(n // 12, n % 12 + 1, day)
        except ValueError:  # no 31st (or 30th, 29th) that month; year 0 or 10000
            continue
        if (found >= base) if ahead else (found <= base):
            return found
    raise OverflowError  # only near year 1 or 9999


def _relative(m: re.Match[str], base: date, ahead: bool) -> date:
    n, unit = int(m["n"]), m["unit"][0]
    if unit == "m":
        return _add_months(base, n)
    return base + timedelta(days=n * 7 if unit == "w" else n)


def _ago(m: re.Match[str], base: date, ahead: bool) -> date:
    n = int(m["n"]) if "前" not in m["dir"] else -int(m["n"])
    if m["unit"].endswith("月"):
        return _add_months(base, n)
    return base + timedelta(days=n if m["unit"] in ("天", "日") else n * 7)


def _weekday(m: re.Match[str], base: date, ahead: bool) -> date | None:
    day = _CN_WEEKDAYS.get(m["day"])
    if day is None:
        day = _by_prefix(m["day"], _DAYS)
    if day is None:
        return None
    monday = base - timedelta(days=base.weekday())
    return monday + timedelta(weeks=_SHIFTS[m["shift"]], days=day)


def _match(pattern: str, s: str) -> re.Match[str] | None:
    # Patterns stay strings and compile on first use (re caches them): nothing to pay at
    # import. ASCII: after NFKC our digits are 0-9; Unicode \d would also take ٣ and ३.
    return re.fullmatch(pattern, s, re.ASCII)


# Tried in order; a reader returns None to pass a match on ("may 3" vs "mon 3").
_DATE_FORMS = [
    # 2022-05-10, 2022/5/10, 2022.5.10
    (r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d\d?)(?P=sep)(?P<d>\d\d?)", _ymd),
    # 20220510
    (r"(?P<y>\d{4})(?P<m>\d\d)(?P<d>\d\d)", _ymd),
    # 2022年5月10日, 5月10号
    (r"(?:(?P<y>\d{4}) ?年 ?)?(?P<m>\d\d?) ?月 ?(?P<d>\d\d?) ?[日号]?", _ymd),
    # 11.26, 11/26
    (r"(?P<m>\d\d?)[./](?P<d>\d\d?)", _ymd),
    # 3号, 3日: a day of this month
    (r"(?P<d>\d\d?) ?[号日]", _day_of_month),
    # May 10 2022, May 10, 2022, may 10
    (r"(?P<m>[a-z]+\.?) (?P<d>\d\d?)(?:st|nd|rd|th)?(?:,? (?P<y>\d{4}))?", _ymd),
    # 10 May 2022, 10th may
    (r"(?P<d>\d\d?)(?:st|nd|rd|th)? (?P<m>[a-z]+\.?),?(?: (?P<y>\d{4}))?", _ymd),
    # 3d, +2w, -1m, 3 days
    (r"(?P<n>[+-]?\d{1,6}) ?(?P<unit>d|days?|w|weeks?|m|months?)", _relative),
    # 3天前, 3天后, 2周前, 1个月后
    (r"(?P<n>\d{1,6}) ?(?P<unit>[天日]|[个個]?(?:周|週|星期|礼拜|禮拜)|[个個]月) ?(?P<dir>[以之]?[前后後])", _ago),
    # monday, last mon, next friday
    (r"(?:(?P<shift>this|last|next) )?(?P<day>[a-z]+)", _weekday),
    # 周三, 上周三, 下个星期五, 礼拜天, 上上周五
    (f"{_CN_SHIFT}?{_CN_WEEK}(?P<day>[一二三四五六日天])", _weekday),
]
_MONTH_WORDS = {
    **dict.fromkeys(["月初", "本月初"], _month_start),
    **dict.fromkeys(["月底", "月末", "本月底", "本月末"], _month_end),
}


def _base(given: date | None) -> date:
    # Looks `today` up at call time, so tests can monkeypatch dates.today.
    return given if given is not None else today()


def _read_date(s: str, base: date, ahead: bool) -> date | None:
    if s in _DAY_WORDS:
        return base + timedelta(days=_DAY_WORDS[s])
    if s in _MONTH_WORDS:
        return _MONTH_WORDS[s](base)
    for pattern, read in _DATE_FORMS:
        m = _match(pattern, s)
        if m and (found := read(m, base, ahead)) is not None:
            return found
    return None


# The dates a ledger can hold: a typo like 0202-05-10 is refused here, not stored to
# break every report later (weeks near year 1 or 9999 have no neighbours to count back to).
FIRST_YEAR, LAST_YEAR = 1900, 2999


def parse_date(text: str, *, today: date | None = None, ahead: bool = False) -> date:
    """Read a date as officers type it; relative words count from `today` (default: now).

    A date without its year (12月28日, May 10) is the latest such day not after today for
    an event; with `ahead` (a due date), the first such day on or after today.
    """
    return _parse(text, today, ahead, "date")


def _parse(text: str, today: date | None, ahead: bool, what: str) -> date:
    s = _normalise(text)
    try:
        found = _read_date(s, _base(today), ahead) if s else None
    except ValueError:
        # The shape was right but the day does not exist: 2022-02-30, 0000-01-01, 2月30日.
        raise _unreadable(what, text, _(": no such day")) from None
    except OverflowError:  # +999999w
        raise _unreadable(what, text, _(": outside {first}–{last}").format(first=FIRST_YEAR, last=LAST_YEAR)) from None
    if found is None:
        raise _unreadable(what, text)
    if not FIRST_YEAR <= found.year <= LAST_YEAR:
        raise _unreadable(what, text, _(": outside {first}–{last}").format(first=FIRST_YEAR, last=LAST_YEAR))
    return found


# --- reading time limits ------------------------------------------------------------


@dataclass(frozen=True)
class Limit:
    """A time limit counted from a ticket's opening: `Limit(30, False)` is 30 calendar
    days, `Limit(15, True)` 15 working days (the working-day calendar lives elsewhere)."""

    days: int
    working: bool

    def __str__(self) -> str:
        return f"{self.days}{'wd' if self.working else 'd'}"


# 10d, 10天, 10 days, 30个自然日; 15wd, 15工作日, 15个工作日, 15 working days; 15个工作日内.
_LIMIT = (
    r"(?P<n>\d+) ?(?:(?P<wd>wd|working days?|workdays?|[个個]?工作[日天])|d|days?|calendar days?|天|[个個]?自然日)"
    r"(?: ?[以之]?内)?"
)
# Ten years: anything longer is a slip of the keyboard, not a deadline.
MAX_LIMIT_DAYS = 3650


def parse_limit(text: str) -> Limit | None:
    """Read a time limit (10d, 10天, 15wd, 15个工作日, 15 working days); None if `text` is not one."""
    m = _match(_LIMIT, _normalise(text))
    if m is None:
        return None
    digits = m["n"].lstrip("0")
    if not 1 <= len(digits) <= 4 or int(digits) > MAX_LIMIT_DAYS:  # len first: int() of 5000 digits raises
        raise _unreadable("limit", text, _(": a limit is 1 to {n} days").format(n=MAX_LIMIT_DAYS))
    return Limit(int(digits), working=m["wd"] is not None)


def parse_due(text: str, *, today: date | None = None) -> date | Limit:
    """Read a --due value: a limit from the ticket's opening (10d, 15wd, 15个工作日) or a date.

    Unlike --date, where 3d is three days from today, an unsigned 10d here is a limit; a
    signed one (+10d, -3d) stays a date from today. A date without its year is the next
    such day (12月28日 typed on 2027-01-05 is 2027-12-28).
    """
    limit = parse_limit(text)
    if limit is not None:
        return limit
    return _parse(text, today, True, "due date")


# --- reading weeks ------------------------------------------------------------------

_WEEK_NUMBER = r"(?P<y>\d{4}) ?(?:-? ?w ?|年 ?第? ?)(?P<w>\d\d?)(?: ?周)?"
_WEEK_WORD = f"(?P<en>this|last|next)(?: week)?|(?P<cn>上上|下下|[本这這上下])个?{_CN_WEEK}"


def parse_week(text: str, *, today: date | None = None) -> Week:
    """Read a week: 2022-W19, this/本周, last/上周, 上上周, next/下周, or any date inside it."""
    s = _normalise(text)
    if m := _match(_WEEK_NUMBER, s):
        year, number = int(m["y"]), int(m["w"])
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise _unreadable("week", text, _(": outside {first}–{last}").format(first=FIRST_YEAR, last=LAST_YEAR))
        try:
            return Week(year, number)
        except (ValueError, OverflowError):  # W53 in a 52-week year, W00, year 0
            raise _unreadable(
                "week", text, _(": {year} has no week {number}").format(year=year, number=number)
            ) from None
    base = _base(today)
    try:
        if m := _match(_WEEK_WORD, s):
            return week_of(base).previous(-_SHIFTS[m["en"] or m["cn"]])
        return week_of(parse_date(s, today=base))
    except (DateError, ValueError, OverflowError):
        # OverflowError: the last days of 9999 belong to a week that ends in year 10000.
        raise _unreadable("week", text) from None
