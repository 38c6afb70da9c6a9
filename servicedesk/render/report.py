"""The reports as the user sees them: one computed dict (servicedesk/reports.py) → one
`Report` of labelled sections → a terminal table, Markdown, CSV or (render/xlsx.py) a
workbook. Nothing here computes a figure; it only labels, orders and formats the dict.

CSV layout: one file of blocks, each a title row, a header row and its rows, with a blank
row between blocks — it opens in Excel/WPS as a readable report, and the csv module
reads it back. Rates are written as "97.8%" (spreadsheets read that as the number 0.978
in percent format); figure/value blocks carry the numerator and denominator in their own
columns. Empty cells stand for null.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from rich.console import Group
from rich.table import Table
from rich.text import Text

from ..models import Rate
from . import cells, md_escape
from . import labels as _labels

_EIGHTHS = " ▏▎▍▌▋▊▉"
_SPARKS = "▁▂▃▄▅▆▇█"
BAR_WIDTH = 16
MISSED_COLUMNS = ("id", "name", "sector", "officers")
CATEGORY_COLUMNS = ("category", "collected", "closed", "closure_rate", "open", "overdue")
OFFICER_COLUMNS = ("officer", "enterprises", "visits", "tickets", "open", "overdue")
OLDEST_COLUMNS = ("id", "enterprise", "category", "title", "owner", "status", "opened_on", "due_on", "days_open",
                  "overdue")  # fmt: skip
TREND_COLUMNS = ("week", "opened", "closed", "collected", "closed_cumulative", "closure_rate")


@dataclass
class Section:
    key: str  # stable name; also picks the workbook sheet
    title: str
    columns: list[str]  # field names, for the workbook's chart
    headers: list[str]
    rows: list[list]
    pairs: bool = False  # a figure/value list rather than a table
    empty: str = ""
    wide_only: tuple[str, ...] = ()  # columns the terminal leaves out to fit 100 columns


@dataclass
class Report:
    kind: str
    lang: str
    title: str
    headline: str | None = None
    meta: list[tuple[str, object]] = field(default_factory=list)  # what the report is about
    sections: list[Section] = field(default_factory=list)
    trend: list[dict] | None = None  # the rows the terminal chart draws


def _day(iso: str | None) -> date | None:
    return date.fromisoformat(iso) if iso else None


def _table(L, key, title, columns, rows, empty="", wide_only=()) -> Section:
    return Section(key, title, list(columns), [L[c] for c in columns], rows, False, empty or L["none"], wide_only)


def _pairs(L, key, title, items) -> Section:
    return Section(
        key, title, ["figure", "value"], [L["figure"], L["value"]], [[L.get(k, k), v] for k, v in items], True
    )


def _label(row: dict, lang: str, code: str) -> str:
    """The park's own name for a category (`category add --label`), as the report row carries it."""
    if lang == "en":
        return row.get("label_en") or row.get("label") or code
    return row.get("label") or code


def _category(row: dict, lang: str, known: dict | None = None) -> str:
    """A category's label; ticket items carry only the code, so `known` maps code → by_category row."""
    return _label({**(known or {}).get(row["category"], {}), **row}, lang, row["category"])


# --- the weekly report ----------------------------------------------------------------


