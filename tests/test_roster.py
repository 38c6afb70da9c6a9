"""Enterprises, officers, assignments and references through the CLI."""

import json

import pytest
from helpers import assert_user_error, connect
from helpers import table_rows as rows

from servicedesk.migrations import SCHEMA_VERSION

# The figures are checked on both backends (conftest.py).
pytestmark = pytest.mark.both

ENTERPRISE_KEYS = ["id", "name", "sector", "kind", "contact", "phone", "address", "officers", "archived"]


def enterprises(sd, *args) -> list[dict]:
    return json.loads(sd("enterprise", "list", "--json", *args).stdout)


def names(sd, *args) -> list[str]:
    return [e["name"] for e in enterprises(sd, *args)]


def officers(sd, *args) -> list[dict]:
    return json.loads(sd("officer", "list", "--json", *args).stdout)


def missing(sd, week) -> list[str]:
    return [e["name"] for e in json.loads(sd("visit", "missing", "--week", week, "--json").stdout)]


def build_park(p):
    p.enterprise(
        "天能电池",
        sector="new functional materials",
        contact="李强",
        phone="13800000000",
        address="园区一路1号",
    )
    p.enterprise("华鑫化工", sector="化工")
    p.enterprise("氢能产业园", kind="project", sector="氢能", note="在建项目")
    p.officer("王伟", rank="chief", unit="管委会", phone="13900000000")
    p.officer("李娜")
    p.assign("王伟", "天能电池", "华鑫化工", start="2022-05-02")
    p.assign("李娜", "氢能产业园", start="2022-05-02")


@pytest.fixture
def park(sd, db, built):
    built("park", build_park, db)
    return sd


# Enterprises ---------------------------------------------------------------------


def test_enterprise_list_json_has_exactly_the_cli_md_fields(park):
    items = enterprises(park)  # in pinyin order: 华鑫化工, 氢能产业园, 天能电池
    assert [list(e) for e in items] == [ENTERPRISE_KEYS] * 3
    assert items[2] == {
        "id": 1,
        "name": "天能电池",
        "sector": "new functional materials",
        "kind": "enterprise",
        "contact": "李强",
        "phone": "13800000000",
        "address": "园区一路1号",
        "officers": ["王伟"],
        "archived": False,
    }
    assert (items[1]["kind"], items[1]["officers"]) == ("project", ["李娜"])


def test_enterprise_add_says_what_it_added(sd):
    result = sd("enterprise", "add", "天能电池")
    assert "added enterprise #1 天能电池" in result.stdout


def test_enterprise_list_filters_by_sector_and_search(park):
    assert names(park, "--sector", "化工") == ["华鑫化工"]
    assert names(park, "--sector", "FUNCTIONAL") == ["天能电池"]
    assert names(park, "--search", "华鑫") == ["华鑫化工"]
    assert names(park, "--search", "在建") == ["氢能产业园"]  # the note is searched too
    assert names(park, "--search", "nothing") == []


def test_enterprise_list_table_and_csv(park):
    table = park("enterprise", "list").stdout
    assert "天能电池" in table and "13800000000" in table and "王伟" in table
    lines = park("enterprise", "list", "--format", "csv").stdout.splitlines()
    assert lines[0] == "id,name,sector,kind,contact,phone,officers,archived"
    assert lines[3] == "1,天能电池,new functional materials,enterprise,李强,13800000000,王伟,no"  # pinyin order


def test_enterprise_show_gives_profile_officers_visits_and_open_tickets(park):
    park("visit", "log", "天能电池", "--date", "2022-05-10", "--note", "走访生产线", "--problem", "用工:缺焊工")
    shown = json.loads(park("enterprise", "show", "天能", "--json").stdout)
    assert (shown["name"], shown["officers"], shown["contact"]) == ("天能电池", ["王伟"], "李强")
    assert [v["note"] for v in shown["recent_visits"]] == ["走访生产线"]
    assert [t["title"] for t in shown["open_tickets"]] == ["缺焊工"]
    table = park("enterprise", "show", "1").stdout
    for text in ("天能电池", "李强", "王伟", "走访生产线", "缺焊工", "Recent visits", "Open tickets"):
        assert text in table


