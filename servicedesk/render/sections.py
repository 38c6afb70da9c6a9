"""What a report is made of: sections of rows under registered columns, and the Context
every section builder reads (the language, its words, the park's categories).

A section is rows (dicts keyed by column name) under registered columns
(render/columns.py), drawn by the one table path (render/tables.py) on a terminal, in a
pipe and in Markdown, and written cell by cell (render/cells.py) to CSV and XLSX.
"""

from dataclasses import dataclass, field
from datetime import date

from . import labels as _labels
from .columns import Column, resolve
from .tables import Table

PAIRS = ("figure", "value")
TICKET_COLUMNS = ("id", "enterprise", "category", "title", "owner", "status", "opened_on", "due_on", "days_open",
                  "overdue")  # fmt: skip
TREND_COLUMNS = ("week", "opened", "closed", "collected", "closed_cumulative", "closure_rate")


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
    # A list that can run long (supervised, repeat problems): the terminal and Markdown show
    # its first `shown` rows and then `more` (with {n}: how many were left out); data files
    # (JSON, CSV, XLSX) carry every row.
    shown: int | None = None
    more: str = ""

    def visible(self) -> tuple[list[dict], str | None]:
        """The rows a reader sees, and the line that says how many were left out (if any)."""
        if self.shown is None or len(self.rows) <= self.shown:
            return self.rows, None
        return self.rows[: self.shown], self.more.format(n=len(self.rows) - self.shown)

    def table(self) -> Table:
        return Table(self.visible()[0], self.columns, headers=self.headers, header=not self.pairs)

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
    park: str | None = None  # `settings park`: heads the files forwarded upward
    day: str | None = None  # the day the report is as of


@dataclass(frozen=True)
class Context:
    """What every part needs: the language, its words, and the park's categories by code."""

    lang: str
    L: dict
    categories: dict = field(default_factory=dict)  # code → the report's by_category row

    @classmethod
    def of(cls, lang: str | None, data: dict | None = None) -> "Context":
        lang = _labels.resolve(lang)
        data = data or {}
        known = {r["category"]: r for r in data.get("categories", data.get("by_category", []))}
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
                "opened_on": day(x.get("opened_on")),
                "due_on": day(x.get("due_on")),
                "days_open": x.get("days_open"),
                "overdue": L["yes"] if x.get("overdue") else "",
            }
            for x in items
        ]


def day(iso: str | None) -> date | None:
    return date.fromisoformat(iso) if iso else None


def trend_section(ctx: Context, title: str, weeks: list[dict]) -> Section:
    return ctx.table("trend", title, TREND_COLUMNS, weeks)
