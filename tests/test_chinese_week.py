"""An officer's whole week through the real CLI, once in Chinese and once in English.

With LANG=zh_CN.UTF-8 nothing an officer reads may be English: confirmations, prompts,
errors, lists, record pages and the weekly report. What may stay: the names and notes the
test types, codes for scripts (JSON keys and values, category codes), ticket numbers,
dates, `servicedesk …` commands quoted in hints and their --options. With --lang en,
nothing is Chinese but what the test typed and the park's own category words.
"""

import json
import os
import re
import shutil
import sqlite3
from datetime import timedelta

import pytest

from servicedesk import dates

OFFICE = "园区办"  # --as: the park office, who records most of the week (not an officer)
TYPED = ("王伟", "李娜", "天能电池", "华信化工", "天能", "华信", "新型功能材料", "化工", "园区管委会", "李强", "人社局",
         "走访生产线", "电话了解", "缺焊工20人", "流动资金贷款500万", "环评批复办理", "已对接人社局",
         "专场招聘，已招到18人", "请本周内答复", "智能化诊断", "解决用工难题", "天然", "不存在", "明年", "张三",
         OFFICE, "用工", "融资", "满意", "诊断", "台账", "企业名称", "问题类别", "问题描述", "提出日期", "缺人手",
         "缺钱", "工单", "十", "办理状态", "办理中", "已办结", "办结时间", "责任人", "责任单位", "企业名单", "联系电话",
         "包联干部", "催一下")  # fmt: skip


