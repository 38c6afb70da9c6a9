"""Reading the office's spreadsheets: .csv (UTF-8, UTF-8 with BOM, GB18030), .xlsx and .xls.

A file becomes a `Sheet`: its header row mapped onto our field names (English, as in the
JSON, or the Chinese headers ledgers use; a title above it and a two-row header are
read), and its rows as `Row`s that know their file line, so every complaint names the
line and the column as the user sees them. Cell values are turned into text, dates and
codes here; looking names up in the database is the importer's job (services/imports.py).
Opening the file (encodings, sheets, merged cells) is spreadsheets/readers.py's, and the
headers each kind of file may have are spreadsheets/headers.py's.
"""

import itertools
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from .. import dates
from ..errors import DateError, ImportFailed
from ..i18n import _, language
from ..models import clean_line, clean_text, word_key, words
from .headers import HEADERS, REQUIRED, SILENT, header_key

_key = word_key
STATUS, OUTCOME, PRIORITY, CHANNEL = words("status"), words("outcome"), words("priority"), words("channel")
KIND, RANK, FEEDBACK, SERVICE, RESULT = (
    words("kind"),
    words("rank"),
    words("feedback"),
    words("service"),
    words("result"),
)
YES_NO = {
    **dict.fromkeys(["yes", "y", "true", "1", "是", "已归档"], "yes"),
    **dict.fromkeys(["no", "n", "false", "0", "否", ""], "no"),
}

# What safe_cell put in front of text that a spreadsheet would run; taken off on the way in.
_NEUTRALISED = re.compile(r"^'(?=[=+\-@\t\r])")
_HEADER_SCAN = 10  # ledgers put a title row or two above the header


class RowError(ImportFailed):
    """One bad cell: `台账.csv line 7, column 提出日期: …`, the line and header as the user sees them."""

    def __init__(self, file: str, line: int, column: str, message: str):
        super().__init__(
            _("{file} line {line}, column {column}: {message}").format(
                file=file, line=line, column=column, message=message
            )
        )
        self.line, self.column, self.message = line, column, message

    def listed(self) -> str:
        """The same without the file's name, for a list under a line that names it."""
        return _("line {line}, column {column}: {message}").format(
            line=self.line, column=self.column, message=self.message
        )


class BadRows(ImportFailed):
    """Every bad row of a file, found in one run: its message is one line (how many, in
    which file); `shown` lists the first SHOWN of them by line, and `more` counts the rest."""

    SHOWN = 20

    def __init__(self, file: str, errors: list[RowError], total: int):
        said = _("{total} bad rows in {file}; nothing was imported. Fix them and import the file again")
        super().__init__(said.format(total=total, file=file))
        self.file, self.total = file, total
        self.shown = [e.listed() for e in errors]
        self.more = total - len(errors)


class Problems:
    """The bad rows met while reading and checking a file, one per row: the first SHOWN
    by line are kept (a heap), the rest only counted, so a file that is wrong on every
    one of a million rows costs no memory."""

    def __init__(self, file: str):
        self.file = file
        self.total = 0
        self._kept: list[tuple[int, int, RowError]] = []  # (-line, order, error): the latest line on top

    def add(self, error: RowError) -> None:
        import heapq

        self.total += 1
        item = (-error.line, -self.total, error)
        if len(self._kept) < BadRows.SHOWN:
            heapq.heappush(self._kept, item)
        elif item > self._kept[0]:
            heapq.heapreplace(self._kept, item)

    def __bool__(self) -> bool:
        return self.total > 0

    def error(self) -> ImportFailed:
        """One bad row is one line, as it always was; several are BadRows."""
        errors = [e for _, _, e in sorted(self._kept, reverse=True)]
        if self.total == 1:
            return errors[0]
        return BadRows(self.file, errors, self.total)


