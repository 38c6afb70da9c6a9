"""Names by pinyin: the stored keys, references that match them, and the order of lists."""

import sqlite3
import subprocess
import sys

import pytest

from servicedesk import names
from servicedesk.migrations import APPLICATION_ID, MIGRATIONS


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
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT name, pinyin FROM enterprises UNION ALL SELECT name, pinyin FROM officers"
        ).fetchall()
    finally:
        conn.close()


def test_a_migrated_ledger_s_names_get_keys_on_the_first_write_not_on_reads(sd, db):
    schema4_ledger(db)
    sd("enterprise", "list")
    sd("visit", "list")
    assert [k for _, k in keys_in(db)] == [None, None, None]  # reads leave them be
    # The first write makes them, before it runs.
    sd("--as", "曾丽", "visit", "log", "天能电池")
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
    for args in (["enterprise", "list"], ["visit", "list", "--enterprise", "天能"], ["ticket", "list"]):
        done = subprocess.run([sys.executable, "-c", code, "--db", str(db), *args], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


def test_fill_keys_fills_only_what_is_missing(sd, db):
    sd("enterprise", "add", "天能电池")
    conn = sqlite3.connect(db)
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