def _week(sd, lang: str, monkeypatch, folder) -> list[tuple[tuple, object]]:
    """Run the week; every command with its result."""
    monday = dates.today() - timedelta(days=dates.today().weekday() + 7)  # last week's
    day = [(monday + timedelta(days=n)).isoformat() for n in range(7)]
    ran = []
    # Each change records its command line (sys.argv): here pytest's, not what an officer typed.
    monkeypatch.setattr("sys.argv", ["servicedesk"])

    def run(*args, ok=True, input=None, code=1):
        result = sd("--lang", lang, "--as", OFFICE, *args, ok=ok, input=input)
        if ok is not True:
            assert result.exit_code == code, (args, result.stdout, result.stderr)
            # An import's one error line is followed by its bad rows; a usage error (exit 2) is
            # Typer's frame: the usage line, how to get help, the error in a box.
            if args[1:2] != ("import",) and code == 1:
                assert len(result.stderr.splitlines()) == 1, result.stderr  # errors stay one line
        ran.append((args, result))
        return result

    run("officer", "add", "王伟", "--rank", "chief", "--unit", "园区管委会")
    run("officer", "add", "李娜", "--rank", "科级")
    run("enterprise", "add", "天能电池", "--sector", "新型功能材料", "--contact", "李强", "--phone", "13800000000")
    run("enterprise", "add", "华信化工", "--sector", "化工", "--kind", "project")
    run("assign", "王伟", "天能电池", "华信化工", "--from", day[0])
    run("visit", "log", "天能", "--officer", "王伟", "--date", day[1], "--note", "走访生产线",
        "--problem", "用工：缺焊工20人", "--problem", "融资:流动资金贷款500万")  # fmt: skip
    run("visit", "log", "华信", "--officer", "王伟", "--date", day[1], "--channel", "phone", "--note", "电话了解")
    run("ticket", "open", "华信", "环评批复办理", "--category", "permits", "--date", day[1], "--owner", "王伟")
    run("ticket", "start", "1", "--date", day[2])
    run("ticket", "assign", "1", "李娜", "--date", day[2])
    run("ticket", "refer", "1", "人社局", "--date", day[2])
    run("ticket", "note", "1", "已对接人社局", "--date", day[2])
    # The close prompt, as on a terminal.
    monkeypatch.setattr("servicedesk.cli.tickets.stdin_is_terminal", lambda: True)
    run("ticket", "close", "1", "--date", day[3], input="专场招聘，已招到18人\n")
    monkeypatch.setattr("servicedesk.cli.tickets.stdin_is_terminal", lambda: False)
    run("ticket", "close", "2", ok=False)  # no resolution, not on a terminal
    sd("--lang", lang, "--as", "王伟", "ticket", "follow-up", "1", "--result", "满意", "--score", "5", "--date", day[4])
    run("service", "log", "天能", "--kind", "诊断", "--date", day[3], "--note", "智能化诊断")
    run("feedback", "add", "天能", "--kind", "banner", "--ticket", "1", "--date", day[4], "--note", "解决用工难题")
    run("ticket", "urge", "3", "--note", "请本周内答复", "--date", day[4])
    run("ticket", "supervise", "3", "--date", day[4])
    # Mistakes an officer makes.
    run("visit", "log", "天然", ok=False)
    run("ticket", "open", "天能", "缺焊工20人", "--category", "不存在", ok=False)
    run("ticket", "start", "1", "--date", "明年", ok=False)
    run("ticket", "open", "天能", "缺焊工20人", "--category", "用工", "--date", "2026-13-45", ok=False)
    run("officer", "show", "张三", ok=False)
    ledger = folder / "台账.csv"  # a clerk's 问题台账 with two bad rows, then put right
    ledger.write_text(
        f"企业名称,问题类别,问题描述,提出日期\n天能电池,不存在,缺人手,{day[0]}\n天能电池,融资,缺钱,2999-01-01\n"
    )
    run("ticket", "import", ledger, ok=False)
    ledger.write_text(f"企业名称,问题类别,问题描述,提出日期\n天能电池,用工,缺人手,{day[0]}\n")
    run("ticket", "import", ledger, "--dry-run")
    run("ticket", "start", "99", ok=False)
    run("ticket", "reopen", "1", "--reason", "请本周内答复", "--date", day[0], ok=False)
    # Usage errors, Typer's own (exit 2): an unknown option, a missing argument or option, a
    # number that is none, a command that does not exist, a value left out.
    run("ticket", "list", "--bogus", ok=False, code=2)
    run("ticket", "show", ok=False, code=2)
    run("ticket", "open", "天能", "缺焊工20人", ok=False, code=2)
    run("ticket", "list", "--limit", "十", ok=False, code=2)
    run("ticket", "list", "--limit", "-1", ok=False, code=2)
    run("工单", "list", ok=False, code=2)
    run("ticket", "list", "--status", ok=False, code=2)
    run("ticket", "list", "天能", ok=False, code=2)
    # The ledger again, saying where two tickets stand now: named as differing, listed as the
    # changes --update would make; a close it would re-date is refused on its row.
    ledger.write_text(
        "企业名称,问题类别,问题描述,提出日期,办理状态,责任人,责任单位,办结时间\n"
        f"天能电池,融资,流动资金贷款500万,{day[1]},办理中,李娜,人社局,\n"
    )
    run("ticket", "import", ledger)
    run("ticket", "import", ledger, "--update", "--dry-run")
    ledger.write_text(
        f"企业名称,问题类别,问题描述,提出日期,办理状态,办结时间\n天能电池,用工,缺焊工20人,{day[1]},已办结,{day[2]}\n"
    )
    run("ticket", "import", ledger, "--update", ok=False)
    roster = folder / "企业名单.csv"
    roster.write_text("企业名称,联系电话,包联干部\n天能电池,13900000000,李娜\n")
    run("enterprise", "import", roster)
    run("enterprise", "import", roster, "--update", "--dry-run")
    # What they read.
    run("agenda", "--officer", "王伟")
    run("ticket", "list", "--status", "all")
    run("ticket", "show", "1")
    run("enterprise", "show", "天能")
    run("officer", "list")
    run("visit", "list")
    run("category", "list")
    run("info")
    run("undo", "--dry-run")
    run("report", "weekly", "--week", day[0])
    run("report", "weekly", "--week", day[0], "--format", "markdown")
    # Someone else has since worked on what the office last changed: its undo is refused.
    sd("--lang", lang, "--as", "王伟", "ticket", "urge", "3", "--note", "催一下", "--date", day[5])
    run("undo", ok=False)
    return ran


def _lines(ran, db):
    """Each line of output; the database's path (a temp dir's English) is the user's own."""
    for args, result in ran:
        for line in (result.stdout + "\n" + result.stderr).splitlines():
            yield args, line.replace(str(db), "")


# What may stay English in Chinese output: commands quoted in hints, options, codes, files.
# (`root` is the command's name under CliRunner, in the usage line of a usage error.)
_QUOTED = re.compile(
    r"`[^`]*`|(?:servicedesk|root)(?: [a-z-]+)*|--[a-z-]+|\b\d+w?d\b|\d{4}-W\d{2}|SERVICEDESK_[A-Z]+"
    r"|[^\s：“]*\.(?:csv|xlsx|xls|db|docx|json|md)\b"
)  # the last: file names the test gave, and the extensions a message names
_CODES = {"financing", "labour", "permits", "land", "utilities", "logistics", "policy", "technology", "market", "other"}
_NAMES = {"SQLite", "PostgreSQL", "CSV", "FIFO", "UTF", "GBK"}  # what has no other name in Chinese either
_ENGLISH = re.compile(r"[A-Za-z]{2,}")


