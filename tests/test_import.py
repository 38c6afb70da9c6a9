"""Importing the office's spreadsheets: real CSV (UTF-8, BOM, GB18030) and XLSX files made here."""

import csv
import json
from datetime import date, datetime

import openpyxl
import pytest
from helpers import connect

from servicedesk.services.imports import NO_RESOLUTION
from servicedesk.spreadsheets import HEADERS, header_key

# Checked on both backends (conftest.py).
pytestmark = pytest.mark.both

LEDGER_HEADER = ["序号", "企业名称", "问题类别", "问题描述", "提出日期", "责任人", "办理时限", "办理状态", "办结时间", "办理结果", "解决情况"]  # fmt: skip
# Dates in the spellings officers use; 2022-W18 is May 2-8, 2022-W19 May 9-15.
LEDGER = (
    (1, "天能电池", "用工", "缺焊工20人", "2022/5/9", "王伟", "", "已办结", "2022年5月12日", "已解决", "人社局专场招聘，已招到18人"),
    (2, "华鑫化工", "融资", "流动资金贷款500万", "2022-05-10", "李娜", "", "办理中", "", "", ""),
    (3, "氢源科技", "手续办理", "环评批复慢", "2022.5.11", "王伟", "2022-05-20", "已办结", "2022-05-13", "解释说明", "已解释审批时限"),
    (4, "天能电池", "技术改造", "生产线智能化改造", "2022-05-16", "李娜", "", "待办理", "", "", ""),
    (5, "华鑫化工", "水电气暖", "用电增容", "2022-05-02", "", "", "办结", "2022-05-06", "", ""),
)  # fmt: skip


def make_park(sd):
    """Two officers and three enterprises, each enterprise with one officer since January."""
    for name in ("王伟", "李娜"):
        sd("officer", "add", name)
    for name in ("天能电池", "华鑫化工", "氢源科技"):
        sd("enterprise", "add", name)
    sd("assign", "王伟", "天能电池", "氢源科技", "--from", "2022-01-01")
    sd("assign", "李娜", "华鑫化工", "--from", "2022-01-01")
    return sd


@pytest.fixture
def park(sd):
    return make_park(sd)


