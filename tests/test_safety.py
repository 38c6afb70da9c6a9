"""User text is data: never markup, never a terminal escape, never SQL, never a spreadsheet formula."""

import csv
import io
import json
import os
import re
import sqlite3
import subprocess
import sys

import pytest

MARKUP = "[bold red]X[/]"
SQL = "'; DROP TABLE tickets; --"
ESCAPE = "\x1b[31m红色\x1b[0m"


@pytest.fixture
def park(sd):
    sd("enterprise", "add", MARKUP, "--contact", "[link=http://x]李强[/link]")
    sd("officer", "add", "王伟")
    sd("assign", "王伟", MARKUP, "--from", "2022-05-02")
    return sd


def test_markup_in_an_enterprise_name_is_shown_literally(park):
    assert "added enterprise #2 [green]Y[/green]" in park("enterprise", "add", "[green]Y[/green]").stdout
    table = park("enterprise", "list").stdout
    assert MARKUP in table and "[link=http://x]李强[/link]" in table
    assert "[green]Y[/green]" in table
    assert MARKUP in park("enterprise", "show", "1").stdout
    assert json.loads(park("enterprise", "list", "--json").stdout)[0]["name"] == MARKUP


def test_markup_in_an_error_message_is_shown_literally(park):
    result = park("enterprise", "show", "[blink]nobody[/blink]", ok=False)
    assert result.exit_code == 1
    assert '"[blink]nobody[/blink]"' in result.stderr


def test_escape_sequences_are_stripped_and_sql_is_inert(park, db):
    park("ticket", "open", "1", SQL, "--category", "other", "--date", "2022-05-10")
    park("ticket", "note", "1", f"{ESCAPE} {SQL}")
    park("visit", "log", "1", "--date", "2022-05-10", "--note", ESCAPE, "--problem", f"用工:{SQL}")

    shown = park("ticket", "show", "1").stdout
    assert "\x1b" not in shown
    assert f"[31m红色[0m {SQL}" in shown
    assert SQL in shown
    history = json.loads(park("ticket", "show", "1", "--json").stdout)["history"]
    assert history[-1]["note"] == f"[31m红色[0m {SQL}"

    visits_table = park("visit", "list").stdout
    assert "\x1b" not in visits_table and "[31m红色[0m" in visits_table

    listed = json.loads(park("ticket", "list", "--status", "all", "--json").stdout)
    assert [t["title"] for t in listed] == [SQL, SQL]
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT count(*) FROM tickets").fetchone()[0] == 2
        assert conn.execute("SELECT note FROM visits").fetchone()[0] == "[31m红色[0m"
    finally:
        conn.close()


@pytest.mark.parametrize("title", ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "=1+1"])
def test_csv_cells_that_look_like_formulas_get_a_leading_quote(park, title):
    park("ticket", "open", "1", "--category", "other", "--date", "2022-05-10", "--", title)
    out = park("ticket", "list", "--format", "csv").stdout
    [row] = list(csv.DictReader(io.StringIO(out)))
    assert row["title"] == "'" + title
    # JSON and tables show the text as typed.
    assert json.loads(park("ticket", "list", "--json").stdout)[0]["title"] == title
    assert title in park("ticket", "list").stdout
    assert "'" + title not in park("ticket", "list").stdout


def test_csv_of_enterprises_and_visits_is_neutralised_too(park):
    park("enterprise", "add", "=cmd|' /C calc'!A0", "--phone", "+8613800000000")
    park("visit", "log", "1", "--date", "2022-05-10", "--note", "@SUM(A1)")
    rows = list(csv.DictReader(io.StringIO(park("enterprise", "list", "--format", "csv").stdout)))
    assert rows[1]["name"] == "'=cmd|' /C calc'!A0"
    assert rows[1]["phone"] == "'+8613800000000"
    assert rows[0]["name"] == MARKUP  # text that is not a formula is left alone
    [visit] = list(csv.DictReader(io.StringIO(park("visit", "list", "--format", "csv").stdout)))
    assert visit["note"] == "'@SUM(A1)"