def english_words(line: str) -> list[str]:
    words = _ENGLISH.findall(_QUOTED.sub(" ", line))
    return [w for w in words if w not in _CODES and w not in _NAMES]


_CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff01-\uff5e]+")


def chinese_words(line: str, allowed: set[str]) -> list[str]:
    for word in sorted(allowed, key=len, reverse=True):
        line = line.replace(word, " ")
    return _CHINESE.findall(line)


def test_a_chinese_officers_week_reads_chinese(sd, db, monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    ran = _week(sd, "zh", monkeypatch, db.parent)
    found = [(" ".join(args[:2]), line) for args, line in _lines(ran, db) if english_words(line)]
    assert found == [], "\n".join(map(str, found))
    said = [r for args, r in ran if args[:2] in (("visit", "log"), ("ticket", "close"))]
    assert "已登记问题 #1（用工）" in said[0].stdout
    assert "请输入办理情况" in said[2].stdout and "已办结 #1（已解决）" in said[2].stdout
    assert said[3].stderr.startswith("错误：办结需要填写办理情况")


def test_scripts_get_english_codes_whatever_the_language(sd, db, monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    _week(sd, "zh", monkeypatch, db.parent)
    items = json.loads(sd("ticket", "list", "--status", "all", "--json").stdout)
    assert {t["category"] for t in items} == {"labour", "financing", "permits"}
    assert {t["status"] for t in items} <= {"open", "in_progress", "closed"}
    assert sd("ticket", "list", "--format", "csv").stdout.startswith("id,enterprise,category,title,status")


def test_an_english_week_has_no_chinese_but_what_was_typed(sd, db, monkeypatch):
    ran = _week(sd, "en", monkeypatch, db.parent)
    # The park's own words for its categories are data (category list, the choices an
    # error offers), and 5月10日 / 15个工作日 are examples of what may be typed.
    categories = json.loads(sd("category", "list", "--json").stdout)
    allowed = {*TYPED, "5月10日", "15个工作日", "10天"}
    allowed |= {c["label_zh"] for c in categories} | {w for c in categories for w in c["aliases"]}
    found = [(" ".join(args[:2]), line) for args, line in _lines(ran, db) if chinese_words(line, allowed)]
    assert found == []
    said = next(r for args, r in ran if args[:2] == ("visit", "log"))
    assert "opened #1 (labour) 缺焊工20人" in said.stdout


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("已登记问题 #15（用工）", []),
        ("错误：没有问题 #99；见 `servicedesk ticket list --status all`", []),
        ("closed #3 (resolved)", ["closed", "resolved"]),
        ("  financing    融资       30天", []),
        ("可以写 10天、10d、15个工作日 或 15wd", []),
        ("错误：无法从扩展名判断“/周报.docx”应写成什么格式；请用 .json、.csv、.md 或 .xlsx", []),
        ("错误：/管道 是命名管道（FIFO），不是普通文件", []),
        ("Error: No such option: --bogus", ["Error", "No", "such", "option"]),
    ],
)
def test_the_english_detector_sees_english_and_only_english(line, words):
    assert english_words(line) == words


@pytest.mark.parametrize(
    ("status", "expected"),
    [("已办结", {1}), ("未办结", {2, 3}), ("办理中", set()), ("待办理", {2, 3}), ("全部", {1, 2, 3}), ("closed", {1})],
)
def test_ticket_list_takes_the_status_in_chinese(sd, db, monkeypatch, status, expected):
    _week(sd, "zh", monkeypatch, db.parent)
    items = json.loads(sd("ticket", "list", "--status", status, "--json").stdout)
    assert {t["id"] for t in items} == expected


def _csv(path, text: str):
    path.write_text(text)
    return path


def _said(result, *folders) -> str:
    """stdout and stderr, with the test's folders (English words of a temp path) left out."""
    text = result.stdout + result.stderr
    for folder in folders:
        text = text.replace(str(folder), "")
    return text


