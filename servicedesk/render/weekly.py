"""The weekly report's parts, in order: one function a part, from the computed dict
(servicedesk/reports/weekly.py) to a Section (render/sections.py).

Adding a part: register its columns (render/columns.py), give their labels and the part's
title in labels.py, write `(ctx, data) -> Section | None` here, returning None when `data`
does not carry the part (a report dict from before it), with `ctx.table(…)` or
`ctx.pairs(…)` (`ctx.tickets(items)` turns ticket items into rows), and put it in
WEEKLY_PARTS. The terminal, pipes, Markdown, CSV and the workbook (a sheet of its own)
then all show it.
"""

from collections.abc import Callable

from . import labels as _labels
from .sections import TICKET_COLUMNS, Context, Report, Section, day, trend_section

MISSED_COLUMNS = ("id", "name", "sector", "officers")
LONG_LIST = 20  # rows of the supervised and repeat-problem lists on a terminal and in Markdown
CATEGORY_COLUMNS = ("category", "collected", "closed", "closure_rate", "open", "overdue")
OFFICER_COLUMNS = ("officer", "officer_enterprises", "officer_visits", "officer_tickets", "open", "overdue")


def _visits(ctx: Context, data: dict) -> Section:
    v = data["visits"]
    items = [(k, v[k]) for k in ("logged", "enterprises_visited", "enterprises_assigned", "coverage_rate")]
    return ctx.pairs("visits", ctx.L["part_visits"], items)


def _missed(ctx: Context, data: dict) -> Section:
    rows = [
        {
            "id": e["id"],
            "name": e["name"],
            "sector": e.get("sector"),
            "officers": ctx.L["list_sep"].join(e.get("officers") or []),
        }
        for e in data["visits"]["missed"]
    ]
    title = f"{ctx.L['part_missed']} ({len(rows)})"
    return ctx.table("missed", title, MISSED_COLUMNS, rows, ctx.L["all_visited"])


def _this_week(ctx: Context, data: dict) -> Section:
    return ctx.pairs("this_week", ctx.L["part_this_week"], list(data["this_week"].items()))


def _cumulative(ctx: Context, data: dict) -> Section:
    c = data["cumulative"]
    keys = ("collected", "closed", "solved", "closure_rate", "resolution_rate", "on_time_rate", "open", "overdue")
    as_of = data.get("as_of", data["end"])
    return ctx.pairs("cumulative", ctx.L["part_cumulative"].format(end=as_of), [(k, c[k]) for k in keys])


def _by_category(ctx: Context, data: dict) -> Section:
    rows = [{**r, "category": ctx.category(r)} for r in data["by_category"]]
    return ctx.table("by_category", ctx.L["part_by_category"], CATEGORY_COLUMNS, rows)


def _by_officer(ctx: Context, data: dict) -> Section:
    rows = [
        {
            "officer": r["officer"] or ctx.L["nobody"],
            "officer_enterprises": r["enterprises"],
            "officer_visits": r["visits"],
            "officer_tickets": r["tickets"],
            "open": r["open"],
            "overdue": r["overdue"],
        }
        for r in data["by_officer"]
    ]
    return ctx.table("by_officer", ctx.L["part_by_officer"], OFFICER_COLUMNS, rows)


def _oldest_open(ctx: Context, data: dict) -> Section:
    return ctx.table("oldest_open", ctx.L["part_oldest_open"], TICKET_COLUMNS, ctx.tickets(data["oldest_open"]))


def _feedback(ctx: Context, data: dict) -> Section:
    fb = data["feedback"]
    kinds = dict.fromkeys([*fb["to_date"], *fb["this_week"]])
    rows = [
        {
            "kind": ctx.L.get(f"feedback_{k}", k),
            "this_week": fb["this_week"].get(k, 0),
            "to_date": fb["to_date"].get(k, 0),
        }
        for k in kinds
    ]
    return ctx.table("feedback", ctx.L["part_feedback"], ("kind", "this_week", "to_date"), rows)


