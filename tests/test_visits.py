"""Visits, the weekly missed list and feedback through the CLI."""

import json

import pytest
from helpers import assert_user_error
from helpers import table_rows as rows

from servicedesk.models import Channel

# The figures are checked on both backends (conftest.py).
pytestmark = pytest.mark.both

VISIT_KEYS = {"id", "enterprise", "enterprise_id", "officer", "visited_on", "channel", "note", "tickets"}


def visits(sd, *args) -> list[dict]:
    return json.loads(sd("visit", "list", "--json", *args).stdout)


def log(sd, *args, acting=None) -> dict:
    prefix = ("--as", acting) if acting else ()
    return json.loads(sd(*prefix, "visit", "log", *args, "--json").stdout)


def build_park(p):
    """天能电池 has one officer (王伟), 华鑫化工 two (王伟, 李娜), 氢源科技 none."""
    for name in ("天能电池", "华鑫化工", "氢源科技"):
        p.enterprise(name)
    p.officer("王伟")
    p.officer("李娜")
    p.assign("王伟", "天能电池", "华鑫化工", start="2022-05-02")
    p.assign("李娜", "华鑫化工", start="2022-05-02")


@pytest.fixture
def park(sd, db, built):
    built("park", build_park, db)
    return sd


# visit log -----------------------------------------------------------------------


def test_visit_log_with_problems_opens_linked_tickets(park):
    result = park(
        "visit",
        "log",
        "天能",
        "--date",
        "2022-05-10",
        "--channel",
        "online",
        "--note",
        "视频走访",
        "--problem",
        "用工:缺焊工20人",
        "--problem",
        "融资：流动资金贷款500万",
        "--problem",
        "utilities : 停电",
    )
    out = result.stdout
    assert "logged visit #1: 王伟 → 天能电池 on 2022-05-10 (online)" in out
    assert "opened #1 (labour) 缺焊工20人, due 2022-05-25" in out
    assert "opened #2 (financing) 流动资金贷款500万, due 2022-06-09" in out
    assert "opened #3 (utilities) 停电, due 2022-05-17" in out

    [visit] = visits(park)
    assert set(visit) == VISIT_KEYS
    assert visit == {
        "id": 1,
        "enterprise": "天能电池",
        "enterprise_id": 1,
        "officer": "王伟",
        "visited_on": "2022-05-10",
        "channel": "online",
        "note": "视频走访",
        "tickets": [1, 2, 3],
    }
    tickets = json.loads(park("ticket", "list", "--json").stdout)
    assert {(t["id"], t["category"], t["owner"], t["opened_on"]) for t in tickets} == {
        (1, "labour", "王伟", "2022-05-10"),
        (2, "financing", "王伟", "2022-05-10"),
        (3, "utilities", "王伟", "2022-05-10"),
    }
    assert json.loads(park("ticket", "show", "2", "--json").stdout)["visit_id"] == 1


def test_visit_log_without_problems_opens_nothing(park):
    visit = log(park, "天能电池", "--date", "2022-05-10")
    assert (visit["tickets"], visit["channel"], visit["note"]) == ([], "onsite", None)
    assert json.loads(park("ticket", "list", "--status", "all", "--json").stdout) == []


def test_visit_log_officer_defaults_to_the_single_assigned_officer(park):
    assert log(park, "天能电池", "--date", "2022-05-10")["officer"] == "王伟"


def test_visit_log_acting_officer_is_the_default_visitor(park):
    assert log(park, "华鑫化工", "--date", "2022-05-10", acting="李娜")["officer"] == "李娜"
    # --as wins over the single assigned officer, --officer over both.
    assert log(park, "天能电池", "--date", "2022-05-10", acting="李娜")["officer"] == "李娜"
    assert log(park, "天能电池", "--officer", "王伟", "--date", "2022-05-10", acting="李娜")["officer"] == "王伟"


def test_visit_log_acting_name_that_is_not_an_officer_falls_back_to_the_assigned_one(park):
    assert log(park, "天能电池", "--date", "2022-05-10", acting="办公室")["officer"] == "王伟"