def weekly(data: dict, lang: str | None = None) -> Report:
    lang = _labels.resolve(lang)
    L = _labels.labels(lang)
    v, t, c, fb = data["visits"], data["this_week"], data["cumulative"], data["feedback"]
    known = {r["category"]: r for r in data["by_category"]}
    visits = [(k, v[k]) for k in ("logged", "enterprises_visited", "enterprises_assigned")]
    visits.append(("coverage_rate", v["coverage_rate"]))
    cumulative = [(k, c[k]) for k in ("collected", "closed", "solved")] + [
        ("closure_rate", c["closure_rate"]),
        ("resolution_rate", c["resolution_rate"]),
        ("on_time_rate", c["on_time_rate"]),
        ("open", c["open"]),
        ("overdue", c["overdue"]),
    ]
    missed = [[e["id"], e["name"], e.get("sector"), L["list_sep"].join(e.get("officers") or [])] for e in v["missed"]]
    categories = [
        [_category(r, lang), r["collected"], r["closed"], r["closure_rate"]] + [r["open"], r["overdue"]]
        for r in data["by_category"]
    ]
    officers = [[r["officer"] or L["nobody"]] + [r[k] for k in OFFICER_COLUMNS[1:]] for r in data["by_officer"]]
    oldest = [
        [f"#{x['id']}", x["enterprise"], _category(x, lang, known), x["title"], x.get("owner") or L["nobody"]]
        + [L.get(f"status_{x.get('status')}", x.get("status")), _day(x["opened_on"]), _day(x["due_on"])]
        + [x.get("days_open"), L["yes"] if x.get("overdue") else ""]
        for x in data["oldest_open"]
    ]
    kinds = dict.fromkeys([*fb["to_date"], *fb["this_week"]])
    feedback = [[L.get(f"feedback_{k}", k), fb["this_week"].get(k, 0), fb["to_date"].get(k, 0)] for k in kinds]
    sections = [
        _pairs(L, "visits", L["part_visits"], visits),
        _table(L, "missed", f"{L['part_missed']} ({len(missed)})", MISSED_COLUMNS, missed, L["all_visited"]),
        _pairs(L, "this_week", L["part_this_week"], list(t.items())),
        _pairs(L, "cumulative", L["part_cumulative"].format(end=data["end"]), cumulative),
        _table(L, "by_category", L["part_by_category"], CATEGORY_COLUMNS, categories),
        _table(L, "by_officer", L["part_by_officer"], OFFICER_COLUMNS, officers),
        # days open says what the opening date does, in less width
        _table(L, "oldest_open", L["part_oldest_open"], OLDEST_COLUMNS, oldest, wide_only=("opened_on",)),
        _table(L, "feedback", L["part_feedback"], ("kind", "this_week", "to_date"), feedback),
        _trend_section(L, L["part_trend"], data["trend"]),
    ]
    title = L["weekly_title"].format(week=data["week"], start=data["start"], end=data["end"])
    meta = [("week", data["week"]), ("start", _day(data["start"])), ("end", _day(data["end"]))]
    return Report("weekly", lang, title, _labels.headline(data, lang), meta, sections, data["trend"])


def _trend_section(L, title: str, weeks: list[dict]) -> Section:
    rows = [
        [w["week"], w["opened"], w["closed"], w.get("collected"), w.get("closed_cumulative")] + [w["closure_rate"]]
        for w in weeks
    ]
    return _table(L, "trend", title, TREND_COLUMNS, rows)


# --- closure and trend ------------------------------------------------------------------


def _closure_key(row: dict, by: str, lang: str, L) -> str:
    if row.get("key") is None:
        return L["nobody"] if by == "officer" else L["no_key"]
    return _label(row, lang, str(row["key"]))


def _closure_cells(first: str, r: dict) -> list:
    return [
        first,
        r["collected"],
        r["closed"],
        r["solved"],
        r["closure_rate"],
        r["resolution_rate"],
        r["median_days_to_close"],
        r["p90_days_to_close"],
        r.get("on_time"),
        r["on_time_rate"],
    ]


def closure(data: dict, lang: str | None = None) -> Report:
    lang = _labels.resolve(lang)
    L = _labels.labels(lang)
    by = data["by"]
    columns = (by, "collected", "closed", "solved", "closure_rate", "resolution_rate")
    columns += ("median_days_to_close", "p90_days_to_close", "on_time", "on_time_rate")
    rows = [_closure_cells(_closure_key(r, by, lang, L), r) for r in data["rows"]]
    if data["rows"]:
        rows.append(_closure_cells(L["total"], data["total"]))
    if data["since"]:
        title = L["closure_title"].format(since=data["since"], until=data["until"])
    else:
        title = L["closure_title_all"].format(until=data["until"])
    meta = [("since", _day(data["since"])), ("until", _day(data["until"])), ("report", L[by])]
    # The rates' numerators and denominators already show the counts the terminal leaves out.
    section = _table(L, "closure", title, columns, rows, wide_only=("closed", "solved", "on_time"))
    return Report("closure", lang, title, None, meta, [section])


def trend(data: dict, lang: str | None = None) -> Report:
    lang = _labels.resolve(lang)
    L = _labels.labels(lang)
    title = L["trend_title"].format(n=len(data["weeks"]), until=data["until"])
    section = _trend_section(L, title, data["weeks"])
    return Report("trend", lang, title, None, [("until", _day(data["until"]))], [section], data["weeks"])


BUILDERS = {"weekly": weekly, "closure": closure, "trend": trend}


