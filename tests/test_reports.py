"""The figures of domain.md, rebuilt through the CLI and checked to the decimal."""

import csv
import io
import json

import pytest
from helpers import TICKET_KEYS, services

from servicedesk.models import rate

# The figures are checked on both backends (conftest.py).
pytestmark = pytest.mark.both

WEEK = "2022-W19"  # Monday 2022-05-09 .. Sunday 2022-05-15


def weekly(sd, week=WEEK):
    return json.loads(sd("report", "weekly", "--week", week, "--json").stdout)


def lines(out) -> set[str]:
    """Each line of a rendering with its runs of spaces folded to one."""
    return {" ".join(line.split()) for line in out.splitlines()}


def open_ticket(sd, enterprise, text, date, category="financing"):
    out = sd("ticket", "open", enterprise, text, "--category", category, "--date", date, "--json").stdout
    return json.loads(out)["id"]


NAMES = [f"企业{i:02d}" for i in range(1, 66)]


def build_park(p):
    """65 enterprises, 10 officers (one-to-many and one-to-one), 62 visited in WEEK,
    92 problems of which 90 closed by the week's Sunday: 88 resolved, 2 explained."""
    for name in NAMES:
        p.enterprise(name, sector="化工" if len(name) % 2 else "氢能")
    for n in range(10):
        p.officer(f"干部{n}")
        # officers 0..8 look after 7 enterprises each (63), officer 9 after the last 2
        mine = NAMES[n * 7 : n * 7 + 7] if n < 9 else NAMES[63:]
        p.assign(f"干部{n}", *mine, start="2022-03-01")
    for name in NAMES[:62]:
        p.visit(name, "2022-05-11")
    for i in range(92):
        category = ("financing", "labour", "permits", "utilities")[i % 4]
        p.ticket(NAMES[i % 65], f"问题{i}", category, f"2022-04-0{1 + i % 9}")
    for i in range(90):
        outcome = "explained" if i < 2 else "resolved"
        p.close(i + 1, "已办结", f"2022-05-1{i % 6}", outcome)


@pytest.fixture
def park(built, db):
    built("park", build_park, db)
    return {"names": NAMES, "ids": list(range(1, 93))}


def test_park_week_matches_the_worked_example(sd, park):
    report = weekly(sd)
    cumulative = report["cumulative"]
    assert (cumulative["collected"], cumulative["closed"], cumulative["solved"]) == (92, 90, 88)
    assert cumulative["closure_rate"] == 97.8
    assert cumulative["resolution_rate"] == 95.7
    assert cumulative["open"] == 2
    visits = report["visits"]
    assert (visits["enterprises_visited"], visits["enterprises_assigned"], visits["logged"]) == (62, 65, 62)
    assert visits["coverage_rate"] == 95.4
    assert [e["name"] for e in visits["missed"]] == park["names"][62:]
    assert report["this_week"]["closed"] == 90  # every close is dated 2022-05-10 .. 05-15
    assert report["week"] == WEEK and report["start"] == "2022-05-09" and report["end"] == "2022-05-15"


def test_this_week_splits_closes_by_outcome(sd, park):
    this_week = weekly(sd)["this_week"]
    assert (this_week["closed"], this_week["resolved"], this_week["explained"], this_week["withdrawn"]) == (
        90,
        88,
        2,
        0,
    )
    assert this_week["opened"] == 0 and this_week["reopened"] == 0
    # opened 2022-04-01 .. 04-03 (W13) and 04-04 .. 04-09 (W14)
    assert (weekly(sd, "2022-W13")["this_week"]["opened"], weekly(sd, "2022-W14")["this_week"]["opened"]) == (32, 60)


def test_by_category_and_by_officer_add_up(sd, park):
    report = weekly(sd)
    assert sum(c["collected"] for c in report["by_category"]) == 92
    assert sum(c["closed"] for c in report["by_category"]) == 90
    by_code = {c["category"]: c for c in report["by_category"]}
    assert by_code["financing"]["label"] == "融资"
    # Problem i has category i % 4; the two left open are 90 (permits) and 91 (utilities).
    assert [(c["category"], c["collected"], c["closed"], c["closure_rate"]) for c in report["by_category"]] == [
        ("financing", 23, 23, 100.0),
        ("labour", 23, 23, 100.0),
        ("permits", 23, 22, 95.7),
        ("utilities", 23, 22, 95.7),
    ]
    officers = {o["officer"]: o for o in report["by_officer"]}
    assert officers["干部0"]["enterprises"] == 7 and officers["干部9"]["enterprises"] == 2
    assert sum(o["tickets"] for o in report["by_officer"]) == 92
    assert sum(o["visits"] for o in report["by_officer"]) == 62


