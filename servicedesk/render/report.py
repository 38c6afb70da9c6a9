"""The reports as the user sees them: one computed dict (servicedesk/reports/) → one
`Report` of labelled sections (render/sections.py; the weekly report's parts are in
render/weekly.py) → a terminal table, Markdown, CSV or (render/xlsx.py) a workbook.
Nothing here computes a figure; it only labels, orders and formats the dict.

CSV layout: one file of blocks, each a title row, a header row and its rows, with a blank
row between blocks — it opens in Excel/WPS as a readable report, and the csv module
reads it back. Rates are written as "97.8%" (spreadsheets read that as the number 0.978
in percent format); figure/value blocks carry the numerator and denominator in their own
columns. Empty cells stand for null.
"""

import csv
import io

from rich.console import Group
from rich.table import Table as Grid
from rich.text import Text

from ..models import Rate
from . import cells
from . import labels as _labels
from .sections import Context, Report, Section, day, trend_section
from .tables import Table
from .weekly import weekly

__all__ = ["BUILDERS", "Report", "Section", "build", "closure", "csv_text", "departments", "markdown", "table",
           "trend", "weekly"]  # fmt: skip

_EIGHTHS = " ▏▎▍▌▋▊▉"
_SPARKS = "▁▂▃▄▅▆▇█"
BAR_WIDTH = 16
CLOSURE_COLUMNS = ("collected", "closed", "solved", "closure_rate", "resolution_rate", "median_days_to_close",
                   "p90_days_to_close", "on_time", "on_time_rate")  # fmt: skip


# --- closure and trend ------------------------------------------------------------------


def closure(data: dict, lang: str | None = None) -> Report:
    ctx = Context.of(lang)
    L, by = ctx.L, data["by"]

    def first(row: dict) -> str:
        if row.get("key") is None:
            return L["nobody"] if by == "officer" else L["no_key"]
        return ctx.category(row, str(row["key"]))  # every --by carries its label

    rows = [{**r, by: first(r)} for r in data["rows"]]
    if data["rows"]:
        rows.append({**data["total"], by: L["total"]})
    if data["since"]:
        title = L["closure_title"].format(since=data["since"], until=data["until"])
    else:
        title = L["closure_title_all"].format(until=data["until"])
    meta = [("since", day(data["since"])), ("until", day(data["until"])), ("report", L[by])]
    return Report("closure", ctx.lang, title, None, meta, [ctx.table("closure", title, (by, *CLOSURE_COLUMNS), rows)])


def trend(data: dict, lang: str | None = None) -> Report:
    ctx = Context.of(lang)
    title = ctx.L["trend_title"].format(n=len(data["weeks"]), until=data["until"])
    section = trend_section(ctx, title, data["weeks"])
    return Report("trend", ctx.lang, title, None, [("until", day(data["until"]))], [section], data["weeks"])


DEPARTMENT_COLUMNS = ("department", "referred", "closed", "on_time", "on_time_rate", "overdue", "extended", "urged",
                      "supervised", "redone", "satisfaction_rate")  # fmt: skip


def departments(data: dict, lang: str | None = None) -> Report:
    """The department scorecard (部门考核): one row a department, as reports.departments gives them."""
    ctx = Context.of(lang)
    L = ctx.L
    if data["since"]:
        title = L["departments_title"].format(since=data["since"], until=data["until"])
    else:
        title = L["departments_title_all"].format(until=data["until"])
    meta = [("since", day(data["since"])), ("until", day(data["until"]))]
    section = ctx.table("departments", title, DEPARTMENT_COLUMNS, data["rows"])
    return Report("departments", ctx.lang, title, None, meta, [section])


AGENDA_COLUMNS = ("id", "enterprise", "category", "title", "status", "due_on")


def agenda(data: dict, lang: str | None = None) -> Report:
    """An officer's week: unvisited enterprises, then own tickets overdue, due soon, supervised."""
    ctx = Context.of(lang, data)
    L = ctx.L
    title = L["agenda_title"].format(officer=data["officer"], week=data["week"], date=data["date"])
    unvisited = [
        {"id": e["id"], "name": e["name"], "sector": e.get("sector"), "officers": L["list_sep"].join(e["officers"])}
        for e in data["unvisited"]
    ]
    sections = [
        ctx.table(
            "unvisited", L["agenda_unvisited"], ("id", "name", "sector", "officers"), unvisited, L["agenda_all_visited"]
        ),  # fmt: skip
        ctx.table("overdue", L["agenda_overdue"], AGENDA_COLUMNS, ctx.tickets(data["overdue"])),
        ctx.table(
            "due_soon", L["agenda_due_soon"].format(n=data["days"]), AGENDA_COLUMNS, ctx.tickets(data["due_soon"])
        ),
        ctx.table("supervised", L["part_supervised"], AGENDA_COLUMNS, ctx.tickets(data["supervised"])),
    ]
    meta = [("officer", data["officer"]), ("week", data["week"]), ("until", day(data["date"]))]
    return Report("agenda", ctx.lang, title, None, meta, sections)


