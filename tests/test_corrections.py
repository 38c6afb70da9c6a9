"""Putting mistakes right: dated back-filling, edits, deletes, undo, duplicates, doctor.

"Today" is pinned to Wednesday 2026-12-02 where the test depends on it.
"""

import json
from datetime import date

import pytest
from helpers import assert_user_error, connect

from servicedesk import dates

# The figures are checked on both backends (conftest.py).
pytestmark = pytest.mark.both

WEDNESDAY = date(2026, 12, 2)


@pytest.fixture
def today(monkeypatch):
    """Pin the local date; returns a setter for tests that move through the week."""

    def set_today(day: date):
        monkeypatch.setattr(dates, "today", lambda: day)

    set_today(WEDNESDAY)
    return set_today


def build_park(sd):
    sd("enterprise", "add", "天能电池", "--sector", "新型功能材料")
    sd("enterprise", "add", "华鑫化工", "--sector", "化工")
    sd("officer", "add", "王伟", "--rank", "chief")
    sd("officer", "add", "李娜", "--rank", "section")
    sd("assign", "王伟", "天能电池", "--from", "2022-05-02")
    sd("assign", "李娜", "华鑫化工", "--from", "2022-05-02")


@pytest.fixture
def park(sd, db, built):
    built("corrections", build_park, db)
    return sd


def weekly(sd, week: str) -> dict:
    return json.loads(sd("report", "weekly", "--week", week, "--json").stdout)


def show(sd, ticket) -> dict:
    return json.loads(sd("ticket", "show", str(ticket), "--json").stdout)


def rows(db, sql, params=()):
    conn = connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


# What was seen ------------------------------------------------------------------------


def test_pressing_up_enter_twice_records_nothing_the_second_time(park, db, today):
    log = ("--as", "王伟", "visit", "log", "天能", "--note", "走访", "--problem", "用地:扩建用地")
    park(*log)
    before = weekly(park, "this")
    again = park(*log, ok=False)
    assert_user_error(again, "already recorded as visit #1 on 2026-12-02", "--again")
    park("feedback", "add", "天能", "--kind", "锦旗")
    assert_user_error(park("feedback", "add", "天能", "--kind", "锦旗", ok=False), "feedback #1", "--again")
    after = weekly(park, "this")
    assert after["visits"]["logged"] == before["visits"]["logged"] == 1
    assert after["cumulative"]["collected"] == 1
    assert after["feedback"]["this_week"]["banner"] == 1

    # Saying it is another one records it.
    park(*log, "--again")
    park("feedback", "add", "天能", "--kind", "锦旗", "--again")
    counted = weekly(park, "this")
    assert counted["visits"]["logged"] == 2 and counted["cumulative"]["collected"] == 2
    assert counted["feedback"]["this_week"]["banner"] == 2


def test_the_same_problem_still_open_is_a_likely_duplicate(park, today):
    park("ticket", "open", "天能", "缺焊工", "-c", "用工")
    assert_user_error(park("ticket", "open", "天能", "缺焊工", "-c", "labour", ok=False), "ticket #1", "--again")
    park("ticket", "close", "1", "-r", "已招到")
    park("ticket", "open", "天能", "缺焊工", "-c", "用工")  # the old one is closed: a new problem


def test_a_back_dated_close_cannot_come_before_a_start_recorded_today(park, today):
    park("ticket", "open", "天能", "缺焊工", "-c", "用工", "--date", "2022-05-09")
    park("ticket", "start", "1")
    park("ticket", "assign", "1", "李娜")
    park("ticket", "refer", "1", "人社局")
    park("ticket", "note", "1", "已对接")
    result = park("ticket", "close", "1", "-r", "招到", "--date", "2022-05-13", ok=False)
    assert_user_error(result, "cannot close #1 on 2022-05-13", "2026-12-02")
    assert [h["kind"] for h in show(park, 1)["history"]] == ["opened", "started", "assigned", "referred", "note"]