def test_markdown_cells_keep_pipes_inside_their_column(park):
    park("ticket", "open", "1", "a | b", "--category", "other", "--date", "2022-05-10")
    lines = park("ticket", "list", "--format", "markdown").stdout.splitlines()
    header, row = lines[0], lines[2]
    assert "a \\| b" in row
    assert len(re.split(r"(?<!\\)\|", row)) == len(header.split("|"))


@pytest.mark.parametrize("ref", ["²", "③", "99999999999999999999999"])
def test_odd_numbers_as_references_are_data_errors(sd, ref):
    sd("enterprise", "add", "天能电池")
    for command in (("ticket", "show", ref), ("enterprise", "show", ref)):
        result = sd(*command, ok=False)
        assert result.exit_code == 1 and result.stderr.startswith("error: "), result.stderr


def test_a_damaged_xlsx_is_refused_in_one_line(sd, tmp_path):
    import zipfile

    bad = tmp_path / "坏.xlsx"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("[Content_Types].xml", "<Types")
        z.writestr("xl/workbook.xml", "<workbook garbage")
    result = sd("enterprise", "import", bad, ok=False)
    assert result.exit_code == 1 and result.stderr.startswith("error: 坏.xlsx"), result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_escape_sequences_in_an_imported_header_do_not_reach_the_terminal(sd, tmp_path):
    sheet = tmp_path / "企业.csv"
    sheet.write_text("企业名称,\x1b[31m备注x\n天能电池,x\n", encoding="utf-8")
    result = sd("enterprise", "import", sheet)
    assert "\x1b" not in result.stdout + result.stderr


def test_markdown_output_shows_html_in_user_text_as_text(sd):
    sd("enterprise", "add", "天能电池")
    sd(
        "ticket",
        "open",
        "天能电池",
        "<img src=x onerror=alert(1)> & co",
        "--category",
        "labour",
        "--date",
        "2022-05-10",
    )
    out = sd("ticket", "list", "--format", "markdown").stdout
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; co" in out and "<img" not in out


def test_whitespace_in_names_and_titles_folds_to_one_space(sd):
    sd("enterprise", "add", "天能\n电池  有限公司\t")
    assert json.loads(sd("enterprise", "list", "--json").stdout)[0]["name"] == "天能 电池 有限公司"
    result = sd("enterprise", "add", "天能 电池 有限公司", ok=False)
    assert result.exit_code == 1 and "already exists" in result.stderr
    sd("ticket", "open", "天能", "缺焊工\t20人\n急", "--category", "labour", "--date", "2022-05-10")
    assert json.loads(sd("ticket", "list", "--json").stdout)[0]["title"] == "缺焊工 20人 急"


def test_a_ledgers_totals_row_is_skipped(sd, tmp_path):
    sd("enterprise", "add", "天能电池")
    sheet = tmp_path / "台账.csv"
    sheet.write_text(
        "企业名称,问题类别,问题描述,提出日期\n天能电池,用工,缺焊工,2022-05-10\n合计,,1,\n", encoding="utf-8"
    )
    assert "imported 1 tickets" in sd("ticket", "import", sheet).stdout


def test_report_output_to_a_directory_is_a_data_error(sd, tmp_path):
    (tmp_path / "周报.md").mkdir()
    result = sd("report", "weekly", "--output", tmp_path / "周报.md", ok=False)
    assert result.exit_code == 1 and result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1


def test_a_score_goes_only_with_a_rating(sd):
    sd("enterprise", "add", "天能电池")
    result = sd("feedback", "add", "天能电池", "--kind", "banner", "--score", "3", ok=False)
    assert result.exit_code == 1 and "--score goes with --kind rating" in result.stderr


