"""A report as an Excel workbook: one sheet per part, numbers stored as numbers, and a
native Excel chart of the trend. Imported only when someone asks for .xlsx (openpyxl
costs ~100 ms to import).

Percentages are stored as fractions (0.978) with the number format '0.0%', so Excel
shows 97.8% and sums, charts and sorts them as numbers. Dates are real dates.
"""

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from ..models import Rate, looks_like_formula
from . import cells
from . import labels as _labels
from .report import Report, Section

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_SHEET_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))


def _put(ws, row: int, column: int, value):
    """One cell through the one spreadsheet formatter (render/cells.py); returns the cell."""
    stored, number_format = cells.sheet(value, xlsx=True)
    if isinstance(stored, str):
        stored = ILLEGAL_CHARACTERS_RE.sub("", stored)
    cell = ws.cell(row=row, column=column, value=stored)
    if number_format:
        cell.number_format = number_format
    if looks_like_formula(stored):
        # Text, not a formula: a string cell never runs, and Excel shows no ' before it.
        # quotePrefix keeps it text when someone edits the cell.
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def _write_table(ws, headers: list[str], rows: list[list]) -> None:
    """Header row bold and frozen, then the rows; each column sized to its content."""
    widths = [0] * len(headers)
    for r, row in enumerate([headers, *rows], start=1):
        for c, value in enumerate(row):
            cell = _put(ws, r, c + 1, value)
            if r == 1:
                cell.font = _HEADER_FONT
                cell.fill = _HEADER_FILL
            # What Excel shows is about what the CSV says: "97.8%", "2022-05-10", the text.
            widths[c] = max(widths[c], cells.width(str(cells.sheet(value)[0])))
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 6), 60)
    ws.freeze_panes = "A2"


def _sheet(wb: Workbook, title: str):
    return wb.create_sheet((title.translate(_SHEET_FORBIDDEN) or "Sheet")[:31])


def _headline_rows(report: Report, L) -> list[list]:
    """The report's identity and every figure/value part, one figure a row."""
    rows = [[L["report"], L[key], value, None, None] for key, value in report.meta if value is not None]
    for section in report.sections:
        if section.pairs:
            for row in section.rows:
                value = row["value"]
                counts = [value.num, value.den] if isinstance(value, Rate) else [None, None]
                rows.append([section.title, row["figure"], value, *counts])
    return rows


def _trend_chart(ws, section: Section, L) -> None:
    """Weekly opened vs closed as bars, the cumulative closure rate as a line on a second axis."""
    n = len(section.rows)
    if not n:
        return
    col = {c.name: i + 1 for i, c in enumerate(section.columns)}
    weeks = Reference(ws, min_col=col["week"], min_row=2, max_row=n + 1)
    bars = BarChart()
    bars.type = "col"
    bars.title = f"{L['opened']} / {L['closed']} · {L['closure_rate']}"
    opened_closed = Reference(ws, min_col=col["opened"], max_col=col["closed"], min_row=1, max_row=n + 1)
    bars.add_data(opened_closed, titles_from_data=True)
    bars.set_categories(weeks)
    bars.y_axis.title = f"{L['opened']} / {L['closed']}"
    line = LineChart()
    line.add_data(Reference(ws, min_col=col["closure_rate"], min_row=1, max_row=n + 1), titles_from_data=True)
    line.set_categories(weeks)
    line.y_axis.axId = 200
    line.y_axis.title = L["closure_rate"]
    line.y_axis.number_format = "0%"
    line.y_axis.crosses = "max"
    line.y_axis.majorGridlines = None
    # openpyxl 3.1 leaves <c:delete> unset, and recent Excel then hides the axes.
    for axis in (bars.x_axis, bars.y_axis, line.y_axis):
        axis.delete = False
    bars += line
    bars.width, bars.height = 20, 10
    ws.add_chart(bars, f"{get_column_letter(len(section.columns) + 2)}2")


def table_workbook(title: str, headers: list[str], rows: list[list]) -> Workbook:
    """One sheet of rows under a header row (the ledger)."""
    wb = Workbook()
    ws = wb.active
    ws.title = title.translate(_SHEET_FORBIDDEN)[:31] or "Sheet"
    _write_table(ws, headers, rows)
    return wb


def workbook(report: Report) -> Workbook:
    L = _labels.labels(report.lang)
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.title = f"{report.park} · {report.title}" if report.park else report.title
    if report.headline:
        wb.properties.description = report.headline
    ws = _sheet(wb, L["sheet_headline"])
    _write_table(ws, [L["part"], L["figure"], L["value"], L["numerator"], L["denominator"]], _headline_rows(report, L))
    for section in report.sections:
        if section.pairs:
            continue
        ws = _sheet(wb, L.get(f"sheet_{section.key}", section.title))
        _write_table(ws, section.headers, section.cells())
        if section.key == "trend":
            _trend_chart(ws, section, L)
    return wb
