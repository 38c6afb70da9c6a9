"""The reports as the user sees them: one computed dict (servicedesk/reports.py) → one
`Report` of labelled sections → a terminal table, Markdown, CSV or (render/xlsx.py) a
workbook. Nothing here computes a figure; it only labels, orders and formats the dict.

A section is rows (dicts) under registered columns (render/columns.py), drawn by the one
table path (render/tables.py) on a terminal, in a pipe and in Markdown, and written cell by
cell (render/cells.py) to CSV and XLSX. Adding a part to the weekly report: register its
columns, give their labels and the part's title in labels.py, write a function
`(ctx, data) -> Section | None` (None when `data` lacks the part) with `ctx.table(…)` or
`ctx.pairs(…)` (`ctx.tickets(items)` turns ticket items into rows), and put it in
WEEKLY_PARTS. Every format then shows it; the workbook gives it a sheet.

CSV layout: one file of blocks, each a title row, a header row and its rows, with a blank
row between blocks — it opens in Excel/WPS as a readable report, and the csv module
reads it back. Rates are written as "97.8%" (spreadsheets read that as the number 0.978
in percent format); figure/value blocks carry the numerator and denominator in their own
columns. Empty cells stand for null.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from rich.console import Group
from rich.table import Table as Grid
from rich.text import Text

from ..models import Rate
from . import cells
from . import labels as _labels
from .columns import Column, resolve
from .tables import Table

_EIGHTHS = " ▏▎▍▌▋▊▉"
_SPARKS = "▁▂▃▄▅▆▇█"
BAR_WIDTH = 16
PAIRS = ("figure", "value")
MISSED_COLUMNS = ("id", "name", "sector", "officers")
CATEGORY_COLUMNS = ("category", "collected", "closed", "closure_rate", "open", "overdue")
OFFICER_COLUMNS = ("officer", "officer_enterprises", "officer_visits", "officer_tickets", "open", "overdue")
TICKET_COLUMNS = ("id", "enterprise", "category", "title", "owner", "status", "opened_on", "due_on", "days_open",
                  "overdue")  # fmt: skip
TREND_COLUMNS = ("week", "opened", "closed", "collected", "closed_cumulative", "closure_rate")
CLOSURE_COLUMNS = ("collected", "closed", "solved", "closure_rate", "resolution_rate", "median_days_to_close",
                   "p90_days_to_close", "on_time", "on_time_rate")  # fmt: skip


@dataclass
class Section:
    """One part of a report: rows (dicts keyed by column name) under registered columns."""

    key: str  # stable name; also picks the workbook sheet
    title: str
    columns: list[Column]
    headers: list[str]
    rows: list[dict]
    pairs: bool = False  # a figure/value list rather than a table
    empty: str = ""

    def table(self) -> Table:
        return Table(self.rows, self.columns, headers=self.headers, header=not self.pairs)

    def cells(self) -> list[list]:
        """The rows as lists, in column order (for the workbook)."""
        return [[row.get(c.name) for c in self.columns] for row in self.rows]


@dataclass
class Report:
    kind: str
    lang: str
    title: str
    headline: str | None = None
    meta: list[tuple[str, object]] = field(default_factory=list)  # what the report is about
    sections: list[Section] = field(default_factory=list)
    trend: list[dict] | None = None  # the rows the terminal chart draws


@dataclass(frozen=True)
class Context:
    """What every part needs: the language, its words, and the park's categories by code."""

    lang: str
    L: dict
    categories: dict = field(default_factory=dict)  # code → the report's by_category row

    @classmethod
    def of(cls, lang: str | None, data: dict | None = None) -> "Context":
        lang = _labels.resolve(lang)
        known = {r["category"]: r for r in (data or {}).get("by_category", [])}
        return cls(lang, _labels.labels(lang), known)

    def table(self, key: str, title: str, names, rows: list[dict], empty: str = "") -> Section:
        columns = resolve(names)
        headers = [c.header(self.lang) for c in columns]
        return Section(key, title, columns, headers, rows, False, empty or self.L["none"])

    def pairs(self, key: str, title: str, items) -> Section:
        """A figure/value list: [(label key, value)]."""
        rows = [{"figure": self.L.get(k, k), "value": v} for k, v in items]
        return Section(key, title, resolve(PAIRS), [self.L[c] for c in PAIRS], rows, True)

    def category(self, row: dict, code: str | None = None) -> str:
        """The park's own name for a category (`category add --label`), from the report's rows;
        ticket items carry only the code, so it is looked up among the report's categories."""
        code = code or row.get("category")
        row = {**self.categories.get(code, {}), **row}
        if self.lang == "en":
            return row.get("label_en") or row.get("label") or str(code)
        return row.get("label") or str(code)

    def tickets(self, items: list[dict]) -> list[dict]:
        """Ticket items (as `ticket list` gives them) as rows under TICKET_COLUMNS."""
        L = self.L
        return [
            {
                "id": f"#{x['id']}",
                "enterprise": x["enterprise"],
                "category": self.category(x),
                "title": x["title"],
                "owner": x.get("owner") or L["nobody"],
                "status": L.get(f"status_{x.get('status')}", x.get("status")),
                "opened_on": _day(x.get("opened_on")),
                "due_on": _day(x.get("due_on")),
                "days_open": x.get("days_open"),
                "overdue": L["yes"] if x.get("overdue") else "",
            }
            for x in items
        ]