def test_every_step_can_be_dated_and_history_reads_in_the_order_of_the_ticket_s_life(park, today):
    park("ticket", "open", "天能", "缺焊工", "-c", "用工", "--date", "2022-05-09")
    park("ticket", "close", "1", "-r", "招到", "--date", "2022-05-13")  # recorded first …
    park("ticket", "start", "1", "--date", "2022-05-10")  # … its start written up later
    park("ticket", "assign", "1", "李娜", "--date", "2022-05-11")
    park("ticket", "refer", "1", "人社局", "--date", "2022-05-11")
    park("ticket", "note", "1", "已对接", "--date", "2022-05-12")
    history = show(park, 1)["history"]
    assert [(h["on"], h["kind"]) for h in history] == [
        ("2022-05-09", "opened"),
        ("2022-05-10", "started"),
        ("2022-05-11", "assigned"),
        ("2022-05-11", "referred"),
        ("2022-05-12", "note"),
        ("2022-05-13", "closed"),
    ]
    # A step that would fall outside the ticket's cycle is refused, naming what it conflicts with.
    assert_user_error(park("ticket", "refer", "1", "工信局", "--date", "2022-05-14", ok=False), "closed on 2022-05-13")
    assert_user_error(park("ticket", "start", "1", "--date", "2022-05-08", ok=False), "opened on 2022-05-09")


def test_department_is_replayed_as_of_the_day_like_the_owner(park, today):
    park("ticket", "open", "天能", "缺电", "-c", "utilities", "--date", "2026-11-20", "--department", "供电公司")
    before = json.loads(park("report", "closure", "--until", "2026-11-29", "--by", "department", "--json").stdout)
    park("ticket", "refer", "1", "工信局")  # recorded today, 2026-12-02
    after = json.loads(park("report", "closure", "--until", "2026-11-29", "--by", "department", "--json").stdout)
    assert [r["key"] for r in after["rows"]] == [r["key"] for r in before["rows"]] == ["供电公司"]
    now = json.loads(park("report", "closure", "--by", "department", "--json").stdout)
    assert [r["key"] for r in now["rows"]] == ["工信局"]


def test_the_current_week_is_reported_as_of_today_and_next_week_is_refused(park, today):
    # Due last Monday: overdue. Due today and on Saturday: not yet.
    park("ticket", "open", "天能", "a", "-c", "用工", "--date", "2026-11-20", "--due", "2026-11-30")
    park("ticket", "open", "天能", "b", "-c", "用工", "--date", "2026-11-20", "--due", "2026-12-02")
    park("ticket", "open", "天能", "c", "-c", "用工", "--date", "2026-11-20", "--due", "2026-12-05")
    report = weekly(park, "this")
    assert report["as_of"] == "2026-12-02"
    assert report["cumulative"]["overdue"] == 1
    overdue = json.loads(park("ticket", "list", "--overdue", "--json").stdout)
    assert len(overdue) == report["cumulative"]["overdue"]
    assert {t["days_open"] for t in report["oldest_open"]} == {12}  # 11-20 to 12-02, not to Sunday
    assert_user_error(park("report", "weekly", "--week", "下周", ok=False), "has not begun")


# Back-filling ------------------------------------------------------------------------


def _week_of_work(sd, dated: bool):
    """One week of a park's work; `dated` writes it all up on the Friday with --date."""

    def on(day: str, *args):
        if dated:
            sd(*args, "--date", day)
        else:
            sd.today(date.fromisoformat(day))
            sd(*args)

    on("2026-11-23", "--as", "王伟", "visit", "log", "天能", "--note", "走访", "--problem", "用工:缺焊工")
    on("2026-11-23", "--as", "李娜", "visit", "log", "华鑫", "--problem", "融资:贷款", "--problem", "用地:扩建")
    on("2026-11-24", "ticket", "start", "1")
    on("2026-11-24", "ticket", "refer", "2", "金融办")
    on("2026-11-25", "ticket", "assign", "3", "王伟")
    on("2026-11-25", "ticket", "close", "1", "-r", "招到")
    on("2026-11-26", "ticket", "close", "2", "-r", "已放款", "--outcome", "explained")
    on("2026-11-26", "ticket", "reopen", "2", "--reason", "未到账")


def test_back_filling_a_week_gives_the_same_report_as_doing_it_live(sd, db, built, tmp_path, today):
    built("corrections", build_park, db)
    sd.today = today
    _week_of_work(sd, dated=False)
    today(WEDNESDAY)
    live = weekly(sd, "2026-W48")
    live_closure = sd("report", "closure", "--by", "department", "--until", "2026-11-29", "--json").stdout

    other = tmp_path / "backfilled.db"
    built("corrections", build_park, other)
    today(date(2026, 11, 27))  # Friday: everything written up at once

    def backfill(*args, **kw):
        return sd("--db", other, *args, **kw)

    _week_of_work(backfill, dated=True)
    today(WEDNESDAY)
    assert weekly(backfill, "2026-W48") == live
    assert backfill("report", "closure", "--by", "department", "--until", "2026-11-29", "--json").stdout == live_closure