def test_choices_read_their_chinese_names_and_refuse_others_as_usage_errors(sd):
    sd("officer", "add", "王伟", "--rank", "县级")
    sd("enterprise", "add", "天能电池", "--kind", "项目")
    sd("assign", "王伟", "天能电池", "--from", "2022-05-02")
    visit = json.loads(sd("visit", "log", "天能", "--date", "2022-05-10", "--channel", "电话", "--json").stdout)
    assert visit["channel"] == "phone"
    sd("ticket", "open", "天能", "缺电", "--category", "水电气暖", "--priority", "紧急", "--date", "2022-05-10")
    sd("ticket", "close", "1", "-r", "已答复", "--outcome", "解释说明", "--date", "2022-05-11")
    sd("feedback", "add", "天能", "--kind", "锦旗", "--date", "2022-05-12")
    ticket = json.loads(sd("ticket", "show", "1", "--json").stdout)
    assert (ticket["priority"], ticket["outcome"]) == ("urgent", "explained")
    assert json.loads(sd("officer", "list", "--json").stdout)[0]["rank"] == "county"
    assert json.loads(sd("enterprise", "list", "--json").stdout)[0]["kind"] == "project"
    assert json.loads(sd("feedback", "list", "--json").stdout)[0]["kind"] == "banner"
    assert sd("ticket", "open", "天能", "x", "--category", "labour", "--priority", "nope", ok=False).exit_code == 2
    assert sd("visit", "log", "天能", "--channel", "信鸽", ok=False).exit_code == 2


def test_a_ledger_without_an_owner_column_gets_the_enterprises_one_officer(sd, tmp_path):
    sd("officer", "add", "王伟")
    sd("enterprise", "add", "天能电池")
    sd("assign", "王伟", "天能电池", "--from", "2022-05-02")
    sheet = tmp_path / "台账.csv"
    sheet.write_text("企业名称,问题类别,问题描述,提出日期\n天能电池,用工,缺焊工,2022-05-10\n", encoding="utf-8")
    sd("ticket", "import", sheet)
    assert json.loads(sd("ticket", "list", "--json").stdout)[0]["owner"] == "王伟"


# Text that is not UTF-8, and the actor --------------------------------------------

GBK = "B\udcb9\udcfa"  # "B国" typed in a GBK terminal, as Python receives it (lone surrogates)
EVIL = "\x1b]0;PWNED\x07\x1b[31mEVIL\x1b[0m"  # sets the terminal's title, then red text


def _ledger_state(db) -> tuple:
    conn = sqlite3.connect(db)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return tuple(conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables)
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("ticket", "note", "1", GBK), "the TEXT argument"),
        (("--as", "\udcff", "ticket", "assign", "1", "王伟"), "--as"),
        (("enterprise", "list", "--search", "\udce8"), "--search"),
        (("enterprise", "add", "天能电池", "--note", GBK), "--note"),
        (("visit", "log", "1", "--problem", f"用工:{GBK}"), "--problem"),
        (("ticket", "open", "1", GBK, "--category", "labour"), "the TEXT argument"),
    ],
    ids=["note", "as", "search", "add-note", "problem", "open"],
)
def test_an_argument_that_is_not_utf8_is_named_and_nothing_is_written(park, db, args, named):
    park("ticket", "open", "1", "缺焊工", "--category", "labour", "--date", "2022-05-10")
    before = _ledger_state(db)
    result = park(*args, ok=False)
    assert result.exit_code == 1, result.stderr
    assert result.stderr.startswith(f"error: {named} is not valid UTF-8 text; is the terminal set to GBK?")
    assert len(result.stderr.splitlines()) == 1
    assert _ledger_state(db) == before


def test_an_officer_from_the_environment_that_is_not_utf8_is_named(park, db, monkeypatch):
    monkeypatch.setenv("SERVICEDESK_OFFICER", "\udcff")
    result = park("enterprise", "add", "天能电池", ok=False)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: --as (from SERVICEDESK_OFFICER) is not valid UTF-8 text")


def _servicedesk(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "servicedesk", *args],
        capture_output=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_gbk_bytes_on_a_real_command_line_get_one_line(park, db):
    for args in ([b"enterprise", b"list", b"--search", b"\xe8"], [b"enterprise", b"add", b"B\xb9\xfa"]):
        result = _servicedesk(*args)
        assert result.returncode == 1, result.stderr
        assert result.stderr.decode().startswith("error: ") and b"Traceback" not in result.stderr
    assert "B" not in json.dumps(json.loads(park("enterprise", "list", "--json").stdout))