def test_enterprise_edit_changes_fields_and_name(park):
    park("enterprise", "edit", "华鑫", "--name", "华鑫新材料", "--phone", "0391-1234567", "--kind", "project")
    item = next(e for e in enterprises(park) if e["id"] == 2)
    assert (item["name"], item["phone"], item["kind"], item["sector"]) == (
        "华鑫新材料",
        "0391-1234567",
        "project",
        "化工",
    )
    assert_user_error(park("enterprise", "show", "华鑫化工", ok=False), '"华鑫化工"')


def test_enterprise_edit_to_an_existing_name_is_refused_and_changes_nothing(park, db):
    before = rows(db)
    assert_user_error(park("enterprise", "edit", "华鑫化工", "--name", "天能电池", ok=False), "already exists")
    assert rows(db) == before


def test_enterprise_archive_hides_it_and_ends_its_assignments(park):
    result = park("enterprise", "archive", "华鑫化工")
    assert "archived enterprise #2 华鑫化工" in result.stdout and "ended 1 assignment" in result.stdout
    assert names(park) == ["氢能产业园", "天能电池"]
    archived = next(e for e in enterprises(park, "--all") if e["name"] == "华鑫化工")
    assert (archived["archived"], archived["officers"]) == (True, [])
    assert next(o for o in officers(park) if o["name"] == "王伟")["enterprises"] == ["天能电池"]
    # History stays: it was assigned (and not visited) in 2022.
    assert "华鑫化工" in missing(park, "2022-W19")


def test_duplicate_enterprise_name_is_refused_and_changes_nothing(park, db):
    before = rows(db)
    assert_user_error(park("enterprise", "add", "天能电池", ok=False), '"天能电池" already exists')
    assert_user_error(park("enterprise", "add", "  天能电池  ", ok=False), "already exists")
    assert rows(db) == before


def test_empty_enterprise_name_is_refused(park, db):
    before = rows(db)
    assert_user_error(park("enterprise", "add", "  ", ok=False), "empty")
    assert rows(db) == before


def test_enterprise_kind_outside_the_choices_is_a_usage_error(park, db):
    before = rows(db)
    result = park("enterprise", "add", "新企业", "--kind", "company", ok=False)
    assert result.exit_code == 2
    assert rows(db) == before


# References ----------------------------------------------------------------------


def test_unknown_enterprise_names_the_closest_match(sd):
    sd("enterprise", "add", "天能电池")
    sd("enterprise", "add", "华鑫化工")
    result = sd("enterprise", "show", "天然", ok=False)
    assert_user_error(result, 'no enterprise matches "天然"', "did you mean 天能电池?")
    assert "华鑫化工" not in result.stderr


def test_ambiguous_substring_lists_the_candidates_and_changes_nothing(park, db):
    park("enterprise", "add", "天能化工")
    before = rows(db)
    result = park("visit", "log", "天能", "--officer", "王伟", "--date", "2022-05-10", ok=False)
    assert_user_error(result, "天能化工", "天能电池")
    result = park("enterprise", "show", "化工", ok=False)
    assert_user_error(result, "华鑫化工", "天能化工")
    assert rows(db) == before


def test_exact_name_beats_substring(park):
    park("enterprise", "add", "天能")
    park("assign", "李娜", "天能", "--from", "2022-05-02")
    assert json.loads(park("enterprise", "show", "天能", "--json").stdout)["name"] == "天能"
    assert json.loads(park("enterprise", "show", "天能电池", "--json").stdout)["name"] == "天能电池"
    visit = json.loads(park("visit", "log", "天能", "--date", "2022-05-10", "--json").stdout)
    assert (visit["enterprise"], visit["officer"]) == ("天能", "李娜")


def test_references_by_id_and_case_insensitive_substring(park):
    park("enterprise", "add", "Sunrise Hydrogen")
    assert json.loads(park("enterprise", "show", "2", "--json").stdout)["name"] == "华鑫化工"
    assert json.loads(park("enterprise", "show", "sunrise", "--json").stdout)["name"] == "Sunrise Hydrogen"
    assert json.loads(park("officer", "show", "王", "--json").stdout)["name"] == "王伟"


