"""One way to draw a table: lists and report sections, on a terminal and in a pipe.

A terminal table fits its width (minor columns go first, text wraps, figures and words
never break); a piped table is plain aligned text whose rows are whole, at a cost linear
in the text.
"""

import sys

import pytest
from rich.cells import cell_len
from rich.console import Console

import servicedesk.render as render
from servicedesk.cli import enterprises, officers, ticket_reading, visits
from servicedesk.render import report as rendered

# Checked on both backends (conftest.py).
pytestmark = pytest.mark.both

WORDY = " ".join(f"word{i}" for i in range(40)) + " ZZEND"  # 246 characters in 41 words


@pytest.fixture
def terminal(monkeypatch):
    """terminal(80): the command's stdout behaves as an 80-column terminal (no colour)."""
    made = render.console

    def width(n):
        def console(stderr=False, file=None):
            if stderr or file is not None:
                return made(stderr, file)
            return Console(
                file=sys.stdout,
                width=n,
                force_terminal=True,
                color_system=None,
                emoji=False,
                highlight=False,
                markup=False,
                soft_wrap=False,
            )

        monkeypatch.setattr(render, "console", console)

    return width


@pytest.fixture
def park(sd):
    sd("enterprise", "add", "天能电池", "--sector", "新型功能材料")
    sd("officer", "add", "王伟")
    sd("assign", "王伟", "天能电池", "--from", "2022-05-02")
    return sd


def open_tickets(db, titles, category="labour"):
    """Many tickets at once, through the service rather than one CLI call each."""
    from servicedesk.services import tickets as service
    from servicedesk.store import Store

    store = Store(db)
    try:
        for title in titles:
            service.open_ticket(store, "天能电池", title, category, actor="test")
    finally:
        store.close()


def widest(text: str) -> int:
    return max(cell_len(line) for line in text.splitlines())


# --- pipes ---------------------------------------------------------------------------


def test_a_long_title_is_whole_on_its_rows_line_in_a_pipe(park):
    title = "缺焊工" * 100 + "尾" + "x" * 4  # 305 characters, 606 cells
    park("ticket", "open", "天能电池", title, "--category", "labour", "--date", "2022-05-10")

    listed = park("ticket", "list").stdout
    [line] = [line for line in listed.splitlines() if title in line]
    assert line.split()[0] == "1" and "2022-05-25" in line.split(title)[1]  # the whole row, on one line
    assert title in park("ticket", "show", "1").stdout
    assert title in park("enterprise", "show", "天能电池").stdout
    assert title in park("report", "weekly", "--week", "2022-05-12").stdout


def test_piped_output_stays_linear_in_the_longest_cell(park, db):
    """One very long cell used to pad every row to its width (1M characters: 112 s and 620 MiB)."""
    title = "x" * 200_000
    open_tickets(db, [title + "1", title + "2", *(f"问题{n}" for n in range(20))])

    out = park("ticket", "list", "--status", "all").stdout

    assert out.count(title) == 2
    assert len(out) < 3 * len(title) + 10_000
    assert len(park("report", "weekly").stdout) < 3 * len(title) + 20_000


# --- the terminal ----------------------------------------------------------------------


def test_a_list_on_a_narrow_terminal_drops_its_minor_columns_first(park, terminal):
    park("ticket", "open", "天能电池", "缺焊工20人", "--category", "labour", "--priority", "high")
    shown = {}
    for width in (200, 80, 60):
        terminal(width)
        out = park("ticket", "list").stdout
        assert widest(out) <= width
        shown[width] = out.splitlines()[1].split()
    assert shown[200] == list(ticket_reading.COLUMNS)
    assert {"priority", "opened_on"}.isdisjoint(shown[80]) and {"id", "title", "due_on"} <= set(shown[80])
    assert "category" not in shown[60] and {"id", "title", "due_on"} <= set(shown[60])


def test_a_long_list_on_a_terminal_wraps_its_text_instead_of_cutting_it(park, db, terminal):
    open_tickets(db, [*(f"问题{n}" for n in range(120)), WORDY])
    terminal(80)

    out = park("ticket", "list").stdout

    assert widest(out) <= 80
    assert "ZZEND" in out and "word39" in out


@pytest.mark.parametrize("width", [60, 80, 100])
def test_report_sections_fit_the_terminal_without_breaking_a_word_or_a_figure(park, terminal, width):
    park("ticket", "open", "天能电池", "缺焊工20人", "--category", "labour", "--date", "2022-05-10")
    park("ticket", "open", "天能电池", "用电扩容", "--category", "utilities", "--date", "2022-05-11")
    park("ticket", "close", "1", "-r", "已招到", "--date", "2022-05-20")
    terminal(width)

    out = park("report", "closure", "--until", "2022-06-30", "--lang", "en").stdout

    assert widest(out) <= width
    words = out.split()
    assert {"category", "closure", "Labour", "shortage", "100.0%", "(1/1)", "total"} <= set(words)
    assert "collected" in words  # a header breaks between words, never inside one
    assert "solved" not in words  # its count is in the resolution rate: it gives way first


@pytest.mark.parametrize(("lang", "header"), [("en", ["#", "enterprise", "problem", "owner", "status", "due", "overdue"]),
                                             ("zh", ["编号", "企业", "问题描述", "责任人", "状态", "办理时限", "超期"])])  # fmt: skip
def test_the_open_list_of_the_weekly_keeps_whole_headers_and_its_overdue_column_at_80(park, terminal, lang, header):
    # The field trial's capture: `enterp|rise`, `proble|m` at 80 columns, an open ticket in progress.
    park("ticket", "open", "天能电池", "技改项目环评批复办理", "--category", "permits", "--date", "2022-05-10")
    park("ticket", "start", "1", "--date", "2022-05-11")
    terminal(80)

    out = park("report", "weekly", "--week", "2022-W19", "--lang", lang).stdout

    lines = out.splitlines()
    part = next(i for i, line in enumerate(lines) if line.startswith(("6.", "六、")))
    heading = next(line for line in lines[part + 1 :] if line.strip())
    assert heading.split() == header  # days open gives way before a header breaks
    assert widest(out) <= 80


def test_numbers_are_right_aligned_in_lists_as_in_reports(sd):
    for n in range(10):
        sd("enterprise", "add", f"企业{n}")
    lines = sd("enterprise", "list").stdout.splitlines()
    assert lines[0].startswith("  id ")
    assert lines[2].startswith("   1   企业0") and lines[-1].startswith("  10   企业9")


def test_every_column_a_list_or_a_report_shows_is_registered():
    """No column falls back to plain text: each is registered with its kind."""
    from test_report_render import WEEKLY

    from servicedesk.render import columns as registry

    names = {*ticket_reading.COLUMNS, *ticket_reading.HISTORY_COLUMNS, *visits.COLUMNS, *visits.ENTERPRISE_COLUMNS}
    names |= {*visits.FEEDBACK_COLUMNS, *enterprises.COLUMNS, *officers.COLUMNS, "code", "label", "label_zh"}
    names |= {"limit", "visit_id", "resolution", "closed_on", "day", "weekday", "workday", "source"}
    closure = {"since": None, "until": "2022-05-15", "by": "category", "rows": [], "total": {}}
    for report in (rendered.weekly(WEEKLY, "en"), rendered.closure(closure, "en")):
        names |= {c.name for section in report.sections for c in section.columns}
    missing = sorted(n for n in names if n not in registry.REGISTRY)
    assert not missing
    for by in ("category", "officer", "enterprise", "sector", "department", "week"):
        assert by in registry.REGISTRY