def test_export_to_a_directory_named_in_gbk_writes_and_says_so(park, db, tmp_path):
    target = os.fsencode(tmp_path) + b"/exp\xff"
    result = _servicedesk(b"export", target, env={"PYTHONIOENCODING": "utf-8"})
    assert result.returncode == 0, result.stderr
    assert b"Traceback" not in result.stderr
    assert "exp\\xff" in result.stdout.decode()  # the name's bytes, as typed
    assert os.path.exists(target + b"/tickets.csv")


def test_the_actor_is_cleaned_like_any_other_text(park, db, tmp_path, monkeypatch):
    import getpass

    park("ticket", "open", "1", "缺焊工", "--category", "labour", "--date", "2022-05-10")
    park("--as", EVIL, "ticket", "note", "1", "from --as")
    monkeypatch.setenv("SERVICEDESK_OFFICER", EVIL)
    park("ticket", "note", "1", "from the environment")
    monkeypatch.delenv("SERVICEDESK_OFFICER")
    monkeypatch.setattr(getpass, "getuser", lambda: EVIL)
    park("ticket", "note", "1", "from the login name")

    shown = park("ticket", "show", "1").stdout
    assert "\x1b" not in shown and "\x07" not in shown
    actors = [e["actor"] for e in json.loads(park("ticket", "show", "1", "--json").stdout)["history"][-3:]]
    assert actors == ["]0;PWNED[31mEVIL[0m"] * 3
    park("export", tmp_path / "out")
    assert "\x1b" not in (tmp_path / "out" / "events.csv").read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("args", [("--help",), ("ticket", "--help"), ("report", "weekly", "--help")], ids=" ".join)
def test_help_into_a_closed_pipe_exits_0(args):
    read, write = os.pipe()
    os.close(read)  # `| head -1` has already gone
    try:
        result = subprocess.run(
            [sys.executable, "-m", "servicedesk", *args], stdout=write, stderr=subprocess.PIPE, timeout=120
        )
    finally:
        os.close(write)
    assert (result.returncode, result.stderr) == (0, b"")


def test_a_file_name_that_is_not_utf8_is_shown_escaped_however_the_app_is_run(park, tmp_path):
    # In process (no main()), as a test or a script runs it: found by bench/fuzz.py.
    result = park("backup", f"{tmp_path}/copy\udcff.db")
    assert f"backed up to {tmp_path}/copy\\xff.db" in result.stdout


def test_a_ledger_file_name_that_is_not_utf8_works_and_is_recorded_escaped(tmp_path):
    folder = os.fsencode(tmp_path)
    result = _servicedesk(b"--db", folder + b"/park\xff.db", b"enterprise", b"add", "天能电池".encode())
    assert result.returncode == 0, result.stderr
    conn = sqlite3.connect(os.fsdecode(folder + b"/park\xff.db"))
    try:
        [(command,)] = conn.execute("SELECT command FROM changesets").fetchall()
    finally:
        conn.close()
    assert "park\\xff.db" in command


def test_an_error_quoting_a_line_separator_is_still_one_line(park):
    # Found by bench/fuzz.py: U+2028 and U+2029 end a line for str.splitlines, JSON tools and editors.
    result = park("ticket", "assign", "a\u2028b\u2029c", "王伟", ok=False)
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("error: ")


@pytest.mark.both
def test_a_nul_in_a_name_looked_up_finds_nothing_on_either_backend(sd):
    # A server's text cannot hold a NUL; in process (a real command line cannot carry one)
    # it reached PostgreSQL as a traceback.
    sd("enterprise", "add", "天能电池")
    for command in (("enterprise", "edit", "天能\x00电池", "--note", "x"), ("ticket", "list", "--owner", "\x00")):
        result = sd(*command, ok=False)
        assert result.exit_code == 1 and result.stderr.startswith("error: "), result.stderr
    assert "天能电池" in sd("enterprise", "list").stdout