# Corrections --------------------------------------------------------------------------


def test_editing_the_category_moves_both_categories_in_every_past_week(park, today):
    park("ticket", "open", "天能", "流动资金", "-c", "用工", "--date", "2026-11-02")
    park("ticket", "open", "天能", "招工", "-c", "用工", "--date", "2026-11-03")
    park("ticket", "close", "1", "-r", "已放款", "--date", "2026-11-10")

    def by_category(week):
        return {r["category"]: (r["collected"], r["closed"]) for r in weekly(park, week)["by_category"]}

    assert by_category("2026-W45") == {"labour": (2, 0)}
    assert by_category("2026-W46") == {"labour": (2, 1)}
    out = park("ticket", "edit", "1", "--category", "融资").stdout
    assert "category labour → financing" in out
    assert by_category("2026-W45") == {"financing": (1, 0), "labour": (1, 0)}
    assert by_category("2026-W46") == {"financing": (1, 1), "labour": (1, 0)}
    edited = show(park, 1)["history"][-1]
    assert edited["kind"] == "edited" and edited["changes"] == {"category": ["labour", "financing"]}


def test_editing_the_opening_date_is_checked_against_the_history(park, today):
    park("ticket", "open", "天能", "缺焊工", "-c", "用工", "--date", "2026-11-10")
    park("ticket", "start", "1", "--date", "2026-11-12")
    assert_user_error(park("ticket", "edit", "1", "--opened", "2026-11-13", ok=False), "started on 2026-11-12")
    park("ticket", "edit", "1", "--opened", "2026-11-06")
    assert weekly(park, "2026-W45")["this_week"]["opened"] == 1  # Friday 11-06 is in W45
    assert weekly(park, "2026-W46")["this_week"]["opened"] == 0


def test_a_deleted_ticket_is_out_of_every_figure_and_still_shown(park, today):
    park("ticket", "open", "天能", "缺焊工", "-c", "用工", "--date", "2026-11-23")
    park("ticket", "open", "天能", "重复录入", "-c", "用工", "--date", "2026-11-23")
    out = park("ticket", "delete", "2", "--reason", "重复录入").stdout
    assert "deleted #2" in out and "cumulative 0/1 closed" in out
    assert [t["id"] for t in json.loads(park("ticket", "list", "--status", "all", "--json").stdout)] == [1]
    report = weekly(park, "2026-W48")
    assert report["cumulative"]["collected"] == 1 and report["this_week"]["opened"] == 1
    shown = show(park, 2)
    assert shown["removed"] == "deleted"
    assert shown["history"][-1]["kind"] == "deleted" and shown["history"][-1]["note"] == "重复录入"
    assert_user_error(park("ticket", "close", "2", "-r", "x", ok=False), "#2 was deleted")


def test_a_visit_is_corrected_and_deleted_like_a_ticket(park, db, today):
    park("--as", "王伟", "visit", "log", "天能", "--date", "2026-11-24", "--note", "走访")
    park("visit", "edit", "1", "--date", "2026-11-17")
    assert weekly(park, "2026-W47")["visits"]["logged"] == 1
    assert weekly(park, "2026-W48")["visits"]["logged"] == 0
    park("--as", "王伟", "visit", "log", "天能", "--date", "2026-11-18", "--problem", "用工:缺焊工")
    assert_user_error(park("visit", "delete", "2", "--reason", "错录", ok=False), "#1", "delete them first")
    park("visit", "delete", "1", "--reason", "错录")
    assert weekly(park, "2026-W47")["visits"]["logged"] == 1
    assert rows(db, "SELECT id, removed FROM visits ORDER BY id") == [(1, "deleted"), (2, None)]


# Undo ---------------------------------------------------------------------------------


