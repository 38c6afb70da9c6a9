"""The words of the reports in Chinese and English: headings, field names, sheet names.

`--lang zh|en` picks one; without it the locale decides (LC_ALL, then LC_MESSAGES, then
LANG, the POSIX order: the first one set wins, and a value starting with zh means
Chinese). Also the weekly briefing's headline sentence, in both languages.
Standard library only.
"""

from datetime import date

from ..i18n import language

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
}

ZH = {
    "weekly_title": "周报 {week}（{start}—{end}）",
    "closure_title": "{since}至{until}梳理问题的办结情况（截至{until}）",
    "closure_title_all": "截至{until}梳理问题的办结情况",
    "trend_title": "截至{until}的{n}周趋势",
    "departments_title": "{since}至{until}梳理问题的部门考核（截至{until}）",
    "departments_title_all": "截至{until}梳理问题的部门考核",
    "part_visits": "一、走访情况",
    "part_missed": "本周未走访企业",
    "part_this_week": "二、本周问题",
    "part_cumulative": "三、累计情况（截至{end}）",
    "part_by_category": "四、分类情况",
    "part_by_officer": "五、干部情况",
    "part_oldest_open": "六、最久未办结及超期问题",
    "part_feedback": "七、企业反馈",
    "part_trend": "八、趋势",
    "agenda_title": "{officer}本周工作（{week}，截至{date}）",
    "agenda_unvisited": "本周尚未走访的包联企业",
    "agenda_all_visited": "包联企业本周均已走访",
    "agenda_overdue": "我的超期问题",
    "agenda_due_soon": "{n}个工作日内到期的问题",
    "part_open_tickets": "全部未办结问题",
    "sheet_open_tickets": "未办结问题清单",
    "sheet_services": "服务企业",
    "sheet_deadlines": "限时办结",
    "sheet_supervised": "督办事项",
    "sheet_repeats": "重复诉求",
    "park": "园区",
    "briefing": "概述",
    "part_deadlines": "九、限时办结",
    "part_supervised": "督办事项",
    "part_follow_up": "十、回访与满意度",
    "part_repeats": "本周重复诉求",
    "part_services": "十一、服务企业",
    "light_red": "红灯（超期）",
    "light_yellow": "黄灯（{n}个工作日内到期）",
    "light_green": "绿灯",
    "extended_week": "本周延期",
    "urged_week": "本周催办",
    "supervised_week": "本周督办",
    "followed_week": "本周回访",
    "follow_up_rate": "回访率",
    "redo_rate": "重办率",
    "reopen_rate": "重开率",
    "repeat_problems": "本周重复诉求",
    "service": "服务事项",
    "served_enterprises": "服务企业",
    "quantity": "数量",
    "amount": "金额（元）",
    "week_records": "本周",
    "no_services": "暂无服务记录",
    "no_supervised": "无督办事项",
    "sheet_headline": "概况",
    "sheet_missed": "未走访企业",
    "sheet_by_category": "分类情况",
    "sheet_by_officer": "干部情况",
    "sheet_oldest_open": "未办结问题",
    "sheet_feedback": "企业反馈",
    "sheet_trend": "趋势",
    "sheet_closure": "办结情况",
    "sheet_departments": "部门考核",
    "part": "部分",
    "figure": "指标",
    "value": "数值",
    "numerator": "分子",
    "denominator": "分母",
    "report": "报告",
    "week": "周",
    "start": "起",
    "end": "止",
    "since": "提出日期起",
    "until": "截至",
    "logged": "走访次数",
    "enterprises_visited": "已走访企业",
    "enterprises_assigned": "包联企业",
    "coverage_rate": "走访覆盖率",
    "opened": "新梳理",
    "closed": "办结",
    "resolved": "其中解决",
    "explained": "其中解释说明",
    "withdrawn": "其中撤回",
    "reopened": "重新打开",
    "collected": "梳理汇总问题数",
    "solved": "解决数",
    "open": "未办结",
    "overdue": "超期",
    "closure_rate": "办结率",
    "resolution_rate": "解决率",
    "on_time_rate": "按时办结率",
    "on_time": "按时办结数",
    "category": "问题类别",
    "officer": "干部",
    "enterprise": "企业",
    "sector": "行业",
    "department": "责任单位",
    "enterprises": "包联企业",
    "visits": "本周走访",
    "tickets": "负责问题",
    "id": "编号",
    "name": "企业名称",
    "officers": "包联干部",
    "title": "问题描述",
    "owner": "责任人",
    "status": "状态",
    "opened_on": "提出日期",
    "due_on": "办理时限",
    "days_open": "已办天数",
    "kind": "类型",
    "this_week": "本周",
    "to_date": "累计",
    "closed_cumulative": "累计办结",
    "median_days_to_close": "中位天数",
    "p90_days_to_close": "90分位天数",
    "total": "合计",
    "referred": "交办数",
    "extended": "延期",
    "urged": "催办",
    "supervised": "督办",
    "redone": "重办",
    "satisfaction_rate": "满意率",
    "yes": "是",
    "none": "无",
    "nobody": "（未指定）",
    "no_key": "（空）",
    "all_visited": "包联企业本周均已走访",
    "list_sep": "、",
    "status_open": "待办理",
    "status_in_progress": "办理中",
    "status_closed": "已办结",
    "records": "记录数",
    "feedback_banner": "锦旗",
    "feedback_letter": "感谢信",
    "feedback_praise": "表扬",
    "feedback_complaint": "投诉",
    "feedback_rating": "满意度评价",
    "rate_line": "办结率",
}

TABLES = {"en": EN, "zh": ZH}


def resolve(lang: str | None) -> str:
    return language(lang)


def labels(lang: str | None) -> dict[str, str]:
    return TABLES[resolve(lang)]


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