def test_visit_log_problem_owner_is_the_named_visitor_when_several_are_assigned(park):
    log(park, "华鑫化工", "--officer", "李娜", "--date", "2022-05-10", "--problem", "用地：扩建用地")
    [ticket] = json.loads(park("ticket", "list", "--json").stdout)
    assert ticket["owner"] == "李娜"


def test_visit_log_with_several_officers_and_none_given_is_refused(park, db):
    before = rows(db)
    result = park("visit", "log", "华鑫化工", "--date", "2022-05-10", "--problem", "用工:缺人", ok=False)
    assert_user_error(result, "华鑫化工 has 2 officers", "--officer")
    assert rows(db) == before


def test_visit_log_with_no_officer_assigned_and_none_given_is_refused(park, db):
    before = rows(db)
    assert_user_error(park("visit", "log", "氢源科技", "--date", "2022-05-10", ok=False), "no officer assigned")
    assert rows(db) == before


def test_visit_log_uses_the_assignment_on_the_visit_date(park):
    park("unassign", "李娜", "华鑫化工", "--from", "2022-05-16")
    # Two officers on 2022-05-10, one from 2022-05-16.
    assert park("visit", "log", "华鑫化工", "--date", "2022-05-10", ok=False).exit_code == 1
    assert log(park, "华鑫化工", "--date", "2022-05-17")["officer"] == "王伟"


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("--problem", "用工:"), ['"用工:"', "CATEGORY:TEXT"]),
        (("--problem", "用工：   "), ["CATEGORY:TEXT"]),
        (("--problem", "缺焊工20人"), ['"缺焊工20人"', "CATEGORY:TEXT"]),
        (("--problem", ":缺焊工"), ["CATEGORY:TEXT"]),
        (("--problem", "用工:缺人", "--problem", "环保:排污"), ['unknown category "环保"', "labour (用工)"]),
        (("--date", "2022-13-45"), ['"2022-13-45"']),
        (("--date", "2099-05-10"), ["future"]),
        (("--date", "tomorrow"), ["future"]),
        (("--officer", "张三"), ['"张三"']),
    ],
)
def test_visit_log_refusals_write_nothing(park, db, args, fragments):
    before = rows(db)
    dated = args if "--date" in args else ("--date", "2022-05-10", *args)
    result = park("visit", "log", "天能电池", *dated, ok=False)
    assert_user_error(result, *fragments)
    assert rows(db) == before


def test_visit_log_unknown_enterprise_is_refused(park, db):
    before = rows(db)
    assert_user_error(park("visit", "log", "天然", "--date", "2022-05-10", ok=False), "did you mean 天能电池?")
    assert rows(db) == before


def test_visit_log_channel_outside_the_choices_is_a_usage_error(park, db):
    before = rows(db)
    assert park("visit", "log", "天能电池", "--channel", "wechat", ok=False).exit_code == 2
    assert park("visit", "log", ok=False).exit_code == 2
    assert rows(db) == before


# visit list / missing ------------------------------------------------------------


def build_logged(p):
    build_park(p)
    p.visit("天能电池", "2022-05-06", note="W18")  # 1 (Friday of W18)
    p.visit("天能电池", "2022-05-09", note="W19 Monday")  # 2
    p.visit("华鑫化工", "2022-05-15", officer="李娜", note="W19 Sunday")  # 3
    p.visit("华鑫化工", "2022-05-16", officer="王伟", channel=Channel.phone)  # 4


@pytest.fixture
def logged(sd, db, built):
    built("logged", build_logged, db)
    return sd


def ids(sd, *args) -> list[int]:
    return [v["id"] for v in visits(sd, *args)]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), [1, 2, 3, 4]),
        (("--week", "2022-W19"), [2, 3]),
        (("--week", "2022-05-12"), [2, 3]),
        (("--week", "2022年5月16日"), [4]),
        (("--week", "2022-W17"), []),
        (("--since", "2022-05-09", "--until", "2022-05-15"), [2, 3]),
        (("--since", "2022-05-15"), [3, 4]),
        (("--until", "2022/5/9"), [1, 2]),
        (("--enterprise", "华鑫"), [3, 4]),
        (("--officer", "王伟"), [1, 2, 4]),
        (("--officer", "李娜", "--week", "2022-W19"), [3]),
        (("--limit", "2"), [1, 2]),
    ],
)
def test_visit_list_filters(logged, args, expected):
    assert ids(logged, *args) == expected


