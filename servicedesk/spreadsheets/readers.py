"""Opening an office's file as numbered rows of cells: .csv in the encodings Chinese
Windows writes, and workbooks (.xlsx, .xls) through python-calamine.

A reader yields (line, cells): the line as the user sees it (a CSV record's first line,
a sheet's row number) and the cells as Python values (text, numbers, dates). Cells
merged down a column are filled on every row they cover, so an enterprise written once
over its problems is on each of them. What the header and the cells mean is
the business of spreadsheets/__init__.py.

calamine (Rust) reads a sheet about ten times faster than openpyxl's reader; it holds
the sheet in memory while it does (about 1 KiB a row of a ten-column ledger), so a
workbook's rows are turned into Python values one at a time. openpyxl stays the writer.
"""

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import ImportFailed
from ..i18n import _

Lines = Iterator[tuple[int, list]]
WORKBOOKS = (".xlsx", ".xlsm", ".xls")
_READ_CHUNK = 1 << 20  # bytes of a CSV file decoded at a time


@dataclass
class Opened:
    """A file opened for reading: its first lines, read to find the header, and the rest."""

    head: list[tuple[int, list]]
    rest: Lines
    sheet: str | None = None  # the sheet read, in a workbook of several
    estimated_rows: int = 0  # for a progress bar


def open_lines(path: Path, sheet: str | None, header: Callable[[list[tuple[int, list]]], tuple[bool, int]], scan: int):
    """The file's first `scan` lines and an iterator over the rest, as an Opened.

    In a workbook, `sheet` picks the sheet by name; without it, the first sheet whose first
    lines hold a whole header, as `header` says: (whole, how many known column names).
    An instructions sheet (填表说明) is passed over that way; when no sheet has a whole
    header, the one with the most known names is read, for the message on what it lacks.
    """
    if not path.is_file():
        raise ImportFailed(_("{path}: no such file").format(path=path))
    suffix = path.suffix.lower()
    if suffix == ".csv":
        if sheet is not None:
            raise ImportFailed(
                _("{name} is a CSV file, which has one table; --sheet is for .xlsx and .xls workbooks").format(
                    name=path.name
                )
            )
        lines, estimate = _csv_lines(path)
        return Opened(_take(lines, scan), lines, None, estimate)
    if suffix in WORKBOOKS:
        return _workbook(path, sheet, header, scan)
    if suffix in (".et", ".wps", ".ods", ".numbers"):
        raise ImportFailed(
            _("{name}: import reads .csv, .xlsx and .xls; save it as .xlsx or .csv and import that").format(
                name=path.name
            )
        )
    raise ImportFailed(
        _("{name}: import reads .csv, .xlsx or .xls files, not {suffix}").format(
            name=path.name, suffix=suffix or _("files without a suffix")
        )
    )


def _take(lines: Lines, n: int) -> list[tuple[int, list]]:
    head = []
    for line in lines:
        head.append(line)
        if len(head) == n:
            break
    return head


# CSV ----------------------------------------------------------------------------


def _encoding(path: Path) -> tuple[str, int]:
    """(encoding, lines): UTF-8 (with or without a BOM), else GB18030, as Excel on Chinese
    Windows saves "CSV" in the ANSI code page (GBK, which GB18030 extends). The whole file
    is checked a chunk at a time before a row is read, so a bad byte on its last line
    does not stop a half-read import."""
    import codecs

    for encoding in ("utf-8-sig", "gb18030"):
        decoder, lines = codecs.getincrementaldecoder(encoding)(), 0
        try:
            with open(path, "rb") as f:
                while chunk := f.read(_READ_CHUNK):
                    decoder.decode(chunk)
                    lines += chunk.count(b"\n")
            decoder.decode(b"", final=True)
            return encoding, lines
        except UnicodeDecodeError:
            continue
    raise ImportFailed(
        _("{name}: cannot read it as UTF-8 or GB18030 text; save it as CSV UTF-8").format(name=path.name)
    )


