"""Tickets through the CLI: the life cycle, the list filters, refusals, and tally consistency."""

import json

import pytest
from helpers import TICKET_KEYS, assert_user_error, connect, services, table_rows

from servicedesk import derive
from servicedesk.store import Store
from servicedesk.views import asof

# The figures are checked on both backends (conftest.py).
pytestmark = pytest.mark.both


def tickets(sd, *args) -> list[dict]:
    return json.loads(sd("ticket", "list", "--json", *args).stdout)


def all_tickets(sd) -> list[dict]:
    return tickets(sd, "--status", "all")


def ids(sd, *args) -> list[int]:
    return [t["id"] for t in tickets(sd, *args)]


def snapshot(sd, db) -> tuple:
    """Everything a refused command must leave alone: the ticket list and every table's rows."""
    return all_tickets(sd), table_rows(db)


def build_park(p):
    """Two enterprises looked after by 王伟 and one by 李娜, from 2022-05-02."""
    p.enterprise("天能电池", sector="新型功能材料")
    p.enterprise("华鑫化工", sector="化工")
    p.enterprise("氢源科技", sector="氢能")
    p.officer("王伟", rank="chief")
    p.officer("李娜", rank="section")
    p.assign("王伟", "天能电池", "华鑫化工", start="2022-05-02")
    p.assign("李娜", "氢源科技", start="2022-05-02")


@pytest.fixture
def park(sd, db, built):
    built("park", build_park, db)
    return sd


def open_ticket(sd, enterprise, text, category, *args) -> dict:
    return json.loads(sd("ticket", "open", enterprise, text, "--category", category, "--json", *args).stdout)


# Opening -------------------------------------------------------------------------


def test_open_defaults_owner_to_the_single_officer_and_due_date_to_the_category_limit(park):
    item = open_ticket(park, "天能", "缺焊工20人", "用工", "--date", "2022-05-10")
    assert set(item) == TICKET_KEYS
    assert item["enterprise"] == "天能电池"
    assert item["category"] == "labour"
    assert item["owner"] == "王伟"
    assert item["status"] == "open"
    assert item["priority"] == "normal"
    assert item["opened_on"] == "2022-05-10"
    assert item["due_on"] == "2022-05-25"  # labour: 15 days
    assert item["outcome"] is None and item["closed_on"] is None


def test_open_takes_owner_department_priority_and_due_date(park):
    item = open_ticket(
        park,
        "华鑫化工",
        "贷款500万",
        "financing",
        "--owner",
        "李娜",
        "--department",
        "金融办",
        "--priority",
        "urgent",
        "--due",
        "2022-06-01",
        "--date",
        "2022-05-10",
    )
    assert (item["owner"], item["department"], item["priority"], item["due_on"]) == (
        "李娜",
        "金融办",
        "urgent",
        "2022-06-01",
    )


def test_open_report_back_line_states_cumulative_closure(park):
    out = park("ticket", "open", "天能电池", "缺焊工", "-c", "labour", "--date", "2022-05-10").stdout
    assert "opened #1" in out
    assert "cumulative 0/1 closed" in out


def test_category_chinese_label_and_code_both_work(park):
    assert open_ticket(park, "天能电池", "a", "水电气暖", "--date", "2022-05-10")["category"] == "utilities"
    assert open_ticket(park, "天能电池", "b", "utilities", "--date", "2022-05-10")["due_on"] == "2022-05-17"


def test_category_add_new_code_is_usable_and_listed(park):
    park("category", "add", "environment", "--label", "Environment", "--label-zh", "环保", "--due-days", "20")
    cats = json.loads(park("category", "list", "--json").stdout)
    env = next(c for c in cats if c["code"] == "environment")
    assert (env["label_zh"], env["due_days"]) == ("环保", 20)
    item = open_ticket(park, "天能电池", "排污许可", "环保", "--date", "2022-05-10")
    assert (item["category"], item["due_on"]) == ("environment", "2022-05-30")


def test_category_due_days_override_changes_due_date_of_new_tickets_only(park):
    before = open_ticket(park, "天能电池", "缺焊工", "labour", "--date", "2022-05-10")
    park("category", "add", "labour", "--label", "Labour shortage", "--due-days", "5")
    after = open_ticket(park, "天能电池", "缺电工", "用工", "--date", "2022-05-10")
    assert after["due_on"] == "2022-05-15"
    assert next(t for t in all_tickets(park) if t["id"] == before["id"])["due_on"] == "2022-05-25"
    labour = next(c for c in json.loads(park("category", "list", "--json").stdout) if c["code"] == "labour")
    assert (labour["due_days"], labour["label_zh"]) == (5, "用工")


