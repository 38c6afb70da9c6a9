"""The words of the reports: headings, field names, sheet names, in English here and in
Chinese in the message catalogue (locale/zh, tools/catalogue.py).

`--lang zh|en` picks one; without it the locale decides (LC_ALL, then LC_MESSAGES, then
LANG, the POSIX order: the first one set wins, and a value starting with zh means
Chinese). Also the weekly briefing's headline sentence, in both languages.
Standard library only.
"""

from datetime import date

from ..i18n import language, pgettext

EN = {
    # report titles
    "weekly_title": "Weekly report {week} ({start} – {end})",
    "closure_title": "Closure of problems opened {since} – {until}, as of {until}",
    "closure_title_all": "Closure of problems opened up to {until}, as of {until}",
    "trend_title": "Trend of the {n} weeks up to {until}",
    "departments_title": "Department scorecard: problems opened {since} – {until}, as of {until}",
    "departments_title_all": "Department scorecard: problems opened up to {until}, as of {until}",
    # the eight parts of the weekly report
    "part_visits": "1. Visits",
    "part_missed": "Not visited this week",
    "part_this_week": "2. Problems this week",
    "part_cumulative": "3. Cumulative as of {end}",
    "part_by_category": "4. By category",
    "part_by_officer": "5. By officer",
    "part_oldest_open": "6. Oldest open and overdue",
    "part_feedback": "7. Feedback",
    "part_trend": "8. Trend",
    "agenda_title": "{officer}'s week {week} (as of {date})",
    "agenda_unvisited": "Assigned enterprises not visited yet this week",
    "agenda_all_visited": "every enterprise visited this week",
    "agenda_overdue": "My tickets overdue",
    "agenda_due_soon": "My tickets due within {n} working days",
    "part_open_tickets": "Every open ticket",
    "sheet_open_tickets": "Open tickets",
    "sheet_services": "Services",
    "sheet_deadlines": "Deadlines",
    "sheet_supervised": "Supervised",
    "sheet_repeats": "Repeat problems",
    "park": "park",
    "briefing": "briefing",
    "part_deadlines": "9. Deadlines",
    "part_supervised": "Supervised (on the leadership's list)",
    "part_follow_up": "10. Follow-up and satisfaction",
    "part_repeats": "Repeat problems this week",
    "part_services": "11. Services delivered",
    "light_red": "red: overdue",
    "light_yellow": "yellow: due within {n} working days",
    "light_green": "green",
    "extended_week": "extended this week",
    "urged_week": "urged this week",
    "supervised_week": "supervised this week",
    "followed_week": "followed up this week",
    "follow_up_rate": "follow-up rate",
    "redo_rate": "redo rate",
    "reopen_rate": "reopen rate",
    "repeat_problems": "repeat problems this week",
    "service": "service",
    "served_enterprises": "enterprises",
    "quantity": "quantity",
    "amount": "amount (yuan)",
    "week_records": "this week",
    "no_services": "no services recorded",
    "no_supervised": "nothing supervised",
    "more_supervised": "… and {n} more: servicedesk ticket list --supervised",
    "more_repeats": "… and {n} more: every one is in --format json or csv and in --output x.xlsx",
    # sheet names (Excel allows 31 characters)
    "sheet_headline": "Headline",
    "sheet_missed": "Missed",
    "sheet_by_category": "By category",
    "sheet_by_officer": "By officer",
    "sheet_oldest_open": "Oldest open",
    "sheet_feedback": "Feedback",
    "sheet_trend": "Trend",
    "sheet_closure": "Closure",
    "sheet_departments": "Departments",
    # column headings
    "part": "part",
    "figure": "figure",
    "value": "value",
    "numerator": "numerator",
    "denominator": "denominator",
    "report": "report",
    "week": "week",
    "start": "from",
    "end": "to",
    "since": "opened from",
    "until": "as of",
    "logged": "visits logged",
    "enterprises_visited": "enterprises visited",
    "enterprises_assigned": "enterprises assigned",
    "coverage_rate": "coverage",
    "opened": "opened",
    "closed": "closed",
    "resolved": "of which resolved",
    "explained": "of which explained",
    "withdrawn": "of which withdrawn",
    "reopened": "reopened",
    "collected": "collected",
    "solved": "solved",
    "open": "open",
    "overdue": "overdue",
    "closure_rate": "closure rate",
    "resolution_rate": "resolution rate",
    "on_time_rate": "on-time closure rate",
    "on_time": "closed on time",
    "category": "category",
    "officer": "officer",
    "enterprise": "enterprise",
    "sector": "sector",
    "department": "department",
    "enterprises": "enterprises",
    "visits": "visits",
    "tickets": "tickets owned",
    "id": "#",
    "name": "name",
    "officers": "officers",
    "title": "problem",
    "owner": "owner",
    "status": "status",
    "opened_on": "opened",
    "due_on": "due",
    "days_open": "days open",
    "kind": "kind",
    "this_week": "this week",
    "to_date": "to date",
    "closed_cumulative": "closed to date",
    "median_days_to_close": "median days",
    "p90_days_to_close": "p90 days",
    "total": "total",
    "referred": "referred",
    "extended": "extended",
    "urged": "urged",
    "supervised": "supervised",
    "redone": "redone",
    "satisfaction_rate": "satisfaction rate",
    # values
    "yes": "yes",
    "none": "none",
    "nobody": "(no owner)",
    "no_key": "(none)",
    "all_visited": "every assigned enterprise was visited",
    "list_sep": ", ",
    "status_open": "open",
    "status_in_progress": "in progress",
    "status_closed": "closed",
    "records": "records",
    "feedback_banner": "banners",
    "feedback_letter": "thank-you letters",
    "feedback_praise": "praise",
    "feedback_complaint": "complaints",
    "feedback_rating": "ratings",
    "rate_line": "closure rate",
    # list headings the reports do not use (English lists are headed by the field's name)
    "priority": "priority",
    "light": "light",
    "rank": "rank",
    "unit": "unit",
    "phone": "phone",
    "archived": "archived",
    "contact": "contact",
    "address": "address",
    "visited_on": "visited_on",
    "channel": "channel",
    "note": "note",
    "served_on": "served_on",
    "received_on": "received_on",
    "score": "score",
    "ticket": "ticket",
    "day": "day",
    "weekday": "weekday",
    "workday": "workday",
    "source": "source",
    "code": "code",
    "label": "label",
    "label_zh": "label_zh",
    "limit": "limit",
    "aliases": "aliases",
    "on": "on",
    "at": "at",
    "actor": "actor",
    "outcome": "outcome",
    "resolution": "resolution",
    "result": "result",
    "closed_on": "closed_on",
    "follow_up": "follow_up",
    "holiday_name": "name",
    "officer_name": "name",
    "visit_tickets": "tickets",
    # a record's fields (`… show`, info, settings): English shows the field's name
    "field_id": "id",
    "field_name": "name",
    "field_sector": "sector",
    "field_kind": "kind",
    "field_contact": "contact",
    "field_phone": "phone",
    "field_address": "address",
    "field_note": "note",
    "field_officers": "officers",
    "field_archived": "archived",
    "field_rank": "rank",
    "field_unit": "unit",
    "field_enterprises": "enterprises",
    "field_enterprise": "enterprise",
    "field_category": "category",
    "field_title": "title",
    "field_status": "status",
    "field_outcome": "outcome",
    "field_priority": "priority",
    "field_owner": "owner",
    "field_department": "department",
    "field_opened_on": "opened_on",
    "field_due_on": "due_on",
    "field_closed_on": "closed_on",
    "field_overdue": "overdue",
    "field_visit_id": "visit_id",
    "field_resolution": "resolution",
    "field_database": "database",
    "field_schema": "schema",
    "field_assignments": "assignments",
    "field_visits": "visits",
    "field_tickets": "tickets",
    "field_events": "events",
    "field_feedback": "feedback",
    "field_changes": "changes",
    "field_park": "park",
    "field_yellow_days": "yellow_days",
}


