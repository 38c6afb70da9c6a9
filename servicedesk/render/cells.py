"""One cell, as each output shows it. Nothing here knows a table's layout.

- `text(value)`: what a person reads in a terminal table or a Markdown cell.
- `sheet(value, xlsx=…)`: what a spreadsheet file stores, CSV and XLSX alike; the two
  differ only where the format does (XLSX has number formats and string cells, CSV has
  only text, so formula-like text gets its leading ' there and only there).
- `md_cell(value)`: a Markdown table cell; user text made inert (`md_escape`).
- `width(text)`: the terminal cells a string takes (CJK counts two), `rich.cells.cell_len`,
  for terminal tables and workbook columns alike.
"""

from datetime import date

from rich.cells import cell_len

from ..models import Rate, safe_cell, sheet_value

PERCENT = "0.0%"  # XLSX number formats
DATE = "yyyy-mm-dd"
NONE = "—"  # a cell with no value, in a table or Markdown


def width(text: str) -> int:
    return cell_len(text)


def number(value: float) -> str:
    """4.5, 5 (not 5.0), 1234.57: no exponent, no float noise."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def text(value) -> str:
    """A cell for people: — for nothing, a rate with its counts (97.8% (90/92)), a flag as yes."""
    if value is None:
        return NONE
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, Rate):
        return value.full()
    if isinstance(value, float):
        return number(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def sheet(value, xlsx: bool = False) -> tuple[object, str | None]:
    """A cell for a spreadsheet file: (stored value, XLSX number format or None).

    Empty for nothing; a rate as 97.8% in CSV and as the fraction 0.978 in percent format
    in XLSX; dates as ISO text in CSV and as dates in XLSX; numbers as numbers; flags and
    lists as models.sheet_value writes them; text as is, with CSV's leading ' on formula-
    like text (models.safe_cell).
    """
    if value is None:
        return (None if xlsx else ""), None
    if isinstance(value, Rate):
        if value.value is None:
            return (None, PERCENT) if xlsx else ("", None)
        # 97.8 → 0.978 exactly: round away the float noise of the division.
        return (round(value.value / 100, 6), PERCENT) if xlsx else (str(value), None)
    if isinstance(value, date):
        return (value, DATE) if xlsx else (value.isoformat(), None)
    return (sheet_value(value) if xlsx else safe_cell(value)), None


# What user text could otherwise write in Markdown: links and images ([x](…), ![x](…)),
# emphasis, code spans, strikethrough, a heading's closing #s; a | would end the table
# cell, a backslash eat the next character, and <…> and &…; reach the reader as HTML
# (and autolinks). Each is shown as the character itself. ( ) and ! stay as typed: with
# [ and ] escaped they cannot make a link or an image, and "(no owner)" stays readable.
_MD = {c: "\\" + c for c in "\\`*_[]#~|"}
_MD.update({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_MD_SPECIAL = str.maketrans(_MD)


def md_escape(text: str) -> str:
    """Text inert in Markdown, in a table cell or a heading: every ASCII character that could
    start a construct is backslash-escaped (entities for <, > and &), and a line break, which
    would end the row, is <br>. Chinese text and its full-width punctuation are untouched."""
    text = text.translate(_MD_SPECIAL)
    return text.replace("\r\n", "<br>").replace("\n", "<br>").replace("\r", "<br>")


def md_cell(value) -> str:
    """A Markdown table cell: text escaped; our own numbers, rates and dates as they are."""
    if isinstance(value, (str, list, tuple)):
        return md_escape(text(value))
    return text(value)