def test_visit_list_table_and_csv(logged):
    table = logged("visit", "list", "--week", "2022-W19").stdout
    assert "W19 Monday" in table and "W19 Sunday" in table and "W18" not in table.replace("W19", "")
    lines = logged("visit", "list", "--format", "csv").stdout.splitlines()
    assert lines[0] == "id,visited_on,enterprise,officer,channel,note,tickets"
    assert lines[4] == "4,2022-05-16,华鑫化工,王伟,phone,,"


@pytest.mark.parametrize("week", ["2022-W60", "2022-W00", "W19", "someday"])
def test_bad_week_is_refused(logged, week):
    assert_user_error(logged("visit", "list", "--week", week, ok=False), f'"{week}"')
    assert_user_error(logged("visit", "missing", "--week", week, ok=False), f'"{week}"')


def test_visit_missing_lists_assigned_enterprises_not_visited_that_week(logged):
    def missing(week):
        return [e["name"] for e in json.loads(logged("visit", "missing", "--week", week, "--json").stdout)]

    assert missing("2022-W18") == ["华鑫化工"]
    assert missing("2022-W19") == []
    assert missing("2022-W20") == ["天能电池"]
    assert missing("2022-W21") == ["华鑫化工", "天能电池"]
    assert missing("2022-W17") == []  # nobody was assigned yet
    [item] = json.loads(logged("visit", "missing", "--week", "2022-W20", "--json").stdout)
    assert list(item) == ["id", "name", "sector", "kind", "contact", "phone", "address", "officers", "archived"]
    assert "天能电池" in logged("visit", "missing", "--week", "2022-W20").stdout
    assert "every assigned enterprise was visited" in logged("visit", "missing", "--week", "2022-W19").stderr


# feedback ------------------------------------------------------------------------


def test_feedback_add_and_list(park):
    park("visit", "log", "天能电池", "--date", "2022-05-10", "--problem", "用工:缺焊工")
    park("feedback", "add", "天能电池", "--kind", "banner", "--ticket", "#1", "--date", "2022-05-12", "--note", "锦旗")
    park("feedback", "add", "华鑫化工", "--kind", "rating", "--score", "5", "--date", "2022-05-20")
    out = park("feedback", "add", "天能", "--kind", "letter", "--date", "2022-05-13").stdout
    assert "recorded letter #3 from 天能电池 on 2022-05-13" in out
    items = json.loads(park("feedback", "list", "--json").stdout)
    assert [(f["enterprise"], f["kind"], f["score"], f["ticket"], f["received_on"]) for f in items] == [
        ("天能电池", "banner", None, 1, "2022-05-12"),
        ("天能电池", "letter", None, None, "2022-05-13"),
        ("华鑫化工", "rating", 5, None, "2022-05-20"),
    ]
    window = json.loads(park("feedback", "list", "--since", "2022-05-13", "--until", "2022-05-19", "--json").stdout)
    assert [f["kind"] for f in window] == ["letter"]
    assert "锦旗" in park("feedback", "list").stdout


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("天能电池", "--kind", "rating"), ["--score"]),
        (("天能电池", "--kind", "rating", "--score", "6"), ["1 to 5"]),
        (("华鑫化工", "--kind", "banner", "--ticket", "1"), ["another enterprise"]),
        (("天能电池", "--kind", "banner", "--ticket", "99"), ["#99"]),
        (("天能电池", "--kind", "banner", "--date", "2099-01-01"), ["future"]),
        (("天然", "--kind", "banner"), ["did you mean 天能电池?"]),
    ],
)
def test_feedback_refusals_write_nothing(park, db, args, fragments):
    park("visit", "log", "天能电池", "--date", "2022-05-10", "--problem", "用工:缺焊工")
    before = rows(db)
    assert_user_error(park("feedback", "add", *args, ok=False), *fragments)
    assert rows(db) == before


def test_feedback_kind_outside_the_choices_is_a_usage_error(park):
    assert park("feedback", "add", "天能电池", "--kind", "flowers", ok=False).exit_code == 2
