"""Names by pinyin: the stored keys, references that match them, and the order of lists."""

import json
import sqlite3
import subprocess
import sys

import pytest
from helpers import assert_user_error, connect

from servicedesk import names
from servicedesk.migrations import APPLICATION_ID, MIGRATIONS

# Checked on both backends (conftest.py).
pytestmark = pytest.mark.both


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("天能电池", "tiannengdianchi tndc"),
        ("天能电池（濮阳）有限公司", "tiannengdianchipuyangyouxiangongsi tndcpyyxgs"),
        ("ABC电池2号", "abcdianchi2hao abcdc2h"),  # Latin letters and digits stay as written
        ("ＡＢＣ化工", "abchuagong abchg"),  # full-width letters are letters
        ("Huaxin Chemicals", "huaxinchemicals"),
        ("绿源", "lvyuan ly"),  # ü is typed v
        ("重庆重汽", "chongqingzhongqi cqzq zhongqingzhongqi zqzq chongqingchongqi cqcq"),
        ("", ""),
    ],
)
def test_keys_are_full_pinyin_then_initials_then_other_readings(name, expected):
    assert names.keys(name) == expected


def test_a_person_s_surname_is_read_as_a_surname_first():
    assert names.keys("曾伟", person=True) == "zengwei zw cengwei cw"
    assert names.keys("曾伟").split()[:2] == ["cengwei", "cw"]


@pytest.mark.parametrize(
    ("keys", "typed", "rank"),
    [("tiannengdianchi tndc", "tndc", 0), ("tiannengdianchi tndc", "tnd", 1), ("tiannengdianchi tndc", "neng", 2)],
)
def test_rank_prefers_a_whole_key_then_a_start_then_inside(keys, typed, rank):
    assert names.rank(keys, typed) == rank
    assert names.rank(keys, "xyz") is None


@pytest.fixture
def park(sd):
    for name in ("天能电池", "天源化工", "华鑫化工", "Huaxin Logistics", "泰能科技"):
        sd("enterprise", "add", name)
    sd("officer", "add", "王伟")
    sd("officer", "add", "曾丽")
    return sd


def visit_to(sd, ref, *args) -> str:
    return json.loads(sd("--as", "王伟", "visit", "log", ref, "--json", "--again", *args).stdout)["enterprise"]


@pytest.mark.parametrize("typed", ["tnd", "TNDC", "tianneng", "tiannengdianchi", "Tian Neng", "dianchi"])
def test_a_visit_is_logged_by_pinyin(park, typed):
    assert visit_to(park, typed) == "天能电池"


def test_the_chinese_name_comes_before_pinyin(park):
    # "hua" is inside the name "Huaxin Logistics" and the pinyin of 华鑫化工: the name wins.
    assert visit_to(park, "hua") == "Huaxin Logistics"


def test_a_whole_key_beats_a_longer_one_it_starts(park):
    park("enterprise", "add", "天能")
    assert visit_to(park, "tn") == "天能"
    assert visit_to(park, "tianneng") == "天能"


def test_an_ambiguous_pinyin_prefix_lists_the_candidates_with_their_ids(park):
    result = park("--as", "王伟", "visit", "log", "tn", ok=False)
    assert_user_error(result, '"tn" matches 2 enterprises', "天能电池 (#1)", "泰能科技 (#5)")
    assert visit_to(park, "ty") == "天源化工"


def test_pinyin_that_matches_nothing_is_not_found(park):
    assert_user_error(park("--as", "王伟", "visit", "log", "zzz", ok=False), 'no enterprise matches "zzz"')


def test_as_reads_pinyin_and_the_surname_reading(park):
    assert json.loads(park("--as", "zl", "visit", "log", "tnd", "--json").stdout)["officer"] == "曾丽"
    assert json.loads(park("--as", "cengli", "visit", "log", "泰能", "--json").stdout)["officer"] == "曾丽"


def test_officer_options_read_pinyin(park):
    park("--as", "ww", "ticket", "open", "tnd", "缺焊工", "--category", "labour", "--owner", "zengli")
    [ticket] = json.loads(park("ticket", "list", "--owner", "zl", "--json").stdout)
    assert (ticket["enterprise"], ticket["owner"]) == ("天能电池", "曾丽")