class Sheet:
    """One file's header and rows, for one kind of import."""

    def __init__(self, path: Path, kind: str, sheet: str | None = None):
        from .readers import open_lines

        self.path = Path(path)
        self.name = self.path.name
        self.kind = kind
        self.today = dates.today()
        # Dates repeat: each spelling is parsed once, found by the cell as written (Row.date)
        # or as cleaned (parse_date); cleaning a cleaned cell changes nothing, so both agree.
        self._dates: dict[str, date] = {}
        self._keys: dict[str, str] = {}
        self.aliases = {header_key(a): field for field, names in HEADERS[kind].items() for a in names}
        opened = open_lines(self.path, sheet, self._judge, _HEADER_SCAN)
        self.sheet, self.estimated_rows = opened.sheet, opened.estimated_rows
        self.header_line, header, after = self._find_header(opened.head)
        self.columns: dict[str, tuple[int, str]] = {}  # field → (index, header as written)
        self.ignored: list[str] = []
        for index, cell in enumerate(header):
            written = _plain(cell)
            field = self.aliases.get(header_key(written))
            if field is None:
                if written and header_key(written) not in SILENT:
                    self.ignored.append(written)
            elif field in self.columns:
                raise ImportFailed(
                    _("{file} line {line}, column {column}: this column and {other} both give the {field}").format(
                        file=self.name, line=self.header_line, column=written, other=self.columns[field][1], field=field
                    )
                )
            else:
                self.columns[field] = (index, written)
        for field in REQUIRED[kind]:
            if field not in self.columns:
                names, said = HEADERS[kind][field], field
                if language() != "en":  # the headers a clerk writes in Chinese, the first naming the column
                    names = [n for n in names if not n.isascii()] or names
                    said = names[0]
                names = _(", ").join(names)
                where = _("{file} line {line}").format(file=self.name, line=self.header_line)
                if self.sheet:
                    where += _(" (sheet {sheet})").format(sheet=self.sheet)
                raise ImportFailed(
                    _("{where}: no {field} column; name one of its headers: {names}").format(
                        where=where, field=said, names=names
                    )
                )
        self._data = itertools.chain(opened.head[after:], opened.rest)

    # The header ----------------------------------------------------------------

    def _known(self, cells: list) -> set[str]:
        return {self.aliases.get(header_key(_plain(c))) for c in cells} - {None}

    def _headers(self, head: list[tuple[int, list]]) -> Iterator[tuple[int, list, int]]:
        """Each header a file's first lines could have: (line, cells, index of the first data line)."""
        for i, (number, cells) in enumerate(head):
            if not any(_plain(c) for c in cells):
                continue
            below = head[i + 1][1] if i + 1 < len(head) else None
            if below is not None and self._is_lower_header(cells, below):
                # 办理情况 over 办理状态 / 办结时间: each column is named by its lower cell, or
                # by the upper one where the lower is empty (or merged down from it).
                width = max(len(cells), len(below))
                merged = [_plain(_at(below, c)) or _plain(_at(cells, c)) for c in range(width)]
                yield head[i + 1][0], merged, i + 2
            yield number, cells, i + 1

    def _is_lower_header(self, upper: list, lower: list) -> bool:
        """Whether `lower` is the second row of a two-row header under `upper`: `upper` names
        a column (it is not a title), and most of `lower`'s own cells (those not merged down
        from `upper`) are column names."""
        if not self._known(upper):
            return False
        own = [_plain(c) for i, c in enumerate(lower) if _plain(c) and _plain(c) != _plain(_at(upper, i))]
        named = sum(1 for text in own if header_key(text) in self.aliases)
        return named > 0 and named * 2 >= len(own)

    def _judge(self, head: list[tuple[int, list]]) -> tuple[bool, int]:
        """(whether the lines hold a whole header, how many column names the best one knows)."""
        best = 0
        for _line, cells, _rows in self._headers(head):
            known = self._known(cells)
            if set(REQUIRED[self.kind]) <= known:
                return True, len(known)
            best = max(best, len(known))
        return False, best

    def _find_header(self, head: list[tuple[int, list]]) -> tuple[int, list, int]:
        first = None
        for found in self._headers(head):
            first = first or found
            if set(REQUIRED[self.kind]) <= self._known(found[1]):
                return found
        if first is None:
            raise ImportFailed(
                _("{name} is empty: it needs a header row and at least one row of data").format(name=self.name)
            )
        return first

    def rows(self) -> Iterator["Row"]:
        """The data rows after the header; blank rows and a ledger's totals rows (合计…) skipped."""
        where = [(field, index) for field, (index, _written) in self.columns.items()]
        for number, cells in self._data:
            first = next(filter(None, map(_plain, cells)), "")
            if first.replace(" ", "") in _TOTALS:
                continue
            width = len(cells)
            values = {}
            for field, index in where:
                if index < width:
                    value = cells[index]
                    if value is not None and value != "":
                        values[field] = value
            if values:
                yield Row(self, number, values)

    # Complaints --------------------------------------------------------------

    def error(self, line: int, field: str, message: str) -> RowError:
        """`台账.csv line 7, column 提出日期: …` — the line and header as the user sees them."""
        return RowError(self.name, line, self.column(field), message)

    def column(self, field: str) -> str:
        """The header the user wrote for `field`, or its names when the file has no such column."""
        if field in self.columns:
            return self.columns[field][1]
        headers = _(" or ").join(HEADERS[self.kind][field][:2])
        return _("{field} (no such column; add one headed {headers})").format(field=field, headers=headers)

    def key(self, text: str) -> str:
        """word_key(text), once per spelling: a ledger writes 已办结 a thousand times."""
        found = self._keys.get(text)
        if found is None:
            found = self._keys[text] = _key(text)
        return found

    def parse_date(self, text: str) -> date:
        found = self._dates.get(text)
        if found is None:
            found = self._dates[text] = dates.parse_date(text, today=self.today)
        return found


