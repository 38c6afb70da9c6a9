"""Reading the office's spreadsheets: .csv (UTF-8, UTF-8 with BOM, GB18030) and .xlsx.

A file becomes a `Sheet`: its header row mapped onto our field names (English, as in the
JSON, or the Chinese headers ledgers use), and its rows as `Row`s that know their file
line, so every complaint names the line and the column as the user sees them. Cell
values are turned into text, dates and codes here; looking names up in the database is
the importer's job (services/transfer.py).

openpyxl is imported only when an .xlsx is opened.
"""

import csv
import io
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from . import dates
from .errors import DateError, ImportFailed
from .models import clean_line, clean_text, word_key, words

# Field → headers that mean it, per kind of file. The first alias is the English field
# name, as `export` writes it; the rest are what Chinese ledgers put in their header row.
_ENTERPRISE = ("name", "enterprise", "企业名称", "名称", "企业", "项目名称", "单位名称", "企业项目名称")
HEADERS: dict[str, dict[str, tuple[str, ...]]] = {
    "officer": {
        "name": ("name", "officer", "姓名", "干部", "干部姓名", "名称", "首席服务员"),
        "rank": ("rank", "职级", "级别", "干部类别"),
        "unit": ("unit", "单位", "工作单位", "所在单位", "部门"),
        "phone": ("phone", "电话", "联系电话", "手机", "手机号", "联系方式"),
        "archived": ("archived", "已归档", "归档"),
    },
    "enterprise": {
        "name": _ENTERPRISE,
        "sector": ("sector", "行业", "所属行业", "产业", "所属产业"),
        "kind": ("kind", "类型", "企业类型", "性质"),
        "contact": ("contact", "联系人", "企业联系人"),
        "phone": ("phone", "联系电话", "电话", "手机", "手机号", "联系方式"),
        "address": ("address", "地址", "企业地址", "所在地"),
        "note": ("note", "备注", "说明"),
        "archived": ("archived", "已归档", "归档"),
        "officers": ("officers", "officer", "包联干部", "包联领导", "包联人", "包联责任人", "服务专员"),
        "assigned_from": ("assigned_from", "包联日期", "包联开始日期", "包联时间"),
    },
    "ticket": {
        "enterprise": _ENTERPRISE[1:],
        "category": ("category", "问题类别", "问题类型", "类别", "类型", "问题分类"),
        "title": ("title", "问题描述", "问题", "问题内容", "具体问题", "存在问题"),
        "opened_on": ("opened_on", "提出日期", "反映时间", "登记日期", "提出时间", "反映日期"),
        "owner": ("owner", "责任人", "包联干部", "负责人"),
        "department": ("department", "责任单位", "交办单位", "承办单位"),
        "due_on": ("due_on", "办理时限", "截止日期", "完成时限"),
        "status": ("status", "办理状态", "状态"),
        "started_on": ("started_on", "开始办理日期"),
        "closed_on": ("closed_on", "办结时间", "办结日期"),
        "outcome": ("outcome", "办理结果", "结果"),
        "resolution": ("resolution", "解决情况", "办理情况", "答复内容", "办理意见"),
        "priority": ("priority", "优先级", "紧急程度"),
        "visited_on": ("visited_on", "走访日期"),
        # Written by `export` only when the other columns cannot tell the story; see ticket_import.
        "history": ("history", "办理记录"),
    },
    "visit": {
        "enterprise": _ENTERPRISE[1:],
        "officer": ("officer", "走访人", "干部", "走访干部", "包联干部"),
        "visited_on": ("visited_on", "走访日期", "走访时间", "日期"),
        "channel": ("channel", "方式", "走访方式"),
        "note": ("note", "走访情况", "备注", "走访内容"),
    },
    "service": {
        "enterprise": _ENTERPRISE[1:],
        "kind": ("kind", "服务类型", "类型", "服务内容", "服务事项"),
        "served_on": ("served_on", "服务日期", "日期", "时间"),
        "quantity": ("quantity", "数量", "人数", "件数"),
        "amount": ("amount", "金额", "资金", "争取资金"),
        "officer": ("officer", "服务人", "干部", "经办人"),
        "note": ("note", "备注", "说明"),
    },
    "feedback": {
        "enterprise": _ENTERPRISE[1:],
        "kind": ("kind", "类型", "反馈类型", "形式"),
        "score": ("score", "评分", "满意度"),
        "ticket": ("ticket", "问题编号", "工单"),
        "received_on": ("received_on", "日期", "收到日期", "反馈日期"),
        "note": ("note", "备注", "内容", "反馈内容"),
    },
}
REQUIRED = {
    "officer": ("name",),
    "enterprise": ("name",),
    "ticket": ("enterprise", "category", "title", "opened_on"),
    "visit": ("enterprise", "visited_on"),
    "feedback": ("enterprise", "kind", "received_on"),
    "service": ("enterprise", "kind", "served_on"),
}
# Columns a ledger or our own export carries that no import needs: not worth a warning.
_SILENT = {"id", "序号", "编号"}


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
_HEADER_NOISE = re.compile(r"[(（\[【].*?[)）\]】]|[*＊:：]")
_HEADER_SCAN = 10  # ledgers put a title row or two above the header


