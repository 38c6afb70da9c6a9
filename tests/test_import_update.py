"""A roster or a ledger imported again after it moved on: the rows that differ from what is
on file are named and left alone, or with --update applied as dated changes (cli.md "Imports")."""

import json

import pytest
from helpers import connect
from test_import import LEDGER, LEDGER_HEADER, assert_bad_rows, counts, make_park, tickets, weekly, write_csv

# Checked on both backends (conftest.py).
pytestmark = pytest.mark.both


@pytest.fixture
def park(sd):
    return make_park(sd)


ROSTER_HEADER = ["企业名称", "所属行业", "联系人", "联系电话", "地址", "包联干部"]
ROSTER = [
    ["天能电池", "新能源", "李强", "13800000000", "园区大道1号", "李娜"],  # new details, and 李娜 instead of 王伟
    ["华鑫化工", "", "", "", "", "李娜"],  # as on file
    ["氢源科技", "", "", "13900000000", "", "王伟"],  # a phone
]


def assignments(db) -> list[tuple]:
    conn = connect(db)
    try:
        return conn.execute(
            """SELECT o.name, e.name, a.start_on, a.end_on FROM assignments a JOIN officers o ON o.id = a.officer_id
            JOIN enterprises e ON e.id = a.enterprise_id WHERE a.end_on IS NULL OR a.end_on > a.start_on
            ORDER BY e.name, a.start_on"""
        ).fetchall()
    finally:
        conn.close()


def enterprises(sd) -> dict:
    return {e["name"]: e for e in json.loads(sd("enterprise", "list", "--json").stdout)}


def test_a_roster_that_differs_is_named_and_not_applied_without_update(park, db, tmp_path):
    path = write_csv(tmp_path / "企业名单.csv", [ROSTER_HEADER, *ROSTER])
    before = counts(db)

    result = park("enterprise", "import", path)

    assert (
        "imported 0 enterprises from 企业名单.csv (1 already present); 2 differ from what is on file, not applied"
        in (result.stdout)
    )
    assert "differs, not applied (--update applies it):" in result.stderr
    assert (
        "line 2, 天能电池: sector — → 新能源; contact — → 李强; phone — → 13800000000; address — → 园区大道1号; "
        "officers 王伟 → 李娜" in (result.stderr)
    )
    assert "line 4, 氢源科技: phone — → 13900000000" in result.stderr
    assert counts(db) == before
    assert enterprises(park)["天能电池"]["contact"] is None


def test_a_dry_run_with_update_lists_every_change_and_writes_nothing(park, db, tmp_path):
    path = write_csv(tmp_path / "企业名单.csv", [ROSTER_HEADER, *ROSTER])
    before = counts(db)

    result = park("enterprise", "import", path, "--update", "--dry-run", "--from", "2022-06-01")

    lines = result.stdout.splitlines()
    assert lines[0].startswith("line 2, 天能电池: sector — → 新能源") and lines[0].endswith(
        "officers 王伟 → 李娜 from 2022-06-01"
    )
    assert lines[1] == "line 4, 氢源科技: phone — → 13900000000"
    assert "would import 0 enterprises" in lines[2] and "would update 2" in lines[2]
    assert counts(db) == before


def test_a_roster_update_changes_details_and_moves_the_assignment_on_the_day(park, db, tmp_path):
    path = write_csv(tmp_path / "企业名单.csv", [ROSTER_HEADER, *ROSTER])

    result = park("enterprise", "import", path, "--update", "--from", "2022-06-01")

    assert "updated 2" in result.stdout
    listed = enterprises(park)
    assert (listed["天能电池"]["sector"], listed["天能电池"]["contact"], listed["天能电池"]["phone"]) == (
        "新能源",
        "李强",
        "13800000000",
    )
    assert listed["氢源科技"]["phone"] == "13900000000"
    assert [a for a in assignments(db) if a[1] == "天能电池"] == [
        ("王伟", "天能电池", "2022-01-01", "2022-06-01"),
        ("李娜", "天能电池", "2022-06-01", None),
    ]
    # Past weeks keep who looked after it then.
    assert weekly(park, "2022-W19")["visits"]["enterprises_assigned"] == 3
    again = park("enterprise", "import", path, "--update")
    assert "(3 already present)" in again.stdout and "updated" not in again.stdout

    park("undo")

    assert enterprises(park)["天能电池"]["contact"] is None
    assert [a for a in assignments(db) if a[1] == "天能电池"] == [("王伟", "天能电池", "2022-01-01", None)]