def test_overdue_and_oldest_open_are_as_of_the_sunday(sd, park):
    report = weekly(sd)
    # The two open tickets were opened 2022-04-0x with a 30/15/15/7-day limit: overdue by 05-15.
    assert report["cumulative"]["overdue"] == 2
    oldest = report["oldest_open"]
    # The last two problems (i = 90, 91) stay open: opened 04-01 and 04-02, oldest first.
    assert [(t["id"], t["opened_on"]) for t in oldest] == [(91, "2022-04-01"), (92, "2022-04-02")]
    assert all(t["overdue"] and t["status"] == "open" for t in oldest)
    assert set(oldest[0]) >= TICKET_KEYS


def test_close_then_reopen_counts_closed_in_its_week_and_open_after(sd):
    sd("enterprise", "add", "天能电池")
    ticket = open_ticket(sd, "天能电池", "缺焊工", "2022-05-09", "labour")
    sd("ticket", "close", ticket, "-r", "招到人", "--date", "2022-05-20")  # week 20
    sd("ticket", "reopen", ticket, "--reason", "人没到岗", "--date", "2022-05-24")  # week 21
    w20, w21 = weekly(sd, "2022-W20"), weekly(sd, "2022-W21")
    assert (w20["cumulative"]["closed"], w20["cumulative"]["closure_rate"]) == (1, 100.0)
    assert (w21["cumulative"]["closed"], w21["cumulative"]["open"], w21["cumulative"]["closure_rate"]) == (0, 1, 0.0)
    assert w21["this_week"]["reopened"] == 1 and w20["this_week"]["closed"] == 1


def test_closure_rate_rounds_half_up(sd, db):
    with services(db) as p:
        p.enterprise("天能电池")
        ids = [p.ticket("天能电池", f"问题{i}", "financing", "2022-05-09") for i in range(16)]
        p.close(ids[0], "ok", "2022-05-10")
    cumulative = weekly(sd)["cumulative"]
    assert cumulative["closure_rate"] == 6.3  # 6.25 half-up; binary floats would give 6.2
    assert rate(1, 16) == 6.3 and rate(90, 92) == 97.8 and rate(88, 92) == 95.7 and rate(62, 65) == 95.4


def test_empty_week_has_null_rates(sd, db):
    from servicedesk.store import Store

    store = Store(db)
    with store.write():  # an empty ledger (a read no longer creates one)
        pass
    store.close()
    report = weekly(sd)
    assert report["cumulative"]["closure_rate"] is None
    assert report["cumulative"]["on_time_rate"] is None
    assert report["visits"]["coverage_rate"] is None
    assert report["visits"]["missed"] == [] and len(report["trend"]) == 8
    table = lines(sd("report", "weekly", "--week", WEEK).stdout)
    for figure in ("coverage", "closure rate", "resolution rate", "on-time closure rate"):
        assert f"{figure} —" in table, figure


def test_past_week_is_unchanged_by_later_activity(sd, park):
    before = weekly(sd)
    ids = park["ids"]
    sd("ticket", "reopen", ids[5], "--reason", "复发", "--date", "2022-05-18")
    sd("ticket", "close", ids[91], "-r", "ok", "--date", "2022-05-19")
    open_ticket(sd, park["names"][0], "新问题", "2022-05-17")
    sd("visit", "log", park["names"][64], "--date", "2022-05-16")
    sd("ticket", "assign", ids[90], "干部0")  # #91 was 干部3's
    after = weekly(sd)
    for key in ("visits", "this_week", "cumulative", "by_category", "feedback"):
        assert after[key] == before[key], key
    assert [o["tickets"] for o in after["by_officer"]] == [o["tickets"] for o in before["by_officer"]]
    # The later activity did happen: W20 has it, and #91 is 干部0's now.
    w20 = weekly(sd, "2022-W20")
    this_week = w20["this_week"]
    assert (this_week["opened"], this_week["closed"], this_week["reopened"], w20["visits"]["logged"]) == (1, 1, 1, 1)
    assert (w20["cumulative"]["collected"], w20["cumulative"]["closed"], w20["cumulative"]["open"]) == (93, 90, 3)
    assert json.loads(sd("ticket", "show", ids[90], "--json").stdout)["owner"] == "干部0"


def test_feedback_this_week_and_to_date(sd):
    sd("enterprise", "add", "天能电池")
    sd("feedback", "add", "天能电池", "--kind", "banner", "--date", "2022-05-02")
    sd("feedback", "add", "天能电池", "--kind", "letter", "--date", "2022-05-10")
    sd("feedback", "add", "天能电池", "--kind", "banner", "--date", "2022-05-20")
    assert weekly(sd)["feedback"] == {"this_week": {"banner": 0, "letter": 1}, "to_date": {"banner": 1, "letter": 1}}