def resolve(lang: str | None) -> str:
    return language(lang)


def labels(lang: str | None) -> dict[str, str]:
    """Every report word, keyed, in `lang` (default: this command's); the Chinese come from
    the message catalogue (each with its key as context: the same English may read two ways)."""
    lang = resolve(lang)
    if lang not in _TABLES:
        _TABLES[lang] = EN if lang == "en" else {key: pgettext(key, text, lang) for key, text in EN.items()}
    return _TABLES[lang]


_TABLES: dict[str, dict[str, str]] = {}


# --- the headline sentence ------------------------------------------------------------

_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _short_date(d: date, lang: str) -> str:
    return f"{d.month}月{d.day}日" if lang == "zh" else f"{_MONTHS_EN[d.month - 1]} {d.day}"


_FEEDBACK_ZH = {"banner": "锦旗 {} 面", "letter": "感谢信 {} 封", "praise": "表扬 {} 次", "complaint": "投诉 {} 件"}
_FEEDBACK_EN = {
    "banner": ("banner", "banners"),
    "letter": ("thank-you letter", "thank-you letters"),
    "praise": ("note of praise", "notes of praise"),
    "complaint": ("complaint", "complaints"),
}


def _plural(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


def headline(data: dict, lang: str) -> str:
    """The briefing's first sentence, as the park office writes it upward."""
    v, t, c = data["visits"], data["this_week"], data["cumulative"]
    start, end = date.fromisoformat(data["start"]), date.fromisoformat(data["end"])
    received = {k: n for k, n in data["feedback"]["to_date"].items() if n}
    if lang == "zh":
        text = (
            f"本周（{data['week']}，{_short_date(start, 'zh')}—{_short_date(end, 'zh')}）"
            f"走访企业 {v['enterprises_visited']} 家，覆盖率 {v['coverage_rate']}；"
            f"新梳理问题 {t['opened']} 个，办结 {t['closed']} 个。"
            f"累计梳理问题 {c['collected']} 个，办结 {c['closed']} 个，办结率 {c['closure_rate']}；"
            f"解决 {c['solved']} 个，解决率 {c['resolution_rate']}。"
        )
        parts = [_FEEDBACK_ZH.get(k, "满意度评价 {} 条").format(n) for k, n in received.items()]
        return text + (f"收到{'、'.join(parts)}。" if parts else "") + services_sentence(data, "zh")
    text = (
        f"This week ({data['week']}, {_short_date(start, 'en')} – {_short_date(end, 'en')}): "
        f"{_plural(v['enterprises_visited'], 'enterprise')} visited, coverage {v['coverage_rate']}; "
        f"{_plural(t['opened'], 'new problem')} collected, {t['closed']} closed. "
        f"To date {_plural(c['collected'], 'problem')} collected, {c['closed']} closed, "
        f"closure rate {c['closure_rate']}; {c['solved']} solved, "
        f"resolution rate {c['resolution_rate']}."
    )
    parts = [_plural(n, *_FEEDBACK_EN.get(k, ("rating", "ratings"))) for k, n in received.items()]
    if parts:
        text += f" Received to date: {_listed(parts)}."
    return text + services_sentence(data, "en")


def _listed(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def money(yuan: float, lang: str) -> str:
    """25170000 → 2517 万元 / 25.17 million yuan: amounts as the briefing writes them."""
    if lang == "zh":
        if yuan >= 100_000_000:
            return f"{yuan / 100_000_000:g} 亿元"
        return f"{yuan / 10_000:g} 万元" if yuan >= 10_000 else f"{yuan:g} 元"
    return f"{yuan / 1_000_000:g} million yuan" if yuan >= 1_000_000 else f"{yuan:,g} yuan"


# What each kind of service delivered says in the briefing, to date.
_SERVICE_ZH = {
    "diagnosis": "为 {e} 家企业开展智能化诊断",
    "training": "为 {e} 家企业开展培训",
    "briefing": "为 {e} 家企业开展政策宣讲",
    "pass": "办理车辆通行证 {q} 张",
    "funds": "帮助企业申报专项资金 {a}",
    "financing": "帮助企业对接融资 {a}",
    "other": "为 {e} 家企业提供其他服务",
}
_SERVICE_EN = {
    "diagnosis": "ran diagnostics at {e} enterprises",
    "training": "trained {e} enterprises",
    "briefing": "briefed {e} enterprises on policy",
    "pass": "issued {q} vehicle passes",
    "funds": "helped enterprises secure {a} of special funds",
    "financing": "arranged {a} of financing",
    "other": "served {e} enterprises otherwise",
}


def services_sentence(data: dict, lang: str) -> str:
    """The briefing's sentence on services delivered to date, when there are any."""
    said = []
    for s in data.get("services") or []:
        t = s["to_date"]
        words = (_SERVICE_ZH if lang == "zh" else _SERVICE_EN)[s["kind"]]
        if "{q}" in words and not t["quantity"] or "{a}" in words and not t["amount"]:
            continue
        said.append(words.format(e=t["enterprises"], q=t["quantity"], a=money(t["amount"] or 0, lang)))
    if not said:
        return ""
    if lang == "zh":
        return "累计" + "，".join(said) + "。"
    return " To date the park " + _listed(said) + "."