def _csv_lines(path: Path) -> tuple[Lines, int]:
    encoding, estimate = _encoding(path)
    f = open(path, encoding=encoding, newline="")  # noqa: SIM115 - closed when the rows run out
    first = f.readline()
    f.seek(0)
    delimiter = "\t" if "\t" in first and "," not in first else ","
    # No cell is longer than its file.
    csv.field_size_limit(max(csv.field_size_limit(), path.stat().st_size))
    reader = csv.reader(f, delimiter=delimiter)
    name = path.name

    def records() -> Lines:
        # A quoted cell may span lines: a record's line is where it starts.
        try:
            while True:
                start = reader.line_num + 1
                try:
                    record = next(reader)
                except StopIteration:
                    return
                except csv.Error as e:
                    raise ImportFailed(_("{name} line {start}: {e}").format(name=name, start=start, e=e)) from None
                yield start, record
        finally:
            f.close()

    return records(), estimate


# Workbooks ------------------------------------------------------------------------


def _workbook(path: Path, wanted: str | None, header, scan: int):
    import python_calamine

    kind = path.suffix.lower()

    def unreadable(e: Exception) -> ImportFailed:
        # A damaged workbook fails inside calamine (zip, XML, OLE) when opened or when a
        # sheet is read; each is the same mistake to the user.
        return ImportFailed(_("{name}: not a readable {kind} workbook ({e})").format(name=path.name, kind=kind, e=e))

    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        names = list(book.sheet_names)
    except Exception as e:
        raise unreadable(e) from None
    if wanted is not None and wanted not in names:
        listed = ", ".join(names)
        raise ImportFailed(
            _('{name} has no sheet named "{wanted}"; its sheets: {listed}').format(
                name=path.name, wanted=wanted, listed=listed
            )
        )
    best, best_known = None, -1
    for name in [wanted] if wanted is not None else names:
        try:
            sheet = book.get_sheet_by_name(name)
        except Exception as e:
            raise unreadable(e) from None
        lines = _sheet_lines(sheet)
        head = _take(lines, scan)
        whole, known = header(head) if head else (False, -1)
        named = name if len(names) > 1 else None
        if wanted is not None or whole:
            return Opened(head, lines, named, sheet.end[0] + 1 if sheet.end else 0)
        if known > best_known:
            best, best_known = Opened(head, iter(()), named), known
        del sheet, lines
    if best is None:
        raise ImportFailed(
            _("{name} is empty: it needs a header row and at least one row of data").format(name=path.name)
        )
    return best


def _sheet_lines(sheet) -> Lines:
    """A sheet's rows numbered as the sheet numbers them, with cells merged down a column
    filled on every row they cover (from their top cell)."""
    first_column = sheet.start[1] if sheet.start else 0
    # Merges over one row only (a title across the columns, a group header over its
    # sub-headers) stay as they are: only a merge down a column repeats a value.
    downs = sorted((r0, r1, c0 - first_column) for (r0, c0), (r1, _) in (sheet.merged_cell_ranges or ()) if r1 > r0)
    # calamine's rows start at the sheet's first row, whatever is in it.
    rows = sheet.iter_rows()
    if not downs:
        return ((number, row) for number, row in enumerate(rows, start=1))
    return _filled(rows, downs)


def _filled(rows, downs: list[tuple[int, int, int]]) -> Lines:
    active: dict[int, tuple[int, object]] = {}  # column → (last row covered, value)
    at = 0
    for index, row in enumerate(rows):
        while at < len(downs) and downs[at][0] == index:
            _, last, column = downs[at]
            if column < len(row):
                active[column] = (last, row[column])
            at += 1
        if active:
            for column, (last, value) in list(active.items()):
                if index > last:
                    del active[column]
                elif row[column] == "" or row[column] is None:
                    row[column] = value
        yield index + 1, row