def test_unknown_officer_is_refused(park, db):
    before = rows(db)
    assert_user_error(park("assign", "张三", "天能电池", ok=False), 'no officer matches "张三"')
    assert rows(db) == before


# Officers ------------------------------------------------------------------------


def test_officer_add_list_show_edit_archive(park):
    assert [(o["name"], o["rank"], o["enterprises"]) for o in officers(park)] == [  # in pinyin order
        ("李娜", "staff", ["氢能产业园"]),
        ("王伟", "chief", ["华鑫化工", "天能电池"]),
    ]
    park("visit", "log", "天能电池", "--date", "2022-05-10", "--problem", "融资:贷款")
    shown = json.loads(park("officer", "show", "王伟", "--json").stdout)
    assert (shown["unit"], shown["phone"]) == ("管委会", "13900000000")
    assert [t["title"] for t in shown["open_tickets"]] == ["贷款"]
    assert "贷款" in park("officer", "show", "王伟").stdout

    park("officer", "edit", "李娜", "--rank", "section", "--unit", "招商局", "--name", "李娜娜")
    edited = next(o for o in officers(park) if o["id"] == 2)
    assert (edited["name"], edited["rank"], edited["unit"]) == ("李娜娜", "section", "招商局")

    assert "ended 1 assignment" in park("officer", "archive", "李娜娜").stdout
    assert [o["name"] for o in officers(park)] == ["王伟"]
    archived = next(o for o in officers(park, "--all") if o["id"] == 2)
    assert (archived["archived"], archived["enterprises"]) == (True, [])
    assert next(e for e in enterprises(park) if e["name"] == "氢能产业园")["officers"] == []


def test_officer_rank_outside_the_choices_is_a_usage_error(park):
    assert park("officer", "add", "赵六", "--rank", "boss", ok=False).exit_code == 2


def test_duplicate_officer_name_is_refused(park, db):
    before = rows(db)
    assert_user_error(park("officer", "add", "王伟", ok=False), "already exists")
    assert rows(db) == before


# Assignments ---------------------------------------------------------------------


def test_unassign_keeps_history_for_visit_missing(park):
    assert missing(park, "2022-W19") == ["华鑫化工", "天能电池", "氢能产业园"]
    park("visit", "log", "天能电池", "--date", "2022-05-10")
    assert missing(park, "2022-W19") == ["华鑫化工", "氢能产业园"]
    # Unassigned from Monday of W20: gone from W20 on, still missed in W19.
    assert "no longer looks after 华鑫化工" in park("unassign", "王伟", "华鑫", "--from", "2022-05-16").stdout
    assert missing(park, "2022-W19") == ["华鑫化工", "氢能产业园"]
    assert missing(park, "2022-W20") == ["天能电池", "氢能产业园"]
    # Unassigned mid-week: still counted in that week, gone the week after.
    park("unassign", "李娜", "氢能产业园", "--from", "2022-05-25")
    assert missing(park, "2022-W21") == ["天能电池", "氢能产业园"]
    assert missing(park, "2022-W22") == ["天能电池"]
    # Assigned again later: missed from then on only.
    park("assign", "李娜", "氢能产业园", "--from", "2022-06-08")
    assert missing(park, "2022-W22") == ["天能电池"]
    assert missing(park, "2022-W23") == ["天能电池", "氢能产业园"]
    # Before anyone was assigned, nobody is missed.
    assert missing(park, "2022-W17") == []


def test_assign_an_assigned_enterprise_again_adds_nothing(park, db):
    before = rows(db)
    result = park("assign", "王伟", "天能电池", "--from", "2022-05-20")
    assert "already looks after 天能电池" in result.stderr
    assert rows(db) == before