def _day(iso: str | None) -> date | None:
    return date.fromisoformat(iso) if iso else None


# --- the weekly report: one function a part, in order -----------------------------------
# A part returns its Section, or None when the report dict does not carry it (a part added
# to reports.py later, or a report dict from before it).


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
    return ctx.pairs("cumulative", ctx.L["part_cumulative"].format(end=data["end"]), [(k, c[k]) for k in keys])


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
    return _trend_section(ctx, ctx.L["part_trend"], data["trend"])


def _trend_section(ctx: Context, title: str, weeks: list[dict]) -> Section:
    return ctx.table("trend", title, TREND_COLUMNS, weeks)


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
)


def weekly(data: dict, lang: str | None = None) -> Report:
    ctx = Context.of(lang, data)
    sections = [s for part in WEEKLY_PARTS if (s := part(ctx, data)) is not None]
    title = ctx.L["weekly_title"].format(week=data["week"], start=data["start"], end=data["end"])
    meta = [("week", data["week"]), ("start", _day(data["start"])), ("end", _day(data["end"]))]
    return Report("weekly", ctx.lang, title, _labels.headline(data, ctx.lang), meta, sections, data["trend"])


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
    meta = [("since", _day(data["since"])), ("until", _day(data["until"])), ("report", L[by])]
    return Report("closure", ctx.lang, title, None, meta, [ctx.table("closure", title, (by, *CLOSURE_COLUMNS), rows)])


def trend(data: dict, lang: str | None = None) -> Report:
    ctx = Context.of(lang)
    title = ctx.L["trend_title"].format(n=len(data["weeks"]), until=data["until"])
    section = _trend_section(ctx, title, data["weeks"])
    return Report("trend", ctx.lang, title, None, [("until", _day(data["until"]))], [section], data["weeks"])


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
    meta = [("since", _day(data["since"])), ("until", _day(data["until"]))]
    section = ctx.table("departments", title, DEPARTMENT_COLUMNS, data["rows"])
    return Report("departments", ctx.lang, title, None, meta, [section])


BUILDERS = {"weekly": weekly, "closure": closure, "trend": trend, "departments": departments}


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
        else:
            parts.append(Text("  " + (section.empty or L["none"]), style="dim"))
    return Group(*parts)


# --- Markdown and CSV ----------------------------------------------------------------------


def markdown(report: Report) -> str:
    """A briefing to paste: the headline sentence (or the title), then pipe tables."""
    L = _labels.labels(report.lang)
    lines = [cells.md_escape(report.headline) if report.headline else f"**{cells.md_escape(report.title)}**", ""]
    for section in report.sections:
        if section.title != report.title:
            lines += [f"### {cells.md_escape(section.title)}", ""]
        if not section.rows:
            lines += [cells.md_escape(section.empty or L["none"]), ""]
            continue
        lines += Table(section.rows, section.columns, headers=section.headers).markdown()
        lines.append("")
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
