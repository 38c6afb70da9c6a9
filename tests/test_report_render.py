"""The reports in every format: one computed dict, rendered as a table, JSON, CSV,
Markdown and XLSX without recomputing anything."""

import copy
import csv
import io
import json

import openpyxl
import pytest
from rich.cells import cell_len
from rich.console import Console

from servicedesk import i18n, reports
from servicedesk.models import Rate
from servicedesk.render import labels
from servicedesk.render import report as rendered

# Checked on both backends (conftest.py).
pytestmark = pytest.mark.both

WEEK = "2022-W19"
HEADLINE_ZH = (
    "本周（2022-W19，5月9日—5月15日）走访企业 65 家，覆盖率 100.0%；新梳理问题 6 个，办结 7 个。"
    "累计梳理问题 92 个，办结 90 个，办结率 97.8%；解决 90 个，解决率 97.8%。收到锦旗 4 面、感谢信 3 封。"
)
HEADLINE_EN = (
    "This week (2022-W19, May 9 – May 15): 65 enterprises visited, coverage 100.0%; 6 new problems collected, "
    "7 closed. To date 92 problems collected, 90 closed, closure rate 97.8%; 90 solved, resolution rate 97.8%. "
    "Received to date: 4 banners and 3 thank-you letters."
)


# fmt: off
def enterprise(id_, name, officers):
    return {"id": id_, "name": name, "sector": "化工", "kind": "enterprise", "contact": None, "phone": None,
            "address": None, "officers": officers, "archived": False}


def ticket(id_, enterprise, category, title, opened_on, due_on, days_open, overdue=False, status="open"):
    return {"id": id_, "enterprise": enterprise, "enterprise_id": id_, "category": category, "title": title,
            "status": status, "outcome": None, "priority": "normal", "owner": "王伟", "department": None,
            "opened_on": opened_on, "due_on": due_on, "closed_on": None, "overdue": overdue,
            "days_open": days_open}


def trend_week(week, start, end, opened, closed, collected, closed_cumulative, closure_rate):
    return {"week": week, "start": start, "end": end, "opened": opened, "closed": closed, "collected": collected,
            "closed_cumulative": closed_cumulative, "closure_rate": closure_rate}