BUILDERS = {"weekly": weekly, "closure": closure, "trend": trend, "departments": departments, "agenda": agenda}


def build(kind: str, data: dict, lang: str | None = None) -> Report:
    return BUILDERS[kind](data, lang)


# --- the terminal ------------------------------------------------------------------------


def _bar(n: int, top: int, width: int = BAR_WIDTH) -> str:
    """n as a bar of block characters, where `top` fills `width` cells."""
    if not n or not top:
        return ""
    full, part = divmod(round(n * width * 8 / top), 8)
    return ("█" * full + (_EIGHTHS[part] if part else "")) or "▏"


def _spark(rates: list[float | None]) -> str:
    shown = [r for r in rates if r is not None]
    if not shown:
        return ""
    low, high = min(shown), max(shown)
    steps = len(_SPARKS) - 1
    return "".join(
        " " if r is None else _SPARKS[steps if high == low else round((r - low) * steps / (high - low))] for r in rates
    )


def chart(weeks: list[dict], lang: str):
    """Weekly opened vs closed as bars, and the cumulative closure rate, for the terminal."""
    L = _labels.labels(lang)
    top = max([w["opened"] for w in weeks] + [w["closed"] for w in weeks] + [0])
    digits = len(str(top))
    grid = Grid(box=None, padding=(0, 1), pad_edge=False)
    grid.add_column(Text(L["week"]))
    grid.add_column(Text(L["opened"]))
    grid.add_column(Text(L["closed"]))
    grid.add_column(Text(L["closure_rate"]), justify="right")
    for w in weeks:
        grid.add_row(
            Text(w["week"]),
            Text(f"{w['opened']:>{digits}} ") + Text(_bar(w["opened"], top).ljust(BAR_WIDTH), style="yellow"),
            Text(f"{w['closed']:>{digits}} ") + Text(_bar(w["closed"], top).ljust(BAR_WIDTH), style="green"),
            Text(cells.text(w["closure_rate"])),
        )
    line = Text(f"{L['rate_line']} ") + Text(_spark([w["closure_rate"].value for w in weeks]), style="cyan")
    if weeks:
        line += Text(f"  {weeks[0]['closure_rate']} → {weeks[-1]['closure_rate']}")
    return Group(grid, line)


def table(report: Report):
    """The whole report as one rich renderable: title, headline, then each part."""
    L = _labels.labels(report.lang)
    parts = [Text(report.title, style="bold")]
    if report.headline:
        parts.append(Text(report.headline))
    for section in report.sections:
        parts.append(Text(""))
        if section.title != report.title:
            parts.append(Text(section.title, style="bold"))
        if section.key == "trend" and report.trend:
            parts.append(chart(report.trend, report.lang))
        elif section.rows:
            parts.append(section.table())
            if more := section.visible()[1]:
                parts.append(Text("  " + more, style="dim"))
        else:
            parts.append(Text("  " + (section.empty or L["none"]), style="dim"))
    return Group(*parts)


# --- Markdown and CSV ----------------------------------------------------------------------


def markdown(report: Report) -> str:
    """A briefing to paste: the headline sentence (or the title), then pipe tables."""
    L = _labels.labels(report.lang)
    lines = []
    if report.park:
        # Forwarded upward: whose report, which week, as of when.
        lines += [f"## {cells.md_escape(report.park)} · {cells.md_escape(report.title)} · {report.day}", ""]
    lines += [cells.md_escape(report.headline) if report.headline else f"**{cells.md_escape(report.title)}**", ""]
    for section in report.sections:
        if section.title != report.title:
            lines += [f"### {cells.md_escape(section.title)}", ""]
        if not section.rows:
            lines += [cells.md_escape(section.empty or L["none"]), ""]
            continue
        rows, more = section.visible()
        lines += Table(rows, section.columns, headers=section.headers).markdown()
        lines += ["", cells.md_escape(more), ""] if more else [""]
    return "\n".join(lines)


def _csv_cell(value):
    return cells.sheet(value)[0]


def csv_text(report: Report) -> str:
    L = _labels.labels(report.lang)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([_csv_cell(report.title)])
    if report.headline:
        writer.writerow([_csv_cell(report.headline)])
    for section in report.sections:
        writer.writerow([])
        if section.title != report.title:
            writer.writerow([_csv_cell(section.title)])
        if section.pairs:
            writer.writerow([_csv_cell(L[k]) for k in ("figure", "value", "numerator", "denominator")])
            for row in section.rows:
                value = row["value"]
                counts = [value.num, value.den] if isinstance(value, Rate) else []
                writer.writerow([_csv_cell(x) for x in (row["figure"], value, *counts)])
        else:
            writer.writerow([_csv_cell(h) for h in section.headers])
            writer.writerows([_csv_cell(x) for x in row] for row in section.cells())
    return out.getvalue()