def header_key(text) -> str:
    """企业(项目)名称 *, 'Opened_On ' → 企业名称, opened_on: hints and marks never matter."""
    return _key(_HEADER_NOISE.sub("", str(text or "")))


class Sheet:
    """One file's header and rows, for one kind of import."""

    def __init__(self, path: Path, kind: str):
        self.path = Path(path)
        self.name = self.path.name
        self.kind = kind
        self.today = dates.today()
        self._dates: dict[str, date] = {}  # dates repeat: parse each spelling once
        lines = self._lines()
        aliases = {header_key(a): field for field, names in HEADERS[kind].items() for a in names}
        self.header_line, header = self._find_header(lines, aliases)
        self.columns: dict[str, tuple[int, str]] = {}  # field → (index, header as written)
        self.ignored: list[str] = []
        for index, cell in enumerate(header):
            written = _plain(cell)
            field = aliases.get(header_key(written))
            if field is None:
                if written and header_key(written) not in _SILENT:
                    self.ignored.append(written)
            elif field in self.columns:
                raise ImportFailed(
                    f"{self.name} line {self.header_line}, column {written}: "
                    f"this column and {self.columns[field][1]} both give the {field}"
                )
            else:
                self.columns[field] = (index, written)
        for field in REQUIRED[kind]:
            if field not in self.columns:
                names = ", ".join(HEADERS[kind][field])
                raise ImportFailed(
                    f"{self.name} line {self.header_line}: no {field} column; name one of its headers: {names}"
                )
        self._data = lines  # what is left after the header

    # Reading -----------------------------------------------------------------

    def _lines(self) -> Iterator[tuple[int, list]]:
        if not self.path.is_file():
            raise ImportFailed(f"{self.path}: no such file")
        suffix = self.path.suffix.lower()
        if suffix == ".csv":
            return self._csv_lines()
        if suffix in (".xlsx", ".xlsm"):
            return self._xlsx_lines()
        if suffix in (".xls", ".et", ".wps"):
            raise ImportFailed(f"{self.name}: this is an old Excel/WPS file; save it as .xlsx or .csv and import that")
        raise ImportFailed(f"{self.name}: import reads .csv or .xlsx files, not {suffix or 'files without a suffix'}")

    def _csv_lines(self) -> Iterator[tuple[int, list]]:
        raw = self.path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            # Excel on Chinese Windows saves "CSV" in the ANSI code page: GBK, which GB18030 extends.
            try:
                text = raw.decode("gb18030")
            except UnicodeDecodeError:
                raise ImportFailed(
                    f"{self.name}: cannot read it as UTF-8 or GB18030 text; save it as CSV UTF-8"
                ) from None
        self.estimated_rows = text.count("\n")
        first = text[: text.find("\n")]
        delimiter = "\t" if "\t" in first and "," not in first else ","
        csv.field_size_limit(max(csv.field_size_limit(), len(text)))  # no cell is longer than its file
        return self._records(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))

    def _records(self, reader) -> Iterator[tuple[int, list]]:
        # A quoted cell may span lines: a record's line is where it starts.
        while True:
            start = reader.line_num + 1
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                raise ImportFailed(f"{self.name} line {start}: {e}") from None
            yield start, record

    def _xlsx_lines(self) -> Iterator[tuple[int, list]]:
        import openpyxl

        # A damaged workbook can fail anywhere inside openpyxl (zip, XML, styles), when
        # opened or while its rows stream in; each is the same mistake to the user.
        try:
            book = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        except Exception as e:
            raise ImportFailed(f"{self.name}: not a readable .xlsx workbook ({e})") from None
        sheet = book.worksheets[0]
        self.estimated_rows = sheet.max_row or 0
        # Some writers record a wrong sheet size, and read-only mode would trust it.
        sheet.reset_dimensions()

        def rows():
            try:
                for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
                    yield number, list(values)
            except Exception as e:
                raise ImportFailed(f"{self.name}: not a readable .xlsx workbook ({e})") from None
            finally:
                book.close()

        return rows()

    def _find_header(self, lines, aliases) -> tuple[int, list]:
        first = None
        for _ in range(_HEADER_SCAN):
            try:
                number, cells = next(lines)
            except StopIteration:
                break
            if not any(_plain(c) for c in cells):
                continue
            first = first or (number, cells)
            known = {aliases.get(header_key(_plain(c))) for c in cells} - {None}
            if set(REQUIRED[self.kind]) <= known:
                return number, cells
        if first is None:
            raise ImportFailed(f"{self.name} is empty: it needs a header row and at least one row of data")
        return first

    def rows(self) -> Iterator["Row"]:
        """The data rows after the header; blank rows and a ledger's totals rows (合计…) skipped."""
        for number, cells in self._data:
            first = next((text for text in map(_plain, cells) if text), "")
            if first.replace(" ", "") in _TOTALS:
                continue
            values = {}
            for field, (index, _) in self.columns.items():
                if index < len(cells):
                    value = cells[index]
                    if value is not None and value != "":
                        values[field] = value
            if values:
                yield Row(self, number, values)

    # Complaints --------------------------------------------------------------

    def error(self, line: int, field: str, message: str) -> ImportFailed:
        """`台账.csv line 7, column 提出日期: …` — the line and header as the user sees them."""
        return ImportFailed(f"{self.name} line {line}, column {self.column(field)}: {message}")

    def column(self, field: str) -> str:
        """The header the user wrote for `field`, or its names when the file has no such column."""
        if field in self.columns:
            return self.columns[field][1]
        return f"{field} (no such column; add one headed {' or '.join(HEADERS[self.kind][field][:2])})"

    def parse_date(self, text: str) -> date:
        found = self._dates.get(text)
        if found is None:
            found = self._dates[text] = dates.parse_date(text, today=self.today)
        return found


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

    def error(self, field: str, message: str) -> ImportFailed:
        return self.sheet.error(self.line, field, message)

    def has(self, field: str) -> bool:
        return field in self.values

    def text(self, field: str, *, required: bool = False) -> str | None:
        value = _plain(self.values.get(field))
        # clean_text drops control characters; printable text (nearly all) has none to drop.
        # Names and titles fold their whitespace as the CLI stores them, so they match.
        if field in _ONE_LINE:
            value = clean_line(value)
        elif not value.isprintable():
            value = clean_text(value)
        value = value or None
        if value is None and required:
            raise self.error(field, f"the {field.replace('_', ' ')} is empty")
        return value

    def date(self, field: str, *, required: bool = False, future: bool = False) -> date | None:
        """A date cell (a real Excel date, or text in any form the CLI reads); past unless `future`."""
        value = self.values.get(field)
        if isinstance(value, datetime):
            found = value.date()
        elif isinstance(value, date):
            found = value
        else:
            text = self.text(field, required=required)
            if text is None:
                return None
            try:
                found = self.sheet.parse_date(text)
            except DateError as e:
                raise self.error(field, str(e)) from None
        if found > self.sheet.today and not future:
            raise self.error(field, f"{found.isoformat()} is in the future")
        return found

    def choice(self, field: str, table: dict[str, str], *, default: str | None = None) -> str | None:
        text = self.text(field)
        if text is None:
            return default
        found = table.get(_key(text))
        if found is None:
            valid = ", ".join(sorted(set(table.values())))
            raise self.error(field, f'"{text}" is not one of: {valid} (or their Chinese names)')
        return found

    def integer(self, field: str) -> int | None:
        text = self.text(field)
        if text is None:
            return None
        try:
            return int(text.lstrip("#＃"))
        except ValueError:
            raise self.error(field, f'"{text}" is not a whole number') from None


def split_names(text: str | None) -> list[str]:
    """王伟、李娜；张强 → three names: rosters separate officers every which way."""
    if not text:
        return []
    return [n for n in (clean_text(p) for p in re.split(r"[,;、，；/\n]+", text)) if n]