def _at(cells: list, index: int):
    return cells[index] if index < len(cells) else None


def _plain(value) -> str:
    if type(value) is str:  # nearly every cell: the fast way through
        return (_NEUTRALISED.sub("", value) if value[:1] == "'" else value).strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # Excel keeps phone numbers and ids typed as numbers as floats: 13800000000.0.
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return _NEUTRALISED.sub("", str(value)).strip()


# What the first filled cell of a summary row says in an office ledger.
_TOTALS = {"合计", "总计", "小计", "合计：", "总计：", "total", "Total", "TOTAL"}
_ONE_LINE = {"name", "title", "enterprise", "officer", "owner", "officers"}


class Row:
    """One data row: its file line and its cells by field, read on demand."""

    __slots__ = ("sheet", "line", "values")

    def __init__(self, sheet: Sheet, line: int, values: dict):
        self.sheet = sheet
        self.line = line
        self.values = values

    def error(self, field: str, message: str) -> RowError:
        return self.sheet.error(self.line, field, message)

    def has(self, field: str) -> bool:
        return field in self.values

    def text(self, field: str, *, required: bool = False) -> str | None:
        value = self.values.get(field)
        # _plain's own fast way, without the call: nearly every cell is text.
        value = value.strip() if type(value) is str and value[:1] != "'" else _plain(value)
        # clean_text drops control characters; printable text (nearly all) has none to drop,
        # and no whitespace but the space. Names and titles fold their whitespace as the CLI
        # stores them (clean_line), so they match.
        if not value.isprintable():
            value = clean_line(value) if field in _ONE_LINE else clean_text(value)
        elif "  " in value and field in _ONE_LINE:
            value = " ".join(value.split())
        value = value or None
        if value is None and required:
            raise self.error(field, _("the {field} is empty").format(field=field.replace("_", " ")))
        return value

    def date(self, field: str, *, required: bool = False, future: bool = False) -> date | None:
        """A date cell (a real Excel date, or text in any form the CLI reads); past unless `future`."""
        value = self.values.get(field)
        # A date is written the same way row after row: each spelling is read once.
        found = self.sheet._dates.get(value) if type(value) is str else None
        if found is None:
            if isinstance(value, datetime):
                found = value.date()
            elif isinstance(value, date):
                found = value
            else:
                text = self.text(field, required=required)
                if text is None:
                    return None
                try:
                    found = self.sheet._dates[value] = self.sheet.parse_date(text)
                except DateError as e:
                    raise self.error(field, str(e)) from None
        if found > self.sheet.today and not future:
            raise self.error(field, _("{date} is in the future").format(date=found.isoformat()))
        return found

    def choice(self, field: str, table: dict[str, str], *, default: str | None = None) -> str | None:
        text = self.text(field)
        if text is None:
            return default
        found = table.get(self.sheet.key(text))
        if found is None:
            codes = sorted(set(table.values()))
            if language() != "en":  # the words a clerk writes: each code's first Chinese name
                named = {c: next((w for w, of in table.items() if of == c and not w.isascii()), c) for c in codes}
                valid = _(", ").join(named[c] for c in codes)
                raise self.error(field, _('"{text}" is not one of: {valid}').format(text=text, valid=valid))
            valid = ", ".join(codes)
            raise self.error(
                field, _('"{text}" is not one of: {valid} (or their Chinese names)').format(text=text, valid=valid)
            )
        return found

    def integer(self, field: str) -> int | None:
        text = self.text(field)
        if text is None:
            return None
        try:
            return int(text.lstrip("#＃"))
        except ValueError:
            raise self.error(field, _('"{text}" is not a whole number').format(text=text)) from None


def split_names(text: str | None) -> list[str]:
    """王伟、李娜；张强 → three names: rosters separate officers every which way."""
    if not text:
        return []
    return [n for n in (clean_text(p) for p in re.split(r"[,;、，；/\n]+", text)) if n]