# Listing -------------------------------------------------------------------------


def build_ledger(p):
    """Five tickets in several states, opened on different days."""
    build_park(p)
    p.ticket("天能电池", "缺焊工", "labour", "2022-05-03")  # 1
    p.ticket("华鑫化工", "贷款", "financing", "2022-05-05")  # 2
    p.ticket("氢源科技", "用地指标", "land", "2022-05-09", due="2099-12-31")  # 3
    p.ticket("天能电池", "停电", "utilities", "2022-05-11")  # 4
    p.ticket("氢源科技", "环评", "permits", "2022-05-11")  # 5
    p.start(2)
    p.close(4, "已恢复供电", "2022-05-12")


@pytest.fixture
def ledger(sd, db, built):
    built("ledger", build_ledger, db)
    return sd


def test_list_default_is_active_newest_first(ledger):
    assert ids(ledger) == [5, 3, 2, 1]
    items = tickets(ledger)
    assert all(set(t) == TICKET_KEYS for t in items)
    assert {t["status"] for t in items} == {"open", "in_progress"}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--status", "all"), [5, 4, 3, 2, 1]),
        (("--status", "open"), [5, 3, 1]),
        (("--status", "in_progress"), [2]),
        (("--status", "closed"), [4]),
        (("--status", "all", "--category", "utilities"), [4]),
        (("--status", "all", "--category", "水电气暖"), [4]),
        (("--category", "用工"), [1]),
        (("--enterprise", "氢源"), [5, 3]),
        (("--owner", "王伟"), [2, 1]),
        (("--owner", "李娜", "--status", "all"), [5, 3]),
        (("--overdue",), [5, 2, 1]),  # 3 is due in 2099, 4 is closed
        (("--status", "all", "--since", "2022-05-09"), [5, 4, 3]),
        (("--status", "all", "--until", "2022-05-05"), [2, 1]),
        (("--status", "all", "--since", "2022/5/5", "--until", "2022年5月9日"), [3, 2]),
        (("--status", "all", "--limit", "2"), [5, 4]),
    ],
)
def test_list_filters(ledger, args, expected):
    assert ids(ledger, *args) == expected


def test_list_json_reports_closed_fields_and_overdue(ledger):
    by_id = {t["id"]: t for t in all_tickets(ledger)}
    assert by_id[4]["status"] == "closed"
    assert (by_id[4]["outcome"], by_id[4]["closed_on"], by_id[4]["overdue"]) == ("resolved", "2022-05-12", False)
    assert by_id[1]["overdue"] is True
    assert by_id[3]["overdue"] is False


def test_list_table_and_csv_show_the_rows(ledger):
    table = ledger("ticket", "list").stdout
    assert "缺焊工" in table and "停电" not in table
    csv_out = ledger("ticket", "list", "--status", "closed", "--format", "csv").stdout.splitlines()
    assert csv_out[0].startswith("id,enterprise,category,title,status")
    assert len(csv_out) == 2 and csv_out[1].startswith("4,天能电池,utilities,停电,closed")


# Life cycle ----------------------------------------------------------------------