def test_an_edited_name_gets_new_keys_and_undo_puts_the_old_ones_back(park, db):
    park("enterprise", "edit", "天能电池", "--name", "氢源科技")
    assert visit_to(park, "qyk") == "氢源科技"
    park("undo")
    assert visit_to(park, "tndc") == "天能电池"
    assert_user_error(park("visit", "log", "qyk", ok=False), "no enterprise")


def test_lists_sort_in_pinyin_order(park):
    listed = [e["name"] for e in json.loads(park("enterprise", "list", "--json").stdout)]
    assert listed == ["华鑫化工", "Huaxin Logistics", "泰能科技", "天能电池", "天源化工"]
    park("officer", "add", "安然")
    assert [o["name"] for o in json.loads(park("officer", "list", "--json").stdout)] == ["安然", "王伟", "曾丽"]


# A ledger from before the keys ----------------------------------------------------


def schema4_ledger(path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    for number, migration in enumerate(MIGRATIONS[:4], start=1):
        migration(conn)
        conn.execute(f"PRAGMA user_version = {number}")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    now = "2022-05-01T09:00:00+08:00"
    conn.executemany("INSERT INTO enterprises (name, created_at) VALUES (?, ?)", [("天能电池", now), ("华鑫化工", now)])
    conn.execute("INSERT INTO officers (name, rank, created_at) VALUES ('曾丽', 'chief', ?)", (now,))
    conn.execute("COMMIT")
    conn.close()


def keys_in(db) -> list:
    conn = connect(db)
    try:
        return conn.execute(
            "SELECT name, pinyin FROM enterprises UNION ALL SELECT name, pinyin FROM officers"
        ).fetchall()
    finally:
        conn.close()


@pytest.mark.sqlite_only  # an old schema's file
def test_a_migrated_ledger_s_names_get_keys_on_the_first_write_not_on_reads(sd, db):
    schema4_ledger(db)
    sd("enterprise", "list")
    sd("visit", "list")
    assert [k for _, k in keys_in(db)] == [None, None, None]  # reads leave them be
    # The first write makes them before it runs, so it can already name them by pinyin.
    assert json.loads(sd("--as", "曾丽", "visit", "log", "tnd", "--json").stdout)["enterprise"] == "天能电池"
    assert keys_in(db) == [("天能电池", "tiannengdianchi tndc"), ("华鑫化工", "huaxinhuagong hxhg"),
                           ("曾丽", "zengli zl cengli cl")]  # fmt: skip


def test_reads_never_import_pypinyin(sd, db):
    sd("enterprise", "add", "天能电池")
    sd("officer", "add", "王伟")
    code = (
        "import sys; from servicedesk.cli import main; sys.argv = ['servicedesk'] + sys.argv[1:]\n"
        "try: main()\n"
        "except SystemExit: pass\n"
        "assert 'pypinyin' not in sys.modules, 'pypinyin imported'\n"
    )
    for args in (["enterprise", "list"], ["visit", "list", "--enterprise", "tnd"], ["ticket", "list"]):
        done = subprocess.run([sys.executable, "-c", code, "--db", str(db), *args], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


def test_fill_keys_fills_only_what_is_missing(sd, db):
    sd("enterprise", "add", "天能电池")
    conn = connect(db)
    conn.execute("INSERT INTO enterprises (name, created_at) VALUES ('华鑫化工', 'now')")
    conn.execute("UPDATE enterprises SET pinyin = 'kept' WHERE name = '天能电池'")
    assert names.fill_keys(conn) == 1
    assert conn.execute("SELECT pinyin FROM enterprises ORDER BY id").fetchall() == [("kept",), ("huaxinhuagong hxhg",)]
    conn.close()


def test_a_name_added_or_edited_gets_its_keys(sd, db):
    sd("enterprise", "add", "天能电池")
    sd("officer", "add", "曾丽")
    sd("enterprise", "edit", "天能电池", "--name", "氢源科技")
    assert keys_in(db) == [("氢源科技", "qingyuankeji qykj"), ("曾丽", "zengli zl cengli cl")]