def test_trend_is_cumulative_as_of_each_sunday(sd):
    sd("enterprise", "add", "天能电池")
    a = open_ticket(sd, "天能电池", "一", "2022-05-02")  # W18
    open_ticket(sd, "天能电池", "二", "2022-05-10")  # W19
    sd("ticket", "close", a, "-r", "ok", "--date", "2022-05-11")
    trend = weekly(sd)["trend"]
    assert [t["week"] for t in trend][-2:] == ["2022-W18", "2022-W19"]
    assert (trend[-2]["opened"], trend[-2]["closed"], trend[-2]["closure_rate"]) == (1, 0, 0.0)
    assert (trend[-1]["opened"], trend[-1]["closed"], trend[-1]["closure_rate"]) == (1, 1, 50.0)
    assert trend[0]["closure_rate"] is None


def test_closure_report_medians_and_on_time(sd, db):
    days = [2, 4, 6, 8, 40]  # labour's limit is 15 days: the last one is late
    with services(db) as p:
        p.enterprise("天能电池")
        for n, d in enumerate(days):
            t = p.ticket("天能电池", f"问题{n}", "labour", "2022-04-01")
            p.close(t, "ok", f"2022-{4 + (d // 30):02d}-{1 + d % 30:02d}")
        p.ticket("天能电池", "未办结", "labour", "2022-04-01")
    report = json.loads(sd("report", "closure", "--until", "2022-06-30", "--json").stdout)
    row = report["rows"][0]
    assert row["key"] == "labour" and (row["collected"], row["closed"]) == (6, 5)
    assert row["closure_rate"] == 83.3 and row["median_days_to_close"] == 6 and row["p90_days_to_close"] == 40
    assert (row["on_time"], row["on_time_rate"]) == (4, 80.0)
    assert report["total"]["collected"] == 6 and report["by"] == "category"


def test_closure_report_even_count_median_is_the_mean_of_the_middle_two(sd, db):
    with services(db) as p:
        p.enterprise("天能电池")
        for n, d in enumerate([1, 2, 5, 9]):
            t = p.ticket("天能电池", f"问题{n}", "financing", "2022-04-01")
            p.close(t, "ok", f"2022-04-{1 + d:02d}")
    total = json.loads(sd("report", "closure", "--until", "2022-04-30", "--by", "week", "--json").stdout)["total"]
    assert total["median_days_to_close"] == 3.5 and total["p90_days_to_close"] == 9


def headline_in_table(out):
    assert {"collected 92", "closed 90", "closure rate 97.8% (90/92)", "resolution rate 95.7% (88/92)"} <= lines(out)


def headline_in_json(out):
    assert json.loads(out)["cumulative"] == {
        "collected": 92,
        "closed": 90,
        "solved": 88,
        "open": 2,
        "overdue": 2,
        "closure_rate": 97.8,
        "resolution_rate": 95.7,
        "on_time_rate": 0.0,
        "on_time": 0,
    }


def headline_in_csv(out):
    rows = list(csv.reader(io.StringIO(out)))
    section = rows.index(["3. Cumulative as of 2022-05-15"])
    assert rows[section + 1] == ["figure", "value", "numerator", "denominator"]
    figures = rows[section + 2 : rows.index([], section)]
    assert ["collected", "92"] in figures and ["closed", "90"] in figures
    assert ["closure rate", "97.8%", "90", "92"] in figures
    assert ["resolution rate", "95.7%", "88", "92"] in figures


def headline_in_markdown(out):
    assert {"| collected | 92 |", "| closed | 90 |", "| closure rate | 97.8% (90/92) |"} <= set(out.splitlines())
    assert "| resolution rate | 95.7% (88/92) |" in out.splitlines()


@pytest.mark.parametrize(
    ("fmt", "check"),
    [("table", headline_in_table), ("json", headline_in_json), ("csv", headline_in_csv),
     ("markdown", headline_in_markdown)],
    ids=["table", "json", "csv", "markdown"],
)  # fmt: skip
def test_every_format_renders_the_same_headline(sd, park, fmt, check):
    check(sd("report", "weekly", "--week", WEEK, "--format", fmt).stdout)


def test_an_assignment_undone_on_its_first_day_covers_no_week(sd):
    sd("officer", "add", "王伟")
    sd("enterprise", "add", "天能电池")
    sd("assign", "王伟", "天能电池", "--from", "2022-05-11")
    sd("unassign", "王伟", "天能电池", "--from", "2022-05-11")
    visits = weekly(sd)["visits"]
    assert (visits["enterprises_assigned"], visits["coverage_rate"], visits["missed"]) == (0, None, [])