def _trend(ctx: Context, data: dict) -> Section:
    return trend_section(ctx, ctx.L["part_trend"], data["trend"])


def _deadlines(ctx: Context, data: dict) -> Section | None:
    d = data.get("deadlines")
    if d is None:
        return None
    items = [
        (ctx.L["light_red"], d["red"]),
        (ctx.L["light_yellow"].format(n=d.get("yellow_days", 3)), d["yellow"]),
        (ctx.L["light_green"], d["green"]),
        (ctx.L["extended_week"], d["extended"]),
        (ctx.L["urged_week"], d["urged"]),
        (ctx.L["supervised_week"], d["supervised"]),
    ]
    return ctx.pairs("deadlines", ctx.L["part_deadlines"], items)


def _supervised(ctx: Context, data: dict) -> Section | None:
    d = data.get("deadlines")
    if d is None:
        return None
    rows = ctx.tickets(d["supervised_list"])
    section = ctx.table("supervised", ctx.L["part_supervised"], TICKET_COLUMNS, rows, ctx.L["no_supervised"])
    section.shown, section.more = LONG_LIST, ctx.L["more_supervised"]
    return section


def _follow_up(ctx: Context, data: dict) -> Section | None:
    f = data.get("follow_up")
    if f is None:
        return None
    items = [(ctx.L["followed_week"], f["this_week"])]
    items += [(k, f[k]) for k in ("follow_up_rate", "satisfaction_rate", "redo_rate", "reopen_rate", "repeat_problems")]
    return ctx.pairs("follow_up", ctx.L["part_follow_up"], items)


def _repeats(ctx: Context, data: dict) -> Section | None:
    f = data.get("follow_up")
    if not f or not f.get("repeat_list"):
        return None
    section = ctx.table("repeats", ctx.L["part_repeats"], TICKET_COLUMNS, ctx.tickets(f["repeat_list"]))
    section.shown, section.more = LONG_LIST, ctx.L["more_repeats"]
    return section


def _services(ctx: Context, data: dict) -> Section | None:
    if "services" not in data:
        return None
    rows = [
        {
            "service": s["label"] if ctx.lang == "zh" else s["kind"],
            "served_enterprises": s["to_date"]["enterprises"],
            "records": s["to_date"]["records"],
            "quantity": s["to_date"]["quantity"],
            "amount": s["to_date"]["amount"],
            "week_records": s["this_week"]["records"],
        }
        for s in data["services"]
    ]
    columns = ("service", "served_enterprises", "records", "quantity", "amount", "week_records")
    return ctx.table("services", ctx.L["part_services"], columns, rows, ctx.L["no_services"])


def _open_tickets(ctx: Context, data: dict) -> Section | None:
    """Every ticket not closed on the day: only when asked for (the workbook)."""
    if "open_tickets" not in data:
        return None
    return ctx.table("open_tickets", ctx.L["part_open_tickets"], TICKET_COLUMNS, ctx.tickets(data["open_tickets"]))


WEEKLY_PARTS: tuple[Callable[[Context, dict], Section | None], ...] = (
    _visits,
    _missed,
    _this_week,
    _cumulative,
    _by_category,
    _by_officer,
    _oldest_open,
    _feedback,
    _trend,
    _deadlines,
    _supervised,
    _follow_up,
    _repeats,
    _services,
    _open_tickets,
)


def weekly(data: dict, lang: str | None = None) -> Report:
    ctx = Context.of(lang, data)
    sections = [s for part in WEEKLY_PARTS if (s := part(ctx, data)) is not None]
    title = ctx.L["weekly_title"].format(week=data["week"], start=data["start"], end=data["end"])
    headline = _labels.headline(data, ctx.lang)
    meta = [
        ("park", data.get("park")),
        ("week", data["week"]),
        ("start", day(data["start"])),
        ("end", day(data["end"])),
    ]
    meta += [("until", day(data.get("as_of", data["end"]))), ("briefing", headline)]
    report = Report("weekly", ctx.lang, title, headline, meta, sections, data["trend"])
    report.park, report.day = data.get("park"), data.get("as_of", data["end"])
    return report