def build(kind: str, data: dict, lang: str | None = None) -> Report:
    return BUILDERS[kind](data, lang)


# --- the terminal ------------------------------------------------------------------------


def _cell_text(value) -> Text:
    if value is None:
        return Text("—", style="dim")
    if isinstance(value, Rate):
        return Text(value.full())
    if isinstance(value, float):
        return Text(f"{value:g}")
    return Text(str(value))


def _all(section: Section, index: int, types) -> bool:
    values = [row[index] for row in section.rows if row[index] is not None]
    return bool(values) and all(isinstance(x, types) and not isinstance(x, bool) for x in values)


def _numeric(section: Section, index: int) -> bool:
    return _all(section, index, (int, float, Rate))


def _min_width(section: Section, index: int) -> int:
    """Figures and dates never break (a rate may break before its counts); text keeps 8 cells."""
    from rich.cells import cell_len

    widest = 1
    for row in section.rows:
        value = row[index]
        if isinstance(value, Rate):
            widest = max(widest, *(cell_len(p) for p in value.full().split(" ")))
        elif isinstance(value, str):
            widest = max(widest, min(cell_len(value), 8))
        else:
            widest = max(widest, cell_len(_cell_text(value).plain))
    return widest


def _rich_table(section: Section) -> Table:
    from rich import box

    if section.pairs:
        grid = Table(box=None, show_header=False, padding=(0, 1, 0, 2))
        grid.add_column()
        grid.add_column(justify="right")
        shown = range(2)
    else:
        shown = [i for i, c in enumerate(section.columns) if c not in section.wide_only]
        from . import FAST_ROWS, PlainTable

        if len(section.rows) > FAST_ROWS:
            right = {k for k, i in enumerate(shown) if _numeric(section, i)}
            cells = [[_cell_text(row[i]).plain for i in shown] for row in section.rows]
            return PlainTable([section.headers[i] for i in shown], cells, right)
        grid = Table(box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
        for i in shown:
            grid.add_column(
                Text(section.headers[i]),
                justify="right" if _numeric(section, i) else "left",
                min_width=_min_width(section, i),
                overflow="fold",
            )
    for row in section.rows:
        grid.add_row(*(_cell_text(row[i]) for i in shown))
    return grid


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
    grid = Table(box=None, padding=(0, 1), pad_edge=False)
    grid.add_column(Text(L["week"]))
    grid.add_column(Text(L["opened"]))
    grid.add_column(Text(L["closed"]))
    grid.add_column(Text(L["closure_rate"]), justify="right")
    for w in weeks:
        rate = w["closure_rate"]
        grid.add_row(
            Text(w["week"]),
            Text(f"{w['opened']:>{digits}} ") + Text(_bar(w["opened"], top).ljust(BAR_WIDTH), style="yellow"),
            Text(f"{w['closed']:>{digits}} ") + Text(_bar(w["closed"], top).ljust(BAR_WIDTH), style="green"),
            _cell_text(rate),
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
            parts.append(_rich_table(section))
        else:
            parts.append(Text("  " + (section.empty or L["none"]), style="dim"))
    return Group(*parts)


# --- Markdown and CSV ----------------------------------------------------------------------


def _md_cell(value) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return md_escape(_cell_text(value).plain)


def markdown(report: Report) -> str:
    """A briefing to paste: the headline sentence (or the title), then pipe tables."""
    L = _labels.labels(report.lang)
    lines = [report.headline or f"**{md_escape(report.title)}**", ""]
    for section in report.sections:
        if section.title != report.title:
            lines += [f"### {md_escape(section.title)}", ""]
        if not section.rows:
            lines += [section.empty or L["none"], ""]
            continue
        numeric = [_numeric(section, i) for i in range(len(section.headers))]
        lines.append("| " + " | ".join(md_escape(h) for h in section.headers) + " |")
        lines.append("|" + "|".join("---:" if n else "---" for n in numeric) + "|")
        lines += ["| " + " | ".join(_md_cell(x) for x in row) + " |" for row in section.rows]
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
            for label, value in section.rows:
                counts = [value.num, value.den] if isinstance(value, Rate) else []
                writer.writerow([_csv_cell(x) for x in (label, value, *counts)])
        else:
            writer.writerow([_csv_cell(h) for h in section.headers])
            writer.writerows([_csv_cell(x) for x in row] for row in section.rows)
    return out.getvalue()