LATER = [list(row) for row in LEDGER]
# 流动资金贷款500万 was in progress and is now closed; 生产线智能化改造 was open with 李娜, now 王伟 works on it.
LATER[1][7:11] = ["已办结", "2022-05-20", "已解决", "贷款已发放"]
LATER[3][5], LATER[3][7] = "王伟", "办理中"


def test_a_ledger_that_moved_on_is_named_and_not_applied_without_update(park, db, tmp_path):
    park("ticket", "import", write_csv(tmp_path / "台账.csv", [LEDGER_HEADER, *LEDGER]))
    before = counts(db)

    result = park("ticket", "import", write_csv(tmp_path / "台账-6月.csv", [LEDGER_HEADER, *LATER]))

    assert "imported 0 tickets from 台账-6月.csv (3 already present); 2 differ from what is on file, not applied" in (
        result.stdout
    )
    assert "line 3, #2 流动资金贷款500万: status in_progress → closed on 2022-05-20 (resolved)" in result.stderr
    assert "line 5, #4 生产线智能化改造: status open → in_progress; owner 李娜 → 王伟" in result.stderr
    assert counts(db) == before


def test_a_ledger_update_records_the_dated_events_that_bring_each_ticket_there(park, db, tmp_path):
    park("ticket", "import", write_csv(tmp_path / "台账.csv", [LEDGER_HEADER, *LEDGER]))
    later = write_csv(tmp_path / "台账-6月.csv", [LEDGER_HEADER, *LATER])

    dry = park("ticket", "import", later, "--update", "--dry-run", "--from", "2022-05-18")
    assert dry.stdout.splitlines()[:2] == [
        "line 3, #2 流动资金贷款500万: status in_progress → closed on 2022-05-20 (resolved)",
        "line 5, #4 生产线智能化改造: status open → in_progress; owner 李娜 → 王伟",
    ]
    result = park("ticket", "import", later, "--update", "--from", "2022-05-18")

    assert "imported 0 tickets" in result.stdout and "updated 2" in result.stdout
    by_title = {t["title"]: t for t in tickets(park)}
    loan = json.loads(park("ticket", "show", str(by_title["流动资金贷款500万"]["id"]), "--json").stdout)
    assert (loan["status"], loan["closed_on"], loan["outcome"], loan["resolution"]) == (
        "closed",
        "2022-05-20",
        "resolved",
        "贷款已发放",
    )
    upgrade = json.loads(park("ticket", "show", str(by_title["生产线智能化改造"]["id"]), "--json").stdout)
    assert (upgrade["status"], upgrade["owner"]) == ("in_progress", "王伟")
    assert [(h["kind"], h["on"]) for h in upgrade["history"]] == [
        ("opened", "2022-05-16"),
        ("assigned", "2022-05-18"),
        ("started", "2022-05-18"),
    ]
    assert weekly(park, "2022-W20")["this_week"]["closed"] == 1  # the close counts in its own week
    assert weekly(park, "2022-W19")["cumulative"]["closed"] == 3  # and not before
    assert "(5 already present)" in park("ticket", "import", later, "--update").stdout
    # Empty cells (no status, no owner) say nothing against what is on file.
    bare = [["企业名称", "问题类别", "问题描述", "提出日期", "责任人"]] + [[r[1], r[2], r[3], r[4], ""] for r in LEDGER]
    result = park("ticket", "import", write_csv(tmp_path / "l.csv", bare), "--update")
    assert "imported 0 tickets from l.csv (5 already present)" in result.stdout and "update" not in result.stdout


def test_a_difference_no_event_can_make_is_a_bad_row_with_the_way_out(park, db, tmp_path):
    park("ticket", "import", write_csv(tmp_path / "台账.csv", [LEDGER_HEADER, *LEDGER]))
    changed = [list(row) for row in LEDGER]
    changed[0][8] = "2022-05-13"  # a closed ticket closed on another day
    changed[1][7] = "待办理"  # in progress back to open
    before = counts(db)

    result = park("ticket", "import", write_csv(tmp_path / "l.csv", [LEDGER_HEADER, *changed]), "--update", ok=False)

    assert_bad_rows(
        result,
        "2 bad rows in l.csv",
        [
            "line 2, column 办结时间: ticket #1 was closed on 2022-05-12 (resolved); an import does not re-date",
            "line 3, column 办理状态: ticket #2 is in progress; a ticket does not go back to open",
        ],
    )
    assert "servicedesk ticket reopen 1" in result.stderr
    assert counts(db) == before
