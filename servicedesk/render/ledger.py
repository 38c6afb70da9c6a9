"""The problem ledger (问题台账) as a spreadsheet the office keeps and `ticket import` reads
back: headers in --lang (the Chinese ones are the importer's own first Chinese names), and
in Chinese the values people read (categories, statuses, outcomes, priorities)."""

from ..files import private_file
from ..i18n import language
from ..models import OUTCOME_LABELS, PRIORITY_LABELS, STATUS_LABELS
from ..spreadsheets import HEADERS
from . import cells

_CHINESE = {"status": STATUS_LABELS, "outcome": OUTCOME_LABELS, "priority": PRIORITY_LABELS}


def header(field: str, lang: str) -> str:
    """The column's header: the field's name, or in Chinese the importer's first Chinese name for it."""
    if lang != "zh":
        return field
    names = HEADERS["ticket"].get(field) or (field, "编号" if field == "id" else field)
    return next((n for n in names if not n.isascii()), field)


def rows_for(columns: list[str], rows: list[dict], lang: str, categories: dict[str, str]) -> list[list]:
    shown = []
    for row in rows:
        out = []
        for c in columns:
            value = row[c]
            if lang == "zh" and value is not None:
                value = categories.get(value, value) if c == "category" else _CHINESE.get(c, {}).get(value, value)
            out.append(value)
        shown.append(out)
    return shown


def write(path, columns: list[str], rows: list[dict], categories: dict[str, str], lang: str | None = None) -> None:
    """The ledger to `path` (.xlsx or .csv), mode 0600; `categories`: code → the park's Chinese label."""
    lang = language(lang)
    headers = [header(c, lang) for c in columns]
    values = rows_for(columns, rows, lang, categories)
    if str(path).lower().endswith(".xlsx"):
        from .xlsx import table_workbook

        book = table_workbook(("台账" if lang == "zh" else "Ledger"), headers, values)
        with private_file(path, binary=True) as f:
            book.save(f)
        return
    import csv

    with private_file(path, encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow(headers)
        writer.writerows([cells.sheet(v)[0] for v in row] for row in values)