def test_full_life_cycle_is_recorded_in_history(park):
    open_ticket(park, "天能电池", "缺焊工20人", "labour", "--date", "2022-05-10")
    park("--as", "王伟", "ticket", "note", "#1", "已对接人社局")
    assert "in progress" in park("ticket", "start", "1", "--date", "2022-05-11").stdout
    assert "now owned by 李娜" in park("--as", "主任", "ticket", "assign", "1", "李娜", "--date", "2022-05-12").stdout
    assert "already owned by 李娜" in park("ticket", "assign", "1", "李娜").stdout
    park("ticket", "refer", "1", "人社局", "--date", "2022-05-12")
    out = park("ticket", "close", "1", "--resolution", "专场招聘", "--outcome", "explained", "--date", "2022-05-20")
    assert "closed #1 (explained)" in out.stdout and "cumulative 1/1 closed, 100.0%" in out.stdout
    out = park("ticket", "reopen", "1", "--reason", "未到岗", "--date", "2022-05-22")
    assert "reopened #1" in out.stdout and "cumulative 0/1 closed, 0.0%" in out.stdout
    park("ticket", "close", "1", "-r", "已到岗", "--date", "2022-05-24")

    shown = json.loads(park("ticket", "show", "1", "--format", "json").stdout)
    assert set(shown) >= TICKET_KEYS
    assert (shown["status"], shown["outcome"], shown["closed_on"]) == ("closed", "resolved", "2022-05-24")
    assert (shown["owner"], shown["department"]) == ("李娜", "人社局")
    history = shown["history"]
    assert all({"on", "at", "actor", "kind", "note"} <= set(h) for h in history)
    kinds = [h["kind"] for h in history]
    assert kinds[0] == "opened"
    assert set(kinds) == {"opened", "note", "started", "assigned", "referred", "closed", "reopened"}
    assert [(h["on"], h["kind"]) for h in history if h["kind"] in ("opened", "closed", "reopened")] == [
        ("2022-05-10", "opened"),
        ("2022-05-20", "closed"),
        ("2022-05-22", "reopened"),
        ("2022-05-24", "closed"),
    ]
    note = next(h for h in history if h["kind"] == "note")
    assert (note["actor"], note["note"]) == ("王伟", "已对接人社局")
    assert next(h for h in history if h["kind"] == "assigned")["actor"] == "主任"
    assert next(h for h in history if h["kind"] == "reopened")["note"] == "未到岗"
    assert all(len(h["at"]) >= 25 and h["at"][10] == "T" for h in history)  # ISO moment with offset

    table = park("ticket", "show", "1").stdout
    assert "History" in table and "专场招聘" in table and "未到岗" in table


def test_close_on_a_terminal_prompts_for_the_resolution(park, monkeypatch):
    open_ticket(park, "天能电池", "缺焊工", "labour", "--date", "2022-05-10")
    monkeypatch.setattr("servicedesk.cli.tickets.stdin_is_terminal", lambda: True)
    park("ticket", "close", "1", "--date", "2022-05-11", input="招聘会解决\n")
    assert all_tickets(park)[0]["status"] == "closed"
    shown = json.loads(park("ticket", "show", "1", "--json").stdout)
    assert shown["resolution"] == "招聘会解决"


# Refusals: exit 1, one line, nothing changed -------------------------------------


def build_two_tickets(p):
    """#1 labour, open; #2 financing, closed on 2022-05-16; both opened 2022-05-10."""
    build_park(p)
    p.ticket("天能电池", "缺焊工", "labour", "2022-05-10")
    p.ticket("华鑫化工", "贷款", "financing", "2022-05-10")
    p.close(2, "已放款", "2022-05-16")


