"""Shell completion of names, categories and departments, through Typer's protocol (the
tests marked `both` on a PostgreSQL ledger too)."""

import os
import socket
import subprocess
import sys

import pytest

# Runs the CLI as the shell's completion function does; then says which heavy modules it loaded.
COMPLETE = """
import sys
from servicedesk.cli import main
try:
    main()
except SystemExit:
    pass
heavy = [m for m in ("sqlite_utils", "rich", "pypinyin", "servicedesk.store") if m in sys.modules]
print("HEAVY " + " ".join(heavy), file=sys.stderr)
"""


def complete(db, line: str, *, shell: str = "bash") -> list[str]:
    """What TAB offers at the end of `line` (a trailing space: a new word)."""
    words = line.split(" ")
    env = {**os.environ, "SERVICEDESK_DB": str(db), "_SERVICEDESK_COMPLETE": f"complete_{shell}"}
    if shell == "bash":
        env.update(COMP_WORDS=line, COMP_CWORD=str(len(words) - 1))
    else:
        env.update(_TYPER_COMPLETE_ARGS=line)
    done = subprocess.run([sys.executable, "-c", COMPLETE], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    if shell == "bash":  # (Typer's zsh script renders help text with rich)
        assert "HEAVY \n" in done.stderr, done.stderr  # no sqlite_utils, rich, pypinyin or Store
    return [offered for offered in done.stdout.splitlines() if offered]


@pytest.fixture
def park(sd, db):
    for name in ("天能电池", "天源化工", "华鑫化工", "泰能科技", "中天钢铁", "Huaxin Logistics"):
        sd("enterprise", "add", name)
    sd("enterprise", "add", "天成旧厂")
    sd("enterprise", "archive", "天成旧厂")
    sd("officer", "add", "王伟")
    sd("officer", "add", "曾丽")
    sd("--as", "王伟", "ticket", "open", "天能电池", "缺焊工", "--category", "labour", "--department", "人社局")
    return db


@pytest.mark.both
def test_visit_log_offers_the_names_that_start_with_what_was_typed_then_those_that_hold_it(park):
    assert complete(park, "servicedesk visit log 天") == ["天能电池", "天源化工", "中天钢铁"]


@pytest.mark.both
def test_pinyin_completes_to_the_chinese_name(park):
    assert complete(park, "servicedesk visit log tnd") == ["天能电池"]
    assert complete(park, "servicedesk visit log TNDC") == ["天能电池"]
    assert complete(park, "servicedesk visit log tn") == ["泰能科技", "天能电池"]  # pinyin order


def test_a_name_that_holds_the_text_comes_before_pinyin(park):
    assert complete(park, "servicedesk visit log hua") == ["Huaxin\\ Logistics"]  # bash: the space escaped
    assert "Huaxin Logistics" in "".join(complete(park, "servicedesk visit log hua", shell="zsh"))


def test_archived_names_are_not_offered(park):
    assert "天成旧厂" not in complete(park, "servicedesk visit log 天")


@pytest.mark.both
def test_officers_complete_by_name_and_pinyin(park):
    assert complete(park, "servicedesk ticket open 天能 x --owner zl") == ["曾丽"]
    assert complete(park, "servicedesk --as w") == ["王伟"]
    assert complete(park, "servicedesk agenda --officer 曾") == ["曾丽"]
    assert complete(park, "servicedesk assign 王 ") == [
        "华鑫化工", "Huaxin\\ Logistics", "泰能科技", "天能电池", "天源化工", "中天钢铁",
    ]  # fmt: skip


@pytest.mark.both
def test_categories_complete_by_code_label_and_alias(park):
    assert complete(park, "servicedesk ticket list --category fin") == ["financing"]
    offered = complete(park, "servicedesk ticket open 天能 x --category 融")
    assert offered[:3] == ["融资", "融资问题", "融资难"]
    assert complete(park, "servicedesk visit log 天能 --problem 用工") == ["用工:", "用工难:", "用工问题:"]
    assert complete(park, "servicedesk visit log 天能 --problem 用工:") == []


@pytest.mark.both
def test_departments_complete_from_the_referrals(park):
    assert complete(park, "servicedesk ticket refer 1 人") == ["人社局"]
    assert complete(park, "servicedesk ticket list --department 社") == ["人社局"]


def test_no_database_offers_nothing_and_creates_nothing(tmp_path):
    db = tmp_path / "none.db"
    assert complete(db, "servicedesk visit log 天") == []
    assert not db.exists()


def test_a_server_database_without_a_ledger_offers_nothing_and_is_left_empty(pg):
    import psycopg

    name = pg.create()
    try:
        assert complete(pg.url(name), "servicedesk visit log 天") == []
        with psycopg.connect(pg.url(name)) as conn:
            assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0] == 0
    finally:
        pg.drop(name)


def test_a_server_that_does_not_answer_offers_nothing(pg):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert complete(f"postgresql://postgres@127.0.0.1:{port}/none", "servicedesk visit log 天") == []