def write_csv(path, rows, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def write_xlsx(path, rows, title=None):
    book = openpyxl.Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def counts(db) -> dict:
    conn = connect(db)
    try:
        tables = (
            "enterprises",
            "officers",
            "assignments",
            "visits",
            "tickets",
            "events",
            "tallies",
            "spans",
            "activity",
            "changesets",
        )
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    finally:
        conn.close()


def tickets(sd, *args) -> list[dict]:
    return json.loads(sd(*args, "ticket", "list", "--status", "all", "--json").stdout)


def weekly(sd, week, *args) -> dict:
    return json.loads(sd(*args, "report", "weekly", "--week", week, "--json").stdout)


def assert_import_error(result, *fragments):
    assert result.exit_code == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def assert_bad_rows(result, summary, rows, more=None):
    """`error: N bad rows in FILE…` on one line, then each bad row (its start given) on its own line."""
    assert result.exit_code == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("error: ") and summary in lines[0], result.stderr
    listed = [line.strip() for line in lines[1:]]
    if more:
        assert listed.pop() == f"… and {more} more bad rows"
    assert len(listed) == len(rows), result.stderr
    for line, start in zip(listed, rows, strict=True):
        assert line.startswith(start), (line, start)


def check_ledger(sd):
    """What LEDGER must become, whatever file it came in."""
    by_title = {t["title"]: t for t in tickets(sd)}
    assert len(by_title) == 5
    hired = by_title["缺焊工20人"]
    assert (hired["enterprise"], hired["category"], hired["owner"]) == ("天能电池", "labour", "王伟")
    assert (hired["status"], hired["outcome"], hired["closed_on"]) == ("closed", "resolved", "2022-05-12")
    assert hired["due_on"] == "2022-05-24"  # no 办理时限: opened + labour's 15 days
    assert by_title["流动资金贷款500万"]["status"] == "in_progress"
    permits = by_title["环评批复慢"]
    assert (permits["outcome"], permits["due_on"], permits["opened_on"]) == ("explained", "2022-05-20", "2022-05-11")
    assert by_title["生产线智能化改造"]["status"] == "open"
    power = by_title["用电增容"]
    assert (power["status"], power["outcome"], power["owner"]) == ("closed", "resolved", None)

    history = json.loads(sd("ticket", "show", str(hired["id"]), "--json").stdout)["history"]
    assert [(h["kind"], h["on"]) for h in history] == [("opened", "2022-05-09"), ("closed", "2022-05-12")]
    assert history[1]["note"] == "人社局专场招聘，已招到18人"
    started = json.loads(sd("ticket", "show", str(by_title["流动资金贷款500万"]["id"]), "--json").stdout)
    assert [h["kind"] for h in started["history"]] == ["opened", "started"]
    assert json.loads(sd("ticket", "show", str(power["id"]), "--json").stdout)["resolution"] == NO_RESOLUTION

    # As of Sunday 15 May: 4 collected (the 16 May one is later), 3 closed, 2 of them resolved.
    report = weekly(sd, "2022-W19")
    cumulative = report["cumulative"]
    assert (cumulative["collected"], cumulative["closed"], cumulative["solved"]) == (4, 3, 2)
    assert (cumulative["closure_rate"], cumulative["resolution_rate"]) == (75.0, 50.0)
    this_week = report["this_week"]
    assert (this_week["opened"], this_week["closed"], this_week["resolved"], this_week["explained"]) == (3, 2, 1, 1)
    earlier = weekly(sd, "2022-W18")["cumulative"]
    assert (earlier["collected"], earlier["closed"], earlier["closure_rate"]) == (1, 1, 100.0)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_ticket_import_reads_each_csv_encoding_with_chinese_headers(park, tmp_path, encoding):
    path = write_csv(tmp_path / "台账.csv", [LEDGER_HEADER, *LEDGER], encoding)
    if encoding == "gb18030":
        with pytest.raises(UnicodeDecodeError):
            path.read_bytes().decode("utf-8")  # really not UTF-8

    result = park("ticket", "import", path)

    assert "imported 5 tickets from 台账.csv (0 already present)" in result.stdout
    assert "cumulative 3/5 closed, 60.0%" in result.stdout
    check_ledger(park)


def test_ticket_import_reads_xlsx_with_date_cells_below_a_title_row(park, tmp_path):
    rows = [[*row] for row in LEDGER]
    for row in rows:  # real Excel dates, as a ledger typed in Excel has them
        for i in (4, 6, 8):
            if row[i]:
                row[i] = datetime.combine(park_date(row[i]), datetime.min.time())
    path = write_xlsx(tmp_path / "问题台账.xlsx", [LEDGER_HEADER, *rows], title="2022年园区问题台账")

    park("ticket", "import", path)

    check_ledger(park)


def park_date(text: str) -> date:
    from servicedesk.dates import parse_date

    return parse_date(text)


def test_a_bad_date_names_the_file_line_and_column_and_writes_nothing(park, db, tmp_path):
    rows = [LEDGER_HEADER, *(list(row) for row in LEDGER[:3])]
    rows[1][3] = "缺焊工\n20人"  # a quoted cell over two lines: the bad row below starts on line 4
    rows[2][4] = "2022-13-45"
    path = write_csv(tmp_path / "台账.csv", rows)
    before = counts(db)

    result = park("ticket", "import", path, ok=False)

    assert_import_error(result, "台账.csv line 4, column 提出日期", '"2022-13-45"')
    assert counts(db) == before


def test_a_bad_xlsx_row_is_named_by_its_sheet_row(park, db, tmp_path):
    rows = [LEDGER_HEADER, *LEDGER]
    rows[3] = [*rows[3]]
    rows[3][2] = "钱"  # sheet row 5: title, header, then LEDGER[0..2]
    path = write_xlsx(tmp_path / "台账.xlsx", rows, title="问题台账")
    before = counts(db)

    result = park("ticket", "import", path, ok=False)

    assert_import_error(result, "台账.xlsx line 5, column 问题类别", 'unknown category "钱"', "financing")
    assert counts(db) == before


def test_an_unknown_name_and_an_unreadable_date_are_both_reported_in_line_order(park, db, tmp_path):
    rows = [LEDGER_HEADER, LEDGER[0], [*LEDGER[1]], [*LEDGER[2]]]
    rows[2][1] = "天然气"  # line 3: no such enterprise (found when names are looked up)
    rows[3][4] = "someday"  # line 4: no such date (found when the row is read)
    before = counts(db)

    result = park("ticket", "import", write_csv(tmp_path / "l.csv", rows), ok=False)

    assert_bad_rows(
        result,
        "2 bad rows in l.csv",
        [
            'line 3, column 企业名称: no enterprise named "天然气"',
            'line 4, column 提出日期: can\'t read the date "someday"',
        ],
    )
    assert "--create-missing" in result.stderr
    assert counts(db) == before


def test_dates_out_of_order_are_reported_with_the_other_bad_rows(park, db, tmp_path):
    # A row's dates are put in the order of a ticket's life when the row is planned, after
    # every row was read: its error still comes in the one run, in line order.
    rows = [LEDGER_HEADER, [*LEDGER[0]], [*LEDGER[1]], [*LEDGER[2]]]
    rows[1][8] = "2022-05-08"  # line 2: closed the day before it was opened
    rows[3][4] = "someday"  # line 4: found while reading
    before = counts(db)

    result = park("ticket", "import", write_csv(tmp_path / "l.csv", rows), ok=False)

    assert_bad_rows(
        result,
        "2 bad rows in l.csv",
        ["line 2, column 办结时间: 2022-05-08 does not fit: it was opened on 2022-05-09", "line 4, column 提出日期"],
    )
    assert counts(db) == before


def _indexes(db) -> list[tuple]:
    conn = connect(db)
    try:
        return conn.execute(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
        ).fetchall()
    finally:
        conn.close()


@pytest.mark.sqlite_only  # reads the file's indexes
def test_a_first_import_builds_the_indexes_once_and_leaves_every_one(park, db, tmp_path):
    # Into a ledger with no tickets the importer drops the indexes of the tables it fills and
    # makes them again at the end; a refused import rolls the drop back.
    before = _indexes(db)
    bad = [LEDGER_HEADER, LEDGER[0], [*LEDGER[1]]]
    bad[2][1] = "天然气"  # refused while writing, after the drop
    park("ticket", "import", write_csv(tmp_path / "bad.csv", bad), ok=False)
    assert _indexes(db) == before

    park("ticket", "import", write_csv(tmp_path / "l.csv", [LEDGER_HEADER, *LEDGER]))

    assert _indexes(db) == before
    assert any(name == "events_ticket" for name, _, _ in before)
    check_ledger(park)


def test_create_missing_adds_unknown_enterprises_and_officers(park, tmp_path):
    rows = [LEDGER_HEADER, [1, "新能源公司", "用地", "用地指标", "2022-05-09", "赵强", "", "", "", "", ""]]

    result = park("ticket", "import", write_csv(tmp_path / "l.csv", rows), "--create-missing")

    assert "1 new enterprises, 1 new officers" in result.stdout
    (ticket,) = [t for t in tickets(park) if t["enterprise"] == "新能源公司"]
    assert (ticket["owner"], ticket["category"], ticket["due_on"]) == ("赵强", "land", "2022-06-08")


@pytest.mark.parametrize(
    ("change", "column", "message"),
    [
        ({8: ""}, "办结时间", "needs the date it was closed"),
        ({7: "待办理"}, "办理状态", "says it is not closed"),
        ({8: "2022-05-01"}, "办结时间", "it was opened on 2022-05-09"),
        ({6: "2022-05-01"}, "办理时限", "before the opening date"),
        ({9: "没办"}, "办理结果", '"没办" is not one of'),
        ({5: "王五"}, "责任人", 'no officer named "王五"'),
        ({3: ""}, "问题描述", "is empty"),
        ({4: "2999-01-01"}, "提出日期", "in the future"),
    ],
)
def test_each_kind_of_bad_cell_is_refused_with_its_column(park, db, tmp_path, change, column, message):
    row = [*LEDGER[0]]
    for index, value in change.items():
        row[index] = value
    before = counts(db)

    result = park("ticket", "import", write_csv(tmp_path / "l.csv", [LEDGER_HEADER, LEDGER[1], row]), ok=False)

    assert_import_error(result, f"l.csv line 3, column {column}", message)
    assert counts(db) == before


def test_a_closed_row_without_a_close_date_column_is_refused(park, tmp_path):
    rows = [
        ["企业名称", "问题类别", "问题描述", "提出日期", "办理状态"],
        ["天能电池", "用工", "缺焊工", "2022-05-09", "已办结"],
    ]

    result = park("ticket", "import", write_csv(tmp_path / "l.csv", rows), ok=False)

    assert_import_error(result, "l.csv line 2, column closed_on (no such column", "办结时间")


def test_a_missing_required_column_is_named_on_line_1(park, tmp_path):
    rows = [["企业名称", "问题描述", "提出日期"], ["天能电池", "缺焊工", "2022-05-09"]]

    result = park("ticket", "import", write_csv(tmp_path / "l.csv", rows), ok=False)

    assert_import_error(result, "l.csv line 1", "no category column", "问题类别")


def test_damaged_workbooks_and_other_formats_are_refused_in_one_line(park, tmp_path):
    (tmp_path / "台账.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (tmp_path / "台账.et").write_bytes(b"\xd0\xcf\x11\xe0")
    (tmp_path / "台账.txt").write_text("x")

    assert_import_error(
        park("ticket", "import", tmp_path / "台账.xls", ok=False), "台账.xls: not a readable .xls workbook"
    )
    assert_import_error(park("ticket", "import", tmp_path / "台账.et", ok=False), "save it as .xlsx or .csv")
    assert_import_error(park("ticket", "import", tmp_path / "台账.txt", ok=False), ".csv, .xlsx or .xls")
    assert_import_error(park("ticket", "import", tmp_path / "none.csv", ok=False), "no such file")


def test_reimporting_the_same_ledger_adds_nothing(park, db, tmp_path):
    path = write_csv(tmp_path / "台账.csv", [LEDGER_HEADER, *LEDGER], "utf-8-sig")
    park("ticket", "import", path)
    before, listed = counts(db), tickets(park)

    result = park("ticket", "import", path)

    assert "imported 0 tickets from 台账.csv (5 already present)" in result.stdout
    assert counts(db) == before
    assert tickets(park) == listed


def test_a_file_holding_a_row_twice_imports_both_once(park, db, tmp_path):
    path = write_csv(tmp_path / "l.csv", [LEDGER_HEADER, LEDGER[1], LEDGER[1]])

    park("ticket", "import", path)
    park("ticket", "import", path)

    assert len(tickets(park)) == 2


def test_dry_run_counts_but_writes_nothing(park, db, tmp_path):
    path = write_csv(tmp_path / "l.csv", [LEDGER_HEADER, *LEDGER])
    park("ticket", "import", write_csv(tmp_path / "first.csv", [LEDGER_HEADER, *LEDGER[:2]]))
    before = counts(db)

    result = park("ticket", "import", path, "--dry-run")

    assert "would import 3 tickets from l.csv (2 already present)" in result.stdout
    assert "nothing written" in result.stderr
    assert counts(db) == before


def test_a_ledger_of_thousands_of_rows_imports_in_one_go_without_a_bar_in_a_pipe(park, db, tmp_path):
    rows = [LEDGER_HEADER] + [
        [i, "天能电池", "其他", f"问题{i}", f"2022-0{1 + i % 9}-1{i % 10}", "王伟", "", "已办结" if i % 4 else "", "2022-10-01" if i % 4 else "", "", ""]
        for i in range(2500)
    ]  # fmt: skip

    result = park("ticket", "import", write_csv(tmp_path / "big.csv", rows))

    assert "imported 2500 tickets" in result.stdout
    assert result.stderr == ""  # no progress bar when stderr is not a terminal
    c = counts(db)
    assert (c["tickets"], c["events"]) == (2500, 2500 + 1875)
    cumulative = weekly(park, "2022-W40")["cumulative"]
    assert (cumulative["collected"], cumulative["closed"]) == (2500, 1875)


def test_undoing_an_import_of_more_tickets_than_a_replay_round_puts_every_figure_back(park, db, tmp_path):
    # More tickets than derive.CHUNK: the undo replays them a round at a time.
    rows = [LEDGER_HEADER] + [
        [i, "天能电池", "其他", f"问题{i}", f"2022-0{1 + i % 9}-1{i % 10}", "王伟", "", "已办结" if i % 4 else "", "2022-10-01" if i % 4 else "", "", ""]
        for i in range(5200)
    ]  # fmt: skip
    before = weekly(park, "2022-W40")
    park("ticket", "import", write_csv(tmp_path / "big.csv", rows))
    assert weekly(park, "2022-W40")["cumulative"]["collected"] == before["cumulative"]["collected"] + 5200

    result = park("undo")

    assert "(5200 in all) opened" in result.stdout
    assert weekly(park, "2022-W40") == before
    assert "the ledger is whole" in park("doctor").stdout


def test_unknown_columns_are_named_on_stderr(park, tmp_path):
    rows = [
        ["企业名称", "问题类别", "问题描述", "提出日期", "领导批示"],
        ["天能电池", "用工", "缺焊工", "2022-05-09", "抓紧"],
    ]

    result = park("ticket", "import", write_csv(tmp_path / "l.csv", rows))

    assert "ignored columns: 领导批示" in result.stderr


# Enterprises, officers, visits ------------------------------------------------


def test_enterprise_roster_in_gb18030_assigns_its_officers(park, db, tmp_path):
    rows = [
        ["企业名称", "所属行业", "联系人", "联系电话", "地址", "包联干部", "包联日期"],
        ["天能电池", "新型功能材料", "李强", "13800000000", "园区大道1号", "王伟", "2022-01-01"],
        ["瑞丰新材", "化工", "张敏", "13900000000", "纬三路8号", "王伟、李娜", "2022-03-01"],
        ["恒通物流", "其他", "", "", "", "", ""],
    ]
    path = write_csv(tmp_path / "企业名单.csv", rows, "gb18030")

    result = park("enterprise", "import", path)

    # 天能电池 is on file without a sector or contact: the row differs, and is named, not applied.
    assert (
        "imported 2 enterprises from 企业名单.csv (0 already present); 2 new assignments, "
        "1 differ from what is on file, not applied" in result.stdout
    )
    assert "line 2, 天能电池: sector — → 新型功能材料; contact — → 李强" in result.stderr
    listed = {e["name"]: e for e in json.loads(park("enterprise", "list", "--json").stdout)}
    assert listed["瑞丰新材"]["sector"] == "化工" and listed["瑞丰新材"]["phone"] == "13900000000"
    assert sorted(listed["瑞丰新材"]["officers"]) == ["李娜", "王伟"]
    assert listed["天能电池"]["contact"] is None  # already on file: left as it was (no --update)
    before = counts(db)
    assert "imported 0 enterprises" in park("enterprise", "import", path).stdout
    assert counts(db) == before


def test_officer_roster_imports_ranks_in_chinese(sd, tmp_path):
    rows = [
        ["姓名", "职级", "单位", "电话"],
        ["王伟", "县级", "园区管委会", "13800000001"],
        ["李娜", "首席服务员", "", ""],
    ]

    sd("officer", "import", write_xlsx(tmp_path / "干部.xlsx", rows))

    listed = {o["name"]: o for o in json.loads(sd("officer", "list", "--json").stdout)}
    assert (listed["王伟"]["rank"], listed["王伟"]["unit"]) == ("county", "园区管委会")
    assert listed["李娜"]["rank"] == "chief"


def test_visit_log_from_xlsx_counts_in_the_weekly_report(park, db, tmp_path):
    rows = [
        ["企业名称", "走访人", "走访日期", "方式", "走访情况"],
        ["天能电池", "王伟", datetime(2022, 5, 10), "实地", "了解用工需求"],
        ["华鑫化工", "", date(2022, 5, 11), "电话", "询问贷款进展"],  # its one officer: 李娜
        ["氢源科技", "王伟", "2022年5月3日", "", ""],
    ]
    path = write_xlsx(tmp_path / "走访.xlsx", rows)

    result = park("visit", "import", path)

    assert "imported 3 visits" in result.stdout
    visits = json.loads(park("visit", "list", "--json").stdout)
    assert [(v["enterprise"], v["officer"], v["visited_on"], v["channel"]) for v in visits] == [
        ("氢源科技", "王伟", "2022-05-03", "onsite"),
        ("天能电池", "王伟", "2022-05-10", "onsite"),
        ("华鑫化工", "李娜", "2022-05-11", "phone"),
    ]
    report = weekly(park, "2022-W19")["visits"]
    assert (report["logged"], report["enterprises_visited"], report["enterprises_assigned"]) == (2, 2, 3)
    assert [m["name"] for m in report["missed"]] == ["氢源科技"]
    before = counts(db)
    assert "imported 0 visits from 走访.xlsx (3 already present)" in park("visit", "import", path).stdout
    assert counts(db) == before


def test_a_visit_without_an_officer_needs_one_when_the_enterprise_has_several(park, tmp_path):
    park("assign", "李娜", "天能电池", "--from", "2022-01-01")
    rows = [["企业", "走访日期"], ["天能电池", "2022-05-10"]]

    result = park("visit", "import", write_csv(tmp_path / "v.csv", rows), ok=False)

    assert_import_error(result, "v.csv line 2, column officer", "has 2 officers")


def test_header_aliases_do_not_collide_within_a_kind():
    for kind, fields in HEADERS.items():
        keys = [header_key(alias) for aliases in fields.values() for alias in aliases]
        assert len(keys) == len(set(keys)), kind


HISTORY_HEADER = ["enterprise", "category", "title", "opened_on", "owner", "status", "closed_on", "outcome", "history"]


def test_a_history_column_replays_reassignments_and_reopens_into_the_as_of_figures(park, tmp_path):
    history = "2022-05-09 opened:王伟; 2022-05-10 assigned:李娜; 2022-05-12 closed:resolved; 2022-05-17 reopened"
    rows = [HISTORY_HEADER, ["天能电池", "labour", "缺焊工", "2022-05-09", "李娜", "open", "", "", history]]

    park("ticket", "import", write_csv(tmp_path / "tickets.csv", rows))

    (ticket,) = tickets(park)
    shown = json.loads(park("ticket", "show", str(ticket["id"]), "--json").stdout)["history"]
    assert [(h["kind"], h["on"], h.get("owner")) for h in shown] == [
        ("opened", "2022-05-09", "王伟"),
        ("assigned", "2022-05-10", "李娜"),
        ("closed", "2022-05-12", None),
        ("reopened", "2022-05-17", None),
    ]
    assert weekly(park, "2022-W19")["cumulative"]["closed"] == 1  # closed as of Sunday 15 May
    assert weekly(park, "2022-W20")["cumulative"]["closed"] == 0
    assert weekly(park, "2022-W20")["this_week"]["reopened"] == 1


@pytest.mark.parametrize(
    ("history", "message"),
    [
        (
            "2022-05-09 opened:李娜; 2022-05-12 closed",
            "ends closed (resolved) on 2022-05-12, owner 李娜, department none, but",
        ),
        ("2022-05-10 opened:李娜", "must start with the opening on 2022-05-09"),
        ("2022-05-09 opened:李娜; 2022-05-08 started", "out of order"),
        (
            "2022-05-09 opened:李娜; 2022-05-10 reopened",
            "reopened on 2022-05-10 is out of order: only a closed ticket can be reopened",
        ),
        ("2022-05-09 opened:李娜; soon closed", 'can\'t read the date "soon"'),
        ("2022-05-09 opened:李娜; 2022-05-10 solved", 'cannot read "2022-05-10 solved"'),
    ],
)
def test_a_history_that_does_not_add_up_is_refused(park, db, tmp_path, history, message):
    rows = [HISTORY_HEADER, ["天能电池", "labour", "缺焊工", "2022-05-09", "李娜", "open", "", "", history]]
    before = counts(db)

    result = park("ticket", "import", write_csv(tmp_path / "t.csv", rows), ok=False)

    assert_import_error(result, "t.csv line 2, column history", message)
    assert counts(db) == before