@pytest.fixture
def two_tickets(sd, db, built):
    built("two_tickets", build_two_tickets, db)
    return sd


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("ticket", "show", "abc"), ['"abc" is not a ticket number']),
        (("ticket", "close", "abc", "-r", "x"), ["abc"]),
        (("ticket", "show", "#999"), ["#999"]),
        (("ticket", "note", "999", "x"), ["#999"]),
        (("ticket", "close", "2", "-r", "again"), ["already closed"]),
        (("ticket", "reopen", "1", "--reason", "x"), ["only a closed ticket"]),
        (("ticket", "close", "1", "-r", "x", "--date", "2022-05-09"), ["opened on 2022-05-10"]),
        (("ticket", "reopen", "2", "--reason", "x", "--date", "2022-05-09"), ["opened on 2022-05-10"]),
        (("ticket", "reopen", "2", "--reason", "x", "--date", "2022-05-15"), ["2022-05-16"]),
        (("ticket", "close", "1"), ["resolution"]),
        (("ticket", "close", "1", "-r", "   "), ["resolution"]),
        (("ticket", "close", "1", "-r", "x", "--date", "2022-13-45"), ['"2022-13-45"']),
        (("ticket", "close", "1", "-r", "x", "--date", "2099-01-01"), ["future"]),
        (("ticket", "reopen", "2", "--reason", "x", "--date", "2099-01-01"), ["future"]),
        (("ticket", "open", "天能电池", "x", "-c", "labour", "--date", "2099-01-01"), ["future"]),
        (("ticket", "open", "天能电池", "x", "-c", "labour", "--date", "2022-13-45"), ['"2022-13-45"']),
        (
            ("ticket", "open", "天能电池", "x", "-c", "环保"),
            ['unknown category "环保"', "financing (融资)", "other (其他)"],
        ),
        (("ticket", "open", "天能电池", "  ", "-c", "labour", "--date", "2022-05-10"), ["empty"]),
        (("ticket", "open", "天然", "x", "-c", "labour"), ['"天然"', "did you mean", "天能电池"]),
        (("ticket", "open", "天能电池", "x", "-c", "labour", "--owner", "张三"), ['"张三"']),
        (("ticket", "open", "天能电池", "x", "-c", "labour", "--due", "2022-05-01", "--date", "2022-05-10"), ["due"]),
        (("ticket", "open", "天能电池", "x", "-c", "labour", "--visit", "99"), ["#99"]),
        (("ticket", "list", "--category", "nope"), ['"nope"', "labour (用工)"]),
        (("ticket", "list", "--since", "2022-13-45"), ['"2022-13-45"']),
        (("ticket", "assign", "1", "张三"), ['"张三"']),
        (("ticket", "refer", "1", " "), ["department"]),
        (("ticket", "note", "1", ""), ["empty"]),
        (("ticket", "start", "2"), ["closed"]),
    ],
)
def test_user_errors_exit_1_with_one_line_and_change_nothing(two_tickets, db, args, fragments):
    before = snapshot(two_tickets, db)
    assert_user_error(two_tickets(*args, ok=False), *fragments)
    assert snapshot(two_tickets, db) == before


def test_close_before_opening_is_refused_and_changes_nothing(two_tickets, db):
    before = snapshot(two_tickets, db)
    result = two_tickets("ticket", "close", "1", "--resolution", "x", "--date", "2022-05-01", ok=False)
    assert_user_error(result, "#1", "2022-05-10", "2022-05-01")
    assert snapshot(two_tickets, db) == before


def test_reopen_before_the_last_close_is_refused_and_changes_nothing(two_tickets, db):
    two_tickets("ticket", "reopen", "2", "--reason", "未放款", "--date", "2022-05-18")
    two_tickets("ticket", "close", "2", "-r", "已放款", "--date", "2022-05-20")
    before = snapshot(two_tickets, db)
    result = two_tickets("ticket", "reopen", "2", "--reason", "x", "--date", "2022-05-19", ok=False)
    assert_user_error(result, "closed on 2022-05-20")
    assert snapshot(two_tickets, db) == before


def test_starting_a_started_ticket_is_refused(two_tickets):
    two_tickets("ticket", "start", "1")
    assert_user_error(two_tickets("ticket", "start", "1", ok=False), "already in progress")


@pytest.mark.parametrize(
    "args",
    [
        ("ticket", "open", "天能电池", "x", "-c", "labour", "--priority", "nope"),
        ("ticket", "open", "天能电池", "x"),  # --category is required
        ("ticket", "open"),
        ("ticket", "close", "1", "-r", "x", "--outcome", "fixed"),
        ("ticket", "reopen", "2"),  # --reason is required
        ("ticket", "list", "--status", "pending"),
        ("ticket", "list", "--limit", "many"),
        ("ticket", "show"),
        ("ticket", "frobnicate"),
    ],
)
def test_usage_errors_exit_2_and_change_nothing(two_tickets, db, args):
    before = snapshot(two_tickets, db)
    result = two_tickets(*args, ok=False)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    assert snapshot(two_tickets, db) == before


# Tallies -------------------------------------------------------------------------


def _derived(conn) -> dict:
    """Every derived table as a comparable list of rows."""
    return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in derive.TABLES}