def test_the_rare_messages_read_chinese_too(sd, db, tmp_path, monkeypatch):
    """What a week seldom shows: a store or a demo park refused, a copy, a limit or file name
    mistyped, the undo of a calendar day."""
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.setattr("sys.argv", ["servicedesk"])
    sd("--as", OFFICE, "officer", "add", "王伟")
    sd("--as", OFFICE, "enterprise", "add", "天能电池")
    sd("--as", OFFICE, "assign", "王伟", "天能电池")
    results = {
        "demo on a ledger that holds data": sd("demo", ok=False),
        "demo too large": sd("demo", "--enterprises", "100000", "--weeks", "5000", ok=False),
        "copy": sd("copy", db, tmp_path / "副本.db"),
        "copy into a used ledger": sd("copy", db, tmp_path / "副本.db", ok=False),
        "a limit mistyped": sd("category", "add", "c1", "--label", "测试", "--limit", "三十天", ok=False),
        "a report file of no known kind": sd("report", "weekly", "--output", tmp_path / "周报.docx", ok=False),
        "calendar holiday": sd("--as", OFFICE, "calendar", "holiday", "2026-12-30", "--name", "园区假"),
        "the undo of a calendar day": sd("--as", OFFICE, "undo", "--dry-run"),
        "a ledger without a needed column": sd(
            "ticket", "import", _csv(tmp_path / "台账.csv", "企业名称\n天能电池\n"), ok=False
        ),
        "a status an import does not know": sd(
            "ticket",
            "import",
            _csv(
                tmp_path / "状态.csv",
                "企业名称,问题类别,问题描述,提出日期,办理状态\n天能电池,用工,缺人,2026-11-02,飞了\n",
            ),
            ok=False,
        ),
        "a sheet asked of a CSV file": sd("ticket", "import", tmp_path / "台账.csv", "--sheet", "表1", ok=False),
        "a file where a folder should be": sd(
            "report", "weekly", "--output", tmp_path / "台账.csv" / "周报.md", ok=False
        ),
        "an unassign dated before the assignment": sd("unassign", "王伟", "天能", "--from", "2000-01-01", ok=False),
        "a label another category has": sd("category", "add", "c2", "--label", "融资", ok=False),
    }
    fifo = tmp_path / "管道"
    os.mkfifo(fifo)
    results["a named pipe as the ledger"] = sd("--db", fifo, "info", ok=False)
    newer = tmp_path / "新版.db"
    shutil.copyfile(db, newer)
    with sqlite3.connect(newer) as conn:
        conn.execute("PRAGMA user_version = 99")
    results["a ledger from a newer servicedesk"] = sd("--db", newer, "info", ok=False)
    codes = {what: r.exit_code for what, r in results.items()}
    found = {
        what: [line for line in _said(r, tmp_path).splitlines() if english_words(line)] for what, r in results.items()
    }
    found = {what: lines for what, lines in found.items() if lines}
    assert found == {}, "\n".join(f"{what}: {line}" for what, lines in found.items() for line in lines)
    assert "1 家企业、1 名干部" in results["copy"].stdout
    assert "设为节假日" in results["the undo of a calendar day"].stdout
    assert [codes[w] for w in ("demo too large", "copy", "calendar holiday", "the undo of a calendar day")] == [
        2,
        0,
        0,
        0,
    ]
    assert {w for w, code in codes.items() if code == 1} == set(codes) - {
        "demo too large",
        "copy",
        "calendar holiday",
        "the undo of a calendar day",
    }


def test_usage_errors_keep_typers_english_frame_in_english(sd, monkeypatch):
    """With --lang en (or an English locale) a usage error is Typer's own, word for word,
    also when the locale is Chinese."""
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    result = sd("--lang", "en", "ticket", "list", "--lim", "3", ok=False)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[:2] == [
        "Usage: root ticket list [OPTIONS]",
        "Try 'root ticket list -h' for help.",
    ]
    assert "No such option: --lim (Possible options: --light, --limit)" in result.stderr
    zh = sd("--lang", "zh", "ticket", "list", "--lim", "3", ok=False)
    assert zh.exit_code == 2
    assert zh.stderr.splitlines()[:2] == ["用法：root ticket list [选项]", "运行 `root ticket list -h` 查看帮助。"]
    assert "没有 --lim 这个选项；您要找的是不是 --light、--limit？" in zh.stderr


def test_a_usage_error_before_lang_is_read_speaks_the_locale_or_servicedesk_lang(sd, monkeypatch):
    """No such command is found before the root callback reads --lang: the language comes
    from the command line, SERVICEDESK_LANG or the locale all the same."""
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert "没有 工单 这个命令" in sd("工单", ok=False).stderr
    assert "No such command '工单'." in sd("--lang", "en", "工单", ok=False).stderr
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert "No such command '工单'." in sd("工单", ok=False).stderr
    assert "没有 工单 这个命令" in sd("--lang", "zh", "工单", ok=False).stderr
    monkeypatch.setenv("SERVICEDESK_LANG", "zh")
    result = sd("ticket", "list", "--bogus", ok=False)
    assert result.exit_code == 2 and "没有 --bogus 这个选项" in result.stderr
    assert english_words(result.stderr) == []