def test_assign_many_at_once_and_one_officer_per_many_enterprises(park):
    park("enterprise", "add", "甲")
    park("enterprise", "add", "乙")
    park("assign", "李娜", "甲", "乙", "--from", "2022-05-09")
    lina = next(o for o in officers(park) if o["name"] == "李娜")
    assert set(lina["enterprises"]) == {"甲", "乙", "氢能产业园"}
    assert missing(park, "2022-W18") == ["华鑫化工", "天能电池", "氢能产业园"]
    assert set(missing(park, "2022-W19")) == {"华鑫化工", "天能电池", "氢能产业园", "甲", "乙"}


def test_unassign_when_not_assigned_is_refused_and_changes_nothing(park, db):
    before = rows(db)
    assert_user_error(park("unassign", "李娜", "天能电池", ok=False), "李娜 is not assigned to 天能电池")
    assert rows(db) == before


def test_unassign_before_the_assignment_began_is_refused(park, db):
    before = rows(db)
    assert_user_error(park("unassign", "王伟", "天能电池", "--from", "2022-04-01", ok=False), "2022-05-02")
    assert rows(db) == before


def test_assign_with_a_bad_date_is_refused_and_changes_nothing(park, db):
    park("enterprise", "add", "甲")
    before = rows(db)
    assert_user_error(park("assign", "李娜", "甲", "--from", "2022-13-45", ok=False), '"2022-13-45"')
    assert rows(db) == before


def test_assign_with_one_unknown_enterprise_assigns_none(park, db):
    park("enterprise", "add", "甲")
    before = rows(db)
    assert_user_error(park("assign", "李娜", "甲", "不存在", ok=False), '"不存在"')
    assert rows(db) == before


# info --------------------------------------------------------------------------


def test_info_reports_database_schema_and_counts(park, db):
    park("visit", "log", "天能电池", "--date", "2022-05-10", "--problem", "用工:缺焊工")
    data = json.loads(park("info", "--json").stdout)
    assert data["database"] == str(db)
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["counts"] == {
        "enterprises": 3,
        "officers": 2,
        "assignments": 3,
        "visits": 1,
        "tickets": 1,
        "events": 1,
        "feedback": 0,
        "changes": 8,  # 3 enterprises, 2 officers, 3 assignments added by the park fixture
    }
    assert str(db) in park("info").stdout


def test_roster_changes_record_who_made_them(sd, db):
    sd("--as", "园区办", "enterprise", "add", "天能电池")
    sd("--as", "园区办", "officer", "add", "王伟")
    sd("--as", "王伟", "assign", "王伟", "天能电池", "--from", "2022-05-09")
    sd("--as", "园区办", "enterprise", "edit", "天能", "--phone", "13800000000")
    sd("--as", "园区办", "unassign", "王伟", "天能电池", "--from", "2022-06-01")
    sd("--as", "园区办", "category", "add", "environment", "--label", "Environment", "--due-days", "20")
    conn = connect(db)
    rows = conn.execute("SELECT actor, subject, action, detail FROM changes ORDER BY id").fetchall()
    conn.close()
    assert [(a, s, act) for a, s, act, _ in rows] == [
        ("园区办", "enterprise", "added"),
        ("园区办", "officer", "added"),
        ("王伟", "assignment", "assigned"),
        ("园区办", "enterprise", "edited"),
        ("园区办", "assignment", "unassigned"),
        ("园区办", "category", "added"),
    ]
    assert json.loads(rows[3][3]) == {"phone": [None, "13800000000"]}  # old → new, for undo


def test_as_names_an_officer_like_any_officer_reference(sd, db):
    sd("officer", "add", "王伟")
    sd("officer", "add", "王芳")
    sd("--as", "伟", "enterprise", "add", "天能电池")  # a unique part of the name: 王伟
    sd("--as", "园区办", "enterprise", "edit", "天能", "--phone", "1")  # no officer: kept as typed
    result = sd("--as", "王", "enterprise", "edit", "天能", "--phone", "2", ok=False)  # 王伟 or 王芳?
    assert result.exit_code == 1 and "王伟" in result.stderr and "王芳" in result.stderr
    conn = connect(db)
    actors = [r[0] for r in conn.execute("SELECT actor FROM changes WHERE subject = 'enterprise' ORDER BY id")]
    conn.close()
    assert actors == ["王伟", "园区办"]