@pytest.mark.parametrize("few", [10, 10_000], ids=["through-temporary-tables", "named"])
def test_a_refresh_of_every_ticket_leaves_the_derived_tables_as_a_rebuild_made_them(sd, db, monkeypatch, few):
    """A command's few tickets and tally rows are named in its statements; more (an import's)
    go through temporary tables (derive.FEW): either way the tallies come out the same."""
    sd("demo")
    monkeypatch.setattr(derive, "FEW", few)  # the demo's 92 tickets and their tallies: one way or the other
    conn = connect(db, isolation_level=None)
    try:
        conn.execute("BEGIN")
        ids = [r[0] for r in conn.execute("SELECT id FROM tickets")]
        derive.rebuild(conn)
        rebuilt = _derived(conn)
        derive.refresh(conn, ids)
        assert _derived(conn) == rebuilt
        # A category edit moves a ticket's counts between keys (taken out before, added after).
        derive.refresh(conn, ids, lambda: conn.execute("UPDATE tickets SET category = 'other' WHERE id = ?", (ids[0],)))
        refreshed = _derived(conn)
        derive.rebuild(conn)
        assert refreshed == _derived(conn)
    finally:
        conn.rollback()
        conn.close()


COUNTS = ("collected", "closed", "solved", "on_time")


def counts_as_of(db, day: str, dim: str) -> dict:
    """The four headline counts per key of `dim`, as of the end of `day`."""
    store = Store(db)
    try:
        return {k: {f: v[f] for f in COUNTS} for k, v in asof.counts(store, day, dim).items()}
    finally:
        store.close()


def test_incremental_tallies_equal_a_rebuild_after_backdated_changes(park, db):
    with services(db) as p:
        p.enterprise("双包企业")
        p.assign("王伟", "双包企业", start="2022-05-02")
        p.assign("李娜", "双包企业", start="2022-05-02")
        # 1 and 2, opened by a visit.
        p.visit("天能电池", "2022-05-03", problems=["用工:缺焊工", "融资：贷款"])
        p.ticket("华鑫化工", "停电", "utilities", "2022-05-04")  # 3
        p.ticket("氢源科技", "用地", "land", "2022-05-06")  # 4
        p.ticket("双包企业", "无主问题", "permits", "2022-05-06")  # 5: two officers, no owner
        p.ticket("天能电池", "同日办结", "other", "2022-05-09")  # 6
        p.close(3, "恢复", "2022-05-20")  # late (due 05-11)
        p.close(6, "当日", "2022-05-09")
        p.close(1, "招到", "2022-05-10", "explained")
        p.reopen(1, "未到岗", "2022-05-12")
        p.close(1, "到岗", "2022-05-12")
        p.reopen(1, "又走了", "2022-06-01")
        p.start(1, "2022-06-02")
        p.close(1, "稳定", "2022-06-03", "withdrawn")
        p.reassign(5, "李娜")
        p.reassign(5, "王伟")
        p.reassign(2, "李娜")
        p.reopen(3, "又停电", "2022-05-21")
        p.close(4, "已批", "2022-05-08")
        p.reopen(6, "反复", "2022-05-09")

    conn = connect(db, isolation_level=None)
    try:
        incremental = _derived(conn)
        conn.execute("BEGIN")
        derive.rebuild(conn)
        rebuilt = _derived(conn)
        conn.execute("ROLLBACK")
    finally:
        conn.close()
    assert incremental == rebuilt
    # And the figures are the right ones: as of 2022-05-15, tickets 1-6 collected;
    # 1 (resolved 05-12, on time), 4 (resolved 05-08, on time) closed; 6 reopened; 3 closed later.
    as_of = counts_as_of(db, "2022-05-15", "category")
    total = {k: sum(v[k] for v in as_of.values()) for k in COUNTS}
    assert total == {"collected": 6, "closed": 2, "solved": 2, "on_time": 2}
    assert as_of["labour"] == {"collected": 1, "closed": 1, "solved": 1, "on_time": 1}
    final = counts_as_of(db, "2022-06-30", "category")
    # 1 withdrawn (closed, not solved, late: due 05-18); 4 resolved; 3 and 6 reopened.
    assert final["labour"] == {"collected": 1, "closed": 1, "solved": 0, "on_time": 0}
    assert sum(v["closed"] for v in final.values()) == 2
    conn = connect(db)
    names = dict(conn.execute("SELECT id, name FROM officers"))
    conn.close()
    now = counts_as_of(db, "2099-01-01", "owner")
    owners = {name: now.get(str(oid), {}).get("collected", 0) for oid, name in names.items()}
    assert owners == {"王伟": 4, "李娜": 2}  # 王伟: 1, 3, 5, 6; 李娜: 2, 4
    store = Store(db)
    open_now = {r["id"] for r in asof.pending(store, "2022-05-15")}
    store.close()
    assert open_now == {2, 3, 5, 6}