def plain(data):
    """The dict as JSON shows it: each Rate is its value."""
    if isinstance(data, Rate):
        return data.value
    if isinstance(data, dict):
        return {k: plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [plain(v) for v in data]
    return data


# The park's own week (domain.md's worked example), shaped as reports.weekly returns it.
WEEKLY = {
    "week": WEEK,
    "start": "2022-05-09",
    "end": "2022-05-15",
    "visits": {"logged": 65, "enterprises_visited": 65, "enterprises_assigned": 65, "coverage_rate": Rate(65, 65),
               "missed": []},
    "this_week": {"opened": 6, "closed": 7, "resolved": 7, "explained": 0, "withdrawn": 0, "reopened": 0},
    "cumulative": {"collected": 92, "closed": 90, "solved": 90, "open": 2, "overdue": 1, "closure_rate": Rate(90, 92),
                   "resolution_rate": Rate(90, 92), "on_time_rate": Rate(87, 90), "on_time": 87},
    "by_category": [
        {"category": "financing", "label": "融资", "label_en": "Financing", "collected": 30, "closed": 29,
         "open": 1, "overdue": 0, "closure_rate": Rate(29, 30)},
        {"category": "labour", "label": "用工", "label_en": "Labour shortage", "collected": 62, "closed": 61,
         "open": 1, "overdue": 1, "closure_rate": Rate(61, 62)},
    ],
    "by_officer": [
        {"officer": "王伟", "enterprises": 3, "visits": 3, "tickets": 5, "open": 1, "overdue": 0},
        {"officer": "欧阳娜娜", "enterprises": 62, "visits": 62, "tickets": 87, "open": 1, "overdue": 1},
    ],
    "oldest_open": [
        ticket(12, "内蒙古天能新型功能材料股份有限公司", "labour", "=1+1", "2022-04-01", "2022-04-16", 44, True),
        ticket(40, "宏达装备制造", "financing", "焊工|电工\n两班倒", "2022-05-10", "2022-06-09", 5,
               status="in_progress"),
    ],
    "feedback": {"this_week": {"banner": 0, "letter": 1}, "to_date": {"banner": 4, "letter": 3}},
    "trend": [
        trend_week("2022-W18", "2022-05-02", "2022-05-08", 8, 6, 86, 83, Rate(83, 86)),
        trend_week(WEEK, "2022-05-09", "2022-05-15", 6, 7, 92, 90, Rate(90, 92)),
    ],
}
# fmt: on


def with_missed():
    data = copy.deepcopy(WEEKLY)
    data["visits"].update(enterprises_visited=62, logged=62, coverage_rate=Rate(62, 65))
    data["visits"]["missed"] = [
        enterprise(3, "[bold]红星化工[/bold]", ["王伟"]),
        enterprise(7, "氢能科技", ["王伟", "欧阳娜娜"]),
        enterprise(9, "-2+3 新材料", []),
    ]
    return data


@pytest.fixture
def canned(monkeypatch):
    """`report weekly` renders the hand-made dict instead of computing one."""
    data = {"weekly": copy.deepcopy(WEEKLY)}
    monkeypatch.setattr(reports, "weekly", lambda store, week, **options: copy.deepcopy(data["weekly"]))
    return data


def weekly(sd, *args, **kw):
    return sd("report", "weekly", "--week", WEEK, *args, **kw)


# --- each format of a hand-made report --------------------------------------------------


def test_json_is_the_report_dict_verbatim(sd, canned):
    assert json.loads(weekly(sd, "--format", "json").stdout) == plain(WEEKLY)
    assert json.loads(weekly(sd, "--json").stdout) == plain(WEEKLY)
    assert plain(WEEKLY)["cumulative"]["closure_rate"] == 97.8  # a rate is its value in JSON


def test_table_shows_rates_with_their_counts_and_names_the_missed(sd, canned):
    canned["weekly"] = with_missed()
    out = weekly(sd, "--lang", "en").stdout
    expected = HEADLINE_EN.replace("65 enterprises", "62 enterprises").replace("100.0%", "95.4%")
    assert " ".join(expected.split()) in " ".join(out.split())  # the headline may wrap
    assert "97.8% (90/92)" in out and "95.4% (62/65)" in out and "96.7% (87/90)" in out
    assert "[bold]红星化工[/bold]" in out and "氢能科技" in out and "王伟, 欧阳娜娜" in out
    assert "Not visited this week (3)" in out
    for heading in (
        "1. Visits",
        "2. Problems this week",
        "3. Cumulative",
        "4. By category",
        "5. By officer",
        "6. Oldest open",
        "7. Feedback",
        "8. Trend",
    ):
        assert heading in out
    assert "█" in out  # the trend is drawn, not listed


def test_table_in_chinese_labels_every_part(sd, canned):
    out = weekly(sd, "--lang", "zh").stdout
    assert out.splitlines()[1] == HEADLINE_ZH
    for heading in ("办结率", "梳理汇总问题数", "八、趋势", "包联企业本周均已走访", "用工", "办理中"):
        assert heading in out


def test_long_supervised_and_repeat_lists_show_twenty_rows_and_a_count_data_files_carry_all(sd, canned, tmp_path):
    long = [ticket(100 + i, f"企业{i}", "labour", f"问题{i}", "2022-05-10", "2022-05-20", 5) for i in range(23)]
    data = copy.deepcopy(WEEKLY)
    data["deadlines"] = {"red": 0, "yellow": 0, "green": 23, "yellow_days": 3, "extended": 0, "urged": 0,
                         "supervised": 23, "supervised_list": long}  # fmt: skip
    data["follow_up"] = {"this_week": 0, "follow_up_rate": Rate(0, 0), "satisfaction_rate": Rate(0, 0),
                         "redo_rate": Rate(0, 0), "reopen_rate": Rate(0, 0), "repeat_problems": 23,
                         "repeat_list": long}  # fmt: skip
    canned["weekly"] = data
    out = weekly(sd, "--lang", "en").stdout
    assert "#119" in out and "#120" not in out and "#122" not in out
    assert "… and 3 more: servicedesk ticket list --supervised" in out
    assert "… and 3 more: every one is in --format json or csv and in --output x.xlsx" in out
    md = weekly(sd, "--format", "markdown", "--lang", "zh").stdout
    assert "119" in md and "#122" not in md and md.count("……另有 3 件") == 2
    assert [t["id"] for t in json.loads(weekly(sd, "--json").stdout)["deadlines"]["supervised_list"]][-1] == 122
    assert sum(row.count("企业22") for row in csv.reader(io.StringIO(weekly(sd, "--format", "csv").stdout))) == 2
    weekly(sd, "--output", tmp_path / "long.xlsx", "--lang", "en")
    book = openpyxl.load_workbook(tmp_path / "long.xlsx")
    assert sum(cell.value == "企业22" for sheet in book for row in sheet.iter_rows() for cell in row) == 2


def test_null_rates_show_a_dash_and_empty_cells(sd, canned, tmp_path):
    empty = copy.deepcopy(WEEKLY)
    empty["visits"].update(enterprises_visited=0, enterprises_assigned=0, logged=0, coverage_rate=Rate(0, 0))
    empty["cumulative"].update(collected=0, closed=0, solved=0, closure_rate=Rate(0, 0), resolution_rate=Rate(0, 0))
    empty["cumulative"].update(on_time_rate=Rate(0, 0), on_time=0)
    canned["weekly"] = empty
    lines = [line.strip() for line in weekly(sd, "--lang", "en").stdout.splitlines()]
    pairs = [line.split("  ") for line in lines]
    assert [p[-1].strip() for p in pairs if p[0] in ("closure rate", "coverage")] == ["—", "—"]
    md = weekly(sd, "--format", "markdown", "--lang", "en").stdout
    assert "coverage —" in md and "| closure rate | — |" in md
    rows = list(csv.reader(io.StringIO(weekly(sd, "--format", "csv", "--lang", "en").stdout)))
    assert ["closure rate", "", "0", "0"] in rows
    weekly(sd, "--output", tmp_path / "empty.xlsx", "--lang", "en")
    headline = openpyxl.load_workbook(tmp_path / "empty.xlsx")["Headline"]
    assert [(r[2].value, r[4].value) for r in headline.iter_rows() if r[1].value == "closure rate"] == [(None, 0)]


def test_markdown_starts_with_the_headline_sentence_in_each_language(sd, canned):
    zh = weekly(sd, "--format", "markdown", "--lang", "zh").stdout
    en = weekly(sd, "--format", "markdown", "--lang", "en").stdout
    assert zh.splitlines()[0] == HEADLINE_ZH
    assert en.splitlines()[0] == HEADLINE_EN
    assert "| 办结率 | 97.8% (90/92) |" in zh
    assert "| Financing | 30 | 29 | 96.7% (29/30) | 1 | 0 |" in en


def test_markdown_escapes_pipes_and_newlines_in_user_text(sd, canned):
    out = weekly(sd, "--format", "markdown", "--lang", "en").stdout
    row = next(line for line in out.splitlines() if line.startswith("| \\#40 "))
    assert "焊工\\|电工<br>两班倒" in row
    header = next(line for line in out.splitlines() if line.startswith("| \\# |"))
    unescaped = lambda line: line.replace("\\|", "").count("|")  # noqa: E731
    assert unescaped(row) == unescaped(header) == 11


def test_csv_reads_back_and_neutralises_formulas(sd, canned):
    canned["weekly"] = with_missed()
    rows = list(csv.reader(io.StringIO(weekly(sd, "--format", "csv", "--lang", "en").stdout)))
    assert rows[0] == ["Weekly report 2022-W19 (2022-05-09 – 2022-05-15)"]
    assert ["closure rate", "97.8%", "90", "92"] in rows
    titles = [r[3] for r in rows if r and r[0] in ("#12", "#40")]
    assert titles == ["'=1+1", "焊工|电工\n两班倒"]
    assert ["9", "'-2+3 新材料", "化工", ""] in rows
    assert ["Financing", "30", "29", "96.7%", "1", "0"] in rows
    # blocks: a title row, then a header row, with a blank row between blocks
    header = rows.index(["category", "collected", "closed", "closure rate", "open", "overdue"])
    assert rows[header - 1] == ["4. By category"] and rows[header - 2] == []


def test_xlsx_stores_numbers_percentages_and_a_native_trend_chart(sd, canned, tmp_path):
    canned["weekly"] = with_missed()
    path = tmp_path / "report.xlsx"
    result = weekly(sd, "--output", path, "--lang", "zh")
    assert result.stdout == "" and str(path) in result.stderr
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["概况", "未走访企业", "分类情况", "干部情况", "未办结问题", "企业反馈", "趋势"]
    headline = wb["概况"]
    figures = {row[1].value: row for row in headline.iter_rows(min_row=2)}
    rate = figures["办结率"]
    assert rate[2].value == pytest.approx(0.978) and rate[2].number_format == "0.0%"
    assert (rate[3].value, rate[4].value) == (90, 92)
    assert figures["梳理汇总问题数"][2].value == 92 and isinstance(figures["梳理汇总问题数"][2].value, int)
    assert figures["走访覆盖率"][2].value == pytest.approx(0.954)
    assert headline["A1"].font.bold and headline.freeze_panes == "A2"

    oldest = wb["未办结问题"]
    assert [c.value for c in oldest[2]][:4] == ["#12", "内蒙古天能新型功能材料股份有限公司", "用工", "=1+1"]
    assert oldest["G2"].number_format == "yyyy-mm-dd" and oldest["G2"].value.year == 2022
    # 17 CJK characters take 34 columns of a spreadsheet, not 17
    assert oldest.column_dimensions["B"].width >= 34
    assert [c.value for c in wb["未走访企业"]["B"]][1:] == ["[bold]红星化工[/bold]", "氢能科技", "-2+3 新材料"]

    trend = wb["趋势"]
    assert [c.value for c in trend[3]][:3] == [WEEK, 6, 7] and trend["F3"].number_format == "0.0%"
    assert len(trend._charts) == 1
    chart = trend._charts[0]
    refs = [s.val.numRef.f for c in (chart, *chart._charts) for s in c.series]
    assert "'趋势'!$B$2:$B$3" in refs and "'趋势'!$C$2:$C$3" in refs and "'趋势'!$F$2:$F$3" in refs
    assert any(type(c).__name__ == "LineChart" for c in chart._charts)


def test_output_picks_the_format_from_the_extension(sd, canned, tmp_path):
    for name, check in (
        ("r.json", lambda b: json.loads(b.decode()) == plain(WEEKLY)),
        ("r.md", lambda b: b.decode().startswith(HEADLINE_ZH)),
        # Excel on Chinese Windows reads a BOM-less CSV as GBK; the BOM makes it UTF-8.
        ("r.csv", lambda b: b.startswith(b"\xef\xbb\xbf") and "办结率" in b.decode("utf-8-sig")),
    ):
        result = weekly(sd, "--output", tmp_path / name, "--lang", "zh")
        assert result.stdout == "" and name in result.stderr
        assert check((tmp_path / name).read_bytes()), name


@pytest.mark.parametrize("args", [("--output", "report.txt"), ("--output", "report"), ("-f", "csv", "-o", "r.json")])
def test_output_with_an_unknown_or_conflicting_extension_exits_1(sd, canned, tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    result = weekly(sd, *args, ok=False)
    assert result.exit_code == 1 and result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    assert ".xlsx" in result.stderr or "extension" in result.stderr
    assert not any(tmp_path.glob("report*")) and not (tmp_path / "r.json").exists()


def test_language_follows_the_locale_unless_given(sd, canned, monkeypatch):
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert weekly(sd, "-f", "markdown").stdout.startswith("本周")
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")  # LC_ALL outranks LANG
    assert weekly(sd, "-f", "markdown").stdout.startswith("This week")
    assert weekly(sd, "-f", "markdown", "--lang", "zh").stdout.startswith("本周")
    assert i18n.default_lang({}) == "en" and i18n.default_lang({"LC_MESSAGES": "zh_TW"}) == "zh"


def test_every_label_reads_in_chinese():
    zh, en = labels.labels("zh"), labels.labels("en")
    assert set(zh) == set(en)
    assert [k for k in en if zh[k] == en[k] and en[k].isascii() and any(c.isalpha() for c in en[k])] == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_table_fits_100_columns_with_chinese_names(lang):
    console = Console(
        width=100, force_terminal=True, color_system=None, record=True, markup=False, emoji=False, highlight=False,
        file=io.StringIO(),
    )  # fmt: skip
    console.print(rendered.table(rendered.weekly(with_missed(), lang)))
    lines = console.export_text().splitlines()
    assert max(cell_len(line) for line in lines) <= 100
    assert any("2022-04-16" in line for line in lines)  # dates are never broken across lines


# --- the real report, computed from a small park ----------------------------------------


@pytest.fixture
def park(sd):
    """Two enterprises, one visited in the week; three problems of which two closed → 66.7%."""
    sd("enterprise", "add", "[bold]天能[/bold]")
    sd("enterprise", "add", "宏达装备")
    sd("officer", "add", "王伟")
    sd("assign", "王伟", "[bold]天能[/bold]", "宏达装备", "--from", "2022-03-01")
    sd("visit", "log", "宏达装备", "--date", "2022-05-10", "--problem", "用工:缺焊工20人")
    sd("ticket", "open", "宏达装备", "=1+1", "--category", "融资", "--date", "2022-05-11")
    sd("ticket", "open", "[bold]天能[/bold]", "用电|扩容", "--category", "utilities", "--date", "2022-04-20")
    sd("ticket", "close", "1", "-r", "已招到", "--date", "2022-05-12")
    sd("ticket", "close", "3", "-r", "已扩容", "--outcome", "explained", "--date", "2022-05-13")


def test_real_weekly_report_in_every_format(sd, park, tmp_path):
    data = json.loads(weekly(sd, "--json").stdout)
    assert data["cumulative"]["closure_rate"] == 66.7

    table = weekly(sd, "--lang", "en").stdout
    assert "66.7% (2/3)" in table and "33.3% (1/3)" in table  # closure, resolution
    assert "[bold]天能[/bold]" in table and "50.0% (1/2)" in table  # the missed one, coverage

    md = weekly(sd, "--format", "markdown", "--lang", "zh").stdout
    assert md.startswith("本周（2022-W19，5月9日—5月15日）走访企业 1 家，覆盖率 50.0%；新梳理问题 2 个，办结 2 个。")
    assert "用电\\|扩容" not in md  # closed by Sunday, so not in the open list
    assert "'=1+1" in weekly(sd, "--format", "csv").stdout

    weekly(sd, "--output", tmp_path / "w.xlsx", "--lang", "en")
    headline = openpyxl.load_workbook(tmp_path / "w.xlsx")["Headline"]
    figures = {row[1].value: row[2] for row in headline.iter_rows(min_row=2)}
    assert figures["closure rate"].value == pytest.approx(0.667) and figures["collected"].value == 3


def test_real_closure_and_trend_reports(sd, park, tmp_path):
    closure = sd("report", "closure", "--until", "2022-05-15", "--lang", "en").stdout
    assert "Labour shortage" in closure and "total" in closure and "66.7% (2/3)" in closure
    assert json.loads(sd("report", "closure", "--until", "2022-05-15", "--json").stdout)["total"]["closed"] == 2
    by_officer = sd("report", "closure", "--until", "2022-05-15", "--by", "officer", "-f", "markdown").stdout
    assert "| 王伟 | 3 | 2 |" in by_officer
    rows = list(
        csv.reader(io.StringIO(sd("report", "closure", "--until", "2022-05-15", "-f", "csv", "--lang", "zh").stdout))
    )
    assert any(r[:4] == ["融资", "1", "0", "0"] for r in rows if r)

    trend = sd("report", "trend", "--weeks", "3", "--until", "2022-05-15", "--lang", "en").stdout
    assert "2022-W17" in trend and "2022-W19" in trend and "█" in trend and "66.7% (2/3)" in trend
    sd("report", "trend", "--weeks", "3", "--until", "2022-05-15", "--output", tmp_path / "t.xlsx", "--lang", "zh")
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx")["趋势"]
    assert sheet._charts and sheet["A4"].value == "2022-W19"

    bad = sd("report", "closure", "--since", "2022-06-01", "--until", "2022-05-01", ok=False)
    assert bad.exit_code == 1 and "after" in bad.stderr


def test_print_weekly_is_what_the_demo_calls(sd, park, db, capsys):
    from servicedesk.cli.reports import print_weekly
    from servicedesk.store import Store

    print_weekly(Store(db), WEEK, "markdown", "en")
    assert capsys.readouterr().out.startswith("This week (2022-W19, May 9 – May 15): 1 enterprise visited")


def test_every_report_names_categories_by_the_parks_own_labels(sd, park):
    """`category add labour --label Workforce` renames it in every report and format, not only the weekly one."""
    sd("category", "add", "labour", "--label", "Workforce", "--label-zh", "人力资源")
    sd("category", "add", "hr", "--label", "Talent", "--label-zh", "人才")
    sd("ticket", "open", "宏达装备", "引进博士", "--category", "hr", "--date", "2022-05-12")
    closure = ("report", "closure", "--until", "2022-05-15")
    weekly_en = weekly(sd, "--lang", "en").stdout
    assert "Workforce" in weekly_en and "Talent" in weekly_en
    for fmt in ("table", "markdown", "csv"):
        en = sd(*closure, "--lang", "en", "-f", fmt).stdout
        zh = sd(*closure, "--lang", "zh", "-f", fmt).stdout
        assert "Workforce" in en and "Talent" in en and "Labour shortage" not in en, fmt
        assert "人力资源" in zh and "人才" in zh and "用工" not in zh, fmt
    # Oldest-open items carry only the code: their label comes from the report's own categories.
    oldest = weekly(sd, "--lang", "en", "-f", "csv").stdout
    assert [r[2] for r in csv.reader(io.StringIO(oldest)) if r and r[0] == "#4"] == ["Talent"]


@pytest.mark.parametrize("name", ["r.json", "r.csv", "r.md", "r.xlsx"])
def test_report_files_are_private_from_the_first_byte(sd, canned, tmp_path, name):
    """A report names the missed enterprises and their phones: 0600 like export and backup, whatever the umask."""
    import os
    import stat

    fresh, old = tmp_path / name, tmp_path / f"old-{name}"
    old.write_bytes(b"")
    old.chmod(0o644)
    mask = os.umask(0o022)
    try:
        for path in (fresh, old):
            weekly(sd, "--output", path)
    finally:
        os.umask(mask)
    assert [stat.S_IMODE(p.stat().st_mode) for p in (fresh, old)] == [0o600, 0o600]
    assert old.stat().st_size > 0


def test_xlsx_keeps_formula_like_text_as_a_plain_string_without_the_csv_apostrophe(sd, canned, tmp_path):
    """A string cell never runs in Excel, and Excel would show a leading ' as part of the text."""
    canned["weekly"] = with_missed()
    weekly(sd, "--output", tmp_path / "w.xlsx", "--lang", "en")
    book = openpyxl.load_workbook(tmp_path / "w.xlsx")
    title, name = book["Oldest open"]["D2"], book["Missed"]["B4"]
    assert (title.value, title.data_type) == ("=1+1", "s")
    assert (name.value, name.data_type) == ("-2+3 新材料", "s")
    assert not any(c.data_type == "f" for sheet in book for row in sheet.iter_rows() for c in row)
    # CSV has no cell types: there the apostrophe is what keeps a spreadsheet from running it.
    assert "'=1+1" in weekly(sd, "--format", "csv").stdout


def test_department_scorecard_renders_in_every_format(sd, park, tmp_path):
    """`report departments` is drawn like every report, not only printed as JSON."""
    sd("ticket", "refer", "2", "[人社局]", "--date", "2022-05-12")
    sd("ticket", "refer", "1", "[人社局]", "--date", "2022-05-11")
    until = ("report", "departments", "--until", "2022-05-31")
    table = sd(*until, "--lang", "en").stdout
    assert "Department scorecard" in table and "[人社局]" in table and "100.0% (1/1)" in table
    assert "| \\[人社局\\] | 2 | 1 |" in sd(*until, "-f", "markdown", "--lang", "zh").stdout
    rows = list(csv.reader(io.StringIO(sd(*until, "-f", "csv", "--lang", "zh").stdout)))
    assert [
        "责任单位",
        "交办数",
        "办结",
        "按时办结数",
        "按时办结率",
        "超期",
        "延期",
        "催办",
        "督办",
        "重办",
        "满意率",
    ] in rows
    sd(*until, "-o", tmp_path / "d.xlsx", "--lang", "zh")
    sheet = openpyxl.load_workbook(tmp_path / "d.xlsx")["部门考核"]
    assert [c.value for c in sheet[2]][:3] == ["[人社局]", 2, 1]