def test_undo_of_a_visit_with_two_problems_returns_the_report_to_its_figures(park, db, today):
    park("--as", "王伟", "visit", "log", "天能", "--problem", "用工:缺焊工")
    park("--as", "王伟", "ticket", "close", "1", "-r", "招到")
    before = weekly(park, "this")
    park(
        "--as", "王伟", "visit", "log", "天能", "--note", "二次走访", "--problem", "用地:扩建", "--problem", "融资:贷款"
    )
    assert weekly(park, "this")["cumulative"]["collected"] == 3

    dry = park("--as", "王伟", "undo", "--dry-run")
    assert "would undo" in dry.stdout and "tickets #2, #3 opened" in dry.stdout
    assert weekly(park, "this")["cumulative"]["collected"] == 3
    done = park("--as", "王伟", "undo")
    assert "undid change set" in done.stdout and "visit #2 added" in done.stdout
    assert weekly(park, "this") == before
    assert [h.get("undone") for h in show(park, 2)["history"]] == [True]

    # Again: one step further back, the close.
    park("--as", "王伟", "undo")
    assert json.loads(park("ticket", "show", "1", "--json").stdout)["status"] == "open"
    assert rows(db, "SELECT count(*) FROM changesets WHERE undoes IS NOT NULL") == [(2,)]


def test_undo_is_blocked_by_another_person_s_later_change(park, today):
    park("--as", "王伟", "ticket", "open", "天能", "缺焊工", "-c", "用工")
    park("--as", "李娜", "ticket", "note", "1", "已联系人社局")
    result = park("--as", "王伟", "undo", ok=False)
    assert_user_error(result, "李娜 has since changed ticket #1", "nothing undone")
    park("--as", "李娜", "undo")  # her own note comes off …
    park("--as", "王伟", "undo")  # … and then his opening can
    assert json.loads(park("ticket", "list", "--status", "all", "--json").stdout) == []


def test_undo_of_an_edit_restores_the_old_values(park, today):
    park("enterprise", "edit", "天能", "--phone", "13800000000")
    park("enterprise", "edit", "天能", "--phone", "13900000000")
    park("undo")
    assert json.loads(park("enterprise", "show", "天能", "--json").stdout)["phone"] == "13800000000"


def test_undo_with_nothing_to_undo_says_so(park):
    assert_user_error(park("--as", "新人", "undo", ok=False), "nothing to undo")


def test_undo_of_a_whole_import_removes_what_it_added(park, tmp_path, today):
    ledger = tmp_path / "台账.csv"
    ledger.write_text(
        "企业名称,问题类别,问题描述,提出日期\n天能电池,用工,缺焊工,2026-11-02\n华鑫化工,融资,贷款,2026-11-03\n",
        encoding="utf-8",
    )
    before = weekly(park, "this")
    park("ticket", "import", ledger)
    assert weekly(park, "this")["cumulative"]["collected"] == 2
    park("undo")
    assert weekly(park, "this") == before
    park("ticket", "import", ledger)  # and it can come in again
    assert weekly(park, "this")["cumulative"]["collected"] == 2


# Doctor -------------------------------------------------------------------------------


def test_doctor_finds_a_corrupted_tally_row_and_repairs_it(park, db, today):
    park("ticket", "open", "天能", "缺焊工", "-c", "用工", "--date", "2026-11-23")
    assert "the ledger is whole" in park("doctor").stdout
    conn = connect(db)
    conn.execute("UPDATE tally_totals SET collected = collected + 5 WHERE dim = 'category'")
    conn.commit()
    conn.close()
    result = park("doctor", ok=False)
    assert result.exit_code == 1 and "problem: derived table tally_totals" in result.stdout
    assert "repaired: derived table tally_totals" in park("doctor", "--repair").stdout
    assert "the ledger is whole" in park("doctor").stdout
    assert weekly(park, "this")["cumulative"]["collected"] == 1


def test_doctor_names_a_ticket_whose_stored_state_differs_from_its_history(park, db, today):
    park("ticket", "open", "天能", "缺焊工", "-c", "用工", "--date", "2026-11-23")
    conn = connect(db)
    conn.execute("UPDATE tickets SET status = 'closed' WHERE id = 1")
    conn.commit()
    conn.close()
    result = park("doctor", ok=False)
    assert "problem: ticket #1: its stored state differs" in result.stdout


# Export keeps who is assigned on the date rule --------------------------------------


def test_export_names_an_officer_whose_assignment_ends_in_the_future(park, tmp_path, today):
    park("unassign", "王伟", "天能", "--from", "2026-12-31")
    listed = json.loads(park("enterprise", "list", "--json").stdout)
    assert next(e for e in listed if e["name"] == "天能电池")["officers"] == ["王伟"]
    park("export", tmp_path / "out")
    exported = (tmp_path / "out" / "enterprises.csv").read_text(encoding="utf-8-sig")
    assert "天能电池" in exported and "王伟" in exported.split("天能电池", 1)[1].splitlines()[0]
