"""Ledgers as offices keep them (cli.md "Imports"): an instructions sheet first, a title
over a two-row header, enterprises merged over their problems, the words people write,
old .xls files, and every bad row reported in one run."""

import json
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from helpers import connect
from test_import import assert_bad_rows, assert_import_error, counts, make_park, tickets, write_csv

# Checked on both backends (conftest.py).
pytestmark = pytest.mark.both


@pytest.fixture
def park(sd):
    return make_park(sd)


FIXTURES = Path(__file__).parent / "fixtures"

# The lower header row; columns B-F and J are merged down over both rows, G-I sit under 办理情况.
UPPER = ["序号", "企业名称", "问题类别", "问题描述", "提出日期", "责任人", "办理情况", None, None, "解决情况"]
LOWER = [None, None, None, None, None, None, "办理状态", "办结时间", "办理结果", None]
# Sheet rows 4-9; the enterprise is written once over its problems (B4:B6, B7:B8).
PROBLEMS = [
    [1, "天能电池", "用工难", "缺焊工20人", datetime(2022, 5, 9), "王伟", "完成", datetime(2022, 5, 12), "已落实", "人社局专场招聘"],
    [2, None, "融资问题", "流动资金贷款500万", "2022-05-10", "李娜", "推进中", None, None, None],
    [3, None, "手续", "环评批复慢", "2022.5.11", "王伟", "已办结", "2022-05-13", "已答复", "已解释审批时限"],
    [4, "华鑫化工", "政策", "技改补贴兑现", "2022-05-02", "李娜", "长期", None, None, None],
    [5, None, "水电", "用电增容", "2022-05-02", None, "已落实", "2022-05-06", None, None],
    [6, "氢源科技", "其它", "道路维修", "2022-05-03", "王伟", "待办理", None, None, None],
]  # fmt: skip


def messy_ledger(path: Path, problems=PROBLEMS) -> Path:
    """A 问题台账 as an office sends it: 填表说明 first, then the ledger with its title row,
    a two-row header and merged enterprise cells."""
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "填表说明"
    notes.append(["填表说明"])
    notes.append(["1. 问题类别按园区分类填写；2. 办结的问题填写办结时间。"])
    sheet = book.create_sheet("问题台账")
    sheet.append(["2022年园区企业问题台账"])
    sheet.merge_cells("A1:J1")
    sheet.append(UPPER)
    sheet.append(LOWER)
    for column in "ABCDEFJ":
        sheet.merge_cells(f"{column}2:{column}3")
    sheet.merge_cells("G2:I2")
    for row in problems:
        sheet.append(row)
    sheet.merge_cells("B4:B6")
    sheet.merge_cells("B7:B8")
    book.save(path)
    return path


def test_a_messy_ledger_reports_its_bad_rows_on_lines_5_and_9_and_writes_nothing(park, db, tmp_path):
    problems = [list(row) for row in PROBLEMS]
    problems[1][2] = "钱"  # sheet row 5, under the merged 天能电池
    problems[5][4] = "someday"  # sheet row 9
    path = messy_ledger(tmp_path / "台账.xlsx", problems)
    before = counts(db)

    result = park("ticket", "import", path, ok=False)

    assert_bad_rows(
        result,
        "2 bad rows in 台账.xlsx",
        ['line 5, column 问题类别: unknown category "钱"', 'line 9, column 提出日期: can\'t read the date "someday"'],
    )
    assert counts(db) == before


def test_a_messy_ledger_imports_as_the_office_wrote_it(park, tmp_path):
    path = messy_ledger(tmp_path / "台账.xlsx")

    result = park("ticket", "import", path)

    assert "imported 6 tickets from 台账.xlsx (sheet 问题台账) (0 already present)" in result.stdout
    assert "ignored columns" not in result.stderr  # 办理情况 named its sub-columns, not a column of its own
    by_title = {t["title"]: t for t in tickets(park)}
    assert {t: by_title[t]["enterprise"] for t in ("缺焊工20人", "流动资金贷款500万", "环评批复慢")} == dict.fromkeys(
        ("缺焊工20人", "流动资金贷款500万", "环评批复慢"), "天能电池"
    )
    assert by_title["用电增容"]["enterprise"] == "华鑫化工"
    hired = by_title["缺焊工20人"]
    assert (hired["category"], hired["status"], hired["outcome"], hired["closed_on"]) == (
        "labour",
        "closed",
        "resolved",
        "2022-05-12",
    )
    assert (by_title["流动资金贷款500万"]["category"], by_title["流动资金贷款500万"]["status"]) == (
        "financing",
        "in_progress",
    )
    permits = by_title["环评批复慢"]
    assert (permits["category"], permits["outcome"]) == ("permits", "explained")
    assert (by_title["技改补贴兑现"]["category"], by_title["技改补贴兑现"]["status"]) == ("policy", "in_progress")
    assert (by_title["用电增容"]["category"], by_title["用电增容"]["status"]) == ("utilities", "closed")
    assert by_title["道路维修"]["category"] == "other"
    shown = json.loads(park("ticket", "show", str(hired["id"]), "--json").stdout)
    assert shown["resolution"] == "人社局专场招聘"


def test_the_sheet_is_chosen_by_name_and_a_missing_one_is_named(park, tmp_path):
    path = messy_ledger(tmp_path / "台账.xlsx")

    assert_import_error(
        park("ticket", "import", path, "--sheet", "汇总", ok=False), 'no sheet named "汇总"', "填表说明, 问题台账"
    )
    assert_import_error(park("ticket", "import", path, "--sheet", "填表说明", ok=False), "no enterprise column")
    assert "imported 6 tickets" in park("ticket", "import", path, "--sheet", "问题台账").stdout
    csv_file = write_csv(tmp_path / "l.csv", [["企业名称", "问题类别", "问题描述", "提出日期"]])
    assert_import_error(park("ticket", "import", csv_file, "--sheet", "x", ok=False), "--sheet is for .xlsx and .xls")


def test_a_two_row_header_in_a_csv_is_read_by_its_lower_row(park, tmp_path):
    rows = [
        ["企业名称", "问题类别", "问题描述", "提出日期", "办理情况", "", ""],
        ["", "", "", "", "办理状态", "办结时间", "办理结果"],
        ["天能电池", "用工", "缺焊工", "2022-05-09", "已办结", "2022-05-12", "解决"],
    ]

    park("ticket", "import", write_csv(tmp_path / "l.csv", rows))

    (ticket,) = tickets(park)
    assert (ticket["status"], ticket["closed_on"], ticket["outcome"]) == ("closed", "2022-05-12", "resolved")


def test_an_old_xls_ledger_is_read_with_its_merged_cells_and_dates(park):
    result = park("ticket", "import", FIXTURES / "问题台账.xls")

    assert "imported 3 tickets from 问题台账.xls (0 already present)" in result.stdout
    by_title = {t["title"]: t for t in tickets(park)}
    assert by_title["流动资金贷款500万"]["enterprise"] == "天能电池"  # merged over two rows
    hired = by_title["缺焊工20人"]
    assert (hired["opened_on"], hired["closed_on"], hired["status"]) == ("2022-05-09", "2022-05-12", "closed")
    assert by_title["环评批复慢"]["status"] == "open"


def test_every_bad_row_is_counted_and_the_first_20_are_listed(park, db, tmp_path):
    rows = [["企业名称", "问题类别", "问题描述", "提出日期"]]
    rows += [["天能电池", "用工", f"问题{i}", "2022-13-01" if i % 2 else "2022-05-09"] for i in range(50)]
    before = counts(db)

    result = park("ticket", "import", write_csv(tmp_path / "l.csv", rows), ok=False)

    expected = [f"line {i + 2}, column 提出日期" for i in range(1, 50, 2)][:20]
    assert_bad_rows(result, "25 bad rows in l.csv", expected, more=5)
    assert counts(db) == before


def test_ranks_accept_the_words_offices_write(sd, tmp_path):
    rows = [["姓名", "职级"], ["王伟", "副县级"], ["李娜", "科员"], ["张强", "首席服务专员"], ["赵敏", "正科级"]]

    sd("officer", "import", write_csv(tmp_path / "干部.csv", rows))

    ranks = {o["name"]: o["rank"] for o in json.loads(sd("officer", "list", "--json").stdout)}
    assert ranks == {"王伟": "county", "李娜": "staff", "张强": "chief", "赵敏": "section"}


@pytest.mark.parametrize(
    ("status", "outcome", "expected"),
    [
        ("完成", "", ("closed", "resolved")),
        ("已落实", "已落实", ("closed", "resolved")),
        ("办结", "解释到位", ("closed", "explained")),
        ("长期", "", ("in_progress", None)),
        ("未解决", "", ("open", None)),
    ],
)
def test_status_and_outcome_accept_the_words_offices_write(park, tmp_path, status, outcome, expected):
    closed = "2022-05-12" if expected[0] == "closed" else ""
    rows = [
        ["企业名称", "问题类别", "问题描述", "提出日期", "办理状态", "办结时间", "办理结果"],
        ["天能电池", "用工", "缺焊工", "2022-05-09", status, closed, outcome],
    ]

    park("ticket", "import", write_csv(tmp_path / "l.csv", rows))

    (ticket,) = tickets(park)
    assert (ticket["status"], ticket["outcome"]) == expected


def test_a_long_term_problem_without_a_deadline_gets_its_categorys_limit(park, tmp_path):
    rows = [
        ["企业名称", "问题类别", "问题描述", "提出日期", "办理时限"],
        ["天能电池", "融资", "贷款", "2022-05-09", "长期"],
    ]

    park("ticket", "import", write_csv(tmp_path / "l.csv", rows))

    assert tickets(park)[0]["due_on"] == "2022-06-08"  # financing: 30 days


def test_a_category_alias_added_by_the_office_is_read(park, db, tmp_path):

    conn = connect(db)
    with conn:
        conn.execute("INSERT INTO category_aliases (word, code) VALUES ('招商引资难', 'market')")
    conn.close()
    rows = [["企业名称", "问题类别", "问题描述", "提出日期"], ["天能电池", "招商引资难", "订单少", "2022-05-09"]]

    park("ticket", "import", write_csv(tmp_path / "l.csv", rows))

    assert tickets(park)[0]["category"] == "market"
